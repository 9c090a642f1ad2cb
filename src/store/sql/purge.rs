//! Removing a tenant, or one of its mailboxes, from the store: for offboarding and
//! privacy requests. One transaction; refused while a job of that scope is pending
//! or running (it would write back what goes).

use std::collections::BTreeSet;

use async_trait::async_trait;
use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::audit::PRUNE_STEPS;
use super::{Engine, ROWS_PER_STATEMENT, Sql, bind_one};
use crate::store::{Purge, PurgeCounts, PurgeScope};
use crate::{Error, Result};

/// Every table holding a tenant's rows, and the count each adds to.
const TENANT_TABLES: [(&str, Count); 14] = [
    ("job_events", Count::Jobs),
    ("jobs", Count::Jobs),
    ("message_ledger", Count::Ledger),
    ("graph_node_support", Count::Graph),
    ("graph_edge_support", Count::Graph),
    ("graph_node_aliases", Count::Graph),
    ("graph_edges", Count::Graph),
    ("graph_nodes", Count::Graph),
    ("discovered_entities", Count::Graph),
    ("graph_sync_links", Count::Settings),
    ("llm_memo", Count::Memo),
    ("tenant_keys", Count::Secrets),
    ("tenant_connections", Count::Secrets),
    ("tenant_embedders", Count::Settings),
];

#[derive(Clone, Copy)]
enum Count {
    Jobs,
    Ledger,
    Graph,
    Memo,
    Secrets,
    Settings,
}

fn add(c: &mut PurgeCounts, what: Count, n: u64) {
    match what {
        Count::Jobs => c.job_rows += n,
        Count::Ledger => c.ledger += n,
        Count::Graph => c.graph_rows += n,
        Count::Memo => c.memo += n,
        Count::Secrets => c.secrets += n,
        Count::Settings => c.settings += n,
    }
}

