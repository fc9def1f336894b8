//! Understanding a PostgreSQL column type as a [`ColumnType`].
//!
//! Built-in types are recognised by their fixed OIDs (stable across every PostgreSQL version,
//! see `pg_type.dat`), never by name, so a user type called `uuid` in another schema is not
//! mistaken for the real one. Type modifiers are decoded the way PostgreSQL encodes them
//! (`atttypmod` = declared value + 4, `numeric` packs precision and scale). Anything Ferry
//! does not interpret becomes `Opaque` with PostgreSQL's own spelling (`format_type`), which
//! moves the value as its text form.

use std::collections::HashMap;

use postgres::types::Oid;

use crate::model::catalog::ColumnType;

/// The `pg_type` facts about one column, as the column query returns them.
#[derive(Clone)]
pub(crate) struct TypeInfo {
    pub oid: Oid,
    pub typmod: i32,
    /// `b` base, `e` enum, `d` domain, `c` composite, `r` range, …
    pub typtype: String,
    /// `A` for arrays.
    pub category: String,
    pub elem_oid: Oid,
    pub elem_typtype: Option<String>,
    /// `format_type(typelem, atttypmod)`: the element type as PostgreSQL spells it.
    pub elem_formatted: Option<String>,
    /// `format_type(atttypid, atttypmod)`.
    pub formatted: String,
}

pub(crate) struct EnumType {
    pub name: String,
    pub labels: Vec<String>,
}

/// The column type, plus a note for the table when the mapping is worth reporting.
pub(crate) fn resolve_type(
    info: &TypeInfo,
    enums: &HashMap<Oid, EnumType>,
) -> (ColumnType, Option<String>) {
    if info.category == "A" && info.elem_oid != 0 {
        let element = TypeInfo {
            oid: info.elem_oid,
            typmod: info.typmod,
            typtype: info.elem_typtype.clone().unwrap_or_default(),
            category: String::new(),
            elem_oid: 0,
            elem_typtype: None,
            elem_formatted: None,
            formatted: info
                .elem_formatted
                .clone()
                .unwrap_or_else(|| info.formatted.clone()),
        };
        let (element, note) = resolve_type(&element, enums);
        if let ColumnType::Opaque { .. } = element {
            // An array of something uninterpreted moves whole as text, not element by element.
            return (
                ColumnType::Opaque {
                    name: info.formatted.clone(),
                },
                note,
            );
        }
        return (
            ColumnType::Array {
                element: Box::new(element),
            },
            note,
        );
    }
    match info.typtype.as_str() {
        "e" => {
            if let Some(e) = enums.get(&info.oid) {
                return (
                    ColumnType::Enum {
                        name: e.name.clone(),
                        labels: e.labels.clone(),
                    },
                    None,
                );
            }
        }
        "d" => {
            let note = format!(
                "domain {} is moved as its text form; create the domain in the target or map the column",
                info.formatted
            );
            return (
                ColumnType::Opaque {
                    name: info.formatted.clone(),
                },
                Some(note),
            );
        }
        _ => {}
    }
    (
        builtin(info.oid, info.typmod).unwrap_or_else(|| ColumnType::Opaque {
            name: info.formatted.clone(),
        }),
        None,
    )
}

/// Declared length from a `varchar`/`bpchar` typmod (`-1` = unconstrained).
fn length(typmod: i32) -> Option<u32> {
    (typmod >= 4).then(|| (typmod - 4) as u32)
}

fn builtin(oid: Oid, typmod: i32) -> Option<ColumnType> {
    Some(match oid {
        16 => ColumnType::Bool,
        21 => ColumnType::Int { bits: 16 },
        23 => ColumnType::Int { bits: 32 },
        20 => ColumnType::Int { bits: 64 },
        700 => ColumnType::Float { bits: 32 },
        701 => ColumnType::Float { bits: 64 },
        1700 => numeric(typmod)?,
        25 => ColumnType::Text,
        1043 => ColumnType::Varchar {
            max_len: length(typmod),
        },
        // A bare `bpchar` (no length) is blank-padded text of any length: not `char(n)`.
        1042 => ColumnType::Char {
            len: length(typmod)?,
        },
        17 => ColumnType::Bytes,
        2950 => ColumnType::Uuid,
        1082 => ColumnType::Date,
        // time(p)/timestamp(p): the precision is kept in declared_type only; values of a
        // lower precision fit the default (6) exactly.
        1083 => ColumnType::Time,
        1114 => ColumnType::Timestamp,
        1184 => ColumnType::TimestampTz,
        114 => ColumnType::Json { binary: false },
        3802 => ColumnType::Json { binary: true },
        _ => return None,
    })
}

/// `numeric(p,s)` typmod: `((p << 16) | s) + 4`, `-1` when unconstrained. PostgreSQL 15
/// allows a negative scale (stored in 11 bits), which Ferry leaves opaque.
fn numeric(typmod: i32) -> Option<ColumnType> {
    if typmod < 4 {
        return Some(ColumnType::Numeric {
            precision: None,
            scale: None,
        });
    }
    let packed = typmod - 4;
    let precision = (packed >> 16) & 0xffff;
    let raw_scale = packed & 0x7ff;
    let scale = if raw_scale & 0x400 != 0 {
        raw_scale - 0x800
    } else {
        raw_scale
    };
    if scale < 0 {
        return None;
    }
    Some(ColumnType::Numeric {
        precision: Some(precision as u32),
        scale: Some(scale as u32),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typmods_decode() {
        assert_eq!(
            numeric(-1),
            Some(ColumnType::Numeric {
                precision: None,
                scale: None
            })
        );
        assert_eq!(
            numeric((12 << 16 | 2) + 4),
            Some(ColumnType::Numeric {
                precision: Some(12),
                scale: Some(2)
            })
        );
        assert_eq!(
            numeric((5 << 16) + 4),
            Some(ColumnType::Numeric {
                precision: Some(5),
                scale: Some(0)
            })
        );
        assert_eq!(numeric((5 << 16 | 0x7fe) + 4), None, "negative scale -2");
        assert_eq!(length(-1), None);
        assert_eq!(length(14), Some(10));
    }
}
