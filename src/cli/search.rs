//! `atom-sync search`: the nearest messages to a query in a tenant's semantic memory,
//! embedded with the tenant's embedder (the one its messages were embedded with). How
//! an operator spot-checks.

use atom_sync::sink::{SearchFilter, SearchMode};
use atom_sync::tenant::TenantId;
use atom_sync::time::rfc3339;
use clap::Args;
use tabled::settings::Style;
use tabled::{Table, Tabled};

use super::{Global, exit};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The tenant whose memory is searched
    #[arg(long)]
    pub tenant: TenantId,

    /// What to look for, in plain words
    pub query: String,

    /// Only this mailbox
    #[arg(long, value_parser = atom_sync::text::mailbox_name)]
    pub mailbox: Option<String>,

    /// Only messages sent on or after this date (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_parser = atom_sync::time::parse_rfc3339)]
    pub from: Option<i64>,

    /// Only messages sent before this date (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_parser = atom_sync::time::parse_rfc3339)]
    pub to: Option<i64>,

    /// How many results
    #[arg(long, short = 'n', default_value_t = 10)]
    pub limit: usize,

    /// hybrid: words and meaning, fused by rank (best on the search benchmark); text: by words (BM25 over subject and body); vector: by meaning (the tenant's embedder)
    #[arg(long, value_enum, default_value = "hybrid")]
    pub mode: Mode,

    /// One JSON document on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Mode {
    Vector,
    Text,
    Hybrid,
}

impl From<Mode> for SearchMode {
    fn from(m: Mode) -> Self {
        match m {
            Mode::Vector => SearchMode::Vector,
            Mode::Text => SearchMode::Text,
            Mode::Hybrid => SearchMode::Hybrid,
        }
    }
}

#[derive(Tabled)]
struct Row {
    #[tabled(rename = "SCORE")]
    score: String,
    #[tabled(rename = "DATE")]
    date: String,
    #[tabled(rename = "FROM")]
    from: String,
    #[tabled(rename = "SUBJECT")]
    subject: String,
    #[tabled(rename = "MESSAGE ID")]
    id: String,
}

pub async fn run(g: &Global, args: SearchArgs) -> anyhow::Result<u8> {
    let store = g.store().await?;
    let memories = g.services(Some(store.as_ref())).await?.memories;
    let mode: SearchMode = args.mode.into();
    // words alone need no embedder (nor a paid call to one)
    let (sink, vector) = if mode == SearchMode::Text {
        (memories.table_for(store.as_ref(), &args.tenant).await?.1, Vec::new())
    } else {
        let memory = memories.for_tenant(store.as_ref(), &args.tenant).await?;
        let v = memory.embedder.embed(vec![args.query.clone()]).await?.pop().unwrap_or_default();
        (memory.sink, v)
    };
    let filter = SearchFilter {
        mailbox: args.mailbox.clone(),
        sent_from: args.from,
        sent_before: args.to,
        ..Default::default()
    };
    let hits = atom_sync::memory::search(
        store.as_ref(),
        &sink,
        &args.tenant,
        mode,
        &args.query,
        &vector,
        args.limit.max(1),
        filter,
    )
    .await?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "tenant": args.tenant, "query": args.query, "mode": format!("{:?}", args.mode).to_lowercase(), "hits": hits })
            )?
        );
        return Ok(exit::OK);
    }
    if hits.is_empty() {
        super::log::note(format!("no messages found for tenant {}", args.tenant));
        return Ok(exit::OK);
    }
    let rows: Vec<Row> = hits
        .iter()
        .map(|h| Row {
            score: format!("{:.3}", h.score),
            date: h.sent_at.map(|t| rfc3339(t)[..10].to_string()).unwrap_or_default(),
            from: h.sender.clone(),
            subject: h.subject.chars().take(70).collect(),
            id: h.message_id.clone(),
        })
        .collect();
    println!("{}", Table::new(rows).with(Style::sharp()));
    Ok(exit::OK)
}
