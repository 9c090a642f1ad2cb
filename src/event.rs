//! What long-running work reports. The library emits; the CLI (`cli/render.rs`)
//! draws a progress bar or plain log lines from the same events.

use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;

use crate::job::{Job, JobState};

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    JobCreated {
        /// Under its own name: in a log line `job` is the job's id, as on every line.
        #[serde(rename = "created")]
        job: Job,
    },
    JobStarted {
        job_id: String,
        tenant: String,
        mailbox: String,
        attempt: i64,
        /// Messages already done by earlier attempts (a resumed job starts here).
        done: i64,
        estimated_total: Option<i64>,
    },
    ChunkCommitted {
        job_id: String,
        chunk: i64,
        in_chunk: usize,
        processed: i64,
        skipped: i64,
        vectors: i64,
        has_more: bool,
        estimated_total: Option<i64>,
        /// Where the chunk's time went.
        steps: ChunkSteps,
    },
    MessageSkipped {
        job_id: String,
        message_id: String,
        source_ref: String,
        reason: String,
    },
    Warning {
        job_id: String,
        message: String,
    },
    JobFinished {
        job_id: String,
        state: JobState,
        error: Option<String>,
    },
}

/// Where a chunk's time went, in milliseconds, so an operator (and the scale
/// benchmark) can tell a slow source from a slow memory. The steps of consecutive
/// chunks overlap: `stages_ms` and `vectors_ms` of one chunk run while the chunk
/// before it commits, so they do not add up to the wall time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ChunkSteps {
    /// Waiting for the source's page (zero when the page was read ahead in time).
    pub wait_ms: u64,
    /// Passing over repeats and removals, then rules ∥ embeddings ∥ LLM.
    pub stages_ms: u64,
    /// The vector upsert.
    pub vectors_ms: u64,
    /// The store's transaction.
    pub commit_ms: u64,
}

/// Where events go. Cheap to clone; emitting never blocks and never fails (a closed
/// receiver just means nobody is watching).
#[derive(Debug, Clone, Default)]
pub struct Emitter(Option<UnboundedSender<Event>>);

impl Emitter {
    pub fn new(tx: UnboundedSender<Event>) -> Self {
        Emitter(Some(tx))
    }

    pub fn silent() -> Self {
        Emitter(None)
    }

    pub fn emit(&self, e: Event) {
        if let Some(tx) = &self.0 {
            let _ = tx.send(e);
        }
    }
}
