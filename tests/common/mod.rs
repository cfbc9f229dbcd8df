//! What the end-to-end tests of the real binaries share (`sync_e2e.rs`, `campaign_e2e.rs`):
//! child processes with their output in files, killed and reaped when dropped, and the server
//! backend a story runs on.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod cli;
pub mod world;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use teeka_testkit::PgCluster;

pub static PROCESS_SEQ: AtomicUsize = AtomicUsize::new(0);

/// A child process with its stdout and stderr in files; SIGKILLed and reaped when dropped.
pub struct Proc {
    pub child: Child,
    pub what: String,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
}

/// A finished command.
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.status.success()
    }
}

impl Proc {
    pub fn spawn(mut cmd: Command, logs: &Path, what: &str) -> Proc {
        let n = PROCESS_SEQ.fetch_add(1, Ordering::SeqCst);
        let slug: String = what.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).take(40).collect();
        let stdout = logs.join(format!("{n:05}-{slug}.out"));
        let stderr = logs.join(format!("{n:05}-{slug}.err"));
        cmd.stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap());
        let child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        Proc { child, what: what.to_string(), stdout, stderr }
    }

    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits up to `timeout` for the process to end.
    pub fn wait_for(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits for the end (killing the process and failing the test after `timeout`).
    pub fn finish(mut self, timeout: Duration) -> Run {
        match self.wait_for(timeout) {
            Some(status) => Run { status, stdout: self.stdout_text(), stderr: self.stderr_text() },
            None => {
                self.kill();
                panic!("{} did not finish within {timeout:?}; stderr:\n{}", self.what, self.stderr_text())
            }
        }
    }

    /// SIGKILL (if still running) and reap.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn stdout_text(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    pub fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.kill();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The backend, the server and its administration
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// The server's database.
pub enum Backend {
    Sqlite(PathBuf),
    Postgres(PgCluster),
}
