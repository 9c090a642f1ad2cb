//! Running a job (DESIGN §3): the chunk loop over a source's pages, the heartbeat
//! beside it, the job's LLM path, and each chunk as named steps (`chunk.rs`). One
//! chunk = one source page through every stage, committed in one store transaction
//! with the checkpoint; the next page is read while this one is processed.

mod chunk;
mod heartbeat;
mod llm;
mod pages;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

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
    /// Set to true to stop after the chunk in flight; the job is released to `pending`.
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
        policy.delay(u32::try_from(failures + 1).unwrap_or(u32::MAX), &crate::retry::Failure::Transport(String::new()))
    }
}

/// How a run ended, when it did not fail.
#[derive(Debug, Clone)]
pub enum Outcome {
    Completed(Job),
    /// Stopped on request after a committed chunk; the job is `pending` again.
    Released(Job),
    /// Paused or cancelled by an operator; the chunk in flight was abandoned.
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
        let mut pages = if job.has_more || job.cursor.is_none() {
            let (max_body, chunk) = (job.max_body_bytes as usize, job.chunk_size as usize);
            Some(pages::prefetch(&spec, job.cursor.as_deref(), max_body, chunk, &sources)?)
        } else {
            None
        };
        let memory = self.memories.for_job(self.store.as_ref(), &job).await?;
        let mut path = LlmPath::decide(self.llm.as_deref(), self.store.as_ref(), &job).await?;
        let mut current = job;
        // the chunk whose vectors are written and whose commit is due: it commits while
        // the next page is awaited and prepared (stages overlap), so a crash repeats at
        // most these two chunks, and repeating them changes nothing
        let mut ready: Option<chunk::Prepared> = None;
        loop {
            let (committed, next) = match &ready {
                Some(p) => {
                    let (c, n) = tokio::join!(
                        self.commit(lease, &memory, p),
                        self.next(lease, &current, &spec, &mut pages, &memory, &mut path, Some(p))
                    );
                    (Some(c?), n?)
                }
                None => (None, self.next(lease, &current, &spec, &mut pages, &memory, &mut path, None).await?),
            };
            if let Some(c) = committed {
                current = c;
            }
            ready = match next {
                Next::Prepared(p) => Some(p),
                Next::Page(page, wait_ms) => {
                    let mut p = self.prepare(lease, &current, page, &memory, &mut path, None).await?;
                    p.steps.wait_ms = wait_ms;
                    Some(p)
                }
                Next::End => break,
                Next::Stop => {
                    let why = "stopped on request after a committed chunk; resume to continue";
                    self.store.finish(lease, JobState::Pending, Some(why)).await?;
                    self.events.emit(Event::JobFinished {
                        job_id: lease.job_id.clone(),
                        state: JobState::Pending,
                        error: None,
                    });
                    return Ok(Outcome::Released(self.store.job(&lease.job_id).await?));
                }
            };
        }
        self.store.finish(lease, JobState::Completed, None).await?;
        self.events.emit(Event::JobFinished { job_id: lease.job_id.clone(), state: JobState::Completed, error: None });
        Ok(Outcome::Completed(self.store.job(&lease.job_id).await?))
    }
}

/// What comes after the chunk in hand.
enum Next {
    /// The next chunk, prepared while the one before it committed.
    Prepared(chunk::Prepared),
    /// The next page, to prepare once the chunk before it has committed; with how
    /// long it was waited for.
    Page(crate::source::Page, u64),
    /// The source is read to its end.
    End,
    /// Asked to stop: the job is released after the chunk in hand commits.
    Stop,
}

impl Pipeline {
    /// The next page, prepared now if it may be while `ahead` commits.
    #[allow(clippy::too_many_arguments)]
    async fn next(
        &self,
        lease: &Lease,
        job: &Job,
        spec: &SourceSpec,
        pages: &mut Option<pages::PageRx>,
        memory: &crate::memory::Memory,
        path: &mut LlmPath,
        ahead: Option<&chunk::Prepared>,
    ) -> Result<Next> {
        let Some(rx) = pages.as_mut() else { return Ok(Next::End) };
        if *self.stop.borrow() {
            return Ok(Next::Stop);
        }
        let waited = std::time::Instant::now();
        let Some(page) = rx.recv().await else {
            return Err(Error::Source {
                source_spec: spec.to_string(),
                message: "page reader stopped unexpectedly".into(),
            });
        };
        let page = page?;
        let wait_ms = u64::try_from(waited.elapsed().as_millis()).unwrap_or(u64::MAX);
        if !page.has_more {
            *pages = None;
        }
        match ahead {
            Some(_) if !chunk::Prepared::may_overlap(&page, path) => Ok(Next::Page(page, wait_ms)),
            _ => {
                let mut p = self.prepare(lease, job, page, memory, path, ahead).await?;
                p.steps.wait_ms = wait_ms;
                Ok(Next::Prepared(p))
            }
        }
    }
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
