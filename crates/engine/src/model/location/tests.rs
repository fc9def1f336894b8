//! Parsing and resolution tables; the environment is a map handed to `parse_with`, never the
//! process's own.

use super::*;
use std::collections::HashMap;

fn parse_in(text: &str, vars: &[(&str, &str)], socket: bool) -> Result<(Location, Vec<String>)> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let var = move |name: &str| vars.get(name).cloned();
    let exists = move |p: &Path| socket && p.starts_with(DEFAULT_SOCKET_DIR);
    parse_with(
        text,
        &Env {
            var: &var,
            exists: &exists,
        },
    )
}

fn pg(text: &str, vars: &[(&str, &str)]) -> PgLocation {
    match parse_in(text, vars, false) {
        Ok((Location::Postgres(pg), _)) => pg,
        other => panic!("{text}: {other:?}"),
    }
}

const OS: &[(&str, &str)] = &[("USER", "osuser")];

/// (input, host, port, user, password, database, sslmode)
type Row = (
    &'static str,
    &'static str,
    u16,
    &'static str,
    Option<&'static str>,
    &'static str,
    SslMode,
);

#[test]
fn postgres_forms_resolve_like_libpq() {
    use SslMode::*;
    let rows: &[Row] = &[
        (
            "postgres://",
            "localhost",
            5432,
            "osuser",
            None,
            "osuser",
            Prefer,
        ),
        (
            "postgres://u:p@h:6543/db",
            "h",
            6543,
            "u",
            Some("p"),
            "db",
            Prefer,
        ),
        (
            "postgresql://u%40corp:p%40ss%3Aw%2Frd@db.example.com/my%20db?sslmode=require",
            "db.example.com",
            5432,
            "u@corp",
            Some("p@ss:w/rd"),
            "my db",
            Require,
        ),
        (
            "postgres://[::1]:5433/x",
            "::1",
            5433,
            "osuser",
            None,
            "x",
            Prefer,
        ),
        (
            "postgres://u@/db?host=/var/run/postgresql",
            "/var/run/postgresql",
            5432,
            "u",
            None,
            "db",
            Prefer,
        ),
        (
            "postgres:///db?host=%2Ftmp&port=6000&user=a&password=b&dbname=c",
            "/tmp",
            6000,
            "a",
            Some("b"),
            "c",
            Prefer,
        ),
        (
            "postgres://h/db?sslmode=verify-full",
            "h",
            5432,
            "osuser",
            None,
            "db",
            VerifyFull,
        ),
        (
            "host=h port=5433 dbname=d user=u password='a b' sslmode=require",
            "h",
            5433,
            "u",
            Some("a b"),
            "d",
            Require,
        ),
        (
            r"host=h password='it\'s\\'",
            "h",
            5432,
            "osuser",
            Some(r"it's\"),
            "osuser",
            Prefer,
        ),
        (
            "user=u sslmode=disable",
            "localhost",
            5432,
            "u",
            None,
            "u",
            Disable,
        ),
        (
            "host=h sslmode=verify-ca",
            "h",
            5432,
            "osuser",
            None,
            "osuser",
            VerifyCa,
        ),
    ];
    for &(text, host, port, user, password, database, sslmode) in rows {
        let got = pg(text, OS);
        assert_eq!(
            (
                got.host.as_str(),
                got.port,
                got.user.as_str(),
                got.password.as_deref(),
                got.database.as_str(),
                got.sslmode
            ),
            (host, port, user, password, database, sslmode),
            "{text}"
        );
    }
}

#[test]
fn other_parameters() {
    let got = pg(
        "postgres://h/db?sslrootcert=/ca.pem&application_name=my%20app&connect_timeout=3&options=-c%20search_path%3Dx",
        OS,
    );
    assert_eq!(got.ssl_root_cert, Some(PathBuf::from("/ca.pem")));
    assert_eq!(got.application_name.as_deref(), Some("my app"));
    assert_eq!(got.connect_timeout_secs, Some(3));
    assert_eq!(got.options.as_deref(), Some("-c search_path=x"));
    assert_eq!(
        pg("host=h fallback_application_name=fb", OS)
            .application_name
            .as_deref(),
        Some("fb")
    );
    assert_eq!(
        pg("host=h application_name=a fallback_application_name=fb", OS)
            .application_name
            .as_deref(),
        Some("a")
    );
}

#[test]
fn environment_fills_what_is_missing() {
    let env = &[
        ("USER", "osuser"),
        ("PGHOST", "envhost"),
        ("PGPORT", "6000"),
        ("PGUSER", "envuser"),
        ("PGPASSWORD", "envpass"),
        ("PGDATABASE", "envdb"),
        ("PGSSLMODE", "require"),
        ("PGSSLROOTCERT", "/env/ca.pem"),
        ("PGAPPNAME", "envapp"),
        ("PGCONNECT_TIMEOUT", "7"),
    ];
    let all = pg("postgres://", env);
    assert_eq!(
        (
            all.host.as_str(),
            all.port,
            all.user.as_str(),
            all.password.as_deref(),
            all.database.as_str(),
            all.sslmode
        ),
        (
            "envhost",
            6000,
            "envuser",
            Some("envpass"),
            "envdb",
            SslMode::Require
        )
    );
    assert_eq!(all.ssl_root_cert, Some(PathBuf::from("/env/ca.pem")));
    assert_eq!(all.application_name.as_deref(), Some("envapp"));
    assert_eq!(all.connect_timeout_secs, Some(7));

    // What was typed beats the environment.
    let typed = pg(
        "postgres://u:p@h:1/d?sslmode=disable&application_name=a&connect_timeout=2",
        env,
    );
    assert_eq!(
        (
            typed.host.as_str(),
            typed.port,
            typed.user.as_str(),
            typed.password.as_deref(),
            typed.database.as_str(),
            typed.sslmode
        ),
        ("h", 1, "u", Some("p"), "d", SslMode::Disable)
    );
    assert_eq!(typed.application_name.as_deref(), Some("a"));
    assert_eq!(typed.connect_timeout_secs, Some(2));

    // The database defaults to the user name, the user to the OS user.
    assert_eq!(pg("host=h", &[("USER", "me")]).database, "me");
    assert_eq!(
        pg("host=h", &[("USER", "me"), ("PGUSER", "them")]).database,
        "them"
    );
}

#[test]
fn default_host_is_the_socket_when_it_exists() {
    let with_socket = |text: &str| match parse_in(text, OS, true).unwrap().0 {
        Location::Postgres(pg) => pg,
        other => panic!("{other:?}"),
    };
    assert_eq!(with_socket("postgres:///db").host, DEFAULT_SOCKET_DIR);
    assert!(with_socket("postgres:///db").is_unix_socket());
    assert_eq!(pg("postgres:///db", OS).host, "localhost");
    assert_eq!(with_socket("postgres://h/db").host, "h");
}

#[test]
fn bad_input_is_named() {
    let cases = [
        ("", &[][..], "no database location"),
        ("postgres://h1,h2/db", OS, "one host"),
        ("host=h1,h2", OS, "one host"),
        (
            "postgres:///db",
            &[("USER", "u"), ("PGHOST", "a,b")][..],
            "one host",
        ),
        ("postgres://h:99999/db", OS, "bad port \"99999\""),
        ("postgres://h:0/db", OS, "bad port \"0\""),
        ("host=h port=x", OS, "bad port: a port is a number"),
        ("postgres://u:s3cret", OS, "reads the password as the port"),
        (
            "postgres:///u:s3cret@h/db",
            OS,
            "holds an unescaped '@' or '/'",
        ),
        (
            "postgres://h/db",
            &[("USER", "u"), ("PGPORT", "nope")][..],
            "bad PGPORT: a port is a number",
        ),
        (
            "postgres://h/db?sslmode=maybe",
            OS,
            "unknown sslmode \"maybe\"",
        ),
        ("postgres://h/db?sslmode=allow", OS, "not supported"),
        (
            "postgres://h/db",
            &[("USER", "u"), ("PGSSLMODE", "bogus")][..],
            "unknown PGSSLMODE",
        ),
        (
            "postgres://h/db?connect_timeout=soon",
            OS,
            "not a number of seconds",
        ),
        (
            "postgres://h/db?sslcert=/c.pem",
            OS,
            "unknown connection parameter \"sslcert\"",
        ),
        (
            "host=h port=1 frob=2",
            OS,
            "unknown connection parameter \"frob\"",
        ),
        ("mysql://u:secret@h/db", OS, "mysql:// is not supported"),
        ("postgres:h/db", OS, "is not a PostgreSQL URL"),
        ("sqlite:", OS, "no file path"),
        ("postgres://h/db", &[][..], "the OS user is unknown"),
    ];
    for (text, env, want) in cases {
        let err = parse_in(text, env, false).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::BadInput, "{text}");
        let msg = err.to_string();
        assert!(msg.contains(want), "{text}: {msg}");
        assert!(!msg.contains("secret"), "{text}: {msg}");
    }
}

