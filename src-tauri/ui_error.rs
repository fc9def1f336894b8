//! Errors as the page shows them: a sentence a person can act on, a tone, and the details
//! (the chain of causes) behind a disclosure. Every string passes through the engine's
//! `mask_secrets`, so a password in a URL never reaches the page.

use ferry_engine::location::mask_secrets;
use ferry_engine::options::OptionName;
use ferry_engine::{Error, ErrorKind};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct UiError {
    /// `bad_input`, `connection`, `verification`, `cancelled`, `runtime`.
    pub kind: ErrorKind,
    /// One or two sentences: what went wrong and what to do, naming the app's own fields.
    pub message: String,
    /// The option the error is about, for the page to point at its field.
    pub option: Option<OptionName>,
    /// The causes, outermost first, for the "Details" disclosure.
    pub details: Vec<String>,
}

impl From<&Error> for UiError {
    fn from(error: &Error) -> Self {
        let mut details = vec![];
        let mut cause = std::error::Error::source(error);
        while let Some(c) = cause {
            let text = mask_secrets(&c.to_string());
            if !details.contains(&text) {
                details.push(text);
            }
            cause = std::error::Error::source(c);
        }
        UiError {
            kind: error.kind(),
            message: mask_secrets(&error.words(&label)),
            option: error.option(),
            details,
        }
    }
}

impl From<Error> for UiError {
    fn from(error: Error) -> Self {
        UiError::from(&error)
    }
}

impl UiError {
    /// A failure of the shell itself (a worker thread that died, a file it could not write).
    pub fn runtime(message: impl Into<String>) -> Self {
        UiError {
            kind: ErrorKind::Runtime,
            message: mask_secrets(&message.into()),
            option: None,
            details: vec![],
        }
    }
}

/// How the page names an option an engine message mentions: the label of its field in
/// quotes where the app has one (`ui/index.html`), else the words for where it is set.
pub fn label(option: OptionName) -> String {
    let words = match option {
        OptionName::From => "the source",
        OptionName::To => "the target",
        OptionName::Tables | OptionName::Exclude => "the table choice",
        OptionName::IntoExisting => "“Load into tables that already exist”",
        OptionName::Append => "“Allow adding rows to target tables that are not empty”",
        OptionName::Replace => "“Replace the rows of these tables”",
        OptionName::Conventions => "“Storage convention”",
        OptionName::Type => "a column’s type override",
        OptionName::OnBadValue => "the choice for bad values",
        OptionName::Epoch => "a column’s epoch unit",
        OptionName::ColumnTimezone => "a column’s own time zone",
        OptionName::Promote => "the Promote job",
        OptionName::AdminEmail => "“Admin email”",
        OptionName::UsersTable => "“Users table”",
        OptionName::EmailColumn => "the users table’s email column",
        OptionName::UsernameColumn => "the users table’s username column",
        OptionName::PasswordColumn => "the users table’s password column",
        OptionName::OwnerColumn => "the owner column",
        OptionName::FillUpdatedAt => "“Set empty updated_at-style columns to the migration time”",
        OptionName::Shared => "the Owned/Shared switch under “Who owns what”",
        OptionName::KeepGlobalUniques => "“Keep uniques global”",
        OptionName::RowLevelSecurity => "“Row-level security”",
        OptionName::TargetProfile => "“The app will run on”",
        OptionName::Distribute => "the Citus distribution (command line: --distribute)",
        OptionName::ExtractUser => "the Extract job",
        OptionName::Bundle => "the bundle folder",
    };
    words.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A label in quotes is a field's label on the page: renaming the field fails here.
    #[test]
    fn quoted_labels_are_the_pages_own() {
        let page = include_str!("../ui/index.html");
        let page = page.replace("<code>", "").replace("</code>", "");
        for option in OptionName::ALL {
            let words = label(*option);
            if let Some(quoted) = words.strip_prefix('“').and_then(|w| w.strip_suffix('”')) {
                assert!(
                    page.contains(quoted),
                    "{option:?}: no field “{quoted}” on the page"
                );
            }
        }
    }

    #[test]
    fn the_page_names_its_fields_not_flags() {
        let e = Error::bad_option(
            OptionName::UsersTable,
            format!("{} x: no such table", OptionName::UsersTable.mention()),
        );
        let ui = UiError::from(&e);
        assert_eq!(ui.message, "“Users table” x: no such table");
        assert_eq!(ui.option, Some(OptionName::UsersTable));
    }

    #[test]
    fn passwords_never_reach_the_page() {
        let e = Error::bad_input("cannot use postgres://app:hunter2@db/x");
        let ui = UiError::from(&e);
        assert!(!ui.message.contains("hunter2"), "{}", ui.message);
        assert_eq!(ui.kind, ErrorKind::BadInput);
    }

    #[test]
    fn causes_become_details() {
        let e = ferry_engine::error::io_error(
            "cannot save the report",
            "/nowhere/r.json",
            std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied by test"),
        );
        let ui = UiError::from(&e);
        assert!(ui.message.contains("/nowhere/r.json"), "{}", ui.message);
        assert_eq!(ui.details, ["denied by test"]);
    }
}
