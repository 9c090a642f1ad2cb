//! Durable state: jobs and their events, the message ledger, and the rule-based and
//! LLM graph. One [`Store`] trait, two engines (SQLite, the embedded default, and
//! Postgres for fleets), one conformance suite (`tests/integration/store.rs`).
//!
//! Every row carries `tenant_id`, every query is scoped by it, and every write is an
//! idempotent upsert on a unique key, so repeating a chunk changes nothing.

mod postgres;
mod sql;
mod sqlite;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use serde::Serialize;

use crate::extract::GraphWrite;
use crate::job::{Job, JobEvent, JobState, Lease, NewJob};
use crate::{Error, Result};

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// Ledger statuses of a message.
pub const PROCESSED: &str = "processed";
pub const SKIPPED: &str = "skipped";

/// One message's line in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerRow {
    pub mailbox: String,
    pub message_id: String,
    pub content_hash: String,
    /// `processed` or `skipped`.
    pub status: String,
    pub reason: Option<String>,
    /// Per-path status: `written`, `skipped`.
    pub vector_status: String,
    pub graph_status: String,
    pub subject: Option<String>,
    pub sender: Option<String>,
    pub sent_at: Option<i64>,
    pub source_ref: Option<String>,
    /// `extracted`, `memoised`, `malformed: …`, or `off` / `failed` when the LLM path
    /// did not run; `None` for a tenant without a key.
    pub llm_status: Option<String>,
}

/// Everything a committed chunk changes, written in one transaction together with
/// the job's checkpoint, and only while the lease is ours.
#[derive(Debug, Clone, Default)]
pub struct ChunkCommit {
    pub cursor: String,
    pub has_more: bool,
    pub processed: i64,
    pub skipped: i64,
    pub vectors: i64,
    pub ledger: Vec<LedgerRow>,
    pub graph: GraphWrite,
    /// (mailbox, message id) gone from the source: ledger row and graph support go.
    pub removed: Vec<(String, String)>,
    /// The chunk's messages may be new versions: replace their graph support.
    pub replace: bool,
    pub sync_links: Vec<SyncLink>,
    /// The embedder the chunk's vectors were written with (`stored_name`, dimension):
    /// a job's first committed chunk fixes it, later ones leave it.
    pub embedder: Option<(String, Option<i64>)>,
    /// The job's LLM path as of this chunk (`None` leaves it as it was).
    pub llm_status: Option<String>,
}

/// A model answer for one message content, kept so unchanged mail is never sent twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoRow {
    pub content_hash: String,
    pub prompt_version: String,
    pub model: String,
    pub answer: String,
    pub tokens: i64,
}

/// Where the next incremental run of a mailbox folder continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncLink {
    pub mailbox: String,
    pub folder: String,
    pub link: String,
}

#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub tenant: Option<String>,
    pub state: Option<JobState>,
    pub limit: Option<i64>,
}

/// A message the job could not use.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SkippedMessage {
    pub mailbox: String,
    pub message_id: String,
    pub source_ref: Option<String>,
    pub reason: Option<String>,
}

/// Row counts of a tenant's memory, plus a digest of the rows' content, so two runs
/// can be compared exactly ("same rows", not just "same counts").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TenantDigest {
    pub ledger: i64,
    pub processed: i64,
    pub skipped: i64,
    pub entities: i64,
    pub nodes: i64,
    pub aliases: i64,
    pub node_support: i64,
    pub edges: i64,
    pub edge_support: i64,
    /// sha256 over every row above (sorted, without job ids and write times).
    pub content_sha256: String,
}

