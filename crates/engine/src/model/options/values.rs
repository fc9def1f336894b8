//! Parsing the values of options, the one place it happens: the CLI's flags and the app's
//! form fields are different spellings of the same choices, so both front ends call these and
//! put only the option's name in their own words (`--source-timezone`, "Source time zone").
//!
//! Every parser returns the sentence to show after the option's name.

use std::str::FromStr;

use crate::model::finding::Policy;
use crate::model::options::{ColumnRef, ColumnSetting, HashScheme};
use crate::model::temporal::{EpochUnit, FoldPolicy, GapPolicy};

/// An IANA time zone name (`UTC`, `Europe/Paris`).
///
/// # Errors
/// The sentence for a name that is not one.
pub fn parse_zone(text: &str) -> Result<chrono_tz::Tz, String> {
    text.trim().parse::<chrono_tz::Tz>().map_err(|_| {
        format!("'{text}' is not a time zone name (IANA names such as UTC, Europe/Paris, America/New_York)")
    })
}

impl FromStr for EpochUnit {
    type Err = String;

    /// `s`, `sec`, `seconds` / `ms`, `millis`, `milliseconds` (any case).
    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "s" | "sec" | "secs" | "second" | "seconds" => Ok(EpochUnit::Seconds),
            "ms" | "millis" | "millisecond" | "milliseconds" => Ok(EpochUnit::Milliseconds),
            _ => Err(format!("'{text}' is not an epoch unit (seconds or ms)")),
        }
    }
}

impl FromStr for Policy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Policy::parse(text)
            .ok_or_else(|| format!("'{text}' is not a policy (stop, null, skip or text)"))
    }
}

impl FromStr for HashScheme {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "bcrypt" => Ok(HashScheme::Bcrypt),
            "argon2id" | "argon2" => Ok(HashScheme::Argon2id),
            _ => Err(format!(
                "'{text}' is not a password hash (bcrypt or argon2id)"
            )),
        }
    }
}

impl FromStr for GapPolicy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "reject" => Ok(GapPolicy::Reject),
            "shift-forward" => Ok(GapPolicy::ShiftForward),
            _ => Err(format!(
                "'{text}' is not a DST gap policy (reject or shift-forward)"
            )),
        }
    }
}

impl FromStr for FoldPolicy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "reject" => Ok(FoldPolicy::Reject),
            "earlier" => Ok(FoldPolicy::Earlier),
            "later" => Ok(FoldPolicy::Later),
            _ => Err(format!(
                "'{text}' is not a DST fold policy (reject, earlier or later)"
            )),
        }
    }
}

/// A column type name for `--type` (kept as written; the planner judges it).
///
/// # Errors
/// An empty name.
pub fn parse_type_name(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        Err("the type after '=' is empty".into())
    } else {
        Ok(text.to_string())
    }
}

impl<T> ColumnSetting<T> {
    /// `TABLE.COLUMN=VALUE`, split at the first `=` outside double quotes so quoted names may
    /// contain `=` and `.`; the value parsed by `value`.
    ///
    /// # Errors
    /// The sentence for a setting without `=`, a bad column reference or a bad value.
    pub fn parse_with(
        text: &str,
        value: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<ColumnSetting<T>, String> {
        let (column, v) =
            split_assignment(text).ok_or_else(|| format!("'{text}' is not TABLE.COLUMN=VALUE"))?;
        let column = ColumnRef::parse(column).map_err(|e| e.to_string())?;
        Ok(ColumnSetting {
            column,
            value: value(v)?,
        })
    }
}

impl<T: FromStr<Err = String>> FromStr for ColumnSetting<T> {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        ColumnSetting::parse_with(text, str::parse)
    }
}

/// `(before, after)` the first `=` outside double quotes.
pub fn split_assignment(text: &str) -> Option<(&str, &str)> {
    let mut in_quotes = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            '=' if !in_quotes => return Some((&text[..i], &text[i + 1..])),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_front_ends_spellings_parse() {
        for s in ["s", "sec", "seconds", "Seconds"] {
            assert_eq!(s.parse::<EpochUnit>(), Ok(EpochUnit::Seconds), "{s}");
        }
        for s in ["ms", "millis", "milliseconds"] {
            assert_eq!(s.parse::<EpochUnit>(), Ok(EpochUnit::Milliseconds), "{s}");
        }
        assert_eq!(
            "minutes".parse::<EpochUnit>(),
            Err("'minutes' is not an epoch unit (seconds or ms)".to_string())
        );
        assert_eq!("shift_forward".parse(), Ok(GapPolicy::ShiftForward));
        assert_eq!("shift-forward".parse(), Ok(GapPolicy::ShiftForward));
        assert_eq!("argon2id".parse(), Ok(HashScheme::Argon2id));
        assert_eq!(parse_zone("Europe/Paris"), Ok(chrono_tz::Europe::Paris));
        assert!(parse_zone("Mars/Olympus")
            .unwrap_err()
            .contains("not a time zone name"));
    }

    #[test]
    fn settings_split_outside_quotes() {
        let s: ColumnSetting<EpochUnit> = "tasks.due=ms".parse().unwrap();
        assert_eq!(
            (s.column.table.as_str(), s.column.column.as_str(), s.value),
            ("tasks", "due", EpochUnit::Milliseconds)
        );
        let s = ColumnSetting::parse_with("\"a=b\".c=numeric(12,2)", parse_type_name).unwrap();
        assert_eq!(
            (s.column.table.as_str(), s.value.as_str()),
            ("a=b", "numeric(12,2)")
        );
        assert_eq!(
            "tasks.due".parse::<ColumnSetting<EpochUnit>>().err(),
            Some("'tasks.due' is not TABLE.COLUMN=VALUE".to_string())
        );
    }
}
