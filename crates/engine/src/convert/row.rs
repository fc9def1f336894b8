//! Turning source rows into target values, with the user's policies applied.
//!
//! One converter serves the preflight (which only looks), the copy (which writes what it
//! returns) and the verifier (which digests what it returns), so the three can never
//! disagree about what a value becomes.

use crate::convert::{self, ColumnRules, Problem};
use crate::model::catalog::ColumnType;
use crate::model::finding::Policy;
use crate::model::value::{SqliteValue, Value};

/// How one target column gets its value: from the next source column of the row read, or a
/// constant (a plan's fill value).
#[derive(Debug, Clone)]
pub struct ColumnConverter {
    /// Written as is instead of a source value; such columns are not read from the source.
    pub constant: Option<Value>,
    /// Written instead of a NULL the source holds (a job's "NULL becomes this" rule).
    pub null_becomes: Option<Value>,
    pub target: String,
    pub target_ty: ColumnType,
    /// The type the source reader decodes the column as (PostgreSQL sources).
    pub source_ty: ColumnType,
    pub rules: ColumnRules,
    pub policy: Policy,
    pub nullable: bool,
    /// The target is SQLite: the value must also have a faithful stored form.
    pub to_sqlite: bool,
}

/// What happened to one row.
#[derive(Debug)]
pub enum RowOutcome {
    Row(Vec<Value>),
    /// Left out by a `skip-row` policy.
    Skipped,
    /// Not convertible and no policy covers it.
    Failed,
}

/// A problem with one value, and the policy that resolved it, if any.
#[derive(Debug, Clone)]
pub struct ValueProblem {
    pub column: usize,
    pub problem: Problem,
    pub resolved_by: Option<Policy>,
}

#[derive(Debug, Clone)]
pub struct RowConverter {
    pub columns: Vec<ColumnConverter>,
}

impl RowConverter {
    pub fn types(&self) -> Vec<&ColumnType> {
        self.columns.iter().map(|c| &c.target_ty).collect()
    }

    /// Converts a row read from SQLite. The row holds one value per non-constant column, in
    /// order (readers may append key columns for reporting; those are not used here).
    pub fn convert_sqlite(
        &self,
        raw: &[SqliteValue],
        problems: &mut Vec<ValueProblem>,
    ) -> RowOutcome {
        self.convert_with(problems, |i, c| {
            if c.policy == Policy::AsText {
                stringify(&raw[i], &c.rules)
            } else {
                convert::from_sqlite(&raw[i], &c.target_ty, &c.rules)
            }
        })
    }

    /// [`Self::convert_sqlite`] for a row the caller no longer needs: text and blobs keep
    /// their buffers.
    pub fn convert_sqlite_owned(
        &self,
        mut raw: Vec<SqliteValue>,
        problems: &mut Vec<ValueProblem>,
    ) -> RowOutcome {
        self.convert_with(problems, |i, c| {
            if c.policy == Policy::AsText {
                stringify(&raw[i], &c.rules)
            } else {
                let v = std::mem::replace(&mut raw[i], SqliteValue::Null);
                convert::from_sqlite_owned(v, &c.target_ty, &c.rules)
            }
        })
    }

    /// [`Self::convert_sqlite_owned`] that also leaves in `stored` the row's SQLite stored
    /// forms (a SQLite target's converter computes them anyway, to prove each value has a
    /// faithful one): the copy writes those instead of converting every value a second time.
    /// `stored` is cleared first and is complete only for a [`RowOutcome::Row`], once
    /// [`Self::move_into_stored`] has moved that row's text and bytes in.
    pub fn convert_sqlite_owned_stored(
        &self,
        mut raw: Vec<SqliteValue>,
        problems: &mut Vec<ValueProblem>,
        stored: &mut Vec<SqliteValue>,
    ) -> RowOutcome {
        self.convert_storing(problems, Some(stored), |i, c| {
            if c.policy == Policy::AsText {
                stringify(&raw[i], &c.rules)
            } else {
                let v = std::mem::replace(&mut raw[i], SqliteValue::Null);
                convert::from_sqlite_owned(v, &c.target_ty, &c.rules)
            }
        })
    }

