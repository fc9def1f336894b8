//! The two spellings of a PostgreSQL connection libpq accepts — `postgres://` URLs and
//! `key=value` strings — read into one list of `(key, value)` pairs, exactly as libpq reads
//! them (percent-decoding, `[::1]`, quoting and backslash escapes), before any defaults.
//!
//! Kept apart from resolution (environment, `~/.pgpass`, defaults) so that each half can be
//! tested on its own, and so the grammar lives in one place.

use crate::{Error, Result};

/// The connection parameters Ferry understands, in the order messages list them.
pub const KNOWN_KEYS: &[&str] = &[
    "host",
    "port",
    "dbname",
    "user",
    "password",
    "sslmode",
    "sslrootcert",
    "application_name",
    "fallback_application_name",
    "connect_timeout",
    "options",
];

/// Parameters in the order they were written; a later one overrides an earlier one.
pub type Params = Vec<(String, String)>;

/// Whether `text` is a libpq key=value string (rather than a file path that happens to
/// contain `=`): it starts with `key=` and at least one key is one libpq knows.
pub fn looks_like_key_value(text: &str) -> bool {
    let t = text.trim_start();
    let key_len = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(t.len());
    if key_len == 0 || !t[key_len..].trim_start().starts_with('=') {
        return false;
    }
    match lex_key_value(text) {
        Ok(params) => params.iter().any(|(k, _)| KNOWN_KEYS.contains(&k.as_str())),
        Err(_) => true, // malformed but clearly meant as key=value: report the error
    }
}

/// Parses `host=… port=… password='a b'`: whitespace around `=` is allowed, values may be
/// single-quoted, and a backslash escapes the next character (`\'`, `\\`) in any value.
///
/// # Errors
/// `BadInput` for a missing `=`, an unterminated quote or an unknown key.
pub fn parse_key_value(text: &str) -> Result<Params> {
    let params = lex_key_value(text)?;
    for (key, _) in &params {
        check_key(key)?;
    }
    Ok(params)
}

/// The grammar of [`parse_key_value`] without judging the keys.
fn lex_key_value(text: &str) -> Result<Params> {
    let mut params = Params::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') {
            return Err(Error::bad_input(format!(
                "missing \"=\" after \"{key}\" in the connection string"
            )));
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    None => {
                        return Err(Error::bad_input(format!(
                            "unterminated quoted value for \"{key}\" in the connection string"
                        )))
                    }
                    Some('\\') => value.extend(chars.next()),
                    Some('\'') => break,
                    Some(c) => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
        }
        params.push((key, value));
    }
    Ok(params)
}

/// Parses `postgres://user:password@host:port/dbname?key=value&…` (or `postgresql://`).
///
/// # Errors
/// `BadInput` for several hosts, a bad percent-escape, an unclosed `[`, an unknown query
/// parameter.
pub fn parse_url(text: &str) -> Result<Params> {
    let rest = text
        .strip_prefix("postgresql://")
        .or_else(|| text.strip_prefix("postgres://"))
        .ok_or_else(|| {
            Error::bad_input("a PostgreSQL URL starts with postgres:// or postgresql://")
        })?;
    let mut params = Params::new();

    // Credentials end at the last '@' before the first '/' or '?' (libpq takes the first;
    // the last also reads an unescaped '@' in a password the way its author meant).
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let hostport = match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            let (user, password) = match userinfo.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (userinfo, None),
            };
            if !user.is_empty() {
                params.push(("user".into(), decode(user, "user name")?));
            }
            if let Some(p) = password {
                params.push(("password".into(), decode(p, "password")?));
            }
            &authority[at + 1..]
        }
        None => authority,
    };

    let (host, port) = split_host_port(hostport)?;
    if !host.is_empty() {
        params.push(("host".into(), decode(host, "host")?));
    }
    if let Some(port) = port.filter(|p| !p.is_empty()) {
        params.push(("port".into(), decode(port, "port")?));
    }

    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (tail, None),
    };
    let dbname = path.strip_prefix('/').unwrap_or(path);
    // `postgres:///user:pw@host/db` (a slash too many) reads as a socket connection to a
    // database named `user:pw@host/db`: refused, and the name (with its password) not echoed.
    if dbname.contains(['@', '/']) {
        return Err(Error::bad_input(
            "the database name in this URL holds an unescaped '@' or '/', so the URL is mistyped: after postgres:// come the user and password, then '@' and the host, then '/' and the database (check the slashes after postgres:)",
        ));
    }
    if !dbname.is_empty() {
        params.push(("dbname".into(), decode(dbname, "database name")?));
    }
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            Error::bad_input(format!(
                "missing \"=\" after \"{}\" in the URL's query parameters",
                super::mask_secrets(pair)
            ))
        })?;
        let key = decode(key, "parameter name")?;
        let value = decode(value, "parameter value")?;
        // libpq's JDBC compatibility: ssl=true means sslmode=require.
        if key == "ssl" && value == "true" {
            params.push(("sslmode".into(), "require".into()));
            continue;
        }
        check_key(&key)?;
        params.push((key, value));
    }
    Ok(params)
}

/// Splits `host:port`, `[v6]:port` and rejects `h1,h2`.
fn split_host_port(hostport: &str) -> Result<(&str, Option<&str>)> {
    if hostport.contains(',') {
        return Err(several_hosts(hostport));
    }
    if let Some(v6) = hostport.strip_prefix('[') {
        let close = v6
            .find(']')
            .ok_or_else(|| Error::bad_input(format!("unclosed \"[\" in host \"{hostport}\"")))?;
        let after = &v6[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => {
                return Err(Error::bad_input(format!(
                    "unexpected \"{after}\" after the IPv6 address in \"{hostport}\""
                )))
            }
        };
        return Ok((&v6[..close], port));
    }
    Ok(match hostport.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (hostport, None),
    })
}

