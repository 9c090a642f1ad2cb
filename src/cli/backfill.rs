//! `atom-sync backfill`: create a job for a tenant and a source, and run it.

use std::sync::Arc;
use std::time::Duration;

use atom_sync::job::{NewJob, owner_name};
use atom_sync::memory::Memories;
use atom_sync::pipeline::{Outcome, Pipeline};
use atom_sync::provider::Provider;
use atom_sync::settings::{DEFAULT_CHUNK_SIZE, validate_tenant};
use atom_sync::source::SourceSpec;
use atom_sync::source::graph::GraphSpec;
use atom_sync::store::Store;
use clap::Args;
use clap::builder::TypedValueParser;

use super::render::Renderer;
use super::{Global, exit};

#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// The tenant whose memories receive the mail
    #[arg(long)]
    pub tenant: String,

    /// Where the mail comes from: graph (Microsoft Graph; with --mailbox or --all-mailboxes), mbox:PATH, maildir:PATH or eml:PATH
    #[arg(long, value_name = "graph|KIND:PATH")]
    pub source: String,

    /// Graph: a user id or principal name, one job each (repeatable). Exports: the mailbox name recorded in the ledger [default: the export's file or folder name]
    #[arg(long, value_name = "USER")]
    pub mailbox: Vec<String>,

    #[command(flatten)]
    pub select: GraphSelect,

    /// Graph: only mail received within this span before now (e.g. 90d) [default: the whole history]
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration, conflicts_with = "from")]
    pub since: Option<Duration>,

    /// Graph: only mail received at or after this time (2026-01-31 or RFC 3339)
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub from: Option<i64>,

    /// Graph: only mail received before this time [default: now, fixed when the job is created]
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub to: Option<i64>,

    /// Graph: the span of received time one listing query covers
    #[arg(long, value_name = "DURATION", default_value = "7d", value_parser = humantime::parse_duration)]
    pub window: Duration,

    /// Messages per chunk: one source page (Graph `$top`, at most 1000; repeated 504s halve it down to 25), one embedding batch, one transaction
    #[arg(long, default_value_t = DEFAULT_CHUNK_SIZE, value_parser = clap::value_parser!(u32).range(1..=10_000).map(|v| v as usize))]
    pub chunk_size: usize,

    #[command(flatten)]
    pub job: JobOpts,

    /// Read the source and print what the backfill would cost (messages, LLM tokens, dollars); write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// For --dry-run: the model's price per million input tokens, in dollars
    #[arg(long, value_name = "USD", default_value_t = 0.15)]
    pub llm_input_price: f64,

    /// For --dry-run: the model's price per million output tokens, in dollars
    #[arg(long, value_name = "USD", default_value_t = 0.60)]
    pub llm_output_price: f64,
}

/// What every new job takes (shared by `backfill` and `sync`).
#[derive(Debug, Args)]
pub struct JobOpts {
    /// Cap on the text body handed to extraction and embedding, in bytes
    #[arg(long, default_value_t = atom_sync::email::DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,

    /// Only enqueue the job(s) (for `atom-sync worker`s) and print their ids
    #[arg(long)]
    pub detach: bool,

    /// Tokens after which the job's LLM extraction pauses (vectors and rules go on); re-run with a higher cap to finish, memoised answers cost nothing
    #[arg(long, value_name = "TOKENS")]
    pub max_llm_tokens: Option<u64>,

    #[command(flatten)]
    pub run: RunOpts,
}

/// Which Graph mailboxes and folders (shared by `backfill` and `sync`).
#[derive(Debug, Args)]
pub struct GraphSelect {
    /// Graph: every user that has a mailbox (listed from /users), one job each
    #[arg(long, conflicts_with = "mailbox")]
    pub all_mailboxes: bool,

    /// Graph: only these folders (ids or well-known names such as inbox, sentitems, archive; repeatable) [default: every folder]
    #[arg(long = "folder", value_name = "FOLDER")]
    pub folders: Vec<String>,
}

