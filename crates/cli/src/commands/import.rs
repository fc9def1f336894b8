//! `ferry import --from FOLDER --to B`: a migration whose source is a bundle. The bundle is
//! checked in full (every file's SHA-256 and row count) when it is opened, before the target
//! is connected to; then plan, confirmation, copy, verification and commit are `migrate`'s.

use std::path::PathBuf;

use ferry_engine::{Cancel, Error, Location};

use crate::args::MigrateArgs;
use crate::exit::Code;

/// # Errors
/// As `migrate`, plus bad input for a `--from` that is not a bundle folder.
pub fn run(args: &MigrateArgs, cancel: &Cancel) -> Result<Code, Error> {
    let mut options = args.run.to_options()?;
    // A folder without a manifest parses as a SQLite path; name it a bundle so the error
    // says what is missing from it.
    if !matches!(options.source, Location::Bundle { .. }) {
        let text = args.run.from.trim();
        if text.contains("://") || !PathBuf::from(text).is_dir() {
            return Err(Error::bad_input(format!(
                "--from must be a bundle folder (written by ferry export); {} is not one",
                options.source.display()
            )));
        }
        options.source = Location::Bundle {
            dir: PathBuf::from(text),
        };
    }
    super::migrate::run_with("import", options, args, cancel)
}
