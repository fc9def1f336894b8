//! Throwaway servers for connection tests: a scram-authenticated PostgreSQL cluster (the
//! shared test server trusts everyone, so it cannot show a wrong password) and a PgBouncer in
//! transaction mode in front of the shared server. Both run as the `postgres` OS user (tests
//! run as root, which initdb and pgbouncer refuse), on free loopback ports, and are stopped
//! and deleted on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub use ferry_testkit::net::free_port;

/// A directory the `postgres` user owns, removed on drop.
struct PostgresOwnedDir(tempfile::TempDir);

impl PostgresOwnedDir {
    fn new() -> PostgresOwnedDir {
        let dir = tempfile::tempdir().unwrap();
        run(Command::new("chown")
            .arg("postgres:postgres")
            .arg(dir.path()));
        PostgresOwnedDir(dir)
    }

    fn path(&self) -> &Path {
        self.0.path()
    }
}

fn run(command: &mut Command) -> String {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn as_postgres(program: &Path) -> Command {
    let mut command = Command::new("runuser");
    command.args(["-u", "postgres", "--"]).arg(program);
    command
}

fn pg_bin(name: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server binaries in /usr/lib/postgresql")
        .map(|e| e.unwrap().path().join("bin"))
        .filter(|p| p.join(name).exists())
        .collect();
    dirs.sort();
    dirs.pop()
        .unwrap_or_else(|| panic!("no {name} under /usr/lib/postgresql/*/bin"))
        .join(name)
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not start listening on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A private cluster with `scram-sha-256` for everyone; the superuser `postgres` has
/// `password`.
pub struct ScramCluster {
    pub port: u16,
    dir: PostgresOwnedDir,
}

impl ScramCluster {
    pub fn start(password: &str) -> ScramCluster {
        let dir = PostgresOwnedDir::new();
        let data = dir.path().join("data");
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, password).unwrap();
        run(Command::new("chown").arg("postgres").arg(&pwfile));
        run(as_postgres(&pg_bin("initdb"))
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                "--no-sync",
                "-E",
                "UTF8",
            ])
            .arg(format!("--pwfile={}", pwfile.display())));
        let port = free_port();
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off",
            dir.path().display()
        );
        run(as_postgres(&pg_bin("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(dir.path().join("log"))
            .args(["-w", "start"]));
        wait_for_port(port, "the throwaway cluster");
        ScramCluster { port, dir }
    }
}

impl Drop for ScramCluster {
    fn drop(&mut self) {
        let _ = as_postgres(&pg_bin("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

/// PgBouncer (`pool_mode = transaction`) on a free port in front of 127.0.0.1:5432.
pub struct Bouncer {
    pub port: u16,
    child: Child,
    _dir: PostgresOwnedDir,
}

impl Bouncer {
    pub fn start() -> Bouncer {
        Bouncer::with_pool_size(5)
    }

    /// A bouncer that gives each database and user `pool_size` server connections.
    pub fn with_pool_size(pool_size: u32) -> Bouncer {
        let binary = Path::new("/usr/sbin/pgbouncer");
        assert!(
            binary.exists(),
            "pgbouncer is not installed (apt-get install -y pgbouncer): the pooler test needs it"
        );
        let dir = PostgresOwnedDir::new();
        let port = free_port();
        let ini = dir.path().join("pgbouncer.ini");
        let users = dir.path().join("users.txt");
        std::fs::write(&users, "\"postgres\" \"\"\n").unwrap();
        std::fs::write(
            &ini,
            format!(
                "[databases]\n* = host=127.0.0.1 port=5432\n\
                 [pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
                 auth_type = trust\nauth_file = {users}\npool_mode = transaction\n\
                 default_pool_size = {pool_size}\nlogfile = {log}\nignore_startup_parameters = extra_float_digits\n",
                users = users.display(),
                log = dir.path().join("pgbouncer.log").display(),
            ),
        )
        .unwrap();
        run(Command::new("chown")
            .arg("-R")
            .arg("postgres")
            .arg(dir.path()));
        let child = as_postgres(binary)
            .arg("-q")
            .arg(&ini)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start pgbouncer");
        wait_for_port(port, "pgbouncer");
        Bouncer {
            port,
            child,
            _dir: dir,
        }
    }
}

impl Drop for Bouncer {
    fn drop(&mut self) {
        // runuser forwards SIGTERM to pgbouncer; kill by our child's own id only.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}
