//! Dates, times and timestamps: parsing the forms apps write, formatting ISO-8601.
//!
//! OWNER: helper "values" (stub until then).

use crate::value::Value;

/// ISO-8601 text of a temporal value (`None` for non-temporal values).
pub fn format_value(value: &Value) -> Option<String> {
    let _ = value;
    None
}

/// How naive wall-clock readings that fall into a DST transition are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DstPolicy {
    pub gap: GapPolicy,
    pub fold: FoldPolicy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GapPolicy {
    #[default]
    Reject,
    ShiftForward,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FoldPolicy {
    #[default]
    Reject,
    Earlier,
    Later,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpochUnit {
    Seconds,
    Milliseconds,
}
