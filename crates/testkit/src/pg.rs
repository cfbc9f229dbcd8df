//! A throwaway PostgreSQL cluster.
//!
//! [`PgCluster::start`] makes a cluster in a temporary directory (`initdb -A trust`), starts it
//! on a free port of 127.0.0.1 with its Unix socket inside that directory (so nothing else on the
//! machine can reach it), creates a database, and stops it and removes everything when dropped.
//! About a second. The binaries are the newest under `/usr/lib/postgresql/*/bin` (Debian's
//! layout), or those of `TEEKA_PG_BIN`.
//!
//! PostgreSQL refuses to run as root, so when the tests run as root the cluster belongs to the
//! `postgres` user and its commands run through `runuser -u postgres --`.
//!
//! Without PostgreSQL, [`PgCluster::start`] fails, saying how to install it: tests that need it
//! fail rather than pass silently, unless `TEEKA_SKIP_POSTGRES=1` is set (see
//! [`PgCluster::start_unless_skipped`]).

use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The environment variable that lets PostgreSQL tests be skipped, when set to `1`.
pub const SKIP_VAR: &str = "TEEKA_SKIP_POSTGRES";
/// The environment variable naming the directory of PostgreSQL's binaries, if not Debian's.
pub const BIN_VAR: &str = "TEEKA_PG_BIN";

/// The database [`PgCluster::url`] names.
const DATABASE: &str = "teeka";

/// Whether `TEEKA_SKIP_POSTGRES=1` is set.
pub fn skip_postgres() -> bool {
    std::env::var(SKIP_VAR).is_ok_and(|v| v.trim() == "1")
}

/// The directory of PostgreSQL's binaries: `TEEKA_PG_BIN`, or the newest
/// `/usr/lib/postgresql/VERSION/bin` holding `initdb`.
pub fn bin_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os(BIN_VAR) {
        let dir = PathBuf::from(dir);
        if !dir.join("initdb").is_file() {
            bail!("{BIN_VAR}={} holds no initdb", dir.display());
        }
        return Ok(dir);
    }
    let root = Path::new("/usr/lib/postgresql");
    let mut found: Vec<(Vec<u32>, PathBuf)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(root) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(version) = name.split('.').map(str::parse::<u32>).collect::<Result<Vec<u32>, _>>() else { continue };
            let bin = entry.path().join("bin");
            if bin.join("initdb").is_file() && bin.join("pg_ctl").is_file() {
                found.push((version, bin));
            }
        }
    }
    found.sort();
    match found.pop() {
        Some((_, bin)) => Ok(bin),
        None => bail!(
            "PostgreSQL is not installed (no {}/*/bin/initdb): install it with \
             `apt-get update && apt-get install -y postgresql`, or set {SKIP_VAR}=1 to skip the PostgreSQL tests",
            root.display()
        ),
    }
}

/// A running throwaway PostgreSQL cluster; stopped and deleted on drop.
pub struct PgCluster {
    dir: TempDir,
    bin: PathBuf,
    port: u16,
    /// Commands run as `postgres` through `runuser` (the tests run as root).
    as_postgres: bool,
}

impl std::fmt::Debug for PgCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgCluster").field("dir", &self.dir.path()).field("port", &self.port).finish()
    }
}

impl PgCluster {
    /// Starts a cluster, or `None` (with a note on stderr) if `TEEKA_SKIP_POSTGRES=1` is set.
    pub fn start_unless_skipped() -> anyhow::Result<Option<PgCluster>> {
        if skip_postgres() {
            eprintln!("{SKIP_VAR}=1: skipping a PostgreSQL test");
            return Ok(None);
        }
        PgCluster::start().map(Some)
    }

    /// Makes and starts a cluster with one database, [`PgCluster::url`].
    pub fn start() -> anyhow::Result<PgCluster> {
        let bin = bin_dir()?;
        let as_postgres = is_root()?;
        let dir = tempfile::Builder::new().prefix("teeka-pg-").tempdir().context("making a temporary directory")?;
        if as_postgres {
            run(Command::new("chown").arg("postgres:").arg(dir.path()))
                .context("giving the cluster's directory to the postgres user (is there a `postgres` user?)")?;
        }
        let mut cluster = PgCluster { dir, bin, port: 0, as_postgres };
        let data = cluster.data();
        run(cluster
            .pg_command("initdb")
            .args(["-A", "trust", "-U", "postgres", "--encoding=UTF8", "--no-locale", "--no-sync", "-D"])
            .arg(&data))
        .context("initdb")?;
        // The port is free when asked, but another process may take it before PostgreSQL binds
        // it: try a few.
        let mut failures = Vec::new();
        for _ in 0..5 {
            cluster.port = free_port()?;
            match cluster.pg_ctl_start() {
                Ok(()) => break,
                Err(e) => failures.push(format!("port {}: {e:#}", cluster.port)),
            }
            cluster.port = 0;
        }
        if cluster.port == 0 {
            bail!("PostgreSQL did not start:\n{}\n{}", failures.join("\n"), cluster.log_tail());
        }
        cluster.wait_ready()?;
        cluster.try_new_database(DATABASE)?;
        Ok(cluster)
    }

