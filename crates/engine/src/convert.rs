//! Value conversion between SQLite storage and Ferry's typed values.
//!
//! OWNER: helper "values" (stub until then).

/// Per-column conversion settings (stub; the values helper replaces this file).
#[derive(Debug, Clone)]
pub struct ColumnRules {
    pub timezone: chrono_tz::Tz,
    pub dst: crate::temporal::DstPolicy,
    pub epoch: Option<crate::temporal::EpochUnit>,
    pub target_is_postgres: bool,
}

impl Default for ColumnRules {
    fn default() -> Self {
        ColumnRules { timezone: chrono_tz::UTC, dst: Default::default(), epoch: None, target_is_postgres: true }
    }
}
