//! Jobs: their states, the one table of allowed transitions, and the lease that makes
//! a process the only writer of a job.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::{Error, Result};

mod owner;

pub use owner::{owner_is_dead, owner_name};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Pending,
    Running,
    Paused,
    Completed,
    Failed,
    Cancelled,
}

impl JobState {
    pub const ALL: [JobState; 6] = [
        JobState::Pending,
        JobState::Running,
        JobState::Paused,
        JobState::Completed,
        JobState::Failed,
        JobState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Paused => "paused",
            JobState::Completed => "completed",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }

    /// The allowed transitions (DESIGN §4), as one pure table. Every guarded update in
    /// the store checks its move here first and binds the state it leaves.
    pub fn can_become(self, to: JobState) -> bool {
        use JobState::*;
        matches!(
            (self, to),
            (Pending, Running)
                | (Pending, Cancelled)
                | (Pending, Paused)
                | (Running, Completed)
                | (Running, Failed)
                | (Running, Cancelled)
                | (Running, Paused)
                | (Paused, Running)
                // an operator gives up on a paused job
                | (Paused, Cancelled)
                // a worker that stops releases its lease; the reaper and resume re-queue
                // a running job whose owner is gone
                | (Running, Pending)
                | (Failed, Pending)
                | (Paused, Pending)
                | (Cancelled, Pending)
                // an incident re-run of a completed range (`resume --rerun`)
                | (Completed, Pending)
        )
    }

    /// Every state that may move to `to`.
    pub fn sources_of(to: JobState) -> Vec<JobState> {
        JobState::ALL.into_iter().filter(|s| s.can_become(to)).collect()
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, JobState::Completed | JobState::Failed | JobState::Cancelled)
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobState {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        JobState::ALL.into_iter().find(|st| st.as_str().eq_ignore_ascii_case(s)).ok_or_else(|| {
            Error::Invalid(format!(
                "unknown job state {s:?}; expected one of pending, running, paused, completed, failed, cancelled"
            ))
        })
    }
}

/// A state as the store holds it: its name, as text.
impl<DB: sqlx::Database> sqlx::Type<DB> for JobState
where
    str: sqlx::Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <str as sqlx::Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <str as sqlx::Type<DB>>::compatible(ty)
    }
}

impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for JobState
where
    &'r str: sqlx::Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> std::result::Result<Self, sqlx::error::BoxDynError> {
        Ok(<&'r str as sqlx::Decode<'r, DB>>::decode(value)?.parse()?)
    }
}

/// One job as stored (the `jobs` row), and as `status --json` shows it. Counters are
/// cumulative over all attempts; times are unix milliseconds, shown as RFC 3339.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Job {
    pub id: String,
    #[sqlx(rename = "tenant_id")]
    pub tenant: String,
    pub source: String,
    pub mailbox: String,
    pub state: JobState,
    /// Where the job continues: the source's own checkpoint (internal).
    #[serde(skip)]
    pub cursor: Option<String>,
    pub has_more: bool,
    pub chunk_size: i64,
    pub max_body_bytes: i64,
    pub estimated_total: Option<i64>,
    pub processed: i64,
    pub skipped: i64,
    /// Entities in the tenant's memory after this job's latest chunk.
    pub entities: i64,
    /// Relationships (graph edges) in the tenant's memory after this job's latest chunk.
    pub relationships: i64,
    pub vectors: i64,
    /// Messages this job deleted because the source no longer has them.
    pub removed: i64,
    /// Tokens this job's LLM calls used.
    pub llm_tokens: i64,
    /// Whether the LLM path ran, and if not why.
    pub llm_status: Option<String>,
    /// How the source stands as of the latest chunk (a Graph mailbox's concurrency
    /// and throttling).
    pub source_status: Option<String>,
    pub llm_token_cap: Option<i64>,
    /// The embedder the job writes with (`local`, `openai:MODEL`), fixed at its first run.
    #[serde(skip)]
    pub embedder: Option<String>,
    #[serde(skip)]
    pub embed_dimensions: Option<i64>,
    pub chunks: i64,
    /// How often the job was claimed.
    pub attempts: i64,
    /// How often the reaper re-queued the job after its owner went silent.
    pub rescues: i64,
    /// Runs that ended badly (a transient failure, a rescue): what `--max-attempts`
    /// counts. A graceful release (SIGTERM) is not one.
    pub failures: i64,
    /// A job retried after a transient failure is not claimed before this.
    #[serde(serialize_with = "crate::time::serde::opt_rfc3339")]
    pub not_before: Option<i64>,
    /// Bumped by a re-run from the start: the ledger rows of this generation are what
    /// this run has committed.
    pub generation: i64,
    /// A pause or cancel an operator asked for; the owner honours it at its next
    /// heartbeat.
    pub requested_state: Option<JobState>,
    pub lease_owner: Option<String>,
    pub lease_token: i64,
    #[serde(serialize_with = "crate::time::serde::opt_rfc3339")]
    pub heartbeat_at: Option<i64>,
    /// When the job last committed a chunk (or was claimed).
    #[serde(serialize_with = "crate::time::serde::opt_rfc3339")]
    pub progress_at: Option<i64>,
    #[serde(serialize_with = "crate::time::serde::rfc3339")]
    pub created_at: i64,
    #[serde(serialize_with = "crate::time::serde::opt_rfc3339")]
    pub started_at: Option<i64>,
    #[serde(serialize_with = "crate::time::serde::opt_rfc3339")]
    pub finished_at: Option<i64>,
    #[serde(serialize_with = "crate::time::serde::rfc3339")]
    pub updated_at: i64,
    pub last_error: Option<String>,
}

