//! Drives the real app binary through WebDriver: an Xvfb display, `tauri-driver` (which starts
//! Debian's `WebKitWebDriver`, which starts the app) and a `fantoccini` client. Each `Session` has
//! its own display, data directories and store, and cleans up after itself.
//!
//! Needs `Xvfb`, `tauri-driver`, `WebKitWebDriver` and `dbus-run-session` (scripts/setup.sh
//! installs them). `TEEKA_SKIP_WEBDRIVER=1` skips these tests on a machine without them; CI never
//! sets it.

#![allow(dead_code)]

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The app binary: `TEEKA_APP_BIN`, else the one cargo built for these tests.
pub fn app() -> String {
    std::env::var("TEEKA_APP_BIN")
        .ok()
        .or_else(|| option_env!("CARGO_BIN_EXE_teeka-app").map(String::from))
        .expect("TEEKA_APP_BIN names the app binary")
}

/// The date the tests' worker lives on (due lists depend on it).
pub const TODAY: &str = "2026-11-22";

pub fn skip() -> bool {
    if std::env::var_os("TEEKA_SKIP_WEBDRIVER").is_some() {
        eprintln!("TEEKA_SKIP_WEBDRIVER is set: skipping the WebDriver test");
        return true;
    }
    false
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("its address").port()
}

fn which(tool: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".cargo/bin"));
    }
    dirs.into_iter().map(|d| d.join(tool)).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!("{tool} is not installed: run scripts/setup.sh (or set TEEKA_SKIP_WEBDRIVER=1 to skip these tests)")
    })
}

/// A child started in its own process group; dropping it ends the whole group (dbus-run-session,
/// tauri-driver, WebKitWebDriver and the app), so no test leaves a process behind.
struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.0.wait();
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
    }
}

/// One running app under test.
pub struct Session {
    pub client: Client,
    pub dir: tempfile::TempDir,
    _driver: Kill,
    _xvfb: Kill,
}

impl Session {
    /// Starts the app on a fresh store (or on `store` if given), with `extra` environment.
    pub async fn start(extra: &[(&str, &str)]) -> Session {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = dir.path().join("teeka.db");
        Self::start_with(dir, &store, extra).await
    }

    /// Starts the app on the store at `store` (which may outlive this session).
    pub async fn start_in(store: &Path, extra: &[(&str, &str)]) -> Session {
        Self::start_with(tempfile::tempdir().expect("a temporary directory"), store, extra).await
    }

