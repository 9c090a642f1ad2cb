//! `atom-sync graph --entity NAME`: one entity of a tenant's graph with its aliases,
//! its heaviest edges and the messages that support them.

use atom_sync::tenant::TenantId;
use atom_sync::time::rfc3339;
use clap::Args;

use super::{Global, exit};

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The tenant whose graph is read
    #[arg(long)]
    pub tenant: TenantId,

    /// A name, an alias, an email address or a node key (e.g. org:enron.com)
    #[arg(long)]
    pub entity: String,

    /// Edges shown per entity, heaviest first
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(i64).range(1..))]
    pub limit: i64,

    /// One JSON document on stdout
    #[arg(long)]
    pub json: bool,
}

pub async fn run(g: &Global, args: GraphArgs) -> anyhow::Result<u8> {
    let store = g.store().await?;
    let found = store.entity(&args.tenant, &args.entity, args.limit).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "tenant": args.tenant, "entities": found }))?);
        return Ok(exit::OK);
    }
    if found.is_empty() {
        return Err(
            atom_sync::Error::Invalid(format!("tenant {}: no entity named {:?}", args.tenant, args.entity)).into()
        );
    }
    for e in found {
        println!("{} ({}) — {}", e.name, e.kind, e.key);
        println!("  mentioned in {} messages", e.mentions);
        if !e.aliases.is_empty() {
            println!("  aliases: {}", e.aliases.join(", "));
        }
        for edge in &e.edges {
            let span = match (edge.first_seen_at, edge.last_seen_at) {
                (Some(a), Some(b)) => format!(" {}..{}", &rfc3339(a)[..10], &rfc3339(b)[..10]),
                _ => String::new(),
            };
            println!("  {} -{}-> {}  weight {}{span}", edge.src, edge.rel, edge.dst, edge.weight);
            for (id, subject) in &edge.messages {
                println!("      {id}  {}", subject.as_deref().unwrap_or(""));
            }
        }
        if !e.candidates.is_empty() {
            println!("  may be the same person (not merged):");
            for c in &e.candidates {
                println!("    {} ({}): {}", c.key, c.name, c.why);
            }
        }
        println!();
    }
    Ok(exit::OK)
}
