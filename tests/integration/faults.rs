//! The fault suite: processes killed at random points, database connections killed
//! mid-chunk, skewed clocks, jobs racing for one mailbox, panics, outages that
//! outlast their retries, and operators' requests to jobs whose owner died. Each ends
//! with nothing lost, nothing doubled, nothing wedged, and `verify` clean.

use std::time::{Duration, Instant};

use atom_sync::job::{JobState, NewJob};

use crate::common::*;
use crate::jobs::{blocked_backfill, export, feed, job_of, story};

/// A small deterministic generator (xorshift), seeded from the clock and printed,
/// so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn seeded(what: &str) -> Rng {
        let seed = std::env::var("ATOM_SYNC_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
        });
        eprintln!("{what}: seed {seed} (replay with ATOM_SYNC_TEST_SEED={seed})");
        Rng(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn new_job(source: &str, mailbox: &str) -> NewJob {
    NewJob {
        tenant: "acme".into(),
        source: source.into(),
        mailbox: mailbox.into(),
        chunk_size: 10,
        max_body_bytes: 10_240,
        estimated_total: None,
        cursor: None,
        llm_token_cap: None,
    }
}

/// A lease owner that names a process of this host that does not exist.
fn dead_owner() -> String {
    let me = atom_sync::job::owner_name();
    let mut parts: Vec<&str> = me.split(':').collect();
    let n = parts.len();
    parts[n - 2] = "999999999";
    parts.join(":")
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_kills_at_random_points_lose_and_double_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (source, total) = crate::kill::big_mbox(dir.path());
    for backend in backends() {
        let reference = Env::new(backend).await;
        ok(&reference.run(&["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "20"]));
        let want = reference.digest("acme").await;
        let want_ids = reference.sink().await.message_id_set("acme").await.unwrap();

        let env = Env::new(backend).await;
        let mut rng = Rng::seeded(&format!("{backend:?} kill points"));
        let mut id: Option<String> = None;
        let mut kills = 0;
        let mut ways = Vec::new();
        for round in 0..60 {
            if kills == 20 {
                break;
            }
            let mut p = match &id {
                None => Proc::spawn(&env, &["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "20"]),
                // cron's way: the reaper re-queues the stale job, a worker takes it
                Some(_) if round % 3 == 2 => {
                    std::thread::sleep(Duration::from_millis(1100));
                    // every kill is a run that ended badly: allow them all
                    let o = env.run(&["reap", "--stale-after", "1s", "--max-attempts", "100"]);
                    assert!(stdout(ok(&o)).contains("re-queued"), "{}", stdout(&o));
                    ways.push("reap+worker");
                    Proc::spawn(&env, &["worker", "--poll", "100ms"])
                }
                // the operator's way: resume sees the owner is gone
                Some(id) => {
                    ways.push("resume");
                    Proc::spawn(&env, &["resume", id])
                }
            };
            let after = 1 + rng.below(3) as usize;
            let start = Instant::now();
            while p.count(" committed (") < after && !p.exited() {
                assert!(start.elapsed() < Duration::from_secs(120), "no progress:\n{}", p.log());
                std::thread::sleep(Duration::from_millis(5));
            }
            if p.exited() {
                break; // finished before the kill point
            }
            std::thread::sleep(Duration::from_millis(rng.below(60)));
            p.child.kill().unwrap(); // SIGKILL: no cleanup, no release
            p.child.wait().unwrap();
            kills += 1;
            if id.is_none() {
                id = Some(job_of(&env)["id"].as_str().unwrap().to_string());
            }
        }
        let id = id.expect("killed at least once");
        if status_json(&env, &[&id])["jobs"][0]["state"] != "completed" {
            ok(&env.run(&["resume", &id]));
        }
        eprintln!("{backend:?}: {kills} kills, continued by {ways:?}");
        assert!(kills >= 20, "{backend:?}: only {kills} kill points before the job completed");
        let job = &status_json(&env, &[&id])["jobs"][0];
        assert_eq!(job["state"], "completed");
        assert_eq!(job["processed"], total, "{backend:?}: each message counted once");
        assert_eq!(job["vectors"], total);
        assert_eq!(env.digest("acme").await, want, "{backend:?}: the memory differs from an uninterrupted run");
        let sink = env.sink().await;
        assert_eq!(sink.message_id_set("acme").await.unwrap(), want_ids);
        assert_eq!(sink.count("acme").await.unwrap(), want_ids.len(), "no duplicate vectors");
        let v = env.run(&["verify", "--tenant", "acme"]);
        assert_eq!(v.status.code(), Some(0), "{backend:?}: {}", stdout(&v));
    }
}

/// A worker whose database connections are killed under it (a failover, an
/// operator's `pg_terminate_backend`) rolls back, reconnects and goes on.
#[tokio::test(flavor = "multi_thread")]
async fn killed_database_connections_mid_chunk_lose_and_double_nothing() {
    let Some(admin) = postgres_admin_url() else { return };
    let source = format!("mbox:{}", sample_mbox().display());
    let total = SAMPLE_MESSAGES;
    let reference = Env::new(Backend::Postgres).await;
    ok(&reference.run(&["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "10"]));
    let want = reference.digest("acme").await;

    let env = Env::new(Backend::Postgres).await;
    let db = env.database_url.as_ref().unwrap().rsplit('/').next().unwrap().to_string();
    // chunks of 2: enough commits (and time) for several kills, however fast the store
    let run = ["--chunk-size", "2", "--retry-backoff", "1s", "--max-attempts", "50"];
    let mut p = Proc::spawn(&env, &[&["backfill", "--tenant", "acme", "--source", &source][..], &run[..]].concat());
    p.wait_line(": chunk 2 committed", Duration::from_secs(120));
    let mut rng = Rng::seeded("connection kills");
    let mut killed = 0u64;
    let started = Instant::now();
    {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&admin).await.unwrap();
        while !p.exited() && started.elapsed() < Duration::from_secs(300) {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE datname = $1 AND application_name = 'atom-sync' AND pid <> pg_backend_pid()",
            )
            .bind(&db)
            .fetch_one(&mut admin)
            .await
            .unwrap();
            killed += n as u64;
            // a failover now and then, not a siege: a chunk must get a chance to commit
            tokio::time::sleep(Duration::from_millis(300 + rng.below(700))).await;
        }
    }
    let (code, log) = p.wait(Duration::from_secs(60));
    eprintln!("killed {killed} connections in {:?}", started.elapsed());
    assert_eq!(code, 0, "{log}");
    assert!(killed >= 5, "the run outpaced the killer ({killed} kills): make it longer");
    let job = job_of(&env);
    assert_eq!((job["state"].as_str(), job["processed"].as_i64()), (Some("completed"), Some(total)));
    assert_eq!(env.digest("acme").await, want);
    let v = env.run(&["verify", "--tenant", "acme"]);
    assert_eq!(v.status.code(), Some(0), "{}", stdout(&v));
}

/// Heartbeats, claims and the reaper's judgement use the database's clock: a worker
/// whose clock is ten minutes behind is not reaped while it lives, and a reaper whose
/// clock is ten minutes behind still rescues a dead one.
#[tokio::test(flavor = "multi_thread")]
async fn skewed_clocks_neither_rescue_the_living_nor_keep_the_dead() {
    for backend in backends() {
        let env = Env::new(backend).await;
        let (source, fifo) = export(env.data_dir(), &["a", "b"], Some("slow"));
        let mut cmd = env.cmd();
        cmd.env("ATOM_SYNC_TEST_CLOCK_OFFSET", "-10m").args([
            "backfill",
            "--tenant",
            "acme",
            "--source",
            &source,
            "--heartbeat",
            "300ms",
        ]);
        let mut p = Proc::spawn_cmd(cmd);
        crate::jobs::wait_running(&env, &mut p);
        let token = job_of(&env)["lease_token"].clone();
        std::thread::sleep(Duration::from_millis(700));
        // a reaper ten minutes ahead, a threshold of one minute: the owner is alive
        let mut reap = env.cmd();
        reap.env("ATOM_SYNC_TEST_CLOCK_OFFSET", "+10m").args(["reap", "--stale-after", "1m"]);
        let o = reap.output().unwrap();
        assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), ""), "{backend:?}: {}", stderr(&o));
        let job = job_of(&env);
        assert_eq!((job["state"].as_str(), &job["lease_token"]), (Some("running"), &token), "{backend:?}");
        assert!(job["heartbeat_age_seconds"].as_i64().unwrap() < 5, "{backend:?}: ages by one clock: {job}");

        // the owner dies; a reaper ten minutes behind still sees the stale heartbeat
        p.child.kill().unwrap();
        p.child.wait().unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        let mut reap = env.cmd();
        reap.env("ATOM_SYNC_TEST_CLOCK_OFFSET", "-10m").args(["reap", "--stale-after", "1s"]);
        let o = reap.output().unwrap();
        assert!(stdout(ok(&o)).contains("re-queued"), "{backend:?}: {}", stdout(&o));
        assert_eq!(job_of(&env)["state"], "pending");
        let worker = Proc::spawn(&env, &["worker", "--once"]);
        feed(&fifo, "slow").join().unwrap();
        assert_eq!(worker.wait(Duration::from_secs(60)).0, 0);
        assert_eq!(job_of(&env)["state"], "completed");
    }
}

/// One active job per mailbox, enforced by the store: a second backfill of a mailbox
/// whose job runs is refused with that job's id; `--detach` (cron) says so, prints
/// the id and exits 0 without piling up jobs.
#[tokio::test(flavor = "multi_thread")]
async fn one_active_job_per_mailbox_and_cron_never_piles_up_jobs() {
    for backend in backends() {
        let env = Env::new(backend).await;
        let (p, fifo) = blocked_backfill(&env, "slow");
        let running = job_of(&env)["id"].as_str().unwrap().to_string();
        let source = format!("eml:{}", env.data_dir().join("export").display());
        let o = env.run(&["backfill", "--tenant", "acme", "--source", &source]);
        assert_eq!(o.status.code(), Some(2), "{backend:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(&running) && stderr(&o).contains("already running"), "{}", stderr(&o));
        for _ in 0..3 {
            let o = env.run(&["backfill", "--tenant", "acme", "--source", &source, "--detach"]);
            assert_eq!(o.status.code(), Some(0), "{backend:?}: {}", stderr(&o));
            assert_eq!(stdout(&o).trim(), running);
            assert!(stderr(&o).contains("not enqueued again"), "{}", stderr(&o));
        }
        // racing enqueues of another mailbox: exactly one job
        let other = env.data_dir().join("other");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join("x.eml"), crate::jobs::message("x")).unwrap();
        let other = format!("eml:{}", other.display());
        let racers: Vec<_> = (0..4)
            .map(|_| {
                let mut c = env.cmd();
                c.args(["backfill", "--tenant", "acme", "--source", &other, "--detach"]);
                c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap()
            })
            .collect();
        let ids: std::collections::BTreeSet<String> = racers
            .into_iter()
            .map(|c| {
                let o = c.wait_with_output().unwrap();
                assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
                stdout(&o).trim().to_string()
            })
            .collect();
        assert_eq!(ids.len(), 1, "{backend:?}: {ids:?}");
        assert_eq!(status_json(&env, &["--state", "pending"])["jobs"].as_array().unwrap().len(), 1);
        feed(&fifo, "slow").join().unwrap();
        let (code, log) = p.wait(Duration::from_secs(60));
        assert_eq!(code, 0, "{backend:?}: the blocked backfill: {log}");
    }
}

/// A panic anywhere in a run ends the job as failed with the panic's message, its
/// heartbeat stops, and the worker goes on with its next job.
#[tokio::test(flavor = "multi_thread")]
async fn a_panic_fails_its_job_and_the_worker_goes_on() {
    for backend in backends() {
        let env = Env::new(backend).await;
        let store = env.store().await;
        let mut ids = Vec::new();
        for (dir, names) in [("first", ["p1", "boom-here"]), ("second", ["q1", "q2"])] {
            let root = env.data_dir().join(dir);
            std::fs::create_dir_all(&root).unwrap();
            for n in names {
                std::fs::write(root.join(format!("{n}.eml")), crate::jobs::message(n)).unwrap();
            }
            ids.push(store.create_job(&new_job(&format!("eml:{}", root.display()), dir)).await.unwrap().id);
        }
        let mut cmd = env.cmd();
        cmd.env("ATOM_SYNC_TEST_PANIC_ON", "boom-here").args(["worker", "--once", "--heartbeat", "200ms"]);
        let (code, log) = Proc::spawn_cmd(cmd).wait(Duration::from_secs(120));
        assert_eq!(code, 0, "{backend:?}: {log}");
        let failed = status_json(&env, &[&ids[0]])["jobs"][0].clone();
        assert_eq!(failed["state"], "failed", "{backend:?}: {failed}");
        let why = failed["last_error"].as_str().unwrap();
        assert!(why.contains("panicked") && why.contains("injected panic at message boom-here"), "{why}");
        assert_eq!(status_json(&env, &[&ids[1]])["jobs"][0]["state"], "completed", "{backend:?}: {log}");
        // the failed job's heartbeat stopped with it
        let beat = store.job(&ids[0]).await.unwrap().heartbeat_at;
        std::thread::sleep(Duration::from_millis(600));
        assert_eq!(store.job(&ids[0]).await.unwrap().heartbeat_at, beat);
    }
}

/// A pause or cancel asked of a job whose owner died takes effect when the job is
/// reaped or resumed: it is never re-queued and run to completion.
#[tokio::test(flavor = "multi_thread")]
async fn pause_and_cancel_survive_a_dead_owner() {
    for backend in backends() {
        let env = Env::new(backend).await;
        let store = env.store().await;
        let source = format!("mbox:{}", sample_mbox().display());
        // cancel, then the reaper finds the owner gone
        let a = store.create_job(&new_job(&source, "a")).await.unwrap();
        store.claim(&a.id, &dead_owner()).await.unwrap();
        ok(&env.run(&["cancel", &a.id]));
        let o = env.run(&["reap", "--stale-after", "0s"]);
        ok(&o);
        let job = &status_json(&env, &[&a.id])["jobs"][0];
        assert_eq!(job["state"], "cancelled", "{backend:?}: {job}");
        assert!(story(&env, &a.id).contains(&"cancelled".to_string()), "{:?}", story(&env, &a.id));
        // pause, then an operator resumes: it stays paused, and nothing runs
        let b = store.create_job(&new_job(&source, "b")).await.unwrap();
        store.claim(&b.id, &dead_owner()).await.unwrap();
        ok(&env.run(&["pause", &b.id]));
        let o = env.run(&["resume", &b.id]);
        ok(&o);
        assert!(stderr(&o).contains("paused as was requested"), "{}", stderr(&o));
        let job = &status_json(&env, &[&b.id])["jobs"][0];
        assert_eq!((job["state"].as_str(), job["processed"].as_i64()), (Some("paused"), Some(0)), "{backend:?}");
        // and a worker claims neither
        ok(&env.run(&["worker", "--once"]));
        assert_eq!(store.job(&a.id).await.unwrap().state, JobState::Cancelled);
        assert_eq!(store.job(&b.id).await.unwrap().state, JobState::Paused);
    }
}

/// `--max-attempts` counts runs that ended badly (failures and rescues), not the
/// releases of graceful restarts.
#[tokio::test(flavor = "multi_thread")]
async fn max_attempts_counts_failures_and_rescues_not_releases() {
    for backend in backends() {
        let env = Env::new(backend).await;
        let store = env.store().await;
        let job = store.create_job(&new_job(&format!("mbox:{}", sample_mbox().display()), "x")).await.unwrap();
        for _ in 0..3 {
            // a worker restarted for a deploy: claimed, then released (SIGTERM)
            let lease = store.claim(&job.id, &atom_sync::job::owner_name()).await.unwrap();
            store.finish(&lease, JobState::Pending, Some("released")).await.unwrap();
        }
        store.claim(&job.id, &dead_owner()).await.unwrap();
        let o = env.run(&["reap", "--stale-after", "0s", "--max-attempts", "2"]);
        assert!(stdout(ok(&o)).contains("re-queued"), "{backend:?}: four claims, one bad end: {}", stdout(&o));
        let j = store.job(&job.id).await.unwrap();
        assert_eq!((j.state, j.attempts, j.failures, j.rescues), (JobState::Pending, 4, 1, 1));
        store.claim(&job.id, &dead_owner()).await.unwrap();
        let o = env.run(&["reap", "--stale-after", "0s", "--max-attempts", "2"]);
        ok(&o);
        let j = store.job(&job.id).await.unwrap();
        assert_eq!((j.state, j.failures), (JobState::Failed, 2), "{backend:?}: {}", stdout(&o));
        assert!(j.last_error.unwrap_or_default().contains("gave up after 2 failed attempts"));
    }
}

/// A Message-ID repeated across chunks (an export with copies, a folder read again)
/// is one message: one ledger row, one vector, counted once; `verify` is clean. Also
/// when the repeat is in the very next chunk, which is prepared while the chunk
/// holding the first copy commits.
#[tokio::test(flavor = "multi_thread")]
async fn a_message_id_repeated_across_chunks_counts_once() {
    for backend in backends() {
        let env = Env::new(backend).await;
        let mut mbox = String::new();
        for i in 0..30 {
            // 25 repeats 3 exactly; 28 repeats 7's id with another body; 12 and 18 do
            // the same to 5 and 9 from the chunk just before theirs
            let (id, body) = match i {
                25 => (3, "body 3".to_string()),
                28 => (7, "a later version of 7".to_string()),
                12 => (5, "body 5".to_string()),
                18 => (9, "a later version of 9".to_string()),
                n => (n, format!("body {n}")),
            };
            mbox.push_str(&format!(
                "From x@y Mon Jan  1 00:00:00 2001\nMessage-ID: <r{id}@repeat.test>\nFrom: a@acme.com\nSubject: s{id}\n\n{body}\n\n"
            ));
        }
        let path = env.data_dir().join("repeat.mbox");
        std::fs::write(&path, mbox).unwrap();
        let source = format!("mbox:{}", path.display());
        ok(&env.run(&["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "10"]));
        let job = job_of(&env);
        assert_eq!((job["processed"].as_i64(), job["vectors"].as_i64()), (Some(26), Some(26)), "{backend:?}: {job}");
        assert_eq!(env.digest("acme").await.ledger, 26);
        assert_eq!(env.sink().await.count("acme").await.unwrap(), 26);
        let v = env.run(&["verify", "--tenant", "acme"]);
        assert_eq!(v.status.code(), Some(0), "{backend:?}: {}", stdout(&v));
        // and again, as cron would: still exact
        ok(&env.run(&["resume", job["id"].as_str().unwrap(), "--rerun"]));
        let v = env.run(&["verify", "--tenant", "acme"]);
        assert_eq!(v.status.code(), Some(0), "{backend:?}: {}", stdout(&v));
    }
}

/// Postgres can never hang the fleet: a job row another transaction holds (a chunk
/// committing, a stuck session) is skipped by the reaper, not waited on.
#[tokio::test(flavor = "multi_thread")]
async fn the_reaper_skips_a_row_it_cannot_lock_instead_of_waiting() {
    use sqlx::Connection;
    if postgres_admin_url().is_none() {
        return;
    }
    let env = Env::new(Backend::Postgres).await;
    let store = env.store().await;
    let job = store.create_job(&new_job(&format!("mbox:{}", sample_mbox().display()), "x")).await.unwrap();
    store.claim(&job.id, &dead_owner()).await.unwrap();
    let mut holder = sqlx::PgConnection::connect(env.database_url.as_ref().unwrap()).await.unwrap();
    let mut tx = holder.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM jobs WHERE id = $1 FOR UPDATE").bind(&job.id).execute(&mut *tx).await.unwrap();
    let t = Instant::now();
    let o = env.run(&["reap", "--stale-after", "0s", "--json"]);
    ok(&o);
    assert!(t.elapsed() < Duration::from_secs(10), "the reaper waited on the lock: {:?}", t.elapsed());
    assert!(stdout(&o).contains("busy committing"), "{}", stdout(&o));
    assert_eq!(store.job(&job.id).await.unwrap().state, JobState::Running);
    tx.rollback().await.unwrap();
    let o = env.run(&["reap", "--stale-after", "0s"]);
    assert!(stdout(ok(&o)).contains("re-queued"), "{}", stdout(&o));
}
