//! The chunk loop (DESIGN §3). One chunk = one source page: normalise, then rules and
//! embeddings in parallel, one vector upsert, one store transaction that also moves
//! the checkpoint. The next page is fetched while this one is processed, and a
//! separate task renews the heartbeat for as long as the job runs.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::email::Email;
use crate::event::{Emitter, Event};
use crate::extract::llm::{Answer, Extraction, LlmExtractor, LlmStop, Missed, PROMPT_VERSION};
use crate::extract::{GraphWrite, resolve, rules};
use crate::job::{Job, JobState, Lease};
use crate::memory::{Memories, Memory};
use crate::provider::{Provider, TenantKey};
use crate::sink::VectorRecord;
use crate::source::{Item, Page, SourceSpec, Sources};
use crate::store::{ChunkCommit, LedgerRow, MemoRow, PROCESSED, SKIPPED, Store, SyncLink};
use crate::{Error, Result};

pub struct Pipeline {
    pub store: Arc<dyn Store>,
    /// Each tenant's embedder and vector table.
    pub memories: Arc<Memories>,
    pub events: Emitter,
    pub heartbeat_every: Duration,
    /// Set to true to stop after the chunk in flight; the job is released to `pending`.
    pub stop: watch::Receiver<bool>,
    /// Clients sources need (Graph), shared by every job this pipeline runs.
    pub sources: Sources,
    /// The LLM path for tenants with their own key; `None` = not configured here.
    pub llm: Option<Arc<Provider>>,
}

/// A job's LLM path: decided when the job starts, stopped for good by a refused key.
#[derive(Debug, Clone)]
enum LlmPath {
    Unconfigured,
    Off(String),
    /// The extractor, and whether it carries the operator's key (not the tenant's).
    On(Arc<LlmExtractor>, bool),
    /// The job's token cap is reached: no more calls in this job.
    Paused(String),
    Failed(String),
}

impl LlmPath {
    fn status(&self) -> Option<String> {
        match self {
            LlmPath::Unconfigured => None,
            LlmPath::Off(why) => Some(format!("off: {why}")),
            LlmPath::On(x, false) => Some(format!("on: model {}", x.model())),
            LlmPath::On(x, true) => Some(format!("on: model {}, the operator's key", x.model())),
            LlmPath::Paused(why) => Some(format!("paused: {why}")),
            LlmPath::Failed(why) => Some(format!("failed: {why}")),
        }
    }
}

/// The LLM side of one chunk.
#[derive(Default)]
struct LlmChunk {
    /// Per email (same order): the extraction to apply, and the ledger status.
    results: Vec<(Option<Extraction>, Option<String>)>,
    memo: Vec<MemoRow>,
    tokens: i64,
    stop: Option<LlmStop>,
    /// Some messages were not asked: the job's token cap has no room left.
    over_budget: bool,
}

/// The ledger's LLM status of a message left for a re-run with a higher cap.
const PAUSED: &str = "paused: token cap reached";

/// How a memoised answer is kept: the extraction, or why there was none.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
enum MemoAnswer {
    Extraction(Extraction),
    Malformed(String),
}

/// How a run ended, when it did not fail.
#[derive(Debug, Clone)]
pub enum Outcome {
    Completed(Job),
    /// Stopped on request after a committed chunk; the job is `pending` again.
    Released(Job),
    /// Paused or cancelled by an operator; the chunk in flight was abandoned.
    Halted(Job),
}

/// What the heartbeat task tells the chunk loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Control {
    Run,
    LeaseLost,
    Requested(JobState),
}

impl Pipeline {
    /// Claim a pending job and run it to the end (or until told to stop).
    pub async fn run(&self, job_id: &str, owner: &str) -> Result<Outcome> {
        let lease = self.store.claim(job_id, owner).await?;
        self.run_lease(lease).await
    }

