//! A batch of rows in the terms the source produced them: what every reader hands on and
//! the row converter (`convert::row`) turns into target values.

use crate::model::value::{SqliteValue, Value};

/// A batch of rows as the source produced them.
pub enum RawBatch {
    Sqlite(Vec<Vec<SqliteValue>>),
    Pg(Vec<Vec<Value>>),
}

impl RawBatch {
    pub fn len(&self) -> usize {
        match self {
            RawBatch::Sqlite(r) => r.len(),
            RawBatch::Pg(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
