//! Test support in ripgrep's manner: a temporary work directory and a [`TestCommand`] that
//! runs the real `ferry` binary in it, with stdin closed (never a terminal), and asserts its
//! exit code, printing expected and actual output in separate blocks when it differs.

pub mod pause;
pub mod secrets;
pub mod state;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A private temporary directory, removed when dropped.
pub struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("create a temporary directory"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// Creates a SQLite database `name` with the given schema and rows.
    pub fn sqlite(&self, name: &str, sql: &str) -> PathBuf {
        ferry_testkit::files::sqlite_from_sql(&self.path(name), sql)
    }

    pub fn command(&self) -> TestCommand {
        self.command_with(Path::new(env!("CARGO_BIN_EXE_ferry")))
    }

    /// [`Dir::command`] running the `ferry` binary at `bin`.
    pub fn command_with(&self, bin: &Path) -> TestCommand {
        let mut cmd = Command::new(bin);
        cmd.current_dir(self.tmp.path())
            .stdin(Stdio::null())
            // Connection variables of the developer's shell must not leak into a test.
            .env_remove("PGPASSWORD")
            .env_remove("PGSERVICE")
            .env("PGPASSFILE", self.tmp.path().join("no-pgpass"));
        TestCommand { cmd }
    }
}

pub struct TestCommand {
    cmd: Command,
}

/// What one run printed.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl TestCommand {
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(
        mut self,
        args: I,
    ) -> TestCommand {
        self.cmd.args(args);
        self
    }

    pub fn env<K: AsRef<std::ffi::OsStr>, V: AsRef<std::ffi::OsStr>>(
        mut self,
        key: K,
        value: V,
    ) -> TestCommand {
        self.cmd.env(key, value);
        self
    }

    /// The underlying command, for settings this wrapper does not cover (`pre_exec`).
    pub fn inner(&mut self) -> &mut Command {
        &mut self.cmd
    }

    pub fn arg<S: AsRef<std::ffi::OsStr>>(self, arg: S) -> TestCommand {
        self.args([arg])
    }

    pub fn path_arg(self, path: &Path) -> TestCommand {
        self.args([path.as_os_str()])
    }

    pub fn run(mut self) -> Run {
        let Output {
            status,
            stdout,
            stderr,
        } = self.cmd.output().expect("run ferry");
        Run {
            code: status.code(),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    /// Starts the command in the background with its output discarded (a run that will be
    /// killed: nothing reads its pipes, so they must not fill up).
    pub fn spawn(mut self) -> std::process::Child {
        self.cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ferry")
    }

    /// Starts the command in the background with stderr piped (to watch for a line) and
    /// stdout discarded.
    pub fn spawn_watching_stderr(mut self) -> std::process::Child {
        self.cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ferry")
    }

    /// Starts the command in the background with both outputs piped; collect them with
    /// `wait_with_output`.
    pub fn spawn_piped(mut self) -> std::process::Child {
        self.cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ferry")
    }

    /// Runs and asserts the exit code.
    pub fn expect_code(self, expected: i32) -> Run {
        let description = format!("{:?}", self.cmd);
        let run = self.run();
        if run.code != Some(expected) {
            panic!(
                "\n\n==================== command ====================\n{description}\n\
                 ==================== expected exit code ====================\n{expected}\n\
                 ==================== actual exit code ====================\n{:?}\n\
                 ==================== stdout ====================\n{}\n\
                 ==================== stderr ====================\n{}\n",
                run.code, run.stdout, run.stderr
            );
        }
        run
    }
}

impl Run {
    /// Asserts `needle` occurs in stdout or stderr, showing both otherwise.
    pub fn assert_stdout_contains(&self, needle: &str) -> &Run {
        assert!(
            self.stdout.contains(needle),
            "\n\nexpected stdout to contain:\n{needle}\n\nactual stdout:\n{}\n\nstderr:\n{}\n",
            self.stdout,
            self.stderr
        );
        self
    }

    pub fn assert_stderr_contains(&self, needle: &str) -> &Run {
        assert!(
            self.stderr.contains(needle),
            "\n\nexpected stderr to contain:\n{needle}\n\nactual stderr:\n{}\n\nstdout:\n{}\n",
            self.stderr,
            self.stdout
        );
        self
    }

    /// Asserts the text appears nowhere in the output.
    pub fn assert_nowhere(&self, secret: &str) -> &Run {
        assert!(
            !self.stdout.contains(secret) && !self.stderr.contains(secret),
            "\n\n'{secret}' must not be printed, but it was:\n\nstdout:\n{}\n\nstderr:\n{}\n",
            self.stdout,
            self.stderr
        );
        self
    }

    /// An error that fits on one line: `ferry: …`, one sentence a person can act on.
    pub fn assert_one_line_error(&self) -> &Run {
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert!(
            lines.len() == 1 && lines[0].starts_with("ferry: "),
            "\n\nexpected one line 'ferry: …' on stderr, got:\n{}\n",
            self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// The `ferry` binary where any user may run it, for the tests that drop to `nobody` (root
/// may write anywhere, so only another user shows an unwritable folder): the build folder can
/// be under root's home, which is mode 0700 (CI builds in `~/.cache/ferry/ci-target`).
/// A hard link in a 0755 folder of the temporary directory, or a copy where links fail.
pub fn ferry_for_everyone() -> &'static Path {
    use std::os::unix::fs::PermissionsExt;
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("ferry-test-bin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a folder for the shared binary");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let bin = dir.join("ferry");
        let _ = std::fs::remove_file(&bin);
        let built = Path::new(env!("CARGO_BIN_EXE_ferry"));
        if std::fs::hard_link(built, &bin).is_err() {
            std::fs::copy(built, &bin).expect("copy the ferry binary");
        }
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        bin
    })
}

/// The admin every Promote test signs up.
pub const ADMIN_EMAIL: &str = "admin@example.com";

/// `COMMAND --from SRC --to URL --promote --admin-email admin@example.com EXTRA…`: how every
/// Promote test's command line starts.
pub fn promote_command<'a>(
    command: &'a str,
    src: &'a str,
    url: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        command,
        "--from",
        src,
        "--to",
        url,
        "--promote",
        "--admin-email",
        ADMIN_EMAIL,
    ];
    args.extend_from_slice(extra);
    args
}