#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    async fn create_job(&self, new: &NewJob) -> Result<Job>;

    /// A job by id or unique id prefix (as `status` prints it).
    async fn job(&self, id_or_prefix: &str) -> Result<Job>;

    async fn jobs(&self, filter: &JobFilter) -> Result<Vec<Job>>;

    /// `pending → running`: sets the owner, a new lease token and the heartbeat in
    /// one guarded statement, so a claimed job is never without a heartbeat.
    async fn claim(&self, job_id: &str, owner: &str) -> Result<Lease>;

    /// The oldest pending job (of one tenant, or any), claimed like [`Store::claim`].
    /// Postgres skips rows other workers are claiming (`FOR UPDATE SKIP LOCKED`);
    /// SQLite serialises claims in an immediate transaction.
    async fn claim_next(&self, tenant: Option<&str>, owner: &str) -> Result<Option<Lease>>;

    /// Renew the heartbeat; `Err(LeaseLost)` when the token is no longer ours.
    /// Returns a pause or cancel an operator has asked for, if any.
    async fn heartbeat(&self, lease: &Lease) -> Result<Option<JobState>>;

    /// Write a chunk's ledger rows and graph, and advance the checkpoint and counters,
    /// in one transaction that commits only while the lease is ours.
    async fn commit_chunk(&self, lease: &Lease, chunk: &ChunkCommit) -> Result<Job>;

    /// `running → completed | failed | cancelled | paused | pending`, guarded by the lease.
    async fn finish(&self, lease: &Lease, to: JobState, error: Option<&str>) -> Result<()>;

    /// Back to `pending` (resume): guarded by the state and lease token we observed,
    /// so two processes cannot both re-queue and claim it. `from_start` rewinds the
    /// checkpoint and counters (an incident re-run of a completed range).
    async fn requeue(&self, observed: &Job, reason: &str, from_start: bool) -> Result<Job>;

    /// The reaper's move for a `running` job whose owner went silent: back to
    /// `pending` with `rescues + 1`, or `failed` for good when `give_up`. Guarded by
    /// the lease token observed, so a job that beat in the meantime is left alone.
    async fn rescue(&self, observed: &Job, reason: &str, give_up: bool) -> Result<Job>;

    /// Pause or cancel: at once for a pending job, and for a running one a request
    /// its owner honours at the next heartbeat.
    async fn request_stop(&self, observed: &Job, to: JobState) -> Result<Job>;

    /// Append a line to a job's story.
    async fn record_event(&self, job: &Job, kind: &str, message: &str) -> Result<()>;

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
    ) -> Result<std::collections::HashMap<String, String>>;

    /// The delta links of a mailbox's folders, as (folder, link).
    async fn sync_links(&self, tenant: &str, mailbox: &str) -> Result<Vec<(String, String)>>;

    /// Of `ids`, those whose ledger row in the mailbox this job wrote.
    async fn ledger_written_by(
        &self,
        tenant: &str,
        mailbox: &str,
        job_id: &str,
        ids: &[String],
    ) -> Result<std::collections::BTreeSet<String>>;

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

    async fn events(&self, job: &Job) -> Result<Vec<JobEvent>>;

    /// Messages of this job recorded as skipped, with their reasons.
    async fn skipped(&self, job: &Job) -> Result<Vec<SkippedMessage>>;

    async fn digest(&self, tenant: &str) -> Result<TenantDigest>;

    /// Every ledger row of a tenant (of one mailbox, when given), for `verify`.
    async fn ledger_entries(&self, tenant: &str, mailbox: Option<&str>) -> Result<Vec<LedgerEntry>>;

    /// The graph's consistency problems, each as readable keys.
    async fn graph_problems(&self, tenant: &str) -> Result<GraphProblems>;

    /// Remove what no message supports: nodes and edges without support, and edges
    /// that point at missing nodes. Returns what was removed.
    async fn prune_graph(&self, tenant: &str) -> Result<GraphProblems>;

    /// Set a job's message counters to what the ledger holds for it.
    async fn recount(&self, job: &Job) -> Result<Job>;

    /// Nodes whose name, alias or key matches `name` (case-insensitive), with their
    /// aliases and up to `limit` heaviest edges and the messages that support them.
    async fn entity(&self, tenant: &str, name: &str, limit: i64) -> Result<Vec<EntityView>>;

    /// Store (or replace) a tenant's sealed key.
    async fn put_key(
        &self,
        tenant: &str,
        key: &crate::keys::KeyName,
        nonce: &[u8],
        ciphertext: &[u8],
        hint: &str,
    ) -> Result<()>;

    async fn get_key(&self, tenant: &str, key: &crate::keys::KeyName) -> Result<Option<crate::keys::SealedKey>>;

    /// Keys of one tenant or all, without their secrets.
    async fn list_keys(&self, tenant: Option<&str>) -> Result<Vec<crate::keys::KeyInfo>>;

    /// Returns whether there was a key to remove.
    async fn remove_key(&self, tenant: &str, key: &crate::keys::KeyName) -> Result<bool>;

    /// Choose the embedder of a tenant's vectors (from its next job on).
    async fn set_embedder(&self, tenant: &str, spec: &crate::embed::EmbedderSpec) -> Result<()>;

    /// The tenant's chosen embedder; `None` = never chosen, i.e. the local model.
    async fn embedder(&self, tenant: &str) -> Result<Option<crate::embed::EmbedderSpec>>;

    /// Every tenant's choice, or one tenant's.
    async fn list_embedders(&self, tenant: Option<&str>) -> Result<Vec<(String, crate::embed::EmbedderSpec)>>;
}

