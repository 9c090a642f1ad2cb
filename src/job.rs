//! Jobs: their states, the one table of allowed transitions, and the lease that makes
//! a process the only writer of a job.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::{Error, Result};

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
    /// the stores names its `from` states from here.
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

/// One job as stored. Counters are cumulative over all attempts.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub id: String,
    pub tenant: String,
    pub source: String,
    pub mailbox: String,
    pub state: JobState,
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
    pub llm_token_cap: Option<i64>,
    /// The embedder the job writes with (`local`, `openai:MODEL`), fixed at its first run.
    pub embedder: Option<String>,
    pub embed_dimensions: Option<i64>,
    pub chunks: i64,
    pub attempts: i64,
    /// How often the reaper re-queued the job after its owner went silent.
    pub rescues: i64,
    /// A pause or cancel an operator asked for; the owner honours it at its next
    /// heartbeat.
    pub requested_state: Option<JobState>,
    pub lease_owner: Option<String>,
    pub lease_token: i64,
    pub heartbeat_at: Option<i64>,
    pub progress_at: Option<i64>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
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

/// A lease owner name: host, pid and a random part, so two processes never share one
/// and `resume` can tell whether the owner of a `running` job is still alive.
pub fn owner_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    // containers may share a hostname but not their pids: the pid namespace is part
    // of "where", so a pid is only ever judged within its own namespace
    let ns = std::fs::read_link("/proc/self/ns/pid")
        .ok()
        .map(|l| l.to_string_lossy().chars().filter(char::is_ascii_digit).collect::<String>())
        .filter(|n| !n.is_empty())
        .map(|n| format!("/{n}"))
        .unwrap_or_default();
    let rand = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}{ns}:{}:{}", std::process::id(), &rand[..8])
}

/// Whether the lease owner is a process on this host (and pid namespace) that no
/// longer exists. `None` when we cannot tell (another host or namespace, or no /proc):
/// then only the heartbeat's age speaks.
pub fn owner_is_dead(owner: &str) -> Option<bool> {
    let mut parts = owner.rsplitn(3, ':');
    let _rand = parts.next()?;
    let pid: u32 = parts.next()?.parse().ok()?;
    let host = parts.next()?;
    let me = owner_name();
    let my_host = me.rsplitn(3, ':').nth(2)?;
    if host != my_host || !std::path::Path::new("/proc/self").exists() {
        return None;
    }
    Some(!std::path::Path::new(&format!("/proc/{pid}")).exists())
}

/// A line of a job's story.
#[derive(Debug, Clone, Serialize)]
pub struct JobEvent {
    pub at: i64,
    pub kind: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn dead_owner_on_this_host_is_detected() {
        let me = owner_name();
        assert_eq!(owner_is_dead(&me), Some(false));
        let host = me.rsplitn(3, ':').nth(2).unwrap();
        assert_eq!(owner_is_dead(&format!("{host}:4000000000:abcd")), Some(true));
        assert_eq!(owner_is_dead("elsewhere:1:abcd"), None);
        let hostname = host.split('/').next().unwrap();
        assert_eq!(owner_is_dead(&format!("{hostname}/1:1:abcd")), None, "same hostname, another pid namespace");
    }
}
