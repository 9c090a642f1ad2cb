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
        passages: vec![],
        text: String::new(),
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

#[tokio::test]
async fn a_table_made_before_full_text_search_and_passages_gains_their_columns() {
    use std::sync::Arc;

    use arrow_array::types::Float32Type;
    use arrow_array::{FixedSizeListArray, Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use atom_sync::sink::SearchMode;

    let dir = tempfile::tempdir().unwrap();
    let uri = dir.path().join("lance").display().to_string();
    // the schema tables had before the text column, with its embedder metadata
    let meta = std::collections::HashMap::from([
        ("atom_sync.embedder".to_string(), "test-embedder".to_string()),
        ("atom_sync.dimension".to_string(), "4".to_string()),
    ]);
    let mut fields: Vec<Field> = ["tenant_id", "message_id", "mailbox", "subject", "sender"]
        .iter()
        .map(|n| Field::new(*n, DataType::Utf8, false))
        .collect();
    fields.push(Field::new("sent_at", DataType::Int64, true));
    fields.push(Field::new("content_hash", DataType::Utf8, false));
    fields.push(Field::new("embedder", DataType::Utf8, false));
    fields.push(Field::new(
        "vector",
        DataType::FixedSizeList(Arc::new(Field::new("item", DataType::Float32, true)), 4),
        false,
    ));
    let old = Arc::new(Schema::new(fields).with_metadata(meta));
    let conn = lancedb::connect(&uri).execute().await.unwrap();
    let s = |v: &str| Arc::new(StringArray::from(vec![v])) as Arc<dyn arrow_array::Array>;
    let written_then = RecordBatch::try_new(
        old.clone(),
        vec![
            s("t1"),
            s("old"),
            s("m"),
            s("s"),
            s("a@b.c"),
            Arc::new(Int64Array::from(vec![Some(1)])),
            s("h"),
            s("test-embedder"),
            Arc::new(FixedSizeListArray::from_iter_primitive::<Float32Type, _, _>(
                vec![Some(vec![Some(0.0), Some(1.0), Some(0.0), Some(0.0)])],
                4,
            )),
        ],
    )
    .unwrap();
    conn.create_table("messages", written_then).execute().await.unwrap();

    let sink = LanceSink::open(&uri, "messages", "test-embedder", 4).await.unwrap();
    let mut a = record("a", 4);
    a.text = "quarterly pipeline capacity nomination".into();
    let mut b = record("b", 4);
    b.text = "lunch on friday".into();
    sink.upsert(&[a, b]).await.unwrap();
    let hits =
        sink.search("t1", SearchMode::Text, "pipeline nomination", &[0.5; 4], 5, &Default::default()).await.unwrap();
    assert_eq!(hits.iter().map(|h| h.message_id.as_str()).collect::<Vec<_>>(), ["a"]);
    let hits =
        sink.search("t1", SearchMode::Hybrid, "pipeline nomination", &[0.5; 4], 5, &Default::default()).await.unwrap();
    assert_eq!(hits[0].message_id, "a");
    // by meaning: the old row by its message vector, a new one by its best passage
    let mut c = record("c", 4);
    c.vector = vec![1.0, 0.0, 0.0, 0.0];
    c.passages = vec![vec![0.0, 0.0, 1.0, 0.0], vec![0.0, 0.0, 0.0, 1.0]];
    sink.upsert(&[c]).await.unwrap();
    let nearest = |v: [f32; 4]| {
        let sink = &sink;
        async move { sink.search("t1", SearchMode::Vector, "", &v, 1, &Default::default()).await.unwrap() }
    };
    let old_hit = nearest([0.0, 1.0, 0.0, 0.0]).await;
    assert_eq!(old_hit[0].message_id, "old", "a row written before passages is found");
    assert!((old_hit[0].score - 1.0).abs() < 1e-4, "{old_hit:?}");
    for v in [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]] {
        let hit = nearest(v).await;
        assert_eq!(hit[0].message_id, "c", "{v:?}: {hit:?}");
        assert!((hit[0].score - 1.0).abs() < 1e-4, "scored by its best vector: {hit:?}");
    }
    let rows = sink.rows("t1").await.unwrap();
    let vectors = |id: &str| rows.iter().find(|r| r.message_id == id).unwrap().vectors;
    assert_eq!((vectors("old"), vectors("a"), vectors("c")), (None, Some(1), Some(3)));
    // a second process opening the migrated table changes nothing
    LanceSink::open(&uri, "messages", "test-embedder", 4).await.unwrap();
    assert!(
        sink.search("t2", SearchMode::Text, "pipeline", &[0.5; 4], 5, &Default::default()).await.unwrap().is_empty()
    );
}

