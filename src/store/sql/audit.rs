//! What `status`, `verify` and `graph` read, and what `verify --repair` fixes.

use async_trait::async_trait;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use std::collections::BTreeSet;

use super::{Engine, ROWS_PER_STATEMENT, Sql, bind_one, push_tuple};
use crate::extract::people;
use crate::job::{Job, JobEvent};
use crate::store::{
    Audit, EdgeView, EntityView, GraphProblems, Jobs, LedgerEntry, LedgerSlice, PROCESSED, SkippedMessage, TenantDigest,
};
use crate::{Error, Result};

/// Removing what lost all support: unsupported nodes first, so their edges become
/// orphans and go too. Each statement binds the tenant as `$1`.
pub(super) const PRUNE_STEPS: [&str; 6] = [
    "DELETE FROM graph_node_aliases WHERE tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM graph_node_support s
        WHERE s.tenant_id = graph_node_aliases.tenant_id AND s.node_key = graph_node_aliases.node_key)",
    "DELETE FROM graph_nodes WHERE tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM graph_node_support s
        WHERE s.tenant_id = graph_nodes.tenant_id AND s.node_key = graph_nodes.node_key)",
    "DELETE FROM graph_edge_support WHERE tenant_id = $1
        AND (NOT EXISTS (SELECT 1 FROM graph_nodes n WHERE n.tenant_id = graph_edge_support.tenant_id
                           AND n.node_key = graph_edge_support.src_key)
          OR NOT EXISTS (SELECT 1 FROM graph_nodes n WHERE n.tenant_id = graph_edge_support.tenant_id
                           AND n.node_key = graph_edge_support.dst_key))",
    "DELETE FROM graph_edges WHERE tenant_id = $1
        AND (NOT EXISTS (SELECT 1 FROM graph_nodes n WHERE n.tenant_id = graph_edges.tenant_id
                           AND n.node_key = graph_edges.src_key)
          OR NOT EXISTS (SELECT 1 FROM graph_nodes n WHERE n.tenant_id = graph_edges.tenant_id
                           AND n.node_key = graph_edges.dst_key))",
    "DELETE FROM graph_edges WHERE tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM graph_edge_support s
        WHERE s.tenant_id = graph_edges.tenant_id AND s.src_key = graph_edges.src_key AND s.rel = graph_edges.rel
          AND s.dst_key = graph_edges.dst_key)",
    "DELETE FROM discovered_entities WHERE tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM graph_nodes n
        WHERE n.tenant_id = discovered_entities.tenant_id AND n.node_key = discovered_entities.entity_key)",
];

/// The digest's tables, each row read as one text (without job ids and write times).
const DIGEST_ROWS: [(&str, &str); 7] = [
    (
        "ledger",
        "SELECT mailbox || '|' || message_id || '|' || content_hash || '|' || status || '|' || COALESCE(reason, '')
             || '|' || vector_status || '|' || graph_status FROM message_ledger WHERE tenant_id = $1",
    ),
    (
        "entities",
        "SELECT entity_key || '|' || kind || '|' || name || '|' || COALESCE(email, '') || '|'
             || COALESCE(CAST(first_seen_at AS TEXT), '') || '|' || COALESCE(CAST(last_seen_at AS TEXT), '')
         FROM discovered_entities WHERE tenant_id = $1",
    ),
    ("nodes", "SELECT node_key || '|' || kind || '|' || name || '|' || origin FROM graph_nodes WHERE tenant_id = $1"),
    ("aliases", "SELECT node_key || '|' || alias FROM graph_node_aliases WHERE tenant_id = $1"),
    ("node_support", "SELECT node_key || '|' || message_id FROM graph_node_support WHERE tenant_id = $1"),
    (
        "edges",
        "SELECT src_key || '|' || rel || '|' || dst_key || '|' || origin || '|'
             || COALESCE(CAST(first_seen_at AS TEXT), '') || '|' || COALESCE(CAST(last_seen_at AS TEXT), '')
         FROM graph_edges WHERE tenant_id = $1",
    ),
    (
        "edge_support",
        "SELECT src_key || '|' || rel || '|' || dst_key || '|' || message_id || '|'
             || COALESCE(CAST(stated_at AS TEXT), '') FROM graph_edge_support WHERE tenant_id = $1",
    ),
];