#[test]
fn sqlite_forms() {
    let cases = [
        ("app.db", "app.db"),
        ("./data/app.sqlite3", "./data/app.sqlite3"),
        ("/abs/app.db", "/abs/app.db"),
        ("sqlite:app.db", "app.db"),
        ("sqlite://relative/app.db", "relative/app.db"),
        ("sqlite:///abs/app.db", "/abs/app.db"),
        ("data=1.db", "data=1.db"),
        ("C:\\Users\\me\\app.db", "C:\\Users\\me\\app.db"),
    ];
    for (text, want) in cases {
        match parse_in(text, OS, false).unwrap().0 {
            Location::Sqlite { path } => assert_eq!(path, PathBuf::from(want), "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
    let loc = Location::parse("sqlite:///abs/app.db").unwrap();
    assert!(loc.is_sqlite());
    assert_eq!(loc.display(), "sqlite:/abs/app.db");
}

#[test]
fn display_masks_the_password_and_shows_what_matters() {
    let cases = [
        ("postgres://u:secret@h/db", "postgres://u:***@h:5432/db"),
        ("postgres://u@h:6543/db?sslmode=require", "postgres://u@h:6543/db?sslmode=require"),
        ("postgres://u@[::1]/db", "postgres://u@[::1]:5432/db"),
        ("postgres://u@/db?host=/var/run/postgresql&port=5433", "postgres://u@/db?host=/var/run/postgresql&port=5433"),
        ("host=h user=u%x dbname='my db' password=s", "postgres://u%25x:***@h:5432/my%20db"),
        (
            "postgres://u@h/db?sslmode=verify-full&sslrootcert=/ca.pem&application_name=a%20b&connect_timeout=3",
            "postgres://u@h:5432/db?sslmode=verify-full&sslrootcert=/ca.pem&application_name=a%20b&connect_timeout=3",
        ),
    ];
    for (text, want) in cases {
        let (loc, _) = parse_in(text, OS, false).unwrap();
        assert_eq!(loc.display(), want, "{text}");
    }
    for secret in ["p@ss", "a:b/c", "sp ace", "qu'ote", "pct%41", "secret"] {
        let url = format!("postgres://u:{}@h/db", conninfo::encode(secret));
        let (loc, _) = parse_in(&url, OS, false).unwrap();
        match &loc {
            Location::Postgres(pg) => assert_eq!(pg.password.as_deref(), Some(secret)),
            other => panic!("{other:?}"),
        }
        let shown = loc.display();
        assert!(
            !shown.contains(secret) && !shown.contains(&conninfo::encode(secret)),
            "{shown}"
        );
        // Debug output is for developers, but the display is what errors carry.
        let err = crate::Error::Connection {
            location: shown,
            message: "x".into(),
            source: None,
        };
        assert!(!err.to_string().contains(secret));
    }
}

#[cfg(unix)]
#[test]
fn password_comes_from_pgpass_when_not_given() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pass");
    std::fs::write(&file, "h:5432:db:u:from-file\n*:*:*:*:fallback\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let file_str = file.to_str().unwrap();
    let home = dir.path().to_str().unwrap();
    std::fs::copy(&file, dir.path().join(".pgpass")).unwrap();
    std::fs::set_permissions(
        dir.path().join(".pgpass"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();

    let env = [("USER", "u"), ("PGPASSFILE", file_str)];
    assert_eq!(
        pg("postgres://u@h/db", &env).password.as_deref(),
        Some("from-file")
    );
    assert_eq!(
        pg("postgres://u@h/other", &env).password.as_deref(),
        Some("fallback")
    );
    assert_eq!(
        pg("postgres://u:typed@h/db", &env).password.as_deref(),
        Some("typed")
    );
    let with_env_pw = [
        ("USER", "u"),
        ("PGPASSFILE", file_str),
        ("PGPASSWORD", "env"),
    ];
    assert_eq!(
        pg("postgres://u@h/db", &with_env_pw).password.as_deref(),
        Some("env")
    );
    // ~/.pgpass when PGPASSFILE is unset.
    assert_eq!(
        pg("postgres://u@h/db", &[("USER", "u"), ("HOME", home)])
            .password
            .as_deref(),
        Some("from-file")
    );

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (loc, warnings) = parse_in("postgres://u@h/db", &env, false).unwrap();
    match loc {
        Location::Postgres(pg) => assert_eq!(pg.password, None),
        other => panic!("{other:?}"),
    }
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].contains("group or world access"),
        "{warnings:?}"
    );
}

#[test]
fn bundles_are_named_or_recognised_by_their_manifest() {
    let named = |text: &str| match parse_in(text, OS, false) {
        Ok((Location::Bundle { dir }, _)) => dir,
        other => panic!("{text}: {other:?}"),
    };
    assert_eq!(named("bundle:./export"), PathBuf::from("./export"));
    assert_eq!(named("bundle:///abs/export"), PathBuf::from("/abs/export"));
    assert!(parse_in("bundle:", OS, false).is_err());

    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().to_string_lossy().into_owned();
    assert!(
        matches!(parse_in(&text, OS, false), Ok((Location::Sqlite { .. }, _))),
        "a folder without a manifest is not a bundle"
    );
    std::fs::write(dir.path().join("manifest.json"), "{}").unwrap();
    assert_eq!(named(&text), dir.path());
    assert_eq!(
        Location::Bundle {
            dir: PathBuf::from("out")
        }
        .display(),
        "bundle:out"
    );
}
