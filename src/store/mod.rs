//! Durable state: jobs and their events, the message ledger, and the rule-based and
//! LLM graph. One [`Store`] (SQLite, the embedded default, and Postgres for fleets),
//! one conformance suite (`tests/integration/store.rs`).
//!
//! The store is four concerns, one trait each, all implemented once in [`sql`] for
//! both engines: [`Jobs`] (the life of a job under its lease), [`Chunks`] (what a
//! chunk writes and the reads it needs), [`Audit`] (what `status`, `verify` and
//! `graph` read, and `verify --repair`'s fixes) and [`Tenants`] (keys and embedders).
//!
//! Every row carries `tenant_id`, every query is scoped by it, and every write is an
//! idempotent upsert on a unique key, so repeating a chunk changes nothing.

mod open;
mod postgres;
mod rows;
mod sql;
mod sqlite;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

use async_trait::async_trait;

use crate::Result;
use crate::connection::{ConnectionInfo, StoredConnection};
use crate::embed::EmbedderSpec;
use crate::job::{Capabilities, Job, JobEvent, JobState, Lease, NewJob};
use crate::keys::{KeyInfo, KeyName, SealedKey};

/// The schema version this binary is built for (its newest migration; both engines
/// keep the same numbering).
pub const SCHEMA_VERSION: i64 = 11;

pub use open::{Migrated, SQLITE_FILE, StoreOptions, connect, connect_with, migrate, open_existing, redact_url};
pub use postgres::PgStore;
pub use rows::*;
pub use sqlite::SqliteStore;

/// The whole store: what every command opens.
pub trait Store: Jobs + Chunks + Audit + Tenants + Purge + std::fmt::Debug + Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
}

/// The life of a job. Every move is a guarded update: it names the state it leaves
/// (from [`JobState::sources_of`]) and the lease token it saw, so two processes can
/// never both win.
#[async_trait]
pub trait Jobs: Send + Sync {
    /// The database's clock (unix ms): what heartbeats and claims are stamped with,
    /// so what staleness is judged against.
    async fn now(&self) -> Result<i64>;

    /// A new pending job; [`crate::Error::ActiveJob`] when its mailbox already has a
    /// pending or running one.
    async fn create_job(&self, new: &NewJob) -> Result<Job>;

    /// A job by id or unique id prefix (as `status` prints it).
    async fn job(&self, id_or_prefix: &str) -> Result<Job>;

    async fn jobs(&self, filter: &JobFilter) -> Result<Vec<Job>>;

    /// `pending → running`: sets the owner, a new lease token and the heartbeat in
    /// one guarded statement, so a claimed job is never without a heartbeat.
    async fn claim(&self, job_id: &str, owner: &str) -> Result<Lease>;

    /// The oldest pending job (of one tenant, or any) that a process with `can` can
    /// serve, claimed like [`Jobs::claim`]. Postgres skips rows other workers are
    /// claiming (`FOR UPDATE SKIP LOCKED`); SQLite serialises claims in an immediate
    /// transaction.
    async fn claim_next(&self, tenant: Option<&str>, owner: &str, can: &Capabilities) -> Result<Option<Lease>>;

    /// Renew the heartbeat; `Err(LeaseLost)` when the token is no longer ours.
    /// Returns a pause or cancel an operator has asked for, if any.
    async fn heartbeat(&self, lease: &Lease) -> Result<Option<JobState>>;

    /// `running → completed | failed | cancelled | paused | pending`, guarded by the lease.
    async fn finish(&self, lease: &Lease, to: JobState, error: Option<&str>) -> Result<()>;

    /// A run that failed for a reason that may pass (the database, Graph or the
    /// provider unreachable): one more failure counted, and back to `pending`, not to
    /// be claimed for `backoff`; or `failed` for good once the job has failed
    /// `max_attempts` times (rescues count too). Returns the state it is in now.
    async fn retry_later(&self, lease: &Lease, error: &str, backoff: Duration, max_attempts: i64) -> Result<JobState>;

    /// Back to `pending` (resume): guarded by the state and lease token we observed,
    /// so two processes cannot both re-queue and claim it. `from_start` rewinds the
    /// checkpoint and counters (an incident re-run of a completed range).
    async fn requeue(&self, observed: &Job, reason: &str, from_start: bool) -> Result<Job>;

    /// The reaper's move for a `running` job whose owner went silent: back to
    /// `pending` with `rescues + 1`, or `failed` for good when `give_up`. Guarded by
    /// the lease token observed, so a job that beat in the meantime is left alone.
    async fn rescue(&self, observed: &Job, reason: &str, give_up: bool) -> Result<Job>;

    /// Pause or cancel: at once for a pending (or paused) job, and for a running one
    /// a request its owner honours at the next heartbeat.
    async fn request_stop(&self, observed: &Job, to: JobState) -> Result<Job>;

    /// Append a line to a job's story.
    async fn record_event(&self, job: &Job, kind: &str, message: &str) -> Result<()>;
}

