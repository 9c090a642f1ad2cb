//! What `backfill`, `sync`, `resume` and `worker` share: the options of a new job and
//! of a run, Graph jobs made from a mailbox plan, and running jobs here with progress
//! drawn and Ctrl-C / SIGTERM honoured once the chunks in hand commit.

use std::sync::Arc;
use std::time::Duration;

use atom_sync::job::{Job, JobState, NewJob, owner_name};
use atom_sync::pipeline::{Outcome, Pipeline};
use atom_sync::source::SourceSpec;
use atom_sync::source::graph::{GraphSpec, Mailboxes};
use atom_sync::store::Store;
use clap::Args;

use super::render::Renderer;
use super::{Global, Services, exit};

/// What every new job takes (shared by `backfill` and `sync`).
#[derive(Debug, Args)]
pub struct JobOpts {
    /// Cap on the text body handed to extraction and embedding, in bytes
    #[arg(long, default_value_t = atom_sync::email::DEFAULT_MAX_BODY_BYTES, env = "ATOM_SYNC_MAX_BODY_BYTES")]
    pub max_body_bytes: usize,

    /// Only enqueue the job(s) (for `atom-sync worker`s) and print their ids
    #[arg(long)]
    pub detach: bool,

    /// One JSON document on stdout when done: the jobs as `status --json` shows them
    /// (with --dry-run: the estimate)
    #[arg(long)]
    pub json: bool,

    /// Tokens after which the job's LLM extraction pauses (vectors and rules go on); re-run with a higher cap to finish, memoised answers cost nothing
    #[arg(long, value_name = "TOKENS", env = "ATOM_SYNC_MAX_LLM_TOKENS")]
    pub max_llm_tokens: Option<u64>,

    #[command(flatten)]
    pub run: RunOpts,
}

impl JobOpts {
    pub fn llm_token_cap(&self) -> Option<i64> {
        self.max_llm_tokens.map(|t| i64::try_from(t).unwrap_or(i64::MAX))
    }
}

/// Which Graph mailboxes and folders (shared by `backfill` and `sync`).
#[derive(Debug, Args)]
pub struct GraphSelect {
    /// Graph: every account of the directory that has a mailbox (shared mailboxes too; guests and accounts without one are skipped and listed), one job each
    #[arg(long, conflicts_with_all = ["mailbox", "mailboxes_from"])]
    pub all_mailboxes: bool,

    /// Graph: the mailboxes listed in FILE, one per line (blank lines and # comments ignored), with any --mailbox
    #[arg(long, value_name = "FILE")]
    pub mailboxes_from: Option<std::path::PathBuf>,

    /// Graph: leave this mailbox out (repeatable; with --all-mailboxes or a list)
    #[arg(long, value_name = "USER", value_parser = atom_sync::text::mailbox_name)]
    pub exclude: Vec<String>,

    /// Graph: only these folders (ids or well-known names such as inbox, sentitems, archive; repeatable) [default: every folder]
    #[arg(long = "folder", value_name = "FOLDER")]
    pub folders: Vec<String>,
}

impl GraphSelect {
    /// The mailboxes named by `--mailbox` and `--mailboxes-from`, or all of them. A bad
    /// line of the file is refused, naming the file and the line.
    pub fn mailboxes(&self, named: &[String]) -> anyhow::Result<Mailboxes> {
        if self.all_mailboxes {
            return Ok(Mailboxes::All);
        }
        let mut all = named.to_vec();
        if let Some(path) = &self.mailboxes_from {
            let text = std::fs::read_to_string(path).map_err(|e| {
                atom_sync::Error::Invalid(format!("--mailboxes-from {}: cannot read it: {e}", path.display()))
            })?;
            for (i, line) in text.lines().enumerate() {
                let line = line.split('#').next().unwrap_or_default().trim();
                if line.is_empty() {
                    continue;
                }
                let m = atom_sync::text::mailbox_name(line).map_err(|e| {
                    atom_sync::Error::Invalid(format!("--mailboxes-from {}, line {}: {e}", path.display(), i + 1))
                })?;
                all.push(m);
            }
            if all.is_empty() {
                anyhow::bail!(atom_sync::Error::Invalid(format!(
                    "--mailboxes-from {}: the file names no mailbox",
                    path.display()
                )));
            }
        }
        Ok(Mailboxes::Named(all))
    }
}

/// Tell the operator which accounts of the directory are left out, and why.
pub fn note_skipped(resolved: &atom_sync::source::graph::Resolved) {
    if resolved.skipped.is_empty() {
        return;
    }
    let list: Vec<String> = resolved.skipped.iter().map(|(m, why)| format!("{m} ({why})")).collect();
    super::log::note(format!(
        "serving {} mailbox(es); left out {}: {}",
        resolved.mailboxes.len(),
        resolved.skipped.len(),
        list.join(", ")
    ));
}

