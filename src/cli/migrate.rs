//! `migrate`: bring the store's schema up to date. On Postgres this is the one
//! command that changes the schema (run it once per upgrade, before restarting the
//! workers); every other command checks the version and refuses a mismatch.

use clap::Args;

use super::{Global, exit};

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Print {"backend", "before", "after", "applied"} as JSON
    #[arg(long)]
    pub json: bool,
}

pub async fn run(g: &Global, args: MigrateArgs) -> anyhow::Result<u8> {
    let done = atom_sync::store::migrate(g.database_url.as_deref(), &g.data_dir()).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&done)?);
    } else if done.applied.is_empty() {
        println!("{} schema is up to date at version {}", done.backend, done.after);
    } else {
        println!("{} schema migrated from version {} to {}:", done.backend, done.before, done.after);
        for m in &done.applied {
            println!("  {m}");
        }
    }
    Ok(exit::OK)
}
