//! `atom-sync doctor`: run on a new machine before it joins the fleet. One table (or
//! `--json`), a line per check, exit 4 when any check fails; no secret is printed.

use std::sync::Arc;

use atom_sync::doctor::{Status, Subject};
use clap::Args;
use tabled::settings::Style;
use tabled::{Table, Tabled};

use super::{Global, exit};

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print {"ok", "checks": [{"check", "target", "status", "detail"}]}
    #[arg(long)]
    pub json: bool,
}

#[derive(Tabled)]
struct Row {
    #[tabled(rename = "CHECK")]
    check: String,
    #[tabled(rename = "TARGET")]
    target: String,
    #[tabled(rename = "STATUS")]
    status: String,
    #[tabled(rename = "DETAIL")]
    detail: String,
}

pub async fn run(g: &Global, args: DoctorArgs) -> anyhow::Result<u8> {
    // open the store without judging its schema: the schema is one of the checks
    let opts = atom_sync::store::StoreOptions { check_schema: false, ..g.db.options() };
    let store = atom_sync::store::connect_with(g.database_url.as_deref(), &g.data_dir(), &opts)
        .await
        .map_err(|e| e.to_string());
    let store_label = match &g.database_url {
        Some(url) => atom_sync::store::redact_url(url),
        None => g.data_dir().join(atom_sync::store::SQLITE_FILE).display().to_string(),
    };
    let tls_asked = g
        .database_url
        .as_deref()
        .is_some_and(|u| ["sslmode=require", "sslmode=verify-ca", "sslmode=verify-full"].iter().any(|m| u.contains(m)));
    // the key as loaded here: the fleet check is the doctor's to report
    let master = g.load_master().map(Arc::new);
    let services = g.services(None).await?;
    let location = g.lance_location()?;
    let subject = Subject {
        store,
        store_label,
        tls_asked,
        vectors: &location,
        master: &master,
        clients: &services.clients,
        provider: &services.provider,
        schema_needed: atom_sync::store::SCHEMA_VERSION,
    };
    let checks = atom_sync::doctor::run(&subject).await;
    let ok = checks.iter().all(|c| c.status != Status::Fail);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "ok": ok, "checks": checks }))?);
    } else {
        let rows: Vec<Row> = checks
            .iter()
            .map(|c| Row {
                check: c.check.to_string(),
                target: c.target.clone(),
                status: c.status.as_str().to_string(),
                detail: c.detail.clone(),
            })
            .collect();
        println!("{}", Table::new(rows).with(Style::sharp()));
    }
    Ok(if ok { exit::OK } else { exit::VERIFY_FAILED })
}
