//! GraphRAG for tenants with their own key, through the binary against the OpenAI
//! simulator: extraction merged with the rule-based graph, memoised answers, a refused
//! key, a malformed answer and throttling.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::common::*;
use crate::openai_sim::*;

const MASTER: &str = "4f1c2a9b7e3d5c8a0b6e2f4d1a3c5e7b9d0f2a4c6e8b1d3f5a7c9e0b2d4f6a8c";

fn cmd(env: &Env, ai: &OpenAiSim) -> Command {
    let mut c = env.cmd();
    c.env("ATOM_SYNC_MASTER_KEY", MASTER).env("ATOM_SYNC_LLM_BASE_URL", ai.base_url());
    c.env("ATOM_SYNC_GRAPH_RETRY_BASE", "20ms");
    c
}

fn run(env: &Env, ai: &OpenAiSim, args: &[&str]) -> Output {
    cmd(env, ai).args(args).output().unwrap()
}

fn set_key(env: &Env, ai: &OpenAiSim, tenant: &str, provider: &str, key: &str) -> Output {
    let mut child = cmd(env, ai)
        .args(["keys", "set", "--tenant", tenant, "--provider", provider])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{key}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn latest_job(env: &Env, tenant: &str) -> Value {
    let doc = status_json(env, &["--tenant", tenant]);
    let jobs = doc["jobs"].as_array().unwrap();
    jobs.iter().max_by_key(|j| j["created_at"].as_str().unwrap().to_string()).unwrap().clone()
}

/// A directory of .eml files, one per body.
fn export(env: &Env, bodies: &[&str]) -> String {
    let dir = env.data_dir().join("export");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, b) in bodies.iter().enumerate() {
        let msg = format!(
            "Message-ID: <m{i}@acme.com>\nFrom: Ann Smith <ann@acme.com>\nTo: bob@acme.com\nDate: Mon, 14 May 2001 16:39:00 -0700\nSubject: note {i}\n\n{b}\n"
        );
        std::fs::write(dir.join(format!("{i:03}.eml")), msg).unwrap();
    }
    format!("eml:{}", dir.display())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_byok_backfill_extracts_merges_with_rules_and_pays_once() {
    let ai = OpenAiSim::start();
    let env = Env::new(Backend::Sqlite).await;
    let mut outputs = vec![set_key(&env, &ai, "acme", "OpenAI", TENANT_KEY)];
    ok(&outputs[0]);
    let source = format!("mbox:{}", sample_mbox().display());
    let o = run(&env, &ai, &["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "50"]);
    ok(&o);
    outputs.push(o);
    let job = latest_job(&env, "acme");
    assert!(job["llm_status"].as_str().unwrap().starts_with("on: model gpt-4o-mini"), "{job}");
    assert!(job["llm_tokens"].as_i64().unwrap() > 1000, "{job}");
    let calls = ai.completions();
    assert_eq!(calls as i64, job["processed"].as_i64().unwrap(), "one call per message");
    assert!(
        ai.with(|s| s.log.iter().all(|l| l.structured && l.model == "gpt-4o-mini")),
        "JSON-schema output asked for"
    );

    // the model's people and organisations join the rule-based person of the sender
    let store = env.store().await;
    let ann = store.entity("acme", "enron.announcements@enron.com", 200).await.unwrap();
    assert_eq!(ann.len(), 1, "one node for the sender: {ann:?}");
    let rels: std::collections::BTreeSet<&str> = ann[0].edges.iter().map(|e| e.rel.as_str()).collect();
    assert!(rels.contains("sent") && (rels.contains("mentions") || rels.contains("works_with")), "{rels:?}");

    // the same mail again: every answer is memoised, no call is made
    let o = run(&env, &ai, &["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "37"]);
    ok(&o);
    outputs.push(o);
    assert_eq!(ai.completions(), calls, "a re-run makes zero LLM calls");
    let again = latest_job(&env, "acme");
    assert_eq!(again["llm_tokens"], 0, "{again}");
    let ledger = store.ledger_entries("acme", None).await.unwrap();
    assert!(ledger.iter().filter(|l| l.status == "processed").all(|l| l.llm_status.as_deref() == Some("memoised")));

    // a tenant without a key: rules and vectors, and status says why no LLM
    let o = run(&env, &ai, &["backfill", "--tenant", "globex", "--source", &source]);
    ok(&o);
    outputs.push(o);
    let g = latest_job(&env, "globex");
    assert_eq!(g["state"], "completed");
    assert!(g["llm_status"].as_str().unwrap().contains("tenant globex has no openai key"), "{g}");
    assert_eq!(ai.completions(), calls);
    assert!(env.digest("globex").await.edges < env.digest("acme").await.edges, "acme has the LLM's edges too");

    outputs.push(run(&env, &ai, &["status", "--tenant", "acme"]));
    outputs.push(run(&env, &ai, &["keys", "list"]));
    for o in &outputs {
        let all = format!("{}{}", stdout(o), stderr(o));
        assert!(!all.contains(TENANT_KEY) && !all.contains(&TENANT_KEY[8..]), "the key leaked:\n{all}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_key_stops_the_llm_path_for_the_tenant_and_vectors_still_land() {
    let ai = OpenAiSim::start();
    let env = Env::new(Backend::Sqlite).await;
    ok(&set_key(&env, &ai, "acme", "openai", "sk-revoked-0000000000000000"));
    let bodies: Vec<String> =
        (0..30).map(|i| format!("Quarterly numbers from John Carter at FERC, item {i}.")).collect();
    let bodies: Vec<&str> = bodies.iter().map(String::as_str).collect();
    let source = export(&env, &bodies);
    let o = run(&env, &ai, &["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "10"]);
    ok(&o);
    let job = latest_job(&env, "acme");
    assert_eq!(job["state"], "completed");
    assert_eq!(job["vectors"], 30, "the semantic path goes on");
    let why = job["llm_status"].as_str().unwrap();
    assert!(why.starts_with("failed: tenant acme") && why.contains("401"), "{why}");
    assert!(stderr(&o).contains("LLM extraction stopped for tenant acme"), "{}", stderr(&o));
    assert!(ai.requests() <= 10, "no calls after the refusal: {}", ai.requests());
    assert_eq!(ai.completions(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_answer_is_that_messages_alone_and_throttling_is_retried() {
    for backend in backends() {
        let ai = OpenAiSim::start();
        ai.with(|s| s.faults.push((429, 2)));
        let env = Env::new(backend).await;
        ok(&set_key(&env, &ai, "acme", "openai", TENANT_KEY));
        let mut bodies = vec!["Lunch with Maria Lopez from ACME about the merger."; 12];
        bodies[4] = "This one says PLEASE-ANSWER-MALFORMED to the model.";
        // a statement the store would refuse (NUL in TEXT) must not fail its chunk
        bodies[7] = "Lunch with Maria Lopez from ACME, PLEASE-ANSWER-NUL.";
        // refused for its content: that message only, the path stays on
        bodies[9] = "Something the filter rejects: PLEASE-ANSWER-400.";
        let source = export(&env, &bodies);
        let o = run(&env, &ai, &["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "5"]);
        ok(&o);
        let job = latest_job(&env, "acme");
        assert_eq!(job["state"], "completed");
        assert_eq!(job["processed"], 12);
        assert_eq!(job["chunks"], 3, "every chunk committed");
        let ledger = env.store().await.ledger_entries("acme", None).await.unwrap();
        let bad = ledger.iter().find(|l| l.message_id == "m4@acme.com").unwrap();
        assert!(bad.llm_status.as_deref().unwrap().starts_with("malformed"), "{bad:?}");
        let refused = ledger.iter().find(|l| l.message_id == "m9@acme.com").unwrap();
        assert!(refused.llm_status.as_deref().unwrap().starts_with("failed: HTTP 400"), "{refused:?}");
        assert!(job["llm_status"].as_str().unwrap().starts_with("on:"), "{job}");
        assert_eq!(ledger.iter().filter(|l| l.llm_status.as_deref() == Some("extracted")).count(), 10);
        let nul = env.store().await.entity("acme", "organization:null byte corp", 10).await.unwrap();
        assert_eq!(nul.len(), 1, "stored without the NUL");
        assert_eq!(ai.with(|s| s.log.iter().filter(|l| l.status == 429).count()), 2, "throttled twice, retried");
        let maria = env.store().await.entity("acme", "person:maria lopez", 10).await.unwrap();
        assert_eq!(maria.len(), 1);
        assert_eq!(maria[0].mentions, 9);
        let v = run(&env, &ai, &["verify", "--tenant", "acme", "--json"]);
        let doc: Value = serde_json::from_str(&stdout(&v)).unwrap();
        assert_eq!(doc["report"]["clean"], true, "{doc}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_cap_pauses_the_llm_path_and_a_rerun_finishes_for_the_rest() {
    let ai = OpenAiSim::start();
    let env = Env::new(Backend::Sqlite).await;
    ok(&set_key(&env, &ai, "acme", "openai", TENANT_KEY));
    let bodies: Vec<String> = (0..30).map(|i| format!("Budget {i} reviewed with Maria Lopez at ACME.")).collect();
    let bodies: Vec<&str> = bodies.iter().map(String::as_str).collect();
    let source = export(&env, &bodies);
    let o = run(
        &env,
        &ai,
        &["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "10", "--max-llm-tokens", "1"],
    );
    ok(&o);
    let job = latest_job(&env, "acme");
    assert_eq!(job["state"], "completed");
    assert_eq!(job["vectors"], 30, "vectors and rules go on");
    assert!(job["llm_status"].as_str().unwrap().starts_with("paused: the job used"), "{job}");
    assert_eq!(ai.completions(), 10, "the cap is checked before each chunk");
    let ledger = env.store().await.ledger_entries("acme", None).await.unwrap();
    assert_eq!(ledger.iter().filter(|l| l.llm_status.as_deref() == Some("paused: token cap reached")).count(), 20);

    // no cap: the rest is extracted, the first ten come from the memo
    ok(&run(&env, &ai, &["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "10"]));
    assert_eq!(ai.completions(), 30);
    let ledger = env.store().await.ledger_entries("acme", None).await.unwrap();
    assert_eq!(ledger.iter().filter(|l| l.llm_status.as_deref() == Some("extracted")).count(), 20);
    assert_eq!(ledger.iter().filter(|l| l.llm_status.as_deref() == Some("memoised")).count(), 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_estimates_and_writes_nothing() {
    let ai = OpenAiSim::start();
    let env = Env::new(Backend::Sqlite).await;
    let source = format!("mbox:{}", sample_mbox().display());
    let o = run(&env, &ai, &["backfill", "--tenant", "acme", "--source", &source, "--dry-run"]);
    ok(&o);
    let out = stdout(&o);
    assert!(out.contains(&format!("{SAMPLE_MESSAGES} to process")), "{out}");
    let tokens: u64 =
        out.split("~").nth(1).and_then(|t| t.split_whitespace().next()).and_then(|t| t.parse().ok()).unwrap();
    assert!(tokens > 100 * SAMPLE_MESSAGES as u64, "input tokens of full bodies: {out}");
    assert!(out.contains("≈ $") && out.contains("nothing was written"), "{out}");
    let left: Vec<_> = std::fs::read_dir(env.data_dir()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "the data dir stays empty: {left:?}");
    assert_eq!(ai.requests(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_overlapping_backfills_at_once_on_postgres_make_no_duplicates() {
    if postgres_admin_url().is_none() {
        eprintln!("note: ATOM_SYNC_TEST_DATABASE_URL is not set; skipped");
        return;
    }
    let ai = OpenAiSim::start();
    let source = format!("mbox:{}", sample_mbox().display());
    let once = Env::new(Backend::Postgres).await;
    ok(&set_key(&once, &ai, "acme", "openai", TENANT_KEY));
    ok(&run(&once, &ai, &["backfill", "--tenant", "acme", "--source", &source, "--mailbox", "a"]));
    let want = once.digest("acme").await;

    // the same mail under two mailbox names, two processes at once
    let env = Env::new(Backend::Postgres).await;
    ok(&set_key(&env, &ai, "acme", "openai", TENANT_KEY));
    let spawn = |mailbox: &str, chunk: &str| {
        cmd(&env, &ai)
            .args(["backfill", "--tenant", "acme", "--source", &source, "--mailbox", mailbox, "--chunk-size", chunk])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn("a", "23"), spawn("b", "41"));
    ok(&a.wait_with_output().unwrap());
    ok(&b.wait_with_output().unwrap());
    let got = env.digest("acme").await;
    assert_eq!(
        (got.nodes, got.aliases, got.node_support, got.edges, got.edge_support, got.entities),
        (want.nodes, want.aliases, want.node_support, want.edges, want.edge_support, want.entities),
        "the graph of one run, not two"
    );
    let v = run(&env, &ai, &["verify", "--tenant", "acme", "--json"]);
    let doc: Value = serde_json::from_str(&stdout(&v)).unwrap();
    let dups = doc["report"]["findings"].as_array().unwrap().iter().any(|f| f["check"] == "duplicate_nodes");
    assert!(!dups, "{doc}");
}
