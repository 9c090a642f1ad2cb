//! What the store reads and writes, as plain values: a chunk's rows, the ledger's
//! lines, and the views `status`, `verify` and `graph` read.

use serde::Serialize;

use crate::extract::GraphWrite;
use crate::job::JobState;

/// Ledger statuses of a message.
pub const PROCESSED: &str = "processed";
pub const SKIPPED: &str = "skipped";
/// Vector / graph status of a copy whose vector and support another mailbox wrote.
pub const SHARED: &str = "shared";
/// Vector / graph status of a copy whose vector and support this chunk wrote.
pub const WRITTEN: &str = "written";

/// One message's line in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerRow {
    pub mailbox: String,
    pub message_id: String,
    /// The source's own id for the mailbox's copy, where it is not `message_id`.
    pub source_id: Option<String>,
    pub content_hash: String,
    /// `processed` or `skipped`.
    pub status: String,
    pub reason: Option<String>,
    /// Per-path status: `written`, `skipped`, or `shared` (another mailbox's copy of
    /// the same content wrote it, and this copy uses it).
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
    /// One row per message (processed or skipped); the store counts them into the
    /// job, each message once however often it comes.
    pub ledger: Vec<LedgerRow>,
    pub graph: GraphWrite,
    /// (mailbox, message id) gone from the source: ledger row and graph support go.
    pub removed: Vec<(String, String)>,
    /// Messages whose graph support this chunk replaces (new versions, and versions
    /// now unusable): their old support goes before the chunk's is added.
    pub replaced: Vec<String>,
    /// Messages other mailboxes hold whose vector this chunk wrote again: the vector
    /// row names this mailbox now, so the other copies' rows become `shared`.
    pub taken_over: Vec<String>,
    pub sync_links: Vec<SyncLink>,
    /// The embedder the chunk's vectors were written with (`stored_name`, dimension):
    /// a job's first committed chunk fixes it, later ones leave it.
    pub embedder: Option<(String, Option<i64>)>,
    /// The job's LLM path as of this chunk (`None` leaves it as it was).
    pub llm_status: Option<String>,
    /// What the source now says the job's range holds (`None` leaves it).
    pub estimated_total: Option<i64>,
    /// How the source stands (`None` leaves it).
    pub source_status: Option<String>,
}

/// A committed chunk: the job as it now stands, and the messages whose rows the
/// database refused (recorded `skipped` with its reason; the rest committed).
#[derive(Debug, Clone)]
pub struct Committed {
    pub job: crate::job::Job,
    pub refused: Vec<Refused>,
}

/// A message the database would not store, and its words for why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub mailbox: String,
    pub message_id: String,
    pub source_id: Option<String>,
    pub source_ref: Option<String>,
    pub reason: String,
}

impl Refused {
    /// The ledger row that records it: skipped, with the reason and nothing of what
    /// was refused.
    pub fn ledger_row(&self) -> LedgerRow {
        LedgerRow {
            mailbox: self.mailbox.clone(),
            message_id: self.message_id.clone(),
            source_id: self.source_id.clone(),
            content_hash: String::new(),
            status: SKIPPED.into(),
            reason: Some(self.reason.clone()),
            vector_status: SKIPPED.into(),
            graph_status: SKIPPED.into(),
            subject: None,
            sender: None,
            sent_at: None,
            source_ref: self.source_ref.as_deref().map(crate::text::line),
            llm_status: None,
        }
    }
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

#[derive(Debug, Clone, Serialize)]
pub struct EntityView {
    pub key: String,
    pub kind: String,
    pub name: String,
    pub aliases: Vec<String>,
    /// Messages that mention it.
    pub mentions: i64,
    pub edges: Vec<EdgeView>,
    /// People who may be this person (a person only): reported, never merged.
    pub candidates: Vec<crate::extract::people::Candidate>,
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
    /// `written`, `skipped`, or `shared` (another mailbox's copy wrote the vector).
    pub vector_status: String,
}

/// What a purge removed, or would remove.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PurgeCounts {
    /// Distinct messages whose vectors and graph support go (a message another
    /// mailbox of the tenant holds stays for it).
    pub messages: u64,
    pub ledger: u64,
    /// Jobs and their events.
    pub job_rows: u64,
    /// Entities, nodes, aliases, edges and their support.
    pub graph_rows: u64,
    /// Memoised model answers.
    pub memo: u64,
    /// Sealed keys and Microsoft 365 connections.
    pub secrets: u64,
    /// The embedder choice and Graph delta links.
    pub settings: u64,
    /// Vector rows (every embedder's table), counted by the caller.
    pub vectors: u64,
}

/// Whose vectors a purge takes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PurgeScope {
    Tenant,
    Messages(Vec<String>),
}

/// A page of the ledger ([`crate::store::Audit::ledger_slice`]).
#[derive(Debug, Clone, Default)]
pub struct LedgerSlice {
    pub entries: Vec<LedgerEntry>,
    /// The page's last message id; `None`: the page runs to the end.
    pub through: Option<String>,
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
