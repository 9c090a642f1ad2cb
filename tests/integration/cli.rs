//! The command line's contract: clear errors with exit codes, and fresh completions.

use crate::common::*;

#[tokio::test]
async fn bad_input_names_the_thing_and_exits_2() {
    let env = Env::new(Backend::Sqlite).await;
    let sample = format!("mbox:{}", sample_mbox().display());
    let cases: [(&[&str], &str); 5] = [
        (&["backfill", "--tenant", "a b", "--source", &sample], "tenant \"a b\""),
        (&["backfill", "--tenant", "acme", "--source", "pst:/x"], "unknown kind \"pst\""),
        (&["backfill", "--tenant", "acme", "--source", "mbox:/no/such/file.mbox"], "/no/such/file.mbox"),
        (&["status", "0123abcd"], "job 0123abcd not found"),
        (&["resume", "zz"], "job id \"zz\""),
    ];
    for (args, needle) in cases {
        let o = env.run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
    // usage errors are clap's, also 2
    assert_eq!(env.run(&["backfill"]).status.code(), Some(2));
    assert_eq!(env.run(&["status", "--state", "done"]).status.code(), Some(2));
}

/// Every command that reports speaks JSON on request: one document on stdout, jobs in
/// the shape `status --json` gives them.
#[tokio::test]
async fn commands_that_report_speak_json() {
    let env = Env::new(Backend::Sqlite).await;
    let sample = format!("mbox:{}", sample_mbox().display());
    let doc = |args: &[&str]| -> serde_json::Value {
        let o = env.run(args);
        serde_json::from_str(&stdout(ok(&o))).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", stdout(&o)))
    };
    let plan = doc(&["backfill", "--tenant", "acme", "--source", &sample, "--dry-run", "--json"]);
    assert_eq!(plan["dry_run"]["messages"], 300, "{plan}");
    let queued = doc(&["backfill", "--tenant", "acme", "--source", &sample, "--detach", "--json"]);
    let id = queued["jobs"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(queued["jobs"][0]["state"], "pending", "{queued}");
    // enqueued again: the job that waits already, in the same shape
    let again = doc(&["backfill", "--tenant", "acme", "--source", &sample, "--detach", "--json"]);
    assert_eq!(again["jobs"][0]["id"], id.as_str(), "{again}");
    let paused = doc(&["pause", &id[..8], "--json"]);
    assert_eq!(
        (paused["jobs"][0]["id"].as_str(), paused["jobs"][0]["state"].as_str()),
        (Some(id.as_str()), Some("paused"))
    );
    let resumed = doc(&["resume", &id[..8], "--json"]);
    let job = &resumed["jobs"][0];
    assert_eq!((job["state"].as_str(), job["processed"].as_i64()), (Some("completed"), Some(300)), "{resumed}");
    assert!(job["entities"].as_i64().unwrap() > 0 && job["duration_seconds"].is_u64(), "{job}");
    let ran = doc(&["backfill", "--tenant", "acme", "--source", &sample, "--json"]);
    assert_eq!(ran["jobs"][0]["state"], "completed", "{ran}");
    let queued = doc(&["backfill", "--tenant", "acme", "--source", &sample, "--detach", "--json"]);
    let cancelled = doc(&["cancel", queued["jobs"][0]["id"].as_str().unwrap(), "--json"]);
    assert_eq!(cancelled["jobs"][0]["state"], "cancelled", "{cancelled}");

    // the commands that change settings say what they did, keys masked
    let secret = "sk-test-FAKE-json-0123456789WXYZ";
    let o = env
        .run_with_stdin(&["keys", "set", "--tenant", "acme", "--provider", "openai", "--json"], &format!("{secret}\n"));
    let set: serde_json::Value = serde_json::from_str(&stdout(ok(&o))).unwrap();
    assert_eq!((set["tenant"].as_str(), set["stored"].as_bool()), (Some("acme"), Some(true)), "{set}");
    assert!(!stdout(&o).contains(secret) && set["hint"].as_str().unwrap().ends_with("WXYZ"), "{set}");
    let chosen =
        doc(&["embedder", "set", "--tenant", "acme", "openai:text-embedding-3-small", "--dimensions", "256", "--json"]);
    assert_eq!(chosen["table"], "messages_openai_text_embedding_3_small_256", "{chosen}");
    assert_eq!((chosen["previous_table"].as_str(), chosen["key_missing"].as_bool()), (Some("messages"), Some(false)));
    let removed = doc(&["keys", "remove", "--tenant", "acme", "--provider", "openai", "--json"]);
    assert_eq!(removed["removed"], true, "{removed}");
    let compacted = doc(&["compact", "--json"]);
    assert!(compacted["tables"].as_array().is_some_and(|t| !t.is_empty()), "{compacted}");
}

/// Logs that go to a file, journald or a pipe carry no colour codes.
#[tokio::test]
async fn logs_off_a_terminal_are_plain_text() {
    let env = Env::new(Backend::Sqlite).await;
    let sample = format!("mbox:{}", sample_mbox().display());
    let o = env.run(&["-vv", "backfill", "--tenant", "acme", "--source", &sample, "--chunk-size", "150"]);
    ok(&o);
    assert!(stderr(&o).lines().count() > 5, "{}", stderr(&o));
    assert!(!stderr(&o).contains('\x1b'), "ANSI codes in piped logs: {}", &stderr(&o)[..stderr(&o).len().min(2000)]);
}

#[tokio::test]
async fn an_unreachable_postgres_is_a_transient_failure_without_the_password() {
    let env = Env::new(Backend::Sqlite).await;
    let o =
        env.cmd().args(["status"]).env("DATABASE_URL", "postgres://op:s3cret-pw@127.0.0.1:1/nope").output().unwrap();
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("op:***@127.0.0.1:1"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("s3cret-pw"), "password leaked: {}", stderr(&o));
}

#[test]
fn committed_completions_are_fresh() {
    for (shell, file) in [
        ("bash", "atom-sync.bash"),
        ("zsh", "_atom-sync"),
        ("fish", "atom-sync.fish"),
        ("powershell", "_atom-sync.ps1"),
    ] {
        let o = std::process::Command::new(BIN).args(["completions", shell]).output().unwrap();
        assert!(o.status.success());
        let path = repo().join("completions").join(file);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == stdout(&o),
            "{} is stale; regenerate with: cargo run -q -- completions {shell} > completions/{file}",
            path.display()
        );
    }
}

#[tokio::test]
async fn processes_opening_a_new_data_dir_at_once_all_succeed() {
    // they race to apply the SQLite migrations; the lock file makes them take turns
    for _ in 0..3 {
        let env = Env::new(Backend::Sqlite).await;
        let children: Vec<_> = (0..6)
            .map(|_| {
                env.cmd()
                    .args(["status", "--json"])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", stderr(&o));
        }
    }
}

#[tokio::test]
async fn a_job_whose_source_vanished_fails_with_exit_3() {
    let env = Env::new(Backend::Sqlite).await;
    let dir = env.data_dir().join("export");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("1.eml"), "Message-ID: <1@x>\nFrom: a@x.com\nSubject: s\n\nb\n").unwrap();
    let id = stdout(ok(&env.run(&[
        "backfill",
        "--tenant",
        "acme",
        "--source",
        &format!("eml:{}", dir.display()),
        "--detach",
    ])))
    .trim()
    .to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    let o = env.run(&["resume", &id]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("job {id} failed")) && stderr(&o).contains("export"), "{}", stderr(&o));
    let job = &status_json(&env, &[&id])["jobs"][0];
    assert_eq!(job["state"], "failed");
    assert!(job["last_error"].as_str().unwrap().contains("export"), "{job}");
}

