//! Random schemas with random rows, as SQL text for either dialect: types from both dialects'
//! mapping rules, keys (single, composite, identity), foreign keys with actions, defaults,
//! CHECKs, hostile names, and the edge values of each type. Seeded: the same seed gives the
//! same SQL.

/// splitmix64: small, fast and reproducible from one number.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Names people and ORMs really use, reserved words, case, quotes, spaces, unicode, SQL
/// punctuation; two that differ only in case (which SQLite cannot keep apart).
const NAMES: &[&str] = &[
    "id",
    "name",
    "Order",
    "select",
    "user",
    "naïve ✓",
    "quote\"d",
    "with space",
    "semi;colon",
    "it's",
    "MixedCase",
    "mixedcase",
    "a.b",
    "--dash",
    "日本",
    "group",
    "from",
    "x",
    "created_at",
    "table",
];

/// A fresh name; `pg`: names that differ only in case count as different (PostgreSQL keeps
/// quoted names apart, SQLite does not, so a SQLite script never has two).
fn name(rng: &mut Rng, used: &mut Vec<String>, prefix: &str, pg: bool) -> String {
    for _ in 0..4 {
        if rng.chance(40) {
            let n = rng.pick(NAMES).to_string();
            if !used.iter().any(|u| u.eq_ignore_ascii_case(&n)) || (pg && !used.contains(&n)) {
                used.push(n.clone());
                return n;
            }
        }
    }
    let n = format!("{prefix}{}", used.len());
    used.push(n.clone());
    n
}

pub fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A PostgreSQL column type and how to make its values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PgType {
    Smallint,
    Integer,
    Bigint,
    Numeric(u8, u8),
    NumericFree,
    Real,
    Double,
    Boolean,
    Text,
    Varchar(u8),
    Char(u8),
    Bytea,
    Uuid,
    Date,
    Time,
    Timestamp,
    Timestamptz,
    Jsonb,
    Json,
    TextArray,
    IntArray,
    Interval,
    Inet,
    Enum,
}

const PG_TYPES: &[PgType] = &[
    PgType::Smallint,
    PgType::Integer,
    PgType::Bigint,
    PgType::Numeric(12, 2),
    PgType::Numeric(5, 0),
    PgType::Numeric(18, 6),
    PgType::NumericFree,
    PgType::Real,
    PgType::Double,
    PgType::Boolean,
    PgType::Text,
    PgType::Varchar(20),
    PgType::Char(3),
    PgType::Bytea,
    PgType::Uuid,
    PgType::Date,
    PgType::Time,
    PgType::Timestamp,
    PgType::Timestamptz,
    PgType::Jsonb,
    PgType::Json,
    PgType::TextArray,
    PgType::IntArray,
    PgType::Interval,
    PgType::Inet,
    PgType::Enum,
];

impl PgType {
    fn sql(self) -> String {
        match self {
            PgType::Smallint => "smallint".into(),
            PgType::Integer => "integer".into(),
            PgType::Bigint => "bigint".into(),
            PgType::Numeric(p, s) => format!("numeric({p},{s})"),
            PgType::NumericFree => "numeric".into(),
            PgType::Real => "real".into(),
            PgType::Double => "double precision".into(),
            PgType::Boolean => "boolean".into(),
            PgType::Text => "text".into(),
            PgType::Varchar(n) => format!("varchar({n})"),
            PgType::Char(n) => format!("char({n})"),
            PgType::Bytea => "bytea".into(),
            PgType::Uuid => "uuid".into(),
            PgType::Date => "date".into(),
            PgType::Time => "time".into(),
            PgType::Timestamp => "timestamp".into(),
            PgType::Timestamptz => "timestamptz".into(),
            PgType::Jsonb => "jsonb".into(),
            PgType::Json => "json".into(),
            PgType::TextArray => "text[]".into(),
            PgType::IntArray => "integer[]".into(),
            PgType::Interval => "interval".into(),
            PgType::Inet => "inet".into(),
            PgType::Enum => "mood".into(),
        }
    }

