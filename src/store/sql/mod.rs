//! The SQL both engines share, written once as ordinary generic Rust: the statements
//! are the same text for SQLite and Postgres (`$n` binds, `ON CONFLICT` upserts,
//! `RETURNING`). An [`Engine`] says only what differs: how a write transaction
//! starts, how a claim skips rows others hold, and the tenant's graph lock.
//!
//! One file per concern: `jobs.rs`, `chunk.rs` (and its `graph.rs`), `audit.rs`,
//! `tenant.rs`. Each impl
//! block repeats the same `where` list: sqlx's traits for the types this SQL binds
//! and reads (Rust does not carry such bounds along with a trait of our own).

mod audit;
mod chunk;
mod graph;
mod jobs;
mod purge;
mod tenant;

use std::future::Future;

use sqlx::query_builder::Separated;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, QueryBuilder, Transaction, Type};

use crate::{Error, Result};

/// Rows per multi-row statement: far below both engines' bind limits.
pub(crate) const ROWS_PER_STATEMENT: usize = 400;

/// What differs between the engines.
pub trait Engine: Database {
    const BACKEND: &'static str;
    /// The database's clock, in unix ms, as SQL: liveness (heartbeats, claims, the
    /// reaper's and resume's judgement) is measured by this one clock.
    const NOW: &'static str;
    /// Appended to the claim's sub-select: Postgres skips rows other workers are
    /// claiming; SQLite's immediate transaction already serialises claims.
    const SKIP_LOCKED: &'static str;
    /// How this connection is protected on the wire (`encrypted`, `version`), where
    /// the engine talks over one.
    const TLS_QUERY: Option<&'static str>;
    /// Appended to a text in a comparison so it orders by bytes (code points), as
    /// Rust's `str` does, whatever the database's collation: the same name wins on
    /// both engines and in memory.
    const BYTES: &'static str;
    /// Refreshes the statistics the engine plans the chunk path's lookups from, if it
    /// plans from statistics.
    const ANALYZE: Option<&'static str>;

    /// A transaction that will write: it takes the engine's write lock up front
    /// (SQLite) so two writers queue instead of failing on a lock upgrade.
    fn begin_write(pool: &Pool<Self>) -> impl Future<Output = sqlx::Result<Transaction<'static, Self>>> + Send;

    /// The statement (binding the tenant as `$1`) that takes the tenant's graph lock
    /// for the rest of the transaction, if the engine needs one: exclusive to prune,
    /// shared to add. SQLite writers are serial anyway.
    fn graph_lock(exclusive: bool) -> Option<&'static str>;

    /// Rows a statement changed (sqlx has no common trait for it).
    fn affected(result: &Self::QueryResult) -> u64;
}

/// A statement whose `{now}` stands for the database's clock ([`Engine::NOW`]).
pub(crate) fn timed<DB: Engine>(sql: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql.replace("{now}", DB::NOW))
}

/// A store on one engine: its pool, and a label safe for errors and `Debug` (the
/// URL without its password, or the file's path).
pub struct Sql<DB: Database> {
    pub(crate) pool: Pool<DB>,
    pub(crate) label: String,
}

impl<DB: Engine> std::fmt::Debug for Sql<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &DB::BACKEND).field("at", &self.label).finish()
    }
}

impl<DB> super::Store for Sql<DB>
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
    for<'q> Vec<u8>: Decode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB>,
    [u8]: Type<DB>,
    usize: ColumnIndex<DB::Row>,
    for<'a> &'a str: ColumnIndex<DB::Row>,
{
    fn backend(&self) -> &'static str {
        DB::BACKEND
    }
}

impl<DB> Sql<DB>
where
    DB: Engine,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Decode<'q, DB>,
    str: Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, DB>> {
        DB::begin_write(&self.pool)
            .await
            .map_err(Error::store(format!("starting a write transaction on {}", self.label)))
    }

    /// `head VALUES (…), (…) tail` over `rows`, as many statements as the bind limit
    /// needs; `bind` pushes one row's values. Returns the rows the statements affected.
    pub(crate) async fn insert_rows<T>(
        conn: &mut DB::Connection,
        head: &str,
        rows: &[T],
        tail: &str,
        context: impl Fn() -> String,
        bind: impl Fn(Separated<'_, DB, &'static str>, &T),
    ) -> Result<u64> {
        let mut affected = 0;
        for rows in rows.chunks(ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<DB>::new(head);
            q.push_values(rows, &bind);
            q.push(tail);
            affected += DB::affected(&q.build().execute(&mut *conn).await.map_err(Error::store(context()))?);
        }
        Ok(affected)
    }

    /// One statement per `per_statement` keys: `head` starts it (binds allowed),
    /// `push` binds one key of the `(…)` list (a value, or a tuple: [`push_tuple`]),
    /// `tail` ends it. The statements' rows (`RETURNING`, or a select) come back as `R`.
    pub(crate) async fn for_keys<K, R>(
        conn: &mut DB::Connection,
        keys: &[K],
        per_statement: usize,
        head: impl Fn(&mut QueryBuilder<DB>),
        push: impl Fn(&mut Separated<'_, DB, &'static str>, &K),
        tail: &str,
        context: impl Fn() -> String,
    ) -> Result<Vec<R>>
    where
        R: for<'r> sqlx::FromRow<'r, DB::Row> + Send + Unpin,
    {
        let mut out = Vec::new();
        for keys in keys.chunks(per_statement.max(1)) {
            let mut q = QueryBuilder::<DB>::default();
            head(&mut q);
            q.push("(");
            let mut sep = q.separated(", ");
            for k in keys {
                push(&mut sep, k);
            }
            q.push(")");
            q.push(tail);
            out.extend(q.build_query_as::<R>().fetch_all(&mut *conn).await.map_err(Error::store(context()))?);
        }
        Ok(out)
    }

    /// A line of a job's story, in the caller's transaction.
    pub(crate) async fn insert_event(
        conn: &mut DB::Connection,
        tenant: &str,
        job_id: &str,
        kind: &str,
        message: &str,
    ) -> Result<()> {
        sqlx::query(timed::<DB>(
            "INSERT INTO job_events (tenant_id, job_id, at, kind, message) VALUES ($1, $2, {now}, $3, $4)",
        ))
        .bind(tenant)
        .bind(job_id)
        .bind(kind)
        .bind(message)
        .execute(&mut *conn)
        .await
        .map_err(Error::store(format!("job {job_id}: recording event {kind}")))?;
        Ok(())
    }
}

/// Push a tuple of keys `(a, b, …)` as one item of an `IN` list.
pub(crate) fn push_tuple<DB: Database>(sep: &mut Separated<'_, DB, &'static str>, values: &[&str])
where
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
{
    sep.push("(");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            sep.push_unseparated(", ");
        }
        sep.push_bind_unseparated(*v);
    }
    sep.push_unseparated(")");
}

/// `… WHERE tenant_id = $t AND <rest>`: the start of a tenant-scoped statement whose
/// key list follows.
pub(crate) fn scoped<DB: sqlx::Database>(
    start: &'static str,
    tenant: &str,
    rest: &'static str,
) -> impl Fn(&mut QueryBuilder<DB>)
where
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
{
    move |q: &mut QueryBuilder<DB>| {
        q.push(start).push(" WHERE tenant_id = ").push_bind(tenant).push(" AND ").push(rest);
    }
}

pub(crate) fn bind_one<DB: sqlx::Database, K: AsRef<str>>(sep: &mut Separated<'_, DB, &'static str>, k: &K)
where
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
{
    sep.push_bind(k.as_ref());
}
