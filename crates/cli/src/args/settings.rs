//! The value parsers clap calls for `TABLE.COLUMN=VALUE` settings, zones, bad-value policies
//! and conventions. Only glue: the spellings themselves are parsed by the engine
//! (`options::values`), their one home.

use ferry_engine::finding::Policy;
use ferry_engine::options::values;
use ferry_engine::options::ColumnSetting;
use ferry_engine::temporal::EpochUnit;

use super::OnBadValue;

/// A value that can follow `TABLE.COLUMN=`.
pub trait SettingValue: Sized {
    fn parse_value(text: &str) -> Result<Self, String>;
}

// The values themselves are parsed by the engine (`options::values`), the one home of those
// spellings; this trait only lets clap call the right parser for each flag.
impl SettingValue for chrono_tz::Tz {
    fn parse_value(text: &str) -> Result<Self, String> {
        values::parse_zone(text)
    }
}

impl SettingValue for EpochUnit {
    fn parse_value(text: &str) -> Result<Self, String> {
        text.parse()
    }
}

impl SettingValue for String {
    fn parse_value(text: &str) -> Result<Self, String> {
        values::parse_type_name(text)
    }
}

impl SettingValue for Policy {
    fn parse_value(text: &str) -> Result<Self, String> {
        text.parse()
    }
}

pub(super) fn parse_zone(text: &str) -> Result<chrono_tz::Tz, String> {
    values::parse_zone(text)
}

/// Parses `TABLE.COLUMN=VALUE` (see `ColumnSetting::parse_with`).
pub(super) fn parse_setting<T: SettingValue>(text: &str) -> Result<ColumnSetting<T>, String> {
    ColumnSetting::parse_with(text, T::parse_value)
}

pub(super) fn parse_bad_value(text: &str) -> Result<OnBadValue, String> {
    if values::split_assignment(text).is_some() {
        parse_setting::<Policy>(text).map(OnBadValue::Column)
    } else {
        Policy::parse_value(text).map(OnBadValue::Default)
    }
}

/// A `--conventions` value, parsed by the engine (one list of names).
pub(super) fn parse_convention(
    text: &str,
) -> Result<ferry_engine::conventions::Convention, String> {
    ferry_engine::conventions::Convention::parse(text).map_err(|e| e.to_string())
}
