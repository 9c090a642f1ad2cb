//! Postgres: the production store that many workers on many machines share.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgPool, Postgres, Transaction};

use crate::{Error, Result};

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// The URL without its password: safe for errors and `Debug`.
    redacted: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("url", &self.redacted).finish()
    }
}

impl PgStore {
    pub async fn connect(url: &str) -> Result<Self> {
        let redacted = super::redact_url(url);
        let opts: PgConnectOptions =
            url.parse().map_err(|e: sqlx::Error| Error::Invalid(format!("database URL {redacted}: {e}")))?;
        let opts = opts.application_name("atom-sync");
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
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        Ok(PgStore { pool, redacted })
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(Error::store(format!("starting a transaction on {}", self.redacted)))
    }
}

super::sql::impl_store!(PgStore, sqlx::Postgres, "postgres", " FOR UPDATE SKIP LOCKED");
