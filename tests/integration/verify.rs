//! `verify` finds what is wrong, `--repair` fixes it; `search` finds messages.

use atom_sync::sink::VectorRecord;

use crate::common::*;

/// A directory of `n` small .eml files in the env's data dir.
fn eml_export(env: &Env, n: usize) -> std::path::PathBuf {
    let dir = env.data_dir().join("export");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..n {
        let msg = format!("Message-ID: <m{i}@x>\nFrom: a@x.com\nSubject: s{i}\n\nbody {i}\n");
        std::fs::write(dir.join(format!("{i}.eml")), msg).unwrap();
    }
    dir
}

fn verify_json(env: &Env, args: &[&str]) -> (i32, serde_json::Value) {
    let mut a = vec!["verify", "--tenant", "demo", "--json"];
    a.extend_from_slice(args);
    let o = env.run(&a);
    let doc = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&o), stderr(&o)));
    (o.status.code().unwrap(), doc)
}

fn count(doc: &serde_json::Value, check: &str) -> u64 {
    finding(doc, check).map(|f| f["count"].as_u64().unwrap()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_names_each_problem_and_repair_fixes_them() {
    for backend in backends() {
        let env = Env::new(backend).await;
        ok(&env.run(&["backfill", "--tenant", "demo", "--source", &format!("mbox:{}", sample_mbox().display())]));
        let (code, doc) = verify_json(&env, &["--against-source"]);
        assert_eq!(code, 0, "{doc}");
        assert_eq!(doc["report"]["clean"], true);
        let before = env.sink().await.message_id_set("demo").await.unwrap();
        let digest = env.digest("demo").await;

        // break it in five ways
        let sink = env.sink().await;
        let ids: Vec<String> = before.iter().take(5).cloned().collect();
        sink.delete("demo", &ids[..3]).await.unwrap();
        let fake = |id: &str| VectorRecord {
            tenant: "demo".into(),
            message_id: id.into(),
            mailbox: "sample.mbox".into(),
            subject: "dup".into(),
            sender: String::new(),
            sent_at: None,
            content_hash: String::new(),
            vector: vec![0.1; 256],
            passages: vec![],
            text: String::new(),
        };
        sink.append_unchecked(&[fake(&ids[3]), fake(&ids[4]), fake("ghost@nowhere")]).await.unwrap();
        exec_sql(&env, "INSERT INTO graph_edges (tenant_id, src_key, rel, dst_key, origin, updated_at) VALUES ('demo', 'person:ghost@nowhere', 'sent', 'person:nobody@nowhere', 'rules', 0)").await;
        exec_sql(&env, "INSERT INTO graph_edge_support (tenant_id, src_key, rel, dst_key, message_id) VALUES ('demo', 'person:ghost@nowhere', 'sent', 'person:nobody@nowhere', 'ghost@nowhere')").await;
        exec_sql(&env, "UPDATE jobs SET processed = processed + 7 WHERE tenant_id = 'demo'").await;

        let (code, doc) = verify_json(&env, &[]);
        assert_eq!(code, 4, "{doc}");
        assert_eq!(count(&doc, "missing_vectors"), 3, "{doc}");
        assert_eq!(count(&doc, "duplicate_vectors"), 2, "{doc}");
        assert_eq!(count(&doc, "orphan_vectors"), 1, "{doc}");
        assert_eq!(count(&doc, "orphan_edges"), 1, "{doc}");
        assert_eq!(count(&doc, "counter_mismatch"), 1, "{doc}");
        let table = stdout(&env.run(&["verify", "--tenant", "demo"]));
        for check in ["missing_vectors", "duplicate_vectors", "orphan_vectors", "orphan_edges", "counter_mismatch"] {
            assert!(table.contains(check), "{check} not named in\n{table}");
        }

        let (code, doc) = verify_json(&env, &["--repair"]);
        assert_eq!(code, 0, "{doc}");
        assert!(!doc["repairs"].as_array().unwrap().is_empty());
        let (code, doc) = verify_json(&env, &[]);
        assert_eq!(code, 0, "a second verify is clean: {doc}");
        let sink = env.sink().await;
        assert_eq!(sink.message_id_set("demo").await.unwrap(), before);
        assert_eq!(sink.count("demo").await.unwrap(), before.len(), "no duplicates left");
        assert_eq!(env.digest("demo").await, digest, "the graph is as the backfill left it");
        assert_eq!(status_json(&env, &[])["jobs"][0]["processed"], SAMPLE_MESSAGES);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn compact_merges_chunk_files_and_keeps_every_vector() {
    let env = Env::new(Backend::Sqlite).await;
    let source = format!("mbox:{}", sample_mbox().display());
    ok(&env.run(&["backfill", "--tenant", "demo", "--source", &source, "--chunk-size", "25"]));
    let before = env.sink().await.message_id_set("demo").await.unwrap();
    let o = env.run(&["compact", "--json"]);
    let out: serde_json::Value = serde_json::from_str(&stdout(ok(&o))).unwrap();
    assert_eq!(out["tables"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(out["tables"][0]["table"], "messages");
    let stats = &out["tables"][0]["stats"];
    assert!(stats["fragments_removed"].as_u64().unwrap() >= 12, "twelve chunks, twelve small files: {stats}");
    assert!(stats["fragments_added"].as_u64().unwrap() < stats["fragments_removed"].as_u64().unwrap(), "{stats}");
    let sink = env.sink().await;
    assert_eq!(sink.message_id_set("demo").await.unwrap(), before);
    assert_eq!(sink.count("demo").await.unwrap(), before.len());
    assert_eq!(verify_json(&env, &[]).0, 0);
    // and a backfill after it still upserts in place
    ok(&env.run(&["backfill", "--tenant", "demo", "--source", &source]));
    assert_eq!(env.sink().await.count("demo").await.unwrap(), before.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_against_source_reports_mail_added_after_the_backfill() {
    let env = Env::new(Backend::Sqlite).await;
    let dir = eml_export(&env, 3);
    ok(&env.run(&["backfill", "--tenant", "demo", "--source", &format!("eml:{}", dir.display())]));
    assert_eq!(verify_json(&env, &["--against-source"]).0, 0);
    std::fs::write(dir.join("9.eml"), "Message-ID: <late@x>\nFrom: a@x.com\nSubject: late\n\nlate body\n").unwrap();
    let (code, doc) = verify_json(&env, &["--against-source"]);
    assert_eq!(code, 4, "{doc}");
    assert_eq!(count(&doc, "missing_from_ledger"), 1, "{doc}");
    let f = finding(&doc, "missing_from_ledger").unwrap();
    assert!(f["examples"][0].as_str().unwrap().ends_with("late@x"), "{f}");
}

#[tokio::test(flavor = "multi_thread")]
async fn search_finds_a_message_by_a_phrase_of_its_body() {
    let env = Env::new(Backend::Sqlite).await;
    ok(&env.run(&["backfill", "--tenant", "demo", "--source", &format!("mbox:{}", sample_mbox().display())]));
    let o = env.run(&[
        "search",
        "--tenant",
        "demo",
        "--json",
        "-n",
        "5",
        "Ethical Wall Procedures regarding confidential information",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(ok(&o))).unwrap();
    let hits = doc["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 5);
    assert!(hits.iter().any(|h| h["subject"] == "PG&E BANKRUPTCY CASE-- IMPORTANT"), "not in the top 5: {hits:#?}");
    for h in hits {
        assert!(h["score"].as_f64().unwrap() <= 1.0001 && h["message_id"].is_string() && h["sender"].is_string());
    }
    // filters narrow the search; another tenant sees nothing
    let none = env.run(&["search", "--tenant", "demo", "--json", "--mailbox", "other.mbox", "gas"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout(ok(&none))).unwrap()["hits"].as_array().unwrap().len(),
        0
    );
    let dated = env.run(&[
        "search",
        "--tenant",
        "demo",
        "--json",
        "--from",
        "2001-05-01",
        "--to",
        "2001-06-01",
        "-n",
        "50",
        "meeting",
    ]);
    for h in serde_json::from_str::<serde_json::Value>(&stdout(ok(&dated))).unwrap()["hits"].as_array().unwrap() {
        let t = h["sent_at"].as_i64().unwrap();
        assert!((988675200000..991353600000).contains(&t), "{h}");
    }
    let other = env.run(&["search", "--tenant", "globex", "--json", "gas"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout(ok(&other))).unwrap()["hits"].as_array().unwrap().len(),
        0
    );
    // by words and by both: a phrase of the body
    for mode in ["text", "hybrid"] {
        let o =
            env.run(&["search", "--tenant", "demo", "--json", "--mode", mode, "-n", "5", "Ethical Wall Procedures"]);
        let doc: serde_json::Value = serde_json::from_str(&stdout(ok(&o))).unwrap();
        assert_eq!(doc["mode"], mode);
        let hits = doc["hits"].as_array().unwrap();
        assert!(hits.iter().any(|h| h["subject"] == "PG&E BANKRUPTCY CASE-- IMPORTANT"), "{mode}: {hits:#?}");
        let other = env.run(&["search", "--tenant", "globex", "--json", "--mode", mode, "gas"]);
        assert!(
            serde_json::from_str::<serde_json::Value>(&stdout(ok(&other))).unwrap()["hits"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
    let table = stdout(ok(&env.run(&["search", "--tenant", "demo", "Ethical Wall Procedures"])));
    assert!(table.contains("SCORE") && table.contains("PG&E BANKRUPTCY"), "{table}");

    // the graph side of a spot check: an entity, its edges and the messages behind them
    let o = env.run(&["graph", "--tenant", "demo", "--entity", "Susan.Bailey@enron.com", "--json", "--limit", "3"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(ok(&o))).unwrap();
    let e = &doc["entities"][0];
    assert_eq!(e["key"], "person:susan.bailey@enron.com", "{doc}");
    assert!(e["mentions"].as_i64().unwrap() > 100, "{e}");
    let edges = e["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 3);
    assert!(edges.windows(2).all(|w| w[0]["weight"].as_i64() >= w[1]["weight"].as_i64()), "heaviest first: {edges:?}");
    assert!(!edges[0]["messages"].as_array().unwrap().is_empty());
    let org = env.run(&["graph", "--tenant", "demo", "--entity", "org:enron.com"]);
    assert!(stdout(ok(&org)).contains("member_of"), "{}", stdout(&org));
    assert_eq!(env.run(&["graph", "--tenant", "demo", "--entity", "nobody@nowhere"]).status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn repair_without_its_source_loses_nothing_and_scope_is_checked() {
    let env = Env::new(Backend::Sqlite).await;
    let dir = eml_export(&env, 4);
    let id = stdout(ok(&env.run(&["backfill", "--tenant", "demo", "--source", &format!("eml:{}", dir.display())])))
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string();
    let sink = env.sink().await;
    let dup = VectorRecord {
        tenant: "demo".into(),
        message_id: "m1@x".into(),
        mailbox: "export".into(),
        subject: "dup".into(),
        sender: String::new(),
        sent_at: None,
        content_hash: String::new(),
        vector: vec![0.1; 256],
        passages: vec![],
        text: String::new(),
    };
    sink.append_unchecked(&[dup]).await.unwrap();
    // the export is gone: repair cannot rebuild the vector, so it must not delete it
    std::fs::rename(&dir, env.data_dir().join("moved")).unwrap();
    let o = env.run(&["verify", "--tenant", "demo", "--repair"]);
    assert_ne!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(env.sink().await.message_id_set("demo").await.unwrap().len(), 4, "no vector lost");
    std::fs::rename(env.data_dir().join("moved"), &dir).unwrap();
    let (code, doc) = verify_json(&env, &["--repair"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(env.sink().await.count("demo").await.unwrap(), 4);

    // a job of another tenant is not a way to widen the scope
    let o = env.run(&["verify", "--tenant", "globex", "--job", &id[..8]]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("belongs to tenant demo"), "{}", stderr(&o));
}

/// `--repair` looks again at delete time: a vector whose message a chunk committed
/// after the report was made is no orphan, and stays.
#[tokio::test(flavor = "multi_thread")]
async fn repair_never_deletes_what_a_chunk_committed_since_the_report() {
    use atom_sync::embed::{Embedder, LocalEmbedder};
    for backend in backends() {
        let env = Env::new(backend).await;
        let dir = eml_export(&env, 5);
        ok(&env.run(&["backfill", "--tenant", "demo", "--source", &format!("eml:{}", dir.display())]));
        let sink = env.sink().await;
        let late = VectorRecord {
            tenant: "demo".into(),
            message_id: "late@x".into(),
            mailbox: "export".into(),
            subject: "late".into(),
            sender: String::new(),
            sent_at: None,
            content_hash: "h".into(),
            vector: vec![0.1; 256],
            passages: vec![],
            text: String::new(),
        };
        sink.append_unchecked(&[late]).await.unwrap();
        let store = env.store().await;
        let scope =
            atom_sync::verify::Scope { tenant: "demo".into(), mailbox: None, job: None, sources: Default::default() };
        let report = atom_sync::verify::verify(store.as_ref(), &sink, &scope, false).await.unwrap();
        assert_eq!(report.finding("orphan_vectors").map(|f| f.count), Some(1));
        // a job's chunk commits the message's ledger row now (its vector came first)
        exec_sql(
            &env,
            "INSERT INTO message_ledger (tenant_id, mailbox, message_id, content_hash, job_id, status, vector_status,
                 graph_status, updated_at) VALUES ('demo', 'export', 'late@x', 'h', 'j', 'processed', 'written', 'written', 0)",
        )
        .await;
        let embedder = LocalEmbedder::load().unwrap();
        let done = atom_sync::verify::repair(store.as_ref(), &sink, &embedder as &dyn Embedder, &scope, &report)
            .await
            .unwrap();
        assert!(done.iter().any(|d| d.contains("deleted 0 orphan vectors")), "{backend:?}: {done:?}");
        let sink = env.sink().await;
        assert!(sink.message_id_set("demo").await.unwrap().contains("late@x"), "{backend:?}: the vector was deleted");
    }
}

/// A message's passages live in its row. `verify` flags passages whose message the
/// ledger does not hold (with their row: `orphan_vectors`) and rows without passages
/// (written before there were any: `missing_passages`); `--repair` deletes the first
/// and re-embeds the second from the source.
#[tokio::test(flavor = "multi_thread")]
async fn verify_flags_passages_without_their_message_and_rows_without_passages() {
    for backend in backends() {
        let env = Env::new(backend).await;
        ok(&env.run(&["backfill", "--tenant", "demo", "--source", &format!("mbox:{}", sample_mbox().display())]));
        let sink = env.sink().await;
        let before = sink.rows("demo").await.unwrap();
        let long: Vec<String> =
            before.iter().filter(|r| r.vectors.unwrap_or(0) >= 3).map(|r| r.message_id.clone()).collect();
        assert!(long.len() >= 20, "long mail is cut into passages: {} of {}", long.len(), before.len());
        assert!(before.iter().all(|r| r.vectors.is_some_and(|n| n >= 1)), "every row has its message vector");

        sink.forget_passages("demo", &long[..2]).await.unwrap();
        let ghost = VectorRecord {
            tenant: "demo".into(),
            message_id: "ghost@nowhere".into(),
            mailbox: "sample.mbox".into(),
            subject: "ghost".into(),
            sender: String::new(),
            sent_at: None,
            content_hash: "h".into(),
            vector: vec![0.1; 256],
            passages: vec![vec![0.2; 256]; 3],
            text: String::new(),
        };
        sink.append_unchecked(&[ghost]).await.unwrap();
        let (code, doc) = verify_json(&env, &[]);
        assert_eq!(code, 4, "{doc}");
        assert_eq!(count(&doc, "missing_passages"), 2, "{doc}");
        assert_eq!(count(&doc, "orphan_vectors"), 1, "{doc}");
        assert!(finding(&doc, "missing_passages").unwrap()["repairable"].as_bool().unwrap());

        let (code, doc) = verify_json(&env, &["--repair"]);
        assert_eq!(code, 0, "{doc}");
        let after = env.sink().await.rows("demo").await.unwrap();
        assert_eq!(after.len(), before.len(), "{doc}");
        for id in &long[..2] {
            let was = before.iter().find(|r| &r.message_id == id).unwrap().vectors;
            assert_eq!(after.iter().find(|r| &r.message_id == id).unwrap().vectors, was, "{id} re-embedded");
        }
        assert!(!after.iter().any(|r| r.message_id == "ghost@nowhere"), "the orphan's passages went with it");
    }
}
