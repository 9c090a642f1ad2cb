//! `atom-sync backfill`: create a job for a tenant and a source, and run it (or only
//! estimate it, `--dry-run`).

use std::time::Duration;

use atom_sync::embed::EmbedderSpec;
use atom_sync::estimate::{Estimate, LlmPlan, Prices};
use atom_sync::job::NewJob;
use atom_sync::settings::DEFAULT_CHUNK_SIZE;
use atom_sync::source::SourceSpec;
use atom_sync::source::graph::{GraphSpec, Order, received_range};
use atom_sync::tenant::TenantId;
use clap::Args;
use clap::builder::TypedValueParser;

use super::run::{GraphSelect, JobOpts, Planned, create_job, graph_jobs, prepare, run_all};
use super::{Global, exit};

#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// The tenant whose memories receive the mail
    #[arg(long)]
    pub tenant: TenantId,

    /// Where the mail comes from: graph (Microsoft Graph; with --mailbox or --all-mailboxes), mbox:PATH, maildir:PATH or eml:PATH
    #[arg(long, value_name = "graph|KIND:PATH")]
    pub source: String,

    /// Graph: a user id or principal name, one job each (repeatable). Exports: the mailbox name recorded in the ledger [default: the export's file or folder name]
    #[arg(long, value_name = "USER", value_parser = atom_sync::text::mailbox_name)]
    pub mailbox: Vec<String>,

    #[command(flatten)]
    pub select: GraphSelect,

    /// Graph: only mail received within this span before now (e.g. 90d) [default: the whole history]
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration, conflicts_with = "from")]
    pub since: Option<Duration>,

    /// Graph: only mail received at or after this time (2026-01-31 or RFC 3339)
    #[arg(long, value_name = "TIME", value_parser = atom_sync::time::parse_rfc3339)]
    pub from: Option<i64>,

    /// Graph: only mail received before this time [default: now, fixed when the job is created]
    #[arg(long, value_name = "TIME", value_parser = atom_sync::time::parse_rfc3339)]
    pub to: Option<i64>,

    /// Graph: no longer used (the listing seeks to where mail is, whatever its spread); accepted so old command lines still run
    #[arg(long, value_name = "DURATION", default_value = "7d", value_parser = parse_window, hide = true)]
    pub window: Duration,

    /// Graph: which mail comes first; newest-first makes a tenant's memory useful within minutes of starting a full history
    #[arg(long, value_enum, default_value = "oldest-first", env = "ATOM_SYNC_ORDER")]
    pub order: OrderArg,

    /// Messages per chunk: one source page (Graph `$top`, at most 1000; repeated 504s halve it down to 25), one embedding batch, one transaction
    #[arg(long, default_value_t = DEFAULT_CHUNK_SIZE, env = "ATOM_SYNC_CHUNK_SIZE", value_parser = clap::value_parser!(u32).range(1..=10_000).map(|v| v as usize))]
    pub chunk_size: usize,

    #[command(flatten)]
    pub job: JobOpts,

    /// Read the source and print what the backfill would cost (messages, LLM tokens, dollars); write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// For --dry-run: the model's price per million input tokens, in dollars
    #[arg(long, value_name = "USD", default_value_t = 0.15, env = "ATOM_SYNC_LLM_INPUT_PRICE")]
    pub llm_input_price: f64,

    /// For --dry-run: the model's price per million output tokens, in dollars
    #[arg(long, value_name = "USD", default_value_t = 0.60, env = "ATOM_SYNC_LLM_OUTPUT_PRICE")]
    pub llm_output_price: f64,
}

/// A listing window: at least a minute (Graph's filter has second precision), at most
/// a year.
fn parse_window(s: &str) -> Result<Duration, String> {
    let d = atom_sync::time::parse_span(s)?;
    if d < Duration::from_secs(60) {
        return Err(format!("{s:?}: a window is at least 1m"));
    }
    Ok(d)
}

pub async fn run(g: &Global, args: BackfillArgs) -> anyhow::Result<u8> {
    if args.dry_run {
        return dry_run(g, &args).await;
    }
    if args.source == "graph" {
        let (from, to) = received_range(args.since, args.from, args.to, atom_sync::time::now_ms())?;
        let make = |mailbox: &str| graph_spec(&args, mailbox, from, to);
        let planned =
            graph_jobs(g, &args.tenant, &args.select, &args.mailbox, args.chunk_size.min(1000), &args.job, make)
                .await?;
        return run_all(g, planned, args.job.detach, &args.job.run, true, args.job.json).await;
    }
    let spec = export_spec(&args)?;
    let mailbox = args.mailbox.first().cloned().unwrap_or_else(|| spec.default_mailbox());
    let estimated_total = {
        let spec = spec.clone();
        tokio::task::spawn_blocking(move || spec.estimate()).await??
    };
    let store = g.store().await?;
    // open the tenant's vector table before creating the job: a refused table, or an
    // embedder whose key is missing, leaves nothing behind
    let services = prepare(g, store.as_ref(), &args.tenant).await?;
    let new = NewJob {
        tenant: args.tenant.to_string(),
        source: spec.to_string(),
        mailbox,
        chunk_size: args.chunk_size as i64,
        max_body_bytes: args.job.max_body_bytes as i64,
        estimated_total: estimated_total.map(|t| t as i64),
        cursor: None,
        llm_token_cap: args.job.llm_token_cap(),
    };
    let jobs = vec![create_job(store.as_ref(), &new, args.job.detach).await?];
    let planned = Planned { jobs, store, services };
    run_all(g, planned, args.job.detach, &args.job.run, true, args.job.json).await
}

