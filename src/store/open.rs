//! Where the store lives and how to open it: a Postgres URL, or a SQLite file (by URL
//! or in the data dir). Errors and logs only ever show the URL without its password.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sqlx::Connection;

use super::Store;
use crate::{Error, Result};

/// The embedded default's database file in the data dir.
pub const SQLITE_FILE: &str = "atom-sync.db";

/// What `migrate` did: the schema version before and after, and the migrations applied.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Migrated {
    pub backend: &'static str,
    pub before: i64,
    pub after: i64,
    pub applied: Vec<String>,
}

/// Apply every migration this binary knows that the store lacks (`atom-sync migrate`).
/// Safe with many processes at once (sqlx takes the database's migration lock).
pub async fn migrate(database_url: Option<&str>, data_dir: &Path) -> Result<Migrated> {
    let (backend, latest_known) = match locate(database_url, data_dir)? {
        Location::Postgres(_) => ("postgres", &super::postgres::MIGRATOR),
        Location::Sqlite(_) => ("sqlite", &super::sqlite::MIGRATOR),
    };
    let before = applied_version(database_url, data_dir).await?.unwrap_or(0);
    let opts = StoreOptions { migrate: true, ..StoreOptions::default() };
    connect_with(database_url, data_dir, &opts).await?;
    let after = applied_version(database_url, data_dir).await?.unwrap_or(0);
    let applied = latest_known
        .migrations
        .iter()
        .filter(|m| m.version > before && m.version <= after)
        .map(|m| format!("{:04} {}", m.version, m.description))
        .collect();
    Ok(Migrated { backend, before, after, applied })
}

/// The newest migration applied to the store, `None` when it has no schema yet (or
/// no file).
async fn applied_version(database_url: Option<&str>, data_dir: &Path) -> Result<Option<i64>> {
    const APPLIED: &str = "SELECT MAX(version) FROM _sqlx_migrations WHERE success";
    Ok(match locate(database_url, data_dir)? {
        Location::Postgres(url) => {
            let mut c = sqlx::PgConnection::connect(url)
                .await
                .map_err(Error::store(format!("connecting to {}", redact_url(url))))?;
            let v = sqlx::query_scalar(APPLIED).fetch_one(&mut c).await.ok().flatten();
            let _ = c.close().await;
            v
        }
        Location::Sqlite(path) if !path.exists() => None,
        Location::Sqlite(path) => {
            let file = sqlx::sqlite::SqliteConnectOptions::new().filename(&path);
            let mut c = sqlx::SqliteConnection::connect_with(&file)
                .await
                .map_err(Error::store(format!("opening SQLite database {}", path.display())))?;
            let v = sqlx::query_scalar(APPLIED).fetch_one(&mut c).await.ok().flatten();
            let _ = c.close().await;
            v
        }
    })
}

/// Where the store lives.
enum Location<'a> {
    Postgres(&'a str),
    Sqlite(PathBuf),
}

/// The one place that reads a database URL (or its absence).
fn locate<'a>(database_url: Option<&'a str>, data_dir: &Path) -> Result<Location<'a>> {
    match database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => Ok(Location::Postgres(url)),
        Some(url) if url.starts_with("sqlite:") => {
            Ok(Location::Sqlite(url.trim_start_matches("sqlite://").trim_start_matches("sqlite:").into()))
        }
        Some(url) => {
            Err(Error::Invalid(format!("database URL {}: expected postgres://… or sqlite:PATH", redact_url(url))))
        }
        None => Ok(Location::Sqlite(data_dir.join(SQLITE_FILE))),
    }
}

