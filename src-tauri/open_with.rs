//! "Open with Ferry": the desktop entry starts `ferry-app %f` with the SQLite file a person
//! chose in the file manager; that path becomes the source of the first step.

use std::ffi::OsString;
use std::path::PathBuf;

/// The file to copy from, given on the command line: the first argument that is not an
/// option (GTK or WebKit may be handed theirs), as an absolute path. A `file://` URI (from
/// launchers that pass `%u`) is accepted when it needs no percent-decoding.
pub fn source_from_args(args: impl IntoIterator<Item = OsString>) -> Option<String> {
    let arg = args
        .into_iter()
        .find(|a| !a.to_string_lossy().starts_with('-'))?;
    let text = arg.to_string_lossy();
    let path = match text.strip_prefix("file://") {
        Some(rest) if !rest.contains('%') => PathBuf::from(rest),
        Some(_) => return None,
        None => PathBuf::from(&arg),
    };
    let path = std::path::absolute(&path).unwrap_or(path);
    Some(path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_first_path_is_the_source() {
        assert_eq!(
            source_from_args(args(&["/home/me/app.db"])).as_deref(),
            Some("/home/me/app.db")
        );
        assert_eq!(
            source_from_args(args(&["--sync", "/home/me/app.db"])).as_deref(),
            Some("/home/me/app.db")
        );
        assert_eq!(
            source_from_args(args(&["file:///home/me/app.db"])).as_deref(),
            Some("/home/me/app.db")
        );
        let relative = source_from_args(args(&["app.db"])).unwrap();
        assert!(relative.starts_with('/') && relative.ends_with("/app.db"));
        assert_eq!(source_from_args(args(&[])), None);
        assert_eq!(source_from_args(args(&["file:///a%20b.db"])), None);
    }
}