#[tokio::test]
async fn a_damaged_store_is_an_internal_error_with_exit_1() {
    let env = Env::new(Backend::Sqlite).await;
    ok(&env.run(&["status"]));
    let url = format!("sqlite:{}", env.data_dir().join("atom-sync.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    // someone edited an applied migration: refusing to go on is right, and it is not the user's input
    sqlx::query("UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 1").execute(&pool).await.unwrap();
    pool.close().await;
    let o = env.run(&["status"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("migration"), "{}", stderr(&o));
}

#[tokio::test]
async fn json_logs_and_prometheus_metrics() {
    let env = Env::new(Backend::Sqlite).await;
    let o = env.run(&[
        "--log-format",
        "json",
        "backfill",
        "--tenant",
        "acme",
        "--source",
        &format!("mbox:{}", sample_mbox().display()),
    ]);
    ok(&o);
    let events: Vec<serde_json::Value> =
        stderr(&o).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect();
    assert!(events.iter().any(|e| e["event"] == "chunk_committed" && e["processed"].is_number()), "{events:?}");
    assert!(events.iter().any(|e| e["event"] == "job_finished" && e["state"] == "completed"));
    // one shape: the same keys first on every line, and a job's lines name it
    for e in &events {
        let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        for k in ["timestamp", "level", "target", "message"] {
            assert!(keys.contains(&k), "{k} missing: {e}");
        }
        if e.get("event").is_some() {
            assert!(e["job"].is_string() && e["tenant"] == "acme" && e["mailbox"].is_string(), "{e}");
        }
    }
    // an error ends as a line of the same shape, with its causes
    let o = env.run(&["--log-format", "json", "resume", "no-such-job"]);
    assert_eq!(o.status.code(), Some(2));
    let last: serde_json::Value = serde_json::from_str(stderr(&o).lines().last().unwrap()).unwrap();
    assert!(last["level"] == "ERROR" && last["message"].as_str().unwrap().contains("no-such-job"), "{last}");

    let text = stdout(ok(&env.run(&["status", "--metrics"])));
    for line in [
        "atom_sync_jobs{state=\"completed\"} 1",
        "atom_sync_jobs{state=\"running\"} 0",
        "atom_sync_jobs_stale 0",
        "atom_sync_messages_processed{tenant=\"acme\"} 300",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} missing from\n{text}");
    }
    for l in text.lines().filter(|l| !l.starts_with('#')) {
        let (_, value) = l.rsplit_once(' ').unwrap();
        value.parse::<f64>().unwrap_or_else(|_| panic!("bad sample line {l}"));
    }
    let file = env.data_dir().join("reap.prom");
    let o = env.run(&["reap", "--stale-after", "2m", "--metrics-file", file.to_str().unwrap()]);
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), ""));
    let prom = std::fs::read_to_string(&file).unwrap();
    assert!(
        prom.contains("atom_sync_reap_requeued 0") && prom.contains("atom_sync_jobs{state=\"completed\"} 1"),
        "{prom}"
    );
}

