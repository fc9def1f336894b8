use super::*;
use Dialect::{Postgres as Pg, Sqlite};

fn types(name: &str) -> Option<ColumnType> {
    Some(match name {
        "price" | "qty" => ColumnType::Numeric {
            precision: None,
            scale: None,
        },
        "n" => ColumnType::Int { bits: 64 },
        "name" | "Email" | "email" => ColumnType::Text,
        "code" => ColumnType::Varchar { max_len: Some(5) },
        "done" | "active" => ColumnType::Bool,
        "data" => ColumnType::Json { binary: true },
        "at" => ColumnType::TimestampTz,
        _ => return None,
    })
}

enum Want {
    Same,
    To(&'static str),
    Implied,
    Refused(&'static str),
}

fn check(cases: &[(&str, Want)], from: Dialect, to: Dialect) {
    for (expr, want) in cases {
        let got = translate_check(expr, from, to, &types);
        match (want, &got) {
            (Want::Same, Translation::Same(s)) => assert_eq!(s, expr),
            (Want::To(w), Translation::Translated(s)) => assert_eq!(s, w, "{expr}"),
            (Want::Implied, Translation::Implied { .. }) => {}
            (Want::Refused(part), Translation::Untranslatable { reason }) => {
                assert!(
                    reason.contains(part),
                    "{expr}: reason {reason:?} lacks {part:?}"
                )
            }
            _ => panic!("{expr} ({from:?} → {to:?}): got {got:?}"),
        }
    }
}

#[test]
fn postgres_to_sqlite() {
    use Want::*;
    let cases = [
        ("n > 0", Same),
        ("price >= 0::numeric", To("\"price\" >= 0")),
        (
            "price >= 0::numeric AND price <= 100::numeric",
            To("(\"price\" >= 0) AND (\"price\" <= 100)"),
        ),
        ("price > '-1.5'::numeric", To("\"price\" > -1.5")),
        ("name <> ''::text", To("\"name\" <> ''")),
        (
            "code::text = ANY (ARRAY['a'::character varying, 'b'::character varying]::text[])",
            To("\"code\" IN ('a', 'b')"),
        ),
        ("n = ANY (ARRAY[0, 1])", To("\"n\" IN (0, 1)")),
        ("n <> ALL (ARRAY[0, 1])", To("\"n\" NOT IN (0, 1)")),
        ("n > ANY (ARRAY[0, 1])", Refused("ANY")),
        ("char_length(name) > 2", To("length(\"name\") > 2")),
        (
            "TRIM(BOTH FROM name) <> ''::text",
            To("trim(\"name\") <> ''"),
        ),
        (
            "\"substring\"(name, 1, 2) = 'ab'::text",
            To("substr(\"name\", 1, 2) = 'ab'"),
        ),
        ("email ~~ '%@%'::text", To("\"email\" GLOB '*@*'")),
        ("email !~~ 'a_b'::text", To("\"email\" NOT GLOB 'a?b'")),
        ("email ~~ '%*%'::text", Refused("GLOB")),
        ("name IS NOT NULL", Same),
        ("lower(name) = name", Same),
        ("n::text = '1'::text", Refused("cast to text")),
        ("at > now()", Refused("timestamptz")),
        ("n > abs(-1)", Same),
        ("at > '2020-01-01'::timestamptz", Refused("timestamptz")),
        ("length(n::text) > 1", Refused("cast")),
        ("active OR n > 0", Same),
        ("name ~* 'x'", Refused("operator")),
        ("missing > 0", Refused("not a column")),
        ("E'a\\\\b' = name", Refused("prefixed")),
        ("n IN (SELECT 1)", Refused("SELECT")),
        (
            "(name || 'x'::text) = 'ax'::text",
            To("(\"name\" || 'x') = 'ax'"),
        ),
    ];
    check(&cases, Pg, Sqlite);
}

#[test]
fn sqlite_to_postgres() {
    use Want::*;
    let cases = [
        ("n > 0", Same),
        ("done IN (0,1)", Implied),
        ("done IN (1, 0)", Implied),
        ("(done = 0 OR done = 1)", Implied),
        ("done = 1 OR done = 0", Implied),
        ("done BETWEEN 0 AND 1", Implied),
        ("done IN (0, 2)", Refused("boolean")),
        ("done = 0 OR n = 1", Refused("boolean")),
        ("json_valid(data)", Implied),
        ("json_valid(name)", Refused("json_valid()")),
        ("typeof(n) = 'integer'", Refused("typeof()")),
        ("name GLOB '[a-z]*'", Refused("GLOB")),
        ("length(name) BETWEEN 1 AND 10", Same),
        ("length(n) > 1", Refused("non-text")),
        ("ifnull(price, 0) >= 0", To("coalesce(\"price\", 0) >= 0")),
        ("[n] > 0", To("\"n\" > 0")),
        ("`n` == 0", To("\"n\" = 0")),
        ("Email LIKE '%@%'", To("\"Email\" LIKE '%@%'")),
        ("email LIKE '%@%.com'", Refused("case")),
        ("code IN ('a', 'b')", Same),
        ("n || 'x' + 1 = 1", To("((\"n\" || 'x') + 1) = 1")),
        ("price * qty < 1000 AND price >= 0", Same),
        ("CAST(n AS TEXT) = '1'", Refused("CAST")),
        ("\"unknown\" = 1", Refused("not a column")),
        ("n > 0x10", Refused("number")),
        ("strftime('%Y', at) > '2000'", Refused("strftime()")),
        ("n = 1 = 1", Refused("chained")),
        ("at > 0", Refused("timestamptz")),
    ];
    check(&cases, Sqlite, Pg);
}

#[test]
fn same_dialect_is_untouched() {
    assert_eq!(
        translate_check("typeof(x) = 'y'", Sqlite, Sqlite, &types),
        Translation::Same("typeof(x) = 'y'".into())
    );
}