pub fn several_hosts(hosts: &str) -> Error {
    Error::bad_input(format!(
        "several hosts given ({hosts}); Ferry connects to one host — name the primary"
    ))
}

fn check_key(key: &str) -> Result<()> {
    if KNOWN_KEYS.contains(&key) {
        Ok(())
    } else {
        Err(Error::bad_input(format!(
            "unknown connection parameter \"{key}\" (Ferry understands: {})",
            KNOWN_KEYS.join(", ")
        )))
    }
}

/// Percent-decodes one URL component; the result must be UTF-8.
fn decode(text: &str, what: &str) -> Result<String> {
    let bad = || Error::bad_input(format!("bad percent-escape in the URL's {what}"));
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3).ok_or_else(bad)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}

/// Percent-encodes a URL component for display (keeps unreserved characters).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn urls() {
        let cases: &[(&str, Params)] = &[
            ("postgres://", p(&[])),
            ("postgresql://h", p(&[("host", "h")])),
            (
                "postgres://u:p@h:6543/db",
                p(&[("user", "u"), ("password", "p"), ("host", "h"), ("port", "6543"), ("dbname", "db")]),
            ),
            (
                "postgres://u%40x:p%3A%2F%40%20%25@h/d%20b",
                p(&[("user", "u@x"), ("password", "p:/@ %"), ("host", "h"), ("dbname", "d b")]),
            ),
            ("postgres://u:a:b@h", p(&[("user", "u"), ("password", "a:b"), ("host", "h")])),
            ("postgres://[::1]:5433/db", p(&[("host", "::1"), ("port", "5433"), ("dbname", "db")])),
            ("postgres://[::1]/db", p(&[("host", "::1"), ("dbname", "db")])),
            (
                "postgres:///db?host=/var/run/postgresql&port=5433",
                p(&[("dbname", "db"), ("host", "/var/run/postgresql"), ("port", "5433")]),
            ),
            ("postgres://%2Ftmp/db", p(&[("host", "/tmp"), ("dbname", "db")])),
            ("postgres://u@/db", p(&[("user", "u"), ("dbname", "db")])),
            ("postgres://h?ssl=true", p(&[("host", "h"), ("sslmode", "require")])),
            (
                "postgres://h/db?sslmode=verify-full&sslrootcert=/c.pem&application_name=my%20app&connect_timeout=3&options=-c%20search_path%3Dx&user=v&password=w&dbname=e",
                p(&[
                    ("host", "h"),
                    ("dbname", "db"),
                    ("sslmode", "verify-full"),
                    ("sslrootcert", "/c.pem"),
                    ("application_name", "my app"),
                    ("connect_timeout", "3"),
                    ("options", "-c search_path=x"),
                    ("user", "v"),
                    ("password", "w"),
                    ("dbname", "e"),
                ]),
            ),
        ];
        for (url, want) in cases {
            assert_eq!(&parse_url(url).unwrap(), want, "{url}");
        }
    }

    #[test]
    fn bad_urls() {
        let cases = [
            ("postgres://h1,h2/db", "one host"),
            (
                "postgres://h/db?frobnicate=1",
                "unknown connection parameter \"frobnicate\"",
            ),
            ("postgres://h/db?sslmode", "missing \"=\""),
            (
                "postgres://u:p%zz@h",
                "bad percent-escape in the URL's password",
            ),
            ("postgres://[::1/db", "unclosed"),
            ("postgres://[::1]x/db", "unexpected"),
        ];
        for (url, want) in cases {
            let err = parse_url(url).unwrap_err().to_string();
            assert!(err.contains(want), "{url}: {err}");
        }
    }

    #[test]
    fn key_values() {
        let cases: &[(&str, Params)] = &[
            ("", p(&[])),
            ("host=h port=5433", p(&[("host", "h"), ("port", "5433")])),
            (
                "  host = h   dbname= d ",
                p(&[("host", "h"), ("dbname", "d")]),
            ),
            ("password='a b'", p(&[("password", "a b")])),
            (r"password='it\'s \\ x'", p(&[("password", r"it's \ x")])),
            (r"password=a\ b", p(&[("password", "a b")])),
            ("password=''", p(&[("password", "")])),
            ("password=p@ss:w/rd", p(&[("password", "p@ss:w/rd")])),
        ];
        for (text, want) in cases {
            assert_eq!(&parse_key_value(text).unwrap(), want, "{text}");
        }
        let bad = [
            ("host", "missing \"=\""),
            ("password='abc", "unterminated"),
            ("hots=x port=1", "unknown connection parameter \"hots\""),
        ];
        for (text, want) in bad {
            let err = parse_key_value(text).unwrap_err().to_string();
            assert!(err.contains(want), "{text}: {err}");
        }
    }

    #[test]
    fn key_value_detection() {
        for (text, want) in [
            ("host=h", true),
            ("dbname = x", true),
            ("hots=x port=1", true),
            ("password='x", true),
            ("data=1.db", false),
            ("app.db", false),
            ("/tmp/a=b.db", false),
            ("=x", false),
        ] {
            assert_eq!(looks_like_key_value(text), want, "{text}");
        }
    }

    #[test]
    fn encode_round_trips() {
        for s in ["plain", "a b@c:d/e%f", "é"] {
            assert_eq!(decode(&encode(s), "x").unwrap(), s);
        }
    }
}
