//! The Microsoft Graph source through the binary, against the simulator: full
//! bodies, timeouts, throttling, 504 storms, the per-mailbox request limit, resume
//! mid-window (also with an expired next link), delta sync and secrets.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use atom_sync::email::Email;
use atom_sync::embed::{Embedder, LocalEmbedder};
use atom_sync::source::{Item, SourceSpec, Sources};
use serde_json::{Value, json};

use crate::common::*;
use crate::graph_sim::*;

pub(crate) const ALICE: &str = "alice@sim.test";
pub(crate) const DAY_MS: i64 = 86_400_000;

/// Real messages (the sample mailbox, bodies whole) to fill simulated mailboxes.
pub(crate) async fn corpus() -> Vec<Email> {
    let spec = SourceSpec::parse(&format!("mbox:{}", sample_mbox().display())).unwrap();
    let mut src = spec.open(None, 1 << 20, &Sources::default()).unwrap();
    let mut out = Vec::new();
    loop {
        let page = src.next_page(500).await.unwrap();
        out.extend(page.items.into_iter().filter_map(|i| if let Item::Message(e) = i { Some(e) } else { None }));
        if !page.has_more {
            return out;
        }
    }
}

pub(crate) fn rfc3339(ms: i64) -> String {
    atom_sync::time::rfc3339(ms)
}

/// The body as a Graph text body carries it: `\n` line ends, no control characters.
fn graph_body(e: &Email) -> String {
    e.body
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .trim()
        .to_string()
}

/// A Graph resource for message `i` of the corpus, received at `at_ms`. Its Internet
/// Message-ID (the ledger key) is its Graph id: the corpus repeats when a mailbox
/// needs more messages than it has, and each must stay a message of its own.
pub(crate) fn resource(e: &Email, i: usize, at_ms: i64) -> Value {
    let from = e.from.as_ref().map(|m| (m.name.clone().unwrap_or_default(), m.address.clone())).unwrap_or_default();
    let to: Vec<(String, String)> =
        e.to.iter().map(|m| (m.name.clone().unwrap_or_default(), m.address.clone())).collect();
    let to: Vec<(&str, &str)> = to.iter().map(|(n, a)| (n.as_str(), a.as_str())).collect();
    let id = format!("AAMkADsim{i:05}=");
    message(
        &id,
        &rfc3339(at_ms),
        &e.subject,
        (&from.0, &from.1),
        &to,
        &graph_body(e),
        &id,
        &format!("AAQkADconv{}", e.thread_key.len() % 17),
    )
}

/// `n` messages received over the last `days` days (newest a day ago) in Inbox and
/// Sent Items, plus `old` messages from before that; returns the ids in range.
pub(crate) async fn fill(sim: &GraphSim, user: &str, n: usize, days: i64, old: usize) -> BTreeSet<String> {
    sim.add_mailbox(user, &["Inbox", "Sent Items"]);
    let mails = corpus().await;
    let now = atom_sync::time::now_ms();
    let mut ids = BTreeSet::new();
    for i in 0..n + old {
        let e = &mails[i % mails.len()];
        let at = if i < n {
            // whole seconds, several messages sharing an instant (ties straddle pages)
            let t = now - DAY_MS - (i as i64 / 3) * ((days - 2) * DAY_MS / (n as i64 / 3 + 1));
            t - t.rem_euclid(1000)
        } else {
            now - (days + 5 + i as i64) * DAY_MS
        };
        let r = resource(e, i, at);
        if i < n {
            ids.insert(r["id"].as_str().unwrap().to_string());
        }
        sim.put(user, if i % 4 == 0 { "Sent Items" } else { "Inbox" }, r);
    }
    ids
}

pub(crate) fn cmd(env: &Env, sim: &GraphSim) -> Command {
    let mut c = env.cmd();
    for (k, v) in sim.env() {
        c.env(k, v);
    }
    c.env("ATOM_SYNC_GRAPH_RETRY_BASE", "50ms");
    c
}

pub(crate) fn run(env: &Env, sim: &GraphSim, args: &[&str]) -> Output {
    cmd(env, sim).args(args).output().unwrap()
}

/// `backfill --tenant acme --source graph --mailbox alice@sim.test` and `extra`.
pub(crate) fn backfill(env: &Env, sim: &GraphSim, extra: &[&str]) -> Output {
    let mut args = vec!["backfill", "--tenant", "acme", "--source", "graph", "--mailbox", ALICE];
    args.extend_from_slice(extra);
    run(env, sim, &args)
}

