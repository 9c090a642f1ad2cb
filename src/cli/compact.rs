//! `atom-sync compact`: merge the vector table's small files (one per committed chunk)
//! and drop old versions. Run it from cron, e.g. nightly; safe beside running jobs.

use clap::Args;

use super::backfill::open_memories;
use super::{Global, exit};

#[derive(Debug, Args)]
pub struct CompactArgs {
    /// One JSON document on stdout
    #[arg(long)]
    pub json: bool,
}

pub async fn run(g: &Global, args: CompactArgs) -> anyhow::Result<u8> {
    let (_, sink) = open_memories(g).await?;
    let stats = sink.compact().await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
    } else {
        println!(
            "compacted {}: {} fragments merged into {}, {} old versions removed ({} bytes)",
            sink.uri(),
            stats.fragments_removed,
            stats.fragments_added,
            stats.old_versions_removed,
            stats.bytes_removed
        );
    }
    Ok(exit::OK)
}
