//! Human output: what a person reads on a terminal. Every function returns a `String` (so
//! tests and the choice of stream stay with the caller); `--json` bypasses all of it.
//!
//! Tables are plain text aligned with spaces — no colour, no box drawing beyond ✓/✗ — so
//! output reads the same in a terminal, a CI log or an e-mail. Locations arrive already
//! masked (the engine's types carry `display()` strings only).

mod inspection;
mod plan;
mod remedies;
mod report;
mod tenancy;

use std::io::Write;

use ferry_engine::Error;

pub use inspection::inspection;
pub use plan::{findings, plan_detail, plan_summary};
pub use report::{outcome_line, report};

/// A plain-text table: a header row, then rows, columns padded to the widest cell.
pub struct TextTable {
    headers: Vec<String>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl TextTable {
    /// Headers ending in `>` are right-aligned (numbers); the `>` is not shown.
    pub fn new(headers: &[&str]) -> TextTable {
        TextTable {
            headers: headers
                .iter()
                .map(|h| h.trim_end_matches('>').to_string())
                .collect(),
            right: headers.iter().map(|h| h.ends_with('>')).collect(),
            rows: vec![],
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Each line starts with `indent` and has no trailing spaces.
    pub fn render(&self, indent: &str) -> String {
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|i| {
                self.rows
                    .iter()
                    .map(|r| width(&r[i]))
                    .chain([width(&self.headers[i])])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for cells in std::iter::once(&self.headers).chain(&self.rows) {
            let mut line = String::from(indent);
            for (i, cell) in cells.iter().enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                let pad = " ".repeat(widths[i] - width(cell));
                if self.right[i] {
                    line.push_str(&pad);
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.push_str(&pad);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// Display width, counted in chars: good enough for names and the ✓/✗/→ we print.
fn width(text: &str) -> usize {
    text.chars().count()
}

/// `1,234,567`.
pub fn thousands(n: u64) -> String {
    let reversed: Vec<char> = n.to_string().chars().rev().collect();
    let groups: Vec<String> = reversed
        .chunks(3)
        .map(|g| g.iter().rev().collect())
        .collect();
    groups.into_iter().rev().collect::<Vec<_>>().join(",")
}

/// `512 B`, `1.5 KiB`, `12.3 MiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `0.42 s`, `12.0 s`, `3 m 07 s`, `1 h 02 m`.
pub fn human_seconds(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "?".into();
    }
    if seconds < 10.0 {
        return format!("{seconds:.2} s");
    }
    if seconds < 60.0 {
        return format!("{seconds:.1} s");
    }
    let whole = seconds.round() as u64;
    if whole < 3600 {
        format!("{} m {:02} s", whole / 60, whole % 60)
    } else {
        format!("{} h {:02} m", whole / 3600, (whole % 3600) / 60)
    }
}

/// `n thing` / `n things`.
pub fn count(n: u64, singular: &str, plural: &str) -> String {
    format!(
        "{} {}",
        thousands(n),
        if n == 1 { singular } else { plural }
    )
}

/// Pretty JSON of any engine result.
///
/// # Errors
/// Only if serialization fails, which would be a bug in the engine's types.
pub fn json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string_pretty(value)
        .map_err(|e| Error::runtime(format!("cannot write JSON: {e}")))
}

/// Writes to stdout. A closed pipe (`ferry inspect … | head`) is not an error: the reader
/// has what it wanted.
///
/// # Errors
/// Other I/O errors writing stdout.
pub fn to_stdout(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    let written = out.write_all(text.as_bytes()).and_then(|_| {
        if text.ends_with('\n') {
            Ok(())
        } else {
            out.write_all(b"\n")
        }
    });
    match written.and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::runtime(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// Writes to stderr; errors are ignored (there is nowhere left to report them).
/// The line before Promote's temporary password (which follows on a line of its own, so it
/// can be copied whole).
pub fn temporary_password_notice(email: &str) -> String {
    format!(
        "ferry: temporary password for {email} — shown only this once and stored only as a hash; sign in and change it now:"
    )
}

pub fn to_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = err.write_all(b"\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_and_numbers() {
        let mut t = TextTable::new(&["table", "rows>", "note"]);
        t.row(vec!["tasks".into(), "1,234".into(), "".into()]);
        t.row(vec!["goals_archive".into(), "7".into(), "✓ ok".into()]);
        let expected = [
            "  table           rows  note",
            "  tasks          1,234",
            "  goals_archive      7  ✓ ok",
        ]
        .map(|l| format!("{l}\n"))
        .concat();
        assert_eq!(t.render("  "), expected);
    }

    #[test]
    fn units_read_naturally() {
        let cases: [(u64, &str); 5] = [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1.0 KiB"),
            (1_572_864, "1.5 MiB"),
            (5 * (1 << 40), "5.0 TiB"),
        ];
        for (bytes, text) in cases {
            assert_eq!(human_bytes(bytes), text);
        }
        let cases = [
            (0.4213, "0.42 s"),
            (12.04, "12.0 s"),
            (187.0, "3 m 07 s"),
            (3725.0, "1 h 02 m"),
            (f64::NAN, "?"),
        ];
        for (secs, text) in cases {
            assert_eq!(human_seconds(secs), text);
        }
        let cases: [(u64, &str); 4] = [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (1_234_567, "1,234,567"),
        ];
        for (n, text) in cases {
            assert_eq!(thousands(n), text);
        }
        assert_eq!(count(1, "row", "rows"), "1 row");
        assert_eq!(count(2, "row", "rows"), "2 rows");
    }
}
