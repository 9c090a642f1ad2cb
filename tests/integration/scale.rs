//! A chunk costs the same at a tenant's first message and at its millionth: pinned by
//! shape, not by timing. Every statement a chunk runs on the store reads by key
//! (SQLite's own query plans say so), and the vector table keeps its key indexes and
//! a bounded number of fragments while a run writes to it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use atom_sync::clients::Clients;
use atom_sync::event::Emitter;
use atom_sync::job::{NewJob, owner_name};
use atom_sync::memory::Memories;
use atom_sync::pipeline::{Outcome, Pipeline};
use atom_sync::source::SourceSpec;
use sqlx::Connection;
use tracing_subscriber::layer::SubscriberExt;

use crate::common::*;

/// Tables whose rows grow with a tenant's mail, and the columns that name one row (or
/// one message's rows) in them: a chunk may only find rows through one of these.
const GROWING: [(&str, &[&str]); 10] = [
    ("message_ledger", &["message_id"]),
    ("discovered_entities", &["entity_key"]),
    ("graph_nodes", &["node_key"]),
    ("graph_node_aliases", &["node_key"]),
    ("graph_node_support", &["node_key", "message_id"]),
    ("graph_edges", &["src_key", "dst_key"]),
    ("graph_edge_support", &["src_key", "dst_key", "message_id"]),
    ("llm_memo", &["content_hash"]),
    ("graph_sync_links", &["folder_id"]),
    ("job_events", &["job_id"]),
];

/// Statements sqlx ran in this process (its `sqlx::query` events carry the SQL).
fn statements() -> &'static Mutex<Vec<String>> {
    static S: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    S.get_or_init(Default::default)
}

struct Capture;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        #[derive(Default)]
        struct Fields {
            summary: String,
            statement: String,
        }
        impl tracing::field::Visit for Fields {
            fn record_str(&mut self, f: &tracing::field::Field, v: &str) {
                match f.name() {
                    "summary" => self.summary = v.to_string(),
                    "db.statement" => self.statement = v.to_string(),
                    _ => {}
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        let mut f = Fields::default();
        event.record(&mut f);
        // short statements are logged whole as their summary, longer ones in full apart
        let sql = if f.statement.trim().is_empty() { f.summary } else { f.statement.trim().to_string() };
        statements().lock().unwrap().push(sql);
    }
}

/// One shape per statement, whatever its number of rows: placeholders and repeated
/// row lists fold, so a chunk's multi-row insert of 7 rows and of 9 rows are one.
fn shape_of(sql: &str) -> String {
    let mut s = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            s.push('?');
        } else if c.is_whitespace() {
            if !s.ends_with(' ') {
                s.push(' ');
            }
        } else {
            s.push(c);
        }
    }
    loop {
        let folded = s.replace(", ?", "").replace("(?), (?)", "(?)").replace("((?)), ((?))", "((?))");
        if folded == s {
            return s;
        }
        s = folded;
    }
}

/// The plan lines of `sql` that read a growing table other than by one of its keys.
fn reads_by_tenant(plan: &[String]) -> Vec<String> {
    plan.iter()
        .filter(|line| {
            let mut words = line.split_whitespace();
            let (verb, table) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
            let Some((_, keys)) = GROWING.iter().find(|(t, _)| *t == table) else { return false };
            match verb {
                "SCAN" => true,
                "SEARCH" => {
                    let constraint = line.rsplit_once('(').map(|(_, c)| c).unwrap_or("");
                    !keys.iter().any(|k| constraint.contains(&format!("{k}=")))
                }
                _ => false,
            }
        })
        .cloned()
        .collect()
}

/// Under `cargo test` the other tests share this process and its log: run the test
/// `name` alone in a child process, and say whether this process is that child (or
/// nextest's own process per test), which captures the log.
fn captured_alone(name: &str) -> bool {
    const CHILD: &str = "ATOM_SYNC_TEST_SHAPE_CHILD";
    if std::env::var_os("NEXTEST_EXECUTION_MODE").is_none() && std::env::var_os(CHILD).is_none() {
        let o = std::process::Command::new(std::env::current_exe().unwrap())
            .args([name, "--exact", "--test-threads=1", "--nocapture"])
            .env(CHILD, "1")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
        assert!(stdout(&o).contains("1 passed"), "{}", stdout(&o));
        return false;
    }
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Capture)).unwrap();
    true
}

