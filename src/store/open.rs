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
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            statement_timeout: Duration::from_secs(300),
            lock_timeout: Duration::from_secs(30),
            idle_in_transaction_timeout: Duration::from_secs(120),
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
    const APPLIED: &str = "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success";
    let location = locate(database_url, data_dir)?;
    let (applied, latest): (Option<i64>, Option<i64>) = match &location {
        Location::Postgres(url) => {
            let mut c = sqlx::PgConnection::connect(url)
                .await
                .map_err(Error::store(format!("connecting to {}", redact_url(url))))?;
            let v = sqlx::query_scalar(APPLIED).fetch_one(&mut c).await.ok();
            let _ = c.close().await;
            (v, super::postgres::MIGRATOR.migrations.iter().map(|m| m.version).max())
        }
        Location::Sqlite(path) => {
            if !path.exists() {
                return Ok(None);
            }
            let file = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
            let mut c = sqlx::SqliteConnection::connect_with(&file)
                .await
                .map_err(Error::store(format!("opening SQLite database {}", path.display())))?;
            let v = sqlx::query_scalar(APPLIED).fetch_one(&mut c).await.ok();
            let _ = c.close().await;
            (v, super::sqlite::MIGRATOR.migrations.iter().map(|m| m.version).max())
        }
    };
    match (applied, latest) {
        (Some(a), Some(l)) if a >= l => Ok(Some(connect_with(database_url, data_dir, opts).await?)),
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
    fn passwords_are_redacted_wherever_they_sit() {
        assert_eq!(super::redact_url("postgres://op:pw@h:5432/db"), "postgres://op:***@h:5432/db");
        assert_eq!(super::redact_url("postgres://h/db?user=op&password=p@ss"), "postgres://h/db?user=op&password=***");
        assert_eq!(super::redact_url("postgres://op@h/db"), "postgres://op@h/db");
    }
}
