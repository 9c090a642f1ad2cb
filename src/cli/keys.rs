//! `atom-sync keys set|list|remove`: tenants' own provider keys (BYOK), encrypted at
//! rest. A secret is read from a hidden prompt or stdin, never from an argument, and
//! never printed: lists show a hint such as `sk-…abcd`.

use std::io::{IsTerminal, Read};

use atom_sync::keys::{KeyName, MASTER_KEY_ENV, MasterKey};
use atom_sync::secret::Secret;
use atom_sync::tenant::TenantId;
use atom_sync::time::rfc3339;
use clap::{Args, Subcommand};
use tabled::settings::Style;
use tabled::{Table, Tabled};

use super::{Global, exit};

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Store a tenant's key (read from a hidden prompt, or from stdin when piped)
    Set {
        #[arg(long)]
        tenant: TenantId,
        /// e.g. openai (case does not matter)
        #[arg(long)]
        provider: String,
        /// The key's name, e.g. OPENAI_API_KEY (case does not matter) [default: PROVIDER_api_key]
        #[arg(long)]
        name: Option<String>,
        /// Say what was stored as one JSON document on stdout (the key masked)
        #[arg(long)]
        json: bool,
    },
    /// Show tenants, providers and masked keys
    List {
        #[arg(long)]
        tenant: Option<TenantId>,
        #[arg(long)]
        json: bool,
    },
    /// Delete a tenant's key
    Remove {
        #[arg(long)]
        tenant: TenantId,
        #[arg(long)]
        provider: String,
        /// The key's name (case does not matter) [default: PROVIDER_api_key]
        #[arg(long)]
        name: Option<String>,
        /// Say what was removed as one JSON document on stdout
        #[arg(long)]
        json: bool,
    },
}

#[derive(Tabled)]
struct Row {
    #[tabled(rename = "TENANT")]
    tenant: String,
    #[tabled(rename = "PROVIDER")]
    provider: String,
    #[tabled(rename = "NAME")]
    name: String,
    #[tabled(rename = "KEY")]
    hint: String,
    #[tabled(rename = "UPDATED")]
    updated: String,
}

/// The master key to seal a secret with: the fleet's. A shared store (Postgres)
/// never gets a key made on this one host (the other machines could not open what it
/// seals); the embedded default creates its key file on first use. The first key to
/// seal anything becomes the fleet's (its fingerprint is recorded); another is refused.
pub(super) async fn sealing_master(g: &Global, store: &dyn atom_sync::store::Store) -> anyhow::Result<MasterKey> {
    let env = std::env::var(MASTER_KEY_ENV).ok().filter(|v| !v.trim().is_empty());
    let shared = store.backend() == "postgres";
    let master = match MasterKey::load(env.as_deref(), &g.data_dir(), !shared) {
        Ok(m) => m,
        Err(_) if shared && env.is_none() => {
            return Err(atom_sync::Error::Invalid(format!(
                "a store many machines share needs the fleet's master key on each of them: set {MASTER_KEY_ENV} (or {MASTER_KEY_ENV}_FILE) to 64 hex characters, e.g. from `openssl rand -hex 32`, the same everywhere (no key was made on this host)"
            ))
            .into());
        }
        Err(e) => return Err(e.into()),
    };
    atom_sync::fleet::adopt_master(store, &master).await?;
    Ok(master)
}

/// A secret from a hidden prompt, or from stdin when it is not a terminal.
pub(super) fn read_secret(what: &str) -> anyhow::Result<Secret> {
    let raw = if std::io::stdin().is_terminal() {
        dialoguer::Password::new().with_prompt(what).interact()?
    } else {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    };
    let raw = raw.trim().to_string();
    if raw.is_empty() {
        return Err(atom_sync::Error::Invalid(format!("{what}: it is empty; nothing stored")).into());
    }
    Ok(Secret::new(raw))
}

pub async fn run(g: &Global, args: KeysArgs) -> anyhow::Result<u8> {
    let store = g.store().await?;
    match args.command {
        KeysCommand::Set { tenant, provider, name, json } => {
            let key = KeyName::new(&provider, name.as_deref())?;
            let secret = read_secret(&format!("tenant {tenant}: the {key}"))?;
            let master = sealing_master(g, store.as_ref()).await?;
            let sealed = master.seal(&tenant, &key, &secret)?;
            store.put_key(&tenant, &key, &sealed, &secret.hint()).await?;
            if json {
                let doc = serde_json::json!({
                    "tenant": tenant.to_string(), "provider": key.provider, "name": key.name,
                    "hint": secret.hint(), "stored": true,
                });
                println!("{}", serde_json::to_string_pretty(&doc)?);
            } else {
                super::log::note(format!("stored the {key} of tenant {tenant} ({})", secret.hint()));
            }
        }
        KeysCommand::List { tenant, json } => {
            let keys = store.list_keys(tenant.as_deref()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "keys": keys }))?);
            } else if keys.is_empty() {
                super::log::note("no keys stored");
            } else {
                let rows: Vec<Row> = keys
                    .into_iter()
                    .map(|k| Row {
                        tenant: k.tenant_id,
                        provider: k.provider,
                        name: k.name,
                        hint: k.hint,
                        updated: rfc3339(k.updated_at),
                    })
                    .collect();
                println!("{}", Table::new(rows).with(Style::sharp()));
            }
        }
        KeysCommand::Remove { tenant, provider, name, json } => {
            let key = KeyName::new(&provider, name.as_deref())?;
            if !store.remove_key(&tenant, &key).await? {
                return Err(atom_sync::Error::Invalid(format!("tenant {tenant} has no {key}")).into());
            }
            if json {
                let doc = serde_json::json!({
                    "tenant": tenant.to_string(), "provider": key.provider, "name": key.name, "removed": true,
                });
                println!("{}", serde_json::to_string_pretty(&doc)?);
            } else {
                super::log::note(format!("removed the {key} of tenant {tenant}"));
            }
        }
    }
    Ok(exit::OK)
}
