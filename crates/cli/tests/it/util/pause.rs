//! Stopping a real `ferry` run at a named point (`FERRY_PAUSE_AT`, see
//! `crates/engine/src/pause.rs`), so a SIGKILL or Ctrl-C lands at a known place.

use std::io::{BufRead, BufReader, Read};
use std::process::Child;

use super::{Run, TestCommand};

/// The points a run passes, in order (`NAME#N`), learned from one uninterrupted run with
/// `FERRY_PAUSE_AT=list`, which must succeed.
pub fn list_points(command: TestCommand) -> Vec<String> {
    list_points_ending(command, 0)
}

/// [`list_points`] of a run that must end with exit code `code`.
pub fn list_points_ending(command: TestCommand, code: i32) -> Vec<String> {
    let run = command.env("FERRY_PAUSE_AT", "list").expect_code(code);
    let points: Vec<String> = run
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("ferry: point "))
        .map(str::to_string)
        .collect();
    assert!(
        !points.is_empty(),
        "FERRY_PAUSE_AT=list printed no points:\n{}",
        run.stderr
    );
    points
}

/// The phase each point happens in: the last `PHASE:start` before it (`-` before the first).
pub fn phase_of(points: &[String]) -> Vec<String> {
    let mut phase = "-".to_string();
    points
        .iter()
        .map(|p| {
            if let Some(name) = p.strip_suffix(":start#1").filter(|n| !n.contains(':')) {
                phase = name.to_string();
            }
            phase.clone()
        })
        .collect()
}

/// A run stopped at its pause point, waiting to be killed or interrupted.
pub struct Paused {
    child: Child,
    pub point: String,
    /// Everything the run printed on stderr up to the pause.
    pub stderr: String,
}

impl Paused {
    /// Starts `command` and returns once it says it paused at `point` (`NAME#N`). Panics
    /// when the run ends without reaching it.
    pub fn start(command: TestCommand, point: &str) -> Paused {
        let mut child = command.env("FERRY_PAUSE_AT", point).spawn_watching_stderr();
        let mut reader = BufReader::new(child.stderr.take().expect("piped stderr"));
        let mut stderr = String::new();
        let wanted = format!("ferry: paused at {point}");
        loop {
            let mut line = String::new();
            let n = reader.read_line(&mut line).expect("read ferry's stderr");
            if n == 0 {
                let status = child.wait().expect("reap ferry");
                panic!("ferry ended ({status}) without reaching {point}; stderr:\n{stderr}");
            }
            stderr.push_str(&line);
            if line.trim_end() == wanted {
                break;
            }
        }
        // Keep draining stderr so the paused run can never block on a full pipe.
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut reader.into_inner(), &mut std::io::sink());
        });
        Paused {
            child,
            point: point.to_string(),
            stderr,
        }
    }

    /// SIGKILL, and proof it died of it (it must not have finished on its own).
    pub fn kill(mut self) {
        assert!(
            self.child.try_wait().expect("poll ferry").is_none(),
            "ferry was no longer waiting at {}",
            self.point
        );
        self.child.kill().expect("SIGKILL ferry");
        let status = self.child.wait().expect("reap ferry");
        assert_eq!(
            std::os::unix::process::ExitStatusExt::signal(&status),
            Some(libc::SIGKILL),
            "ferry must have died of the SIGKILL at {}: {status}",
            self.point
        );
    }
}

/// Sends SIGINT (what Ctrl-C sends) to a process.
pub fn interrupt(pid: i32) {
    // SAFETY: kill(2) with a pid this test started and a valid signal number.
    let rc = unsafe { libc::kill(pid, libc::SIGINT) };
    assert_eq!(
        rc,
        0,
        "SIGINT to {pid}: {}",
        std::io::Error::last_os_error()
    );
}

/// Starts `command` with both outputs piped, sends SIGINT once it paused at `point`, and
/// returns what it printed and how it exited.
pub fn interrupt_at(command: TestCommand, point: &str) -> Run {
    let mut child = command.env("FERRY_PAUSE_AT", point).spawn_piped();
    let mut stdout_pipe = child.stdout.take().expect("piped stdout");
    let stdout = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout_pipe.read_to_string(&mut s);
        s
    });
    let mut reader = BufReader::new(child.stderr.take().expect("piped stderr"));
    let mut stderr = String::new();
    let wanted = format!("ferry: paused at {point}");
    let mut sent = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("read ferry's stderr") == 0 {
            break;
        }
        stderr.push_str(&line);
        if !sent && line.trim_end() == wanted {
            interrupt(i32::try_from(child.id()).expect("pid fits"));
            sent = true;
        }
    }
    let status = child.wait().expect("reap ferry");
    assert!(sent, "ferry never reached {point}; stderr:\n{stderr}");
    Run {
        code: status.code(),
        stdout: stdout.join().expect("stdout reader"),
        stderr,
    }
}
