//! Durable jobs with real processes: reaping, workers, signals, takeovers, pause and
//! cancel. Slow chunks come from a named pipe in the export, whose read blocks until
//! the test writes the message: a source that hangs, as a remote one can.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::*;

pub(crate) fn message(name: &str) -> String {
    format!(
        "Message-ID: <{name}@jobs.test>\nFrom: Ann <ann@acme.com>\nTo: bob@beta.org\nSubject: note {name}\nDate: Mon, 14 May 2001 16:39:00 -0700\n\nabout {name}\n"
    )
}

/// An eml export of `names`; the one called `slow` is a named pipe.
pub(crate) fn export(dir: &Path, names: &[&str], slow: Option<&str>) -> (String, PathBuf) {
    let root = dir.join("export");
    std::fs::create_dir_all(&root).unwrap();
    for n in names {
        std::fs::write(root.join(format!("{n}.eml")), message(n)).unwrap();
    }
    let fifo = root.join(format!("{}.eml", slow.unwrap_or("none")));
    if let Some(_) = slow {
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    }
    (format!("eml:{}", root.display()), fifo)
}

/// Write the slow message once a reader opens the pipe (in the background).
pub(crate) fn feed(fifo: &Path, name: &str) -> std::thread::JoinHandle<()> {
    let fifo = fifo.to_path_buf();
    let body = message(name);
    std::thread::spawn(move || std::fs::write(fifo, body).unwrap())
}