impl Job {
    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(8)]
    }
}

/// What `backfill` asks for; the store turns it into a pending job.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub tenant: String,
    pub source: String,
    pub mailbox: String,
    pub chunk_size: i64,
    pub max_body_bytes: i64,
    pub estimated_total: Option<i64>,
    /// Where the job starts (an incremental run starts at the stored delta links).
    pub cursor: Option<String>,
    /// Tokens after which the job's LLM path pauses.
    pub llm_token_cap: Option<i64>,
}

/// Proof of ownership: every write for a running job is conditional on `token` still
/// being the job's current lease token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub job_id: String,
    pub tenant: String,
    pub owner: String,
    pub token: i64,
}

/// Which jobs a process can serve; a worker claims no other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// It holds the fleet's master key: tenants with sealed keys or connections.
    pub tenant_secrets: bool,
    /// It has default Graph credentials: Graph jobs of tenants without a connection.
    pub default_graph: bool,
}

impl Capabilities {
    /// Everything: for tests and tools that run what they create.
    pub const ALL: Capabilities = Capabilities { tenant_secrets: true, default_graph: true };
}

/// A line of a job's story.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct JobEvent {
    pub at: i64,
    pub kind: String,
    pub message: String,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A pending job with every field at its zero, for unit tests of rules over jobs.
    pub(crate) fn blank() -> Job {
        Job {
            id: "00000000-0000-0000-0000-000000000000".into(),
            tenant: "acme".into(),
            source: "mbox:/x.mbox".into(),
            mailbox: "x.mbox".into(),
            state: JobState::Pending,
            cursor: None,
            has_more: true,
            chunk_size: 100,
            max_body_bytes: 10_240,
            estimated_total: None,
            processed: 0,
            skipped: 0,
            entities: 0,
            relationships: 0,
            vectors: 0,
            removed: 0,
            llm_tokens: 0,
            llm_status: None,
            source_status: None,
            llm_token_cap: None,
            embedder: None,
            embed_dimensions: None,
            chunks: 0,
            attempts: 0,
            rescues: 0,
            failures: 0,
            not_before: None,
            generation: 0,
            requested_state: None,
            lease_owner: None,
            lease_token: 0,
            heartbeat_at: None,
            progress_at: None,
            created_at: 0,
            started_at: None,
            finished_at: None,
            updated_at: 0,
            last_error: None,
        }
    }

    #[test]
    fn every_move_the_store_makes_is_in_the_table() {
        use JobState::*;
        // (from, to) of each guarded update in store/sql/jobs.rs
        let moves = [
            (Pending, Running),   // claim, claim_next
            (Running, Completed), // finish
            (Running, Failed),    // finish, rescue (give up)
            (Running, Cancelled), // finish on request
            (Running, Paused),    // finish on request
            (Running, Pending),   // finish (released), rescue, requeue of a stale job
            (Failed, Pending),    // requeue
            (Paused, Pending),    // requeue
            (Cancelled, Pending), // requeue
            (Completed, Pending), // requeue --rerun
            (Pending, Paused),    // request_stop
            (Pending, Cancelled), // request_stop
            (Paused, Cancelled),  // request_stop
        ];
        for (from, to) in moves {
            assert!(from.can_become(to), "{from} -> {to}");
        }
    }

    #[test]
    fn transition_table_matches_the_design() {
        use JobState::*;
        assert!(Pending.can_become(Running));
        assert!(Running.can_become(Completed));
        assert!(Running.can_become(Paused) && Paused.can_become(Running));
        for s in [Failed, Paused, Cancelled] {
            assert!(s.can_become(Pending), "{s} must be resumable");
        }
        assert!(!Completed.can_become(Running));
        assert!(!Pending.can_become(Completed));
        assert!(Pending.can_become(Cancelled) && Pending.can_become(Paused), "stop a job before it starts");
        assert!(!Failed.can_become(Running), "a failed job goes back through pending");
        for s in JobState::ALL {
            assert!(!s.can_become(s), "{s} -> {s} is not a transition");
        }
        assert_eq!(JobState::sources_of(Running), vec![Pending, Paused]);
    }

    #[test]
    fn states_parse_case_insensitively_and_reject_unknown() {
        assert_eq!("Failed".parse::<JobState>().unwrap(), JobState::Failed);
        let err = "done".parse::<JobState>().unwrap_err().to_string();
        assert!(err.contains("\"done\""), "{err}");
    }
}
