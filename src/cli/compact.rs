//! `atom-sync compact`: merge the vector tables' small files (one per committed chunk)
//! and drop old versions, in every embedder's table. Run it from cron, e.g. nightly;
//! safe beside running jobs.

use clap::Args;

use atom_sync::sink::LanceSink;

use super::{Global, exit};

#[derive(Debug, Args)]
pub struct CompactArgs {
    /// One JSON document on stdout
    #[arg(long)]
    pub json: bool,
}

pub async fn run(g: &Global, args: CompactArgs) -> anyhow::Result<u8> {
    let at = g.lance_location()?;
    let uri = at.uri.clone();
    let sinks = LanceSink::open_all(&at).await?;
    let mut tables = Vec::with_capacity(sinks.len());
    for sink in &sinks {
        let stats = sink.compact().await?;
        if !args.json {
            println!(
                "compacted {} table {}: {} fragments merged into {}, {} old versions removed ({} bytes)",
                sink.uri(),
                sink.table_name(),
                stats.fragments_removed,
                stats.fragments_added,
                stats.old_versions_removed,
                stats.bytes_removed
            );
        }
        tables.push(serde_json::json!({ "table": sink.table_name(), "embedder": sink.embedder(), "stats": stats }));
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "uri": uri, "tables": tables }))?);
    } else if sinks.is_empty() {
        println!("no vector tables at {uri}: nothing to compact");
    }
    Ok(exit::OK)
}
