//! One story's world for the end-to-end tests of the campaign and monitoring
//! (`campaign_e2e.rs`, `monitor_e2e.rs`): the server's administration commands and `serve`, and
//! devices driven through the `teeka` CLI, every command with a timeout.

use super::{Backend, Kind, Proc, Run};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use teeka_testkit::PgCluster;

pub const TEEKA: &str = env!("CARGO_BIN_EXE_teeka");
/// The longest any one command may run before the test kills it and fails.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// One test's world. Fields drop in order: the cluster stops before the directory goes.
pub struct Env {
    pub backend: Backend,
    pub dir: tempfile::TempDir,
    /// Given to every `teeka-server` command before its own (e.g. `--passphrase-file FILE`).
    pub server_args: Vec<String>,
}

impl Env {
    /// A fresh world without areas, or `None` when PostgreSQL tests are skipped.
    pub fn new(kind: Kind) -> Option<Env> {
        let dir = tempfile::Builder::new().prefix("teeka-campaign-").tempdir().unwrap();
        let backend = match kind {
            Kind::Sqlite => Backend::Sqlite(dir.path().join("server.db")),
            Kind::Postgres => Backend::Postgres(PgCluster::start_unless_skipped().unwrap()?),
        };
        Some(Env { backend, dir, server_args: Vec::new() })
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn url(&self) -> String {
        match &self.backend {
            Backend::Sqlite(path) => format!("sqlite:{}", path.display()),
            Backend::Postgres(cluster) => cluster.url(),
        }
    }

    pub fn write(&self, name: &str, text: &str) -> String {
        let p = self.dir().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    }

    /// `teeka-server` on this world's database, with [`Env::server_args`], then `args`.
    fn server_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(teeka_testkit::server_binary());
        cmd.env_remove("TEEKA_DATABASE_URL")
            .env_remove("TEEKA_SERVER_PASSPHRASE")
            .env("RUST_LOG", "warn")
            .arg("--database-url")
            .arg(self.url())
            .args(&self.server_args)
            .args(args);
        cmd
    }

    pub fn server_run(&self, args: &[&str]) -> Run {
        let cmd = self.server_command(args);
        Proc::spawn(cmd, self.dir(), &format!("teeka-server {}", args.join(" "))).finish(COMMAND_TIMEOUT)
    }

    /// An administration command that must succeed; its stdout.
    pub fn admin(&self, args: &[&str]) -> String {
        let run = self.server_run(args);
        assert!(run.status.success(), "teeka-server {args:?} failed:\n{}", run.stderr);
        run.stdout
    }

    pub fn admin_json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.admin(args)).unwrap()
    }

    /// A one-time enrollment code (the last line of `teeka-server enroll`).
    pub fn code(&self, area: &str, role: &str) -> String {
        let out = self.admin(&["enroll", "--area", area, "--role", role]);
        assert!(out.contains(&format!("role: {role}")), "{out}");
        out.lines().last().unwrap().trim().to_string()
    }

    /// `teeka-server serve` on an ephemeral port.
    pub fn serve(&self) -> Server {
        let cmd = self.server_command(&["serve", "--listen", "127.0.0.1:0"]);
        let mut proc = Proc::spawn(cmd, self.dir(), "teeka-server serve");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let out = proc.stdout_text();
            if let Some(line) = out.lines().find(|l| l.starts_with("listening on http://")) {
                let addr = line.trim_start_matches("listening on http://").trim().parse().unwrap();
                return Server { _proc: proc, addr };
            }
            assert!(proc.running(), "teeka-server serve ended:\n{}", proc.stderr_text());
            assert!(Instant::now() < deadline, "teeka-server did not start within 30 s:\n{}", proc.stderr_text());
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    pub fn device(&self, name: &str, quiet_day: &str) -> Device {
        Device {
            name: name.to_string(),
            db: self.dir().join(format!("{name}.db")),
            logs: self.dir().to_path_buf(),
            quiet_day: quiet_day.to_string(),
        }
    }
}