impl<DB> Sql<DB>
where
    DB: Engine,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Decode<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    str: Type<DB>,
    usize: ColumnIndex<DB::Row>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    async fn refuse_active(conn: &mut DB::Connection, tenant: &str, mailbox: Option<&str>) -> Result<()> {
        let active: Option<(String, String)> = sqlx::query_as(
            "SELECT id, state FROM jobs WHERE tenant_id = $1 AND ($2 IS NULL OR mailbox = $2)
               AND state IN ('pending', 'running') ORDER BY id LIMIT 1",
        )
        .bind(tenant)
        .bind(mailbox)
        .fetch_optional(&mut *conn)
        .await
        .map_err(Error::store(format!("tenant {tenant}: looking for active jobs")))?;
        match active {
            Some((job, state)) => Err(Error::JobState {
                job,
                why: format!("is {state}; cancel it (or let it end) before purging what it writes"),
            }),
            None => Ok(()),
        }
    }

    /// The mailbox's messages no other mailbox of the tenant holds: theirs are the
    /// vectors and the graph support that go with the mailbox.
    async fn only_in(conn: &mut DB::Connection, tenant: &str, mailbox: &str) -> Result<(Vec<String>, Vec<String>)> {
        let what = || format!("tenant {tenant}: reading the ledger of mailbox {mailbox}");
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT message_id, content_hash FROM message_ledger WHERE tenant_id = $1 AND mailbox = $2")
                .bind(tenant)
                .bind(mailbox)
                .fetch_all(&mut *conn)
                .await
                .map_err(Error::store(what()))?;
        let ids: Vec<String> = rows.iter().map(|(id, _)| id.clone()).collect();
        let shared: Vec<(String,)> = Self::for_keys(
            conn,
            &ids,
            ROWS_PER_STATEMENT,
            |q| {
                q.push("SELECT DISTINCT message_id FROM message_ledger WHERE tenant_id = ")
                    .push_bind(tenant.to_string());
                q.push(" AND mailbox <> ").push_bind(mailbox.to_string()).push(" AND message_id IN ");
            },
            bind_one,
            "",
            what,
        )
        .await?;
        let shared: BTreeSet<String> = shared.into_iter().map(|(id,)| id).collect();
        let only: BTreeSet<String> = ids.into_iter().filter(|id| !shared.contains(id)).collect();
        let hashes: BTreeSet<String> = rows.into_iter().map(|(_, h)| h).collect();
        Ok((only.into_iter().collect(), hashes.into_iter().collect()))
    }

    async fn purge_tenant(conn: &mut DB::Connection, tenant: &str, dry_run: bool) -> Result<PurgeCounts> {
        let (messages,): (i64,) =
            sqlx::query_as("SELECT count(DISTINCT message_id) FROM message_ledger WHERE tenant_id = $1")
                .bind(tenant)
                .fetch_one(&mut *conn)
                .await
                .map_err(Error::store(format!("tenant {tenant}: counting messages")))?;
        let mut c = PurgeCounts { messages: messages as u64, ..Default::default() };
        for (table, what) in TENANT_TABLES {
            let n = if dry_run {
                let sql = format!("SELECT count(*) FROM {table} WHERE tenant_id = $1");
                let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(tenant)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(Error::store(format!("tenant {tenant}: counting {table}")))?;
                n as u64
            } else {
                let sql = format!("DELETE FROM {table} WHERE tenant_id = $1");
                let done = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(tenant)
                    .execute(&mut *conn)
                    .await
                    .map_err(Error::store(format!("tenant {tenant}: purging {table}")))?;
                DB::affected(&done)
            };
            add(&mut c, what, n);
        }
        Ok(c)
    }

    async fn purge_mailbox(
        conn: &mut DB::Connection,
        tenant: &str,
        mailbox: &str,
        dry_run: bool,
    ) -> Result<(PurgeCounts, Vec<String>)> {
        let mut c = PurgeCounts::default();
        let (only, hashes) = Self::only_in(conn, tenant, mailbox).await?;
        c.messages = only.len() as u64;
        let scoped = |sql: &str| sqlx::AssertSqlSafe(sql.to_string());
        let what = |w: &str| format!("tenant {tenant}: purging mailbox {mailbox} ({w})");
        if dry_run {
            for (sql, kind) in [
                (
                    "SELECT count(*) FROM job_events WHERE tenant_id = $1 AND job_id IN (SELECT id FROM jobs WHERE tenant_id = $1 AND mailbox = $2)",
                    Count::Jobs,
                ),
                ("SELECT count(*) FROM jobs WHERE tenant_id = $1 AND mailbox = $2", Count::Jobs),
                ("SELECT count(*) FROM message_ledger WHERE tenant_id = $1 AND mailbox = $2", Count::Ledger),
                ("SELECT count(*) FROM graph_sync_links WHERE tenant_id = $1 AND mailbox = $2", Count::Settings),
            ] {
                let (n,): (i64,) = sqlx::query_as(scoped(sql))
                    .bind(tenant)
                    .bind(mailbox)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(Error::store(what("counting")))?;
                add(&mut c, kind, n as u64);
            }
            for table in ["graph_node_support", "graph_edge_support"] {
                let n: Vec<(i64,)> = Self::for_keys(
                    conn,
                    &only,
                    ROWS_PER_STATEMENT,
                    |q| {
                        q.push(format!("SELECT count(*) FROM {table} WHERE tenant_id = "))
                            .push_bind(tenant.to_string());
                        q.push(" AND message_id IN ");
                    },
                    bind_one,
                    "",
                    || what("counting graph support"),
                )
                .await?;
                add(&mut c, Count::Graph, n.iter().map(|(n,)| *n as u64).sum());
            }
            return Ok((c, only));
        }
        for (sql, kind) in [
            (
                "DELETE FROM job_events WHERE tenant_id = $1 AND job_id IN (SELECT id FROM jobs WHERE tenant_id = $1 AND mailbox = $2)",
                Count::Jobs,
            ),
            ("DELETE FROM jobs WHERE tenant_id = $1 AND mailbox = $2", Count::Jobs),
            ("DELETE FROM message_ledger WHERE tenant_id = $1 AND mailbox = $2", Count::Ledger),
            ("DELETE FROM graph_sync_links WHERE tenant_id = $1 AND mailbox = $2", Count::Settings),
        ] {
            let done = sqlx::query(scoped(sql))
                .bind(tenant)
                .bind(mailbox)
                .execute(&mut *conn)
                .await
                .map_err(Error::store(what("rows")))?;
            add(&mut c, kind, DB::affected(&done));
        }
        for table in ["graph_node_support", "graph_edge_support"] {
            let gone: Vec<(String,)> = Self::for_keys(
                conn,
                &only,
                ROWS_PER_STATEMENT,
                |q| {
                    q.push(format!("DELETE FROM {table} WHERE tenant_id = ")).push_bind(tenant.to_string());
                    q.push(" AND message_id IN ");
                },
                bind_one,
                " RETURNING message_id",
                || what("graph support"),
            )
            .await?;
            add(&mut c, Count::Graph, gone.len() as u64);
        }
        // what lost its last support goes, as a chunk's removals do
        for sql in PRUNE_STEPS {
            let done = sqlx::query(sql).bind(tenant).execute(&mut *conn).await.map_err(Error::store(what("graph")))?;
            add(&mut c, Count::Graph, DB::affected(&done));
        }
        // model answers keyed by the content of messages no mailbox holds any more
        let memo: Vec<(String,)> = Self::for_keys(
            conn,
            &hashes,
            ROWS_PER_STATEMENT,
            |q| {
                q.push("DELETE FROM llm_memo WHERE tenant_id = ").push_bind(tenant.to_string());
                q.push(" AND content_hash IN ");
            },
            bind_one,
            " AND NOT EXISTS (SELECT 1 FROM message_ledger l WHERE l.tenant_id = llm_memo.tenant_id
                   AND l.content_hash = llm_memo.content_hash) RETURNING content_hash",
            || what("memoised answers"),
        )
        .await?;
        c.memo = memo.len() as u64;
        Ok((c, only))
    }
}

#[async_trait]
impl<DB> Purge for Sql<DB>
where
    DB: Engine,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Decode<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    str: Type<DB>,
    usize: ColumnIndex<DB::Row>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    async fn purge(&self, tenant: &str, mailbox: Option<&str>, dry_run: bool) -> Result<(PurgeCounts, PurgeScope)> {
        let mut tx = self.begin_write().await?;
        Self::refuse_active(&mut tx, tenant, mailbox).await?;
        if !dry_run {
            // no chunk of the tenant commits graph support while this decides what goes
            if let Some(lock) = DB::graph_lock(true) {
                sqlx::query(lock)
                    .bind(tenant)
                    .execute(&mut *tx)
                    .await
                    .map_err(Error::store(format!("tenant {tenant}: locking the graph to purge")))?;
            }
        }
        let out = match mailbox {
            None => (Self::purge_tenant(&mut tx, tenant, dry_run).await?, PurgeScope::Tenant),
            Some(m) => {
                let (c, only) = Self::purge_mailbox(&mut tx, tenant, m, dry_run).await?;
                (c, PurgeScope::Messages(only))
            }
        };
        if dry_run {
            tx.rollback().await.map_err(Error::store(format!("tenant {tenant}: purge (dry run)")))?;
        } else {
            tx.commit().await.map_err(Error::store(format!("tenant {tenant}: purge")))?;
        }
        Ok(out)
    }
}
