//! Running a job (DESIGN §3): the chunk loop over a source's pages, the heartbeat
//! beside it, the job's LLM path, and each chunk as named steps (`chunk.rs`). One
//! chunk = one source page through every stage, committed in one store transaction
//! with the checkpoint; while one chunk commits, the next one's vectors are written
//! and the page after it goes through its stages, and the pages after that are read.

mod chunk;
mod heartbeat;
mod llm;
mod pages;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};

use crate::clients::Clients;
use crate::event::{Emitter, Event};
use crate::job::{Job, JobState, Lease};
use crate::memory::Memories;
use crate::provider::Provider;
use crate::source::{SourceSpec, Sources};
use crate::store::Store;
use crate::{Error, Result};

use heartbeat::{Control, Heartbeat};
use llm::LlmPath;

pub struct Pipeline {
    pub store: Arc<dyn Store>,
    /// Each tenant's embedder and vector table.
    pub memories: Arc<Memories>,
    pub events: Emitter,
    pub heartbeat_every: Duration,
    /// Set to true to stop once the chunks in hand commit; the job is released to `pending`.
    pub stop: watch::Receiver<bool>,
    /// The Graph clients (each tenant's, or the default), shared by every job this
    /// pipeline runs.
    pub clients: Arc<Clients>,
    /// The LLM path for tenants with their own key; `None` = not configured here.
    pub llm: Option<Arc<Provider>>,
    /// What a transient failure of a run does to the job.
    pub retry: Retry,
}

/// A run that fails for a reason that may pass goes back to `pending` after a
/// backoff (doubling from `backoff`, at most 30 minutes, with jitter), until the job has
/// ended badly `max_attempts` times (rescues count too); then it fails for good.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub max_attempts: i64,
    pub backoff: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry { max_attempts: 5, backoff: Duration::from_secs(60) }
    }
}

impl Retry {
    /// The wait after the job's `failures`-th failure.
    fn wait(&self, failures: i64) -> Duration {
        let policy = crate::retry::Policy {
            max_retries: u32::MAX,
            base_delay: self.backoff,
            max_delay: Duration::from_secs(30 * 60).max(self.backoff),
        };
        policy.backoff(u32::try_from(failures + 1).unwrap_or(u32::MAX))
    }
}

/// How a run ended, when it did not fail.
#[derive(Debug, Clone)]
pub enum Outcome {
    Completed(Job),
    /// Stopped on request after a committed chunk; the job is `pending` again.
    Released(Job),
    /// Paused or cancelled by an operator; the chunks in hand were abandoned.
    Halted(Job),
    /// Failed for a reason that may pass: `pending` again, not claimed before
    /// `not_before`; the error is in `last_error`.
    Retrying(Job),
}

impl Pipeline {
    /// Claim a pending job and run it to the end (or until told to stop).
    pub async fn run(&self, job_id: &str, owner: &str) -> Result<Outcome> {
        let lease = self.store.claim(job_id, owner).await?;
        self.run_lease(lease).await
    }

    /// Run a job this process has just claimed. A failure is recorded on the job,
    /// except a lost lease: the job is not ours to write any more.
    pub async fn run_lease(&self, lease: Lease) -> Result<Outcome> {
        use tracing::Instrument;
        // every log line of the run names its job, tenant and mailbox; at ERROR level so
        // that no filter drops the span while it keeps a line inside it
        let span =
            tracing::error_span!("job", job = %lease.job_id, tenant = %lease.tenant, mailbox = tracing::field::Empty);
        self.run_lease_in_span(lease).instrument(span).await
    }

