//! A scanner for secrets: collects everything a run printed and wrote — stdout, stderr,
//! every file in the folders it worked in (reports, backups, temporary files, SQLite
//! targets and their side files, whatever their names), and the content and catalog of a
//! PostgreSQL database it wrote — and asserts a secret appears in none of them, in any of
//! the spellings it could take (as typed, percent-encoded as in a URL, base64).

use std::path::{Path, PathBuf};

/// Everything collected so far, each piece labelled with where it came from.
#[derive(Default)]
pub struct Scan {
    places: Vec<(String, Vec<u8>)>,
}

impl Scan {
    pub fn new() -> Scan {
        Scan::default()
    }

    pub fn text(&mut self, label: &str, text: &str) -> &mut Scan {
        self.places
            .push((label.to_string(), text.as_bytes().to_vec()));
        self
    }

    pub fn run(&mut self, label: &str, run: &super::Run) -> &mut Scan {
        self.text(&format!("{label}: stdout"), &run.stdout);
        self.text(&format!("{label}: stderr"), &run.stderr)
    }

    /// Every file under `dir`, hidden ones included, recursively.
    pub fn folder(&mut self, dir: &Path) -> &mut Scan {
        for path in files_under(dir) {
            let bytes = std::fs::read(&path).unwrap_or_default();
            self.places.push((path.display().to_string(), bytes));
        }
        self
    }

    /// The names, comments, settings and every row of every user table of a database.
    pub fn pg_database(&mut self, client: &mut postgres::Client) -> &mut Scan {
        let catalog: String = client
            .query_one(
                "SELECT coalesce(string_agg(x, E'\\n'), '') FROM (
                   SELECT relname::text FROM pg_class
                   UNION ALL SELECT attname::text FROM pg_attribute
                   UNION ALL SELECT description FROM pg_description
                   UNION ALL SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef
                   UNION ALL SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting
                 ) s(x)",
                &[],
            )
            .expect("read the catalog")
            .get(0);
        self.text("postgres catalog", &catalog);
        let tables: Vec<String> = client
            .query(
                "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind = 'r' AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'",
                &[],
            )
            .expect("list tables")
            .iter()
            .map(|r| r.get(0))
            .collect();
        for table in tables {
            let rows: String = client
                .query_one(
                    &format!("SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM {table} t"),
                    &[],
                )
                .expect("read a table")
                .get(0);
            self.text(&format!("postgres table {table}"), &rows);
        }
        self
    }

    /// Panics naming every place that holds `secret` in any spelling.
    pub fn assert_absent(&self, secret: &str) {
        assert!(
            secret.len() >= 6,
            "a secret this short would match by chance"
        );
        let spellings = [
            secret.to_string(),
            percent_encoded(secret),
            base64(secret.as_bytes()),
        ];
        let found: Vec<String> = self
            .places
            .iter()
            .filter_map(|(label, bytes)| {
                spellings
                    .iter()
                    .find(|s| contains(bytes, s.as_bytes()))
                    .map(|s| format!("{label} (as {s:?})"))
            })
            .collect();
        assert!(
            found.is_empty(),
            "the secret was found in:\n  {}",
            found.join("\n  ")
        );
        assert!(!self.places.is_empty(), "nothing was scanned");
    }

    pub fn labels(&self) -> Vec<&str> {
        self.places.iter().map(|(l, _)| l.as_str()).collect()
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

pub fn percent_encoded(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// The temporary admin password a Promote run showed for `email`: the line right after the
/// notice on stderr, alone on it; checks the notice and the password appear once and the
/// password never on stdout.
pub fn shown_admin_password(run: &super::Run, email: &str) -> String {
    let notice = format!("temporary password for {email}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    let at: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains(&notice))
        .collect();
    assert_eq!(at.len(), 1, "one notice on stderr:\n{}", run.stderr);
    assert!(lines[at[0]].contains("change it"), "{}", lines[at[0]]);
    let pw = lines.get(at[0] + 1).expect("the password line").to_string();
    assert!(
        pw.len() >= 22
            && pw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{pw:?}"
    );
    assert_eq!(run.stderr.matches(&pw).count(), 1, "shown exactly once");
    assert!(!run.stdout.contains(&pw), "never on stdout");
    pw
}