    /// [`Self::convert_pg_owned`] with the stored forms, as [`Self::convert_sqlite_owned_stored`].
    pub fn convert_pg_owned_stored(
        &self,
        mut raw: Vec<Value>,
        problems: &mut Vec<ValueProblem>,
        stored: &mut Vec<SqliteValue>,
    ) -> RowOutcome {
        self.convert_storing(problems, Some(stored), |i, c| {
            pg_value(std::mem::replace(&mut raw[i], Value::Null), c)
        })
    }

    /// Converts a row read from PostgreSQL (values typed as the source columns).
    pub fn convert_pg(&self, raw: &[Value], problems: &mut Vec<ValueProblem>) -> RowOutcome {
        self.convert_pg_owned(raw.to_vec(), problems)
    }

    /// [`Self::convert_pg`] for a row the caller no longer needs: values that keep their
    /// type are moved, not copied (the copy and the verifier convert every row).
    pub fn convert_pg_owned(
        &self,
        mut raw: Vec<Value>,
        problems: &mut Vec<ValueProblem>,
    ) -> RowOutcome {
        self.convert_with(problems, |i, c| {
            pg_value(std::mem::replace(&mut raw[i], Value::Null), c)
        })
    }

    fn convert_with(
        &self,
        problems: &mut Vec<ValueProblem>,
        one: impl FnMut(usize, &ColumnConverter) -> Result<Value, Problem>,
    ) -> RowOutcome {
        self.convert_storing(problems, None, one)
    }

    /// The stored forms [`Self::convert_storing`] left out of `stored` (NULL placeholders for
    /// text, JSON and bytes, whose stored form is their own buffer): moved in from the row's
    /// values, which the caller is done with (digested).
    pub fn move_into_stored(&self, row: Vec<Value>, stored: &mut [SqliteValue]) {
        for ((v, form), c) in row.into_iter().zip(stored.iter_mut()).zip(&self.columns) {
            if form.is_null()
                && !v.is_null()
                && convert::stored_by_move(&v, &c.target_ty, &c.rules.storage)
            {
                // `stored_by_move` promises the move cannot fail.
                if let Ok(moved) = convert::into_sqlite(v, &c.target_ty) {
                    *form = moved;
                }
            }
        }
    }

    /// Converts one row; with `stored`, also keeps each value's SQLite stored form (a NULL for
    /// a value a policy made NULL), as computed by the check every SQLite-bound value passes,
    /// except for the values [`Self::move_into_stored`] moves in afterwards.
    fn convert_storing(
        &self,
        problems: &mut Vec<ValueProblem>,
        mut stored: Option<&mut Vec<SqliteValue>>,
        mut one: impl FnMut(usize, &ColumnConverter) -> Result<Value, Problem>,
    ) -> RowOutcome {
        if let Some(stored) = stored.as_deref_mut() {
            stored.clear();
        }
        let mut out = Vec::with_capacity(self.columns.len());
        let mut failed = false;
        let mut skipped = false;
        let mut raw_index = 0;
        for (i, c) in self.columns.iter().enumerate() {
            let value = match &c.constant {
                Some(v) => Ok(v.clone()),
                None => {
                    raw_index += 1;
                    one(raw_index - 1, c)
                }
            };
            let value = match (value, &c.null_becomes) {
                (Ok(Value::Null), Some(replacement)) => Ok(replacement.clone()),
                (other, _) => other,
            };
            let result = value.and_then(|v| {
                let form = if v.is_null() {
                    SqliteValue::Null
                } else if c.to_sqlite && convert::stored_by_move(&v, &c.target_ty, &c.rules.storage)
                {
                    // Its stored form is its own text or bytes, which no check refuses:
                    // moved in by `move_into_stored` once the row is digested, not copied.
                    convert::survives_affinity(&v, &c.target_ty, c.rules.numeric_affinity)?;
                    SqliteValue::Null
                } else if c.to_sqlite {
                    let form = convert::to_sqlite_as(&v, &c.target_ty, &c.rules.storage)?;
                    convert::survives_affinity(&v, &c.target_ty, c.rules.numeric_affinity)?;
                    form
                } else if stored.is_some() {
                    // Not checked for SQLite (a converter for PostgreSQL): the stored form
                    // still comes from the one rule that writes it.
                    convert::to_sqlite_as(&v, &c.target_ty, &c.rules.storage)?
                } else {
                    SqliteValue::Null
                };
                Ok((v, form))
            });
            match result {
                Ok((v, form)) => {
                    out.push(v);
                    if let Some(stored) = stored.as_deref_mut() {
                        stored.push(form);
                    }
                }
                Err(problem) => {
                    let resolved_by = match c.policy {
                        Policy::Null if c.nullable => Some(Policy::Null),
                        Policy::SkipRow => Some(Policy::SkipRow),
                        _ => None,
                    };
                    if let Some(stored) = stored.as_deref_mut() {
                        stored.push(SqliteValue::Null);
                    }
                    match resolved_by {
                        Some(Policy::Null) => out.push(Value::Null),
                        Some(_) => {
                            skipped = true;
                            out.push(Value::Null);
                        }
                        None => {
                            failed = true;
                            out.push(Value::Null);
                        }
                    }
                    problems.push(ValueProblem {
                        column: i,
                        problem,
                        resolved_by,
                    });
                }
            }
        }
        if failed {
            RowOutcome::Failed
        } else if skipped {
            RowOutcome::Skipped
        } else {
            RowOutcome::Row(out)
        }
    }
}

