//! `atom-sync sync`: an incremental run per Graph mailbox. Each folder is followed
//! through a delta query from the link the last sync stored: new and changed mail
//! goes through the pipeline, deleted mail leaves both memories.

use atom_sync::settings::DEFAULT_CHUNK_SIZE;
use atom_sync::source::graph::GraphSpec;
use atom_sync::tenant::TenantId;
use clap::Args;
use clap::builder::TypedValueParser;

use super::Global;
use super::run::{GraphSelect, JobOpts, graph_jobs, run_all};

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The tenant whose memories are brought up to date
    #[arg(long)]
    pub tenant: TenantId,

    /// A user id or principal name, one job each (repeatable)
    #[arg(long, value_name = "USER", value_parser = atom_sync::text::mailbox_name)]
    pub mailbox: Vec<String>,

    #[command(flatten)]
    pub select: GraphSelect,

    /// Messages per chunk (Graph's odata.maxpagesize, at most 1000)
    #[arg(long, default_value_t = DEFAULT_CHUNK_SIZE, env = "ATOM_SYNC_CHUNK_SIZE", value_parser = clap::value_parser!(u32).range(1..=1000).map(|v| v as usize))]
    pub chunk_size: usize,

    #[command(flatten)]
    pub job: JobOpts,
}

pub async fn run(g: &Global, args: SyncArgs) -> anyhow::Result<u8> {
    let make = |mailbox: &str| GraphSpec {
        mailbox: mailbox.to_string(),
        folders: args.select.folders.clone(),
        from_ms: None,
        to_ms: None,
        window_ms: atom_sync::source::graph::DEFAULT_WINDOW.as_millis() as i64,
        top: args.chunk_size as u32,
        delta: true,
        order: Default::default(),
    };
    let planned = graph_jobs(g, &args.tenant, &args.select, &args.mailbox, args.chunk_size, &args.job, make).await?;
    run_all(g, planned, args.job.detach, &args.job.run, true, args.job.json).await
}
