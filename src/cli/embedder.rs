//! `atom-sync embedder set|show`: which model computes a tenant's vectors. The local
//! model is the default; a tenant with its own key may choose an OpenAI-compatible
//! embedding model instead. Each embedder writes its own table, so the two never mix.

use atom_sync::embed::EmbedderSpec;
use atom_sync::tenant::TenantId;
use clap::{Args, Subcommand};
use tabled::settings::Style;
use tabled::{Table, Tabled};

use super::{Global, exit};

#[derive(Debug, Args)]
pub struct EmbedderArgs {
    #[command(subcommand)]
    pub command: EmbedderCommand,
}

#[derive(Debug, Subcommand)]
pub enum EmbedderCommand {
    /// Choose a tenant's embedder, from its next job on
    Set {
        #[arg(long)]
        tenant: TenantId,
        /// `local`, or `openai:MODEL` (e.g. openai:text-embedding-3-small; uses the tenant's key)
        #[arg(value_name = "EMBEDDER")]
        embedder: String,
        /// The vectors' dimension, for openai models (sent with each request; names the table)
        #[arg(long, value_name = "N")]
        dimensions: Option<u32>,
        /// Say what was chosen as one JSON document on stdout
        #[arg(long)]
        json: bool,
    },
    /// Show tenants' embedders and their vector tables
    Show {
        #[arg(long)]
        tenant: Option<TenantId>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Tabled)]
struct Row {
    #[tabled(rename = "TENANT")]
    tenant: String,
    #[tabled(rename = "EMBEDDER")]
    embedder: String,
    #[tabled(rename = "TABLE")]
    table: String,
}

pub async fn run(g: &Global, args: EmbedderArgs) -> anyhow::Result<u8> {
    let store = g.store().await?;
    match args.command {
        EmbedderCommand::Set { tenant, embedder, dimensions, json } => {
            let spec = EmbedderSpec::parse(&embedder, dimensions)?;
            // settings that cannot work fail before anything is stored
            let provider = g.services(Some(store.as_ref())).await?.provider;
            let before = store.embedder(&tenant).await?.unwrap_or(EmbedderSpec::Local);
            store.set_embedder(&tenant, &spec).await?;
            let key_missing = matches!(spec, EmbedderSpec::OpenAi { .. })
                && store.get_key(&tenant, &provider.key_name).await?.is_none()
                && provider.operator_key.is_none();
            if json {
                let doc = serde_json::json!({
                    "tenant": tenant.to_string(),
                    "embedder": spec.embedder_name(),
                    "dimensions": spec.dimensions().map(|d| d as usize).unwrap_or(atom_sync::embed::local::DIMENSION),
                    "table": spec.table(),
                    "previous_table": before.table(),
                    "key_missing": key_missing,
                });
                println!("{}", serde_json::to_string_pretty(&doc)?);
                return Ok(exit::OK);
            }
            super::log::note(format!("tenant {tenant} embeds with {spec}, into table {}", spec.table()));
            if before != spec {
                super::log::note(format!(
                    "note: vectors written with {before} stay in table {}; re-run the tenant's backfills to fill {}",
                    before.table(),
                    spec.table()
                ));
            }
            if key_missing {
                tracing::warn!(
                    "tenant {tenant} has no {}; its jobs fail until one is stored (atom-sync keys set --tenant {tenant} --provider {} --name {})",
                    provider.key_name,
                    provider.key_name.provider,
                    provider.key_name.name
                );
            }
        }
        EmbedderCommand::Show { tenant, json } => {
            let mut rows = store.list_embedders(tenant.as_deref()).await?;
            if let (Some(t), true) = (&tenant, rows.is_empty()) {
                rows.push((t.to_string(), EmbedderSpec::Local));
            }
            if json {
                let list: Vec<_> = rows
                    .iter()
                    .map(|(t, s)| {
                        serde_json::json!({
                            "tenant": t,
                            "embedder": s.embedder_name(),
                            "dimensions": s.dimensions().map(|d| d as usize).unwrap_or(atom_sync::embed::local::DIMENSION),
                            "table": s.table(),
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "embedders": list }))?);
            } else if rows.is_empty() {
                super::log::note(format!("every tenant embeds with {}", EmbedderSpec::Local));
            } else {
                let rows: Vec<Row> = rows
                    .into_iter()
                    .map(|(tenant, s)| Row { tenant, embedder: s.to_string(), table: s.table() })
                    .collect();
                println!("{}", Table::new(rows).with(Style::sharp()));
            }
        }
    }
    Ok(exit::OK)
}
