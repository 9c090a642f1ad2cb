//! Postgres: the production store that many workers on many machines share.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, Pool, Postgres, Transaction};

use super::open::{StoreOptions, redact_url};
use super::sql::{Engine, Sql};
use crate::{Error, Result};

pub type PgStore = Sql<Postgres>;

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Engine for Postgres {
    const BACKEND: &'static str = "postgres";
    const NOW: &'static str = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";

    async fn begin_write(pool: &Pool<Self>) -> sqlx::Result<Transaction<'static, Self>> {
        pool.begin().await
    }

    fn affected(result: &Self::QueryResult) -> u64 {
        result.rows_affected()
    }

    fn graph_lock(exclusive: bool) -> Option<&'static str> {
        Some(if exclusive {
            "SELECT pg_advisory_xact_lock(hashtext($1))::text"
        } else {
            "SELECT pg_advisory_xact_lock_shared(hashtext($1))::text"
        })
    }
}

/// Connect to the server behind `url` and bring its schema up to date. Every
/// connection carries the server-side timeouts of `limits`.
pub async fn connect(url: &str, limits: &StoreOptions) -> Result<PgStore> {
    let redacted = redact_url(url);
    let opts: PgConnectOptions =
        url.parse().map_err(|e: sqlx::Error| Error::Invalid(format!("database URL {redacted}: {e}")))?;
    let ms = |d: Duration| d.as_millis().to_string();
    let opts = opts.application_name("atom-sync").options([
        ("statement_timeout", ms(limits.statement_timeout)),
        ("lock_timeout", ms(limits.lock_timeout)),
        ("idle_in_transaction_session_timeout", ms(limits.idle_in_transaction_timeout)),
    ]);
    // one direct attempt first: an unreachable server is reported at once, not
    // after the pool's acquire timeout
    sqlx::PgConnection::connect_with(&opts)
        .await
        .map_err(Error::store(format!("connecting to Postgres at {redacted}")))?
        .close()
        .await
        .ok();
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(15))
        .connect_with(opts)
        .await
        .map_err(Error::store(format!("connecting to Postgres at {redacted}")))?;
    MIGRATOR.run(&pool).await?;
    Ok(Sql { pool, label: redacted })
}