/// A mailbox export: the Graph-only flags refused, the path made absolute.
fn export_spec(args: &BackfillArgs) -> anyhow::Result<SourceSpec> {
    if args.source.starts_with("graph:") || args.source.starts_with("graph-delta:") {
        anyhow::bail!(atom_sync::Error::Invalid(format!(
            "--source {}: for Microsoft Graph say --source graph --mailbox USER (and --since / --from / --to)",
            args.source
        )));
    }
    let graph_only = [
        (!args.select.folders.is_empty(), "--folder"),
        (args.select.all_mailboxes, "--all-mailboxes"),
        (args.select.mailboxes_from.is_some(), "--mailboxes-from"),
        (!args.select.exclude.is_empty(), "--exclude"),
        (args.since.is_some(), "--since"),
        (args.from.is_some(), "--from"),
        (args.to.is_some(), "--to"),
    ];
    if let Some((_, flag)) = graph_only.iter().find(|(set, _)| *set) {
        anyhow::bail!(atom_sync::Error::Invalid(format!("{flag} applies to --source graph only")));
    }
    if args.mailbox.len() > 1 {
        anyhow::bail!(atom_sync::Error::Invalid("--mailbox: an export is one mailbox; give it once".into()));
    }
    Ok(SourceSpec::parse(&args.source)?.canonical()?)
}

fn graph_spec(args: &BackfillArgs, mailbox: &str, from: Option<i64>, to: i64) -> GraphSpec {
    GraphSpec {
        mailbox: mailbox.to_string(),
        folders: args.select.folders.clone(),
        from_ms: from,
        to_ms: Some(to),
        window_ms: (args.window.as_millis() as i64).max(60_000),
        top: args.chunk_size.min(1000) as u32,
        delta: false,
        order: match args.order {
            OrderArg::OldestFirst => Order::Oldest,
            OrderArg::NewestFirst => Order::Newest,
        },
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum OrderArg {
    OldestFirst,
    NewestFirst,
}

/// What the backfill would cost; nothing is written, not even an empty database.
async fn dry_run(g: &Global, args: &BackfillArgs) -> anyhow::Result<u8> {
    // read only what exists: a dry run never creates or migrates a store
    let store = atom_sync::store::open_existing(g.database_url.as_deref(), &g.data_dir(), &g.db.options()).await?;
    let services = g.services(store.as_deref()).await?;
    // the tenant's own Graph connection when the store has one, else the default
    let sources = match (&store, args.source == "graph") {
        (Some(store), true) => services.clients.sources_for(store.as_ref(), &args.tenant).await?,
        _ => services.clients.default_sources(),
    };
    let specs: Vec<SourceSpec> = if args.source == "graph" {
        let (from, to) = received_range(args.since, args.from, args.to, atom_sync::time::now_ms())?;
        let client = sources.graph.clone().expect("a client for Graph");
        let resolved = args.select.mailboxes(&args.mailbox)?.resolve(&client, &args.select.exclude).await?;
        super::run::note_skipped(&resolved);
        resolved.mailboxes.iter().map(|m| SourceSpec::Graph(graph_spec(args, m, from, to))).collect()
    } else {
        vec![export_spec(args)?]
    };
    let provider = services.provider.clone();
    let estimate = atom_sync::estimate::estimate(
        &args.tenant,
        &specs,
        &sources,
        args.chunk_size,
        args.job.max_body_bytes,
        store.as_deref(),
        &provider,
    )
    .await?;
    let prices = Prices { input: args.llm_input_price, output: args.llm_output_price };
    if args.job.json {
        let doc = serde_json::json!({ "dry_run": estimate, "dollars": estimate.dollars(prices) });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        draw(&estimate, prices);
    }
    Ok(exit::OK)
}

fn draw(e: &Estimate, prices: Prices) {
    let dollars = e.dollars(prices);
    println!("dry run of a backfill for tenant {} from {} source(s): nothing was written", e.tenant, e.sources);
    println!("  messages        {} to process, {} unusable (would be skipped)", e.messages, e.unusable);
    match &e.embedder {
        Some(spec @ EmbedderSpec::OpenAi { .. }) => println!(
            "  vectors         {} with {spec}: ~{} tokens at the provider's embedding price",
            e.messages, e.embedding_tokens
        ),
        _ => println!("  vectors         {} (local model, no cost)", e.messages),
    }
    let (input, output, model) = (e.input_tokens, e.output_tokens, &e.model);
    match &e.llm {
        LlmPlan::Off { reason } => println!("  LLM extraction  off: {reason} (no cost; rules and vectors only)"),
        LlmPlan::On => println!(
            "  LLM extraction  ~{input} input + ~{output} output tokens for {} messages with {model} ≈ ${dollars:.2}; {} already memoised (no cost)",
            e.fresh, e.memoised
        ),
        LlmPlan::Unknown => println!(
            "  LLM extraction  ~{input} input + ~{output} output tokens with {model} ≈ ${dollars:.2}, if tenant {} has a key (memoised answers cost nothing)",
            e.tenant
        ),
    }
}
