//! `atom-sync verify`: are a tenant's memories complete and consistent? Exit 0 when
//! clean, 4 when not; `--repair` fixes what can be fixed and verifies again.

use atom_sync::tenant::TenantId;
use atom_sync::verify::{self, Report, Scope};
use clap::Args;
use tabled::settings::Style;
use tabled::{Table, Tabled};

use super::{Global, exit};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The tenant to verify
    #[arg(long)]
    pub tenant: TenantId,

    /// Only this mailbox
    #[arg(long, value_parser = atom_sync::text::mailbox_name)]
    pub mailbox: Option<String>,

    /// Only this job (id or prefix): its mailbox, counters and source
    #[arg(long)]
    pub job: Option<String>,

    /// Also compare the ledger with the message ids the source holds now
    #[arg(long)]
    pub against_source: bool,

    /// Fix what can be fixed in place (re-embed, drop orphans, recount), then verify again
    #[arg(long)]
    pub repair: bool,

    /// One JSON document on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Tabled)]
struct Row {
    #[tabled(rename = "CHECK")]
    check: String,
    #[tabled(rename = "COUNT")]
    count: usize,
    #[tabled(rename = "REPAIRABLE")]
    repairable: String,
    #[tabled(rename = "FIRST EXAMPLES")]
    examples: String,
}

pub async fn run(g: &Global, args: VerifyArgs) -> anyhow::Result<u8> {
    let store = g.store().await?;
    let services = g.services(Some(store.as_ref())).await?;
    let memories = services.memories.clone();
    // checking reads the tenant's table only; the embedder (and its key) is needed to repair
    let (_, sink) = memories.table_for(store.as_ref(), &args.tenant).await?;
    let scope = Scope {
        tenant: args.tenant.to_string(),
        mailbox: args.mailbox.clone(),
        job: args.job.clone(),
        // reading sources back (--against-source, repair) may need the tenant's Graph
        sources: match args.against_source || args.repair {
            true => services.clients.sources_for(store.as_ref(), &args.tenant).await.unwrap_or_default(),
            false => Default::default(),
        },
    };
    let mut report = verify::verify(store.as_ref(), &sink, &scope, args.against_source).await?;
    let mut repairs = Vec::new();
    if args.repair && !report.clean {
        let memory = memories.for_tenant(store.as_ref(), &args.tenant).await?;
        repairs = verify::repair(store.as_ref(), &memory.sink, memory.embedder.as_ref(), &scope, &report).await?;
        report = verify::verify(store.as_ref(), &sink, &scope, args.against_source).await?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "report": report, "repairs": repairs }))?);
    } else {
        print_report(&report, &repairs);
    }
    Ok(if report.clean { exit::OK } else { exit::VERIFY_FAILED })
}

fn print_report(report: &Report, repairs: &[String]) {
    for r in repairs {
        super::log::note(format!("repaired: {r}"));
    }
    let c = &report.checked;
    let source = c.source_messages.map(|n| format!(", {n} in the source")).unwrap_or_default();
    println!(
        "tenant {}: {} ledger rows, {} vectors, {} jobs{source} checked",
        report.tenant, c.ledger, c.vectors, c.jobs
    );
    if report.clean {
        println!("clean: every check passed");
        return;
    }
    let rows: Vec<Row> = report
        .findings
        .iter()
        .map(|f| Row {
            check: f.check.to_string(),
            count: f.count,
            repairable: if f.repairable { "yes".into() } else { "no".into() },
            examples: f.examples.join(", "),
        })
        .collect();
    println!("{}", Table::new(rows).with(Style::sharp()));
}