pub(crate) fn only_job(env: &Env) -> Value {
    let doc = status_json(env, &[]);
    let jobs = doc["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 1, "{doc}");
    jobs[0].clone()
}

pub(crate) async fn ledger_ids(env: &Env, tenant: &str) -> BTreeSet<String> {
    env.store().await.ledger_entries(tenant, None).await.unwrap().into_iter().map(|l| l.message_id).collect()
}

pub(crate) fn message_requests(sim: &GraphSim) -> Vec<Logged> {
    sim.log().into_iter().filter(|l| l.path.ends_with("/messages")).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_90_day_backfill_lands_every_message_with_its_full_body() {
    for backend in backends() {
        let sim = GraphSim::start(0);
        let want = fill(&sim, ALICE, 120, 85, 10).await;
        // the token expires mid-run: refreshed once, the job carries on
        sim.fault(Fault::new("$skiptoken", FaultKind::ExpireToken, 1));
        let env = Env::new(backend).await;
        let o = backfill(&env, &sim, &["--since", "90d", "--chunk-size", "4"]);
        ok(&o);
        let job = only_job(&env);
        assert_eq!(job["state"], "completed");
        assert_eq!(job["processed"], 120, "{job}");
        assert_eq!(job["vectors"], 120);
        assert_eq!(job["skipped"], 0);
        assert!(job["source"].as_str().unwrap().starts_with("graph:alice@sim.test?"), "{job}");
        assert_eq!(ledger_ids(&env, "acme").await, want, "exactly the messages received in range");
        let sink = env.sink().await;
        assert_eq!(sink.message_id_set("acme").await.unwrap(), want);
        assert_eq!(sink.count("acme").await.unwrap(), 120);
        assert_eq!(sim.with(|s| s.issued.len()), 2, "one token, refreshed once after the 401");

        // full bodies: the stored vector is the embedding of subject + whole body, not a preview
        let mails = corpus().await;
        let (i, long) = mails.iter().enumerate().take(120).max_by_key(|(_, e)| e.body.len()).unwrap();
        assert!(long.body.len() > 3000, "the corpus has long bodies");
        let embedder = LocalEmbedder::load().unwrap();
        let whole = graph_body(long);
        let (body, _) = atom_sync::text::cap(&whole, atom_sync::email::DEFAULT_MAX_BODY_BYTES);
        let full = format!("{}\n\n{}", long.subject, body);
        let preview = format!("{}\n\n{}", long.subject, body.chars().take(255).collect::<String>());
        let v = embedder.embed(vec![full, preview]).await.unwrap();
        let hit = &sink.nearest("acme", &v[0], 1, &Default::default()).await.unwrap()[0];
        assert_eq!(hit.message_id, format!("AAMkADsim{i:05}="));
        assert!(hit.score > 0.999, "stored vector = full-body embedding (score {})", hit.score);
        let by_preview = sink.nearest("acme", &v[1], 1, &Default::default()).await.unwrap();
        assert!(by_preview[0].message_id != hit.message_id || by_preview[0].score < 0.999, "not a preview");

        // the requests: about one per page of mail (a count that brings the first
        // page, a probe per cut that brings the first page of its part, then $top
        // pages), a tight $select, both Prefer headers
        let reqs = message_requests(&sim);
        assert!(reqs.len() <= 120 / 4 + 10, "{} requests for 30 pages of mail", reqs.len());
        let pages: Vec<&Logged> =
            reqs.iter().filter(|r| r.query.get("$select").is_some_and(|s| s.contains("body"))).collect();
        assert!(pages.len() >= 30, "{}", pages.len());
        for r in &pages {
            assert!(r.query.contains_key("$filter") || r.query.contains_key("$skiptoken"), "{:?}", r.query);
            assert_eq!(r.query["$top"], "4");
            assert!(!r.query["$select"].contains('*'));
            assert!(r.prefer.iter().any(|p| p == "outlook.body-content-type=\"text\""), "{:?}", r.prefer);
            assert!(r.prefer.iter().any(|p| p == "IdType=\"ImmutableId\""), "{:?}", r.prefer);
        }
        let probes = reqs.iter().filter(|r| r.query.contains_key("$skip")).count();
        // the first cuts, and one more each time a part ends early
        assert!((1..=8).contains(&probes), "a probe per cut: {probes}");
        assert_eq!(reqs.iter().filter(|r| r.query.contains_key("$count")).count(), 1, "one count");
        let v = &verify_json(&env, &sim, &["--against-source"]);
        assert_eq!(v["report"]["clean"], true, "{v}");

        // mail that arrives after the backfill is missing until the next sync
        let now = atom_sync::time::now_ms();
        sim.put(
            ALICE,
            "Inbox",
            message(
                "AAMkADafter=",
                &rfc3339(now - 1000),
                "After",
                ("Bo", "bo@sim.test"),
                &[("Alice", ALICE)],
                "arrived later",
                "after@sim.test",
                "AAQkADafter",
            ),
        );
        let o = run(&env, &sim, &["verify", "--tenant", "acme", "--against-source", "--json"]);
        assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        let missing = finding(&v, "missing_from_ledger").unwrap();
        assert_eq!(missing["count"], 1, "{v}");
        assert!(missing["examples"][0].as_str().unwrap().contains("after@sim.test"), "{v}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn all_mailboxes_makes_one_job_per_user_with_a_mailbox() {
    let sim = GraphSim::start(0);
    sim.add_mailbox(ALICE, &["Inbox"]);
    sim.add_mailbox("bob@sim.test", &["Inbox"]);
    let env = Env::new(Backend::Sqlite).await;
    let o = run(
        &env,
        &sim,
        &["backfill", "--tenant", "acme", "--source", "graph", "--all-mailboxes", "--since", "7d", "--detach"],
    );
    ok(&o);
    assert_eq!(stdout(&o).lines().count(), 2, "{}", stdout(&o));
    let doc = status_json(&env, &[]);
    let mut mailboxes: Vec<&str> =
        doc["jobs"].as_array().unwrap().iter().map(|j| j["mailbox"].as_str().unwrap()).collect();
    mailboxes.sort();
    assert_eq!(mailboxes, [ALICE, "bob@sim.test"], "the room without a mailbox is left out");
    ok(&run(&env, &sim, &["worker", "--once"]));
    assert!(status_json(&env, &[])["jobs"].as_array().unwrap().iter().all(|j| j["state"] == "completed"));

    // without credentials nothing is created, and the error names what is missing
    let env = Env::new(Backend::Sqlite).await;
    let o = env.run(&["backfill", "--tenant", "acme", "--source", "graph", "--mailbox", ALICE]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("ATOM_SYNC_GRAPH_CLIENT_SECRET"), "{}", stderr(&o));
    assert!(status_json(&env, &[])["jobs"].as_array().unwrap().is_empty());
}

/// A real directory lists more accounts than mailboxes: guests, unlicensed users,
/// disabled leavers without a mailbox, rooms, and shared mailboxes (disabled accounts
/// whose mailbox serves). `--all-mailboxes` serves exactly the mailboxes and says whom
/// it left out; `--exclude` and `--mailboxes-from` choose among them.
#[tokio::test(flavor = "multi_thread")]
async fn mailbox_selection_survives_a_real_directory() {
    let sim = GraphSim::start(0);
    sim.add_mailbox(ALICE, &["Inbox"]);
    sim.add_mailbox("bob@sim.test", &["Inbox"]);
    sim.add_shared_mailbox("support@sim.test", &["Inbox"]);
    let recent = rfc3339(atom_sync::time::now_ms() - 3 * DAY_MS);
    let ticket = message(
        "AAMkADshared1=",
        &recent,
        "ticket",
        ("Carol", "carol@x.test"),
        &[("Support", "support@sim.test")],
        "printer on fire",
        "<ticket-1@x.test>",
        "conv-ticket",
    );
    sim.put("support@sim.test", "Inbox", ticket);
    sim.add_account("partner_x.test#EXT#@sim.test", "Guest", Some("partner@x.test"), true);
    sim.add_account("intern@sim.test", "Member", Some("intern@sim.test"), true);
    sim.add_account("leaver@sim.test", "Member", Some("leaver@sim.test"), false);
    sim.add_account("noreply@sim.test", "Member", None, true);
    let dir = tempfile::tempdir().unwrap();
    for backend in backends() {
        let env = Env::new(backend).await;
        let base = ["backfill", "--tenant", "acme", "--source", "graph", "--since", "30d", "--detach"];
        let mailboxes = |env: &Env| -> Vec<String> {
            let mut m: Vec<String> = status_json(env, &[])["jobs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|j| j["mailbox"].as_str().unwrap().to_string())
                .collect();
            m.sort();
            m
        };
        let o = run(&env, &sim, &[&base[..], &["--all-mailboxes"]].concat());
        ok(&o);
        assert_eq!(mailboxes(&env), [ALICE, "bob@sim.test", "support@sim.test"], "{}", stderr(&o));
        let err = stderr(&o);
        for (who, why) in [
            ("partner_x.test#ext#@sim.test", "guest"),
            ("intern@sim.test", "MailboxNotEnabledForRESTAPI"),
            ("leaver@sim.test", "MailboxNotEnabledForRESTAPI"),
            ("noreply@sim.test", "no mail address"),
            ("room@sim.test", "no mail address"),
        ] {
            let line = err.lines().find(|l| l.contains("left out")).unwrap_or_else(|| panic!("{err}"));
            let at = line.to_lowercase().find(&who.to_lowercase()).unwrap_or_else(|| panic!("{who}: {line}"));
            assert!(line[at..].contains(why), "{who} left out for {why}: {line}");
        }
        ok(&run(&env, &sim, &["worker", "--once"]));
        let doc = status_json(&env, &[]);
        assert!(doc["jobs"].as_array().unwrap().iter().all(|j| j["state"] == "completed"), "{doc}");
        let shared = doc["jobs"].as_array().unwrap().iter().find(|j| j["mailbox"] == "support@sim.test").unwrap();
        assert_eq!(shared["processed"], 1, "the shared mailbox is read: {shared}");

        // --exclude, with --all-mailboxes and with a list from a file
        let env = Env::new(backend).await;
        ok(&run(&env, &sim, &[&base[..], &["--all-mailboxes", "--exclude", "BOB@sim.test"]].concat()));
        assert_eq!(mailboxes(&env), [ALICE, "support@sim.test"]);
        let list = dir.path().join("mailboxes.txt");
        std::fs::write(&list, "# the pilot group\nalice@sim.test\n\n  Support@sim.test  # shared\nbob@sim.test\n")
            .unwrap();
        let env = Env::new(backend).await;
        let from = list.to_str().unwrap();
        ok(&run(&env, &sim, &[&base[..], &["--mailboxes-from", from, "--exclude", "bob@sim.test"]].concat()));
        assert_eq!(mailboxes(&env), [ALICE, "support@sim.test"]);

        // a bad line is refused, naming the file and the line; nothing is created
        std::fs::write(&list, "alice@sim.test\nbad\u{7}name\n").unwrap();
        let env = Env::new(backend).await;
        let o = run(&env, &sim, &[&base[..], &["--mailboxes-from", from]].concat());
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("mailboxes.txt, line 2"), "{}", stderr(&o));
        let o = run(&env, &sim, &[&base[..], &["--mailbox", ALICE, "--exclude", ALICE]].concat());
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("leaves no mailbox"), "{}", stderr(&o));
        assert!(status_json(&env, &[])["jobs"].as_array().unwrap().is_empty());
    }
}

/// The job a `backfill` / `sync` run reported as completed.
fn job_of(env: &Env, o: &Output) -> Value {
    let out = stdout(o);
    let id =
        out.lines().find_map(|l| l.strip_prefix("job ")?.split_whitespace().next()).unwrap_or_else(|| panic!("{out}"));
    let doc = status_json(env, &[]);
    doc["jobs"].as_array().unwrap().iter().find(|j| j["id"] == id).unwrap().clone()
}

fn verify_json(env: &Env, sim: &GraphSim, extra: &[&str]) -> Value {
    let mut args = vec!["verify", "--tenant", "acme", "--json"];
    args.extend_from_slice(extra);
    let o = run(env, sim, &args);
    serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&o), stderr(&o)))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hanging_response_is_cut_at_the_timeout_and_retried() {
    let sim = GraphSim::start(0);
    fill(&sim, ALICE, 30, 20, 0).await;
    sim.fault(Fault::new("receivedDateTime ge", FaultKind::Hang(Duration::from_secs(60)), 1));
    sim.fault(Fault::new("$skiptoken", FaultKind::Truncated, 1));
    let env = Env::new(Backend::Sqlite).await;
    let t = Instant::now();
    let o = backfill(&env, &sim, &["--since", "30d", "--chunk-size", "7", "--graph-timeout", "2s"]);
    ok(&o);
    assert!(t.elapsed() < Duration::from_secs(40), "cut at 2 s, not left hanging: {:?}", t.elapsed());
    assert_eq!(only_job(&env)["processed"], 30);
    let reqs = message_requests(&sim);
    let hung =
        reqs.iter().position(|r| r.query.get("$filter").is_some_and(|f| f.contains("receivedDateTime ge"))).unwrap();
    let again = &reqs[hung + 1];
    assert_eq!(again.query, reqs[hung].query, "the same request again");
    let gap = again.started - reqs[hung].started;
    assert!(gap >= Duration::from_secs(2) && gap < Duration::from_secs(10), "retried after the 2 s timeout: {gap:?}");
    assert!(stderr(&o).contains("timed out"), "{}", stderr(&o));
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_429_with_retry_after_holds_back_the_mailbox() {
    let sim = GraphSim::start(0);
    fill(&sim, ALICE, 40, 20, 0).await;
    sim.fault(Fault::new(
        "$skiptoken",
        FaultKind::Status { status: 429, code: "TooManyRequests".into(), retry_after: Some("2".into()) },
        1,
    ));
    let env = Env::new(Backend::Sqlite).await;
    ok(&backfill(&env, &sim, &["--since", "30d", "--chunk-size", "5"]));
    assert_eq!(only_job(&env)["processed"], 40);
    let log: Vec<Logged> = sim.log().into_iter().filter(|l| l.mailbox.as_deref() == Some(ALICE)).collect();
    let throttled = log.iter().find(|l| l.status == 429).expect("the 429 was served");
    let at = throttled.finished.unwrap();
    // requests already past the gate when the 429 came (or before the client read it:
    // on a loaded machine that takes a while) may still arrive; after that no request
    // is sent to the mailbox until Retry-After has passed
    let reacted = at + Duration::from_millis(300);
    let early = log.iter().filter(|l| l.started > reacted && l.started < at + Duration::from_millis(1900)).count();
    assert_eq!(early, 0, "requests to the mailbox within Retry-After's 2 s");
    assert!(log.iter().any(|l| l.started >= at + Duration::from_secs(2)), "and the listing went on after it");
}

#[tokio::test(flavor = "multi_thread")]
async fn gateway_timeout_storms_shrink_the_page_and_forbidden_fails_fast() {
    let sim = GraphSim::start(0);
    let want = fill(&sim, ALICE, 60, 20, 0).await;
    // Graph's answer to big pages over busy windows: 504 until the page is small
    let mut storm = Fault::status("/messages", 504, usize::MAX);
    storm.top_over = Some(50);
    sim.fault(storm);
    let env = Env::new(Backend::Sqlite).await;
    let o = backfill(&env, &sim, &["--since", "30d"]);
    ok(&o);
    assert_eq!(ledger_ids(&env, "acme").await, want);
    assert!(stderr(&o).contains("cutting the part in two"), "a part that times out is cut: {}", stderr(&o));
    // a line from deep in the Graph source still says whose job it is about
    let line = stderr(&o).lines().find(|l| l.contains("cutting the part in two")).unwrap().to_string();
    assert!(
        line.contains("job{job=") && line.contains("tenant=acme") && line.contains(&format!("mailbox={ALICE}")),
        "{line}"
    );
    let reqs = message_requests(&sim);
    assert!(reqs.iter().any(|r| r.status == 504 && r.query.get("$top").map(String::as_str) == Some("100")));
    assert!(
        reqs.iter().any(|r| r.status == 200 && r.query.get("$top").map(String::as_str) == Some("50")),
        "shrunk to 50"
    );

    // a 403 is not retried: the job fails at once, naming mailbox, window and Graph's error
    sim.with(|s| s.faults.clear());
    sim.fault(Fault::new(
        "/messages",
        FaultKind::Status { status: 403, code: "ErrorAccessDenied".into(), retry_after: None },
        1,
    ));
    sim.clear_log();
    let env = Env::new(Backend::Sqlite).await;
    let o = backfill(&env, &sim, &["--since", "30d"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(ALICE) && err.contains("window") && err.contains("403 ErrorAccessDenied"), "{err}");
    assert_eq!(message_requests(&sim).len(), 1, "no retry of a 403");
    assert_eq!(only_job(&env)["state"], "failed");
}

#[tokio::test(flavor = "multi_thread")]
async fn never_more_than_four_requests_in_flight_for_one_mailbox() {
    let sim = GraphSim::start(0);
    fill(&sim, ALICE, 80, 80, 0).await;
    sim.with(|s| s.latency = Duration::from_millis(120));
    let env = Env::new(Backend::Sqlite).await;
    let now = atom_sync::time::now_ms();
    // eight jobs over one mailbox (ten-day slices; one tenant each, since a tenant's
    // mailbox has one active job at a time), run by one worker eight at a time
    for k in 0..8 {
        let from = rfc3339(now - (k + 1) * 10 * DAY_MS);
        let to = rfc3339(now - k * 10 * DAY_MS);
        let tenant = format!("acme{k}");
        let args = ["backfill", "--tenant", &tenant, "--source", "graph", "--mailbox", ALICE, "--from", &from];
        let more = ["--to", &to, "--window", "1d", "--chunk-size", "5", "--detach"];
        ok(&run(&env, &sim, &[&args[..], &more[..]].concat()));
    }
    ok(&run(&env, &sim, &["worker", "--once", "--concurrency", "8", "--poll", "100ms"]));
    let doc = status_json(&env, &[]);
    let total: i64 = doc["jobs"].as_array().unwrap().iter().map(|j| j["processed"].as_i64().unwrap()).sum();
    assert_eq!(total, 80);
    assert_eq!(sim.max_in_flight(ALICE), 4, "the cap is reached and never passed");
}

/// Start a backfill and SIGKILL it once its checkpoint sits in the middle of a window
/// (a next link stored); returns the job id.
async fn killed_mid_window(env: &Env, sim: &GraphSim, args: &[&str]) -> String {
    let mut child = cmd(env, sim).args(args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || for _ in BufReader::new(stderr).lines() {});
    let store = env.store().await;
    let deadline = Instant::now() + Duration::from_secs(120);
    let id = loop {
        assert!(Instant::now() < deadline, "never mid-window");
        tokio::time::sleep(Duration::from_millis(20)).await;
        let jobs = store.jobs(&Default::default()).await.unwrap();
        if let Some(j) = jobs.first()
            && j.chunks >= 3
            && j.cursor.as_deref().is_some_and(|c| c.contains("\"next\":\"http"))
        {
            break j.id.clone();
        }
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let job = store.job(&id).await.unwrap();
    assert_eq!(job.state.as_str(), "running", "killed, not finished");
    let parts = job.cursor.unwrap_or_default().matches("\"start\":").count();
    assert!(parts >= 3, "killed with several parts in flight: {parts}");
    id
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_mid_window_resumes_from_its_checkpoint_even_with_an_expired_next_link() {
    let sim = GraphSim::start(0);
    let want = fill(&sim, ALICE, 150, 20, 0).await;
    let extra = ["--since", "30d", "--window", "30d", "--chunk-size", "6"];
    let mut args = vec!["backfill", "--tenant", "acme", "--source", "graph", "--mailbox", ALICE];
    args.extend_from_slice(&extra);

    let clean = Env::new(Backend::Sqlite).await;
    ok(&backfill(&clean, &sim, &extra));
    let expected = clean.digest("acme").await;
    assert_eq!(expected.processed, 150);

    sim.with(|s| s.latency = Duration::from_millis(80));
    for expire in [false, true] {
        let env = Env::new(Backend::Sqlite).await;
        let id = killed_mid_window(&env, &sim, &args).await;
        if expire {
            sim.expire_next_links();
        }
        sim.clear_log();
        ok(&run(&env, &sim, &["resume", &id]));
        let job = only_job(&env);
        assert_eq!(job["state"], "completed");
        assert_eq!(job["processed"], 150, "nothing counted twice (expired link: {expire})");
        assert_eq!(env.digest("acme").await, expected, "same rows as an uninterrupted run (expired link: {expire})");
        assert_eq!(env.sink().await.message_id_set("acme").await.unwrap(), want);
        // the first requests of the resumed run: each part's, from its checkpoint
        let reqs = message_requests(&sim);
        let first: Vec<&Logged> = reqs.iter().take(4).collect();
        if expire {
            let refused = first.iter().filter(|r| r.status == 400).count();
            assert!(refused >= 1, "a stored next link was refused: {first:?}");
            let restarts = reqs.iter().skip(refused).filter(|r| r.query.contains_key("$filter")).count();
            assert!(restarts >= refused, "and its part restarted from its watermark");
        } else {
            assert!(
                first.iter().any(|r| r.query.contains_key("$skiptoken")),
                "continued from a stored next link: {first:?}"
            );
            assert!(first.iter().all(|r| r.status == 200));
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn incremental_sync_applies_adds_changes_and_removals_and_survives_an_expired_delta_link() {
    for backend in backends() {
        let sim = GraphSim::start(0);
        let mut want = fill(&sim, ALICE, 40, 30, 0).await;
        let env = Env::new(backend).await;
        ok(&backfill(&env, &sim, &["--since", "40d"]));
        // the first sync lists every folder once and stores a delta link per folder
        let o = run(&env, &sim, &["sync", "--tenant", "acme", "--mailbox", ALICE, "--chunk-size", "15"]);
        ok(&o);
        assert_eq!(ledger_ids(&env, "acme").await, want);
        let links = env.store().await.sync_links("acme", ALICE).await.unwrap();
        assert_eq!(links.len(), 2, "{links:?}");

        // add three, change two (a new recipient), remove four
        let now = atom_sync::time::now_ms();
        for k in 0..3 {
            let m = message(
                &format!("AAMkADnew{k}="),
                &rfc3339(now - 1000 * k),
                &format!("New {k}"),
                ("Zed New", "zed@sim.test"),
                &[("Alice", ALICE)],
                "A brand new message about the quarterly numbers.",
                &format!("new{k}@sim.test"),
                "AAQkADnew",
            );
            sim.put(ALICE, "Inbox", m);
            // keyed by Internet Message-ID; Graph's removals name the copy's own id
            want.insert(format!("new{k}@sim.test"));
        }
        let ids: Vec<String> = want.iter().filter(|i| i.starts_with("AAMkADsim")).cloned().collect();
        for id in &ids[..2] {
            let folder = sim.with(|s| s.mailboxes[ALICE].messages.iter().find(|m| &m.id == id).unwrap().folder.clone());
            let mut m =
                sim.with(|s| s.mailboxes[ALICE].messages.iter().find(|m| &m.id == id).unwrap().resource.clone());
            m["subject"] = json!(format!("Changed {id}"));
            m["toRecipients"] = json!([{"emailAddress": {"name": "Quinn Changed", "address": "quinn@sim.test"}}]);
            sim.put(ALICE, &folder, m);
        }
        for id in &ids[2..6] {
            sim.remove(ALICE, id);
            want.remove(id);
        }
        // a move between folders shows as a delete in one and an add in the other:
        // the message stays (whichever folder is read first)
        let inbox_id = sim.with(|s| {
            s.mailboxes[ALICE]
                .messages
                .iter()
                .find(|m| m.folder == folder_id("Inbox") && ids[6..].contains(&m.id))
                .unwrap()
                .id
                .clone()
        });
        let sent_id = sim.with(|s| {
            s.mailboxes[ALICE]
                .messages
                .iter()
                .find(|m| m.folder == folder_id("Sent Items") && ids[6..].contains(&m.id))
                .unwrap()
                .id
                .clone()
        });
        sim.move_to(ALICE, &inbox_id, "Sent Items");
        sim.move_to(ALICE, &sent_id, "Inbox");
        let o = run(&env, &sim, &["sync", "--tenant", "acme", "--mailbox", ALICE]);
        ok(&o);
        let sync = job_of(&env, &o);
        assert_eq!(sync["processed"], 7, "3 new + 2 changed + 2 moved: {sync}");
        assert_eq!(sync["removed"], 4, "{sync}");
        assert_eq!(ledger_ids(&env, "acme").await, want);
        let sink = env.sink().await;
        assert_eq!(sink.message_id_set("acme").await.unwrap(), want);
        let store = env.store().await;
        // the vector row of a changed message is the new version
        let probe = vec![0.1f32; LocalEmbedder::load().unwrap().dimension()];
        let changed = sink
            .nearest(
                "acme",
                &probe,
                1,
                &atom_sync::sink::SearchFilter { message_id: Some(ids[0].clone()), ..Default::default() },
            )
            .await
            .unwrap();
        assert_eq!(changed[0].subject, format!("Changed {}", ids[0]));
        let quinn = store.entity("acme", "quinn@sim.test", 10).await.unwrap();
        assert_eq!(quinn.len(), 1, "the new recipient of a changed message is in the graph");
        assert_eq!(quinn[0].mentions, 2);
        assert_eq!(store.entity("acme", "zed@sim.test", 10).await.unwrap()[0].mentions, 3);
        let v = verify_json(&env, &sim, &[]);
        assert_eq!(v["report"]["clean"], true, "no orphans, no unsupported nodes or edges: {v}");

        // removing every message of a sender removes the sender from the graph
        for k in 0..3 {
            sim.remove(ALICE, &format!("AAMkADnew{k}="));
            want.remove(&format!("new{k}@sim.test"));
        }
        ok(&run(&env, &sim, &["sync", "--tenant", "acme", "--mailbox", ALICE]));
        assert!(store.entity("acme", "zed@sim.test", 10).await.unwrap().is_empty(), "zed lost all support");

        // Graph forgets the sync state: a full re-list, reconciled, nothing twice
        sim.expire_delta_links();
        sim.remove(ALICE, &ids[6]);
        want.remove(&ids[6]);
        let m = message(
            "AAMkADlate=",
            &rfc3339(now),
            "Late",
            ("Lee", "lee@sim.test"),
            &[("Alice", ALICE)],
            "late mail",
            "late@sim.test",
            "AAQkADlate",
        );
        sim.put(ALICE, "Sent Items", m);
        want.insert("late@sim.test".into());
        let o = run(&env, &sim, &["sync", "--tenant", "acme", "--mailbox", ALICE]);
        ok(&o);
        assert!(stderr(&o).contains("delta link refused"), "{}", stderr(&o));
        assert_eq!(ledger_ids(&env, "acme").await, want);
        let sink = env.sink().await; // a table handle reads the version it opened
        assert_eq!(sink.message_id_set("acme").await.unwrap(), want);
        assert_eq!(sink.count("acme").await.unwrap(), want.len(), "one vector per message");
        let v = verify_json(&env, &sim, &["--against-source"]);
        assert_eq!(v["report"]["clean"], true, "{v}");

        // rows another source wrote under the same mailbox name are not Graph's to reconcile
        ok(&env.run(&[
            "backfill",
            "--tenant",
            "acme",
            "--source",
            &format!("mbox:{}", sample_mbox().display()),
            "--mailbox",
            ALICE,
        ]));
        sim.expire_delta_links();
        ok(&run(&env, &sim, &["sync", "--tenant", "acme", "--mailbox", ALICE]));
        assert_eq!(ledger_ids(&env, "acme").await.len(), want.len() + SAMPLE_MESSAGES as usize);
        assert_eq!(env.sink().await.count("acme").await.unwrap(), want.len() + SAMPLE_MESSAGES as usize);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_appear_in_no_log_error_help_or_status() {
    let sim = GraphSim::start(0);
    fill(&sim, ALICE, 12, 10, 0).await;
    sim.fault(Fault::new("$skiptoken", FaultKind::ExpireToken, 1));
    let env = Env::new(Backend::Sqlite).await;
    let mut outputs = Vec::new();
    let trace = |args: &[&str]| {
        let mut c = cmd(&env, &sim);
        c.env("ATOM_SYNC_LOG", "trace").args(["-vv"]).args(args);
        c.output().unwrap()
    };
    let o = trace(&[
        "backfill",
        "--tenant",
        "acme",
        "--source",
        "graph",
        "--mailbox",
        ALICE,
        "--since",
        "20d",
        "--chunk-size",
        "5",
    ]);
    ok(&o);
    assert!(stderr(&o).contains("TRACE"), "trace logging was on");
    outputs.push(o);
    outputs.push(trace(&["status"]));
    outputs.push(trace(&["status", "--json"]));
    outputs.push(trace(&["backfill", "--help"]));
    outputs.push(trace(&["sync", "--tenant", "acme", "--mailbox", ALICE]));
    // refused credentials: the error names the tenant and client, never the secret
    let mut c = cmd(&env, &sim);
    c.env("ATOM_SYNC_GRAPH_CLIENT_SECRET", "wrong~Secret-Also-Hidden").env("ATOM_SYNC_LOG", "trace");
    let o = c
        .args(["backfill", "--tenant", "acme", "--source", "graph", "--mailbox", ALICE, "--since", "1d"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("invalid_client"), "{}", stderr(&o));
    outputs.push(o);
    let tokens: Vec<String> = sim.with(|s| s.issued.clone());
    assert!(tokens.len() >= 3, "{tokens:?}");
    for o in &outputs {
        let all = format!("{}{}", stdout(o), stderr(o));
        for secret in
            [CLIENT_SECRET, "wrong~Secret-Also-Hidden"].iter().map(|s| s.to_string()).chain(tokens.iter().cloned())
        {
            assert!(!all.contains(&secret), "a secret leaked:\n{all}");
            let tail = &secret[secret.len() - 12..];
            assert!(!all.contains(tail), "part of a secret leaked:\n{all}");
        }
    }
}

/// Paging cannot loop or leak: a next link that comes round again restarts the
/// window once from its watermark and then fails it with the reason, in a bounded
/// number of requests; a link to another origin is refused before the token goes there.
#[tokio::test(flavor = "multi_thread")]
async fn paging_loops_are_caught_and_links_off_graph_never_get_the_token() {
    let sim = GraphSim::start(0);
    fill(&sim, ALICE, 40, 20, 0).await;
    // one part at a time, so the loops below meet one part
    let args = ["--since", "30d", "--chunk-size", "5", "--graph-max-in-flight", "1"];

    // twice round: restarted from the watermark, and it still completes exactly (the
    // first hit is the count's page, whose next link the listing never follows)
    sim.fault(Fault::new("internetMessageId", FaultKind::NextLink(None), 3));
    let env = Env::new(Backend::Sqlite).await;
    let o = backfill(&env, &sim, &args);
    ok(&o);
    assert!(stderr(&o).contains("paging loop"), "{}", stderr(&o));
    assert_eq!(only_job(&env)["processed"], 40);

    // a loop that will not end fails the job, naming it, in a handful of requests
    sim.with(|s| s.faults.clear());
    sim.fault(Fault::new("internetMessageId", FaultKind::NextLink(None), usize::MAX));
    sim.clear_log();
    let env = Env::new(Backend::Sqlite).await;
    let o = backfill(&env, &sim, &args);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("paging loop") && stderr(&o).contains(ALICE), "{}", stderr(&o));
    assert!(message_requests(&sim).len() <= 8, "{} requests", message_requests(&sim).len());

    // a next link to another host: refused, and that host never sees a request (the
    // count's page, the first hit, has its link dropped unfollowed)
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = seen.clone();
    let thief = spawn_server(0, move |_req| {
        count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async { json_response(200, "{\"value\": []}".into()) }
    });
    sim.with(|s| s.faults.clear());
    sim.fault(Fault::new(
        "internetMessageId",
        FaultKind::NextLink(Some(format!("http://{thief}/v1.0/users/{ALICE}/messages?$skiptoken=x"))),
        2,
    ));
    let env = Env::new(Backend::Sqlite).await;
    let o = backfill(&env, &sim, &args);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("outside"), "{}", stderr(&o));
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 0, "the token went to another host");
}

/// An outage that outlasts one call's retries sends the job back to `pending` with a
/// backoff, counted; it completes when Graph comes back, and fails for good only once
/// `--max-attempts` runs have failed. A 403 still fails at once (see above).
#[tokio::test(flavor = "multi_thread")]
async fn an_outage_that_outlasts_its_retries_requeues_the_job_until_max_attempts() {
    let sim = GraphSim::start(0);
    fill(&sim, ALICE, 20, 20, 0).await;
    let args = ["--since", "30d", "--graph-max-retries", "1", "--retry-backoff", "1s"];
    // three 503s in a row: more than a call's two tries, fewer than the job's budget
    sim.fault(Fault::status("/messages", 503, 3));
    let env = Env::new(Backend::Sqlite).await;
    let o = backfill(&env, &sim, &[&args[..], &["--max-attempts", "5"]].concat());
    ok(&o);
    let job = only_job(&env);
    assert_eq!((job["state"].as_str(), job["processed"].as_i64()), (Some("completed"), Some(20)), "{job}");
    assert!(job["failures"].as_i64().unwrap() >= 1 && job["attempts"].as_i64().unwrap() >= 2, "{job}");
    let kinds: Vec<String> = status_json(&env, &[job["id"].as_str().unwrap()])["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert!(kinds.contains(&"retry".to_string()), "{kinds:?}");

    // an outage that does not end: failed after two failed runs, with Graph's answer
    sim.with(|s| s.faults.clear());
    sim.fault(Fault::status("/messages", 503, usize::MAX));
    let env = Env::new(Backend::Sqlite).await;
    let o = backfill(&env, &sim, &[&args[..], &["--max-attempts", "2"]].concat());
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let job = only_job(&env);
    assert_eq!((job["state"].as_str(), job["failures"].as_i64()), (Some("failed"), Some(2)), "{job}");
    let why = job["last_error"].as_str().unwrap();
    assert!(why.contains("503") && why.contains(ALICE), "{why}");
}

/// The ledger rows of one message: (mailbox, vector status), by mailbox.
async fn copies(env: &Env, id: &str) -> Vec<(String, String)> {
    let rows = env.store().await.ledger_entries("acme", None).await.unwrap();
    rows.into_iter().filter(|l| l.message_id == id).map(|l| (l.mailbox, l.vector_status)).collect()
}

/// The mailboxes whose search (by words) finds the message `id`.
fn found_in(env: &Env, sim: &GraphSim, mailboxes: &[&str], id: &str) -> Vec<String> {
    let mut out = Vec::new();
    for m in mailboxes {
        let o = run(env, sim, &["search", "--tenant", "acme", "zanzibar", "--mode", "text", "--mailbox", m, "--json"]);
        ok(&o);
        let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
        let hits = doc["hits"].as_array().unwrap();
        if hits.iter().any(|h| h["message_id"] == id) {
            assert!(hits.iter().all(|h| h["mailbox"] == *m), "{doc}");
            out.push(m.to_string());
        }
    }
    out
}

/// One message in three mailboxes of a tenant (the sender's Sent Items and two
/// recipients' Inboxes, each copy with a Graph id of its own): one vector, embedded and
/// extracted once, three mailbox entries that search follows; removing it from one
/// mailbox (a delta removal, the copy that wrote the vector included, then a purge)
/// keeps it for the others until the last.
#[tokio::test(flavor = "multi_thread")]
async fn a_message_three_mailboxes_hold_is_one_message_in_the_memory() {
    const KEY: &str = "budget-1@sim.test";
    let (ann, bo, cy) = ("ann@sim.test", "bo@sim.test", "cy@sim.test");
    for backend in backends() {
        let sim = GraphSim::start(0);
        let at = rfc3339(atom_sync::time::now_ms() - 2 * DAY_MS);
        for (user, folder, id) in
            [(ann, "Sent Items", "AAMkAnnSent1="), (bo, "Inbox", "AAMkBoInbox1="), (cy, "Inbox", "AAMkCyInbox1=")]
        {
            sim.add_mailbox(user, &["Inbox", "Sent Items"]);
            let text = "The Zanzibar budget is due on Friday; numbers attached.";
            let to = [("Bo", bo), ("Cy", cy)];
            sim.put(
                user,
                folder,
                message(id, &at, "Zanzibar budget", ("Ann", ann), &to, text, &format!("<{KEY}>"), "c1"),
            );
            let own = format!("AAMkOwn{}=", &user[..2]);
            let other = ("Vendor", "vendor@ext.test");
            let note =
                message(&own, &at, "invoice", other, &[("U", user)], "your invoice", &format!("<{own}@x>"), "c2");
            sim.put(user, "Inbox", note);
        }
        let env = Env::new(backend).await;
        for user in [ann, bo, cy] {
            ok(&run(
                &env,
                &sim,
                &["backfill", "--tenant", "acme", "--source", "graph", "--mailbox", user, "--since", "30d"],
            ));
        }
        let written = |m: &str| (m.to_string(), "written".to_string());
        let shared = |m: &str| (m.to_string(), "shared".to_string());
        assert_eq!(copies(&env, KEY).await, [written(ann), shared(bo), shared(cy)], "embedded once, held thrice");
        let sink = env.sink().await;
        assert_eq!(sink.count_of("acme", &[KEY.to_string()]).await.unwrap(), 1, "one vector");
        assert_eq!(sink.count("acme").await.unwrap(), 4, "and one for each mailbox's own message");
        assert_eq!(found_in(&env, &sim, &[ann, bo, cy], KEY), [ann, bo, cy]);
        assert_eq!(verify_json(&env, &sim, &[])["report"]["clean"], true);
        // two mailboxes' jobs that embed the message at once both say they wrote it;
        // search and verify go by who holds it, not by that
        exec_sql(&env, &format!("UPDATE message_ledger SET vector_status = 'written' WHERE mailbox = '{bo}'")).await;
        assert_eq!(found_in(&env, &sim, &[ann, bo, cy], KEY), [ann, bo, cy]);
        assert_eq!(verify_json(&env, &sim, &[])["report"]["clean"], true);
        let store = env.store().await;
        let people = store.entity("acme", "vendor@ext.test", 10).await.unwrap();
        assert_eq!(people[0].mentions, 3, "the vendor's three notes; the budget counted once for its people too");
        let budget = store.entity("acme", "cy@sim.test", 10).await.unwrap();
        assert_eq!(budget[0].mentions, 2, "cy: the budget once (not thrice) and the vendor's note");

        // a first sync reads each folder whole: what a mailbox holds unchanged is
        // recorded for the sync's job as it stands, and nothing is embedded again
        let before = env.sink().await.shape().await.unwrap();
        for user in [ann, bo] {
            let o = run(&env, &sim, &["sync", "--tenant", "acme", "--mailbox", user]);
            assert_eq!(job_of(&env, &o)["processed"], 2, "{}", stderr(&o));
        }
        assert_eq!(env.sink().await.shape().await.unwrap().fragments, before.fragments, "no vector written again");
        assert_eq!(copies(&env, KEY).await, [written(ann), written(bo), shared(cy)], "as they stood");
        // a delta removal names the copy by its Graph id: bo's copy goes (perhaps with
        // the mailbox the vector row names: the copies left say it is not theirs)
        sim.remove(bo, "AAMkBoInbox1=");
        let o = run(&env, &sim, &["sync", "--tenant", "acme", "--mailbox", bo]);
        assert_eq!(job_of(&env, &o)["removed"], 1, "{}", stderr(&o));
        assert_eq!(copies(&env, KEY).await, [shared(ann), shared(cy)]);
        let sink = env.sink().await;
        assert_eq!(sink.count_of("acme", &[KEY.to_string()]).await.unwrap(), 1, "kept for ann and cy");
        assert_eq!(found_in(&env, &sim, &[ann, bo, cy], KEY), [ann, cy]);
        assert_eq!(verify_json(&env, &sim, &[])["report"]["clean"], true);

        // the sender's copy goes too: the vector stays for cy
        sim.remove(ann, "AAMkAnnSent1=");
        ok(&run(&env, &sim, &["sync", "--tenant", "acme", "--mailbox", ann]));
        assert_eq!(copies(&env, KEY).await, [shared(cy)]);
        assert_eq!(env.sink().await.count_of("acme", &[KEY.to_string()]).await.unwrap(), 1);
        assert_eq!(found_in(&env, &sim, &[ann, bo, cy], KEY), [cy]);
        assert_eq!(store.entity("acme", "cy@sim.test", 10).await.unwrap()[0].mentions, 2, "support kept");
        assert_eq!(verify_json(&env, &sim, &[])["report"]["clean"], true);
        // verify checks the mapping: a lone copy that claims the vector another
        // mailbox's row names is one its mailbox's search would miss; repair says whose
        exec_sql(&env, &format!("UPDATE message_ledger SET vector_status = 'written' WHERE mailbox = '{cy}'")).await;
        assert_eq!(found_in(&env, &sim, &[cy], KEY), Vec::<String>::new());
        let v = verify_json(&env, &sim, &[]);
        let unfindable = finding(&v, "unfindable_copies").unwrap_or_else(|| panic!("{v}"));
        assert_eq!(
            (unfindable["count"].as_u64(), &unfindable["examples"][0]),
            (Some(1), &json!(format!("{cy}: {KEY}")))
        );
        verify_json(&env, &sim, &["--repair"]);
        assert_eq!(verify_json(&env, &sim, &[])["report"]["clean"], true);
        assert_eq!(found_in(&env, &sim, &[cy], KEY), [cy]);

        // the last holder is purged: now it goes from both memories
        ok(&run(&env, &sim, &["purge", "--tenant", "acme", "--mailbox", cy, "--yes"]));
        assert!(copies(&env, KEY).await.is_empty());
        assert_eq!(env.sink().await.count_of("acme", &[KEY.to_string()]).await.unwrap(), 0);
        assert!(store.entity("acme", "cy@sim.test", 10).await.unwrap().is_empty(), "cy lost all support");
        assert_eq!(verify_json(&env, &sim, &[])["report"]["clean"], true);
    }
}

/// `s` without ANSI escape sequences (CSI: ESC [ … final byte).
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for n in chars.by_ref() {
                if ('@'..='~').contains(&n) {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// On a terminal (a pty, through script(1)), the progress bar and the log lines that
/// come while it is drawn (Graph's retries, mid-run) never share a line: each line
/// lifts the bar out of the way, then the bar is drawn again below it.
#[tokio::test(flavor = "multi_thread")]
async fn on_a_terminal_warnings_and_the_progress_bar_never_tear_each_other() {
    let sim = GraphSim::start(0);
    fill(&sim, ALICE, 60, 20, 0).await;
    sim.with(|s| s.latency = Duration::from_millis(40));
    sim.fault(Fault::status("$skiptoken", 503, 4));
    let env = Env::new(Backend::Sqlite).await;
    let c = cmd(&env, &sim);
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut line = quote(&c.get_program().to_string_lossy());
    for a in ["backfill", "--tenant", "acme", "--source", "graph", "--mailbox", ALICE, "--since", "30d"] {
        line.push(' ');
        line.push_str(&quote(a));
    }
    line.push_str(" --chunk-size 5");
    let mut s = Command::new("script");
    s.args(["-qefc", &line, "/dev/null"]);
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => s.env(k, v),
            None => s.env_remove(k),
        };
    }
    s.env("TERM", "xterm-256color").env("COLUMNS", "160").env_remove("NO_COLOR");
    let o = s.stdin(Stdio::null()).output().expect("script(1) (util-linux) runs a command on a pty");
    let raw = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(o.status.success(), "{raw}");
    assert_eq!(only_job(&env)["processed"], 60);
    assert!(raw.contains('\u{1b}'), "a terminal gets colour and a bar: {raw:?}");
    // what the terminal shows on each line: the text after the line's last carriage
    // return or erase-line (a pty ends lines with \r\n), escape sequences removed
    let shown: Vec<String> = raw
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .map(|l| strip_ansi(l.rsplit('\r').next().unwrap_or(l).rsplit("\u{1b}[2K").next().unwrap_or(l)))
        .collect();
    let warnings: Vec<&String> = shown.iter().filter(|l| l.contains("WARN")).collect();
    assert!(!warnings.is_empty(), "the retries were logged: {raw:?}");
    assert!(raw.contains(" messages "), "the bar was drawn: {raw:?}");
    for w in &warnings {
        assert!(w.trim_start().starts_with(|c: char| c.is_ascii_digit()), "a log line starts its line: {w:?}");
        assert!(!w.contains(" messages "), "a log line shares its line with the bar: {w:?}");
    }
}
