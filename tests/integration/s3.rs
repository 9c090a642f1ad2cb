//! The vector memory in object storage that a fleet shares: a real S3-compatible
//! server on loopback (moto's standalone server, from PyPI; `.ci/run` installs it in
//! a venv), two workers each with a data dir of its own (as on two machines), one
//! Postgres, one `s3://` location, several tenants, and `compact` running beside
//! them. Afterwards every tenant verifies clean and each message has one vector.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use atom_sync::embed::{Embedder, LocalEmbedder};
use atom_sync::sink::{LanceSink, Location};

use crate::common::*;

/// moto's S3 server on a loopback port, stopped when dropped.
pub struct Moto {
    child: Child,
    pub endpoint: String,
}

fn moto_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ATOM_SYNC_TEST_MOTO").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let venv = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/atom-sync-venv/bin/moto_server"));
    if let Some(v) = venv.filter(|v| v.exists()) {
        return Some(v);
    }
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| PathBuf::from(d).join("moto_server")).find(|p| p.exists())
}

impl Moto {
    pub fn start() -> Option<Moto> {
        let bin = moto_binary()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let moto = Moto { child, endpoint: format!("http://127.0.0.1:{port}") };
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(60), "moto_server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(moto)
    }

    pub async fn create_bucket(&self, name: &str) {
        let r = reqwest::Client::new().put(format!("{}/{name}", self.endpoint)).send().await.unwrap();
        assert!(r.status().is_success(), "creating bucket {name}: {}", r.status());
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The S3 settings every process of the fleet gets (the standard AWS environment,
/// and the endpoint of the S3-compatible server).
fn s3_env(c: &mut Command, moto: &Moto, uri: &str) {
    c.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("ATOM_SYNC_LANCE_URI", uri)
        .env("ATOM_SYNC_LANCE_S3_ENDPOINT", &moto.endpoint);
}

#[tokio::test(flavor = "multi_thread")]
async fn workers_on_separate_machines_share_one_vector_memory_in_object_storage() {
    let Some(moto) = Moto::start() else {
        eprintln!("note: moto_server not found (ATOM_SYNC_TEST_MOTO, or .ci/run's venv); S3 test skipped");
        return;
    };
    if postgres_admin_url().is_none() {
        eprintln!("note: ATOM_SYNC_TEST_DATABASE_URL is not set; a fleet shares Postgres: S3 test skipped");
        return;
    }
    moto.create_bucket("atom-fleet").await;
    let uri = "s3://atom-fleet/vectors";
    let env = Env::new(Backend::Postgres).await;
    let cmd = |data_dir: &std::path::Path| {
        let mut c = env.cmd();
        s3_env(&mut c, &moto, uri);
        c.arg("--data-dir").arg(data_dir);
        c
    };
    // machine A enqueues; the sample mailbox for each of three tenants
    let sample = format!("mbox:{}", sample_mbox().display());
    let tenants = ["north", "south", "west"];
    for t in tenants {
        ok(&cmd(env.data_dir())
            .args(["backfill", "--tenant", t, "--source", &sample, "--chunk-size", "25", "--detach"])
            .output()
            .unwrap());
    }
    // machines B and C work; A compacts beside them
    let (b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let workers: Vec<Proc> = [b.path(), c.path()]
        .iter()
        .map(|d| {
            let mut w = cmd(d);
            w.args(["worker", "--once", "--concurrency", "2", "--poll", "100ms"]);
            Proc::spawn_cmd(w)
        })
        .collect();
    let mut workers = workers;
    let mut compactions = 0;
    let start = Instant::now();
    while workers.iter_mut().any(|w| !w.exited()) && start.elapsed() < Duration::from_secs(600) {
        let o = cmd(env.data_dir()).args(["compact", "--json"]).output().unwrap();
        ok(&o);
        compactions += 1;
        std::thread::sleep(Duration::from_millis(500));
    }
    for w in workers {
        let (code, log) = w.wait(Duration::from_secs(60));
        assert_eq!(code, 0, "{log}");
    }
    eprintln!("{compactions} compactions ran beside the workers");
    assert!(compactions >= 1);
    for d in [b.path(), c.path()] {
        assert!(!d.join("lance").exists(), "a worker wrote vectors to its own disk");
    }
    // every tenant: one vector per message, verify clean from any machine
    let e = LocalEmbedder::load().unwrap();
    let at = Location {
        uri: uri.to_string(),
        options: vec![
            ("aws_endpoint".into(), moto.endpoint.clone()),
            ("allow_http".into(), "true".into()),
            ("aws_access_key_id".into(), "testing".into()),
            ("aws_secret_access_key".into(), "testing".into()),
            ("aws_region".into(), "us-east-1".into()),
        ],
    };
    let sink = LanceSink::open(&at, "messages", e.name(), e.dimension()).await.unwrap();
    for t in tenants {
        let job = &status_json(&env, &["--tenant", t])["jobs"][0];
        assert_eq!(
            (job["state"].as_str(), job["processed"].as_i64()),
            (Some("completed"), Some(SAMPLE_MESSAGES)),
            "{job}"
        );
        assert_eq!(sink.count(t).await.unwrap() as i64, SAMPLE_MESSAGES, "tenant {t}: one vector per message");
        assert_eq!(sink.message_id_set(t).await.unwrap().len() as i64, SAMPLE_MESSAGES);
        let o = cmd(c.path()).args(["verify", "--tenant", t]).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{t}: {}{}", stdout(&o), stderr(&o));
    }
    // doctor writes and removes its probe at the shared location
    let o = cmd(b.path()).args(["doctor", "--json"]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let v = doc["checks"].as_array().unwrap().iter().find(|c| c["check"] == "vectors").unwrap().clone();
    assert_eq!(v["status"], "ok", "{v}");
}
