//! GraphRAG for tenants with their own key, through the binary against the OpenAI
//! simulator: extraction merged with the rule-based graph, memoised answers, a refused
//! key, a malformed answer and throttling.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::common::*;
use crate::openai_sim::*;

const MASTER: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn cmd(env: &Env, ai: &OpenAiSim) -> Command {
    let mut c = env.cmd();
    c.env("ATOM_SYNC_MASTER_KEY", MASTER).env("ATOM_SYNC_LLM_BASE_URL", ai.base_url());
    c.env("ATOM_SYNC_LLM_RETRY_BASE", "20ms");
    c
}

fn run(env: &Env, ai: &OpenAiSim, args: &[&str]) -> Output {
    cmd(env, ai).args(args).output().unwrap()
}

fn set_key(env: &Env, ai: &OpenAiSim, tenant: &str, provider: &str, key: &str) -> Output {
    set_named_key(env, ai, tenant, provider, None, key)
}

fn set_named_key(env: &Env, ai: &OpenAiSim, tenant: &str, provider: &str, name: Option<&str>, key: &str) -> Output {
    let mut args = vec!["keys", "set", "--tenant", tenant, "--provider", provider];
    if let Some(n) = name {
        args.extend(["--name", n]);
    }
    let mut child =
        cmd(env, ai).args(&args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(format!("{key}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn latest_job(env: &Env, tenant: &str) -> Value {
    let doc = status_json(env, &["--tenant", tenant]);
    // status lists the newest first (created_at has whole seconds; the order is exact)
    doc["jobs"].as_array().unwrap().first().unwrap().clone()
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
    // the simulator echoes the refused key in its 401, as a careless provider might
    let shown = format!("{}{}", stdout(&o), stderr(&o));
    let status = stdout(&run(&env, &ai, &["status", "--tenant", "acme", "--json"]));
    assert!(why.contains("***") && !why.contains("sk-revoked"), "{why}");
    assert!(!shown.contains("sk-revoked") && !status.contains("sk-revoked"), "the key leaked");
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
    // about three calls' estimated cost (system prompt, schema and a short mail)
    const CAP: i64 = 1500;
    let ai = OpenAiSim::start();
    let env = Env::new(Backend::Sqlite).await;
    ok(&set_key(&env, &ai, "acme", "openai", TENANT_KEY));
    let bodies: Vec<String> = (0..30).map(|i| format!("Budget {i} reviewed with Maria Lopez at ACME.")).collect();
    let bodies: Vec<&str> = bodies.iter().map(String::as_str).collect();
    let source = export(&env, &bodies);
    let o = run(
        &env,
        &ai,
        &[
            "backfill",
            "--tenant",
            "acme",
            "--source",
            &source,
            "--chunk-size",
            "10",
            "--max-llm-tokens",
            &CAP.to_string(),
        ],
    );
    ok(&o);
    let job = latest_job(&env, "acme");
    assert_eq!(job["state"], "completed");
    assert_eq!(job["vectors"], 30, "vectors and rules go on");
    assert!(job["llm_status"].as_str().unwrap().starts_with("paused: the job used"), "{job}");
    let used = job["llm_tokens"].as_i64().unwrap();
    assert!(used > 0 && used <= CAP, "each call reserves its cost first: the cap is never passed ({used} of {CAP})");
    let asked = ai.completions();
    assert!((1..10).contains(&asked), "the cap stops calls inside the first chunk: {asked}");
    let ledger = env.store().await.ledger_entries("acme", None).await.unwrap();
    let paused = ledger.iter().filter(|l| l.llm_status.as_deref() == Some("paused: token cap reached")).count();
    assert_eq!(paused, 30 - asked);

    // no cap: the rest is extracted, the ones already paid for come from the memo
    ok(&run(&env, &ai, &["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "10"]));
    assert_eq!(ai.completions(), 30);
    let ledger = env.store().await.ledger_entries("acme", None).await.unwrap();
    assert_eq!(ledger.iter().filter(|l| l.llm_status.as_deref() == Some("extracted")).count(), 30 - asked);
    assert_eq!(ledger.iter().filter(|l| l.llm_status.as_deref() == Some("memoised")).count(), asked);
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

    // once there is a store, the estimate knows what it holds: a tenant without a key
    // pays nothing, memoised mail costs nothing, a chosen embedder is named
    let dry =
        |tenant: &str| stdout(ok(&run(&env, &ai, &["backfill", "--tenant", tenant, "--source", &source, "--dry-run"])));
    let few = export(&env, &["Budget reviewed with Maria Lopez at ACME.", "Lunch with John Carter of FERC."]);
    ok(&set_key(&env, &ai, "acme", "openai", TENANT_KEY));
    ok(&run(&env, &ai, &["backfill", "--tenant", "acme", "--source", &few]));
    let calls = ai.completions();
    let out = dry("globex");
    assert!(out.contains("off: tenant globex has no openai key openai_api_key (no cost"), "{out}");
    let out = dry("acme");
    assert!(out.contains(&format!("for {SAMPLE_MESSAGES} messages")) && out.contains("; 0 already memoised"), "{out}");
    let out = stdout(ok(&run(&env, &ai, &["backfill", "--tenant", "acme", "--source", &few, "--dry-run"])));
    assert!(out.contains("~0 input + ~0 output tokens for 0 messages") && out.contains("2 already memoised"), "{out}");
    ok(&run(
        &env,
        &ai,
        &["embedder", "set", "--tenant", "acme", "openai:text-embedding-3-small", "--dimensions", "64"],
    ));
    let out = stdout(ok(&run(&env, &ai, &["backfill", "--tenant", "acme", "--source", &few, "--dry-run"])));
    assert!(out.contains("2 with openai:text-embedding-3-small (64 dimensions): ~"), "{out}");
    assert_eq!(ai.completions(), calls, "a dry run calls nothing");
    assert!(ai.with(|s| s.embeds.is_empty()));
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

#[tokio::test(flavor = "multi_thread")]
async fn a_key_stored_as_upper_case_is_found_by_its_lower_case_name_and_the_reverse() {
    let ai = OpenAiSim::start();
    let env = Env::new(Backend::Sqlite).await;
    let source = export(&env, &["Budget reviewed with Maria Lopez at ACME."]);
    let mut outputs = Vec::new();
    // stored as OPENAI_API_KEY, asked for as openai_api_key (the default name)
    outputs.push(set_named_key(&env, &ai, "acme", "OpenAI", Some("OPENAI_API_KEY"), TENANT_KEY));
    outputs.push(run(&env, &ai, &["backfill", "--tenant", "acme", "--source", &source]));
    let job = latest_job(&env, "acme");
    assert!(job["llm_status"].as_str().unwrap().starts_with("on: model"), "{job}");
    assert_eq!(ai.completions(), 1);
    // stored as openai_api_key, asked for as OPENAI_API_KEY
    outputs.push(set_named_key(&env, &ai, "initech", "openai", Some("openai_api_key"), TENANT_KEY));
    let args = ["backfill", "--tenant", "initech", "--source", &source, "--llm-key-name", "OPENAI_API_KEY"];
    outputs.push(run(&env, &ai, &args));
    let job = latest_job(&env, "initech");
    assert!(job["llm_status"].as_str().unwrap().starts_with("on: model"), "{job}");
    assert_eq!(ai.completions(), 2);
    assert!(ai.with(|s| s.log.iter().all(|l| l.authorized && l.key == TENANT_KEY)), "the tenant's own key, no other");
    // another name is another key: no fallback to any other
    outputs.push(run(
        &env,
        &ai,
        &["backfill", "--tenant", "acme", "--source", &source, "--llm-key-name", "project_key"],
    ));
    let job = latest_job(&env, "acme");
    assert!(job["llm_status"].as_str().unwrap().contains("tenant acme has no openai key project_key"), "{job}");
    outputs.push(run(&env, &ai, &["keys", "list"]));
    assert!(stdout(outputs.last().unwrap()).contains("openai_api_key"));
    for o in &outputs {
        ok(o);
        let all = format!("{}{}", stdout(o), stderr(o));
        assert!(!all.contains(TENANT_KEY) && !all.contains(&TENANT_KEY[8..]), "the key leaked:\n{all}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_operators_key_is_used_only_when_a_flag_asks_for_it() {
    let ai = OpenAiSim::start();
    let env = Env::new(Backend::Sqlite).await;
    let source = export(&env, &["Budget reviewed with Maria Lopez at ACME."]);
    let with_env = |args: &[&str]| {
        cmd(&env, &ai)
            .env("ATOM_SYNC_LLM_API_KEY", OPERATOR_KEY)
            .env("OPENAI_API_KEY", OPERATOR_KEY)
            .args(args)
            .output()
            .unwrap()
    };
    // a key in the environment is not enough
    ok(&with_env(&["backfill", "--tenant", "globex", "--source", &source]));
    let job = latest_job(&env, "globex");
    assert!(job["llm_status"].as_str().unwrap().starts_with("off: tenant globex has no openai key"), "{job}");
    assert_eq!(ai.requests(), 0);
    // the flag says so
    let o = with_env(&["backfill", "--tenant", "globex", "--source", &source, "--llm-operator-key"]);
    ok(&o);
    let job = latest_job(&env, "globex");
    assert_eq!(job["llm_status"], "on: model gpt-4o-mini, the operator's key", "{job}");
    assert!(ai.with(|s| s.log.len() == 1 && s.log[0].key == OPERATOR_KEY && s.log[0].status == 200));
    // a tenant's own key still comes first
    ok(&set_key(&env, &ai, "acme", "openai", TENANT_KEY));
    ok(&with_env(&["backfill", "--tenant", "acme", "--source", &source, "--llm-operator-key"]));
    assert_eq!(ai.with(|s| s.log.last().unwrap().key.clone()), TENANT_KEY);
    assert!(!format!("{}{}", stdout(&o), stderr(&o)).contains(OPERATOR_KEY));
    // the flag without the key: refused before any job exists
    let jobs = status_json(&env, &[])["jobs"].as_array().unwrap().len();
    let o = run(&env, &ai, &["backfill", "--tenant", "globex", "--source", &source, "--llm-operator-key"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("ATOM_SYNC_LLM_API_KEY is not set"), "{}", stderr(&o));
    assert_eq!(status_json(&env, &[])["jobs"].as_array().unwrap().len(), jobs);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_rate_limit_spreads_the_calls() {
    let ai = OpenAiSim::start();
    let env = Env::new(Backend::Sqlite).await;
    ok(&set_key(&env, &ai, "acme", "openai", TENANT_KEY));
    let bodies: Vec<String> = (0..6).map(|i| format!("Budget {i} reviewed with Maria Lopez at ACME.")).collect();
    let bodies: Vec<&str> = bodies.iter().map(String::as_str).collect();
    let source = export(&env, &bodies);
    // 60 a minute: one a second, however many may be in flight
    let args = ["backfill", "--tenant", "acme", "--source", &source, "--llm-requests-per-minute", "60"];
    ok(&run(&env, &ai, &args));
    let at: Vec<std::time::Instant> = ai.with(|s| s.log.iter().map(|l| l.at).collect());
    assert_eq!(at.len(), 6);
    let span = *at.iter().max().unwrap() - *at.iter().min().unwrap();
    assert!(span >= std::time::Duration::from_millis(4500), "6 calls at 1/s take 5 s, not {span:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_openai_embedder_writes_its_own_table_in_batches_and_never_mixes() {
    use atom_sync::sink::LanceSink;
    const TABLE: &str = "messages_openai_text_embedding_3_small_64";
    let ai = OpenAiSim::start();
    let env = Env::new(Backend::Sqlite).await;
    ok(&set_key(&env, &ai, "acme", "openai", TENANT_KEY));
    let o =
        run(&env, &ai, &["embedder", "set", "--tenant", "acme", "openai:text-embedding-3-small", "--dimensions", "64"]);
    assert!(stderr(ok(&o)).contains(TABLE), "{}", stderr(&o));
    let source = format!("mbox:{}", sample_mbox().display());
    let args = ["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "50", "--embed-batch-size", "16"];
    ok(&run(&env, &ai, &args));
    let job = latest_job(&env, "acme");
    let processed = job["processed"].as_u64().unwrap() as usize;
    assert_eq!(job["vectors"].as_u64().unwrap() as usize, processed, "{job}");

    // batched within the request limit, with the tenant's key, model and dimension
    let embeds = ai.with(|s| s.embeds.clone());
    assert!(embeds.iter().all(|e| e.status == 200 && e.key == TENANT_KEY && e.model == "text-embedding-3-small"));
    assert!(embeds.iter().all(|e| e.dimensions == Some(64) && !e.inputs.is_empty() && e.inputs.len() <= 16));
    let inputs = embeds.iter().map(|e| e.inputs.len()).sum::<usize>();
    assert!(embeds.len() >= inputs.div_ceil(16));

    // its own table, recording the model; each vector is the model's vector of its
    // text: one input per message and one per passage, each sent once
    let table = LanceSink::open(&env.lance_uri(), TABLE, "openai:text-embedding-3-small", 64).await.unwrap();
    assert_eq!(table.count("acme").await.unwrap(), processed);
    let stored: i32 = table.rows("acme").await.unwrap().iter().map(|r| r.vectors.unwrap()).sum();
    assert_eq!(inputs, stored as usize, "one input per stored vector");
    assert!(inputs > processed, "long mail has passages: {inputs} inputs for {processed} messages");
    let text = embeds.iter().flat_map(|e| &e.inputs).min_by_key(|t| t.len()).unwrap().clone();
    let hit = &table.nearest("acme", &sim_vector(&text, 64), 1, &Default::default()).await.unwrap()[0];
    assert!(hit.score > 0.999, "a stored vector = the model's vector of its text (score {})", hit.score);

    // a tenant on the local model beside it: its own table, nothing of acme's there
    ok(&run(&env, &ai, &["backfill", "--tenant", "globex", "--source", &source]));
    let local = env.sink().await;
    assert_eq!(local.count("acme").await.unwrap(), 0);
    assert_eq!(local.count("globex").await.unwrap() as i64, SAMPLE_MESSAGES);
    assert_eq!(table.count("globex").await.unwrap(), 0);
    let e = LanceSink::open(&env.lance_uri(), TABLE, "potion-base-8M", 256).await.unwrap_err().to_string();
    assert!(e.contains("refusing"), "the two never mix: {e}");

    // search embeds the query with the tenant's model and reads its table; verify too
    let before = ai.with(|s| s.embeds.len());
    let o = run(&env, &ai, &["search", "--tenant", "acme", "--json", &text]);
    let doc: Value = serde_json::from_str(&stdout(ok(&o))).unwrap();
    assert_eq!(doc["hits"][0]["message_id"], hit.message_id.as_str(), "{doc}");
    assert_eq!(ai.with(|s| s.embeds.len()), before + 1);
    let v = run(&env, &ai, &["verify", "--tenant", "acme", "--json"]);
    let doc: Value = serde_json::from_str(&stdout(&v)).unwrap();
    assert_eq!(doc["report"]["clean"], true, "{doc}");
    assert_eq!(doc["report"]["checked"]["vectors"].as_u64().unwrap() as usize, processed, "{doc}");

    let shown: Value = serde_json::from_str(&stdout(ok(&run(&env, &ai, &["embedder", "show", "--json"])))).unwrap();
    assert_eq!(shown["embedders"][0]["tenant"], "acme");
    assert_eq!(shown["embedders"][0]["table"], TABLE);
    let compacted: Value = serde_json::from_str(&stdout(ok(&run(&env, &ai, &["compact", "--json"])))).unwrap();
    assert_eq!(compacted["tables"].as_array().unwrap().len(), 2, "{compacted}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_embedding_key_fails_the_job_naming_the_tenant_and_writes_nothing() {
    let ai = OpenAiSim::start();
    let env = Env::new(Backend::Sqlite).await;
    let o = run(
        &env,
        &ai,
        &["embedder", "set", "--tenant", "initech", "openai:text-embedding-3-small", "--dimensions", "32"],
    );
    assert!(stderr(ok(&o)).contains("tenant initech has no openai key openai_api_key"), "{}", stderr(&o));
    let source = export(&env, &["Budget reviewed with Maria Lopez at ACME."]);
    // no key at all: refused before a job exists, no fallback to the local model
    let o = run(&env, &ai, &["backfill", "--tenant", "initech", "--source", &source]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("tenant initech"), "{}", stderr(&o));
    assert!(status_json(&env, &[])["jobs"].as_array().unwrap().is_empty());
    // a key the provider refuses: the job fails, nothing is written
    ok(&set_key(&env, &ai, "initech", "openai", "sk-sim-revoked-0000000000000000"));
    let o = run(&env, &ai, &["backfill", "--tenant", "initech", "--source", &source]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("tenant initech") && err.contains("401"), "{err}");
    assert!(!err.contains("sk-sim-revoked"), "{err}");
    let job = latest_job(&env, "initech");
    assert_eq!(job["state"], "failed");
    assert_eq!(job["processed"], 0);
    assert!(env.store().await.ledger_entries("initech", None).await.unwrap().is_empty());
    assert_eq!(ai.with(|s| s.embeds.iter().filter(|e| e.status == 401).count()), 1, "a 401 is not retried");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_answer_is_cut_at_the_timeout_and_asked_again() {
    let ai = OpenAiSim::start();
    let env = Env::new(Backend::Sqlite).await;
    ok(&set_key(&env, &ai, "acme", "openai", TENANT_KEY));
    let source = export(&env, &["Budget reviewed with Maria Lopez at ACME."]);
    ai.with(|s| s.slow.push((std::time::Duration::from_secs(60), 1)));
    let t = std::time::Instant::now();
    ok(&run(&env, &ai, &["backfill", "--tenant", "acme", "--source", &source, "--llm-timeout", "500ms"]));
    assert!(t.elapsed() < std::time::Duration::from_secs(30), "the hung call was not waited out");
    let job = latest_job(&env, "acme");
    assert!(job["llm_status"].as_str().unwrap().starts_with("on: model"), "{job}");
    // extracted before the slow answer could arrive: a second request answered it
    let ledger = env.store().await.ledger_entries("acme", None).await.unwrap();
    assert_eq!(ledger[0].llm_status.as_deref(), Some("extracted"));
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_paid_for_in_a_failed_chunk_are_not_paid_for_again() {
    let ai = OpenAiSim::start();
    let env = Env::new(Backend::Sqlite).await;
    ok(&set_key(&env, &ai, "acme", "openai", TENANT_KEY));
    ok(&run(&env, &ai, &["embedder", "set", "--tenant", "acme", "openai:text-embedding-3-small", "--dimensions", "8"]));
    let bodies: Vec<String> = (0..10).map(|i| format!("Budget {i} reviewed with Maria Lopez at ACME.")).collect();
    let bodies: Vec<&str> = bodies.iter().map(String::as_str).collect();
    let source = export(&env, &bodies);
    // the first chunk commits; in the second the chat model answers and the embedding
    // model is refused: that chunk fails
    ai.with(|s| s.refuse_embeddings = Some((403, 1)));
    let o = run(&env, &ai, &["backfill", "--tenant", "acme", "--source", &source, "--chunk-size", "5"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(ai.completions(), 10);
    let job = latest_job(&env, "acme");
    assert_eq!((job["state"].as_str(), job["processed"].as_i64()), (Some("failed"), Some(5)), "{job}");
    let spent = job["llm_tokens"].as_i64().unwrap();
    assert!(spent >= 600, "the failed chunk's calls count too (about 75 tokens each): {spent}");
    // meanwhile the tenant switches to the local model: the job keeps the embedder its
    // first chunk wrote with, so its vectors never straddle two tables
    ok(&run(&env, &ai, &["embedder", "set", "--tenant", "acme", "local"]));
    ai.with(|s| s.refuse_embeddings = None);
    ok(&run(&env, &ai, &["resume", job["id"].as_str().unwrap()]));
    assert_eq!(ai.completions(), 10, "the answers were kept although their chunk failed");
    let job = latest_job(&env, "acme");
    assert_eq!(job["embedder"], "openai:text-embedding-3-small (8 dimensions)", "{job}");
    assert_eq!(job["llm_tokens"].as_i64().unwrap(), spent, "nothing paid twice");
    let ledger = env.store().await.ledger_entries("acme", None).await.unwrap();
    assert_eq!(ledger.len(), 10);
    let memoised = ledger.iter().filter(|l| l.llm_status.as_deref() == Some("memoised")).count();
    assert_eq!(memoised, 5, "{ledger:?}");
    let pinned = atom_sync::sink::LanceSink::open(
        &env.lance_uri(),
        "messages_openai_text_embedding_3_small_8",
        "openai:text-embedding-3-small",
        8,
    )
    .await
    .unwrap();
    assert_eq!(pinned.count("acme").await.unwrap(), 10);
    assert_eq!(env.sink().await.count("acme").await.unwrap(), 0);
    // the next job starts with the tenant's new choice
    ok(&run(&env, &ai, &["backfill", "--tenant", "acme", "--source", &source]));
    assert_eq!(latest_job(&env, "acme")["embedder"], "local");
    assert_eq!(env.sink().await.count("acme").await.unwrap(), 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_on_a_new_postgres_database_creates_no_schema() {
    if postgres_admin_url().is_none() {
        eprintln!("note: ATOM_SYNC_TEST_DATABASE_URL is not set; skipped");
        return;
    }
    use sqlx::Connection;
    let ai = OpenAiSim::start();
    let env = Env::unmigrated(Backend::Postgres).await;
    let source = export(&env, &["Budget reviewed with Maria Lopez at ACME."]);
    let out = stdout(ok(&run(&env, &ai, &["backfill", "--tenant", "acme", "--source", &source, "--dry-run"])));
    assert!(out.contains("nothing was written"), "{out}");
    let mut c = sqlx::PgConnection::connect(env.database_url.as_deref().unwrap()).await.unwrap();
    let tables: i64 =
        sqlx::query_scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
            .fetch_one(&mut c)
            .await
            .unwrap();
    assert_eq!(tables, 0, "a dry run neither creates nor migrates a schema");
}