/// A backfill of the sample in chunks of 8 (38 of them: enough for upkeep to index
/// and compact during the run), through the real pipeline: its outcome and the
/// statements run about once per chunk or more, one of each shape.
async fn backfill_in_small_chunks(env: &Env) -> (atom_sync::job::Job, Arc<atom_sync::memory::Memories>, Vec<String>) {
    let store = env.store().await;
    let memories = Arc::new(Memories::new(&env.lance_uri(), None, 1));
    let chunk = 8;
    let job = store
        .create_job(&NewJob {
            tenant: "shape".into(),
            source: SourceSpec::Mbox(sample_mbox()).to_string(),
            mailbox: "sample.mbox".into(),
            chunk_size: chunk,
            max_body_bytes: atom_sync::email::DEFAULT_MAX_BODY_BYTES as i64,
            estimated_total: None,
            cursor: None,
            llm_token_cap: None,
        })
        .await
        .unwrap();
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let pipeline = Pipeline {
        clients: Arc::new(Clients::new(Default::default(), Err("no master key in this test".into())).unwrap()),
        llm: None,
        store: store.clone(),
        memories: memories.clone(),
        events: Emitter::new(tx),
        heartbeat_every: Duration::from_secs(30),
        stop,
        retry: Default::default(),
    };
    statements().lock().unwrap().clear();
    let outcome = pipeline.run(&job.id, &owner_name()).await.unwrap();
    let Outcome::Completed(done) = outcome else { panic!("the job did not complete: {outcome:?}") };
    let chunks = done.chunks as usize;
    assert!(chunks >= 35, "{chunks} chunks");
    let ran = std::mem::take(&mut *statements().lock().unwrap());
    assert!(!ran.is_empty(), "sqlx logged no statements: the capture is broken");

    let mut by_shape: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for sql in &ran {
        let e = by_shape.entry(shape_of(sql)).or_insert((0, sql.clone()));
        e.0 += 1;
    }
    let per_chunk: Vec<String> = by_shape.into_values().filter(|(n, _)| *n >= chunks / 2).map(|(_, sql)| sql).collect();
    assert!(
        per_chunk.iter().any(|s| s.contains("INSERT INTO message_ledger"))
            && per_chunk.iter().any(|s| s.contains("INSERT INTO graph_node_support")),
        "the chunk path's statements were not all seen: {per_chunk:#?}"
    );
    (done, memories, per_chunk)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chunk_reads_by_key_and_the_vector_table_keeps_its_shape() {
    if !captured_alone("scale::a_chunk_reads_by_key_and_the_vector_table_keeps_its_shape") {
        return;
    }
    let env = Env::new(Backend::Sqlite).await;
    let (done, memories, per_chunk) = backfill_in_small_chunks(&env).await;
    let chunks = done.chunks as usize;
    let store = env.store().await;
    let sink = memories.local().await.unwrap().sink;
    let url = format!("sqlite://{}", env.data_dir().join(atom_sync::store::SQLITE_FILE).display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let mut bad = Vec::new();
    for sql in &per_chunk {
        let plan: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                .fetch_all(&mut conn)
                .await
                .unwrap();
        let lines: Vec<String> = plan.into_iter().map(|(_, _, _, d)| d).collect();
        let wrong = reads_by_tenant(&lines);
        if !wrong.is_empty() {
            bad.push(format!("{sql}\n  -> {wrong:?}"));
        }
    }
    assert!(bad.is_empty(), "statements of the chunk path read by tenant, not by key:\n{}", bad.join("\n\n"));

    // the vector table: key indexes made, fragments merged as the run went
    for _ in 0..300 {
        if !sink.upkeep().busy() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sink.upkeep().passes() >= 4, "{} upkeep passes", sink.upkeep().passes());
    let shape = sink.shape().await.unwrap();
    assert_eq!(shape.key_indexes, 2, "{shape:?}");
    assert!(shape.fragments < chunks / 2, "one fragment per chunk piled up: {shape:?} after {chunks} chunks");
    assert_eq!(shape.rows as i64, done.processed, "{shape:?}");
    // and the memory is whole: the indexed merge matched what it had to
    let report = atom_sync::verify::verify(
        store.as_ref(),
        &sink,
        &atom_sync::verify::Scope { tenant: "shape".into(), mailbox: None, job: None, sources: Default::default() },
        false,
    )
    .await
    .unwrap();
    assert!(report.clean, "{report:?}");
}

/// The same on Postgres. Each statement is planned as a prepared statement is, for any
/// value of its parameters (a generic plan), with sequential scans priced out: a scan
/// of a growing table then means no index can serve it, and an index scan must have
/// one of the table's keys in its condition (an index on the tenant alone reads the
/// tenant's every row).
#[tokio::test(flavor = "multi_thread")]
async fn a_chunk_reads_by_key_on_postgres_too() {
    if postgres_admin_url().is_none() || !captured_alone("scale::a_chunk_reads_by_key_on_postgres_too") {
        return;
    }
    let env = Env::new(Backend::Postgres).await;
    let (_, _, per_chunk) = backfill_in_small_chunks(&env).await;
    let mut c = sqlx::PgConnection::connect(env.database_url.as_ref().unwrap()).await.unwrap();
    grow_the_tenant(&mut c, "shape").await;
    sqlx::raw_sql("SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off").execute(&mut c).await.unwrap();
    let (mut bad, mut planned) = (Vec::new(), 0);
    for sql in per_chunk.iter().filter(|s| {
        let verb = s.trim_start().split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        matches!(verb.as_str(), "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "WITH")
    }) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("PREPARE shape AS {sql}")))
            .execute(&mut c)
            .await
            .unwrap_or_else(|e| panic!("cannot prepare {sql}: {e}"));
        let args = vec!["NULL"; placeholders(sql)].join(", ");
        let explain = if args.is_empty() {
            "EXPLAIN EXECUTE shape".to_string()
        } else {
            format!("EXPLAIN EXECUTE shape({args})")
        };
        let plan: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(explain)).fetch_all(&mut c).await.unwrap();
        sqlx::raw_sql("DEALLOCATE shape").execute(&mut c).await.unwrap();
        planned += 1;
        let wrong = pg_reads_by_tenant(&plan);
        if !wrong.is_empty() {
            bad.push(format!("{sql}\n  -> {wrong:?}\n{}", plan.join("\n")));
        }
    }
    assert!(planned >= 5, "only {planned} statements planned of {per_chunk:#?}");
    assert!(bad.is_empty(), "statements of the chunk path read by tenant, not by key:\n{}", bad.join("\n\n"));
}

