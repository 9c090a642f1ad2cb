//! Test harness: isolated data dirs and databases, and the binary with a clean env.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atom_sync::embed::{Embedder, LocalEmbedder};
use atom_sync::sink::LanceSink;
use atom_sync::store::{Store, TenantDigest};

pub const BIN: &str = env!("CARGO_BIN_EXE_atom-sync");

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample_mbox() -> PathBuf {
    repo().join("examples/sample.mbox")
}

pub const SAMPLE_MESSAGES: i64 = 300;

/// The Postgres server tests create their databases on, when configured.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("ATOM_SYNC_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; Postgres too when a server is configured.
pub fn backends() -> Vec<Backend> {
    let mut b = vec![Backend::Sqlite];
    if postgres_admin_url().is_some() {
        b.push(Backend::Postgres);
    } else {
        eprintln!("note: ATOM_SYNC_TEST_DATABASE_URL is not set; Postgres half skipped");
    }
    b
}

/// One isolated installation: a temp data dir, and for Postgres a fresh database.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub database_url: Option<String>,
}

impl Env {
    /// An installation ready to use: Postgres databases are migrated, as an operator
    /// does once with `atom-sync migrate` (SQLite migrates itself).
    pub async fn new(backend: Backend) -> Env {
        let env = Env::unmigrated(backend).await;
        if let Some(url) = &env.database_url {
            atom_sync::store::migrate(Some(url), env.data_dir()).await.unwrap();
        }
        env
    }

    /// A new installation whose Postgres database has no schema yet.
    pub async fn unmigrated(backend: Backend) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(fresh_database().await),
        };
        Env { dir, database_url }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn lance_uri(&self) -> String {
        atom_sync::settings::lance_uri(None, self.data_dir())
    }

    /// The binary with every ATOM_SYNC_* / DATABASE_URL of the caller removed, so the
    /// developer's environment cannot leak in.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(BIN);
        for (k, _) in std::env::vars() {
            if k.starts_with("ATOM_SYNC_") || k == "DATABASE_URL" {
                c.env_remove(k);
            }
        }
        c.env("ATOM_SYNC_DATA_DIR", self.data_dir());
        if let Some(url) = &self.database_url {
            c.env("DATABASE_URL", url);
        }
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// The binary with `input` on its stdin (a pipe, not a terminal: no prompt).
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child =
            self.cmd().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    pub async fn store(&self) -> Arc<dyn Store> {
        atom_sync::store::connect(self.database_url.as_deref(), self.data_dir()).await.unwrap()
    }

    pub async fn sink(&self) -> LanceSink {
        let e = LocalEmbedder::load().unwrap();
        LanceSink::open(&self.lance_uri(), "messages", e.name(), e.dimension()).await.unwrap()
    }

    pub async fn digest(&self, tenant: &str) -> TenantDigest {
        self.store().await.digest(tenant).await.unwrap()
    }
}

impl Drop for Env {
    /// Drop the test's Postgres database (its own runtime: Drop cannot await).
    fn drop(&mut self) {
        let (Some(url), Some(admin)) = (self.database_url.take(), postgres_admin_url()) else { return };
        let name = url.rsplit('/').next().unwrap_or_default().to_string();
        let _ = std::thread::spawn(move || {
            use sqlx::Connection;
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    // the name is ours (a uuid), not input
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await;
                }
            });
        })
        .join();
    }
}

async fn fresh_database() -> String {
    use sqlx::Connection;
    let admin = postgres_admin_url().expect("postgres configured");
    let name = format!("atom_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    // the name is ours (a uuid), not input
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
    // same server and credentials, the new database
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Assert success and show both streams when not.
pub fn ok(o: &Output) -> &Output {
    assert!(o.status.success(), "exit {:?}\nstdout:\n{}\nstderr:\n{}", o.status.code(), stdout(o), stderr(o));
    o
}

pub fn status_json(env: &Env, args: &[&str]) -> serde_json::Value {
    let mut a = vec!["status", "--json"];
    a.extend_from_slice(args);
    let o = env.run(&a);
    ok(&o);
    serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("status --json is not JSON: {e}\n{}", stdout(&o)))
}

/// A `verify --json` finding by check name.
pub fn finding(doc: &serde_json::Value, check: &str) -> Option<serde_json::Value> {
    doc["report"]["findings"].as_array()?.iter().find(|f| f["check"] == check).cloned()
}

/// Run one statement on the env's database, whichever engine it is.
pub async fn exec_sql(env: &Env, sql: &str) {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match &env.database_url {
        Some(url) => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
        None => {
            let url = format!("sqlite:{}", env.data_dir().join("atom-sync.db").display());
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
}

/// A running atom-sync process whose stderr is collected line by line.
pub struct Proc {
    pub child: Child,
    pub lines: Arc<Mutex<Vec<String>>>,
}

impl Proc {
    pub fn spawn(env: &Env, args: &[&str]) -> Proc {
        let mut cmd = env.cmd();
        cmd.args(args);
        Proc::spawn_cmd(cmd)
    }

    /// A process from a prepared command (extra env, say).
    pub fn spawn_cmd(mut cmd: Command) -> Proc {
        let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines() {
                sink.lock().unwrap().push(l.unwrap_or_default());
            }
        });
        Proc { child, lines }
    }

    /// Lines so far that contain `needle`.
    pub fn count(&self, needle: &str) -> usize {
        self.lines.lock().unwrap().iter().filter(|l| l.contains(needle)).count()
    }

    /// Whether the process has exited.
    pub fn exited(&mut self) -> bool {
        self.child.try_wait().unwrap().is_some()
    }

    pub fn log(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    pub fn wait_line(&self, needle: &str, timeout: Duration) {
        let start = Instant::now();
        while !self.lines.lock().unwrap().iter().any(|l| l.contains(needle)) {
            assert!(start.elapsed() < timeout, "{needle:?} never appeared in:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn signal(&self, sig: &str) {
        let pid = self.child.id().to_string();
        assert!(std::process::Command::new("kill").args([sig, &pid]).status().unwrap().success());
    }

    pub fn wait(mut self, timeout: Duration) -> (i32, String) {
        let start = Instant::now();
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(50)); // let the reader drain
                return (st.code().unwrap_or(-1), self.log());
            }
            if start.elapsed() > timeout {
                let _ = self.child.kill();
                panic!("process did not exit within {timeout:?}:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

pub fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