/// How a job runs in this process (shared by `backfill`, `resume` and `worker`).
#[derive(Debug, Args)]
pub struct RunOpts {
    /// How often the heartbeat is renewed while the job runs
    #[arg(long, default_value = "5s", value_parser = atom_sync::time::parse_interval, env = "ATOM_SYNC_HEARTBEAT")]
    pub heartbeat: Duration,

    /// A job that fails for a reason that may pass (database, Graph or provider unreachable) is retried until it has failed this often (rescues by the reaper count too)
    #[arg(long, default_value_t = 5, env = "ATOM_SYNC_MAX_ATTEMPTS", value_parser = clap::value_parser!(i64).range(1..=1000))]
    pub max_attempts: i64,

    /// The first wait before such a retry; it doubles with each failure, up to 30 minutes
    #[arg(long, default_value = "1m", value_parser = atom_sync::time::parse_span, env = "ATOM_SYNC_RETRY_BACKOFF")]
    pub retry_backoff: Duration,
}

impl RunOpts {
    pub fn retry(&self) -> atom_sync::pipeline::Retry {
        atom_sync::pipeline::Retry { max_attempts: self.max_attempts, backoff: self.retry_backoff }
    }
}

/// New jobs, with the store and services opened to make them (and to run them).
pub struct Planned {
    pub jobs: Vec<Job>,
    pub store: Arc<dyn Store>,
    pub services: Services,
}

/// One pending Graph job per mailbox of the plan. The memories are opened first, so a
/// refused vector table leaves nothing behind; an incremental job starts at the delta
/// links the last sync of its mailbox stored.
pub async fn graph_jobs(
    g: &Global,
    tenant: &str,
    select: &GraphSelect,
    named: &[String],
    chunk_size: usize,
    opts: &JobOpts,
    spec: impl Fn(&str) -> GraphSpec,
) -> anyhow::Result<Planned> {
    let store = g.store().await?;
    let services = prepare(g, store.as_ref(), tenant).await?;
    // the tenant's own connection, or the default: none fails here, naming the tenant
    let client = services.clients.for_tenant(store.as_ref(), tenant).await?;
    let resolved = select.mailboxes(named)?.resolve(&client, &select.exclude).await?;
    note_skipped(&resolved);
    let mailboxes = resolved.mailboxes;
    let mut jobs = Vec::with_capacity(mailboxes.len());
    for mailbox in &mailboxes {
        let spec = spec(mailbox);
        let cursor = match spec.delta {
            true => GraphSpec::delta_cursor(&store.sync_links(tenant, mailbox).await?),
            false => None,
        };
        let new = NewJob {
            tenant: tenant.to_string(),
            source: SourceSpec::Graph(spec).to_string(),
            mailbox: mailbox.clone(),
            chunk_size: chunk_size as i64,
            max_body_bytes: opts.max_body_bytes as i64,
            estimated_total: None,
            cursor,
            llm_token_cap: opts.llm_token_cap(),
        };
        jobs.push(create_job(store.as_ref(), &new, opts.detach).await?);
    }
    Ok(Planned { jobs, store, services })
}

