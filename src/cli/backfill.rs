//! `atom-sync backfill`: create a job for a tenant and a source, and run it.

use std::sync::Arc;
use std::time::Duration;

use atom_sync::embed::{Embedder, LocalEmbedder};
use atom_sync::job::{NewJob, owner_name};
use atom_sync::pipeline::{Outcome, Pipeline};
use atom_sync::settings::{DEFAULT_CHUNK_SIZE, validate_tenant};
use atom_sync::sink::LanceSink;
use atom_sync::sink::lance::DEFAULT_TABLE;
use atom_sync::source::SourceSpec;
use atom_sync::store::Store;
use clap::Args;
use clap::builder::TypedValueParser;

use super::render::Renderer;
use super::{Global, exit};

#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// The tenant whose memories receive the mail
    #[arg(long)]
    pub tenant: String,

    /// Where the mail comes from: mbox:PATH, maildir:PATH or eml:PATH
    #[arg(long, value_name = "KIND:PATH")]
    pub source: String,

    /// Mailbox name recorded in the ledger [default: the export's file or folder name]
    #[arg(long)]
    pub mailbox: Option<String>,

    /// Messages per chunk: one source page, one embedding batch, one transaction
    #[arg(long, default_value_t = DEFAULT_CHUNK_SIZE, value_parser = clap::value_parser!(u32).range(1..=10_000).map(|v| v as usize))]
    pub chunk_size: usize,

    /// Cap on the text body handed to extraction and embedding, in bytes
    #[arg(long, default_value_t = atom_sync::email::DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,

    /// Only enqueue the job (for `atom-sync worker`s) and print its id
    #[arg(long)]
    pub detach: bool,

    #[command(flatten)]
    pub run: RunOpts,
}

/// How a job runs in this process (shared by `backfill` and `resume`).
#[derive(Debug, Args)]
pub struct RunOpts {
    /// How often the heartbeat is renewed while the job runs
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration, env = "ATOM_SYNC_HEARTBEAT")]
    pub heartbeat: Duration,
}

pub async fn run(g: &Global, args: BackfillArgs) -> anyhow::Result<u8> {
    validate_tenant(&args.tenant)?;
    let spec = SourceSpec::parse(&args.source)?.canonical()?;
    let mailbox = args.mailbox.clone().unwrap_or_else(|| spec.default_mailbox());
    let estimated_total = {
        let spec = spec.clone();
        tokio::task::spawn_blocking(move || spec.estimate()).await??
    };
    let store = g.store().await?;
    // open the vector table before creating the job: a refused table leaves nothing behind
    let (embedder, sink) = open_memories(g).await?;
    let job = store
        .create_job(&NewJob {
            tenant: args.tenant.clone(),
            source: spec.to_string(),
            mailbox,
            chunk_size: args.chunk_size as i64,
            max_body_bytes: args.max_body_bytes as i64,
            estimated_total: estimated_total.map(|t| t as i64),
        })
        .await?;
    if args.detach {
        println!("{}", job.id);
        return Ok(exit::OK);
    }
    execute(g, store, embedder, sink, &job, &args.run, true).await
}

pub(super) async fn open_memories(g: &Global) -> anyhow::Result<(Arc<dyn Embedder>, Arc<LanceSink>)> {
    let embedder: Arc<dyn Embedder> = Arc::new(LocalEmbedder::load()?);
    let sink = LanceSink::open(&g.lance_uri(), DEFAULT_TABLE, embedder.name(), embedder.dimension()).await?;
    Ok((embedder, Arc::new(sink)))
}

/// Run a pending job here, drawing progress; Ctrl-C or SIGTERM stops it after the
/// chunk in flight and releases it for `resume`.
pub(super) async fn execute(
    g: &Global,
    store: Arc<dyn Store>,
    embedder: Arc<dyn Embedder>,
    sink: Arc<LanceSink>,
    job: &atom_sync::job::Job,
    opts: &RunOpts,
    announce: bool,
) -> anyhow::Result<u8> {
    let (events, renderer) = Renderer::start(g.quiet, true, g.json_logs());
    if announce {
        events.emit(atom_sync::event::Event::JobCreated { job: job.clone() });
    }
    let (stop_rx, signals) = stop_on_signal();
    let pipeline =
        Pipeline { store: store.clone(), sink, embedder, events, heartbeat_every: opts.heartbeat, stop: stop_rx };
    let result = pipeline.run(&job.id, &owner_name()).await;
    signals.abort();
    drop(pipeline);
    renderer.finish().await;
    match result {
        Ok(Outcome::Completed(job)) => {
            println!(
                "job {} completed: {} processed, {} skipped, {} vectors, {} entities, {} relationships",
                job.id, job.processed, job.skipped, job.vectors, job.entities, job.relationships
            );
            Ok(exit::OK)
        }
        Ok(Outcome::Halted(job)) => {
            println!("job {} {} on request after {} chunks", job.id, job.state, job.chunks);
            Ok(exit::OK)
        }
        Ok(Outcome::Released(job)) => {
            println!(
                "job {} stopped after chunk {}; continue with: atom-sync resume {}",
                job.id,
                job.chunks,
                job.short_id()
            );
            Ok(exit::INTERRUPTED)
        }
        Err(e @ atom_sync::Error::LeaseLost { .. }) => Err(e.into()),
        Err(e) => match store.job(&job.id).await {
            Ok(j) if j.state == atom_sync::job::JobState::Failed => {
                eprintln!("error: job {} failed: {e}", j.id);
                eprintln!("  after fixing the cause: atom-sync resume {}", j.short_id());
                Ok(exit::JOB_FAILED)
            }
            _ => Err(anyhow::Error::from(e).context(format!("running job {}", job.id))),
        },
    }
}

/// A stop flag that Ctrl-C or SIGTERM sets: work stops after the chunk in flight.
pub(super) fn stop_on_signal() -> (tokio::sync::watch::Receiver<bool>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let handle = tokio::spawn(async move {
        wait_for_signal().await;
        let _ = tx.send(true);
    });
    (rx, handle)
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
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
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