/// How the store's connections behave. On Postgres each connection carries the
/// server's own limits, so no statement, lock wait or abandoned transaction can hang a
/// worker (or, holding locks, the fleet): the server cancels it and we retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// Longest a statement may run (`statement_timeout`).
    pub statement_timeout: Duration,
    /// Longest a statement waits for a lock (`lock_timeout`).
    pub lock_timeout: Duration,
    /// Longest a transaction may sit idle (`idle_in_transaction_session_timeout`).
    pub idle_in_transaction_timeout: Duration,
    /// Postgres: bring the schema up to date on connecting (the library's default,
    /// for tests and tools); `false` only checks it, as the CLI does, so a rolling
    /// upgrade migrates once (`atom-sync migrate`) and old workers never see a schema
    /// change under them. SQLite always migrates: the embedded default stays zero-setup.
    pub migrate: bool,
    /// Postgres, when not migrating: refuse a schema this binary was not built for.
    /// Only `doctor` turns it off, to report the version as one of its checks.
    pub check_schema: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            statement_timeout: Duration::from_secs(300),
            lock_timeout: Duration::from_secs(30),
            idle_in_transaction_timeout: Duration::from_secs(120),
            migrate: true,
            check_schema: true,
        }
    }
}

/// Open (creating and migrating as needed) the store, with the default options.
pub async fn connect(database_url: Option<&str>, data_dir: &Path) -> Result<Arc<dyn Store>> {
    connect_with(database_url, data_dir, &StoreOptions::default()).await
}

/// Open (creating and migrating as needed) the store.
pub async fn connect_with(database_url: Option<&str>, data_dir: &Path, opts: &StoreOptions) -> Result<Arc<dyn Store>> {
    match locate(database_url, data_dir)? {
        Location::Postgres(url) => Ok(Arc::new(super::postgres::connect(url, opts).await?)),
        Location::Sqlite(path) => {
            if database_url.is_none() {
                crate::private::create_dir(data_dir)
                    .map_err(Error::io(format!("data dir {}: cannot create it", data_dir.display())))?;
            }
            Ok(Arc::new(super::sqlite::open(&path).await?))
        }
    }
}

/// The store, only if it is already there with its schema up to date: read-only
/// commands such as a dry run look at what exists and never create or migrate one.
pub async fn open_existing(
    database_url: Option<&str>,
    data_dir: &Path,
    opts: &StoreOptions,
) -> Result<Option<Arc<dyn Store>>> {
    let latest = match locate(database_url, data_dir)? {
        Location::Postgres(_) => super::postgres::MIGRATOR.migrations.iter().map(|m| m.version).max(),
        Location::Sqlite(_) => super::sqlite::MIGRATOR.migrations.iter().map(|m| m.version).max(),
    };
    match (applied_version(database_url, data_dir).await?, latest) {
        (Some(a), Some(l)) if a >= l => {
            Ok(Some(connect_with(database_url, data_dir, &StoreOptions { migrate: false, ..*opts }).await?))
        }
        _ => Ok(None),
    }
}

/// A database URL with its password replaced, for errors and logs: the one in the
/// user-info part and any `password=` / `sslpassword=` query parameter.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut out = match (base.find("://"), base.rfind('@')) {
        (Some(s), Some(at)) if at > s => match base[s + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &base[..s + 3], &base[at..]),
            None => base.to_string(),
        },
        _ => base.to_string(),
    };
    if let Some(q) = query {
        let params: Vec<String> = q
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") || k.eq_ignore_ascii_case("sslpassword") => {
                    format!("{k}=***")
                }
                _ => kv.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_schema_version_is_the_newest_migration_of_both_engines() {
        let newest = |m: &sqlx::migrate::Migrator| m.migrations.iter().map(|m| m.version).max();
        assert_eq!(newest(&super::super::postgres::MIGRATOR), Some(super::super::SCHEMA_VERSION));
        assert_eq!(newest(&super::super::sqlite::MIGRATOR), Some(super::super::SCHEMA_VERSION));
    }

    #[test]
    fn passwords_are_redacted_wherever_they_sit() {
        assert_eq!(super::redact_url("postgres://op:pw@h:5432/db"), "postgres://op:***@h:5432/db");
        assert_eq!(super::redact_url("postgres://h/db?user=op&password=p@ss"), "postgres://h/db?user=op&password=***");
        assert_eq!(super::redact_url("postgres://op@h/db"), "postgres://op@h/db");
    }
}