#[async_trait]
impl<DB> Audit for Sql<DB>
where
    DB: Engine,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> bool: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Decode<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    str: Type<DB>,
    usize: ColumnIndex<DB::Row>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    async fn events(&self, job: &Job) -> Result<Vec<JobEvent>> {
        sqlx::query_as("SELECT at, kind, message FROM job_events WHERE tenant_id = $1 AND job_id = $2 ORDER BY id")
            .bind(job.tenant.as_str())
            .bind(job.id.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(Error::store(format!("job {}: reading its events", job.id)))
    }

    async fn skipped(&self, job: &Job) -> Result<Vec<SkippedMessage>> {
        sqlx::query_as(
            "SELECT mailbox, message_id, source_ref, reason FROM message_ledger
             WHERE tenant_id = $1 AND job_id = $2 AND status = 'skipped' ORDER BY source_ref, message_id",
        )
        .bind(job.tenant.as_str())
        .bind(job.id.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(Error::store(format!("job {}: listing skipped messages", job.id)))
    }

    async fn digest(&self, tenant: &str) -> Result<TenantDigest> {
        use sha2::Digest as _;
        let mut d = TenantDigest::default();
        let mut hasher = sha2::Sha256::new();
        for (name, sql) in DIGEST_ROWS {
            let mut rows: Vec<(String,)> = sqlx::query_as(sql)
                .bind(tenant)
                .fetch_all(&self.pool)
                .await
                .map_err(Error::store(format!("tenant {tenant}: reading {name}")))?;
            rows.sort();
            hasher.update(name.as_bytes());
            for (r,) in &rows {
                hasher.update(r.as_bytes());
                hasher.update(b"\n");
            }
            let n = rows.len() as i64;
            match name {
                "ledger" => d.ledger = n,
                "entities" => d.entities = n,
                "nodes" => d.nodes = n,
                "aliases" => d.aliases = n,
                "node_support" => d.node_support = n,
                "edges" => d.edges = n,
                _ => d.edge_support = n,
            }
        }
        let (skipped,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM message_ledger WHERE tenant_id = $1 AND status = 'skipped'")
                .bind(tenant)
                .fetch_one(&self.pool)
                .await
                .map_err(Error::store(format!("tenant {tenant}: counting skipped messages")))?;
        d.skipped = skipped;
        d.processed = d.ledger - skipped;
        d.content_sha256 = crate::text::hex(&hasher.finalize());
        Ok(d)
    }

    async fn ledger_entries(&self, tenant: &str, mailbox: Option<&str>) -> Result<Vec<LedgerEntry>> {
        sqlx::query_as(
            "SELECT mailbox, message_id, job_id, status, llm_status, vector_status FROM message_ledger
             WHERE tenant_id = $1 AND ($2 IS NULL OR mailbox = $2) ORDER BY mailbox, message_id",
        )
        .bind(tenant)
        .bind(mailbox)
        .fetch_all(&self.pool)
        .await
        .map_err(Error::store(format!("tenant {tenant}: reading the ledger")))
    }

    async fn ledger_slice(&self, tenant: &str, after: Option<&str>, ids: usize) -> Result<LedgerSlice> {
        let c = DB::BYTES;
        let what = || format!("tenant {tenant}: reading the ledger");
        // the page's bounds first, from the index alone; then its rows
        let bounds: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT message_id{c} FROM message_ledger
             WHERE tenant_id = $1 AND ($2 IS NULL OR message_id{c} > $2)
             ORDER BY 1 LIMIT $3"
        )))
        .bind(tenant)
        .bind(after)
        .bind(ids as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(Error::store(what()))?;
        let through = (bounds.len() >= ids).then(|| bounds.last().map(|(id,)| id.clone())).flatten();
        let entries: Vec<LedgerEntry> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT mailbox, message_id, job_id, status, llm_status, vector_status FROM message_ledger
             WHERE tenant_id = $1 AND ($2 IS NULL OR message_id{c} > $2) AND ($3 IS NULL OR message_id{c} <= $3)
             ORDER BY message_id{c}, mailbox{c}"
        )))
        .bind(tenant)
        .bind(after)
        .bind(through.as_deref())
        .fetch_all(&self.pool)
        .await
        .map_err(Error::store(what()))?;
        Ok(LedgerSlice { entries, through })
    }

    async fn graph_totals(&self, tenant: &str) -> Result<(i64, i64)> {
        sqlx::query_as(
            "SELECT (SELECT count(*) FROM discovered_entities WHERE tenant_id = $1),
                    (SELECT count(*) FROM graph_edges WHERE tenant_id = $1)",
        )
        .bind(tenant)
        .fetch_one(&self.pool)
        .await
        .map_err(Error::store(format!("tenant {tenant}: counting its graph")))
    }

    async fn transport(&self) -> Result<Option<(bool, String)>> {
        let Some(sql) = DB::TLS_QUERY else { return Ok(None) };
        let row: Option<(bool, String)> = sqlx::query_as(sql)
            .fetch_optional(&self.pool)
            .await
            .map_err(Error::store(format!("reading the connection's security on {}", self.label)))?;
        Ok(Some(row.unwrap_or((false, String::new()))))
    }

    async fn schema_version(&self) -> Result<i64> {
        let (v,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await
            .map_err(Error::store(format!("reading the schema version of {}", self.label)))?;
        Ok(v.unwrap_or(0))
    }

    async fn ledger_holds(&self, tenant: &str, ids: &[String]) -> Result<BTreeSet<String>> {
        let mut conn = self.pool.acquire().await.map_err(Error::store("reading the ledger"))?;
        let rows: Vec<(String,)> = Self::for_keys(
            &mut conn,
            ids,
            ROWS_PER_STATEMENT,
            |q| {
                q.push("SELECT DISTINCT message_id FROM message_ledger WHERE tenant_id = ").push_bind(tenant);
                // compared as bytes, as the message-id index orders them
                q.push(format!(" AND message_id{} IN ", DB::BYTES));
            },
            bind_one,
            "",
            || format!("tenant {tenant}: reading the ledger"),
        )
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn mailbox_holds(&self, tenant: &str, mailbox: &str, ids: &[String]) -> Result<BTreeSet<String>> {
        let mut conn = self.pool.acquire().await.map_err(Error::store("reading the ledger"))?;
        let rows: Vec<(String,)> = Self::for_keys(
            &mut conn,
            ids,
            ROWS_PER_STATEMENT,
            |q| {
                q.push("SELECT message_id FROM message_ledger WHERE tenant_id = ").push_bind(tenant);
                q.push(" AND mailbox = ").push_bind(mailbox).push(" AND status = ").push_bind(PROCESSED);
                q.push(" AND message_id IN ");
            },
            bind_one,
            "",
            || format!("tenant {tenant}: reading the ledger of mailbox {mailbox}"),
        )
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn shared_copies(&self, tenant: &str, mailbox: &str) -> Result<Vec<String>> {
        let c = DB::BYTES;
        // `shared`, or held by another mailbox too: two mailboxes' jobs that embed one
        // message at once both say `written`, and the vector names whichever was last
        let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT l.message_id FROM message_ledger l
             WHERE l.tenant_id = $1 AND l.mailbox = $2 AND l.status = $3
               AND (l.vector_status = $4 OR EXISTS (SELECT 1 FROM message_ledger o
                    WHERE o.tenant_id = l.tenant_id AND o.message_id{c} = l.message_id{c}
                      AND o.mailbox <> l.mailbox AND o.status = $3))
             ORDER BY l.message_id"
        )))
        .bind(tenant)
        .bind(mailbox)
        .bind(PROCESSED)
        .bind(crate::store::SHARED)
        .fetch_all(&self.pool)
        .await
        .map_err(Error::store(format!("tenant {tenant}: reading the shared copies of mailbox {mailbox}")))?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn graph_problems(&self, tenant: &str) -> Result<GraphProblems> {
        let keys = |sql: &'static str| async move {
            let rows: Vec<(String,)> = sqlx::query_as(sql)
                .bind(tenant)
                .fetch_all(&self.pool)
                .await
                .map_err(Error::store(format!("tenant {tenant}: checking the graph")))?;
            Ok::<Vec<String>, Error>(rows.into_iter().map(|(r,)| r).collect())
        };
        Ok(GraphProblems {
            orphan_edges: keys(
                "SELECT src_key || ' -' || rel || '-> ' || dst_key FROM graph_edges WHERE tenant_id = $1
                   AND (NOT EXISTS (SELECT 1 FROM graph_nodes n WHERE n.tenant_id = graph_edges.tenant_id
                                      AND n.node_key = graph_edges.src_key)
                     OR NOT EXISTS (SELECT 1 FROM graph_nodes n WHERE n.tenant_id = graph_edges.tenant_id
                                      AND n.node_key = graph_edges.dst_key))
                 ORDER BY 1",
            )
            .await?,
            unsupported_nodes: keys(
                "SELECT node_key FROM graph_nodes WHERE tenant_id = $1
                   AND NOT EXISTS (SELECT 1 FROM graph_node_support s WHERE s.tenant_id = graph_nodes.tenant_id
                                     AND s.node_key = graph_nodes.node_key)
                 ORDER BY 1",
            )
            .await?,
            unsupported_edges: keys(
                "SELECT src_key || ' -' || rel || '-> ' || dst_key FROM graph_edges WHERE tenant_id = $1
                   AND NOT EXISTS (SELECT 1 FROM graph_edge_support s WHERE s.tenant_id = graph_edges.tenant_id
                       AND s.src_key = graph_edges.src_key AND s.rel = graph_edges.rel AND s.dst_key = graph_edges.dst_key)
                 ORDER BY 1",
            )
            .await?,
            duplicate_nodes: keys(
                "SELECT lower(node_key) FROM graph_nodes WHERE tenant_id = $1
                 GROUP BY lower(node_key) HAVING count(*) > 1 ORDER BY 1",
            )
            .await?,
        })
    }

    async fn prune_graph(&self, tenant: &str) -> Result<GraphProblems> {
        let before = self.graph_problems(tenant).await?;
        let mut tx = self.begin_write().await?;
        // the lock a chunk that adds takes shared: no chunk commits support for a
        // node while this decides it has none
        if let Some(lock) = DB::graph_lock(true) {
            sqlx::query(lock)
                .bind(tenant)
                .execute(&mut *tx)
                .await
                .map_err(Error::store(format!("tenant {tenant}: locking the graph to prune it")))?;
        }
        for sql in PRUNE_STEPS {
            sqlx::query(sql)
                .bind(tenant)
                .execute(&mut *tx)
                .await
                .map_err(Error::store(format!("tenant {tenant}: pruning the graph")))?;
        }
        tx.commit().await.map_err(Error::store(format!("tenant {tenant}: pruning the graph")))?;
        Ok(GraphProblems { duplicate_nodes: Vec::new(), ..before })
    }

    async fn mark_shared(&self, tenant: &str, copies: &[(String, String)]) -> Result<u64> {
        let mut conn = self.pool.acquire().await.map_err(Error::store("repairing the ledger"))?;
        let changed: Vec<(String,)> = Self::for_keys(
            &mut conn,
            copies,
            ROWS_PER_STATEMENT,
            |q| {
                q.push("UPDATE message_ledger SET vector_status = ").push_bind(crate::store::SHARED);
                q.push(" WHERE tenant_id = ").push_bind(tenant).push(" AND vector_status = 'written'");
                q.push(" AND (mailbox, message_id) IN ");
            },
            |sep, (m, id)| push_tuple(sep, &[m.as_str(), id.as_str()]),
            " RETURNING message_id",
            || format!("tenant {tenant}: marking shared copies"),
        )
        .await?;
        Ok(changed.len() as u64)
    }

    async fn recount(&self, job: &Job) -> Result<Job> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE jobs SET
                processed = (SELECT count(*) FROM message_ledger WHERE tenant_id = $1 AND job_id = $2 AND status = 'processed'),
                skipped = (SELECT count(*) FROM message_ledger WHERE tenant_id = $1 AND job_id = $2 AND status = 'skipped')
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(job.tenant.as_str())
        .bind(job.id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(Error::store(format!("job {}: recounting", job.id)))?;
        let story = "counters set from the ledger by verify --repair";
        Self::insert_event(&mut tx, &job.tenant, &job.id, "recounted", story).await?;
        tx.commit().await.map_err(Error::store(format!("job {}: recounting", job.id)))?;
        self.job(&job.id).await
    }

    async fn entity(&self, tenant: &str, name: &str, limit: i64) -> Result<Vec<EntityView>> {
        let err = || Error::store(format!("tenant {tenant}: looking up entity {name:?}"));
        let nodes: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT node_key, kind, name FROM graph_nodes WHERE tenant_id = $1
               AND (lower(name) = lower($2) OR node_key = $2 OR node_key = $3
                    OR EXISTS (SELECT 1 FROM graph_node_aliases a WHERE a.tenant_id = graph_nodes.tenant_id
                               AND a.node_key = graph_nodes.node_key AND lower(a.alias) = lower($2)))
             ORDER BY node_key LIMIT 10",
        )
        .bind(tenant)
        .bind(name)
        .bind(format!("person:{}", name.to_lowercase()))
        .fetch_all(&self.pool)
        .await
        .map_err(err())?;
        let mut out = Vec::new();
        for (key, kind, node_name) in nodes {
            let aliases: Vec<(String,)> = sqlx::query_as(
                "SELECT alias FROM graph_node_aliases WHERE tenant_id = $1 AND node_key = $2 ORDER BY alias",
            )
            .bind(tenant)
            .bind(key.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(err())?;
            let (mentions,): (i64,) =
                sqlx::query_as("SELECT count(*) FROM graph_node_support WHERE tenant_id = $1 AND node_key = $2")
                    .bind(tenant)
                    .bind(key.as_str())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(err())?;
            let edges: Vec<(String, String, String, Option<i64>, Option<i64>, i64)> = sqlx::query_as(
                "SELECT src_key, rel, dst_key, first_seen_at, last_seen_at,
                        (SELECT count(*) FROM graph_edge_support s WHERE s.tenant_id = graph_edges.tenant_id
                           AND s.src_key = graph_edges.src_key AND s.rel = graph_edges.rel
                           AND s.dst_key = graph_edges.dst_key) AS weight
                 FROM graph_edges WHERE tenant_id = $1 AND (src_key = $2 OR dst_key = $2)
                 ORDER BY weight DESC, src_key, rel, dst_key LIMIT $3",
            )
            .bind(tenant)
            .bind(key.as_str())
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(err())?;
            let mut views = Vec::new();
            for (src, rel, dst, first_seen_at, last_seen_at, weight) in edges {
                let messages: Vec<(String, Option<String>)> = sqlx::query_as(
                    "SELECT s.message_id, (SELECT min(l.subject) FROM message_ledger l
                                           WHERE l.tenant_id = s.tenant_id AND l.message_id = s.message_id)
                     FROM graph_edge_support s
                     WHERE s.tenant_id = $1 AND s.src_key = $2 AND s.rel = $3 AND s.dst_key = $4
                     ORDER BY s.stated_at, s.message_id LIMIT 3",
                )
                .bind(tenant)
                .bind(src.as_str())
                .bind(rel.as_str())
                .bind(dst.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(err())?;
                views.push(EdgeView { src, rel, dst, weight, first_seen_at, last_seen_at, messages });
            }
            let aliases = aliases.into_iter().map(|(a,)| a).collect();
            // the people who may be this person: its domain's people and those whose
            // name holds its longest name word, sifted by `people::candidates`; read
            // on demand (`graph --entity`), never on the chunk path
            let candidates = match (kind.as_str(), people::split_person_key(&key)) {
                ("person", Some((_, domain))) => {
                    let like = |s: &str| s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                    let word = people::name_key(&node_name)
                        .split(' ')
                        .max_by_key(|w| w.len())
                        .filter(|w| w.len() >= 3)
                        .map(like);
                    let others: Vec<(String, String)> = sqlx::query_as(
                        "SELECT node_key, name FROM graph_nodes WHERE tenant_id = $1 AND kind = 'person'
                           AND (node_key LIKE $2 ESCAPE '\\' OR lower(name) LIKE $3 ESCAPE '\\')
                         ORDER BY node_key LIMIT 2000",
                    )
                    .bind(tenant)
                    .bind(format!("person:%@{}", like(domain)))
                    .bind(word.map(|w| format!("%{w}%")).unwrap_or_default())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(err())?;
                    people::candidates(&key, &node_name, &others)
                }
                _ => Vec::new(),
            };
            out.push(EntityView { key, kind, name: node_name, aliases, mentions, edges: views, candidates });
        }
        Ok(out)
    }
}
