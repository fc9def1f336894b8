//! Evidence from existing rows: the form each stored value of a SQLite column is in, and what
//! a column's sample says about how its app writes it.
//!
//! An existing SQLite file is the best witness of its app's storage: the rows its framework
//! wrote are in the form that framework reads back and, above all, looks up (Django binds a
//! UUID as 32 hex digits in every filter; an exact datetime filter compares text). The planner
//! samples at most [`SAMPLE_PER_COLUMN`] non-NULL values of each column whose kind has several
//! forms and asks [`judge`]: rows that all agree decide that column's write form; rows that
//! disagree are a warning naming the forms, and the convention's rule applies.

use std::collections::BTreeMap;

use crate::model::catalog::ColumnType;
use crate::model::conventions::{BoolForm, Fraction, Storage, UuidForm, Zone};
use crate::model::value::SqliteValue;

/// How many non-NULL values of a column are looked at (half the newest rows, half the oldest:
/// an app upgraded from one form to another shows both). Planning stays cheap.
pub const SAMPLE_PER_COLUMN: usize = 100;

/// A value kind whose SQLite storage has several forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Datetime,
    Date,
    Uuid,
    Bool,
    Decimal,
}

impl Kind {
    /// The kind of the values a source column of type `source` writes into an existing SQLite
    /// column of type `target`, when that kind has more than one stored form.
    pub fn of(source: &ColumnType, target: &ColumnType) -> Option<Kind> {
        use ColumnType as T;
        match (source, target) {
            (T::Uuid, T::Uuid | T::Varchar { .. } | T::Char { .. } | T::Text | T::Bytes) => {
                Some(Kind::Uuid)
            }
            (T::Timestamp | T::TimestampTz, T::Timestamp | T::TimestampTz) => Some(Kind::Datetime),
            (T::Date, T::Date) => Some(Kind::Date),
            (T::Bool, T::Bool) => Some(Kind::Bool),
            (T::Numeric { .. }, T::Numeric { .. }) => Some(Kind::Decimal),
            _ => None,
        }
    }
}

/// What the zone part of a datetime text says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SeenZone {
    Naive,
    Z,
    /// `+00:00`.
    Utc,
    /// Any other offset: the app wrote local times with their offset.
    OtherOffset,
}

/// The form one stored value is in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Form {
    Datetime {
        separator: char,
        digits: u8,
        zone: SeenZone,
    },
    Date,
    UuidHyphenated,
    UuidHex32,
    UuidBlob16,
    BoolInteger,
    BoolTf,
    BoolTrueFalse,
    Number,
    DecimalText,
    /// An integer in a datetime column: Prisma ≤ 6's milliseconds since 1970 (docs/frameworks.md,
    /// "Prisma"), or another epoch.
    EpochInteger,
    /// None of the kind's forms: the storage class (`text`, `real`, …).
    Other(&'static str),
}

impl Form {
    /// The form of `v`, a stored value of a column of kind `kind`.
    pub fn of(kind: Kind, v: &SqliteValue) -> Form {
        let class = match v {
            SqliteValue::Null => "null",
            SqliteValue::Integer(_) => "integer",
            SqliteValue::Real(_) => "real",
            SqliteValue::Text(_) => "text",
            SqliteValue::Blob(_) => "blob",
        };
        let text = match v {
            SqliteValue::Text(t) => std::str::from_utf8(t).ok(),
            _ => None,
        };
        let form = match (kind, v, text) {
            (Kind::Datetime, SqliteValue::Integer(_), _) => Some(Form::EpochInteger),
            (Kind::Datetime, _, Some(t)) => datetime_form(t),
            (Kind::Date, _, Some(t)) => is_date(t).then_some(Form::Date),
            (Kind::Uuid, SqliteValue::Blob(b), _) if b.len() == 16 => Some(Form::UuidBlob16),
            (Kind::Uuid, _, Some(t)) if is_hex(t) && t.len() == 32 => Some(Form::UuidHex32),
            (Kind::Uuid, _, Some(t)) if is_hyphenated(t) => Some(Form::UuidHyphenated),
            (Kind::Bool, SqliteValue::Integer(0 | 1), _) => Some(Form::BoolInteger),
            (Kind::Bool, _, Some("t" | "f")) => Some(Form::BoolTf),
            (Kind::Bool, _, Some("true" | "false")) => Some(Form::BoolTrueFalse),
            (Kind::Decimal, SqliteValue::Integer(_) | SqliteValue::Real(_), _) => {
                Some(Form::Number)
            }
            (Kind::Decimal, _, Some(_)) => Some(Form::DecimalText),
            _ => None,
        };
        form.unwrap_or(Form::Other(class))
    }

