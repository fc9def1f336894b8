//! The engine's progress events, forwarded to the page over a Tauri `Channel`.
//!
//! The engine reports every batch; the page needs a few updates a second. Row progress is
//! thinned to one event per table per 100 ms (the last one of a table always follows as its
//! `TableFinished`), everything else passes as it is.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ferry_engine::{Event, Progress};
use tauri::ipc::Channel;

const MIN_INTERVAL: Duration = Duration::from_millis(100);

pub struct ChannelProgress {
    channel: Channel<Event>,
    last_sent: Mutex<HashMap<String, Instant>>,
}

impl ChannelProgress {
    pub fn new(channel: Channel<Event>) -> Self {
        ChannelProgress {
            channel,
            last_sent: Mutex::new(HashMap::new()),
        }
    }

    fn due(&self, table: &str, now: Instant) -> bool {
        let mut last = self.last_sent.lock().unwrap_or_else(|e| e.into_inner());
        match last.get(table) {
            Some(t) if now.duration_since(*t) < MIN_INTERVAL => false,
            _ => {
                last.insert(table.to_string(), now);
                true
            }
        }
    }
}

impl ChannelProgress {
    /// Sends `event` unless it is row progress too soon after the table's last one.
    fn forward(&self, event: Event, now: Instant) {
        if let Event::TableProgress { table, .. } = &event {
            if !self.due(table, now) {
                return;
            }
        }
        // A closed page cannot watch any more; the run goes on and its report is saved.
        let _ = self.channel.send(event);
    }
}

impl Progress for ChannelProgress {
    fn event(&self, event: Event) {
        self.forward(event, Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_engine::Phase;
    use std::sync::Arc;
    use tauri::ipc::InvokeResponseBody;

    #[test]
    fn row_progress_is_thinned_and_the_rest_passes() {
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = seen.clone();
        let channel = Channel::new(move |body| {
            if let InvokeResponseBody::Json(json) = body {
                sink.lock().unwrap().push(json);
            }
            Ok(())
        });
        let progress = ChannelProgress::new(channel);
        let table = || "tasks".to_string();
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        progress.forward(Event::PhaseStarted { phase: Phase::Copy }, at(0));
        // One event every 10 ms for half a second: one per 100 ms passes.
        for rows in 0..50 {
            let event = Event::TableProgress {
                phase: Phase::Copy,
                table: table(),
                rows,
                bytes: 0,
            };
            progress.forward(event, at(rows * 10));
        }
        let other = Event::TableProgress {
            phase: Phase::Copy,
            table: "goals".into(),
            rows: 1,
            bytes: 0,
        };
        progress.forward(other, at(5));
        let finished = Event::TableFinished {
            phase: Phase::Copy,
            table: table(),
            rows: 50,
            seconds: 0.5,
        };
        progress.forward(finished, at(495));
        let seen = seen.lock().unwrap();
        let count = |kind: &str| seen.iter().filter(|j| j.contains(kind)).count();
        assert_eq!(count("\"phase_started\""), 1);
        assert_eq!(count("\"table_finished\""), 1);
        // tasks at 0, 100, 200, 300, 400 ms; goals has its own clock.
        assert_eq!(count("\"table_progress\""), 6, "{seen:?}");
    }
}
