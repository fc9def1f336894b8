//! Dates, times and timestamps: parsing the forms apps write, formatting ISO-8601.
//!
//! OWNER: helper "values" (stub until then).

use crate::value::Value;

/// ISO-8601 text of a temporal value (`None` for non-temporal values).
pub fn format_value(value: &Value) -> Option<String> {
    let _ = value;
    None
}
