//! What the Review and Backup steps show: the engine's plan, plus — for each preflight
//! finding — the choices that would resolve it, and what the backup will be.
//!
//! The choices are the finding's remedies (`Finding::remedies`), which the engine decides —
//! it leaves out what it would refuse (NULL into a NOT NULL column, "keep as text" into an
//! existing table) — so the app offers exactly what the CLI offers, in its own words.

use std::path::Path;

use ferry_engine::plan::frameworks;
use ferry_engine::plan::Plan;
use ferry_engine::{Location, Options};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Review {
    pub plan: Plan,
    /// One list per finding, in the order of `plan.findings`.
    pub choices: Vec<Vec<Choice>>,
    pub blocking: usize,
    pub backup: BackupView,
    /// Target tables whose rows the run deletes and loads from the source, in load order:
    /// the Review step says why, the Backup step what is there now.
    pub replaced: Vec<ReplacedTable>,
}

/// One table whose target rows are replaced by the source's.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReplacedTable {
    pub table: String,
    /// The target's rows now (what the run deletes); `None` when the target did not count.
    pub target_rows: Option<u64>,
    /// The source's rows that take their place.
    pub source_rows: Option<u64>,
    /// Why, in the page's words.
    pub why: String,
}

/// One way to resolve a finding, and the request setting that chooses it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Choice {
    pub label: String,
    pub action: Action,
}