/// How a job runs in this process (shared by `backfill` and `resume`).
#[derive(Debug, Args)]
pub struct RunOpts {
    /// How often the heartbeat is renewed while the job runs
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration, env = "ATOM_SYNC_HEARTBEAT")]
    pub heartbeat: Duration,
}

/// `2026-01-31` (midnight UTC) or an RFC 3339 time, as unix ms.
fn parse_time(s: &str) -> Result<i64, String> {
    let full = if s.len() == 10 { format!("{s}T00:00:00Z") } else { s.to_string() };
    humantime::parse_rfc3339_weak(full.trim_end_matches('Z'))
        .map_err(|e| format!("{e}; expected 2026-01-31 or 2026-01-31T08:00:00Z"))
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).map_err(|e| e.to_string()))
        .map(|d| d.as_millis() as i64)
}

pub async fn run(g: &Global, args: BackfillArgs) -> anyhow::Result<u8> {
    validate_tenant(&args.tenant)?;
    if args.dry_run {
        return dry_run(g, &args).await;
    }
    if args.source == "graph" {
        return backfill_graph(g, args).await;
    }
    if args.source.starts_with("graph:") || args.source.starts_with("graph-delta:") {
        anyhow::bail!(atom_sync::Error::Invalid(format!(
            "--source {}: for Microsoft Graph say --source graph --mailbox USER (and --since / --from / --to)",
            args.source
        )));
    }
    let graph_only = [
        (!args.select.folders.is_empty(), "--folder"),
        (args.select.all_mailboxes, "--all-mailboxes"),
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
    let spec = SourceSpec::parse(&args.source)?.canonical()?;
    let mailbox = args.mailbox.first().cloned().unwrap_or_else(|| spec.default_mailbox());
    let estimated_total = {
        let spec = spec.clone();
        tokio::task::spawn_blocking(move || spec.estimate()).await??
    };
    let store = g.store().await?;
    // open the tenant's vector table before creating the job: a refused table, or an
    // embedder whose key is missing, leaves nothing behind
    let (provider, memories) = open_memories(g, store.as_ref(), &args.tenant).await?;
    let job = store
        .create_job(&NewJob {
            tenant: args.tenant.clone(),
            source: spec.to_string(),
            mailbox,
            chunk_size: args.chunk_size as i64,
            max_body_bytes: args.job.max_body_bytes as i64,
            estimated_total: estimated_total.map(|t| t as i64),
            cursor: None,
            llm_token_cap: args.job.max_llm_tokens.map(|t| i64::try_from(t).unwrap_or(i64::MAX)),
        })
        .await?;
    if args.job.detach {
        println!("{}", job.id);
        return Ok(exit::OK);
    }
    execute(g, store, provider, memories, &job, &args.job.run, true).await
}

/// Read everything the backfill would read, and say what it would cost. Opens no
/// store and no vector table: nothing is written, not even an empty database.
async fn dry_run(g: &Global, args: &BackfillArgs) -> anyhow::Result<u8> {
    use atom_sync::embed::EmbedderSpec;
    use atom_sync::extract::llm::{OUTPUT_TOKENS_PER_MESSAGE, PROMPT_VERSION, input_tokens};
    use atom_sync::source::Item;
    let specs: Vec<SourceSpec> = if args.source == "graph" {
        let plan = GraphPlan { tenant: &args.tenant, mailboxes: &args.mailbox, select: &args.select };
        let (from, to) = graph_range(args)?;
        plan.mailboxes(g).await?.iter().map(|m| SourceSpec::Graph(graph_spec(args, m, from, to))).collect()
    } else {
        vec![SourceSpec::parse(&args.source)?.canonical()?]
    };
    let sources = g.sources()?;
    // per message: content hash, LLM input tokens, embedding tokens
    let mut found: Vec<(String, u64, u64)> = Vec::new();
    let mut unusable = 0u64;
    for spec in &specs {
        let mut source = spec.open(None, args.job.max_body_bytes, &sources)?;
        loop {
            let page = source.next_page(args.chunk_size).await?;
            for item in &page.items {
                match item {
                    Item::Message(e) => found.push((
                        e.content_hash.clone(),
                        input_tokens(e),
                        atom_sync::embed::openai::tokens(&e.embedding_text()) as u64,
                    )),
                    Item::Skipped(_) => unusable += 1,
                }
            }
            if !page.has_more {
                break;
            }
        }
    }
    let messages = found.len() as u64;
    // what the store already knows (the tenant's key, embedder and memo), read only
    // when there is a store: a dry run never creates one
    let provider = g.provider()?;
    let known = if let Some(store) = atom_sync::store::open_existing(g.database_url.as_deref(), &g.data_dir()).await? {
        let hashes: Vec<String> = found.iter().map(|(h, _, _)| h.clone()).collect();
        let memo = store.llm_memo(&args.tenant, &provider.settings.model, PROMPT_VERSION, &hashes).await?;
        let has_key =
            store.get_key(&args.tenant, &provider.key_name).await?.is_some() || provider.operator_key.is_some();
        let embedder = store.embedder(&args.tenant).await?.unwrap_or(EmbedderSpec::Local);
        Some((memo, has_key, embedder))
    } else {
        None
    };
    let memoised = |h: &str| known.as_ref().is_some_and(|(memo, _, _)| memo.contains_key(h));
    let fresh: Vec<&(String, u64, u64)> = found.iter().filter(|(h, _, _)| !memoised(h)).collect();
    let input: u64 = fresh.iter().map(|(_, t, _)| t).sum();
    let output = fresh.len() as u64 * OUTPUT_TOKENS_PER_MESSAGE;
    let dollars = input as f64 * args.llm_input_price / 1e6 + output as f64 * args.llm_output_price / 1e6;
    println!("dry run of a backfill for tenant {} from {} source(s): nothing was written", args.tenant, specs.len());
    println!("  messages        {messages} to process, {unusable} unusable (would be skipped)");
    match known.as_ref().map(|(_, _, e)| e) {
        Some(e @ EmbedderSpec::OpenAi { .. }) => {
            let tokens: u64 = found.iter().map(|(_, _, t)| t).sum();
            println!("  vectors         {messages} with {e}: ~{tokens} tokens at the provider's embedding price");
        }
        _ => println!("  vectors         {messages} (local model, no cost)"),
    }
    let model = &provider.settings.model;
    match &known {
        Some((_, false, _)) => println!(
            "  LLM extraction  off: tenant {} has no {} (no cost; rules and vectors only)",
            args.tenant, provider.key_name
        ),
        Some(_) => println!(
            "  LLM extraction  ~{input} input + ~{output} output tokens for {} messages with {model} ≈ ${dollars:.2}; {} already memoised (no cost)",
            fresh.len(),
            messages - fresh.len() as u64
        ),
        None => println!(
            "  LLM extraction  ~{input} input + ~{output} output tokens with {model} ≈ ${dollars:.2}, if tenant {} has a key (memoised answers cost nothing)",
            args.tenant
        ),
    }
    Ok(exit::OK)
}

/// The received-time range of a Graph backfill: `--from`/`--since` to `--to` (or now).
fn graph_range(args: &BackfillArgs) -> anyhow::Result<(Option<i64>, i64)> {
    let now = atom_sync::time::now_ms();
    let to = args.to.unwrap_or(now);
    let from = args.from.or(args.since.map(|s| now - s.as_millis() as i64));
    if let Some(f) = from.filter(|f| *f >= to) {
        anyhow::bail!(atom_sync::Error::Invalid(format!(
            "--from/--since: {} is not before --to {}",
            atom_sync::time::rfc3339(f),
            atom_sync::time::rfc3339(to)
        )));
    }
    Ok((from, to))
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
    }
}