    async fn run_lease_in_span(&self, lease: Lease) -> Result<Outcome> {
        use futures::FutureExt;
        let heartbeat = Heartbeat::start(self.store.clone(), lease.clone(), self.heartbeat_every, self.events.clone());
        // a panic anywhere in the run still ends the job, with the panic's message
        let run = std::panic::AssertUnwindSafe(self.run_claimed(&lease, heartbeat.control.clone()));
        let result = match run.catch_unwind().await {
            Ok(r) => r,
            Err(panic) => Err(Error::Panic { job: lease.job_id.clone(), message: panic_message(&*panic) }),
        };
        drop(heartbeat);
        match result {
            Ok(outcome) => Ok(outcome),
            // not ours to write any more, not even its failure
            Err(e @ Error::LeaseLost { .. }) => {
                self.events.emit(Event::JobFinished {
                    job_id: lease.job_id.clone(),
                    state: JobState::Running,
                    error: Some(e.to_string()),
                });
                Err(e)
            }
            Err(e) if e.fault() == crate::error::Fault::Transient => self.retry_later(&lease, e).await,
            Err(e) => {
                let msg = e.to_string();
                match self.store.finish(&lease, JobState::Failed, Some(&msg)).await {
                    Ok(()) => self.events.emit(Event::JobFinished {
                        job_id: lease.job_id.clone(),
                        state: JobState::Failed,
                        error: Some(msg),
                    }),
                    Err(fe) => self.events.emit(Event::Warning {
                        job_id: lease.job_id.clone(),
                        message: format!("could not record the failure: {fe}"),
                    }),
                }
                Err(e)
            }
        }
    }

    /// A transient failure: back to `pending` after a backoff, or failed for good
    /// once the budget is spent.
    async fn retry_later(&self, lease: &Lease, e: Error) -> Result<Outcome> {
        let failures = self.store.job(&lease.job_id).await.map(|j| j.failures).unwrap_or(0);
        let wait = self.retry.wait(failures);
        let msg = e.to_string();
        match self.store.retry_later(lease, &msg, wait, self.retry.max_attempts).await? {
            JobState::Pending => {
                self.events.emit(Event::Warning {
                    job_id: lease.job_id.clone(),
                    message: format!("{msg}; retrying in {}", humantime::format_duration(round(wait))),
                });
                Ok(Outcome::Retrying(self.store.job(&lease.job_id).await?))
            }
            state => {
                self.events.emit(Event::JobFinished { job_id: lease.job_id.clone(), state, error: Some(msg) });
                Err(e)
            }
        }
    }

    /// The chunk loop, abandoned mid-chunk when the heartbeat reports a lost lease or
    /// an operator's pause / cancel: dropping the chunk's future rolls its transaction
    /// back, and its vector upsert, if any, is repeated harmlessly on resume.
    async fn run_claimed(&self, lease: &Lease, mut control: watch::Receiver<Control>) -> Result<Outcome> {
        tokio::select! {
            r = self.chunks(lease) => r,
            c = heartbeat::halted(&mut control) => match c {
                Control::Requested(to) => {
                    self.store.finish(lease, to, Some(&format!("{to} on request"))).await?;
                    self.events.emit(Event::JobFinished { job_id: lease.job_id.clone(), state: to, error: None });
                    Ok(Outcome::Halted(self.store.job(&lease.job_id).await?))
                }
                _ => Err(Error::LeaseLost { job: lease.job_id.clone(), token: lease.token }),
            },
        }
    }

    async fn chunks(&self, lease: &Lease) -> Result<Outcome> {
        let job = self.store.job(&lease.job_id).await?;
        tracing::Span::current().record("mailbox", job.mailbox.as_str());
        self.events.emit(Event::JobStarted {
            job_id: job.id.clone(),
            tenant: job.tenant.clone(),
            mailbox: job.mailbox.clone(),
            attempt: job.attempts,
            done: job.processed + job.skipped,
            estimated_total: job.estimated_total,
        });
        let spec = SourceSpec::parse(&job.source)?;
        let sources = match &spec {
            SourceSpec::Graph(_) => self.clients.sources_for(self.store.as_ref(), &job.tenant).await?,
            _ => Sources::default(),
        };
        let pages = if job.has_more || job.cursor.is_none() {
            let (max_body, chunk) = (job.max_body_bytes as usize, job.chunk_size as usize);
            Some(pages::prefetch(&spec, job.cursor.as_deref(), max_body, chunk, &sources)?)
        } else {
            None
        };
        let memory = self.memories.for_job(self.store.as_ref(), &job).await?;
        let mut path = LlmPath::decide(self.llm.as_deref(), self.store.as_ref(), &job).await?;
        if self.flow(lease, job, &spec, pages, &memory, &mut path).await? == Flow::Stopped {
            let why = "stopped on request after a committed chunk; resume to continue";
            self.store.finish(lease, JobState::Pending, Some(why)).await?;
            self.events.emit(Event::JobFinished {
                job_id: lease.job_id.clone(),
                state: JobState::Pending,
                error: None,
            });
            return Ok(Outcome::Released(self.store.job(&lease.job_id).await?));
        }
        self.store.finish(lease, JobState::Completed, None).await?;
        self.events.emit(Event::JobFinished { job_id: lease.job_id.clone(), state: JobState::Completed, error: None });
        Ok(Outcome::Completed(self.store.job(&lease.job_id).await?))
    }

