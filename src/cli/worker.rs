//! `atom-sync worker`: claim and run pending jobs until told to stop. N of these on N
//! machines share one Postgres; this is the whole deploy story.

use std::sync::Arc;
use std::time::Duration;

use atom_sync::job::owner_name;
use atom_sync::pipeline::Pipeline;
use atom_sync::tenant::TenantId;
use atom_sync::worker::{self, Options};
use clap::Args;

use super::render::Renderer;
use super::run::{RunOpts, stop_on_signal};
use super::{Global, exit};

#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Only this tenant's jobs [default: every tenant]
    #[arg(long)]
    pub tenant: Option<TenantId>,

    /// Jobs run at once by this process
    #[arg(long, default_value_t = 2, env = "ATOM_SYNC_WORKER_CONCURRENCY")]
    pub concurrency: usize,

    /// How often an idle worker looks for pending jobs
    #[arg(long, default_value = "2s", value_parser = atom_sync::time::parse_interval, env = "ATOM_SYNC_WORKER_POLL")]
    pub poll: Duration,

    /// Drain the pending jobs, then exit (instead of polling forever)
    #[arg(long)]
    pub once: bool,

    #[command(flatten)]
    pub run: RunOpts,
}

pub async fn run(g: &Global, args: WorkerArgs) -> anyhow::Result<u8> {
    let store = g.store().await?;
    let services = g.services(Some(store.as_ref())).await?;
    let can = services.capabilities();
    // say at start what this worker leaves to others, and why
    if let Err(why) = &services.master {
        tracing::warn!(
            "{why}; jobs of tenants with sealed keys or a Microsoft 365 connection are left to other workers"
        );
    }
    if !can.default_graph {
        tracing::info!(
            "no default Graph credentials: Graph jobs of tenants without a connection of their own are left to other workers"
        );
    }
    let (events, renderer) = Renderer::start(g.quiet, false);
    let (stop, signals) = stop_on_signal();
    let owner = owner_name();
    tracing::info!(owner, concurrency = args.concurrency, "worker started");
    let pipeline = Arc::new(Pipeline {
        store,
        memories: services.memories.clone(),
        events,
        heartbeat_every: args.run.heartbeat,
        stop: stop.clone(),
        clients: services.clients.clone(),
        llm: Some(services.provider.clone()),
        retry: args.run.retry(),
    });
    let opts = Options {
        tenant: args.tenant.map(|t| t.to_string()),
        concurrency: args.concurrency,
        poll: args.poll,
        once: args.once,
        owner,
        can,
    };
    let report = worker::run(pipeline, opts, stop).await;
    signals.abort();
    renderer.finish().await;
    let report = report?;
    tracing::info!(?report, "worker stopped");
    Ok(exit::OK)
}