    /// An edge or ordinary value as a SQL literal (never NULL).
    fn value(self, rng: &mut Rng, serial: usize) -> String {
        let s = serial as i64;
        match self {
            PgType::Smallint => rng
                .pick(&[
                    "-32768".to_string(),
                    "32767".into(),
                    "0".into(),
                    (s % 30000).to_string(),
                ])
                .clone(),
            PgType::Integer => rng
                .pick(&[
                    "-2147483648".to_string(),
                    "2147483647".into(),
                    "0".into(),
                    (s * 7919).to_string(),
                ])
                .clone(),
            PgType::Bigint => rng
                .pick(&[
                    "-9223372036854775808".to_string(),
                    "9223372036854775807".into(),
                    "0".into(),
                    (s * 1_000_000_007).to_string(),
                ])
                .clone(),
            PgType::Numeric(p, sc) => {
                let int_digits = usize::from(p - sc);
                let int: String = (0..int_digits.max(1))
                    .map(|i| char::from(b'0' + ((s as usize + i * 3) % 10) as u8))
                    .collect();
                let int = if int_digits == 0 { "0".into() } else { int };
                let frac: String = (0..usize::from(sc))
                    .map(|i| char::from(b'0' + ((s as usize * 7 + i) % 10) as u8))
                    .collect();
                let sign = if rng.chance(30) { "-" } else { "" };
                if sc == 0 {
                    format!("{sign}{int}")
                } else {
                    format!("{sign}{int}.{frac}")
                }
            }
            PgType::NumericFree => rng
                .pick(&[
                    "0",
                    "1.50",
                    "-0.000000000000000000001",
                    "123456789012345678901234567890.123456789",
                    "'NaN'",
                    "1e30",
                ])
                .to_string(),
            PgType::Real => rng
                .pick(&[
                    "0",
                    "-0",
                    "0.1",
                    "3.4028235e38",
                    "1.4e-45",
                    "'NaN'",
                    "'Infinity'",
                    "'-Infinity'",
                ])
                .to_string(),
            PgType::Double => rng
                .pick(&[
                    "0",
                    "-0",
                    "0.1",
                    "1.7976931348623157e308",
                    "4.9e-324",
                    "'NaN'",
                    "'-Infinity'",
                    "1e-310",
                ])
                .to_string(),
            PgType::Boolean => rng.pick(&["true", "false"]).to_string(),
            PgType::Text => lit(rng.pick_str(&[
                "",
                "plain",
                "it's \"quoted\"",
                "back\\slash",
                "line1\nline2\ttab",
                "café ☕ 日本語",
                "🚀 👩‍👩‍👧",
                "   spaces   ",
                "NULL",
            ])),
            PgType::Varchar(_) => lit(rng.pick_str(&["", "short", "ünïcode", "x'y"])),
            PgType::Char(_) => lit(rng.pick_str(&["", "ab", "abc", "é"])),
            PgType::Bytea => rng
                .pick(&["'\\x'", "'\\x00ff10'", "'\\xdeadbeef'", "'\\x00'"])
                .to_string(),
            PgType::Uuid => format!("'{:08x}-0000-4000-8000-{:012x}'", s, s * 31),
            PgType::Date => rng
                .pick(&[
                    "'2025-11-18'",
                    "'0001-01-01'",
                    "'1969-07-20'",
                    "'2100-02-28'",
                    "'infinity'",
                    "'0044-03-15 BC'",
                ])
                .to_string(),
            PgType::Time => rng
                .pick(&[
                    "'00:00:00'",
                    "'23:59:59.999999'",
                    "'12:30:00.5'",
                    "'24:00:00'",
                ])
                .to_string(),
            PgType::Timestamp => rng
                .pick(&[
                    "'2025-11-18 15:30:45.123456'",
                    "'1900-01-01 00:00:00'",
                    "'1970-01-01 00:00:00'",
                    "'infinity'",
                ])
                .to_string(),
            PgType::Timestamptz => rng
                .pick(&[
                    "'2025-11-18 15:30:45+01'",
                    "'1960-01-01 00:00:00.5Z'",
                    "'2038-01-19 03:14:08Z'",
                    "'-infinity'",
                ])
                .to_string(),
            PgType::Jsonb => lit(rng.pick_str(&[
                "{}",
                "[]",
                "{\"b\": 1, \"a\": [1, 2.50, \"x\"]}",
                "\"s\"",
                "null",
                "1e400",
                "{\"k\": \"\\u00e9\"}",
            ])),
            PgType::Json => lit(rng.pick_str(&[
                "{}",
                "{\"b\":1,  \"a\":2}",
                "[1, 2.50]",
                "{\"a\":1,\"a\":2}",
                "\"\\u0000\"",
            ])),
            PgType::TextArray => {
                lit(rng.pick_str(&["{}", "{a,\"b,c\",NULL}", "{\"\\\"q\\\"\"}", "{{a,b},{c,d}}"]))
            }
            PgType::IntArray => lit(rng.pick_str(&["{}", "{1,2,NULL}", "{-2147483648}"])),
            PgType::Interval => lit(rng.pick_str(&[
                "1 day 02:03:04",
                "-1 mons",
                "00:00:00.000001",
                "178000000 years",
            ])),
            PgType::Inet => lit(rng.pick_str(&["192.168.0.1/24", "::1", "10.0.0.1"])),
            PgType::Enum => lit(rng.pick_str(&["happy", "sad", "it's ok"])),
        }
    }