/// Make the tenant look big to the planner: each growing table gets copies of the
/// tenant's rows under new keys (`key#1`, `key#2`, …) up to ~40,000 rows, then fresh
/// statistics. On a table of a few hundred rows any index is as good as another; at
/// scale only one that names a key reads less than the tenant's every row.
async fn grow_the_tenant(c: &mut sqlx::PgConnection, tenant: &str) {
    for (table, keys) in GROWING.iter().filter(|(t, _)| *t != "job_events") {
        let have: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table} WHERE tenant_id = $1")))
                .bind(tenant)
                .fetch_one(&mut *c)
                .await
                .unwrap();
        if have == 0 {
            continue;
        }
        let copies = (40_000 / have).clamp(1, 200);
        let cols: Vec<String> = sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns WHERE table_name = $1 \
             AND coalesce(column_default, '') NOT LIKE 'nextval%' AND is_identity = 'NO' ORDER BY ordinal_position",
        )
        .bind(*table)
        .fetch_all(&mut *c)
        .await
        .unwrap();
        let exprs: Vec<String> = cols
            .iter()
            .map(|col| if keys.contains(&col.as_str()) { format!("{col} || '#' || g") } else { col.clone() })
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({}) SELECT {} FROM {table}, generate_series(1, {copies}) g WHERE tenant_id = $1 ON CONFLICT DO NOTHING",
            cols.join(", "),
            exprs.join(", ")
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tenant).execute(&mut *c).await.unwrap();
    }
    sqlx::raw_sql("ANALYZE").execute(&mut *c).await.unwrap();
}