    /// `postgres://postgres@127.0.0.1:PORT/teeka`.
    pub fn url(&self) -> String {
        self.url_of(DATABASE)
    }

    /// The URL of a database of this cluster.
    pub fn url_of(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Creates another database and gives its URL; panics if it cannot (a test's setup).
    pub fn new_database(&self, name: &str) -> String {
        match self.try_new_database(name) {
            Ok(url) => url,
            Err(e) => panic!("creating the database '{name}': {e:#}"),
        }
    }

    /// Creates another database and gives its URL.
    pub fn try_new_database(&self, name: &str) -> anyhow::Result<String> {
        run(Command::new(self.bin.join("createdb"))
            .current_dir(self.dir.path())
            .args(["-h", "127.0.0.1", "-U", "postgres", "-p"])
            .arg(self.port.to_string())
            .arg(name))
        .with_context(|| format!("createdb {name}"))?;
        Ok(self.url_of(name))
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("postgres.log")
    }

    /// The end of the server's log, for error messages.
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.log()).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        format!("server log (last lines):\n{}", lines[lines.len().saturating_sub(20)..].join("\n"))
    }

    /// A command of PostgreSQL's, as the cluster's owner.
    fn pg_command(&self, program: &str) -> Command {
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.bin.join(program));
            c
        } else {
            Command::new(self.bin.join(program))
        };
        // The owner may not be allowed into the current directory.
        cmd.current_dir(self.dir.path());
        cmd
    }

    fn pg_ctl_start(&self) -> anyhow::Result<()> {
        // `-o` goes through a shell: quote the directory.
        let socket_dir = self.dir.path().display().to_string().replace('\'', "'\\''");
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k '{socket_dir}' -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off",
            self.port
        );
        run(self
            .pg_command("pg_ctl")
            .args(["start", "-w", "-t", "60", "-D"])
            .arg(self.data())
            .arg("-l")
            .arg(self.log())
            .arg("-o")
            .arg(options))
        .map(drop)
    }

    /// Waits until the server accepts connections on its port.
    fn wait_ready(&self) -> anyhow::Result<()> {
        let start = Instant::now();
        loop {
            let ready = Command::new(self.bin.join("pg_isready"))
                .current_dir(self.dir.path())
                .args(["-q", "-h", "127.0.0.1", "-p"])
                .arg(self.port.to_string())
                .status()
                .context("running pg_isready")?;
            if ready.success() {
                return Ok(());
            }
            if start.elapsed() > Duration::from_secs(60) {
                bail!("PostgreSQL did not accept connections within a minute\n{}", self.log_tail());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if self.data().join("postmaster.pid").exists() {
            let _ = self.pg_command("pg_ctl").args(["stop", "-m", "immediate", "-w", "-D"]).arg(self.data()).output();
        }
        // The TempDir removes the directory.
    }
}

/// Whether this process runs as root (PostgreSQL then runs as `postgres`).
fn is_root() -> anyhow::Result<bool> {
    let out = run(Command::new("id").arg("-u")).context("finding the current user")?;
    Ok(String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// A TCP port of 127.0.0.1 that nothing listens on now.
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// Runs a command to its end; an error with its output if it fails.
fn run(cmd: &mut Command) -> anyhow::Result<Output> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_starts_takes_connections_and_goes_away() -> anyhow::Result<()> {
        let Some(cluster) = PgCluster::start_unless_skipped()? else { return Ok(()) };
        let dir = cluster.dir.path().to_path_buf();
        assert!(cluster.url().starts_with("postgres://postgres@127.0.0.1:"));
        let other = cluster.try_new_database("other")?;
        assert!(other.ends_with("/other"));
        let psql = Command::new(cluster.bin.join("psql"))
            .current_dir(&dir)
            .args(["-X", "-A", "-t", "-c", "SELECT current_database()"])
            .arg(&other)
            .output()?;
        assert!(psql.status.success(), "{}", String::from_utf8_lossy(&psql.stderr));
        assert_eq!(String::from_utf8_lossy(&psql.stdout).trim(), "other");
        // The socket is private: in the cluster's own directory.
        assert!(std::fs::read_dir(&dir)?.flatten().any(|e| e.file_name().to_string_lossy().starts_with(".s.PGSQL.")));
        drop(cluster);
        assert!(!dir.exists());
        Ok(())
    }
}
