//! Driving the real Ferry window: Xvfb (unless `DISPLAY` is set) → tauri-driver →
//! WebKitWebDriver → the app binary cargo built for these tests, from Rust with fantoccini.
//!
//! Every WebDriver call runs under a timeout (a hung WebKitWebDriver must fail the test, not
//! block CI), every process runs in its own process group and is killed — group and all —
//! from `Drop`, so a failing assertion leaves nothing behind. Screenshots come from
//! `import -window root` (WebDriver's screenshot command hangs with this WebKitWebDriver).
//! A missing tauri-driver, WebKitWebDriver or Xvfb fails the test with what to install.

use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const CALL_TIMEOUT: Duration = Duration::from_secs(30);
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// Only one window at a time: the machine has two cores and each app starts a web process.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub struct Options {
    /// Test name: folder of its screenshots.
    pub name: &'static str,
    /// Screen size (the window is centred on it; there is no window manager).
    pub screen: (u32, u32),
    /// Ask GTK (and so WebKit's prefers-color-scheme) for the dark variant.
    pub dark: bool,
}

/// How the app is started, when not as the binary cargo built with no arguments.
#[derive(Default)]
pub struct Launch {
    /// Another binary (the installed `/usr/bin/ferry-app` of the package test).
    pub application: Option<PathBuf>,
    /// Command-line arguments ("Open with": a SQLite file).
    pub args: Vec<String>,
    /// Extra environment for the app (it inherits tauri-driver's).
    pub env: Vec<(String, String)>,
}

/// Processes started for one test, each in its own process group.
struct Group {
    children: Vec<(String, Child)>,
}

impl Drop for Group {
    fn drop(&mut self) {
        // Newest first: the driver (and the app it started) before the X server.
        for (_, child) in self.children.iter_mut().rev() {
            let group = format!("-{}", child.id());
            let kill = |signal: &str| {
                // The group may be gone already; that is the goal, not an error.
                let _ = Command::new("kill")
                    .args([signal, "--", &group])
                    .stderr(Stdio::null())
                    .status();
            };
            kill("-TERM");
            let deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline && !matches!(child.try_wait(), Ok(Some(_))) {
                std::thread::sleep(Duration::from_millis(50));
            }
            // Members that ignored TERM (or outlived the leader) get KILL.
            kill("-KILL");
            let _ = child.wait();
        }
    }
}

pub struct App {
    pub client: Client,
    /// `:N`, for screenshots.
    display: String,
    shots: PathBuf,
    step: usize,
    /// XDG folders of this app instance (config: recent locations; data: reports).
    pub home: tempfile::TempDir,
    _lock: std::sync::MutexGuard<'static, ()>,
    _group: Group,
}

fn program(env_var: &str, name: &str, package_hint: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(env_var).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{env_var}={} does not exist",
            path.display()
        );
        return path;
    }
    which(name).unwrap_or_else(|| {
        panic!("\n\nThe end-to-end tests need `{name}` and it is not on PATH.\n{package_hint}\nRun the tests through `bash scripts/test.sh`, which installs it.\n\n")
    })
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

use ferry_testkit::net::free_port;