    /// Run a job this process has just claimed.
    pub async fn run_lease(&self, lease: Lease) -> Result<Outcome> {
        let (control_tx, control_rx) = watch::channel(Control::Run);
        let heartbeat = tokio::spawn(heartbeat_loop(
            self.store.clone(),
            lease.clone(),
            self.heartbeat_every,
            control_tx,
            self.events.clone(),
        ));
        let result = self.run_claimed(&lease, control_rx).await;
        heartbeat.abort();
        match result {
            Ok(outcome) => Ok(outcome),
            // not ours any more: write nothing, not even a failure
            Err(e @ Error::LeaseLost { .. }) => {
                self.events.emit(Event::JobFinished {
                    job_id: lease.job_id.clone(),
                    state: JobState::Running,
                    error: Some(e.to_string()),
                });
                Err(e)
            }
            Err(e) => {
                let msg = format!("{e}");
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

    /// The chunk loop, abandoned mid-chunk when the heartbeat reports a lost lease or
    /// an operator's pause / cancel: dropping the chunk's future rolls its transaction
    /// back, and its vector upsert, if any, is repeated harmlessly on resume.
    async fn run_claimed(&self, lease: &Lease, mut control: watch::Receiver<Control>) -> Result<Outcome> {
        let work = self.chunks(lease);
        let halt = async {
            loop {
                let c = *control.borrow_and_update();
                if c != Control::Run {
                    return c;
                }
                if control.changed().await.is_err() {
                    // the heartbeat task ended without a verdict: keep working
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::select! {
            r = work => r,
            c = halt => match c {
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
        self.events.emit(Event::JobStarted {
            job_id: job.id.clone(),
            tenant: job.tenant.clone(),
            attempt: job.attempts,
            done: job.processed + job.skipped,
            estimated_total: job.estimated_total,
        });
        let spec = SourceSpec::parse(&job.source)?;
        let mut pages = if job.has_more || job.cursor.is_none() {
            Some(prefetch(
                &spec,
                job.cursor.as_deref(),
                job.max_body_bytes as usize,
                job.chunk_size as usize,
                &self.sources,
            )?)
        } else {
            None
        };
        let memory = self.memories.for_job(self.store.as_ref(), &job).await?;
        let mut llm = self.llm_path(&job).await?;
        let mut current = job;
        while let Some(rx) = pages.as_mut() {
            let Some(page) = rx.recv().await else {
                return Err(Error::Source {
                    source_spec: spec.to_string(),
                    message: "page reader stopped unexpectedly".into(),
                });
            };
            let page = page?;
            let has_more = page.has_more;
            current = self.process(lease, &current, page, &memory, &mut llm).await?;
            if !has_more {
                pages = None;
            } else if *self.stop.borrow() {
                self.store
                    .finish(
                        lease,
                        JobState::Pending,
                        Some("stopped on request after a committed chunk; resume to continue"),
                    )
                    .await?;
                self.events.emit(Event::JobFinished {
                    job_id: lease.job_id.clone(),
                    state: JobState::Pending,
                    error: None,
                });
                return Ok(Outcome::Released(self.store.job(&lease.job_id).await?));
            }
        }
        self.store.finish(lease, JobState::Completed, None).await?;
        self.events.emit(Event::JobFinished { job_id: lease.job_id.clone(), state: JobState::Completed, error: None });
        Ok(Outcome::Completed(self.store.job(&lease.job_id).await?))
    }

    /// One chunk through every stage, committed with its checkpoint.
    async fn process(&self, lease: &Lease, job: &Job, page: Page, memory: &Memory, llm: &mut LlmPath) -> Result<Job> {
        if let (LlmPath::On(..), Some(cap)) = (&*llm, job.llm_token_cap)
            && job.llm_tokens >= cap
        {
            self.pause_llm(job, job.llm_tokens, cap, llm);
        }
        let mut emails: Vec<Email> = Vec::with_capacity(page.items.len());
        let mut ledger: Vec<LedgerRow> = Vec::with_capacity(page.items.len());
        let mut skipped = 0i64;
        for item in page.items {
            match item {
                Item::Message(e) => emails.push(e),
                Item::Skipped(r) => {
                    skipped += 1;
                    self.events.emit(Event::MessageSkipped {
                        job_id: job.id.clone(),
                        message_id: r.message_id.clone(),
                        source_ref: r.source_ref.clone(),
                        reason: r.reason.clone(),
                    });
                    ledger.push(LedgerRow {
                        mailbox: job.mailbox.clone(),
                        message_id: r.message_id,
                        content_hash: String::new(),
                        status: SKIPPED.into(),
                        reason: Some(r.reason),
                        vector_status: SKIPPED.into(),
                        graph_status: SKIPPED.into(),
                        subject: None,
                        sender: None,
                        sent_at: None,
                        source_ref: Some(r.source_ref),
                        llm_status: None,
                    });
                }
            }
        }

        // a message repeated inside one page (copies in an export) is one message:
        // embedded once, counted once, one ledger row
        let mut seen = std::collections::HashSet::new();
        emails.retain(|e| seen.insert(e.message_id.clone()));

        let removed = self.removed(job, &page.removed, page.reconcile, &ledger, &emails).await?;
        // a new version of a message that is now unusable keeps no old vector
        let unusable: Vec<String> =
            if page.replace { ledger.iter().map(|r| r.message_id.clone()).collect() } else { Vec::new() };
        if !removed.is_empty() || !unusable.is_empty() {
            // vectors first, as for upserts: a crash before the commit repeats the delete
            let gone: Vec<String> = removed.iter().chain(&unusable).cloned().collect();
            self.memories.delete_everywhere(&job.tenant, &gone).await?;
        }

        // rules and embeddings are independent: run them side by side
        let texts: Vec<String> = emails.iter().map(Email::embedding_text).collect();
        let emails = Arc::new(emails);
        let for_rules = emails.clone();
        let (vectors, graph, extracted) = tokio::join!(
            memory.embedder.embed(texts),
            tokio::task::spawn_blocking(move || {
                let mut g = GraphWrite::default();
                rules::extract(&for_rules, &mut g);
                g
            }),
            self.llm_extract(job, llm, &emails)
        );
        let extracted = extracted?;
        if !extracted.memo.is_empty() || extracted.tokens > 0 {
            // first, and not with the chunk: if the chunk fails (an embedder refused,
            // a lost lease), what was paid for is kept and counted
            self.store.put_llm_spend(lease, &extracted.memo, extracted.tokens).await?;
        }
        let vectors = vectors?;
        let mut graph = graph
            .map_err(|e| Error::Embed { name: "rules".into(), message: format!("extraction task failed: {e}") })?;
        if let (true, Some(cap)) = (extracted.over_budget, job.llm_token_cap) {
            self.pause_llm(job, job.llm_tokens + extracted.tokens, cap, llm);
        }
        if let Some(stop) = &extracted.stop {
            let why = format!("tenant {}: {stop}", job.tenant);
            self.events.emit(Event::Warning {
                job_id: job.id.clone(),
                message: format!("LLM extraction stopped for {why}; vectors and the rule-based graph go on"),
            });
            *llm = LlmPath::Failed(why);
        }
        for (e, (x, _)) in emails.iter().zip(&extracted.results) {
            if let Some(x) = x {
                resolve::apply(e, x, &mut graph);
            }
        }
        if vectors.len() != emails.len() {
            return Err(Error::Embed {
                name: memory.embedder.name().into(),
                message: format!("returned {} vectors for {} texts", vectors.len(), emails.len()),
            });
        }

        let records: Vec<VectorRecord> =
            emails.iter().zip(vectors).map(|(e, v)| VectorRecord::of(&job.tenant, &job.mailbox, e, v)).collect();
        // vectors first: a crash after this and before the commit repeats the chunk,
        // and the upsert makes the repeat a no-op
        let written = memory.sink.upsert(&records).await?;

        for (i, e) in emails.iter().enumerate() {
            ledger.push(LedgerRow {
                llm_status: extracted.results.get(i).and_then(|(_, s)| s.clone()),
                mailbox: job.mailbox.clone(),
                message_id: e.message_id.clone(),
                content_hash: e.content_hash.clone(),
                status: PROCESSED.into(),
                reason: e.body_truncated.then(|| "body truncated to the configured cap".to_string()),
                vector_status: "written".into(),
                graph_status: "written".into(),
                subject: Some(e.subject.clone()),
                sender: e.from.as_ref().map(|m| m.address.clone()),
                sent_at: e.date_ms,
                source_ref: Some(e.source_ref.clone()),
            });
        }
        let commit = ChunkCommit {
            cursor: page.cursor,
            has_more: page.has_more,
            processed: emails.len() as i64,
            skipped,
            vectors: written as i64,
            ledger,
            graph,
            removed: removed.into_iter().map(|id| (job.mailbox.clone(), id)).collect(),
            replace: page.replace,
            sync_links: page
                .sync_links
                .into_iter()
                .map(|(folder, link)| SyncLink { mailbox: job.mailbox.clone(), folder, link })
                .collect(),
            embedder: Some((memory.spec.stored_name(), memory.spec.dimensions().map(i64::from))),
            llm_status: llm.status(),
        };
        let in_chunk = (commit.processed + commit.skipped) as usize;
        let updated = self.store.commit_chunk(lease, &commit).await?;
        self.events.emit(Event::ChunkCommitted {
            job_id: updated.id.clone(),
            chunk: updated.chunks,
            in_chunk,
            processed: updated.processed,
            skipped: updated.skipped,
            vectors: updated.vectors,
            has_more: updated.has_more,
            estimated_total: updated.estimated_total,
        });
        Ok(updated)
    }
}

impl Pipeline {
    /// The job's LLM path: on when the tenant has a key this process can open (or
    /// the operator allowed the operator's key).
    async fn llm_path(&self, job: &Job) -> Result<LlmPath> {
        let Some(p) = &self.llm else { return Ok(LlmPath::Unconfigured) };
        let key = p.key_for(self.store.as_ref(), &job.tenant).await?;
        let (key, operator) = match key {
            TenantKey::Own(k) => (k, false),
            TenantKey::Operator(k) => (k, true),
            TenantKey::Missing(why) => return Ok(LlmPath::Off(why)),
            // a key sealed under another master key, or damaged: say so, go on without
            TenantKey::Unusable(why) => return Ok(LlmPath::Failed(why)),
        };
        // rate limits are per key: the operator's is shared by every tenant using it
        let owner = if operator { "operator".to_string() } else { format!("tenant:{}", job.tenant) };
        let limiter = p.limiter(&owner, &p.settings.model);
        match LlmExtractor::new(p.settings.clone(), &key, limiter) {
            Ok(x) => Ok(LlmPath::On(Arc::new(x), operator)),
            Err(e) => Ok(LlmPath::Failed(format!("tenant {}: {e}", job.tenant))),
        }
    }

    /// The job's token cap is reached: no more calls in this job.
    fn pause_llm(&self, job: &Job, used: i64, cap: i64, llm: &mut LlmPath) {
        let why = format!(
            "the job used {used} of its {cap} LLM tokens (--max-llm-tokens); re-run with a higher cap to extract the rest, memoised answers cost nothing"
        );
        self.events.emit(Event::Warning { job_id: job.id.clone(), message: format!("LLM extraction paused: {why}") });
        *llm = LlmPath::Paused(why);
    }

    /// Memoised answers first (whatever state the path is in: a paused or stopped
    /// path still has what was paid for); the model only for unseen content, and only
    /// while the path is on.
    async fn llm_extract(&self, job: &Job, llm: &LlmPath, emails: &[Email]) -> Result<LlmChunk> {
        let mut out = LlmChunk::default();
        let (Some(cfg), LlmPath::On(..) | LlmPath::Paused(_) | LlmPath::Failed(_)) = (&self.llm, llm) else {
            out.results = emails.iter().map(|_| (None, None)).collect();
            return Ok(out);
        };
        let model = cfg.settings.model.as_str();
        let hashes: Vec<String> = emails.iter().map(|e| e.content_hash.clone()).collect();
        let memo = self.store.llm_memo(&job.tenant, model, PROMPT_VERSION, &hashes).await?;
        let misses: Vec<&Email> = emails.iter().filter(|e| !memo.contains_key(&e.content_hash)).collect();
        let mut fresh: std::collections::HashMap<&str, (Option<Extraction>, String)> = std::collections::HashMap::new();
        match llm {
            LlmPath::On(x, _) if !misses.is_empty() => {
                let budget = job.llm_token_cap.map(|cap| cap - job.llm_tokens);
                let batch = x.extract(&misses, budget).await;
                out.stop = batch.stop;
                out.over_budget = batch.over_budget;
                for (e, a) in misses.iter().zip(batch.answers) {
                    let (kept, status, tokens) = match a {
                        Ok(Answer::Extracted { extraction, tokens }) => {
                            (MemoAnswer::Extraction(extraction), "extracted".to_string(), tokens)
                        }
                        Ok(Answer::Malformed { reason, tokens }) => {
                            (MemoAnswer::Malformed(reason.clone()), format!("malformed: {reason}"), tokens)
                        }
                        Err(Missed::Message { why, tokens }) => {
                            out.tokens += tokens;
                            fresh.insert(e.content_hash.as_str(), (None, format!("failed: {why}")));
                            continue;
                        }
                        Err(Missed::OverBudget) => {
                            fresh.insert(e.content_hash.as_str(), (None, PAUSED.to_string()));
                            continue;
                        }
                        Err(Missed::Stopped(_)) => continue,
                    };
                    out.tokens += tokens;
                    out.memo.push(MemoRow {
                        content_hash: e.content_hash.clone(),
                        prompt_version: PROMPT_VERSION.into(),
                        model: model.into(),
                        answer: serde_json::to_string(&kept).unwrap_or_default(),
                        tokens,
                    });
                    let extraction = match kept {
                        MemoAnswer::Extraction(x) => Some(x),
                        MemoAnswer::Malformed(_) => None,
                    };
                    fresh.insert(e.content_hash.as_str(), (extraction, status));
                }
            }
            _ => {}
        }
        let unasked = match llm {
            LlmPath::Paused(_) => PAUSED,
            _ => "failed: the LLM path stopped",
        };
        out.results = emails
            .iter()
            .map(|e| match (memo.get(&e.content_hash), fresh.remove(e.content_hash.as_str())) {
                (Some(answer), _) => match serde_json::from_str::<MemoAnswer>(answer) {
                    Ok(MemoAnswer::Extraction(x)) => (Some(x), Some("memoised".to_string())),
                    Ok(MemoAnswer::Malformed(why)) => (None, Some(format!("malformed (memoised): {why}"))),
                    Err(_) => (None, None),
                },
                (None, Some((x, status))) => (x, Some(status)),
                (None, None) => (None, Some(unasked.to_string())),
            })
            .collect();
        Ok(out)
    }

    /// What this chunk deletes: the source's removals, except messages this job wrote
    /// again (moved to a folder read later in the run), and after a full re-list the
    /// mailbox's rows from this source the job did not write; never a message this
    /// chunk carries.
    async fn removed(
        &self,
        job: &Job,
        removed: &[String],
        reconcile: bool,
        ledger: &[LedgerRow],
        emails: &[Email],
    ) -> Result<Vec<String>> {
        let mut out: std::collections::BTreeSet<String> = removed.iter().cloned().collect();
        if !out.is_empty() {
            let candidates: Vec<String> = out.iter().cloned().collect();
            let again = self.store.ledger_written_by(&job.tenant, &job.mailbox, &job.id, &candidates).await?;
            out.retain(|id| !again.contains(id));
        }
        if reconcile {
            out.extend(self.store.ledger_not_written_by(&job.tenant, &job.mailbox, &job.id, "graph:").await?);
        }
        for id in emails.iter().map(|e| &e.message_id).chain(ledger.iter().map(|r| &r.message_id)) {
            out.remove(id);
        }
        Ok(out.into_iter().collect())
    }
}

type PageRx = mpsc::Receiver<Result<Page>>;

/// Read pages on their own task, one page ahead of the chunk being processed.
fn prefetch(
    spec: &SourceSpec,
    cursor: Option<&str>,
    max_body: usize,
    chunk: usize,
    sources: &Sources,
) -> Result<PageRx> {
    let mut source = spec.open(cursor, max_body, sources)?;
    let (tx, rx) = mpsc::channel(1);
    tokio::spawn(async move {
        loop {
            let page = source.next_page(chunk).await;
            let last = page.as_ref().map(|p| !p.has_more).unwrap_or(true);
            if tx.send(page).await.is_err() || last {
                break;
            }
        }
    });
    Ok(rx)
}

/// Renew the heartbeat from the claim to the end of the run, independent of how long
/// a chunk takes. Reports a lost lease or an operator's request to the chunk loop.
async fn heartbeat_loop(
    store: Arc<dyn Store>,
    lease: Lease,
    every: Duration,
    control: watch::Sender<Control>,
    events: Emitter,
) {
    let mut tick = tokio::time::interval(every);
    tick.tick().await; // the claim itself set the first heartbeat
    loop {
        tick.tick().await;
        match store.heartbeat(&lease).await {
            Ok(None) => {}
            Ok(Some(to)) => {
                let _ = control.send(Control::Requested(to));
                return;
            }
            Err(e @ Error::LeaseLost { .. }) => {
                events.emit(Event::Warning { job_id: lease.job_id.clone(), message: e.to_string() });
                let _ = control.send(Control::LeaseLost);
                return;
            }
            // a missed beat is not fatal; the stale threshold allows several
            Err(e) => {
                events.emit(Event::Warning { job_id: lease.job_id.clone(), message: format!("heartbeat failed: {e}") })
            }
        }
    }
}
