//! Issue 11, point 5: PostgreSQL domains map as their base type (with the domain's NOT NULL and
//! CHECK as the column's), so a sample schema with domains, an enum, arrays, tsvector, bytea,
//! a partitioned table, a view and a trigger goes PostgreSQL → SQLite → PostgreSQL with equal
//! content; a type the target lacks is a plan finding, never a failure at CREATE TABLE.
use crate::common::*;
use ferry_engine::finding::{Policy, Remedy};
use ferry_engine::options::{ColumnRef, ColumnSetting};
use ferry_engine::report::Outcome;
use ferry_engine::ErrorKind;

const TABLES: [&str; 3] = ["film", "language", "payment"];

#[test]
fn a_sample_schema_with_domains_goes_to_sqlite_and_back_with_equal_content() {
    let source = TestDb::new();
    let mut s = source.client();
    s.batch_execute(&fixture("sample_film_pg.sql")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("film.db");
    let there = migrate_ok(&options(pg(&source), sqlite(&file)));
    assert_eq!(there.outcome, Outcome::Committed);

    // The domain's rules hold in SQLite: its CHECKs and NOT NULL became the column's.
    let conn = rusqlite::Connection::open(&file).unwrap();
    let film_sql: String = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'film'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    for (values, why) in [
        ("'x', 1800, NULL", "year's CHECK"),
        ("'x', 2006, 2100", "short_year's own CHECK"),
        ("'x', 2006, 2155", "short_year's base (year) CHECK"),
        ("'', 2006, NULL", "nonempty_text's CHECK"),
        ("NULL, 2006, NULL", "nonempty_text's NOT NULL"),
    ] {
        let insert = format!(
            "INSERT INTO film (title, release_year, remake_year, language_id, rental_rate, fulltext, last_update)
             VALUES ({values}, 1, 1, 'a:1', '2022-01-01T00:00:00Z')"
        );
        assert!(
            conn.execute(&insert, []).is_err(),
            "{why} is not enforced in SQLite:\n{film_sql}"
        );
    }
    drop(conn);

    let back = TestDb::new();
    let again = migrate_ok(&options(sqlite(&file), pg(&back)));
    assert_eq!(again.outcome, Outcome::Committed);
    let mut b = back.client();
    for table in TABLES {
        assert_eq!(
            table_fingerprint(&mut b, table),
            table_fingerprint(&mut s, table),
            "{table} differs after PostgreSQL → SQLite → PostgreSQL"
        );
    }
    // At least the base type comes back, with the domain's rules as the column's.
    let types: Vec<(String, String, bool)> = b
        .query(
            "SELECT attname::text, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute
             WHERE attrelid = 'film'::regclass AND attname IN ('title', 'release_year', 'remake_year', 'rental_rate', 'rating', 'fulltext', 'scores', 'award_years')
             ORDER BY attname",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let t = |n: &str, ty: &str, nn: bool| (n.to_string(), ty.to_string(), nn);
    assert_eq!(
        types,
        [
            t("award_years", "integer[]", false),
            t("fulltext", "tsvector", true),
            t("rating", "mpaa_rating", false),
            t("release_year", "integer", false),
            t("remake_year", "integer", false),
            t("rental_rate", "numeric(5,2)", true),
            t("scores", "integer[]", false),
            t("title", "text", true),
        ]
    );
    let bad_year = b.batch_execute(
        "INSERT INTO film (title, release_year, language_id, fulltext) VALUES ('x', 1800, 1, 'a:1')",
    );
    let err = bad_year.expect_err("the year CHECK is back in PostgreSQL");
    assert_eq!(
        err.code(),
        Some(&postgres::error::SqlState::CHECK_VIOLATION),
        "{err}"
    );
}

#[test]
fn a_domain_column_goes_to_a_database_without_the_domain() {
    let source = TestDb::new();
    let mut s = source.client();
    s.batch_execute(&fixture("sample_film_pg.sql")).unwrap();
    let target = TestDb::new();
    migrate_ok(&options(pg(&source), pg(&target)));
    let mut t = target.client();
    for table in TABLES {
        assert_eq!(
            table_fingerprint(&mut t, table),
            table_fingerprint(&mut s, table),
            "{table}"
        );
    }
}

#[test]
fn a_declared_type_the_target_lacks_is_a_finding_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    // Hints as an older Ferry wrote them for a domain and an enum, and a type from an
    // extension the target does not have.
    let src = sqlite_from_sql(
        dir.path(),
        "old.db",
        "CREATE TABLE film (id INTEGER PRIMARY KEY, release_year TEXT /* pg:year */,
                            rating TEXT /* pg:mpaa_rating */, title TEXT /* pg:citext */, fulltext TSVECTOR);
         INSERT INTO film VALUES (1, '2006', 'PG', 'Academy', '''a'':1');",
    );
    let db = TestDb::new();
    let err = migrate(&options(sqlite(&src), pg(&db))).expect_err("the types do not exist");
    assert_eq!(err.error.kind(), ErrorKind::BadInput);
    let mut found: Vec<(String, String, Vec<Remedy>)> = err
        .report
        .findings
        .iter()
        .filter(|f| f.kind == "unknown_type")
        .map(|f| {
            assert!(f.is_blocking());
            // The table's rows, though `migrate` otherwise leaves counting them to the copy.
            assert_eq!(f.count, 1, "{:?}", f.column);
            (
                f.column.clone().unwrap(),
                f.message.clone(),
                f.remedies.clone(),
            )
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let expect = |c: &str, ty: &str| {
        (
            c.to_string(),
            format!("declared as {ty}, a type the target database does not have"),
            vec![
                Remedy::Policy {
                    table: "film".into(),
                    column: c.into(),
                    policy: Policy::AsText,
                },
                Remedy::TypeOverride {
                    table: "film".into(),
                    column: c.into(),
                    type_name: None,
                },
                Remedy::CreateType { name: ty.into() },
            ],
        )
    };
    assert_eq!(
        found,
        [
            expect("rating", "mpaa_rating"),
            expect("release_year", "year"),
            expect("title", "citext"),
        ],
        "tsvector exists in every PostgreSQL, so it is no finding"
    );
    assert!(pg_tables(&mut db.client()).is_empty(), "nothing written");

    // Both choices the remedy names work.
    let mut o = options(sqlite(&src), pg(&db));
    let column = |c: &str| ColumnRef::parse(&format!("film.{c}")).unwrap();
    o.column_policies = ["release_year", "rating"]
        .iter()
        .map(|c| ColumnSetting {
            column: column(c),
            value: ferry_engine::finding::Policy::AsText,
        })
        .collect();
    o.type_overrides = vec![ColumnSetting {
        column: column("title"),
        value: "text".to_string(),
    }];
    migrate_ok(&o);
    let row: (String, String, String) = db
        .client()
        .query_one("SELECT release_year, rating, fulltext::text FROM film", &[])
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .unwrap();
    assert_eq!(row, ("2006".into(), "PG".into(), "'a':1".into()));
}
