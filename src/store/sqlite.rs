//! SQLite: the embedded default, one file in the data dir. WAL lets readers (`status`)
//! run beside a writer; write transactions start IMMEDIATE so two writers queue on the
//! busy timeout instead of failing on a lock upgrade.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite, Transaction};

use super::sql::{Engine, Sql};
use crate::{Error, Result};

pub type SqliteStore = Sql<Sqlite>;

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

impl Engine for Sqlite {
    const BACKEND: &'static str = "sqlite";
    const NOW: &'static str = "CAST(unixepoch('subsec') * 1000 AS INTEGER)";
    const SKIP_LOCKED: &'static str = "";
    const BYTES: &'static str = "";
    // SQLite's planner prefers the key indexes without statistics
    const ANALYZE: Option<&'static str> = None;
    const TLS_QUERY: Option<&'static str> = None;

    async fn begin_write(pool: &Pool<Self>) -> sqlx::Result<Transaction<'static, Self>> {
        pool.begin_with("BEGIN IMMEDIATE").await
    }

    fn affected(result: &Self::QueryResult) -> u64 {
        result.rows_affected()
    }

    fn graph_lock(_exclusive: bool) -> Option<&'static str> {
        None
    }
}

/// Open (creating if missing) the database file at `path` and bring its schema up
/// to date.
pub async fn open(path: &Path) -> Result<SqliteStore> {
    let opts = SqliteConnectOptions::from_str("sqlite:")
        .map_err(Error::store("sqlite options"))?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30))
        // a chunk writes ~1 MB of pages; checkpointing every 1,000 pages (the default)
        // copied the same hot B-tree pages into the file every few chunks, inside a
        // commit. Every 10,000 (a WAL of up to ~40 MB) made a backfill 9 % faster
        .pragma("wal_autocheckpoint", "10000")
        // each multi-row upsert inside the chunk's transaction keeps a statement journal
        // (to undo that statement alone): in a temp file by default, ~300 pages written
        // and dropped per chunk. In memory it costs a few MB while the statement runs
        .pragma("temp_store", "memory");
    // SQLite has no advisory lock for sqlx to take, so processes that open a new
    // data dir at once (a backfill and a `status`) serialise on a lock file while
    // they switch it to WAL and migrate it
    let lock_path = path.with_extension("db.lock");
    let lock = crate::private::open_or_create(&lock_path)
        .map_err(Error::io(format!("data dir: cannot create {}", lock_path.display())))?;
    let lock = tokio::task::spawn_blocking(move || lock.lock().map(|()| lock))
        .await
        .map_err(|e| Error::Invalid(format!("locking {}: {e}", lock_path.display())))?
        .map_err(Error::io(format!("locking {}", lock_path.display())))?;
    // the file starts owner-only, and SQLite gives its journals the file's mode
    crate::private::touch_new(path).map_err(Error::io(format!("cannot create SQLite database {}", path.display())))?;
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(opts)
        .await
        .map_err(Error::store(format!("opening SQLite database {}", path.display())))?;
    let migrated = MIGRATOR.run(&pool).await;
    drop(lock);
    migrated?;
    Ok(Sql { pool, label: path.display().to_string() })
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn every_connection_journals_in_the_wal_and_statements_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::open(&dir.path().join("a.db")).await.unwrap();
        // three connections held at once, so three distinct ones: each gets the settings
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut c = store.pool.acquire().await.unwrap();
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *c).await.unwrap();
            let temp: i64 = sqlx::query_scalar("PRAGMA temp_store").fetch_one(&mut *c).await.unwrap();
            let every: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint").fetch_one(&mut *c).await.unwrap();
            assert_eq!((mode.as_str(), temp, every), ("wal", 2, 10_000), "2 = memory");
            held.push(c);
        }
    }
}
