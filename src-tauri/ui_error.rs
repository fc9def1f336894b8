//! Errors as the page shows them: a sentence a person can act on, a tone, and the details
//! (the chain of causes) behind a disclosure. Every string passes through the engine's
//! `mask_secrets`, so a password in a URL never reaches the page.

use ferry_engine::location::mask_secrets;
use ferry_engine::{Error, ErrorKind};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct UiError {
    /// `bad_input`, `connection`, `verification`, `cancelled`, `runtime`.
    pub kind: ErrorKind,
    /// One or two sentences: what went wrong and what to do.
    pub message: String,
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
            message: mask_secrets(&error.to_string()),
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
            details: vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
