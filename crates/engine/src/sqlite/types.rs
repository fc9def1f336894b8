//! From SQLite declared types (and Ferry's `pg:` hints) to [`ColumnType`].
//!
//! SQLite accepts any text as a column type and only derives an *affinity* from it; apps write
//! whatever their ORM or habit suggests (`varchar2(60)`, `unsigned big int`, `DATETIME`).
//! [`parse_declared_type`] recognises the names people actually write, then falls back to
//! SQLite's own affinity rules ([`affinity`]) so that an unknown name means what SQLite thinks it
//! means. [`parse_pg_type`] reads the PostgreSQL spelling Ferry writes into `/* pg:… */` hints,
//! which is what lets PostgreSQL → SQLite → PostgreSQL give back the same types.

use crate::model::catalog::ColumnType;

/// SQLite's column affinity (section 3.1 of "Datatypes In SQLite").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affinity {
    Integer,
    Text,
    Blob,
    Real,
    Numeric,
}

/// The affinity SQLite gives a declared type, by its five substring rules, in order.
pub fn affinity(declared: &str) -> Affinity {
    let u = declared.to_ascii_uppercase();
    if u.contains("INT") {
        Affinity::Integer
    } else if u.contains("CHAR") || u.contains("CLOB") || u.contains("TEXT") {
        Affinity::Text
    } else if u.contains("BLOB") || u.trim().is_empty() {
        Affinity::Blob
    } else if u.contains("REAL") || u.contains("FLOA") || u.contains("DOUB") {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

/// PostgreSQL-only type names (what Ferry declares for `Opaque` columns, and what people
/// copying PostgreSQL DDL write); matched on the base name before any `(…)`.
const PG_ONLY: &[&str] = &[
    "interval",
    "inet",
    "cidr",
    "macaddr",
    "macaddr8",
    "money",
    "xml",
    "tsvector",
    "tsquery",
    "point",
    "line",
    "lseg",
    "box",
    "path",
    "polygon",
    "circle",
    "timetz",
    "time with time zone",
    "bit",
    "varbit",
    "bit varying",
    "pg_lsn",
    "pg_snapshot",
    "txid_snapshot",
    "int4range",
    "int8range",
    "numrange",
    "tsrange",
    "tstzrange",
    "daterange",
    "int4multirange",
    "int8multirange",
    "nummultirange",
    "tsmultirange",
    "tstzmultirange",
    "datemultirange",
    "oid",
    "regclass",
    "regtype",
    "xid",
    "xid8",
    "cid",
    "tid",
    "hstore",
    "citext",
    "ltree",
    "geometry",
    "geography",
    "vector",
];

/// Splits `name(args)` into the lower-cased, space-collapsed base name and the numeric args.
fn split_args(text: &str) -> (String, Option<Vec<u32>>, bool) {
    let t = text.trim();
    let (base, args) = match t.find('(') {
        Some(open) if t.ends_with(')') => (&t[..open], Some(&t[open + 1..t.len() - 1])),
        _ => (t, None),
    };
    let base = base
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let mut parsed_ok = true;
    let args = args.map(|a| {
        a.split(',')
            .filter_map(|n| {
                let n = n.trim();
                let v = n.parse::<u32>().ok();
                if v.is_none() {
                    parsed_ok = false;
                }
                v
            })
            .collect()
    });
    (base, args, parsed_ok)
}

/// Ferry's understanding of a SQLite declared type, exactly as written in `CREATE TABLE`.
pub fn parse_declared_type(declared: &str) -> ColumnType {
    let t = declared.trim();
    if t.is_empty() {
        return ColumnType::Any;
    }
    if let Some(element) = t.strip_suffix("[]") {
        return ColumnType::Array {
            element: Box::new(parse_declared_type(element)),
        };
    }
    known_name(t).unwrap_or_else(|| match affinity(t) {
        Affinity::Integer => ColumnType::Int { bits: 64 },
        Affinity::Text => ColumnType::Text,
        Affinity::Blob => ColumnType::Bytes,
        Affinity::Real => ColumnType::Float { bits: 64 },
        Affinity::Numeric => ColumnType::Numeric {
            precision: None,
            scale: None,
        },
    })
}

/// The type for a name Ferry recognises (not an array), `None` for anything else.
fn known_name(t: &str) -> Option<ColumnType> {
    let (base, args, args_ok) = split_args(t);
    let first = args.as_ref().and_then(|a| a.first().copied());
    let second = args.as_ref().and_then(|a| a.get(1).copied());
    let numeric = || ColumnType::Numeric {
        precision: first,
        scale: second,
    };
    Some(match base.as_str() {
        "integer" | "int" | "bigint" | "unsigned big int" | "signed long" | "int8" | "long"
        | "signed" | "unsigned bigint" | "bigserial" | "serial8" => ColumnType::Int { bits: 64 },
        "int4" | "mediumint" | "serial" | "serial4" => ColumnType::Int { bits: 32 },
        "smallint" | "int2" | "tinyint" | "smallserial" | "serial2" => ColumnType::Int { bits: 16 },
        "real" | "double" | "double precision" | "float" | "float8" => {
            ColumnType::Float { bits: 64 }
        }
        "float4" => ColumnType::Float { bits: 32 },
        "numeric" | "decimal" | "number" | "numeric_text" if args_ok => numeric(),
        "boolean" | "bool" => ColumnType::Bool,
        "text" | "clob" | "ntext" | "longtext" | "mediumtext" | "tinytext" | "string" => {
            ColumnType::Text
        }
        "varchar" | "varchar2" | "nvarchar" | "nvarchar2" | "character varying"
        | "varying character" | "native character" | "nchar varying"
            if args_ok =>
        {
            ColumnType::Varchar { max_len: first }
        }
        // SQLite never pads CHAR(n): mapping it to PostgreSQL char(n) would change the values.
        "char" | "character" | "nchar" if args_ok => ColumnType::Varchar { max_len: first },
        "bpchar" if args_ok => ColumnType::Char {
            len: first.unwrap_or(1),
        },
        "blob" | "bytea" | "binary" | "varbinary" | "longblob" => ColumnType::Bytes,
        "uuid" | "guid" | "uniqueidentifier" => ColumnType::Uuid,
        "date" => ColumnType::Date,
        "time" | "time without time zone" => ColumnType::Time,
        "datetime" | "timestamp" | "timestamp without time zone" | "datetime2" => {
            ColumnType::Timestamp
        }
        "timestamptz" | "timestamp with time zone" | "datetimeoffset" => ColumnType::TimestampTz,
        "json" => ColumnType::Json { binary: false },
        "jsonb" => ColumnType::Json { binary: true },
        _ => {
            let first_word = base.split(' ').next().unwrap_or("");
            if PG_ONLY.contains(&base.as_str()) || PG_ONLY.contains(&first_word) {
                ColumnType::Opaque {
                    name: normalized_lower(t),
                }
            } else {
                return None;
            }
        }
    })
}

fn normalized_lower(t: &str) -> String {
    t.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
        .replace(" (", "(")
}

/// Reads a PostgreSQL type as Ferry writes it in a `/* pg:… */` hint (`integer`, `real`,
/// `numeric(20,2)`, `enum mood('sad','ok')`, `interval`, `enum mood('a')[]`). Returns `None`
/// for text it does not understand, so a damaged hint falls back to the declared type.
pub fn parse_pg_type(text: &str) -> Option<ColumnType> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(element) = t.strip_suffix("[]") {
        return Some(ColumnType::Array {
            element: Box::new(parse_pg_type(element)?),
        });
    }
    if let Some(rest) = t.strip_prefix("enum ") {
        return parse_enum(rest.trim());
    }
    let (base, args, _) = split_args(t);
    let first = args.as_ref().and_then(|a| a.first().copied());
    Some(match base.as_str() {
        // Where PostgreSQL's names differ from SQLite's habits (`integer` is 64-bit in SQLite).
        "integer" | "int" | "int4" => ColumnType::Int { bits: 32 },
        "real" | "float4" => ColumnType::Float { bits: 32 },
        "char" | "character" | "bpchar" => ColumnType::Char {
            len: first.unwrap_or(1),
        },
        "text" => ColumnType::Text,
        // Anything else in a hint is a PostgreSQL type Ferry moves as text.
        _ => known_name(t).unwrap_or_else(|| ColumnType::Opaque {
            name: normalized_lower(t),
        }),
    })
}

/// `name('a','b''c')` → Enum.
fn parse_enum(text: &str) -> Option<ColumnType> {
    let open = text.find('(')?;
    let name = text[..open].trim().to_string();
    let inner = text[open + 1..].strip_suffix(')')?;
    let mut labels = Vec::new();
    let b = inner.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => {
                let mut label = String::new();
                let mut j = i + 1;
                loop {
                    let rest = inner.get(j..)?;
                    let q = rest.find('\'')?;
                    label.push_str(&rest[..q]);
                    j += q + 1;
                    if inner.as_bytes().get(j) == Some(&b'\'') {
                        label.push('\'');
                        j += 1;
                    } else {
                        break;
                    }
                }
                labels.push(label);
                i = j;
            }
            b',' | b' ' => i += 1,
            _ => return None,
        }
    }
    if name.is_empty() {
        return None;
    }
    Some(ColumnType::Enum { name, labels })
}