/// One job per mailbox, each listing its mail window by window.
async fn backfill_graph(g: &Global, args: BackfillArgs) -> anyhow::Result<u8> {
    let (from, to) = graph_range(&args)?;
    let make = |mailbox: &str| graph_spec(&args, mailbox, from, to);
    let plan = GraphPlan { tenant: &args.tenant, mailboxes: &args.mailbox, select: &args.select };
    let jobs = plan.jobs(g, args.chunk_size.min(1000), &args.job, make).await?;
    run_all(g, jobs, args.job.detach, &args.job.run).await
}

/// The Graph mailboxes a command names, turned into jobs.
pub(super) struct GraphPlan<'a> {
    pub tenant: &'a str,
    pub mailboxes: &'a [String],
    pub select: &'a GraphSelect,
}

impl GraphPlan<'_> {
    /// Check credentials, list the mailboxes (`--all-mailboxes`), open the memories and
    /// create one pending job per mailbox. An incremental job starts at the delta
    /// links the last sync of its mailbox stored.
    pub async fn jobs(
        &self,
        g: &Global,
        chunk_size: usize,
        opts: &JobOpts,
        spec: impl Fn(&str) -> GraphSpec,
    ) -> anyhow::Result<Planned> {
        let llm_token_cap = opts.max_llm_tokens.map(|t| i64::try_from(t).unwrap_or(i64::MAX));
        let mailboxes = self.mailboxes(g).await?;
        let store = g.store().await?;
        // a refused vector table must fail before any job exists
        let (provider, memories) = open_memories(g, store.as_ref(), self.tenant).await?;
        let mut jobs = Vec::with_capacity(mailboxes.len());
        for mailbox in &mailboxes {
            let spec = spec(mailbox);
            let cursor = match spec.delta {
                true => GraphSpec::delta_cursor(&store.sync_links(self.tenant, mailbox).await?),
                false => None,
            };
            let job = store
                .create_job(&NewJob {
                    tenant: self.tenant.to_string(),
                    source: SourceSpec::Graph(spec).to_string(),
                    mailbox: mailbox.clone(),
                    chunk_size: chunk_size as i64,
                    max_body_bytes: opts.max_body_bytes as i64,
                    estimated_total: None,
                    cursor,
                    llm_token_cap,
                })
                .await?;
            jobs.push(job);
        }
        Ok(Planned { jobs, store, provider, memories })
    }

    /// The mailboxes named, or every user's (`--all-mailboxes`), one spelling each:
    /// `Ann@Contoso.com` and `ann@contoso.com` are one ledger, one set of delta links.
    pub async fn mailboxes(&self, g: &Global) -> anyhow::Result<Vec<String>> {
        let sources = g.sources()?;
        let client = sources.graph.clone().expect("the CLI always configures Graph");
        client.check_credentials()?;
        let named = if self.select.all_mailboxes {
            let all = atom_sync::source::graph::list_mailboxes(&client).await?;
            if all.is_empty() {
                anyhow::bail!(atom_sync::Error::Invalid("--all-mailboxes: Graph lists no user with a mailbox".into()));
            }
            all
        } else if self.mailboxes.is_empty() {
            anyhow::bail!(atom_sync::Error::Invalid(
                "--source graph needs --mailbox USER (repeatable) or --all-mailboxes".into()
            ));
        } else {
            self.mailboxes.to_vec()
        };
        let mut mailboxes: Vec<String> = named.iter().map(|m| m.trim().to_lowercase()).collect();
        mailboxes.sort();
        mailboxes.dedup();
        Ok(mailboxes)
    }
}

