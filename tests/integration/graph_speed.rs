//! Graph at its ceiling: a mailbox reads as fast as Microsoft allows, however its mail
//! is spread in time. Empty decades cost nothing, four requests are in flight (never
//! a fifth), 429s lower concurrency and successes restore it, newest-first starts at
//! the newest mail, and a kill mid-run with every part in flight resumes exactly.

use std::time::Duration;

use serde_json::Value;

use crate::common::*;
use crate::graph::*;
use crate::graph_sim::*;

const YEAR_MS: i64 = 365 * DAY_MS;

/// `n` corpus messages received in three months of 2001, plus two the server dates
/// today (undated mail): 25 years of calendar with one long gap, as real mailboxes
/// have. Returns every id.
async fn decades(sim: &GraphSim, user: &str, n: usize) -> std::collections::BTreeSet<String> {
    sim.add_mailbox(user, &["Inbox", "Sent Items"]);
    let mails = corpus().await;
    let spring_2001 = 988_675_200_000; // 2001-05-01
    let mut ids = std::collections::BTreeSet::new();
    for i in 0..n + 2 {
        let at = if i < n {
            spring_2001 + (i as i64 * 90 * DAY_MS / n as i64)
        } else {
            atom_sync::time::now_ms() - 3_600_000 * (i - n + 1) as i64
        };
        let r = resource(&mails[i % mails.len()], i, at - at.rem_euclid(1000));
        ids.insert(r["id"].as_str().unwrap().to_string());
        sim.put(user, if i % 5 == 0 { "Sent Items" } else { "Inbox" }, r);
    }
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_decades_cost_a_handful_of_requests() {
    let sim = GraphSim::start(0);
    let want = decades(&sim, ALICE, 600).await;
    let env = Env::new(Backend::Sqlite).await;
    // the whole history: no --since, no --from
    let o = backfill(&env, &sim, &["--chunk-size", "100"]);
    ok(&o);
    assert_eq!(ledger_ids(&env, "acme").await, want);
    let reqs = message_requests(&sim);
    let pages = 602 / 100 + 1;
    eprintln!("{} requests for {} messages in pages of 100", reqs.len(), want.len());
    assert!(reqs.len() <= pages + 8, "{} requests for {pages} pages of mail over 25 years", reqs.len());
    // and the job knew how much there was from its first chunk on
    let job = only_job(&env);
    assert_eq!((job["estimated_total"].as_i64(), job["processed"].as_i64()), (Some(602), Some(602)));
    assert!(sim.with(|s| s.gzipped) > 0, "pages came gzip-compressed");
}

#[tokio::test(flavor = "multi_thread")]
async fn one_mailbox_keeps_four_requests_in_flight_and_never_a_fifth() {
    let sim = GraphSim::start(0);
    let want = decades(&sim, ALICE, 800).await;
    // Exchange Online's limit: a fifth concurrent request is throttled
    sim.with(|s| {
        s.latency = Duration::from_millis(150);
        s.max_concurrent = Some(4);
    });
    let env = Env::new(Backend::Sqlite).await;
    ok(&backfill(&env, &sim, &["--chunk-size", "25"]));
    assert_eq!(ledger_ids(&env, "acme").await, want);
    assert_eq!(sim.max_in_flight(ALICE), 4, "the limit is reached");
    let throttled = sim.log().iter().filter(|l| l.status == 429).count();
    assert_eq!(throttled, 0, "and never passed: no 429 provoked");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_lowers_concurrency_and_successes_restore_it() {
    let sim = GraphSim::start(0);
    let want = decades(&sim, ALICE, 900).await;
    // this mailbox allows only three at once; we start at four
    sim.with(|s| {
        s.latency = Duration::from_millis(120);
        s.max_concurrent = Some(3);
        s.retry_after = 0;
    });
    let env = Env::new(Backend::Sqlite).await;
    ok(&backfill(&env, &sim, &["--chunk-size", "20"]));
    assert_eq!(ledger_ids(&env, "acme").await, want);
    let log = sim.log();
    let first = log.iter().find(|l| l.status == 429).expect("a fourth request was throttled");
    let after: Vec<&Logged> = log.iter().filter(|l| l.started > first.finished.unwrap()).collect();
    // The client learns of the 429 a moment after the simulator sent it; a request or
    // two launched in that moment still see the old limit. What must follow is a run
    // of requests at half of it.
    let seen: Vec<usize> = after.iter().take(12).map(|l| l.in_flight).collect();
    assert!(seen.windows(6).any(|w| w.iter().all(|&n| n <= 2)), "halved after the 429: in flight {seen:?}");
    assert!(after.iter().any(|l| l.in_flight == 3), "and restored as requests succeed");
    // status says so
    let id = only_job(&env)["id"].as_str().unwrap().to_string();
    let o = run(&env, &sim, &["status", &id]);
    let text = stdout(ok(&o));
    assert!(text.contains("source") && text.contains("throttled"), "{text}");
    let json: Value = serde_json::from_str(&stdout(&run(&env, &sim, &["status", &id, "--json"]))).unwrap();
    assert!(json["jobs"][0]["source_status"].as_str().unwrap().contains("of at most 4 requests in flight"));
}

#[tokio::test(flavor = "multi_thread")]
async fn newest_first_starts_with_the_newest_mail_and_ends_with_the_same_memory() {
    let sim = GraphSim::start(0);
    let mails = corpus().await;
    sim.add_mailbox(ALICE, &["Inbox"]);
    let now = atom_sync::time::now_ms();
    for i in 0..400usize {
        // spread over ten years, one message every ~9 days
        let at = now - (i as i64) * 10 * YEAR_MS / 400 - DAY_MS;
        sim.put(ALICE, "Inbox", resource(&mails[i % mails.len()], i, at - at.rem_euclid(1000)));
    }
    let oldest_first = Env::new(Backend::Sqlite).await;
    ok(&backfill(&oldest_first, &sim, &["--chunk-size", "25"]));
    let env = Env::new(Backend::Sqlite).await;
    ok(&backfill(&env, &sim, &["--chunk-size", "25", "--order", "newest-first"]));
    assert_eq!(env.digest("acme").await, oldest_first.digest("acme").await, "the same memory, either way");
    // the first chunk committed holds the newest mail
    let pool =
        sqlx::SqlitePool::connect(&format!("sqlite:{}", env.data_dir().join("atom-sync.db").display())).await.unwrap();
    let first: Vec<(String,)> = sqlx::query_as(
        "SELECT message_id FROM message_ledger WHERE updated_at = (SELECT min(updated_at) FROM message_ledger)",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let newest: Vec<String> = (0..25).map(|i| format!("AAMkADsim{i:05}=")).collect();
    let got: std::collections::BTreeSet<String> = first.into_iter().map(|(id,)| id).collect();
    assert_eq!(got, newest.into_iter().collect(), "the newest 25 first");
    let data = message_requests(&sim);
    assert!(data.iter().any(|r| r.query.get("$orderby").is_some_and(|o| o == "receivedDateTime desc")));
}

#[tokio::test(flavor = "multi_thread")]
async fn cuts_that_land_inside_a_second_of_many_messages_lose_none_either_way() {
    let sim = GraphSim::start(0);
    let mails = corpus().await;
    sim.add_mailbox(ALICE, &["Inbox"]);
    let start = 988_675_200_000; // 2001-05-01
    let mut want = std::collections::BTreeSet::new();
    for i in 0..700usize {
        // 40 messages per second, 18 seconds a day apart: probes land inside seconds
        // whose messages straddle their pages, in either order
        let at = start + (i as i64 / 40) * DAY_MS;
        let r = resource(&mails[i % mails.len()], i, at);
        want.insert(r["id"].as_str().unwrap().to_string());
        sim.put(ALICE, "Inbox", r);
    }
    sim.with(|s| {
        s.latency = Duration::from_millis(20);
        s.max_concurrent = Some(4);
    });
    for order in ["oldest-first", "newest-first"] {
        sim.clear_log();
        let env = Env::new(Backend::Sqlite).await;
        ok(&backfill(&env, &sim, &["--chunk-size", "25", "--order", order]));
        assert_eq!(ledger_ids(&env, "acme").await, want, "{order}");
        let probes = message_requests(&sim).iter().filter(|r| r.query.contains_key("$skip")).count();
        assert!(probes >= 3, "{order}: the mailbox was cut ({probes} probes)");
        assert_eq!(only_job(&env)["processed"].as_i64(), Some(700), "{order}");
    }
}
