//! SQLite: the embedded default, one file in the data dir. WAL lets readers (`status`)
//! run beside a writer; write transactions start IMMEDIATE so two writers queue on the
//! busy timeout instead of failing on a lock upgrade.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::{Error, Result};

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish()
    }
}

impl SqliteStore {
    pub async fn open(path: &Path) -> Result<Self> {
        let opts = SqliteConnectOptions::from_str("sqlite:")
            .map_err(Error::store("sqlite options"))?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        // SQLite has no advisory lock for sqlx to take, so processes that open a new
        // data dir at once (a backfill and a `status`) serialise on a lock file while
        // they switch it to WAL and migrate it
        let lock_path = path.with_extension("db.lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::Invalid(format!("data dir: cannot create {}: {e}", lock_path.display())))?;
        let lock = tokio::task::spawn_blocking(move || lock.lock().map(|()| lock))
            .await
            .map_err(|e| Error::Invalid(format!("locking {}: {e}", lock_path.display())))?
            .map_err(|e| Error::Invalid(format!("locking {}: {e}", lock_path.display())))?;
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await
            .map_err(Error::store(format!("opening SQLite database {}", path.display())))?;
        let migrated = sqlx::migrate!("migrations/sqlite").run(&pool).await;
        drop(lock);
        migrated?;
        Ok(SqliteStore { pool, path: path.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(Error::store(format!("starting a write transaction on {}", self.path.display())))
    }
}

super::sql::impl_store!(SqliteStore, sqlx::Sqlite, "sqlite", "");