    /// In words, for the plan and its warnings.
    pub fn describe(&self) -> String {
        match self {
            Form::Datetime {
                separator,
                digits,
                zone,
            } => {
                let frac = match digits {
                    0 => String::new(),
                    n => format!(".{}", "f".repeat(*n as usize)),
                };
                let zone = match zone {
                    SeenZone::Naive => " (naive)",
                    SeenZone::Z => "Z",
                    SeenZone::Utc => "+00:00",
                    SeenZone::OtherOffset => "±HH:MM (not UTC)",
                };
                format!("YYYY-MM-DD{separator}HH:MM:SS{frac}{zone}")
            }
            Form::Date => "YYYY-MM-DD".into(),
            Form::UuidHyphenated => "hyphenated UUID text".into(),
            Form::UuidHex32 => "32 hex digits".into(),
            Form::UuidBlob16 => "16-byte BLOB".into(),
            Form::BoolInteger => "INTEGER 1/0".into(),
            Form::BoolTf => "TEXT 't'/'f'".into(),
            Form::BoolTrueFalse => "TEXT 'true'/'false'".into(),
            Form::Number => "numbers (INTEGER/REAL)".into(),
            Form::DecimalText => "TEXT".into(),
            Form::EpochInteger => "INTEGER (epoch milliseconds, as Prisma ≤ 6 writes)".into(),
            Form::Other(class) => format!("{class} in none of the kind's forms"),
        }
    }
}