    /// The chunk loop: three steps side by side, each on a chunk of its own, handing
    /// chunks on one at a time. The newest page goes through its stages while the chunk
    /// before it has its vectors written and the one before that commits. A chunk
    /// commits as soon as its vectors are written, whatever the source is doing, and
    /// in page order, so a crash repeats at most the three chunks in hand, and
    /// repeating them changes nothing. A step that fails ends the steps before it (they
    /// find their hand-over closed); the steps after it finish the chunks they were
    /// handed.
    async fn flow(
        &self,
        lease: &Lease,
        job: Job,
        spec: &SourceSpec,
        mut pages: Option<pages::PageRx>,
        memory: &crate::memory::Memory,
        path: &mut LlmPath,
    ) -> Result<Flow> {
        let (staged_tx, staged_rx) = mpsc::channel::<chunk::Staged>(1);
        let (ready_tx, ready_rx) = mpsc::channel::<chunk::Prepared>(1);
        // how many chunks have committed, and the job as the last commit left it
        let (committed_tx, committed) = watch::channel((0usize, job.clone()));
        let in_hand = chunk::InHand::default();

        let stage = async {
            let staged_tx = staged_tx;
            let mut done = committed.clone();
            // the chunks handed on
            let mut sent = 0usize;
            loop {
                // the hand-over's slot first: a page is taken only when its chunk can go on
                let Ok(slot) = staged_tx.reserve().await else { return Ok(Flow::Ended) };
                let Some(rx) = pages.as_mut() else { return Ok(Flow::Ended) };
                if *self.stop.borrow() {
                    return Ok(Flow::Stopped);
                }
                let waited = Instant::now();
                let page = tokio::select! {
                    page = rx.recv() => page,
                    // a later step failed; its error is the run's
                    () = staged_tx.closed() => return Ok(Flow::Ended),
                };
                let Some(page) = page else {
                    return Err(Error::Source {
                        source_spec: spec.to_string(),
                        message: "page reader stopped unexpectedly".into(),
                    });
                };
                let page = page?;
                let wait_ms = u64::try_from(waited.elapsed().as_millis()).unwrap_or(u64::MAX);
                if !page.has_more {
                    pages = None;
                }
                // a page that reads what the chunks before it wrote waits for their commits
                if !chunk::may_overlap(&page, path) && done.wait_for(|(n, _)| *n == sent).await.is_err() {
                    return Ok(Flow::Ended);
                }
                let job = done.borrow_and_update().1.clone();
                // a chunk that has left it is in the store, where `unseen` looks too
                let ahead = in_hand.all();
                let mut s = self.stage(lease, &job, page, memory, path, &ahead).await?;
                s.steps.wait_ms = wait_ms;
                in_hand.push(s.commit());
                sent += 1;
                slot.send(s);
            }
        };
        let write = async {
            let (ready_tx, mut staged_rx) = (ready_tx, staged_rx);
            loop {
                let Ok(slot) = ready_tx.reserve().await else { return Ok::<_, Error>(()) };
                let staged = tokio::select! {
                    s = staged_rx.recv() => s,
                    () = ready_tx.closed() => None,
                };
                let Some(staged) = staged else { return Ok(()) };
                slot.send(self.write(&job, memory, staged).await?);
            }
        };
        let commit = async {
            let (committed_tx, mut ready_rx) = (committed_tx, ready_rx);
            let mut n = 0;
            while let Some(chunk) = ready_rx.recv().await {
                let job = self.commit(lease, memory, &chunk, &in_hand).await?;
                n += 1;
                committed_tx.send_replace((n, job));
            }
            Ok::<_, Error>(())
        };
        let (staged, written, committed) = tokio::join!(stage, write, commit);
        committed?;
        written?;
        staged
    }
}

/// How the chunk loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    /// The source is read to its end, and every chunk committed (or a later step
    /// failed, and the run ends with its error).
    Ended,
    /// Asked to stop: the chunks in hand committed, the rest is left for a resume.
    Stopped,
}

fn round(d: Duration) -> Duration {
    Duration::from_secs(d.as_secs().max(1))
}

/// What a panic said, as text.
fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}
