//! Exit codes: the one place that turns an outcome into the number a script sees.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success (committed, dry run verified, databases equal, plan without blocking findings) |
//! | 1 | verification failed: the target differs from the source; nothing was committed |
//! | 2 | bad input or usage (clap's errors too), blocking preflight findings, `--yes` missing |
//! | 3 | a database could not be reached, or something failed while running |
//! | 4 | cancelled (Ctrl-C); nothing was committed |
//!
//! The engine classifies its errors with [`ErrorKind`]; this module only maps kinds to codes,
//! so the CLI and the app agree on what counts as whose fault.

use ferry_engine::report::Outcome;
use ferry_engine::ErrorKind;

/// Shown after `ferry --help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  verification failed (the target differs; nothing was committed)
  2  bad input or usage, or blocking preflight findings
  3  connection or runtime error
  4  cancelled (Ctrl-C); nothing was committed";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Success = 0,
    VerificationFailed = 1,
    BadInput = 2,
    Runtime = 3,
    Cancelled = 4,
}

impl Code {
    pub fn for_kind(kind: ErrorKind) -> Code {
        match kind {
            ErrorKind::BadInput => Code::BadInput,
            ErrorKind::Connection | ErrorKind::Runtime => Code::Runtime,
            ErrorKind::Verification => Code::VerificationFailed,
            ErrorKind::Cancelled => Code::Cancelled,
        }
    }

    /// For a report the engine returned as a success: the outcome still decides, so a
    /// report that says "verification failed" can never exit 0.
    pub fn for_outcome(outcome: Outcome) -> Code {
        match outcome {
            Outcome::Committed | Outcome::RolledBack | Outcome::Planned | Outcome::Verified => {
                Code::Success
            }
            Outcome::VerificationFailed => Code::VerificationFailed,
            Outcome::Failed => Code::Runtime,
            Outcome::Cancelled => Code::Cancelled,
        }
    }

    pub fn as_i32(self) -> i32 {
        self as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_documented_code() {
        let cases = [
            (ErrorKind::BadInput, 2),
            (ErrorKind::Verification, 1),
            (ErrorKind::Connection, 3),
            (ErrorKind::Runtime, 3),
            (ErrorKind::Cancelled, 4),
        ];
        for (kind, code) in cases {
            assert_eq!(Code::for_kind(kind).as_i32(), code, "{kind:?}");
            assert!(
                EXIT_CODES_HELP.contains(&format!("  {code}  ")),
                "{code} is documented"
            );
        }
    }
}