/// One PostgreSQL source value as the target column's value.
fn pg_value(v: Value, c: &ColumnConverter) -> Result<Value, Problem> {
    if let Some(result) = duration_as_micros(&v, c) {
        result
    } else if c.source_ty == c.target_ty {
        Ok(v)
    } else {
        // Through SQLite's stored form: the same rules as a SQLite source, so a
        // PostgreSQL value lands in a differently typed column exactly as it would
        // have from the SQLite file Ferry would write for it.
        let stored = convert::to_sqlite(&v, &c.source_ty)?;
        convert::from_sqlite(&stored, &c.target_ty, &c.rules)
    }
}

/// A PostgreSQL interval bound for a SQLite file whose convention holds durations as
/// microseconds (Django's DurationField): into an integer column, the microseconds; into
/// Ferry's own `INTERVAL` column, the interval as PostgreSQL prints those microseconds
/// (`76:05:06`, what the file's integer reads back as), so the digests of both sides agree.
/// `None` when that rule does not apply.
fn duration_as_micros(v: &Value, c: &ColumnConverter) -> Option<Result<Value, Problem>> {
    use crate::model::conventions::DurationForm;
    let Value::Opaque(text) = v else {
        return None;
    };
    if c.rules.target_is_postgres
        || c.rules.storage.duration != DurationForm::Micros
        || !matches!(&c.source_ty, ColumnType::Opaque { name } if name == "interval")
    {
        return None;
    }
    let micros = convert::duration::interval_text_to_micros(text);
    match &c.target_ty {
        ColumnType::Int { bits: 64 } => Some(micros.map(Value::Int)),
        ColumnType::Opaque { name } if name == "interval" => {
            Some(micros.map(|m| Value::Opaque(convert::duration::micros_to_interval_text(m))))
        }
        _ => None,
    }
}

/// The `as-text` policy: every value's text form, as SQLite itself would print it.
fn stringify(raw: &SqliteValue, rules: &ColumnRules) -> Result<Value, Problem> {
    match raw {
        SqliteValue::Null => Ok(Value::Null),
        SqliteValue::Integer(i) => Ok(Value::Text(i.to_string())),
        SqliteValue::Real(f) => Ok(Value::Text(if f.fract() == 0.0 && f.abs() < 1e15 {
            format!("{f:.1}")
        } else {
            format!("{f}")
        })),
        other => convert::from_sqlite(other, &ColumnType::Text, rules),
    }
}