/// The highest `$n` in a statement.
fn placeholders(sql: &str) -> usize {
    sql.split('$')
        .skip(1)
        .filter_map(|t| t.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .max()
        .unwrap_or(0)
}

/// The nodes of a Postgres plan that read a growing table other than by one of its
/// keys: a sequential scan, or an index scan whose condition names none of them.
fn pg_reads_by_tenant(plan: &[String]) -> Vec<String> {
    // a node is its line (`->` after the first) and the detail lines under it
    let mut nodes: Vec<Vec<&str>> = Vec::new();
    for line in plan {
        if nodes.is_empty() || line.trim_start().starts_with("->") {
            nodes.push(vec![line.as_str()]);
        } else {
            nodes.last_mut().unwrap().push(line.as_str());
        }
    }
    let mut wrong = Vec::new();
    for node in nodes {
        let head = node[0];
        let Some((_, keys)) = GROWING.iter().find(|(t, _)| {
            let on = format!(" on {t} ");
            let end = format!(" on {t}");
            head.contains(&on) || head.trim_end().ends_with(&end)
        }) else {
            continue;
        };
        let cond = if head.contains("Seq Scan") {
            None
        } else if head.contains("Index Scan") || head.contains("Index Only Scan") {
            node.iter().find(|l| l.trim_start().starts_with("Index Cond:"))
        } else if head.contains("Bitmap Heap Scan") {
            node.iter().find(|l| l.trim_start().starts_with("Recheck Cond:"))
        } else {
            // an Insert / Update / Delete node writes the table; its reads are nodes of their own
            continue;
        };
        // `(message_id)::text = ANY (…)` names the key too
        let named = |c: &str| {
            let c = c.replace(")::text", "").replace('(', "");
            keys.iter().any(|k| c.contains(&format!("{k} =")))
        };
        if !cond.is_some_and(|c| named(c)) {
            wrong.push(head.trim().to_string());
        }
    }
    wrong
}

#[test]
fn postgres_plans_are_read_for_scans_by_tenant() {
    let plan = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
    let by_key = plan(
        "Insert on graph_nodes  (cost=0.00..0.01 rows=1 width=1)\n  Conflict Resolution: UPDATE\n  ->  Index Scan using graph_nodes_pkey on graph_nodes g  (cost=0.1..8.1 rows=1)\n        Index Cond: ((tenant_id = $1) AND (node_key = $2))",
    );
    assert!(pg_reads_by_tenant(&by_key).is_empty(), "{by_key:?}");
    let seq =
        plan("Seq Scan on message_ledger  (cost=10000000000.00..10000000001.00 rows=1)\n  Filter: (tenant_id = $1)");
    assert_eq!(pg_reads_by_tenant(&seq).len(), 1);
    let tenant_only = plan(
        "Aggregate\n  ->  Index Only Scan using message_ledger_tenant_idx on message_ledger  (cost=0.1..8.1 rows=1)\n        Index Cond: (tenant_id = $1)",
    );
    assert_eq!(pg_reads_by_tenant(&tenant_only).len(), 1);
    let bitmap = plan(
        "Bitmap Heap Scan on graph_edge_support  (cost=1..2 rows=1)\n  Recheck Cond: ((tenant_id = $1) AND (message_id = ANY ($2)))\n  ->  Bitmap Index Scan on ges_msg  (cost=0..1 rows=1)\n        Index Cond: ((tenant_id = $1) AND (message_id = ANY ($2)))",
    );
    assert!(pg_reads_by_tenant(&bitmap).is_empty(), "{bitmap:?}");
    assert!(pg_reads_by_tenant(&plan("Seq Scan on jobs  (cost=0..1 rows=1)")).is_empty());
    let cast = plan(
        "Index Scan using message_ledger_message on message_ledger  (cost=0.41..51.77 rows=1)\n  Index Cond: ((tenant_id = $1) AND ((message_id)::text = ANY (ARRAY[$4, $5])))\n  Filter: (status = $2)",
    );
    assert!(pg_reads_by_tenant(&cast).is_empty(), "{cast:?}");
    assert_eq!(placeholders("SELECT 1 WHERE a = $1 AND b IN ($2, $13)"), 13);
}

#[test]
fn shapes_fold_row_lists_and_placeholders() {
    assert_eq!(
        shape_of("INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ($5, $6) ON CONFLICT DO NOTHING"),
        shape_of("INSERT INTO t (a, b) VALUES ($1, $2)  ON CONFLICT DO NOTHING")
    );
    assert_eq!(
        shape_of("SELECT x FROM t WHERE tenant_id = $1 AND (m, id) IN (($2, $3), ($4, $5))"),
        shape_of("SELECT x FROM t WHERE tenant_id = $1 AND (m, id) IN (($2, $3))")
    );
    assert_ne!(shape_of("SELECT a FROM t WHERE id = $1"), shape_of("SELECT b FROM t WHERE id = $1"));
    let plan = |l: &str| vec![l.to_string()];
    assert_eq!(reads_by_tenant(&plan("SCAN graph_nodes")).len(), 1);
    assert_eq!(
        reads_by_tenant(&plan("SEARCH discovered_entities USING COVERING INDEX sqlite_autoindex_1 (tenant_id=?)"))
            .len(),
        1
    );
    assert!(
        reads_by_tenant(&plan("SEARCH graph_nodes USING INDEX sqlite_autoindex_2 (tenant_id=? AND node_key=?)"))
            .is_empty()
    );
    assert!(reads_by_tenant(&plan("SCAN jobs_unrelated")).is_empty());
}

/// Postgres plans a chunk's key lookups from table statistics, which autovacuum keeps
/// late (or never: it is off on some servers). With none, the ledger lookup read the
/// mailbox's every row per chunk. A run refreshes them as it passes 8, 16, … chunks.
#[tokio::test(flavor = "multi_thread")]
async fn a_run_keeps_postgres_statistics_fresh() {
    if postgres_admin_url().is_none() {
        return;
    }
    let env = Env::new(Backend::Postgres).await;
    let mut mbox = String::new();
    for i in 0..40 {
        mbox.push_str(&format!(
            "From x@y Mon Jan  1 00:00:00 2001\nMessage-ID: <s{i}@stats.test>\nFrom: a@acme.com\nTo: b{i}@beta.org\nSubject: s{i}\n\nbody {i}\n\n"
        ));
    }
    let path = env.data_dir().join("stats.mbox");
    std::fs::write(&path, mbox).unwrap();
    let url = env.database_url.clone().unwrap();
    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
    assert!(reltuples(&mut c).await.is_none_or(|t| t <= 0.0), "a new table has no statistics yet");
    ok(&env.run(&[
        "backfill",
        "--tenant",
        "acme",
        "--source",
        &format!("mbox:{}", path.display()),
        "--chunk-size",
        "2",
    ]));
    // 20 chunks: analysed after chunks 8 and 16, when the ledger held 16 and 32 rows
    // (or later by autovacuum, where it is on)
    let t = reltuples(&mut c).await;
    assert!(t.is_some_and(|t| t >= 16.0), "no statistics after the run: {t:?}");
}

/// The ledger's row count as Postgres's statistics have it; `None` before any.
async fn reltuples(c: &mut sqlx::PgConnection) -> Option<f32> {
    sqlx::query_scalar::<_, f32>("SELECT reltuples FROM pg_class WHERE relname = 'message_ledger'")
        .fetch_optional(c)
        .await
        .unwrap()
}
