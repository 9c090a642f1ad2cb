//! A backfill killed with SIGKILL mid-run, then resumed, ends with exactly the rows
//! of an uninterrupted run: nothing missing, nothing twice.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use crate::common::*;

/// The sample mailbox ten times over, each copy with its own Message-IDs: 3,000
/// messages, so a run lasts long enough to be killed at a chosen chunk.
pub(crate) fn big_mbox(dir: &std::path::Path) -> (String, i64) {
    let sample = std::fs::read(sample_mbox()).unwrap();
    let mut out: Vec<u8> = Vec::new();
    for copy in 0..10 {
        for line in sample.split_inclusive(|&b| b == b'\n') {
            if line.len() > 11 && line[..11].eq_ignore_ascii_case(b"message-id:") {
                let id = String::from_utf8_lossy(&line[11..]);
                out.extend_from_slice(
                    format!("Message-ID: <copy{copy}.{}\n", id.trim().trim_start_matches('<')).as_bytes(),
                );
            } else {
                out.extend_from_slice(line);
            }
        }
    }
    let path = dir.join("big.mbox");
    std::fs::write(&path, out).unwrap();
    (format!("mbox:{}", path.display()), 10 * SAMPLE_MESSAGES)
}

/// Run a backfill and SIGKILL it once chunk `k` has committed (plus a little, so the
/// kill lands inside the next chunk); returns the job id.
fn backfill_killed_after(env: &Env, source: &str, total: i64, k: usize, extra_ms: u64) -> String {
    let mut child = env
        .cmd()
        .args(["backfill", "--tenant", "acme", "--source", source, "--chunk-size", "20"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let marker = format!(": chunk {k} committed");
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut log = String::new();
        let mut sent = false;
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap_or_default();
            if !sent && line.contains(&marker) {
                let _ = tx.send(());
                sent = true;
            }
            log.push_str(&line);
            log.push('\n');
        }
        log
    });
    rx.recv_timeout(Duration::from_secs(300)).expect("chunk marker never appeared");
    std::thread::sleep(Duration::from_millis(extra_ms));
    child.kill().unwrap(); // SIGKILL: no cleanup, no lease release
    let status = child.wait().unwrap();
    assert!(!status.success(), "the process was killed, not finished");
    let log = reader.join().unwrap();
    assert!(!log.contains(": completed in"), "killed too late to test anything:\n{log}");
    let doc = status_json(env, &[]);
    let job = &doc["jobs"][0];
    assert_eq!(job["state"], "running", "a killed owner leaves its job running until reaped or resumed");
    assert!(job["processed"].as_i64().unwrap() >= 20 * k as i64);
    assert!(job["processed"].as_i64().unwrap() < total);
    job["id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_then_resumed_equals_uninterrupted() {
    let dir = tempfile::tempdir().unwrap();
    let (source, total) = big_mbox(dir.path());
    for backend in backends() {
        let reference = Env::new(backend).await;
        ok(&reference.run(&["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "20"]));
        let want = reference.digest("acme").await;
        let want_ids = reference.sink().await.message_id_set("acme").await.unwrap();
        assert_eq!(want_ids.len() as i64, total);

        // fixed points and one random point (printed, to replay a failure)
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as usize;
        let random = (5 + nanos % 90, (nanos / 90 % 30) as u64);
        eprintln!("{backend:?}: random kill point: after chunk {} + {} ms", random.0, random.1);
        for (k, extra_ms, reap) in [(2usize, 0u64, false), (40, 7, true), (random.0, random.1, true)] {
            let env = Env::new(backend).await;
            let id = backfill_killed_after(&env, &source, total, k, extra_ms);

            if reap {
                // cron's way: the reaper re-queues once the heartbeat is stale, a worker finishes
                std::thread::sleep(Duration::from_millis(1200));
                let o = env.run(&["reap", "--stale-after", "1s"]);
                assert!(stdout(ok(&o)).contains("re-queued"), "{}", stdout(&o));
                assert_eq!(status_json(&env, &[&id])["jobs"][0]["state"], "pending");
                ok(&env.run(&["worker", "--once"]));
            } else {
                // the operator's way: resume notices the owner is gone at once
                let o = env.run(&["resume", &id[..8]]);
                ok(&o);
                assert!(stdout(&o).contains(&format!("completed: {total} processed")), "{}", stdout(&o));
            }

            let doc = status_json(&env, &[&id]);
            let job = &doc["jobs"][0];
            assert_eq!(job["state"], "completed");
            assert_eq!(job["processed"], total, "counters committed with the checkpoint: no chunk counted twice");
            assert_eq!(job["attempts"], 2);
            let kinds: Vec<&str> =
                doc["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
            let again = if reap { "reaped" } else { "requeued" };
            assert_eq!(kinds, ["created", "claimed", again, "claimed", "completed"], "{backend:?} k={k}");

            assert_eq!(env.digest("acme").await, want, "{backend:?}: killed after chunk {k}");
            let sink = env.sink().await;
            assert_eq!(sink.message_id_set("acme").await.unwrap(), want_ids);
            assert_eq!(sink.count("acme").await.unwrap(), want_ids.len(), "no duplicate vectors");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_job_is_not_resumed_from_under_its_owner() {
    let env = Env::new(Backend::Sqlite).await;
    let store = env.store().await;
    let job = store
        .create_job(&atom_sync::job::NewJob {
            tenant: "acme".into(),
            source: format!("mbox:{}", sample_mbox().display()),
            mailbox: "sample.mbox".into(),
            chunk_size: 10,
            max_body_bytes: 10_240,
            estimated_total: None,
            cursor: None,
            llm_token_cap: None,
        })
        .await
        .unwrap();
    // owned by a live process on this host: this test process
    store.claim(&job.id, &atom_sync::job::owner_name()).await.unwrap();
    let o = env.run(&["resume", &job.id]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("it is alive"), "{}", stderr(&o));
}