/// A change to the run request (`request.rs`); the page applies it and plans again.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// `policies` += {table, column, value}: `null`, `skip` or `text`.
    Policy {
        table: String,
        column: String,
        value: &'static str,
    },
    /// `epochs` += {table, column, value}: `seconds` or `milliseconds`.
    Epoch {
        table: String,
        column: String,
        value: &'static str,
    },
    /// `dst.gap` = value.
    DstGap { value: &'static str },
    /// `dst.fold` = value.
    DstFold { value: &'static str },
    /// `exclude` += table.
    Exclude { table: String },
    /// Promote: `promote.shared_tables` gains (`shared`) or loses `table`.
    Shared { table: String, shared: bool },
}

/// What will be backed up before writing, or why nothing needs to be.
#[derive(Debug, Serialize)]
pub struct BackupView {
    /// An existing SQLite file will be replaced, so it is backed up first.
    pub needed: bool,
    /// The file backed up.
    pub of: Option<String>,
    /// The folder the backup goes to.
    pub folder: Option<String>,
    pub bytes: Option<u64>,
    /// The engine's one line about the backup (where, or why there is none).
    pub summary: String,
    /// What the run will write, one line per effect.
    pub effects: Vec<String>,
}

impl Review {
    pub fn new(plan: Plan, options: &Options) -> Review {
        let choices = plan.findings.iter().map(choices_for).collect();
        let blocking = plan.blocking_findings();
        let backup = backup_view(&plan, &options.target);
        let replaced = replaced_tables(&plan, options);
        Review {
            plan,
            choices,
            blocking,
            backup,
            replaced,
        }
    }
}

/// The finding's remedies (the engine decides which apply) as buttons.
fn choices_for(finding: &ferry_engine::finding::Finding) -> Vec<Choice> {
    use ferry_engine::finding::{Policy, ProblemKind, Remedy};
    use ferry_engine::temporal::{EpochUnit, FoldPolicy, GapPolicy};
    let choice = |label: String, action: Action| Choice { label, action };
    finding
        .remedies
        .iter()
        .filter_map(|r| {
            Some(match r {
                // Repairing the source is not a button: the page says so in words.
                // Repairing the source, or changing the copy's table list, is said in words.
                Remedy::FixData
                | Remedy::AddTargetColumn { .. }
                | Remedy::CopyAndReplace { .. }
                | Remedy::ChangeRole { .. }
                | Remedy::TypeOverride { .. }
                | Remedy::CreateType { .. } => return None,
                // Promote's classification: the same switch as the table's Owned/Shared one
                // on the Review step (the remedy's whole `--shared` list is the CLI's need).
                Remedy::ShareToo { table, .. } => choice(
                    format!("Make {table} shared too"),
                    Action::Shared {
                        table: table.clone(),
                        shared: true,
                    },
                ),
                Remedy::KeepOwned { table, .. } => choice(
                    format!("Keep {table} owned: each user has their own rows"),
                    Action::Shared {
                        table: table.clone(),
                        shared: false,
                    },
                ),
                Remedy::Policy {
                    table,
                    column,
                    policy,
                } => {
                    let (value, label) = match policy {
                        Policy::Null if finding.kind == ProblemKind::NoTargetColumn => {
                            ("null", format!("Leave the values of {column} behind"))
                        }
                        Policy::Null => (
                            "null",
                            format!("Store NULL in {column} instead of these values"),
                        ),
                        Policy::SkipRow => (
                            "skip",
                            "Leave these rows out (the report lists them)".into(),
                        ),
                        Policy::AsText => (
                            "text",
                            format!("Make {column} a text column and keep every value as written"),
                        ),
                        Policy::Stop => return None,
                    };
                    choice(
                        label,
                        Action::Policy {
                            table: table.clone(),
                            column: column.clone(),
                            value,
                        },
                    )
                }
                Remedy::Epoch {
                    table,
                    column,
                    unit,
                } => {
                    let (value, label) = match unit {
                        EpochUnit::Seconds => ("seconds", "The numbers are Unix times in seconds"),
                        EpochUnit::Milliseconds => {
                            ("milliseconds", "The numbers are Unix times in milliseconds")
                        }
                    };
                    choice(
                        label.into(),
                        Action::Epoch {
                            table: table.clone(),
                            column: column.clone(),
                            value,
                        },
                    )
                }
                Remedy::DstGap { policy } => match policy {
                    GapPolicy::ShiftForward => choice(
                        "Move times that do not exist (DST gap) forward by the gap".into(),
                        Action::DstGap {
                            value: "shift_forward",
                        },
                    ),
                    GapPolicy::Reject => return None,
                },
                Remedy::DstFold { policy } => match policy {
                    FoldPolicy::Earlier => choice(
                        "Read times that happen twice (DST fold) as the earlier one".into(),
                        Action::DstFold { value: "earlier" },
                    ),
                    FoldPolicy::Later => choice(
                        "Read times that happen twice (DST fold) as the later one".into(),
                        Action::DstFold { value: "later" },
                    ),
                    FoldPolicy::Reject => return None,
                },
                Remedy::ExcludeTable { table } => choice(
                    format!("Leave the table {table} out of the copy"),
                    Action::Exclude {
                        table: table.clone(),
                    },
                ),
            })
        })
        .collect()
}

/// The plan's replaced tables (`TablePlan::replace`), each with its reason: the person named
/// it, or the framework's seeded-table rule (`plan::frameworks::SEEDED_TABLES`).
fn replaced_tables(plan: &Plan, options: &Options) -> Vec<ReplacedTable> {
    let convention = plan.framework.as_ref().map(|f| f.convention);
    plan.tables
        .iter()
        .filter(|t| t.replace)
        .map(|t| {
            let named = options.replace.iter().any(|n| n == &t.source_table);
            let seeded = convention.and_then(|c| frameworks::seeded(c, &t.target_table));
            let why = match (named, seeded) {
                (true, _) | (false, None) => {
                    "you named it under “Replace the rows of these tables”".to_string()
                }
                (false, Some(s)) => s.why.to_string(),
            };
            ReplacedTable {
                table: t.target_table.clone(),
                target_rows: t.target_def.row_count,
                source_rows: t.rows,
                why,
            }
        })
        .collect()
}

fn backup_view(plan: &Plan, target: &Location) -> BackupView {
    let existing = match target {
        Location::Sqlite { path } if path.exists() => Some(path.as_path()),
        _ => None,
    };
    BackupView {
        needed: existing.is_some(),
        of: existing.map(|p| p.display().to_string()),
        folder: existing.map(|p| {
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .display()
                .to_string()
        }),
        bytes: existing
            .and_then(|p| std::fs::metadata(p).ok())
            .map(|m| m.len()),
        summary: plan.writes.backup.clone(),
        effects: plan.writes.effects.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_engine::progress::Silent;
    use ferry_engine::Cancel;

    fn review_of(sql: &str, target_exists: bool) -> Review {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("in.db");
        rusqlite::Connection::open(&source)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
        let target = dir.path().join("out.db");
        if target_exists {
            rusqlite::Connection::open(&target)
                .unwrap()
                .execute_batch("CREATE TABLE old(x); INSERT INTO old VALUES (1);")
                .unwrap();
        }
        let options = Options::new(
            Location::Sqlite { path: source },
            Location::Sqlite { path: target },
        );
        let plan = ferry_engine::plan(&options, &Silent, &Cancel::new()).unwrap();
        Review::new(plan, &options)
    }

    fn labels(choices: &[Choice]) -> Vec<&'static str> {
        choices
            .iter()
            .map(|c| match &c.action {
                Action::Policy { value, .. } => *value,
                Action::Epoch { value, .. } => *value,
                Action::DstGap { value } | Action::DstFold { value } => *value,
                Action::Exclude { .. } => "exclude",
                Action::Shared { shared: true, .. } => "share",
                Action::Shared { shared: false, .. } => "keep owned",
            })
            .collect()
    }

    #[test]
    fn choices_follow_what_the_engine_accepts() {
        let review = review_of(
            "CREATE TABLE t(id INTEGER PRIMARY KEY, a BOOLEAN, b BOOLEAN NOT NULL);
             INSERT INTO t VALUES (1, 'maybe', 'maybe'), (2, 1, 0);",
            false,
        );
        assert_eq!(review.blocking, 2, "{:?}", review.plan.findings);
        for (finding, choices) in review.plan.findings.iter().zip(&review.choices) {
            match finding.column.as_deref() {
                Some("a") => assert_eq!(labels(choices), ["text", "null", "skip"]),
                // NULL into a NOT NULL column is refused by the planner: not offered.
                Some("b") => assert_eq!(labels(choices), ["text", "skip"]),
                other => panic!("unexpected finding on {other:?}"),
            }
        }
        assert!(!review.backup.needed);
    }

    #[test]
    fn an_existing_sqlite_target_is_backed_up_and_orphans_offer_exclusion() {
        let review = review_of(
            "PRAGMA foreign_keys=OFF;
             CREATE TABLE p(id INTEGER PRIMARY KEY);
             CREATE TABLE c(id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id));
             INSERT INTO c VALUES (1, 99);",
            true,
        );
        assert!(review.backup.needed);
        assert!(review.backup.bytes.unwrap() > 0);
        assert!(review.backup.of.as_deref().unwrap().ends_with("out.db"));
        let i = review
            .plan
            .findings
            .iter()
            .position(|f| f.kind == "orphaned_foreign_key")
            .expect("an orphan finding");
        assert_eq!(
            review.choices[i][0].action,
            Action::Exclude { table: "c".into() }
        );
    }

    #[test]
    fn replaced_tables_say_why_and_how_many_target_rows_go() {
        let dir = tempfile::tempdir().unwrap();
        let (source, target) = (dir.path().join("in.db"), dir.path().join("app.db"));
        let schema = "CREATE TABLE django_migrations(id INTEGER PRIMARY KEY, app TEXT, name TEXT);
             CREATE TABLE django_content_type(id INTEGER PRIMARY KEY, app_label TEXT, model TEXT);
             CREATE TABLE kinds(id INTEGER PRIMARY KEY, name TEXT);";
        rusqlite::Connection::open(&source)
            .unwrap()
            .execute_batch(&format!("{schema} INSERT INTO django_migrations VALUES (1, 'shop', '0001'), (2, 'shop', '0002');
                 INSERT INTO django_content_type VALUES (7, 'shop', 'kind'); INSERT INTO kinds VALUES (1, 'source');"))
            .unwrap();
        rusqlite::Connection::open(&target)
            .unwrap()
            .execute_batch(&format!(
                "{schema} INSERT INTO django_migrations VALUES (1, 'shop', '0001');
                 INSERT INTO django_content_type VALUES (1, 'shop', 'kind'), (2, 'auth', 'user');
                 INSERT INTO kinds VALUES (1, 'target');"
            ))
            .unwrap();
        let mut options = Options::new(
            Location::Sqlite { path: source },
            Location::Sqlite { path: target },
        );
        options.into_existing = true;
        options.replace = vec!["kinds".into()];
        let plan = ferry_engine::plan(&options, &Silent, &Cancel::new()).unwrap();
        let review = Review::new(plan, &options);
        let mut replaced = review.replaced.clone();
        replaced.sort_by(|a, b| a.table.cmp(&b.table));
        let rows: Vec<(&str, Option<u64>, Option<u64>)> = replaced
            .iter()
            .map(|r| (r.table.as_str(), r.target_rows, r.source_rows))
            .collect();
        assert_eq!(
            rows,
            [
                ("django_content_type", Some(2), Some(1)),
                ("django_migrations", Some(1), Some(2)),
                ("kinds", Some(1), Some(1)),
            ]
        );
        assert!(
            replaced[0].why.starts_with("Django's migrate seeds it"),
            "{:?}",
            replaced[0]
        );
        assert_eq!(
            replaced[2].why,
            "you named it under “Replace the rows of these tables”"
        );
        assert!(review.backup.needed, "a SQLite target is backed up first");
    }
}