/// What a chunk writes, and what the pipeline reads while it builds one.
#[async_trait]
pub trait Chunks: Send + Sync {
    /// Write a chunk's ledger rows and graph, and advance the checkpoint and counters,
    /// in one transaction that commits only while the lease is ours. A message whose
    /// rows the database refuses is recorded `skipped` with the database's reason and
    /// the rest of the chunk commits ([`Committed::refused`]).
    async fn commit_chunk(&self, lease: &Lease, chunk: &ChunkCommit) -> Result<Committed>;

    /// Of `keys` (mailbox, message id, content hash), those this run of `job` (its id
    /// and generation) has committed with that very content: a repeat to pass over.
    async fn committed(&self, job: &Job, keys: &[(String, String, String)]) -> Result<HashSet<(String, String)>>;

    /// What a chunk's LLM calls cost, kept at once rather than with the chunk: the
    /// answers (content-addressed, so right whoever writes them; a row already there is
    /// left as it is) and the tokens, added to the job under its lease. A chunk that
    /// fails afterwards is then neither paid for again nor missing from the job's spend.
    async fn put_llm_spend(&self, lease: &Lease, rows: &[MemoRow], tokens: i64) -> Result<()>;

    /// Memoised answers of `model` / `prompt_version` for these content hashes, as
    /// content hash → answer.
    async fn llm_memo(
        &self,
        tenant: &str,
        model: &str,
        prompt_version: &str,
        hashes: &[String],
    ) -> Result<HashMap<String, String>>;

    /// The delta links of a mailbox's folders, as (folder, link).
    async fn sync_links(&self, tenant: &str, mailbox: &str) -> Result<Vec<(String, String)>>;

    /// Of `ids`, those whose ledger row in the mailbox this job wrote.
    async fn ledger_written_by(
        &self,
        tenant: &str,
        mailbox: &str,
        job_id: &str,
        ids: &[String],
    ) -> Result<BTreeSet<String>>;

    /// The ledger keys of the mailbox's copies that the source names by its own ids
    /// (Graph's delta removals): rows recorded with those source ids, and rows written
    /// before source ids were kept, whose key is the source's id.
    async fn ledger_ids_of_sources(
        &self,
        tenant: &str,
        mailbox: &str,
        source_ids: &[String],
    ) -> Result<BTreeSet<String>>;

    /// The mailbox's ledger rows of `ids` as they stand (key, content hash and
    /// statuses; the descriptive fields left empty).
    async fn ledger_rows(&self, tenant: &str, mailbox: &str, ids: &[String]) -> Result<Vec<LedgerRow>>;

    /// Of `ids`, the copies other mailboxes of the tenant hold processed: message id
    /// and content hash of each. A message several mailboxes hold has one vector and
    /// one graph support, kept while any of them holds it.
    async fn held_elsewhere(&self, tenant: &str, mailbox: &str, ids: &[String]) -> Result<Vec<(String, String)>>;

    /// Ledger message ids of a mailbox, from the source whose `source_ref`s start with
    /// `source_prefix`, that this job did not write: after the job re-listed the whole
    /// mailbox, what the source no longer has. (Job ids, not clocks: a resumed job may
    /// run on another machine.)
    async fn ledger_not_written_by(
        &self,
        tenant: &str,
        mailbox: &str,
        job_id: &str,
        source_prefix: &str,
    ) -> Result<Vec<String>>;
}

/// What `status`, `verify` and `graph` read, and the fixes of `verify --repair`.
#[async_trait]
pub trait Audit: Send + Sync {
    async fn events(&self, job: &Job) -> Result<Vec<JobEvent>>;

    /// Messages of this job recorded as skipped, with their reasons.
    async fn skipped(&self, job: &Job) -> Result<Vec<SkippedMessage>>;

    async fn digest(&self, tenant: &str) -> Result<TenantDigest>;

    /// Every ledger row of a tenant (of one mailbox, when given), for `verify`.
    async fn ledger_entries(&self, tenant: &str, mailbox: Option<&str>) -> Result<Vec<LedgerEntry>>;

    /// One page of a tenant's ledger in message-id byte order, for `verify`: the rows
    /// (every mailbox's) of the first `ids` distinct message ids after `after`, and the
    /// last id of the page, or `None` when the page reaches the end (then it covers
    /// every id after `after`). Pages cover the id space without gaps, so another
    /// store can be read page by page over the same ranges.
    async fn ledger_slice(&self, tenant: &str, after: Option<&str>, ids: usize) -> Result<LedgerSlice>;

    /// The tenant's entity and relationship totals, read live (a running job's own
    /// totals are set when it ends).
    async fn graph_totals(&self, tenant: &str) -> Result<(i64, i64)>;

    /// How the connection to the store is protected: `None` for a local file;
    /// `Some((encrypted, protocol version))` for a server.
    async fn transport(&self) -> Result<Option<(bool, String)>>;

