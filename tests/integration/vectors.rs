//! The vector table records its embedder and refuses another one.

use atom_sync::sink::{LanceSink, VectorRecord};

use crate::common::*;

fn record(id: &str, dim: usize) -> VectorRecord {
    VectorRecord {
        tenant: "t1".into(),
        message_id: id.into(),
        mailbox: "m".into(),
        subject: "s".into(),
        sender: "a@b.c".into(),
        sent_at: Some(1),
        content_hash: "h".into(),
        vector: vec![0.5; dim],
    }
}

#[tokio::test]
async fn upsert_is_idempotent_and_keyed_by_tenant_and_message() {
    let dir = tempfile::tempdir().unwrap();
    let uri = dir.path().join("lance").display().to_string();
    let sink = LanceSink::open(&uri, "messages", "test-embedder", 4).await.unwrap();
    let batch = vec![record("a", 4), record("b", 4), record("a", 4)];
    assert_eq!(sink.upsert(&batch).await.unwrap(), 2, "a repeated id in one chunk is written once");
    sink.upsert(&batch).await.unwrap();
    let mut other = record("a", 4);
    other.tenant = "t2".into();
    sink.upsert(&[other]).await.unwrap();
    assert_eq!(sink.count("t1").await.unwrap(), 2);
    assert_eq!(sink.count("t2").await.unwrap(), 1);
    assert_eq!(sink.message_ids("t1").await.unwrap().len(), 2, "no duplicate vectors");
    let err = sink.upsert(&[record("c", 3)]).await.unwrap_err().to_string();
    assert!(err.contains("dimension 3"), "{err}");
}

#[tokio::test]
async fn a_table_of_another_embedder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let uri = dir.path().join("lance").display().to_string();
    LanceSink::open(&uri, "messages", "other-model", 8).await.unwrap();
    let err = LanceSink::open(&uri, "messages", "potion-base-8M", 256).await.unwrap_err().to_string();
    assert!(err.contains("other-model") && err.contains("dimension 8") && err.contains("potion-base-8M"), "{err}");
    let same_dim = LanceSink::open(&uri, "messages", "another-8d-model", 8).await.unwrap_err().to_string();
    assert!(same_dim.contains("other-model"), "same dimension, other embedder: {same_dim}");
}

#[tokio::test]
async fn backfill_refuses_a_wrong_dimension_table_and_creates_no_job() {
    let env = Env::new(Backend::Sqlite).await;
    LanceSink::open(&env.lance_uri(), "messages", "big-model", 1024).await.unwrap();
    let o = env.run(&["backfill", "--tenant", "acme", "--source", &format!("mbox:{}", sample_mbox().display())]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("big-model") && err.contains("dimension 1024"), "{err}");
    let jobs = status_json(&env, &[]);
    assert_eq!(jobs["jobs"].as_array().unwrap().len(), 0, "nothing written");
}
