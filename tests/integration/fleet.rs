//! The fleet: explicit migrations, one master key for every machine, tenants that
//! bring their own Microsoft 365 directories (secrets and certificates), `doctor`,
//! and secrets from files. TLS to Postgres and the shared vector memory in object
//! storage are in `tls.rs` and `s3.rs`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::common::*;
use crate::graph_sim::*;
use crate::openai_sim::{OpenAiSim, TENANT_KEY};

const KEY_A: &str = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
const KEY_B: &str = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";

/// Run with `stdin` fed to the process.
fn piped(mut c: Command, stdin: &str) -> Output {
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn with_key(env: &Env, key: &str) -> Command {
    let mut c = env.cmd();
    c.env("ATOM_SYNC_MASTER_KEY", key);
    c
}

/// The tenants' LLM provider is the simulator (doctor asks it whether a key works).
fn with_ai(mut c: Command, ai: &OpenAiSim) -> Command {
    c.env("ATOM_SYNC_LLM_BASE_URL", ai.base_url());
    c
}

fn openssl(dir: &Path, args: &[&str]) {
    let o = Command::new("openssl").current_dir(dir).args(args).output().expect("openssl");
    assert!(o.status.success(), "openssl {args:?}: {}", stderr(&o));
}

/// A self-signed certificate and its RSA key, as an app registration uploads one:
/// (the PEM holding both, the certificate's x5t, the public key as PKCS#1 DER).
fn app_certificate(dir: &Path) -> (String, String, Vec<u8>) {
    std::fs::create_dir_all(dir).unwrap();
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "app.key",
            "-out",
            "app.pem",
            "-days",
            "2",
            "-subj",
            "/CN=atom-sync-test-app",
        ],
    );
    openssl(dir, &["rsa", "-in", "app.key", "-RSAPublicKey_out", "-outform", "DER", "-out", "app.pub"]);
    openssl(dir, &["x509", "-in", "app.pem", "-outform", "DER", "-out", "app.der"]);
    let der = std::fs::read(dir.join("app.der")).unwrap();
    let x5t = atom_sync::connection::assertion::base64url(
        ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &der).as_ref(),
    );
    let pem = format!(
        "{}{}",
        std::fs::read_to_string(dir.join("app.key")).unwrap(),
        std::fs::read_to_string(dir.join("app.pem")).unwrap()
    );
    (pem, x5t, std::fs::read(dir.join("app.pub")).unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_is_migrated_explicitly_and_a_schema_mismatch_is_refused() {
    if postgres_admin_url().is_none() {
        return;
    }
    let env = Env::unmigrated(Backend::Postgres).await;
    let o = env.run(&["status"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("run `atom-sync migrate`"), "{}", stderr(&o));
    let o = env.run(&["migrate"]);
    let (now, next) = (atom_sync::store::SCHEMA_VERSION, atom_sync::store::SCHEMA_VERSION + 1);
    assert!(stdout(ok(&o)).contains(&format!("migrated from version 0 to {now}")), "{}", stdout(&o));
    assert!(stdout(ok(&env.run(&["migrate"]))).contains(&format!("up to date at version {now}")));
    ok(&env.run(&["status"]));
    let doc: serde_json::Value = serde_json::from_str(&stdout(ok(&env.run(&["migrate", "--json"])))).unwrap();
    assert_eq!((doc["before"].as_i64(), doc["after"].as_i64()), (Some(now), Some(now)));

    // the next version is out and only adds: this binary keeps working, and says so
    exec_sql(
        &env,
        &format!(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES ({next}, 'from the future', TRUE, '\\x00', 0)"
        ),
    )
    .await;
    exec_sql(
        &env,
        &format!("INSERT INTO schema_compat (version, additive, note) VALUES ({next}, TRUE, 'a new table')"),
    )
    .await;
    let o = env.run(&["status"]);
    ok(&o);
    assert!(stderr(&o).contains("one ahead") && stderr(&o).contains("only adds"), "{}", stderr(&o));
    // one that changes what exists: refused until the binary is upgraded
    exec_sql(&env, &format!("UPDATE schema_compat SET additive = FALSE WHERE version = {next}")).await;
    let o = env.run(&["status"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("upgrade atom-sync"), "{}", stderr(&o));
}

/// One master key for the fleet: a shared store records its fingerprint; a machine
/// with another key (or none) refuses what needs it, says so at start, and leaves
/// those jobs to workers that hold it. Keys and secrets may come from files.
#[tokio::test(flavor = "multi_thread")]
async fn one_master_key_for_the_fleet() {
    let ai = OpenAiSim::start();
    for backend in backends() {
        let env = Env::new(backend).await;
        let key_file = env.data_dir().join("master-key-credential");
        std::fs::write(&key_file, format!("{KEY_A}\n")).unwrap();
        // the fleet's key, from a file (as systemd credentials hand it over)
        let mut c = env.cmd();
        c.env("ATOM_SYNC_MASTER_KEY_FILE", &key_file).args([
            "keys",
            "set",
            "--tenant",
            "keyed",
            "--provider",
            "openai",
        ]);
        ok(&piped(c, &format!("{TENANT_KEY}\n")));
        // both forms at once is a mistake, and says which
        let mut c = with_key(&env, KEY_A);
        c.env("ATOM_SYNC_MASTER_KEY_FILE", &key_file).args(["status"]);
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains("ATOM_SYNC_MASTER_KEY and ATOM_SYNC_MASTER_KEY_FILE are both set"),
            "{}",
            stderr(&o)
        );

        // another key cannot seal for the fleet
        let mut c = with_key(&env, KEY_B);
        c.args(["keys", "set", "--tenant", "other", "--provider", "openai"]);
        let o = piped(c, "sk-test-other-000000000000000\n");
        assert_eq!(o.status.code(), Some(2), "{backend:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("not the fleet's"), "{}", stderr(&o));

        // nor start a job that needs the key
        let sample = format!("mbox:{}", sample_mbox().display());
        let mut c = with_key(&env, KEY_B);
        c.args(["backfill", "--tenant", "keyed", "--source", &sample, "--detach"]);
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("tenant keyed") && stderr(&o).contains("not the fleet's"), "{}", stderr(&o));
        assert!(status_json(&env, &[])["jobs"].as_array().unwrap().is_empty(), "no job was created");

        // jobs enqueued by a machine with the key; a worker without it leaves the
        // keyed tenant's job alone and says so at start
        ok(&with_key(&env, KEY_A)
            .args(["backfill", "--tenant", "keyed", "--source", &sample, "--detach"])
            .output()
            .unwrap());
        ok(&env.run(&["backfill", "--tenant", "plain", "--source", &sample, "--detach"]));
        let mut c = with_ai(with_key(&env, KEY_B), &ai);
        c.args(["worker", "--once"]);
        let (code, log) = Proc::spawn_cmd(c).wait(Duration::from_secs(300));
        assert_eq!(code, 0, "{log}");
        assert!(log.contains("not the fleet's") && log.contains("left to other workers"), "{log}");
        let state = |t: &str| status_json(&env, &["--tenant", t])["jobs"][0]["state"].as_str().unwrap().to_string();
        assert_eq!((state("plain"), state("keyed")), ("completed".to_string(), "pending".to_string()), "{backend:?}");
        let mut c = with_ai(env.cmd(), &ai);
        c.env("ATOM_SYNC_MASTER_KEY_FILE", &key_file).args(["worker", "--once"]);
        assert_eq!(Proc::spawn_cmd(c).wait(Duration::from_secs(300)).0, 0);
        assert_eq!(state("keyed"), "completed");

        // doctor says which key this machine holds against the fleet's
        let doctor = |key: &str| {
            let o = with_ai(with_key(&env, key), &ai).args(["doctor", "--json"]).output().unwrap();
            let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_default();
            let row = doc["checks"].as_array().unwrap().iter().find(|c| c["check"] == "master key").unwrap().clone();
            (o.status.code(), row["status"].as_str().unwrap().to_string())
        };
        assert_eq!(doctor(KEY_A), (Some(0), "ok".to_string()), "{backend:?}");
        assert_eq!(doctor(KEY_B), (Some(4), "fail".to_string()), "{backend:?}");
    }
}

/// Tenants bring their own Microsoft 365 directories: one signs in with a client
/// secret, one with a certificate; a worker with no default credentials serves both,
/// each with its own directory's token, and leaves a Graph job it cannot serve.
#[tokio::test(flavor = "multi_thread")]
async fn each_tenant_reads_its_own_directory_with_a_secret_or_a_certificate() {
    let sim = GraphSim::start(0);
    let dir = tempfile::tempdir().unwrap();
    let (pem, x5t, public) = app_certificate(&dir.path().join("cert"));
    let (d1, c1, s1) =
        ("aaaaaaaa-0000-0000-0000-000000000001", "c1c1c1c1-0000-0000-0000-000000000001", "d1~Secret.Never-Shown-1");
    let (d2, c2) = ("bbbbbbbb-0000-0000-0000-000000000002", "c2c2c2c2-0000-0000-0000-000000000002");
    sim.with(|s| {
        s.directories.insert(d1.into(), SimApp { client_id: c1.into(), secret: Some(s1.into()), certificate: None });
        s.directories
            .insert(d2.into(), SimApp { client_id: c2.into(), secret: None, certificate: Some((x5t.clone(), public)) });
    });
    let now = atom_sync::time::now_ms();
    for (d, user, n) in [(d1, "ann@one.test", 12), (d2, "bo@two.test", 9)] {
        sim.add_mailbox_in(d, user, &["Inbox"]);
        for i in 0..n {
            let at = atom_sync::time::rfc3339(now - 86_400_000 * (i + 1));
            let m = message(
                &format!("AAMk{user}{i}="),
                &at,
                &format!("note {i}"),
                ("A", user),
                &[("B", user)],
                "hello",
                &format!("{i}.{user}"),
                "conv",
            );
            sim.put(user, "Inbox", m);
        }
    }
    for backend in backends() {
        let env = Env::new(backend).await;
        // the simulator's Graph, and no default credentials anywhere
        let graph = |c: &mut Command| {
            c.env("ATOM_SYNC_MASTER_KEY", KEY_A)
                .env("ATOM_SYNC_GRAPH_URL", sim.graph_url())
                .env("ATOM_SYNC_LOGIN_URL", sim.login_url())
                .env("ATOM_SYNC_GRAPH_RETRY_BASE", "50ms");
        };
        let run = |args: &[&str], stdin: Option<&str>| {
            let mut c = env.cmd();
            graph(&mut c);
            c.args(args);
            match stdin {
                Some(s) => piped(c, s),
                None => c.output().unwrap(),
            }
        };
        ok(&run(&["connect", "--tenant", "one", "--directory", d1, "--client-id", c1], Some(&format!("{s1}\n"))));
        ok(&run(&["connect", "--tenant", "two", "--directory", d2, "--client-id", c2, "--certificate"], Some(&pem)));
        let bad = run(
            &["connect", "--tenant", "three", "--directory", d2, "--client-id", c2, "--certificate"],
            Some("not a pem"),
        );
        assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
        assert!(stderr(&bad).contains("tenant three: the certificate"), "{}", stderr(&bad));
        let list = run(&["connect", "--list", "--json"], None);
        let text = stdout(ok(&list));
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["connections"].as_array().unwrap().len(), 2);
        assert_eq!(doc["connections"][1]["auth"], "certificate");
        assert_eq!(doc["connections"][1]["thumbprint"], x5t);
        let key_body: String = pem.lines().nth(1).unwrap().to_string();
        for secret in [s1, key_body.as_str()] {
            assert!(!text.contains(secret) && !stdout(&run(&["connect", "--list"], None)).contains(secret));
        }

        // a tenant with no connection, in a process without defaults: refused before a job exists
        let o =
            run(&["backfill", "--tenant", "three", "--source", "graph", "--mailbox", "x@three.test", "--detach"], None);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("tenant three has no Microsoft 365 connection"), "{}", stderr(&o));
        // ... and a Graph job of such a tenant (made where defaults exist) is not claimed here
        let store = env.store().await;
        let orphan = store
            .create_job(&atom_sync::job::NewJob {
                tenant: "three".into(),
                source: "graph:x@three.test".into(),
                mailbox: "x@three.test".into(),
                chunk_size: 100,
                max_body_bytes: 10_240,
                estimated_total: None,
                cursor: None,
                llm_token_cap: None,
            })
            .await
            .unwrap();
        for (t, user) in [("one", "ann@one.test"), ("two", "bo@two.test")] {
            ok(&run(&["backfill", "--tenant", t, "--source", "graph", "--mailbox", user, "--detach"], None));
        }
        let mut c = env.cmd();
        graph(&mut c);
        c.args(["worker", "--once", "--concurrency", "2"]);
        let (code, log) = Proc::spawn_cmd(c).wait(Duration::from_secs(120));
        assert_eq!(code, 0, "{log}");
        assert!(log.contains("no default Graph credentials"), "{log}");
        let done = |t: &str| status_json(&env, &["--tenant", t])["jobs"][0].clone();
        assert_eq!((done("one")["state"].as_str(), done("one")["processed"].as_i64()), (Some("completed"), Some(12)));
        assert_eq!((done("two")["state"].as_str(), done("two")["processed"].as_i64()), (Some("completed"), Some(9)));
        assert_eq!(store.job(&orphan.id).await.unwrap().state, atom_sync::job::JobState::Pending);

        // doctor signs in to each directory and reads a page of each tenant's mailbox
        let o = run(&["doctor", "--json"], None);
        let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let graph_rows: Vec<&serde_json::Value> =
            doc["checks"].as_array().unwrap().iter().filter(|c| c["check"] == "graph").collect();
        assert_eq!(graph_rows.len(), 2, "{doc}");
        for r in &graph_rows {
            assert_eq!(r["status"], "ok", "{r}");
            assert!(r["detail"].as_str().unwrap().contains("read a page of mailbox"), "{r}");
        }
        assert!(!stdout(&o).contains(s1) && !stdout(&o).contains(&key_body));

        ok(&run(&["connect", "--remove", "--tenant", "two"], None));
        let doc: serde_json::Value =
            serde_json::from_str(&stdout(ok(&run(&["connect", "--list", "--json"], None)))).unwrap();
        assert_eq!(doc["connections"].as_array().unwrap().len(), 1);
        assert_eq!(run(&["connect", "--remove", "--tenant", "two"], None).status.code(), Some(2));
    }
}

/// `doctor` on a machine whose store cannot be reached fails, naming it, without the
/// password; on a healthy embedded install every check passes or is skipped.
#[tokio::test(flavor = "multi_thread")]
async fn doctor_reports_each_check_and_fails_on_any_failure() {
    let env = Env::new(Backend::Sqlite).await;
    let o = env.run(&["doctor"]);
    ok(&o);
    for check in ["database", "tls", "schema", "vectors", "master key"] {
        assert!(stdout(&o).contains(check), "{check}: {}", stdout(&o));
    }
    let mut c = env.cmd();
    c.env("DATABASE_URL", "postgres://atom:hunter2-secret@127.0.0.1:1/atom").args(["doctor", "--json"]);
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["checks"][0]["status"], "fail");
    assert!(!stdout(&o).contains("hunter2"), "{}", stdout(&o));
}