/// New jobs, with the store and memories opened to make them (and to run them).
pub(super) struct Planned {
    jobs: Vec<atom_sync::job::Job>,
    store: Arc<dyn Store>,
    provider: Arc<Provider>,
    memories: Arc<Memories>,
}

/// Print the ids (`--detach`), or run the jobs here one after another; the exit code
/// is the first failing job's.
pub(super) async fn run_all(g: &Global, planned: Planned, detach: bool, opts: &RunOpts) -> anyhow::Result<u8> {
    let Planned { jobs, store, provider, memories } = planned;
    if detach {
        for j in &jobs {
            println!("{}", j.id);
        }
        return Ok(exit::OK);
    }
    let mut code = exit::OK;
    for job in &jobs {
        let c = execute(g, store.clone(), provider.clone(), memories.clone(), job, opts, true).await?;
        if c == exit::INTERRUPTED {
            return Ok(c);
        }
        if code == exit::OK {
            code = c;
        }
    }
    Ok(code)
}

/// The provider and the memories, with `tenant`'s embedder and vector table opened
/// (so a refused table or a missing embedder key fails here, before anything runs).
pub(super) async fn open_memories(
    g: &Global,
    store: &dyn Store,
    tenant: &str,
) -> anyhow::Result<(Arc<Provider>, Arc<Memories>)> {
    let provider = g.provider()?;
    let memories = g.memories(provider.clone());
    memories.for_tenant(store, tenant).await?;
    Ok((provider, memories))
}