#[tokio::test]
async fn a_removal_reaches_every_embedders_table_of_the_tenant_only() {
    let dir = tempfile::tempdir().unwrap();
    let uri = dir.path().join("lance").display().to_string();
    let old = LanceSink::open(&uri, "messages", "test-embedder", 4).await.unwrap();
    let new = LanceSink::open(&uri, "messages_openai_x_8", "openai:x", 8).await.unwrap();
    old.upsert(&[record("a", 4), record("b", 4)]).await.unwrap();
    new.upsert(&[record("a", 8), record("b", 8)]).await.unwrap();
    let mut other = record("a", 8);
    other.tenant = "t2".into();
    new.upsert(&[other]).await.unwrap();
    let memories = atom_sync::memory::Memories::new(&uri, None, 16);
    memories.delete_everywhere("t1", &["a".to_string()]).await.unwrap();
    // table handles read the version they opened: reopen
    let old = LanceSink::open(&uri, "messages", "test-embedder", 4).await.unwrap();
    let new = LanceSink::open(&uri, "messages_openai_x_8", "openai:x", 8).await.unwrap();
    assert_eq!(old.message_ids("t1").await.unwrap(), ["b"]);
    assert_eq!(new.message_ids("t1").await.unwrap(), ["b"]);
    assert_eq!(new.message_ids("t2").await.unwrap(), ["a"], "another tenant's message of the same id stays");
}

/// A message's passages live in its row: rewritten with it (none of a longer version
/// left behind) and deleted with it.
#[tokio::test]
async fn passages_of_a_long_message_are_replaced_with_it_and_all_go_when_it_is_deleted() {
    use atom_sync::sink::SearchMode;

    let dir = tempfile::tempdir().unwrap();
    let uri = dir.path().join("lance").display().to_string();
    let sink = LanceSink::open(&uri, "messages", "test-embedder", 4).await.unwrap();
    let unit = |i: usize| {
        let mut v = vec![0.0; 4];
        v[i] = 1.0;
        v
    };
    let mut long = record("long", 4);
    long.vector = unit(0);
    long.passages = vec![unit(1), unit(2), unit(3)];
    let mut other = record("other", 4);
    other.vector = vec![0.5, 0.5, 0.5, 0.5];
    sink.upsert(&[long.clone(), other]).await.unwrap();
    let top = |v: Vec<f32>| {
        let sink = &sink;
        async move {
            let hits = sink.search("t1", SearchMode::Vector, "", &v, 1, &Default::default()).await.unwrap();
            hits.into_iter().next().map(|h| (h.message_id, (h.score * 1000.0).round() / 1000.0))
        }
    };
    assert_eq!(top(unit(3)).await, Some(("long".into(), 1.0)), "found by its last passage");

    // edited shorter: the last passage is gone with the old version
    long.passages = vec![unit(1)];
    sink.upsert(&[long]).await.unwrap();
    assert_eq!(sink.rows("t1").await.unwrap().iter().find(|r| r.message_id == "long").unwrap().vectors, Some(2));
    assert_eq!(top(unit(3)).await.unwrap().0, "other", "no passage of the old version answers");

    sink.delete("t1", &["long".to_string()]).await.unwrap();
    assert_eq!(sink.count_of("t1", &["long".to_string()]).await.unwrap(), 0);
    for i in 0..4 {
        assert_eq!(top(unit(i)).await.unwrap().0, "other", "nothing of it answers any more");
    }
}

#[tokio::test]
async fn a_compaction_that_lost_a_race_plans_again_from_the_latest_version() {
    let dir = tempfile::tempdir().unwrap();
    let uri = dir.path().join("lance").display().to_string();
    let a = LanceSink::open(&uri, "messages", "test-embedder", 4).await.unwrap();
    a.upsert(&[record("m0", 4)]).await.unwrap();
    a.compact().await.unwrap();
    // small files, one per write, as chunks leave them
    for i in 1..8 {
        a.upsert(&[record(&format!("m{i}"), 4)]).await.unwrap();
    }
    // another machine compacts them first; this handle still holds the version before
    let b = LanceSink::open(&uri, "messages", "test-embedder", 4).await.unwrap();
    let first = b.compact().await.unwrap();
    assert!(first.fragments_removed >= 2, "b merged the small files: {first:?}");
    a.compact().await.expect("a lost the race, reloaded and planned again");
    assert_eq!(a.count("t1").await.unwrap(), 8);
    assert_eq!(b.count("t1").await.unwrap(), 8);
}