fn is_hex(t: &str) -> bool {
    t.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_hyphenated(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_date(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// `YYYY-MM-DD<sep>HH:MM:SS[.f…][Z|±HH:MM]`, or `None` for any other text.
fn datetime_form(t: &str) -> Option<Form> {
    let b = t.as_bytes();
    if b.len() < 19 || !is_date(t.get(..10)?) {
        return None;
    }
    let separator = match b[10] {
        b'T' => 'T',
        b' ' => ' ',
        _ => return None,
    };
    let clock = &b[11..19];
    let clock_ok = clock.iter().enumerate().all(|(i, c)| match i {
        2 | 5 => *c == b':',
        _ => c.is_ascii_digit(),
    });
    if !clock_ok {
        return None;
    }
    let mut rest = &t[19..];
    let mut digits = 0u8;
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 9 {
            return None;
        }
        digits = n as u8;
        rest = &frac[n..];
    }
    let zone = match rest {
        "" => SeenZone::Naive,
        "Z" | "z" => SeenZone::Z,
        "+00:00" => SeenZone::Utc,
        r if r.len() == 6
            && (r.starts_with('+') || r.starts_with('-'))
            && r.as_bytes()[3] == b':' =>
        {
            SeenZone::OtherOffset
        }
        _ => return None,
    };
    Some(Form::Datetime {
        separator,
        digits,
        zone,
    })
}

/// The forms a column's sampled values are in, with their counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    pub forms: BTreeMap<Form, usize>,
    pub total: usize,
}

impl Sample {
    pub fn of(kind: Kind, values: &[SqliteValue]) -> Sample {
        let mut s = Sample::default();
        for v in values.iter().filter(|v| !matches!(v, SqliteValue::Null)) {
            *s.forms.entry(Form::of(kind, v)).or_default() += 1;
            s.total += 1;
        }
        s
    }

    /// `YYYY-MM-DD HH:MM:SS (naive) ×40, YYYY-MM-DDTHH:MM:SS.fffZ ×60`.
    fn list(&self) -> String {
        let mut forms: Vec<(&Form, &usize)> = self.forms.iter().collect();
        forms.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        forms
            .iter()
            .map(|(f, n)| format!("{} ×{n}", f.describe()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What a column's rows say about its write form.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// No sampled value (an empty table, or NULLs only): nothing to follow.
    NoRows,
    /// The rows agree: `storage` is the write form that reproduces them (the base storage
    /// changed only where the rows say so); `form` says which form, with the counts.
    Follow { storage: Storage, form: String },
    /// The rows agree on a form the kind's writer does not produce here (the convention's
    /// form is written, and the column ends up holding two forms).
    Unwritable { form: String },
    /// The rows disagree: the forms found, with their counts.
    Mixed { forms: String },
}

/// What `sample` (of kind `kind`) says, starting from the `base` storage of the column.
pub fn judge(kind: Kind, sample: &Sample, base: &Storage) -> Verdict {
    if sample.total == 0 {
        return Verdict::NoRows;
    }
    let counted = |what: String| format!("{what} ({} of {} sampled)", sample.total, sample.total);
    let only = (sample.forms.len() == 1)
        .then(|| sample.forms.keys().next())
        .flatten();
    let mut storage = *base;
    match (kind, only) {
        (Kind::Datetime, _) => return judge_datetime(sample, base),
        (_, None) => {
            return Verdict::Mixed {
                forms: sample.list(),
            }
        }
        (Kind::Uuid, Some(f)) => {
            storage.uuid = match f {
                Form::UuidHyphenated => UuidForm::Hyphenated,
                Form::UuidHex32 => UuidForm::Hex32,
                Form::UuidBlob16 => UuidForm::Blob16,
                _ => {
                    return Verdict::Unwritable {
                        form: counted(f.describe()),
                    }
                }
            }
        }
        (Kind::Bool, Some(f)) => {
            storage.boolean = match f {
                Form::BoolInteger => BoolForm::Integer,
                Form::BoolTf => BoolForm::TextTf,
                Form::BoolTrueFalse => BoolForm::TextTrueFalse,
                _ => {
                    return Verdict::Unwritable {
                        form: counted(f.describe()),
                    }
                }
            }
        }
        // One form only is written (`YYYY-MM-DD`; decimals as the column's affinity makes
        // them): rows in it agree, rows in another are said.
        // (Ferry writes a wide decimal, or one into a TEXT-affinity column, as text.)
        (Kind::Date, Some(Form::Date))
        | (Kind::Decimal, Some(Form::Number | Form::DecimalText)) => {}
        (Kind::Date | Kind::Decimal, Some(f)) => {
            return Verdict::Unwritable {
                form: counted(f.describe()),
            }
        }
    }
    Verdict::Follow {
        storage,
        form: counted(only.map(Form::describe).unwrap_or_default()),
    }
}

fn judge_datetime(sample: &Sample, base: &Storage) -> Verdict {
    let mixed = || Verdict::Mixed {
        forms: sample.list(),
    };
    let mut separators = vec![];
    let mut zones = vec![];
    let mut digits = vec![];
    for form in sample.forms.keys() {
        let Form::Datetime {
            separator,
            digits: d,
            zone,
        } = form
        else {
            return if sample.forms.len() == 1 {
                Verdict::Unwritable {
                    form: format!(
                        "{} ({} of {} sampled)",
                        form.describe(),
                        sample.total,
                        sample.total
                    ),
                }
            } else {
                mixed()
            };
        };
        if !separators.contains(separator) {
            separators.push(*separator);
        }
        if !zones.contains(zone) {
            zones.push(*zone);
        }
        if !digits.contains(d) {
            digits.push(*d);
        }
    }
    if separators.len() != 1 || zones.len() != 1 {
        return mixed();
    }
    let zone = match zones[0] {
        SeenZone::Naive => Zone::NaiveUtc,
        SeenZone::Z => Zone::Z,
        SeenZone::Utc => Zone::Offset,
        SeenZone::OtherOffset => {
            return Verdict::Unwritable {
                form: format!(
                    "{} ({} of {} sampled)",
                    sample.list(),
                    sample.total,
                    sample.total
                ),
            }
        }
    };
    let with_zero = digits.contains(&0);
    let mut nonzero: Vec<u8> = digits.iter().copied().filter(|d| *d > 0).collect();
    nonzero.sort_unstable();
    // The base rule stays when the rows are consistent with it (rows whose fractions are all
    // non-zero cannot tell Django's "six digits when not zero" from "always six").
    let consistent = match (base.fraction, nonzero.as_slice()) {
        (Fraction::AlwaysSix, [6]) | (Fraction::AlwaysThree, [3]) => !with_zero,
        (Fraction::SixWhenNonZero, [] | [6]) | (Fraction::None, []) => true,
        // Trimmed fractions vary in length; one length of 3 or 6 digits is another rule's.
        (Fraction::Trimmed, [3] | [6]) => false,
        (Fraction::Trimmed, d) => d.iter().all(|d| *d <= 6),
        _ => false,
    };
    let fraction = match (nonzero.as_slice(), with_zero) {
        _ if consistent => base.fraction,
        // Whole seconds only: the rows cannot tell how a fraction would be written; only a
        // rule that writes digits for every value contradicts them.
        ([], _) => match base.fraction {
            Fraction::AlwaysSix => Fraction::SixWhenNonZero,
            Fraction::AlwaysThree => Fraction::Trimmed,
            other => other,
        },
        ([6], false) => Fraction::AlwaysSix,
        ([6], true) => Fraction::SixWhenNonZero,
        ([3], false) => Fraction::AlwaysThree,
        (several, _) if several.iter().all(|d| *d <= 6) && several.len() > 1 => Fraction::Trimmed,
        _ => return mixed(),
    };
    let storage = Storage {
        separator: separators[0],
        fraction,
        zone,
        ..*base
    };
    let pattern = if nonzero.is_empty() {
        Storage {
            fraction: Fraction::None,
            ..storage
        }
        .datetime_pattern()
    } else {
        storage.datetime_pattern()
    };
    Verdict::Follow {
        storage,
        form: format!("{pattern} ({} of {} sampled)", sample.total, sample.total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::conventions::{Convention, FERRY};

    fn text(t: &str) -> SqliteValue {
        SqliteValue::Text(t.as_bytes().to_vec())
    }

    fn judged(kind: Kind, values: &[SqliteValue], base: &Storage) -> Verdict {
        judge(kind, &Sample::of(kind, values), base)
    }

    #[test]
    fn djangos_rows_give_djangos_forms() {
        let rows = [
            text("2025-03-01 08:00:00.111111"),
            text("2025-04-02 10:30:00"),
            SqliteValue::Null,
        ];
        let Verdict::Follow { storage, form } = judged(Kind::Datetime, &rows, &FERRY) else {
            panic!("naive space-separated rows agree")
        };
        assert_eq!(storage.separator, ' ');
        assert_eq!(storage.zone, Zone::NaiveUtc);
        assert_eq!(storage.fraction, Fraction::SixWhenNonZero);
        assert_eq!(
            form,
            "YYYY-MM-DD HH:MM:SS[.ffffff] (naive UTC) (2 of 2 sampled)"
        );
        let uuid = judged(
            Kind::Uuid,
            &[text("5e1b984939294d8e949caf844b1a5516")],
            &FERRY,
        );
        assert!(
            matches!(&uuid, Verdict::Follow { storage, form } if storage.uuid == UuidForm::Hex32 && form == "32 hex digits (1 of 1 sampled)"),
            "{uuid:?}"
        );
    }

    #[test]
    fn prisma_and_sqlalchemy_fractions_are_told_apart() {
        let z = [
            text("2025-11-18T14:30:45.123Z"),
            text("2025-11-18T14:30:45.000Z"),
        ];
        let Verdict::Follow { storage, .. } = judged(Kind::Datetime, &z, &FERRY) else {
            panic!()
        };
        assert_eq!(
            (storage.separator, storage.fraction, storage.zone),
            ('T', Fraction::AlwaysThree, Zone::Z)
        );
        let six = [text("2025-11-18 15:30:45.000000")];
        let Verdict::Follow { storage, .. } = judged(Kind::Datetime, &six, &FERRY) else {
            panic!()
        };
        assert_eq!(storage.fraction, Fraction::AlwaysSix);
        // Whole seconds contradict SQLAlchemy's "always six digits", nothing else.
        let whole = [text("2025-11-18 15:30:45")];
        let sqlalchemy = Convention::Sqlalchemy.storage();
        let Verdict::Follow { storage, .. } = judged(Kind::Datetime, &whole, &sqlalchemy) else {
            panic!()
        };
        assert_eq!(storage.fraction, Fraction::SixWhenNonZero);
    }

    #[test]
    fn rows_consistent_with_the_convention_keep_its_rule() {
        // A fresh Django file's django_migrations: every `applied` has microseconds, which is
        // what "six digits when not zero" writes too.
        let rows = [
            text("2025-03-01 08:00:00.111111"),
            text("2025-03-01 08:00:00.222222"),
        ];
        let django = Convention::Django.storage();
        assert_eq!(
            judged(Kind::Datetime, &rows, &django),
            Verdict::Follow {
                storage: django,
                form: "YYYY-MM-DD HH:MM:SS[.ffffff] (naive UTC) (2 of 2 sampled)".into()
            }
        );
        let Verdict::Follow { storage, .. } = judged(Kind::Datetime, &rows, &FERRY) else {
            panic!()
        };
        assert_eq!(storage.fraction, Fraction::AlwaysSix);
    }

    #[test]
    fn mixed_and_unwritable_rows_are_said() {
        let rows = [
            text("2025-01-01T10:00:00+00:00"),
            text("2025-01-01 10:00:00"),
            text("2025-01-01 11:00:00"),
        ];
        assert_eq!(
            judged(Kind::Datetime, &rows, &FERRY),
            Verdict::Mixed {
                forms: "YYYY-MM-DD HH:MM:SS (naive) ×2, YYYY-MM-DDTHH:MM:SS+00:00 ×1".into()
            }
        );
        assert_eq!(
            judged(
                Kind::Datetime,
                &[SqliteValue::Integer(1_738_957_189_995)],
                &FERRY
            ),
            Verdict::Unwritable {
                form: "INTEGER (epoch milliseconds, as Prisma ≤ 6 writes) (1 of 1 sampled)".into()
            }
        );
        let bools = [text("t"), SqliteValue::Integer(1)];
        assert!(matches!(
            judged(Kind::Bool, &bools, &FERRY),
            Verdict::Mixed { .. }
        ));
        let legacy = [text("t"), text("f")];
        assert!(matches!(
            judged(Kind::Bool, &legacy, &FERRY),
            Verdict::Follow { storage, .. } if storage.boolean == BoolForm::TextTf
        ));
        assert_eq!(judged(Kind::Uuid, &[], &FERRY), Verdict::NoRows);
    }
}