/// The hint text for a type: PostgreSQL's spelling, with enum labels spelled out.
pub fn pg_hint_text(ty: &ColumnType) -> String {
    match ty {
        ColumnType::Enum { name, labels } => {
            let quoted: Vec<String> = labels
                .iter()
                .map(|l| format!("'{}'", l.replace('\'', "''")))
                .collect();
            format!("enum {name}({})", quoted.join(","))
        }
        ColumnType::Array { element } => format!("{}[]", pg_hint_text(element)),
        other => other.pg_name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(bits: u8) -> ColumnType {
        ColumnType::Int { bits }
    }
    fn float(bits: u8) -> ColumnType {
        ColumnType::Float { bits }
    }
    fn numeric(p: Option<u32>, s: Option<u32>) -> ColumnType {
        ColumnType::Numeric {
            precision: p,
            scale: s,
        }
    }
    fn opaque(n: &str) -> ColumnType {
        ColumnType::Opaque { name: n.into() }
    }

    #[test]
    fn declared_types() {
        let varchar = |n| ColumnType::Varchar { max_len: n };
        let cases: Vec<(&str, ColumnType)> = vec![
            ("INTEGER", int(64)),
            ("int", int(64)),
            ("BIGINT", int(64)),
            ("unsigned big int", int(64)),
            ("signed long", int(64)),
            ("INT8", int(64)),
            ("LONG", int(64)),
            ("INT4", int(32)),
            ("MEDIUMINT", int(32)),
            ("SMALLINT", int(16)),
            ("INT2", int(16)),
            ("TINYINT", int(16)),
            ("REAL", float(64)),
            ("DOUBLE", float(64)),
            ("double  precision", float(64)),
            ("FLOAT", float(64)),
            ("FLOAT8", float(64)),
            ("FLOAT4", float(32)),
            ("NUMERIC", numeric(None, None)),
            ("DECIMAL(10,2)", numeric(Some(10), Some(2))),
            ("decimal(10, 2)", numeric(Some(10), Some(2))),
            ("NUMBER(8)", numeric(Some(8), None)),
            ("number", numeric(None, None)),
            ("NUMERIC_TEXT(30,4)", numeric(Some(30), Some(4))),
            ("NUMERIC_TEXT", numeric(None, None)),
            ("BOOLEAN", ColumnType::Bool),
            ("bool", ColumnType::Bool),
            ("TEXT", ColumnType::Text),
            ("CLOB", ColumnType::Text),
            ("text(100)", ColumnType::Text),
            ("VARCHAR(20)", varchar(Some(20))),
            ("varchar2(60)", varchar(Some(60))),
            ("NVARCHAR(5)", varchar(Some(5))),
            ("character varying(7)", varchar(Some(7))),
            ("VARCHAR", varchar(None)),
            ("CHAR(3)", varchar(Some(3))),
            ("CHARACTER(4)", varchar(Some(4))),
            ("BPCHAR(3)", ColumnType::Char { len: 3 }),
            ("BLOB", ColumnType::Bytes),
            ("bytea", ColumnType::Bytes),
            ("UUID", ColumnType::Uuid),
            ("guid", ColumnType::Uuid),
            ("DATE", ColumnType::Date),
            ("TIME", ColumnType::Time),
            ("DATETIME", ColumnType::Timestamp),
            ("TIMESTAMP", ColumnType::Timestamp),
            ("TIMESTAMPTZ", ColumnType::TimestampTz),
            ("timestamp with time zone", ColumnType::TimestampTz),
            ("JSON", ColumnType::Json { binary: false }),
            ("JSONB", ColumnType::Json { binary: true }),
            (
                "TEXT[]",
                ColumnType::Array {
                    element: Box::new(ColumnType::Text),
                },
            ),
            (
                "INT4[]",
                ColumnType::Array {
                    element: Box::new(int(32)),
                },
            ),
            (
                "UUID[][]",
                ColumnType::Array {
                    element: Box::new(ColumnType::Array {
                        element: Box::new(ColumnType::Uuid),
                    }),
                },
            ),
            ("", ColumnType::Any),
            ("INTERVAL", opaque("interval")),
            ("INET", opaque("inet")),
            ("CIDR", opaque("cidr")),
            ("MACADDR", opaque("macaddr")),
            ("MONEY", opaque("money")),
            ("XML", opaque("xml")),
            ("TSVECTOR", opaque("tsvector")),
            ("POINT", opaque("point")),
            ("TIMETZ", opaque("timetz")),
            ("BIT(8)", opaque("bit(8)")),
            ("BIT VARYING (8)", opaque("bit varying(8)")),
            // SQLite's affinity rules for everything else.
            ("BIGGEST INTEGER EVER", int(64)),
            ("NATIVE CHARACTER(70)", varchar(Some(70))),
            ("STRINGTEXT", ColumnType::Text),
            ("MYBLOB", ColumnType::Bytes),
            ("DOUBLE TROUBLE", float(64)),
            ("FLOATING POINT", int(64)), // "POINT" contains INT: SQLite says INTEGER, so do we
            ("MONEYBAGS", numeric(None, None)),
            ("CHARINT", int(64)),
        ];
        for (declared, want) in cases {
            assert_eq!(
                parse_declared_type(declared),
                want,
                "declared type {declared:?}"
            );
        }
    }

    #[test]
    fn pg_hints() {
        let cases: Vec<(&str, ColumnType)> = vec![
            ("integer", int(32)),
            ("smallint", int(16)),
            ("bigint", int(64)),
            ("real", float(32)),
            ("double precision", float(64)),
            ("numeric(20,2)", numeric(Some(20), Some(2))),
            ("char(3)", ColumnType::Char { len: 3 }),
            ("interval", opaque("interval")),
            ("bit(8)", opaque("bit(8)")),
            ("xml", opaque("xml")),
            (
                "enum mood('sad','ok','it''s, fine')",
                ColumnType::Enum {
                    name: "mood".into(),
                    labels: vec!["sad".into(), "ok".into(), "it's, fine".into()],
                },
            ),
            (
                "enum e()",
                ColumnType::Enum {
                    name: "e".into(),
                    labels: vec![],
                },
            ),
            (
                "enum e('a')[]",
                ColumnType::Array {
                    element: Box::new(ColumnType::Enum {
                        name: "e".into(),
                        labels: vec!["a".into()],
                    }),
                },
            ),
        ];
        for (hint, want) in cases {
            assert_eq!(parse_pg_type(hint), Some(want.clone()), "hint {hint:?}");
            assert_eq!(
                parse_pg_type(&pg_hint_text(&want)),
                Some(want),
                "rendered hint of {hint:?}"
            );
        }
        for bad in ["", "enum ('a')", "enum e('a'"] {
            assert_eq!(parse_pg_type(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn affinities() {
        let cases = [
            ("INTERVAL", Affinity::Integer),
            ("POINT", Affinity::Integer),
            ("VARCHAR(3)", Affinity::Text),
            ("NUMERIC_TEXT(30,2)", Affinity::Text),
            ("", Affinity::Blob),
            ("FLOAT4", Affinity::Real),
            ("JSONB", Affinity::Numeric),
            ("UUID", Affinity::Numeric),
        ];
        for (declared, want) in cases {
            assert_eq!(affinity(declared), want, "{declared}");
        }
    }
}