/// Wait until the job of `p` is running; fail with its log if it ended instead.
pub(crate) fn wait_running(env: &Env, p: &mut Proc) {
    let start = Instant::now();
    loop {
        if env.run(&["status", "--json"]).status.success() && job_of(env)["state"] == "running" {
            return;
        }
        if let Some(st) = p.child.try_wait().unwrap() {
            std::thread::sleep(Duration::from_millis(50));
            panic!("the process ended ({st}) before its job ran:\n{}", p.log());
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the job never ran:\n{}\n{}",
            p.log(),
            stdout(&env.run(&["status"]))
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Once chunk 1 is committed and chunk 2 is blocked on the pipe: SIGTERM, then let
/// the chunk finish; the process's exit code and log.
fn sigterm_mid_chunk(p: Proc, fifo: &Path) -> (i32, String) {
    p.wait_line(": chunk 1 committed", Duration::from_secs(60));
    p.signal("-TERM");
    std::thread::sleep(Duration::from_millis(300));
    feed(fifo, "b-slow").join().unwrap();
    p.wait(Duration::from_secs(60))
}

/// A backfill of messages `a`, `b` and the pipe `slow`, running (heartbeat 300 ms)
/// and blocked on the pipe; with the pipe's path.
pub(crate) fn blocked_backfill(env: &Env, slow: &str) -> (Proc, PathBuf) {
    let (source, fifo) = export(env.data_dir(), &["a", "b"], Some(slow));
    let mut p = Proc::spawn(env, &["backfill", "--tenant", "acme", "--source", &source, "--heartbeat", "300ms"]);
    wait_running(env, &mut p);
    (p, fifo)
}

pub(crate) fn job_of(env: &Env) -> serde_json::Value {
    status_json(env, &[])["jobs"][0].clone()
}

pub(crate) fn story(env: &Env, id: &str) -> Vec<String> {
    status_json(env, &[id])["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn reap_from_cron_is_silent_when_nothing_is_stale() {
    let env = Env::new(Backend::Sqlite).await;
    let o = env.run(&["reap", "--stale-after", "2m"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!((stdout(&o).as_str(), stderr(&o).as_str()), ("", ""), "cron mails any output");
    ok(&env.run(&["backfill", "--tenant", "acme", "--source", &format!("mbox:{}", sample_mbox().display())]));
    let o = env.run(&["reap", "--stale-after", "1s"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str(), stderr(&o).as_str()),
        (Some(0), "", ""),
        "a completed job is not stale"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(ok(&env.run(&["reap", "--stale-after", "1s", "--json"])))).unwrap();
    assert_eq!(json["actions"].as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_chunk_is_never_reaped_while_its_heartbeat_runs() {
    for backend in backends() {
        let env = Env::new(backend).await;
        let (p, fifo) = blocked_backfill(&env, "zz-slow");
        // the chunk takes far longer than the stale threshold
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(4) {
            let o = env.run(&["reap", "--stale-after", "1s", "--json"]);
            let doc: serde_json::Value = serde_json::from_str(&stdout(ok(&o))).unwrap();
            assert_eq!(doc["actions"].as_array().unwrap().len(), 0, "a live job was reaped: {doc}");
            std::thread::sleep(Duration::from_millis(400));
        }
        let job = job_of(&env);
        assert_eq!(job["state"], "running");
        assert!(job["heartbeat_age_seconds"].as_u64().unwrap() <= 1, "{job}");
        // alive but committing nothing: wedged, visible in status, reaped only on purpose
        let doc = status_json(&env, &["--wedged-after", "1s"]);
        assert_eq!(doc["jobs"][0]["health"], "wedged", "{doc}");
        let table = stdout(ok(&env.run(&["status", "--wedged-after", "1s"])));
        assert!(table.contains("running (wedged)"), "{table}");
        let plan = env.run(&[
            "reap",
            "--stale-after",
            "1m",
            "--no-progress-for",
            "1s",
            "--max-attempts",
            "1",
            "--dry-run",
            "--json",
        ]);
        let plan: serde_json::Value = serde_json::from_str(&stdout(ok(&plan))).unwrap();
        let action = &plan["actions"][0];
        assert_eq!((action["action"].as_str(), plan["dry_run"].as_bool()), (Some("fail"), Some(true)), "{plan}");
        assert!(action["reason"].as_str().unwrap().contains("wedged"), "{plan}");
        assert_eq!(job_of(&env)["state"], "running", "a dry run changes nothing");
        feed(&fifo, "zz-slow").join().unwrap();
        let (code, log) = p.wait(Duration::from_secs(60));
        assert_eq!(code, 0, "{log}");
        let job = job_of(&env);
        assert_eq!(
            (job["state"].as_str(), job["processed"].as_i64(), job["attempts"].as_i64()),
            (Some("completed"), Some(3), Some(1))
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_mid_chunk_releases_the_lease_and_another_worker_finishes() {
    for backend in backends() {
        let env = Env::new(backend).await;
        let (source, fifo) = export(env.data_dir(), &["a-0", "a-1", "c-0", "c-1", "c-2"], Some("b-slow"));
        ok(&env.run(&["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "2", "--detach"]));
        let w = Proc::spawn(&env, &["worker", "--heartbeat", "300ms", "--poll", "200ms"]);
        let (code, log) = sigterm_mid_chunk(w, &fifo);
        assert_eq!(code, 0, "{log}");
        let job = job_of(&env);
        assert_eq!(job["state"], "pending", "lease released: {job}");
        assert_eq!(job["chunks"], 2, "the chunk in flight finished before the release");
        assert!(job["lease_owner"].is_null());

        let (code, log) = Proc::spawn(&env, &["worker", "--once"]).wait(Duration::from_secs(60));
        assert_eq!(code, 0, "{log}");
        let job = job_of(&env);
        assert_eq!((job["state"].as_str(), job["processed"].as_i64()), (Some("completed"), Some(6)));
        // files changed in the listing's last clock tick are read again on resume
        // (passed over as committed): at least the one chunk that was left
        assert!(job["chunks"].as_i64().unwrap() >= 3, "{job}");
        let id = job["id"].as_str().unwrap();
        assert_eq!(story(&env, id), ["created", "claimed", "pending", "claimed", "completed"]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_whose_lease_was_taken_over_stops_without_writing() {
    for backend in backends() {
        let env = Env::new(backend).await;
        let (a, fifo) = blocked_backfill(&env, "c-slow");
        // a takeover behind the owner's back (an over-eager reaper)
        // (a beat between the reaper's look and its move makes it leave the job alone)
        let mut taken = false;
        for _ in 0..20 {
            std::thread::sleep(Duration::from_millis(50));
            let o = env.run(&["reap", "--stale-after", "0s", "--yes"]);
            if stdout(ok(&o)).contains("re-queued") {
                taken = true;
                break;
            }
        }
        assert!(taken, "the reaper never took the job over");
        let (code, log) = a.wait(Duration::from_secs(30));
        assert_eq!(code, 5, "{log}");
        assert!(log.contains("is no longer ours"), "{log}");
        let job = job_of(&env);
        assert_eq!(
            (job["state"].as_str(), job["chunks"].as_i64(), job["processed"].as_i64()),
            (Some("pending"), Some(0), Some(0)),
            "nothing written by the old owner"
        );

        let b = Proc::spawn(&env, &["worker", "--once"]);
        let feeder = feed(&fifo, "c-slow");
        let (code, log) = b.wait(Duration::from_secs(60));
        assert_eq!(code, 0, "{log}");
        feeder.join().unwrap();
        let job = job_of(&env);
        assert_eq!(
            (job["state"].as_str(), job["processed"].as_i64(), job["chunks"].as_i64(), job["rescues"].as_i64()),
            (Some("completed"), Some(3), Some(1), Some(1))
        );
        assert_eq!(story(&env, job["id"].as_str().unwrap()), ["created", "claimed", "reaped", "claimed", "completed"]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn workers_race_and_drain_jobs_without_running_any_twice() {
    let sample = format!("mbox:{}", sample_mbox().display());
    for backend in backends() {
        for (workers, jobs) in [(2usize, 6usize), (4, 20)] {
            let env = Env::new(backend).await;
            for j in 0..jobs {
                ok(&env.run(&[
                    "backfill",
                    "--tenant",
                    &format!("t{j}"),
                    "--source",
                    &sample,
                    "--chunk-size",
                    "60",
                    "--detach",
                ]));
            }
            let procs: Vec<Proc> =
                (0..workers).map(|_| Proc::spawn(&env, &["worker", "--once", "--concurrency", "2"])).collect();
            for p in procs {
                let (code, log) = p.wait(Duration::from_secs(300));
                assert_eq!(code, 0, "{log}");
            }
            let doc = status_json(&env, &["--limit", "100"]);
            let all = doc["jobs"].as_array().unwrap();
            assert_eq!(all.len(), jobs);
            for job in all {
                assert_eq!(job["state"], "completed", "{job}");
                assert_eq!(job["attempts"], 1, "run once: {job}");
                assert_eq!(job["chunks"], 5, "every chunk committed exactly once: {job}");
                assert_eq!(job["processed"], SAMPLE_MESSAGES);
                assert_eq!(job["vectors"], SAMPLE_MESSAGES);
                let kinds = story(&env, job["id"].as_str().unwrap());
                assert_eq!(kinds, ["created", "claimed", "completed"], "{backend:?}");
            }
            let sink = env.sink().await;
            for j in 0..jobs {
                assert_eq!(sink.count(&format!("t{j}")).await.unwrap() as i64, SAMPLE_MESSAGES);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_worker_keeps_running_and_picks_up_a_later_job() {
    let env = Env::new(Backend::Sqlite).await;
    let w = Proc::spawn(&env, &["worker", "--poll", "200ms"]);
    std::thread::sleep(Duration::from_secs(4)); // twenty idle polls
    let mut w = w;
    assert!(w.child.try_wait().unwrap().is_none(), "an idle worker stopped itself:\n{}", w.log());
    ok(&env.run(&[
        "backfill",
        "--tenant",
        "acme",
        "--source",
        &format!("mbox:{}", sample_mbox().display()),
        "--detach",
    ]));
    wait_until("the worker to complete the job", Duration::from_secs(120), || job_of(&env)["state"] == "completed");
    w.signal("-TERM");
    let (code, log) = w.wait(Duration::from_secs(30));
    assert_eq!(code, 0, "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn pause_and_cancel_take_effect_within_a_heartbeat() {
    let env = Env::new(Backend::Sqlite).await;
    let (p, fifo) = blocked_backfill(&env, "c-slow");
    let id = job_of(&env)["id"].as_str().unwrap().to_string();
    let asked = Instant::now();
    ok(&env.run(&["pause", &id]));
    // the chunk is still blocked: the pause does not wait for it
    let (code, log) = p.wait(Duration::from_secs(30));
    assert!(asked.elapsed() < Duration::from_secs(5), "took {:?}", asked.elapsed());
    assert_eq!(code, 0, "{log}");
    let job = job_of(&env);
    assert_eq!(
        (job["state"].as_str(), job["chunks"].as_i64()),
        (Some("paused"), Some(0)),
        "the chunk in flight was abandoned"
    );

    let r = Proc::spawn(&env, &["resume", &id]);
    let feeder = feed(&fifo, "c-slow");
    let (code, log) = r.wait(Duration::from_secs(60));
    assert_eq!(code, 0, "{log}");
    feeder.join().unwrap();
    assert_eq!(job_of(&env)["state"], "completed");
    assert_eq!(job_of(&env)["processed"], 3);

    // a pending job is cancelled at once, and can be resumed later
    let queued = stdout(ok(&env.run(&[
        "backfill",
        "--tenant",
        "acme",
        "--source",
        &format!("mbox:{}", sample_mbox().display()),
        "--detach",
    ])));
    let queued = queued.trim();
    ok(&env.run(&["cancel", queued]));
    assert_eq!(status_json(&env, &[queued])["jobs"][0]["state"], "cancelled");
    let o = env.run(&["resume", queued]);
    ok(&o);
    assert_eq!(status_json(&env, &[queued])["jobs"][0]["state"], "completed");
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_a_backfill_after_its_chunk_with_exit_130() {
    let env = Env::new(Backend::Sqlite).await;
    let (source, fifo) = export(env.data_dir(), &["a-0", "a-1", "c-0", "c-1"], Some("b-slow"));
    let p = Proc::spawn(&env, &["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "2"]);
    let (code, log) = sigterm_mid_chunk(p, &fifo);
    assert_eq!(code, 130, "{log}");
    let job = job_of(&env);
    assert_eq!((job["state"].as_str(), job["chunks"].as_i64()), (Some("pending"), Some(2)), "{job}");
    ok(&env.run(&["resume", job["id"].as_str().unwrap()]));
    assert_eq!(job_of(&env)["processed"], 5);
}