/// A running `teeka-server serve`, SIGKILLed when dropped.
pub struct Server {
    pub _proc: Proc,
    pub addr: SocketAddr,
}

impl Server {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// A device: a store and the `teeka` CLI, whose "today" is the first argument of each call.
pub struct Device {
    pub name: String,
    pub db: PathBuf,
    pub logs: PathBuf,
    /// The date of the commands that are not about a day (enrolling, reading the state).
    pub quiet_day: String,
}

impl Device {
    pub fn run(&self, today: &str, args: &[&str]) -> Run {
        let mut cmd = Command::new(TEEKA);
        cmd.env_remove("TEEKA_DB")
            .env_remove("TEEKA_TODAY")
            .env_remove("TEEKA_AUTHOR")
            .arg("--db")
            .arg(&self.db)
            .args(["--today", today, "--author", &self.name])
            .args(args);
        Proc::spawn(cmd, &self.logs, &format!("{} teeka {}", self.name, args.join(" "))).finish(COMMAND_TIMEOUT)
    }

    pub fn ok(&self, today: &str, args: &[&str]) -> String {
        let run = self.run(today, args);
        assert!(run.status.success(), "{}: teeka {args:?} failed:\n{}", self.name, run.stderr);
        run.stdout
    }

    pub fn json(&self, today: &str, args: &[&str]) -> Value {
        let out = self.ok(today, args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("teeka {args:?}: {e}:\n{out}"))
    }

    /// The id a command printed as its last line.
    pub fn id(&self, today: &str, args: &[&str]) -> String {
        self.ok(today, args).lines().last().unwrap().trim().to_string()
    }

    pub fn enroll(&self, server: &Server, code: &str) {
        let out = self.ok(&self.quiet_day, &["enroll", "--server", &server.url(), "--code", code]);
        assert!(out.starts_with("enrolled device "), "{out}");
    }

    pub fn sync(&self, today: &str) -> String {
        let out = self.ok(today, &["sync"]);
        assert!(out.contains("sync complete: "), "{out}");
        assert_eq!(self.json(today, &["status", "--format", "json"])["pending"], 0, "{}: all pushed", self.name);
        out
    }

    /// What a refusal must leave unchanged: the store's status (pending events, …) and its export.
    pub fn state(&self) -> (Value, Value) {
        let mut status = self.json(&self.quiet_day, &["status", "--format", "json"]);
        // Times of the last sync and the clock, not the store's content.
        for key in ["last_success", "oldest_pending"] {
            status[key] = Value::Null;
        }
        (status, self.json(&self.quiet_day, &["export", "--format", "json"]))
    }

    /// A command that must be refused: exit 1, nothing on stdout, `error[CODE]: …` on stderr
    /// (with a file's problems, one per line, under it) containing `text`, and nothing stored.
    pub fn refused(&self, today: &str, args: &[&str], code: &str, text: &str) {
        let before = self.state();
        let run = self.run(today, args);
        assert_eq!(run.status.code(), Some(1), "{}: teeka {args:?} should be refused:\n{}", self.name, run.stderr);
        assert!(run.stdout.is_empty(), "teeka {args:?} printed: {}", run.stdout);
        let err = run.stderr.trim_end();
        assert!(err.starts_with(&format!("error[{code}]: ")), "teeka {args:?}: {err}");
        assert!(err.contains(text), "teeka {args:?}: {err}");
        assert!(self.state() == before, "{}: teeka {args:?} stored something", self.name);
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the answers
// ---------------------------------------------------------------------------------------------

pub fn items<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key].as_array().unwrap_or_else(|| panic!("no array {key} in {v:#}"))
}

pub fn strs(v: &Value) -> Vec<&str> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect()
}

pub fn find<'a>(list: &'a [Value], key: &str, value: &str) -> &'a Value {
    list.iter().find(|x| x[key] == value).unwrap_or_else(|| panic!("no {key} = {value} in {list:#?}"))
}