    /// The newest schema migration applied.
    async fn schema_version(&self) -> Result<i64>;

    /// Of these message ids, those the tenant's ledger holds now (in any mailbox).
    async fn ledger_holds(&self, tenant: &str, ids: &[String]) -> Result<BTreeSet<String>>;

    /// Of these message ids, those the mailbox holds processed now (`search --mailbox`).
    async fn mailbox_holds(&self, tenant: &str, mailbox: &str, ids: &[String]) -> Result<BTreeSet<String>>;

    /// The mailbox's copies whose vector row may name another mailbox (`shared`, or
    /// held by another mailbox too): a search of this one asks for them by id.
    async fn shared_copies(&self, tenant: &str, mailbox: &str) -> Result<Vec<String>>;

    /// The graph's consistency problems, each as readable keys.
    async fn graph_problems(&self, tenant: &str) -> Result<GraphProblems>;

    /// Remove what no message supports: nodes and edges without support, and edges
    /// that point at missing nodes. Returns what was removed.
    async fn prune_graph(&self, tenant: &str) -> Result<GraphProblems>;

    /// Mark these (mailbox, message id) copies `shared`: their vector names another
    /// mailbox. Returns how many rows changed.
    async fn mark_shared(&self, tenant: &str, copies: &[(String, String)]) -> Result<u64>;

    /// Set a job's message counters to what the ledger holds for it.
    async fn recount(&self, job: &Job) -> Result<Job>;

    /// Nodes whose name, alias or key matches `name` (case-insensitive), with their
    /// aliases and up to `limit` heaviest edges and the messages that support them.
    async fn entity(&self, tenant: &str, name: &str, limit: i64) -> Result<Vec<EntityView>>;
}

/// Offboarding and privacy requests: everything of a tenant, or of one mailbox.
#[async_trait]
pub trait Purge: Send + Sync {
    /// Remove (or, `dry_run`, count) what the store holds for a tenant (its keys,
    /// connection and embedder choice included), or for one of its mailboxes (its
    /// jobs, ledger rows, delta links, and the graph support and memoised answers of
    /// messages no other mailbox of the tenant holds). One transaction, refused while
    /// a job of that scope is pending or running. Returns the counts and whose vectors
    /// go with it.
    async fn purge(&self, tenant: &str, mailbox: Option<&str>, dry_run: bool) -> Result<(PurgeCounts, PurgeScope)>;
}

/// The key lookup ([`crate::keys::lookup`]) reads sealed keys from any store.
#[async_trait]
impl<T: Tenants + ?Sized> crate::keys::KeyVault for T {
    async fn get_key(&self, tenant: &str, key: &KeyName) -> Result<Option<SealedKey>> {
        Tenants::get_key(self, tenant, key).await
    }
}

/// A tenant's settings (its sealed provider keys and Microsoft 365 connection, its
/// embedder), and the few settings of the whole fleet.
#[async_trait]
pub trait Tenants: Send + Sync {
    /// Store (or replace) a tenant's Microsoft 365 connection.
    async fn put_connection(&self, stored: &StoredConnection) -> Result<()>;

    async fn connection(&self, tenant: &str) -> Result<Option<StoredConnection>>;

    /// Connections of one tenant or all, without their credentials.
    async fn list_connections(&self, tenant: Option<&str>) -> Result<Vec<ConnectionInfo>>;

    /// Returns whether there was a connection to remove.
    async fn remove_connection(&self, tenant: &str) -> Result<bool>;

    /// A fleet-wide setting (not a tenant's).
    async fn fleet_setting(&self, name: &str) -> Result<Option<String>>;

    /// Set a fleet-wide setting unless it is set; returns the value it now has.
    async fn claim_fleet_setting(&self, name: &str, value: &str) -> Result<String>;

    /// Store (or replace) a tenant's sealed key.
    async fn put_key(&self, tenant: &str, key: &KeyName, sealed: &SealedKey, hint: &str) -> Result<()>;

    async fn get_key(&self, tenant: &str, key: &KeyName) -> Result<Option<SealedKey>>;

    /// Keys of one tenant or all, without their secrets.
    async fn list_keys(&self, tenant: Option<&str>) -> Result<Vec<KeyInfo>>;

    /// Returns whether there was a key to remove.
    async fn remove_key(&self, tenant: &str, key: &KeyName) -> Result<bool>;

    /// Choose the embedder of a tenant's vectors (from its next job on).
    async fn set_embedder(&self, tenant: &str, spec: &EmbedderSpec) -> Result<()>;

    /// The tenant's chosen embedder; `None` = never chosen, i.e. the local model.
    async fn embedder(&self, tenant: &str) -> Result<Option<EmbedderSpec>>;

    /// Every tenant's choice, or one tenant's.
    async fn list_embedders(&self, tenant: Option<&str>) -> Result<Vec<(String, EmbedderSpec)>>;
}