#[derive(Debug, Clone, Serialize)]
pub struct EntityView {
    pub key: String,
    pub kind: String,
    pub name: String,
    pub aliases: Vec<String>,
    /// Messages that mention it.
    pub mentions: i64,
    pub edges: Vec<EdgeView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EdgeView {
    pub src: String,
    pub rel: String,
    pub dst: String,
    /// Number of supporting messages.
    pub weight: i64,
    pub first_seen_at: Option<i64>,
    pub last_seen_at: Option<i64>,
    /// The first supporting messages: (message id, subject).
    pub messages: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LedgerEntry {
    pub mailbox: String,
    pub message_id: String,
    pub job_id: String,
    pub status: String,
    pub llm_status: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GraphProblems {
    /// `src -rel-> dst` of edges whose source or target node is missing.
    pub orphan_edges: Vec<String>,
    pub unsupported_nodes: Vec<String>,
    pub unsupported_edges: Vec<String>,
    /// Node keys that differ only by case (one resolution key, several nodes).
    pub duplicate_nodes: Vec<String>,
}

/// Where the store lives: a Postgres URL, or a SQLite file (by URL or in the data dir).
enum Location<'a> {
    Postgres(&'a str),
    Sqlite(std::path::PathBuf),
}

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

/// Open (creating and migrating as needed) the store.
pub async fn connect(database_url: Option<&str>, data_dir: &Path) -> Result<Arc<dyn Store>> {
    match locate(database_url, data_dir)? {
        Location::Postgres(url) => Ok(Arc::new(PgStore::connect(url).await?)),
        Location::Sqlite(path) => {
            if database_url.is_none() {
                std::fs::create_dir_all(data_dir)
                    .map_err(|e| Error::Invalid(format!("data dir {}: cannot create it: {e}", data_dir.display())))?;
            }
            Ok(Arc::new(SqliteStore::open(&path).await?))
        }
    }
}

/// The embedded default's database file in the data dir.
pub const SQLITE_FILE: &str = "atom-sync.db";

/// The store, only if it is already there with its schema up to date: read-only
/// commands such as a dry run look at what exists and never create or migrate one.
pub async fn open_existing(database_url: Option<&str>, data_dir: &Path) -> Result<Option<Arc<dyn Store>>> {
    use sqlx::Connection;
    const APPLIED: &str = "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success";
    let location = locate(database_url, data_dir)?;
    let applied: Option<i64> = match &location {
        Location::Postgres(url) => {
            let mut c = sqlx::PgConnection::connect(url)
                .await
                .map_err(Error::store(format!("connecting to {}", redact_url(url))))?;
            let v = sqlx::query_scalar(APPLIED).fetch_one(&mut c).await.ok();
            let _ = c.close().await;
            v
        }
        Location::Sqlite(path) => {
            if !path.exists() {
                return Ok(None);
            }
            let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
            let mut c = sqlx::SqliteConnection::connect_with(&opts)
                .await
                .map_err(Error::store(format!("opening SQLite database {}", path.display())))?;
            let v = sqlx::query_scalar(APPLIED).fetch_one(&mut c).await.ok();
            let _ = c.close().await;
            v
        }
    };
    let latest = match location {
        Location::Postgres(_) => sqlx::migrate!("migrations/postgres").migrations.iter().map(|m| m.version).max(),
        Location::Sqlite(_) => sqlx::migrate!("migrations/sqlite").migrations.iter().map(|m| m.version).max(),
    };
    match (applied, latest) {
        (Some(a), Some(l)) if a >= l => Ok(Some(connect(database_url, data_dir).await?)),
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

/// Internal row shape shared by both engines.
#[derive(Debug, sqlx::FromRow)]
struct JobRow {
    id: String,
    tenant_id: String,
    source: String,
    mailbox: String,
    state: String,
    cursor: Option<String>,
    has_more: bool,
    chunk_size: i64,
    max_body_bytes: i64,
    estimated_total: Option<i64>,
    processed: i64,
    skipped: i64,
    entities: i64,
    relationships: i64,
    vectors: i64,
    removed: i64,
    llm_tokens: i64,
    llm_status: Option<String>,
    llm_token_cap: Option<i64>,
    embedder: Option<String>,
    embed_dimensions: Option<i64>,
    chunks: i64,
    attempts: i64,
    rescues: i64,
    requested_state: Option<String>,
    lease_owner: Option<String>,
    lease_token: i64,
    heartbeat_at: Option<i64>,
    progress_at: Option<i64>,
    created_at: i64,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    updated_at: i64,
    last_error: Option<String>,
}

impl TryFrom<JobRow> for Job {
    type Error = Error;
    fn try_from(r: JobRow) -> Result<Job> {
        Ok(Job {
            state: r.state.parse()?,
            requested_state: r.requested_state.as_deref().map(str::parse).transpose()?,
            rescues: r.rescues,
            id: r.id,
            tenant: r.tenant_id,
            source: r.source,
            mailbox: r.mailbox,
            cursor: r.cursor,
            has_more: r.has_more,
            chunk_size: r.chunk_size,
            max_body_bytes: r.max_body_bytes,
            estimated_total: r.estimated_total,
            processed: r.processed,
            skipped: r.skipped,
            entities: r.entities,
            relationships: r.relationships,
            vectors: r.vectors,
            removed: r.removed,
            llm_tokens: r.llm_tokens,
            llm_status: r.llm_status,
            llm_token_cap: r.llm_token_cap,
            embedder: r.embedder,
            embed_dimensions: r.embed_dimensions,
            chunks: r.chunks,
            attempts: r.attempts,
            lease_owner: r.lease_owner,
            lease_token: r.lease_token,
            heartbeat_at: r.heartbeat_at,
            progress_at: r.progress_at,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            updated_at: r.updated_at,
            last_error: r.last_error,
        })
    }
}

/// Removing what lost all support: unsupported nodes first, so their edges become
/// orphans and go too. Each statement binds the tenant as `$1`.
pub(crate) const PRUNE_STEPS: [&str; 6] = [
    "DELETE FROM graph_node_aliases WHERE tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM graph_node_support s
        WHERE s.tenant_id = graph_node_aliases.tenant_id AND s.node_key = graph_node_aliases.node_key)",
    "DELETE FROM graph_nodes WHERE tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM graph_node_support s
        WHERE s.tenant_id = graph_nodes.tenant_id AND s.node_key = graph_nodes.node_key)",
    "DELETE FROM graph_edge_support WHERE tenant_id = $1
        AND (NOT EXISTS (SELECT 1 FROM graph_nodes n WHERE n.tenant_id = graph_edge_support.tenant_id AND n.node_key = graph_edge_support.src_key)
          OR NOT EXISTS (SELECT 1 FROM graph_nodes n WHERE n.tenant_id = graph_edge_support.tenant_id AND n.node_key = graph_edge_support.dst_key))",
    "DELETE FROM graph_edges WHERE tenant_id = $1
        AND (NOT EXISTS (SELECT 1 FROM graph_nodes n WHERE n.tenant_id = graph_edges.tenant_id AND n.node_key = graph_edges.src_key)
          OR NOT EXISTS (SELECT 1 FROM graph_nodes n WHERE n.tenant_id = graph_edges.tenant_id AND n.node_key = graph_edges.dst_key))",
    "DELETE FROM graph_edges WHERE tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM graph_edge_support s
        WHERE s.tenant_id = graph_edges.tenant_id AND s.src_key = graph_edges.src_key AND s.rel = graph_edges.rel AND s.dst_key = graph_edges.dst_key)",
    "DELETE FROM discovered_entities WHERE tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM graph_nodes n
        WHERE n.tenant_id = discovered_entities.tenant_id AND n.node_key = discovered_entities.entity_key)",
];

/// Rows per multi-row statement: far below both engines' bind limits.
const ROWS_PER_STATEMENT: usize = 400;

fn validate_prefix(p: &str) -> Result<()> {
    if p.is_empty() || !p.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(Error::Invalid(format!("job id {p:?}: expected a job id or its first characters (hex)")));
    }
    Ok(())
}