/// A row's identity for findings and diffs: `id=42` or `(a=1, b='x')`.
pub fn describe_key(names: &[String], values: &[String]) -> String {
    let parts: Vec<String> = names
        .iter()
        .zip(values)
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    if parts.len() == 1 {
        parts.into_iter().next().unwrap_or_default()
    } else {
        format!("({})", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converter(null_becomes: Option<Value>) -> RowConverter {
        RowConverter {
            columns: vec![ColumnConverter {
                constant: None,
                null_becomes,
                target: "updated_at".into(),
                target_ty: ColumnType::TimestampTz,
                source_ty: ColumnType::Any,
                rules: ColumnRules::default(),
                policy: Policy::Stop,
                nullable: true,
                to_sqlite: false,
            }],
        }
    }

    /// The copy's stored rows (the check's forms, text and bytes moved in after the digest)
    /// are exactly what storing each converted value on its own gives, under every convention.
    #[test]
    fn stored_rows_are_each_values_stored_form() {
        use crate::model::conventions::Convention;
        let cases: Vec<(ColumnType, Value)> = vec![
            (ColumnType::Text, Value::Text("héllo".into())),
            (
                ColumnType::Varchar { max_len: Some(9) },
                Value::Text("ok".into()),
            ),
            (
                ColumnType::Json { binary: true },
                Value::Json(r#"{"b": 1, "a": [2]}"#.into()),
            ),
            (ColumnType::Json { binary: false }, Value::Json("42".into())),
            (ColumnType::Bytes, Value::Bytes(vec![0, 159, 255])),
            (ColumnType::Int { bits: 64 }, Value::Int(-7)),
            (ColumnType::Bool, Value::Bool(true)),
            (
                ColumnType::TimestampTz,
                Value::TimestampTz(1_700_000_000_000_000),
            ),
            (ColumnType::Uuid, Value::Uuid(uuid::Uuid::from_u128(7))),
            (ColumnType::Text, Value::Null),
        ];
        for convention in Convention::ALL {
            let storage = convention.storage();
            let columns = cases
                .iter()
                .map(|(ty, _)| ColumnConverter {
                    constant: None,
                    null_becomes: None,
                    target: "c".into(),
                    target_ty: ty.clone(),
                    source_ty: ty.clone(),
                    rules: ColumnRules {
                        storage,
                        target_is_postgres: false,
                        ..ColumnRules::default()
                    },
                    policy: Policy::Stop,
                    nullable: true,
                    to_sqlite: true,
                })
                .collect();
            let converter = RowConverter { columns };
            let raw: Vec<Value> = cases.iter().map(|(_, v)| v.clone()).collect();
            let (mut problems, mut stored) = (vec![], vec![]);
            let RowOutcome::Row(values) =
                converter.convert_pg_owned_stored(raw, &mut problems, &mut stored)
            else {
                panic!("{convention:?}: {problems:?}");
            };
            converter.move_into_stored(values.clone(), &mut stored);
            let expected: Vec<SqliteValue> = values
                .iter()
                .zip(&cases)
                .map(|(v, (ty, _))| match v {
                    Value::Null => SqliteValue::Null,
                    v => convert::to_sqlite_as(v, ty, &storage).unwrap(),
                })
                .collect();
            assert_eq!(stored, expected, "{convention:?}");
        }
    }

    #[test]
    fn null_becomes_replaces_only_nulls() {
        let mut problems = vec![];
        let filled = converter(Some(Value::TimestampTz(42)));
        let row = |c: &RowConverter, v: SqliteValue, p: &mut Vec<ValueProblem>| match c
            .convert_sqlite(&[v], p)
        {
            RowOutcome::Row(values) => values,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            row(&filled, SqliteValue::Null, &mut problems),
            [Value::TimestampTz(42)]
        );
        assert_eq!(
            row(
                &filled,
                SqliteValue::Text(b"1970-01-01T00:00:01Z".to_vec()),
                &mut problems
            ),
            [Value::TimestampTz(1_000_000)]
        );
        assert_eq!(
            row(&converter(None), SqliteValue::Null, &mut problems),
            [Value::Null]
        );
        assert!(problems.is_empty());
    }
}
