//! `~/.pgpass` (or `$PGPASSFILE`): the password for a connection when none was given, found
//! the way libpq finds it.
//!
//! Lines are `host:port:database:user:password`; `*` in the first four fields matches
//! anything, `\:` and `\\` escape, `#` starts a comment line, the first matching line wins.
//! Like libpq, a file that the group or others may access is ignored, with a warning saying
//! why, because a password readable by others is not one we should quietly rely on.

use std::path::Path;

/// What a `.pgpass` line is matched against.
pub struct Target<'a> {
    pub host: &'a str,
    pub port: u16,
    pub database: &'a str,
    pub user: &'a str,
}

/// Reads `path` and returns the password of the first matching line. A missing file is no
/// password and no warning; an unreadable or too-open file is no password and a warning.
pub fn lookup(path: &Path, target: &Target<'_>, warnings: &mut Vec<String>) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        warnings.push(format!(
            "password file \"{}\" is not a plain file; ignored",
            path.display()
        ));
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            warnings.push(format!(
                "password file \"{}\" has group or world access (mode {:o}); ignored — \
                 run chmod 600 on it",
                path.display(),
                mode & 0o777
            ));
            return None;
        }
    }
    match std::fs::read_to_string(path) {
        Ok(text) => find(&text, target),
        Err(e) => {
            warnings.push(format!(
                "cannot read password file \"{}\": {e}; ignored",
                path.display()
            ));
            None
        }
    }
}

/// The password of the first line in `text` that matches `target`.
pub fn find(text: &str, target: &Target<'_>) -> Option<String> {
    // libpq: a socket directory (or no host) matches the `localhost` entries.
    let host = if target.host.is_empty() || target.host.starts_with('/') {
        "localhost"
    } else {
        target.host
    };
    let port = target.port.to_string();
    let wanted = [host, port.as_str(), target.database, target.user];
    text.lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .find_map(|line| {
            let fields = split_fields(line)?;
            let matches = fields[..4]
                .iter()
                .zip(wanted)
                .all(|(field, want)| field == "*" || field == want);
            matches.then(|| fields[4].clone())
        })
}

/// Splits a line into four fields and the password, undoing `\:` and `\\`. A line with
/// fewer than five fields matches nothing (libpq skips it too).
fn split_fields(line: &str) -> Option<Vec<String>> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => fields.last_mut()?.extend(chars.next()),
            // The password is the rest of the line: further colons belong to it.
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut()?.push(c),
        }
    }
    (fields.len() == 5).then_some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r"# comment: *:*:*:*:never
db.example.com:5432:app:alice:alice-app
db.example.com:5432:*:alice:alice-any
*:6543:*:*:pooler
localhost:5432:*:bob:bob\:colon\\back
weird\:host:5432:*:*:escaped-host
short:line
*:*:*:carol:pass:with:colons
";

    #[test]
    fn first_matching_line_wins() {
        let cases = [
            (("db.example.com", 5432, "app", "alice"), Some("alice-app")),
            (
                ("db.example.com", 5432, "other", "alice"),
                Some("alice-any"),
            ),
            (("db.example.com", 5433, "app", "alice"), None),
            (("anything", 6543, "x", "y"), Some("pooler")),
            (("localhost", 5432, "x", "bob"), Some(r"bob:colon\back")),
            (
                ("/var/run/postgresql", 5432, "x", "bob"),
                Some(r"bob:colon\back"),
            ),
            (("", 5432, "x", "bob"), Some(r"bob:colon\back")),
            (("127.0.0.1", 5432, "x", "bob"), None),
            (("weird:host", 5432, "x", "z"), Some("escaped-host")),
            (("h", 1, "d", "carol"), Some("pass:with:colons")),
            (("short", 1, "line", "nobody"), None),
            (("h", 1, "d", "never"), None),
        ];
        for ((host, port, database, user), want) in cases {
            let target = Target {
                host,
                port,
                database,
                user,
            };
            assert_eq!(
                find(FILE, &target).as_deref(),
                want,
                "{host}:{port}:{database}:{user}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn open_file_is_ignored_with_a_warning() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pgpass");
        std::fs::write(&path, "*:*:*:*:secret\n").unwrap();
        let target = Target {
            host: "h",
            port: 5432,
            database: "d",
            user: "u",
        };

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut warnings = Vec::new();
        assert_eq!(
            lookup(&path, &target, &mut warnings).as_deref(),
            Some("secret")
        );
        assert!(warnings.is_empty());

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(lookup(&path, &target, &mut warnings), None);
        assert!(
            warnings[0].contains("group or world access"),
            "{warnings:?}"
        );
        assert!(!warnings[0].contains("secret"));

        let mut warnings = Vec::new();
        assert_eq!(
            lookup(&dir.path().join("missing"), &target, &mut warnings),
            None
        );
        assert!(warnings.is_empty());
        assert_eq!(lookup(dir.path(), &target, &mut warnings), None);
        assert!(warnings[0].contains("not a plain file"));
    }
}