/// Run a pending job here, drawing progress; Ctrl-C or SIGTERM stops it after the
/// chunk in flight and releases it for `resume`.
pub(super) async fn execute(
    g: &Global,
    store: Arc<dyn Store>,
    provider: Arc<Provider>,
    memories: Arc<Memories>,
    job: &atom_sync::job::Job,
    opts: &RunOpts,
    announce: bool,
) -> anyhow::Result<u8> {
    let (events, renderer) = Renderer::start(g.quiet, true, g.json_logs());
    if announce {
        events.emit(atom_sync::event::Event::JobCreated { job: job.clone() });
    }
    let (stop_rx, signals) = stop_on_signal();
    let pipeline = Pipeline {
        store: store.clone(),
        memories,
        events,
        heartbeat_every: opts.heartbeat,
        stop: stop_rx,
        sources: g.sources()?,
        llm: Some(provider),
    };
    let result = pipeline.run(&job.id, &owner_name()).await;
    signals.abort();
    drop(pipeline);
    renderer.finish().await;
    match result {
        Ok(Outcome::Completed(job)) => {
            let removed = if job.removed > 0 { format!(", {} removed", job.removed) } else { String::new() };
            println!(
                "job {} completed: {} processed, {} skipped{removed}, {} vectors, {} entities, {} relationships",
                job.id, job.processed, job.skipped, job.vectors, job.entities, job.relationships
            );
            Ok(exit::OK)
        }
        Ok(Outcome::Halted(job)) => {
            println!("job {} {} on request after {} chunks", job.id, job.state, job.chunks);
            Ok(exit::OK)
        }
        Ok(Outcome::Released(job)) => {
            println!(
                "job {} stopped after chunk {}; continue with: atom-sync resume {}",
                job.id,
                job.chunks,
                job.short_id()
            );
            Ok(exit::INTERRUPTED)
        }
        Err(e @ atom_sync::Error::LeaseLost { .. }) => Err(e.into()),
        Err(e) => match store.job(&job.id).await {
            Ok(j) if j.state == atom_sync::job::JobState::Failed => {
                eprintln!("error: job {} failed: {e}", j.id);
                eprintln!("  after fixing the cause: atom-sync resume {}", j.short_id());
                Ok(exit::JOB_FAILED)
            }
            _ => Err(anyhow::Error::from(e).context(format!("running job {}", job.id))),
        },
    }
}

/// A stop flag that Ctrl-C or SIGTERM sets: work stops after the chunk in flight.
pub(super) fn stop_on_signal() -> (tokio::sync::watch::Receiver<bool>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let handle = tokio::spawn(async move {
        wait_for_signal().await;
        let _ = tx.send(true);
    });
    (rx, handle)
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
