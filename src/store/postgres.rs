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
    const BYTES: &'static str = " COLLATE \"C\"";
    const ANALYZE: Option<&'static str> = Some(
        "ANALYZE message_ledger, graph_node_support, graph_edge_support, graph_nodes, graph_edges, discovered_entities",
    );
    const TLS_QUERY: Option<&'static str> =
        Some("SELECT ssl, COALESCE(version, '') FROM pg_stat_ssl WHERE pid = pg_backend_pid()");

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
    sqlx::PgConnection::connect_with(&opts).await.map_err(connecting(&redacted))?.close().await.ok();
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(15))
        .connect_with(opts)
        .await
        .map_err(connecting(&redacted))?;
    if limits.migrate {
        MIGRATOR.run(&pool).await?;
    } else if limits.check_schema {
        check_schema(&pool, &redacted).await?;
    }
    Ok(Sql { pool, label: redacted })
}

/// A failed connection: a TLS handshake the client refused is the URL's to fix (the
/// CA, the host name), not a passing fault; anything else is the store's error.
fn connecting(redacted: &str) -> impl FnOnce(sqlx::Error) -> Error + '_ {
    move |e| match tls_refusal(&e) {
        Some(why) => Error::Invalid(format!(
            "connecting to Postgres at {redacted}: TLS: {why}; the server's certificate must be signed by a CA you trust (sslrootcert=PATH for a private CA) and name the URL's host (sslmode=verify-full)"
        )),
        None => Error::store(format!("connecting to Postgres at {redacted}"))(e),
    }
}

/// Why the TLS handshake refused the server, if that is what failed (sqlx hands
/// rustls's verdict back inside an I/O error).
fn tls_refusal(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Tls(t) => Some(t.to_string()),
        sqlx::Error::Io(io) => {
            io.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()).map(|r| r.to_string())
        }
        _ => None,
    }
}

/// The schema must be the one this binary was built for: behind, run `migrate`;
/// ahead, upgrade the binary, unless the one newer migration only adds (then keep
/// working, and say so).
async fn check_schema(pool: &Pool<Postgres>, label: &str) -> Result<()> {
    let applied: Vec<(i64, bool)> = sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
        .fetch_all(pool)
        .await
        .unwrap_or_default();
    let known = MIGRATOR.migrations.iter().map(|m| m.version).max().unwrap_or(0);
    if let Some((v, _)) = applied.iter().find(|(_, ok)| !ok) {
        return Err(Error::Schema(format!(
            "Postgres at {label}: migration {v} failed part-way; run `atom-sync migrate` to finish it"
        )));
    }
    let at = applied.iter().map(|(v, _)| *v).max().unwrap_or(0);
    if at < known {
        return Err(Error::Schema(format!(
            "Postgres at {label}: the schema is at version {at} and this atom-sync needs {known}; run `atom-sync migrate` once (from any machine), then restart the workers"
        )));
    }
    if at > known {
        let newer: Vec<i64> = applied.iter().map(|(v, _)| *v).filter(|v| *v > known).collect();
        let additive: Option<(bool, String)> =
            sqlx::query_as("SELECT additive, note FROM schema_compat WHERE version = $1")
                .bind(known + 1)
                .fetch_optional(pool)
                .await
                .ok()
                .flatten();
        match additive {
            Some((true, note)) if newer == [known + 1] => tracing::warn!(
                "Postgres at {label}: the schema is at version {at}, one ahead of this atom-sync ({known}); that migration only adds ({note}), so this binary keeps working: upgrade it soon"
            ),
            _ => {
                return Err(Error::Schema(format!(
                    "Postgres at {label}: the schema is at version {at}, newer than this atom-sync knows ({known}); upgrade atom-sync on this machine"
                )));
            }
        }
    }
    Ok(())
}