    fn default(self) -> Option<&'static str> {
        Some(match self {
            PgType::Smallint | PgType::Integer | PgType::Bigint => "7",
            PgType::Numeric(..) | PgType::NumericFree => "0",
            PgType::Real | PgType::Double => "1.5",
            PgType::Boolean => "true",
            PgType::Text | PgType::Varchar(_) => "'it''s'",
            PgType::Uuid => "gen_random_uuid()",
            PgType::Timestamptz => "now()",
            PgType::Date => "CURRENT_DATE",
            PgType::Jsonb => "'{}'::jsonb",
            _ => return None,
        })
    }

    fn check(self, col: &str) -> Option<String> {
        let c = quote(col);
        Some(match self {
            PgType::Smallint | PgType::Integer | PgType::Bigint => format!("{c} <> 424242"),
            PgType::Text | PgType::Varchar(_) => format!("length({c}) < 5000"),
            PgType::Numeric(..) => format!("{c} > -1e20"),
            _ => return None,
        })
    }
}

struct Column {
    name: String,
    ty: PgType,
    not_null: bool,
    identity: bool,
}

/// A generated PostgreSQL schema with its rows, as one SQL script.
pub fn pg_schema(rng: &mut Rng) -> String {
    let mut sql = String::from("CREATE TYPE mood AS ENUM ('happy', 'sad', 'it''s ok');\n");
    let mut table_names = vec![];
    // (table, key column, key type, key values) of tables a later one may reference.
    let mut parents: Vec<(String, String, PgType, Vec<String>)> = vec![];
    for t in 0..1 + rng.below(3) {
        let table = name(rng, &mut table_names, "t", true);
        let mut col_names = vec![];
        let mut cols: Vec<Column> = vec![];
        let key_kind = rng.below(5); // 0 none, 1 identity, 2 plain single, 3 composite, 4 uuid
        let mut pk: Vec<String> = vec![];
        match key_kind {
            1 => {
                let n = name(rng, &mut col_names, "c", true);
                cols.push(Column {
                    name: n.clone(),
                    ty: *rng.pick(&[PgType::Bigint, PgType::Integer]),
                    not_null: true,
                    identity: true,
                });
                pk.push(n);
            }
            2 | 4 => {
                let n = name(rng, &mut col_names, "c", true);
                let ty = if key_kind == 4 {
                    PgType::Uuid
                } else {
                    *rng.pick(&[PgType::Integer, PgType::Text, PgType::Bigint, PgType::Date])
                };
                cols.push(Column {
                    name: n.clone(),
                    ty,
                    not_null: true,
                    identity: false,
                });
                pk.push(n);
            }
            3 => {
                for _ in 0..2 {
                    let n = name(rng, &mut col_names, "c", true);
                    let ty = *rng.pick(&[PgType::Integer, PgType::Text, PgType::Smallint]);
                    cols.push(Column {
                        name: n.clone(),
                        ty,
                        not_null: true,
                        identity: false,
                    });
                    pk.push(n);
                }
            }
            _ => {}
        }
        let fk = if !parents.is_empty() && rng.chance(60) {
            let p = rng.below(parents.len());
            let n = name(rng, &mut col_names, "c", true);
            cols.push(Column {
                name: n.clone(),
                ty: parents[p].2,
                not_null: false,
                identity: false,
            });
            Some((n, p))
        } else {
            None
        };
        for _ in 0..1 + rng.below(5) {
            let n = name(rng, &mut col_names, "c", true);
            cols.push(Column {
                name: n,
                ty: *rng.pick(PG_TYPES),
                not_null: rng.chance(25),
                identity: false,
            });
        }
        let mut defs = vec![];
        for c in &cols {
            let mut d = format!("{} {}", quote(&c.name), c.ty.sql());
            if c.identity {
                d.push_str(if rng.chance(50) {
                    " GENERATED BY DEFAULT AS IDENTITY"
                } else {
                    " GENERATED ALWAYS AS IDENTITY"
                });
            } else if !pk.contains(&c.name) && rng.chance(30) {
                if let Some(def) = c.ty.default() {
                    d.push_str(&format!(" DEFAULT {def}"));
                }
            }
            if c.not_null && !pk.contains(&c.name) {
                d.push_str(" NOT NULL");
            }
            if rng.chance(20) {
                if let Some(check) = c.ty.check(&c.name) {
                    d.push_str(&format!(" CHECK ({check})"));
                }
            }
            defs.push(d);
        }
        if !pk.is_empty() {
            defs.push(format!(
                "PRIMARY KEY ({})",
                pk.iter().map(|p| quote(p)).collect::<Vec<_>>().join(", ")
            ));
        }
        if let Some((col, p)) = &fk {
            let action = rng.pick(&["NO ACTION", "CASCADE", "SET NULL", "RESTRICT"]);
            defs.push(format!(
                "FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {action}",
                quote(col),
                quote(&parents[*p].0),
                quote(&parents[*p].1)
            ));
        }
        sql.push_str(&format!(
            "CREATE TABLE {} (\n  {}\n);\n",
            quote(&table),
            defs.join(",\n  ")
        ));

        // Rows: distinct keys, FK values from the parent's keys (or NULL).
        let mut keys = vec![];
        let rows = rng.below(7);
        // Per table, not per row: explicit keys beside generated ones would collide.
        let identity_fills = rng.chance(50);
        let serial_base = t * 100;
        for r in 0..rows {
            let serial = serial_base + r + 1;
            let mut names = vec![];
            let mut values = vec![];
            for c in &cols {
                let v = if pk.contains(&c.name) {
                    if c.identity && identity_fills {
                        continue; // the identity fills it
                    }
                    key_value(c.ty, serial, pk.len() > 1 && c.name == pk[1], r)
                } else if fk.as_ref().is_some_and(|(n, _)| n == &c.name) {
                    let parent_keys = &parents[fk.as_ref().unwrap().1].3;
                    if parent_keys.is_empty() || rng.chance(20) {
                        "NULL".into()
                    } else {
                        rng.pick(parent_keys).clone()
                    }
                } else if !c.not_null && rng.chance(15) {
                    "NULL".into()
                } else {
                    c.ty.value(rng, serial)
                };
                if pk.len() == 1 && c.name == pk[0] {
                    keys.push(v.clone());
                }
                names.push(quote(&c.name));
                values.push(v);
            }
            let overriding = if cols.iter().any(|c| c.identity) && names.contains(&quote(&pk[0])) {
                " OVERRIDING SYSTEM VALUE"
            } else {
                ""
            };
            if names.is_empty() {
                sql.push_str(&format!("INSERT INTO {} DEFAULT VALUES;\n", quote(&table)));
            } else {
                sql.push_str(&format!(
                    "INSERT INTO {} ({}){overriding} VALUES ({});\n",
                    quote(&table),
                    names.join(", "),
                    values.join(", ")
                ));
            }
        }
        if pk.len() == 1 && !cols[0].identity {
            parents.push((table.clone(), pk[0].clone(), cols[0].ty, keys));
        }
    }
    sql
}