/// A new job, or, when only enqueueing (`--detach`) and the mailbox already has an
/// active job, that job (reported like a new one): cron never piles up jobs.
pub async fn create_job(store: &dyn Store, new: &NewJob, detach: bool) -> anyhow::Result<Job> {
    match store.create_job(new).await {
        Ok(job) => Ok(job),
        Err(atom_sync::Error::ActiveJob { job, state, .. }) if detach => {
            super::log::note(format!(
                "tenant {}, mailbox {}: job {job} is already {state}; not enqueued again",
                new.tenant, new.mailbox
            ));
            Ok(store.job(&job).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Print the ids (`--detach`), or run the jobs here one after another; the exit code
/// is the first failing job's. `json`: one document on stdout instead, the jobs as
/// they ended (or were enqueued), as `status --json` shows them.
pub async fn run_all(
    g: &Global,
    planned: Planned,
    detach: bool,
    opts: &RunOpts,
    announce: bool,
    json: bool,
) -> anyhow::Result<u8> {
    let Planned { jobs, store, services } = planned;
    let report = async |jobs: &[Job]| -> anyhow::Result<()> {
        let now = store.now().await?;
        println!("{}", serde_json::to_string_pretty(&super::status::jobs_doc(jobs, now))?);
        Ok(())
    };
    if detach {
        if json {
            report(&jobs).await?;
        } else {
            for j in &jobs {
                println!("{}", j.id);
            }
        }
        return Ok(exit::OK);
    }
    let mut code = exit::OK;
    let mut ended = Vec::with_capacity(jobs.len());
    for job in &jobs {
        let (c, last) = execute(g, store.clone(), &services, job, opts, announce, json).await?;
        ended.push(last);
        if c == exit::INTERRUPTED {
            code = c;
            break;
        }
        if code == exit::OK {
            code = c;
        }
    }
    if json {
        report(&ended).await?;
    }
    Ok(code)
}

/// The services, with `tenant`'s embedder and vector table opened and its secrets
/// checked (so a refused table, a missing embedder key or a master key that is not
/// the fleet's fails here, before any job exists).
pub async fn prepare(g: &Global, store: &dyn Store, tenant: &str) -> anyhow::Result<Services> {
    let services = g.services(Some(store)).await?;
    services.check_tenant(store, tenant).await?;
    services.memories.for_tenant(store, tenant).await?;
    Ok(services)
}

/// Run a pending job here, drawing progress; Ctrl-C or SIGTERM stops it once the
/// chunks in hand commit and releases it for `resume`. A run that fails for a reason that
/// may pass is waited out and run again, as a worker would.
pub async fn execute(
    g: &Global,
    store: Arc<dyn Store>,
    services: &Services,
    job: &Job,
    opts: &RunOpts,
    announce: bool,
    json: bool,
) -> anyhow::Result<(u8, Job)> {
    let (events, renderer) = Renderer::start(g.quiet, true);
    if announce {
        events.emit(atom_sync::event::Event::JobCreated { job: job.clone() });
    }
    let (mut stop_rx, signals) = stop_on_signal();
    let pipeline = Pipeline {
        store: store.clone(),
        memories: services.memories.clone(),
        events,
        heartbeat_every: opts.heartbeat,
        stop: stop_rx.clone(),
        clients: services.clients.clone(),
        llm: Some(services.provider.clone()),
        retry: opts.retry(),
    };
    let owner = owner_name();
    let result = loop {
        match pipeline.run(&job.id, &owner).await {
            Ok(Outcome::Retrying(j)) => {
                let now = store.now().await.unwrap_or_else(|_| atom_sync::time::now_ms());
                let wait = Duration::from_millis(j.not_before.unwrap_or(now).saturating_sub(now).max(0) as u64);
                tokio::select! {
                    _ = tokio::time::sleep(wait) => continue,
                    _ = stop_rx.changed() => break Ok(Outcome::Released(j)),
                }
            }
            other => break other,
        }
    };
    signals.abort();
    drop(pipeline);
    renderer.finish().await;
    // with --json the document on stdout says it all; these lines are for people
    let say = |line: String| {
        if !json {
            println!("{line}");
        }
    };
    match result {
        Ok(Outcome::Completed(job)) => {
            let removed = if job.removed > 0 { format!(", {} removed", job.removed) } else { String::new() };
            say(format!(
                "job {} completed: {} processed, {} skipped{removed}, {} vectors, {} entities, {} relationships",
                job.id, job.processed, job.skipped, job.vectors, job.entities, job.relationships
            ));
            Ok((exit::OK, job))
        }
        Ok(Outcome::Halted(job)) => {
            say(format!("job {} {} on request after {} chunks", job.id, job.state, job.chunks));
            Ok((exit::OK, job))
        }
        Ok(Outcome::Released(job) | Outcome::Retrying(job)) => {
            say(format!(
                "job {} stopped after chunk {}; continue with: atom-sync resume {}",
                job.id,
                job.chunks,
                job.short_id()
            ));
            Ok((exit::INTERRUPTED, job))
        }
        Err(e @ atom_sync::Error::LeaseLost { .. }) => Err(e.into()),
        Err(e) => match store.job(&job.id).await {
            Ok(j) if j.state == JobState::Failed => {
                super::log::alert(format!(
                    "job {} failed: {e}\n  after fixing the cause: atom-sync resume {}",
                    j.id,
                    j.short_id()
                ));
                Ok((exit::JOB_FAILED, j))
            }
            _ => Err(anyhow::Error::from(e).context(format!("running job {}", job.id))),
        },
    }
}

/// A stop flag that Ctrl-C or SIGTERM sets: work stops once the chunks in hand commit.
pub fn stop_on_signal() -> (tokio::sync::watch::Receiver<bool>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let handle = tokio::spawn(async move {
        wait_for_signal().await;
        let _ = tx.send(true);
    });
    (rx, handle)
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