    async fn start_with(dir: tempfile::TempDir, store: &Path, extra: &[(&str, &str)]) -> Session {
        // Xvfb picks a free display and writes its number on the pipe.
        let mut xvfb = Command::new(which("Xvfb"))
            .args(["-displayfd", "1", "-screen", "0", "1024x768x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("Xvfb starts");
        let mut line = String::new();
        BufReader::new(xvfb.stdout.take().expect("Xvfb's stdout")).read_line(&mut line).expect("Xvfb says its display");
        let display = format!(":{}", line.trim());
        let xvfb = Kill(xvfb);

        let port = free_port();
        let native = free_port();
        for d in ["data", "config", "cache"] {
            std::fs::create_dir_all(dir.path().join(d)).expect("xdg dirs");
        }
        let mut cmd = Command::new(which("dbus-run-session"));
        cmd.arg("--")
            .arg(which("tauri-driver"))
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .env("NO_AT_BRIDGE", "1")
            .env("TEEKA_STORE", store)
            .env("TEEKA_TODAY", TODAY)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let driver = Kill(cmd.process_group(0).spawn().expect("tauri-driver starts"));

        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert("tauri:options".into(), serde_json::json!({ "application": app() }));
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        // fantoccini's rustls has aws-lc-rs, the app's ring: the process's provider is chosen.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = loop {
            match ClientBuilder::rustls().expect("tls").capabilities(caps.clone()).connect(&url).await {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("no WebDriver session: {e}"),
            }
        };
        // A 5-inch phone.
        let _ = client.set_window_size(360, 640).await;
        Session { client, dir, _driver: driver, _xvfb: xvfb }
    }

    fn css(id: &str) -> String {
        format!("[data-testid=\"{id}\"]")
    }

    /// The element with this test id, waiting for it to appear.
    pub async fn el(&self, id: &str) -> Element {
        self.sel(&Self::css(id)).await
    }

    /// The element matching a CSS selector, waiting for it.
    pub async fn sel(&self, css: &str) -> Element {
        self.sel_for(css, 15).await
    }

    /// The element matching a CSS selector, waiting up to `secs` for it.
    pub async fn sel_for(&self, css: &str, secs: u64) -> Element {
        match self.client.wait().at_most(Duration::from_secs(secs)).for_element(Locator::Css(css)).await {
            Ok(el) => el,
            Err(e) => {
                let shot = self.failure_screenshot().await;
                let text = self.client.find(Locator::Css("body")).await.ok();
                let text = match text {
                    Some(b) => b.text().await.unwrap_or_default(),
                    None => String::new(),
                };
                panic!("no element {css} on the screen ({e}); screenshot {shot}; the screen shows:\n{text}")
            }
        }
    }

    /// Saves what the screen shows when a test fails, and says where.
    async fn failure_screenshot(&self) -> String {
        let path = std::env::temp_dir().join(format!("teeka-webdriver-failure-{}.png", std::process::id()));
        match self.client.screenshot().await {
            Ok(png) if std::fs::write(&path, &png).is_ok() => path.display().to_string(),
            _ => "(none)".into(),
        }
    }

    /// Waits until exactly `n` elements carry this test id.
    pub async fn wait_count(&self, id: &str, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let found = self.all(id).await.len();
            if found == n {
                return;
            }
            if Instant::now() > deadline {
                let shot = self.failure_screenshot().await;
                panic!("expected {n} × {id}, the screen shows {found}; screenshot {shot}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn all(&self, id: &str) -> Vec<Element> {
        self.client.find_all(Locator::Css(&Self::css(id))).await.expect("find_all")
    }

    pub async fn click(&self, id: &str) {
        self.click_sel(&Self::css(id)).await;
    }

    pub async fn click_sel(&self, css: &str) {
        // The screen may still be settling (a sheet closing, a list re-rendering after a record):
        // like a worker, wait for it and tap again, for a few seconds at most.
        let deadline = Instant::now() + Duration::from_secs(8);
        loop {
            let el = self.sel(css).await;
            // Into the middle of the screen, clear of the fixed sync bar and tab bar, as a worker
            // would scroll before tapping.
            let _ = self
                .client
                .execute("arguments[0].scrollIntoView({block: 'center'})", vec![serde_json::to_value(&el).expect("el")])
                .await;
            match el.click().await {
                Ok(()) => return,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => {
                    let shot = self.failure_screenshot().await;
                    panic!("cannot click {css}: {e:?}; screenshot {shot}");
                }
            }
        }
    }

    pub async fn type_in(&self, id: &str, text: &str) {
        let el = self.el(id).await;
        el.clear().await.unwrap_or_else(|e| panic!("cannot clear {id}: {e}"));
        el.send_keys(text).await.unwrap_or_else(|e| panic!("cannot type in {id}: {e}"));
    }

    /// Chooses the option of a `<select>` whose value or visible text is `choice`, as a worker's
    /// tap would (the `change` event included).
    pub async fn choose(&self, id: &str, choice: &str) {
        self.el(id).await;
        let script = r#"
            const [css, choice] = arguments;
            const select = document.querySelector(css);
            const option = [...select.options].find(o => o.value === choice || o.text.trim() === choice);
            if (!option) return [...select.options].map(o => o.text).join(", ");
            select.value = option.value;
            select.dispatchEvent(new Event("input", { bubbles: true }));
            select.dispatchEvent(new Event("change", { bubbles: true }));
            return null;
        "#;
        // The options may still be loading.
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let res = self.client.execute(script, vec![Self::css(id).into(), choice.into()]).await.expect("choose");
            match res.as_str() {
                None => return,
                Some(options) if Instant::now() > deadline => {
                    panic!("{id} has no option '{choice}' (options: {options})")
                }
                Some(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    pub async fn text(&self, id: &str) -> String {
        self.el(id).await.text().await.unwrap_or_else(|e| panic!("no text in {id}: {e}"))
    }

    /// Waits (up to 15 s) until the element's text satisfies `ok`, and returns it.
    pub async fn wait_text(&self, id: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_text_for(id, what, 15, ok).await
    }

    /// Waits up to `secs` until the element's text satisfies `ok`, and returns it.
    pub async fn wait_text_for(&self, id: &str, what: &str, secs: u64, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let text = match self.client.find(Locator::Css(&Self::css(id))).await {
                Ok(el) => el.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if ok(&text) {
                return text;
            }
            if Instant::now() > deadline {
                panic!("{id}: expected {what}, the screen shows '{text}'");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The whole page's visible text.
    pub async fn page_text(&self) -> String {
        self.sel("body").await.text().await.unwrap_or_default()
    }

    /// Saves a screenshot as docs/screenshots/NAME.png (refreshed by every run).
    pub async fn screenshot(&self, name: &str) {
        // The bundled Devanagari font loads on first use (font-display: swap): wait until every
        // font the page asked for has loaded (at most 5 s), so a picture never shows the
        // fallback's empty boxes; then let layout settle.
        // The loads are awaited (not only started): on the first screen of a run the status
        // could still read "loaded" before WebKit began loading them.
        let ask = "const done = arguments[arguments.length - 1]; \
                   Promise.all([document.fonts.load('400 16px \"Noto Sans Devanagari\"', 'क'), \
                                document.fonts.load('700 16px \"Noto Sans Devanagari\"', 'क')]) \
                     .then(() => document.fonts.ready).then(() => done(true), () => done(false));";
        let _ = self.client.execute_async(ask, vec![]).await;
        for _ in 0..50 {
            let loaded = self
                .client
                .execute("return document.fonts.status === 'loaded'", vec![])
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(true);
            if loaded {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = self.client.screenshot().await.expect("a screenshot");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
        std::fs::create_dir_all(&dir).expect("docs/screenshots");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("the screenshot is written");
    }

    pub async fn end(self) {
        let _ = self.client.close().await;
    }
}

/// Dates as the UI takes them: DD/MM/YYYY.
pub fn dmy(iso: &str) -> String {
    let p: Vec<&str> = iso.split('-').collect();
    format!("{}/{}/{}", p[2], p[1], p[0])
}