/// A distinct key value for row `r` (`second`: the second column of a composite key).
fn key_value(ty: PgType, serial: usize, second: bool, r: usize) -> String {
    let n = if second { r % 2 } else { serial };
    match ty {
        PgType::Smallint | PgType::Integer | PgType::Bigint => {
            if !second && r == 0 && ty == PgType::Bigint {
                "9223372036854775807".into()
            } else {
                n.to_string()
            }
        }
        PgType::Text => lit(&format!("k{n} é")),
        PgType::Date => format!("'2020-01-01'::date + {n}"),
        PgType::Uuid => format!("'{:08x}-1111-4000-8000-000000000000'", n),
        _ => n.to_string(),
    }
}

/// A SQLite declared type and how to make its values (only types whose round trip through
/// PostgreSQL is byte-exact by SQLite's own `quote()`: see README, "Round trips").
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LiteType {
    Integer,
    Real,
    Text,
    Blob,
    Boolean,
    Numeric,
    Varchar,
}

const LITE_TYPES: &[LiteType] = &[
    LiteType::Integer,
    LiteType::Real,
    LiteType::Text,
    LiteType::Blob,
    LiteType::Boolean,
    LiteType::Numeric,
    LiteType::Varchar,
];

impl LiteType {
    fn sql(self) -> &'static str {
        match self {
            LiteType::Integer => "INTEGER",
            LiteType::Real => "REAL",
            LiteType::Text => "TEXT",
            LiteType::Blob => "BLOB",
            LiteType::Boolean => "BOOLEAN",
            LiteType::Numeric => "NUMERIC(12,2)",
            LiteType::Varchar => "VARCHAR(20)",
        }
    }
    fn value(self, rng: &mut Rng, serial: usize) -> String {
        match self {
            LiteType::Integer => rng
                .pick(&[
                    "-9223372036854775808".to_string(),
                    "9223372036854775807".into(),
                    "0".into(),
                    serial.to_string(),
                ])
                .clone(),
            LiteType::Real => rng
                .pick(&[
                    "0.0",
                    "-0.0",
                    "0.1",
                    "1.7976931348623157e308",
                    "-4.9e-324",
                    "9e999",
                    "-9e999",
                ])
                .to_string(),
            LiteType::Text => {
                lit(rng.pick_str(&["", "plain", "it's", "line1\nline2", "🚀 👩‍👩‍👧", "  x  "]))
            }
            LiteType::Blob => rng
                .pick(&["X''", "X'00FF10'", "X'DEADBEEF'", "zeroblob(3)"])
                .to_string(),
            LiteType::Boolean => rng.pick(&["0", "1"]).to_string(),
            LiteType::Numeric => rng
                .pick(&["0", "1234567890.12", "-0.01", "99999999.99"])
                .to_string(),
            LiteType::Varchar => lit(rng.pick_str(&["", "short", "ünïcode"])),
        }
    }
}

