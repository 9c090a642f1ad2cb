//! `atom-sync purge`: remove a tenant, or one of its mailboxes, from both memories
//! (offboarding, privacy requests). Asks on a terminal; elsewhere it needs `--yes`.

use std::io::IsTerminal;

use atom_sync::store::PurgeCounts;
use atom_sync::tenant::TenantId;
use clap::Args;

use super::{Global, exit};

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// The tenant to remove: its jobs, ledger, graph, memoised answers, vectors (every
    /// embedder's table), keys, connection and embedder choice
    #[arg(long)]
    pub tenant: TenantId,

    /// Only this mailbox: its jobs, ledger rows and delta links, and the vectors,
    /// graph support and memoised answers of messages no other mailbox holds
    #[arg(long)]
    pub mailbox: Option<String>,

    /// Show what would be removed; change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask (required when there is no terminal to ask on)
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// One JSON document on stdout
    #[arg(long)]
    pub json: bool,
}

fn what(args: &PurgeArgs) -> String {
    match &args.mailbox {
        Some(m) => format!("mailbox {m} of tenant {}", args.tenant),
        None => format!("tenant {}", args.tenant),
    }
}

fn summary(c: &PurgeCounts) -> String {
    format!(
        "{} messages ({} vectors), {} ledger rows, {} job rows, {} graph rows, {} memoised answers, {} keys and connections, {} settings",
        c.messages, c.vectors, c.ledger, c.job_rows, c.graph_rows, c.memo, c.secrets, c.settings
    )
}

pub async fn run(g: &Global, args: PurgeArgs) -> anyhow::Result<u8> {
    let store = g.store().await?;
    let at = g.lance_location()?;
    let (tenant, mailbox) = (args.tenant.as_str(), args.mailbox.as_deref());
    if !args.dry_run && !args.yes {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            super::log::alert(format!(
                "purge removes {} for good; pass --yes to confirm (no terminal to ask on)",
                what(&args)
            ));
            return Ok(exit::USER);
        }
        let planned = atom_sync::purge::purge(store.as_ref(), &at, tenant, mailbox, true).await?;
        super::log::note(format!("{} holds {}", what(&args), summary(&planned)));
        let ok = dialoguer::Confirm::new()
            .with_prompt(format!("Remove all of it from {} for good?", what(&args)))
            .default(false)
            .interact()?;
        if !ok {
            super::log::note("nothing done");
            return Ok(exit::OK);
        }
    }
    let counts = atom_sync::purge::purge(store.as_ref(), &at, tenant, mailbox, args.dry_run).await?;
    if args.json {
        let doc = serde_json::json!({
            "tenant": tenant, "mailbox": mailbox, "dry_run": args.dry_run, "counts": counts,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else if args.dry_run {
        println!("would purge {}: {}", what(&args), summary(&counts));
    } else {
        println!("purged {}: {}", what(&args), summary(&counts));
    }
    Ok(exit::OK)
}