#[tokio::test]
async fn tenant_keys_are_encrypted_masked_and_looked_up_case_insensitively() {
    use std::io::Write;
    for backend in backends() {
        let env = Env::new(backend).await;
        let secret = "sk-test-FAKE-0123456789WXYZ";
        if backend == Backend::Postgres {
            // a shared store never gets a key made on one host
            let mut c = env.cmd();
            c.args(["keys", "set", "--tenant", "acme", "--provider", "openai"]);
            c.stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = c.spawn().unwrap();
            child.stdin.take().unwrap().write_all(format!("{secret}\n").as_bytes()).unwrap();
            let o = child.wait_with_output().unwrap();
            assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
            assert!(stderr(&o).contains("ATOM_SYNC_MASTER_KEY"), "{}", stderr(&o));
            assert!(!env.data_dir().join("master.key").exists(), "a host-local key was made for a shared store");
            // the operator hands this host the fleet's key, as a file here
            atom_sync::keys::MasterKey::load(None, env.data_dir(), true).unwrap();
        }
        let set = ["keys", "set", "--tenant", "acme", "--provider", "OpenAI", "--name", "OPENAI_API_KEY"];
        let o = env.run_with_stdin(&set, &format!("{secret}\n"));
        ok(&o);
        assert!(!stdout(&o).contains(secret) && !stderr(&o).contains(secret));

        let list = env.run(&["keys", "list"]);
        let table = stdout(ok(&list));
        assert!(table.contains("acme") && table.contains("openai") && table.contains("sk-…WXYZ"), "{table}");
        assert!(!table.contains(secret));
        let json: serde_json::Value = serde_json::from_str(&stdout(ok(&env.run(&["keys", "list", "--json"])))).unwrap();
        assert_eq!(json["keys"][0]["provider"], "openai");
        assert_eq!(json["keys"][0]["name"], "openai_api_key");
        assert!(!json.to_string().contains(secret));

        // one lookup, case-insensitive on the provider and the key's name, under the
        // data dir's master key: stored as OPENAI_API_KEY, found as openai_api_key
        use atom_sync::keys::{KeyName, TenantKey, lookup};
        let store = env.store().await;
        let master = atom_sync::keys::MasterKey::load(None, env.data_dir(), false).unwrap();
        for (provider, name) in
            [("openai", Some("openai_api_key")), ("OPENAI", Some("OpenAI_Api_Key")), ("OpenAI", None)]
        {
            let key = KeyName::new(provider, name).unwrap();
            assert_eq!(
                lookup(store.as_ref(), Ok(&master), "acme", &key, None).await.unwrap().require().unwrap().expose(),
                secret
            );
        }
        // no fallback: another tenant, or another name, has no key, and says so by name
        let default = KeyName::new("openai", None).unwrap();
        let err = lookup(store.as_ref(), Ok(&master), "globex", &default, None)
            .await
            .and_then(TenantKey::require)
            .unwrap_err()
            .to_string();
        assert!(err.contains("tenant globex has no openai key openai_api_key"), "{err}");
        let other = KeyName::new("openai", Some("project_key")).unwrap();
        assert!(lookup(store.as_ref(), Ok(&master), "acme", &other, None).await.and_then(TenantKey::require).is_err());
        // at rest it is not the secret
        let sealed = store.get_key("acme", &default).await.unwrap().unwrap();
        assert!(!sealed.ciphertext.windows(8).any(|w| w == &secret.as_bytes()[..8]));
        // a wrong master key cannot open it, and the error names the tenant
        let wrong = atom_sync::keys::MasterKey::load(Some(&"11".repeat(32)), env.data_dir(), false).unwrap();
        let err = lookup(store.as_ref(), Ok(&wrong), "acme", &default, None)
            .await
            .and_then(TenantKey::require)
            .unwrap_err()
            .to_string();
        assert!(err.contains("tenant acme") && !err.contains(secret), "{err}");

        // a secret is never an argument
        assert_eq!(
            env.run(&["keys", "set", "--tenant", "acme", "--provider", "openai", secret]).status.code(),
            Some(2)
        );
        ok(&env.run(&["keys", "remove", "--tenant", "acme", "--provider", "OPENAI", "--name", "Openai_Api_Key"]));
        assert!(stderr(&env.run(&["keys", "list"])).contains("no keys stored"));
        assert_eq!(env.run(&["keys", "remove", "--tenant", "acme", "--provider", "openai"]).status.code(), Some(2));
    }
}