/// A generated SQLite schema with its rows, as one SQL script.
pub fn sqlite_schema(rng: &mut Rng) -> String {
    let mut sql = String::new();
    let mut table_names = vec![];
    let mut parents: Vec<(String, String, Vec<String>)> = vec![];
    for t in 0..1 + rng.below(3) {
        let table = name(rng, &mut table_names, "t", false);
        let mut col_names = vec![];
        let mut defs = vec![];
        let mut cols: Vec<(String, LiteType, bool)> = vec![];
        let key_kind = rng.below(4); // 0 none, 1 INTEGER PRIMARY KEY, 2 AUTOINCREMENT, 3 composite
        let mut pk = vec![];
        if key_kind == 1 || key_kind == 2 {
            let n = name(rng, &mut col_names, "c", false);
            defs.push(format!(
                "{} INTEGER PRIMARY KEY{}",
                quote(&n),
                if key_kind == 2 { " AUTOINCREMENT" } else { "" }
            ));
            pk.push(n.clone());
            cols.push((n, LiteType::Integer, true));
        } else if key_kind == 3 {
            for _ in 0..2 {
                let n = name(rng, &mut col_names, "c", false);
                defs.push(format!("{} INTEGER NOT NULL", quote(&n)));
                pk.push(n.clone());
                cols.push((n, LiteType::Integer, true));
            }
        }
        let fk = if !parents.is_empty() && rng.chance(60) {
            let p = rng.below(parents.len());
            let n = name(rng, &mut col_names, "c", false);
            let action = rng.pick(&["NO ACTION", "CASCADE", "SET NULL"]);
            defs.push(format!(
                "{} INTEGER REFERENCES {} ({}) ON DELETE {action}",
                quote(&n),
                quote(&parents[p].0),
                quote(&parents[p].1)
            ));
            cols.push((n.clone(), LiteType::Integer, false));
            Some((n, p))
        } else {
            None
        };
        for _ in 0..1 + rng.below(5) {
            let n = name(rng, &mut col_names, "c", false);
            let ty = *rng.pick(LITE_TYPES);
            let not_null = rng.chance(25);
            let mut d = format!("{} {}", quote(&n), ty.sql());
            if not_null {
                d.push_str(" NOT NULL");
            }
            if rng.chance(25) {
                // SQLite takes a function call as a default only in parentheses.
                let v = ty.value(rng, 0);
                let v = if v.contains('(') { format!("({v})") } else { v };
                d.push_str(&format!(" DEFAULT {v}"));
            }
            if rng.chance(15) && ty == LiteType::Integer {
                d.push_str(&format!(" CHECK ({} <> 424242)", quote(&n)));
            }
            defs.push(d);
            cols.push((n, ty, not_null));
        }
        if key_kind == 3 {
            defs.push(format!(
                "PRIMARY KEY ({})",
                pk.iter().map(|p| quote(p)).collect::<Vec<_>>().join(", ")
            ));
        }
        sql.push_str(&format!(
            "CREATE TABLE {} (\n  {}\n);\n",
            quote(&table),
            defs.join(",\n  ")
        ));
        let mut keys = vec![];
        for r in 0..rng.below(7) {
            let serial = t * 100 + r + 1;
            let values: Vec<String> = cols
                .iter()
                .enumerate()
                .map(|(i, (n, ty, not_null))| {
                    if pk.contains(n) {
                        let v = if key_kind == 3 && i == 1 {
                            (r % 2).to_string()
                        } else if r == 0 && key_kind == 1 && rng.chance(30) {
                            "9223372036854775807".into()
                        } else {
                            serial.to_string()
                        };
                        if key_kind != 3 {
                            keys.push(v.clone());
                        }
                        v
                    } else if fk.as_ref().is_some_and(|(f, _)| f == n) {
                        let pk_values = &parents[fk.as_ref().unwrap().1].2;
                        if pk_values.is_empty() || rng.chance(20) {
                            "NULL".into()
                        } else {
                            rng.pick(pk_values).clone()
                        }
                    } else if !not_null && rng.chance(15) {
                        "NULL".into()
                    } else {
                        ty.value(rng, serial)
                    }
                })
                .collect();
            sql.push_str(&format!(
                "INSERT INTO {} VALUES ({});\n",
                quote(&table),
                values.join(", ")
            ));
        }
        if key_kind == 1 || key_kind == 2 {
            parents.push((table, pk[0].clone(), keys));
        }
    }
    sql
}
