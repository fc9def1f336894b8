//! Progress bars on stderr, driven by the engine's [`Event`] stream.
//!
//! One overall bar shows the current phase and, during the main phase (copy for `migrate`,
//! verify for `verify`), the rows done out of the rows expected. Each table at work gets its
//! own bar; when it finishes the bar is replaced by one printed line, so a run over a hundred
//! tables does not need a hundred lines of screen.
//!
//! Bars exist only when stderr is a terminal, output is not `--json` and `--quiet` was not
//! given (`output::bars_wanted`); otherwise the caller uses
//! [`ferry_engine::progress::Silent`] and logs stay clean. `NO_COLOR` drops the bold.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use ferry_engine::{Event, Phase, Progress};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::render::{human_seconds, thousands};

pub struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    main_phase: Phase,
    /// Rows each table of the main phase will move, from a plan made before the run (the
    /// run itself may leave counting to its copy and announce a table without them).
    planned_rows: HashMap<String, u64>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Bars of tables at work, by (phase, table).
    tables: HashMap<(Phase, String), ProgressBar>,
    /// Rows done per table in the main phase, to move the overall bar by differences.
    done: HashMap<String, u64>,
}

impl Bars {
    /// `expected_rows`: rows the main phase will move in total, when every table's count is
    /// known.
    pub fn new(main_phase: Phase, expected_rows: Option<u64>) -> Bars {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        let overall = multi.add(match expected_rows {
            Some(total) => ProgressBar::new(total).with_style(overall_style()),
            None => ProgressBar::new_spinner().with_style(overall_spinner_style()),
        });
        overall.set_prefix("ferry");
        overall.enable_steady_tick(Duration::from_millis(120));
        Bars {
            multi,
            overall,
            main_phase,
            planned_rows: HashMap::new(),
            state: Mutex::new(State::default()),
        }
    }

    /// The same bars, with each table's planned rows for the main phase.
    pub fn with_planned_rows(mut self, rows: HashMap<String, u64>) -> Bars {
        self.planned_rows = rows;
        self
    }

    /// Removes every bar from the screen (before printing a summary or asking a question).
    pub fn clear(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        for (_, bar) in state.tables.drain() {
            bar.finish_and_clear();
        }
        self.overall.finish_and_clear();
        let _ = self.multi.clear();
    }

    fn table_bar(&self, phase: Phase, table: &str, rows: Option<u64>) -> ProgressBar {
        let bar = match rows {
            Some(n) => ProgressBar::new(n).with_style(table_style()),
            None => ProgressBar::new_spinner().with_style(spinner_style()),
        };
        let bar = self.multi.insert_before(&self.overall, bar);
        bar.set_prefix(phase.label());
        bar.set_message(table.to_string());
        bar
    }
}

impl Progress for Bars {
    fn event(&self, event: Event) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match event {
            Event::PhaseStarted { phase } => self.overall.set_message(phase.label()),
            Event::PhaseFinished { .. } => {}
            Event::TableStarted { phase, table, rows } => {
                let rows = rows.or_else(|| {
                    (phase == self.main_phase)
                        .then(|| self.planned_rows.get(&table).copied())
                        .flatten()
                });
                let bar = self.table_bar(phase, &table, rows);
                if let Some(old) = state.tables.insert((phase, table), bar) {
                    old.finish_and_clear();
                }
            }
            Event::TableProgress {
                phase,
                table,
                rows,
                bytes: _,
            } => {
                if phase == self.main_phase {
                    let before = state.done.insert(table.clone(), rows).unwrap_or(0);
                    self.overall.inc(rows.saturating_sub(before));
                }
                if let Some(bar) = state.tables.get(&(phase, table)) {
                    bar.set_position(rows);
                }
            }
            Event::TableFinished {
                phase,
                table,
                rows,
                seconds,
            } => {
                if phase == self.main_phase {
                    let before = state.done.insert(table.clone(), rows).unwrap_or(0);
                    self.overall.inc(rows.saturating_sub(before));
                }
                if let Some(bar) = state.tables.remove(&(phase, table.clone())) {
                    bar.finish_and_clear();
                }
                let _ = self.multi.println(format!(
                    "  ✓ {:<10} {table}: {} rows in {}",
                    phase.label(),
                    thousands(rows),
                    human_seconds(seconds)
                ));
            }
            Event::Warning { message } => {
                let _ = self.multi.println(format!(
                    "  warning: {}",
                    ferry_engine::location::mask_secrets(&message)
                ));
            }
        }
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        self.clear();
    }
}

/// The overall bar's prefix (`ferry`, padded to `width`) is the bars' only text attribute;
/// NO_COLOR asks for none, whatever indicatif's terminal library decides on its own.
fn overall_prefix(width: usize) -> String {
    let bold = if crate::output::color_allowed() {
        ".bold"
    } else {
        ""
    };
    if width == 0 {
        format!("{{prefix{}}}", bold.replacen('.', ":.", 1))
    } else {
        format!("{{prefix:<{width}{bold}}}")
    }
}

fn overall_style() -> ProgressStyle {
    ProgressStyle::with_template(&format!(
        "{} {{msg:<12}} [{{bar:30}}] {{human_pos}}/{{human_len}} rows  {{per_sec}}  {{elapsed_precise}}",
        overall_prefix(0)
    ))
    .expect("valid template")
    .progress_chars("=> ")
}

/// The overall bar when the rows to move are not known in advance (`--yes` plans inside
/// the run).
fn overall_spinner_style() -> ProgressStyle {
    ProgressStyle::with_template(&format!(
        "  {{spinner}} {} {{msg:<24!}} {{human_pos}} rows  {{per_sec}}  {{elapsed}}",
        overall_prefix(10)
    ))
    .expect("valid template")
}

fn table_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "  {prefix:<10} {msg:<24!} [{bar:30}] {human_pos}/{human_len}  {per_sec}  eta {eta}",
    )
    .expect("valid template")
    .progress_chars("=> ")
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "  {spinner} {prefix:<10} {msg:<24!} {human_pos} rows  {per_sec}  {elapsed}",
    )
    .expect("valid template")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_bold_unless_no_color() {
        // Both spellings are templates indicatif accepts.
        for width in [0, 10] {
            let template = overall_prefix(width);
            ProgressStyle::with_template(&template).expect(&template);
        }
        assert!(crate::output::color_allowed() == overall_prefix(10).contains(".bold"));
    }
}