#[tokio::test]
async fn status_watch_redraws_until_interrupted() {
    let env = Env::new(Backend::Sqlite).await;
    ok(&env.run(&["status"]));
    let child = env.cmd().args(["status", "--watch", "200ms"]).stdout(std::process::Stdio::piped()).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(900));
    assert!(std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).matches("\x1b[2J").count() >= 2, "redrawn: {:?}", stdout(&o));
}

/// Times and durations are read totally: what cannot be read, or makes no sense (a
/// zero poll), is refused with the reason; dates before 1970 and RFC 3339 offsets are
/// taken; a master key that is not 64 hex characters is refused, never a panic.
#[tokio::test]
async fn times_durations_and_keys_are_refused_with_a_reason_never_a_panic() {
    let env = Env::new(Backend::Sqlite).await;
    let sample = format!("mbox:{}", sample_mbox().display());
    for args in [
        vec!["worker", "--poll", "0s"],
        vec!["worker", "--heartbeat", "0s"],
        vec!["backfill", "--tenant", "acme", "--source", &sample, "--heartbeat", "0s"],
        vec!["status", "--watch", "0s"],
    ] {
        let o = env.run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("more than zero"), "{args:?}: {}", stderr(&o));
    }
    for bad in ["2026-13-01", "2026-02-30", "10000-01-01", "yesterday"] {
        let o = env.run(&["search", "--tenant", "acme", "--from", bad, "x"]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        assert!(stderr(&o).contains("is not a time"), "{bad}: {}", stderr(&o));
    }
    ok(&env.run(&["backfill", "--tenant", "acme", "--source", &sample]));
    let o = env.run(&[
        "search",
        "--tenant",
        "acme",
        "--from",
        "1969-07-20",
        "--to",
        "2026-01-01T08:00:00+02:00",
        "--json",
        "gas",
    ]);
    ok(&o);
    let mut c = env.cmd();
    c.env("ATOM_SYNC_MASTER_KEY", "é".repeat(32)).args(["keys", "set", "--tenant", "acme", "--provider", "openai"]);
    c.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"sk-test-not-a-real-key-0000
",
        )
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("ATOM_SYNC_MASTER_KEY") && !stderr(&o).contains("panicked"), "{}", stderr(&o));
}

/// What atom-sync creates is the owner's alone, and a link planted where it creates a
/// file is refused rather than followed.
#[tokio::test]
async fn state_on_disk_is_owner_only_and_planted_links_are_not_followed() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new(Backend::Sqlite).await;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let state = env.data_dir().join("state");
    let dir = state.to_str().unwrap();
    let sample = format!("mbox:{}", sample_mbox().display());
    ok(&env.run(&["--data-dir", dir, "backfill", "--tenant", "acme", "--source", &sample]));
    let mut c = env.cmd();
    c.args(["--data-dir", dir, "keys", "set", "--tenant", "acme", "--provider", "openai"]);
    c.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"sk-test-not-a-real-key-0000\n").unwrap();
    ok(&child.wait_with_output().unwrap());
    assert_eq!(mode(&state), 0o700, "data dir");
    assert_eq!(mode(&state.join("atom-sync.db")), 0o600, "SQLite file");
    assert_eq!(mode(&state.join("lance")), 0o700, "LanceDB dir");
    assert_eq!(mode(&state.join("master.key")), 0o600, "master key");

    let planted = env.data_dir().join("planted");
    std::fs::create_dir_all(&planted).unwrap();
    let victim = env.data_dir().join("victim");
    std::fs::write(&victim, "untouched").unwrap();
    std::os::unix::fs::symlink(&victim, planted.join("atom-sync.db.lock")).unwrap();
    let o = env.run(&["--data-dir", planted.to_str().unwrap(), "status"]);
    assert!(!o.status.success(), "followed a planted link: {}", stderr(&o));
    assert!(stderr(&o).contains("atom-sync.db.lock"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
}