fn spawn(group: &mut Group, what: &str, command: &mut Command) {
    let child = command
        .stdin(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    group.children.push((what.to_string(), child));
}

/// Session requests tried, each on a fresh tauri-driver, before a test fails.
const DRIVER_ATTEMPTS: u32 = 3;

/// Starts tauri-driver on fresh ports for the app's display and home; returns its port once
/// it listens. Its output goes to `driver.log` in the home (appended across attempts).
fn spawn_driver(
    group: &mut Group,
    driver: &std::ffi::OsStr,
    display: &str,
    home: &Path,
    options: &Options,
    launch: &Launch,
) -> u16 {
    let port = free_port();
    let native_port = free_port();
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(home.join("driver.log"))
        .expect("driver log");
    let mut command = Command::new(driver);
    command
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .env("DISPLAY", display)
        .env("GSETTINGS_BACKEND", "memory")
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("NO_AT_BRIDGE", "1")
        // "Open the report" and the folder buttons record instead of launching (open.rs).
        .env("FERRY_TEST_OPEN_LOG", home.join("open-requests.jsonl"))
        .stdout(log.try_clone().expect("driver log"))
        .stderr(log);
    if options.dark {
        command.env("GTK_THEME", "Adwaita:dark");
    }
    command.envs(launch.env.iter().map(|(k, v)| (k, v)));
    spawn(group, "tauri-driver", &mut command);
    // tauri-driver starts WebKitWebDriver as it starts and forwards the session request to
    // it; asked before WebKitWebDriver listens (its first start on a machine loads WebKit
    // from a cold disk), tauri-driver drops the request. So both must listen first.
    let deadline = Instant::now() + Duration::from_secs(30);
    for (what, port) in [("tauri-driver", port), ("WebKitWebDriver", native_port)] {
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "{what} did not listen on port {port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    port
}

/// A display for this test: `DISPLAY` if set, else a new Xvfb.
fn display(group: &mut Group, screen: (u32, u32)) -> String {
    if let Some(d) = std::env::var("DISPLAY").ok().filter(|d| !d.is_empty()) {
        return d;
    }
    let xvfb = program(
        "FERRY_XVFB",
        "Xvfb",
        "Install it with: apt-get install xvfb xauth",
    );
    let n = (90..190)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .expect("no free X display number in :90-:189");
    let display = format!(":{n}");
    spawn(
        group,
        "Xvfb",
        Command::new(xvfb)
            .args([
                &display,
                "-screen",
                "0",
                &format!("{}x{}x24", screen.0, screen.1),
            ])
            .args(["-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let socket = format!("/tmp/.X11-unix/X{n}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !Path::new(&socket).exists() {
        assert!(
            Instant::now() < deadline,
            "Xvfb {display} did not start within 20 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    display
}

/// The cargo target directory this test binary was built into.
pub fn target_dir() -> PathBuf {
    let app = Path::new(env!("CARGO_BIN_EXE_ferry-app"));
    // <target>/debug/ferry-app
    app.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .expect("the app binary has no target directory")
}

impl App {
    /// Starts the display, tauri-driver and the app, and waits for the page to be ready.
    pub async fn start(options: Options) -> App {
        App::start_with(options, Launch::default()).await
    }

    /// [`App::start`] with another binary, arguments or environment.
    // The guard serializes whole tests (each on its own thread with its own runtime), not
    // tasks of one runtime, so holding it across awaits cannot deadlock.
    #[allow(clippy::await_holding_lock)]
    pub async fn start_with(options: Options, launch: Launch) -> App {
        let lock = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let driver = program(
            "FERRY_TAURI_DRIVER",
            "tauri-driver",
            "Install it with: cargo install tauri-driver --locked --version '^2'",
        );
        // tauri-driver starts WebKitWebDriver from PATH; check it here for a clear message.
        program(
            "FERRY_WEBKIT_WEBDRIVER",
            "WebKitWebDriver",
            "Install it with: apt-get install webkit2gtk-driver",
        );
        let mut group = Group { children: vec![] };
        let display = display(&mut group, options.screen);
        let home = tempfile::tempdir().expect("no temp dir");
        let application = launch
            .application
            .clone()
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_ferry-app")));
        // Should tauri-driver still drop the session request (`SendRequest`: the connection
        // closed before WebKitWebDriver answered), that is the driver, not the app: start a
        // fresh driver on fresh ports and ask again, a bounded number of times; the app
        // window's own timeout is never retried.
        let mut attempt = 1;
        let client = loop {
            let mut driver_group = Group { children: vec![] };
            let port = spawn_driver(
                &mut driver_group,
                driver.as_ref(),
                &display,
                home.path(),
                &options,
                &launch,
            );
            let mut caps = serde_json::Map::new();
            caps.insert(
                "tauri:options".into(),
                json!({ "application": application, "args": launch.args }),
            );
            caps.insert("browserName".into(), json!("wry"));
            let connected = tokio::time::timeout(
                STARTUP_TIMEOUT,
                ClientBuilder::native()
                    .capabilities(caps)
                    .connect(&format!("http://127.0.0.1:{port}")),
            )
            .await
            .unwrap_or_else(|_| panic!("the app window did not open within {STARTUP_TIMEOUT:?}"));
            match connected {
                Ok(client) => {
                    group.children.append(&mut driver_group.children);
                    break client;
                }
                Err(e) if attempt < DRIVER_ATTEMPTS => {
                    eprintln!(
                        "tauri-driver attempt {attempt} of {DRIVER_ATTEMPTS} refused the session ({e}); starting a fresh driver"
                    );
                    drop(driver_group);
                    attempt += 1;
                }
                Err(e) => panic!(
                    "cannot start a WebDriver session with the app after {DRIVER_ATTEMPTS} fresh drivers: {e}\n{}",
                    std::fs::read_to_string(home.path().join("driver.log")).unwrap_or_default()
                ),
            }
        };
        let shots = target_dir().join("e2e-screenshots").join(options.name);
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).expect("screenshot folder");
        let app = App {
            client,
            display,
            shots,
            step: 0,
            home,
            _lock: lock,
            _group: group,
        };
        // The page asks the shell for its version first; once shown, commands work.
        app.wait_until("the page to start", "return document.body.dataset.step === 'locations' && document.getElementById('version').textContent.startsWith('Ferry ')").await;
        app
    }

    /// Runs a script in the page and returns its value.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        tokio::time::timeout(CALL_TIMEOUT, self.client.execute(script, args))
            .await
            .unwrap_or_else(|_| {
                panic!("WebDriver did not answer within {CALL_TIMEOUT:?}: {script}")
            })
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Calls one of the shell's commands as the page does (`ui/ipc.js`), without the form:
    /// `Ok(answer)` or `Err(the UiError)`. An argument `"progress": "channel"` becomes a
    /// progress Channel whose events are dropped. WebDriver's script timeout (30 s) bounds it
    /// too: for small fixtures only.
    pub async fn invoke(&self, command: &str, args: Value) -> Result<Value, Value> {
        let script = "const [command, args, done] = arguments;
            const core = window.__TAURI__.core;
            if (args.progress === 'channel') args.progress = new core.Channel();
            core.invoke(command, args).then(v => done({ ok: v }), e => done({ err: e }));";
        let answer = tokio::time::timeout(
            CALL_TIMEOUT,
            self.client
                .execute_async(script, vec![json!(command), args]),
        )
        .await
        .unwrap_or_else(|_| panic!("{command} did not answer within {CALL_TIMEOUT:?}"))
        .unwrap_or_else(|e| panic!("invoking {command} failed in the page: {e}"));
        match answer.get("err") {
            Some(err) => Err(err.clone()),
            None => Ok(answer["ok"].clone()),
        }
    }

    /// The element's text content (what a person reads).
    pub async fn text(&self, css: &str) -> String {
        let v = self
            .js(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
                vec![json!(css)],
            )
            .await;
        v.as_str()
            .unwrap_or_else(|| panic!("no element {css} on the page"))
            .to_string()
    }

    pub async fn is_disabled(&self, css: &str) -> bool {
        self.js(
            "return document.querySelector(arguments[0]).disabled;",
            vec![json!(css)],
        )
        .await
        .as_bool()
        .unwrap_or_else(|| panic!("no element {css} with a disabled property"))
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        tokio::time::timeout(CALL_TIMEOUT, self.client.find(Locator::Css(css)))
            .await
            .unwrap_or_else(|_| {
                panic!("WebDriver did not answer within {CALL_TIMEOUT:?} finding {css}")
            })
            .unwrap_or_else(|e| panic!("cannot find {css}: {e}"))
    }

    /// Clicks like a person (WebDriver element click: scrolled into view, hit-tested).
    pub async fn click(&self, css: &str) {
        // Into the middle of the view first: WebDriver scrolls an element only until it is at
        // the bottom edge, where the step's sticky button bar covers it (a person scrolls
        // further and sees it).
        self.js(
            "const e = document.querySelector(arguments[0]); if (e) e.scrollIntoView({ block: 'center' }); return true;",
            vec![json!(css)],
        )
        .await;
        let element = self.find(css).await;
        tokio::time::timeout(CALL_TIMEOUT, element.click())
            .await
            .unwrap_or_else(|_| {
                panic!("WebDriver did not answer within {CALL_TIMEOUT:?} clicking {css}")
            })
            .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
    }

    /// Types into a text field (after clearing it).
    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        tokio::time::timeout(CALL_TIMEOUT, async {
            element.clear().await?;
            element.send_keys(text).await
        })
        .await
        .unwrap_or_else(|_| {
            panic!("WebDriver did not answer within {CALL_TIMEOUT:?} typing into {css}")
        })
        .unwrap_or_else(|e| panic!("cannot type into {css}: {e}"));
    }

    /// Picks an option of a `<select>` by its value.
    pub async fn select(&self, css: &str, value: &str) {
        let element = self.find(css).await;
        tokio::time::timeout(CALL_TIMEOUT, element.select_by_value(value))
            .await
            .unwrap_or_else(|_| {
                panic!("WebDriver did not answer within {CALL_TIMEOUT:?} selecting in {css}")
            })
            .unwrap_or_else(|e| panic!("cannot select {value} in {css}: {e}"));
    }

    /// Polls `script` (returning a boolean) until true; on timeout takes a screenshot and
    /// fails with what it waited for.
    pub async fn wait_until(&self, what: &str, script: &str) {
        self.wait_until_for(what, script, Duration::from_secs(90))
            .await
    }

    pub async fn wait_until_for(&self, what: &str, script: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            if self.js(script, vec![]).await.as_bool() == Some(true) {
                return;
            }
            if Instant::now() > deadline {
                let shot = self.screenshot_to("timeout");
                let body = self
                    .js("return document.querySelector('main').innerText", vec![])
                    .await;
                panic!(
                    "waited {limit:?} for {what}; screenshot {}\npage text:\n{}",
                    shot.display(),
                    body.as_str().unwrap_or("")
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the page shows `step` (the `data-step` of `<body>`).
    pub async fn wait_for_step(&self, step: &str) {
        self.wait_until(
            &format!("the {step} step"),
            &format!("return document.body.dataset.step === '{step}'"),
        )
        .await;
    }

    /// Waits until the Review step has planned (a summary or an error) and asserts planning
    /// did not fail.
    pub async fn wait_for_plan(&self) {
        self.wait_until(
            "the plan",
            "return document.getElementById('review-busy').hidden && (!!document.querySelector('#review-body .summary') || !!document.querySelector('#review-error .error'))",
        )
        .await;
        let error = self
            .js("const e = document.querySelector('#review-error .error'); return e ? e.innerText : null", vec![])
            .await;
        assert!(error.is_null(), "planning failed: {error}");
    }

    /// Saves a screenshot of the whole screen as `NN-name.png` and returns its path.
    pub fn screenshot(&mut self, name: &str) -> PathBuf {
        self.step += 1;
        let file = format!("{:02}-{name}", self.step);
        self.screenshot_to(&file)
    }

    fn screenshot_to(&self, file: &str) -> PathBuf {
        let path = self.shots.join(format!("{file}.png"));
        // Let the last paint land. A window that has not painted yet shows as one flat
        // colour: wait for its first paint (a few seconds at most) before giving up.
        for _ in 0..20 {
            std::thread::sleep(Duration::from_millis(250));
            let status = Command::new("import")
                .args(["-window", "root", path.to_str().expect("utf-8 path")])
                .env("DISPLAY", &self.display)
                .stdin(Stdio::null())
                .status()
                .unwrap_or_else(|e| {
                    panic!("cannot run `import` (apt-get install imagemagick): {e}")
                });
            assert!(
                status.success(),
                "import -window root failed for {}",
                path.display()
            );
            if colours(&path) > 1 {
                break;
            }
        }
        path
    }

    /// The JSON reports the app saved (its XDG data folder).
    pub fn reports(&self) -> Vec<PathBuf> {
        self.saved("json")
    }

    /// The report pages saved beside them.
    pub fn report_pages(&self) -> Vec<PathBuf> {
        self.saved("html")
    }

    fn saved(&self, extension: &str) -> Vec<PathBuf> {
        let dir = self.home.path().join("data/dev.ferry.app/reports");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|f| f.extension().is_some_and(|e| e == extension));
        files.sort();
        files
    }

    /// What the app was asked to open (`open.rs` records it in debug builds), waiting up to
    /// ten seconds for `count` requests.
    pub async fn open_requests(&self, count: usize) -> Vec<Value> {
        let log = self.home.path().join("open-requests.jsonl");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let lines: Vec<Value> = std::fs::read_to_string(&log)
                .unwrap_or_default()
                .lines()
                .map(|l| serde_json::from_str(l).expect("a JSON line"))
                .collect();
            if lines.len() >= count || Instant::now() > deadline {
                return lines;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Delivers a file drop at the centre of the element `css` through Tauri's own
    /// drag-and-drop events (`tauri://drag-over`, then `tauri://drag-drop` with the path):
    /// the page's handler runs as for a file dragged from the file manager, which WebDriver
    /// cannot do. With `drop: false` only hovers (for the highlight's screenshot).
    pub async fn drop_file(&self, css: &str, path: &Path, drop: bool) {
        let delivered = self
            .js(
                "const [css, path, drop, done] = arguments;
                 const r = document.querySelector(css).getBoundingClientRect();
                 const ratio = window.devicePixelRatio || 1;
                 const position = { x: (r.left + r.width / 2) * ratio, y: (r.top + r.height / 2) * ratio };
                 const emit = window.__TAURI__.event.emit;
                 return emit('tauri://drag-over', { position })
                   .then(() => drop ? emit('tauri://drag-drop', { paths: [path], position }) : null)
                   .then(() => true, (e) => String(e));",
                vec![json!(css), json!(path), json!(drop)],
            )
            .await;
        assert_eq!(delivered, json!(true), "the drop event was not delivered");
    }
}

/// How many colours an image has (`identify -format %k`); 0 when it cannot be read.
fn colours(path: &Path) -> u64 {
    Command::new("identify")
        .args(["-format", "%k"])
        .arg(path)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

/// A SQLite file built from SQL (fixtures live beside the tests that use them).
pub fn sqlite_from(path: &Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).expect("create the SQLite fixture");
    conn.execute_batch(sql).expect("fixture SQL");
}

/// The runtime the WebDriver calls run on.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime")
}

impl App {
    /// Resizes the window (there is no window manager to do it).
    pub async fn resize(&self, width: u32, height: u32) {
        tokio::time::timeout(
            CALL_TIMEOUT,
            self.client.set_window_rect(0, 0, width, height),
        )
        .await
        .unwrap_or_else(|_| {
            panic!("WebDriver did not answer within {CALL_TIMEOUT:?} resizing the window")
        })
        .unwrap_or_else(|e| panic!("cannot resize the window: {e}"));
    }
}

/// Every visible form control has a name a screen reader can say (a `<label>`, an
/// aria-label, or its own text).
pub async fn assert_controls_are_labelled(app: &App) {
    let unnamed = app
        .js(
            "return [...document.querySelectorAll('input, select, button, progress')]
                .filter(e => e.offsetParent !== null)
                .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !(e.tagName === 'BUTTON' && e.textContent.trim()))
                .map(e => e.outerHTML)",
            vec![],
        )
        .await;
    assert_eq!(unnamed, serde_json::json!([]), "controls without a label");
}

/// [`assert_controls_are_labelled`], and the focused element after a step change is its
/// heading.
pub async fn assert_every_control_is_labelled(app: &App) {
    assert_controls_are_labelled(app).await;
    let focused = app
        .js("return document.activeElement.tagName", vec![])
        .await;
    assert_eq!(focused, "H2", "a new step moves the focus to its heading");
}
