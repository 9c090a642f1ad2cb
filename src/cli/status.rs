//! `atom-sync status`: a table of jobs, one job's story, or JSON for scripts.

use std::time::Duration;

use atom_sync::health::Thresholds;
use atom_sync::job::{Job, JobState};
use atom_sync::store::JobFilter;
use atom_sync::tenant::TenantId;
use atom_sync::time::rfc3339;
use clap::Args;
use serde::Serialize;
use tabled::settings::Style;
use tabled::{Table, Tabled};

use super::{Global, exit};

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// One job (id or its first characters): its counters, story and skipped messages
    pub job: Option<String>,

    /// Only this tenant's jobs
    #[arg(long)]
    pub tenant: Option<TenantId>,

    /// Only jobs in this state
    #[arg(long, value_parser = parse_state)]
    pub state: Option<JobState>,

    /// At most this many jobs, newest first
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..))]
    pub limit: i64,

    /// One JSON document on stdout instead of a table
    #[arg(long)]
    pub json: bool,

    /// Prometheus text-format metrics (jobs by state, stale and wedged jobs, messages
    /// per tenant) instead of a table
    #[arg(long, conflicts_with_all = ["json", "job"])]
    pub metrics: bool,

    /// Redraw the table every interval until interrupted
    #[arg(long, value_parser = atom_sync::time::parse_interval, value_name = "INTERVAL", conflicts_with_all = ["json", "metrics"])]
    pub watch: Option<Duration>,

    /// Mark running jobs whose heartbeat is older than this as stale
    #[arg(long, default_value = "2m", value_parser = atom_sync::time::parse_span, env = "ATOM_SYNC_STALE_AFTER")]
    pub stale_after: Duration,

    /// Mark running jobs that committed no chunk for this long as wedged
    #[arg(long, default_value = "30m", value_parser = atom_sync::time::parse_span, env = "ATOM_SYNC_WEDGED_AFTER")]
    pub wedged_after: Duration,
}

fn parse_state(s: &str) -> Result<JobState, String> {
    s.parse().map_err(|e: atom_sync::Error| e.to_string())
}

/// A job as scripts see it (`status --json`): the job itself and what is judged of it
/// now. Names are part of the interface (DESIGN §8).
#[derive(Debug, Serialize)]
pub struct JobView<'a> {
    #[serde(flatten)]
    pub job: &'a Job,
    /// The embedder the job writes with (`local`, `openai:MODEL (N dimensions)`), once it has run.
    pub embedder: Option<String>,
    pub heartbeat_age_seconds: Option<u64>,
    pub progress_age_seconds: Option<u64>,
    /// `stale` or `wedged` for a running job in trouble.
    pub health: Option<&'static str>,
    pub duration_seconds: Option<u64>,
}

impl<'a> JobView<'a> {
    fn new(j: &'a Job, rule: &Thresholds, now: i64) -> Self {
        let age = |at: i64| atom_sync::health::age_at(at, now);
        JobView {
            job: j,
            embedder: j.embedder.as_ref().map(|e| match j.embed_dimensions {
                Some(d) => format!("{e} ({d} dimensions)"),
                None => e.clone(),
            }),
            heartbeat_age_seconds: live_heartbeat(j, now).map(|a| a.as_secs()),
            progress_age_seconds: (j.state == JobState::Running)
                .then_some(j.progress_at)
                .flatten()
                .map(|p| age(p).as_secs()),
            health: verdict(j, rule, now),
            duration_seconds: duration(j, now).map(|d| d.as_secs()),
        }
    }
}

/// Jobs as `status --json` shows them (with its default thresholds), for the commands
/// that run or change jobs: one shape for scripts, whichever command they called.
pub fn jobs_doc(jobs: &[Job], now: i64) -> serde_json::Value {
    let rule = Thresholds { stale_after: Duration::from_secs(120), wedged_after: Some(Duration::from_secs(1800)) };
    let views: Vec<JobView> = jobs.iter().map(|j| JobView::new(j, &rule, now)).collect();
    serde_json::json!({ "jobs": views })
}

/// `stale` or `wedged`, as the health rule judges the job now.
fn verdict(j: &Job, rule: &Thresholds, now: i64) -> Option<&'static str> {
    rule.judge(j, now).and_then(|h| h.label())
}

fn live_heartbeat(j: &Job, now: i64) -> Option<Duration> {
    (j.state == JobState::Running).then_some(j.heartbeat_at?).map(|at| atom_sync::health::age_at(at, now))
}

fn duration(j: &Job, now: i64) -> Option<Duration> {
    let start = j.started_at?;
    let end = j.finished_at.unwrap_or(now);
    Some(Duration::from_millis(end.saturating_sub(start).max(0) as u64))
}

fn human(d: Duration) -> String {
    humantime::format_duration(Duration::from_secs(d.as_secs())).to_string()
}

#[derive(Tabled)]
struct Row {
    #[tabled(rename = "ID")]
    id: String,
    #[tabled(rename = "TENANT")]
    tenant: String,
    #[tabled(rename = "SOURCE")]
    source: String,
    #[tabled(rename = "STATE")]
    state: String,
    #[tabled(rename = "PROCESSED")]
    processed: String,
    #[tabled(rename = "SKIPPED")]
    skipped: i64,
    #[tabled(rename = "ENTITIES")]
    entities: i64,
    #[tabled(rename = "RELATIONSHIPS")]
    relationships: i64,
    #[tabled(rename = "VECTORS")]
    vectors: i64,
    #[tabled(rename = "HEARTBEAT")]
    heartbeat: String,
    #[tabled(rename = "STARTED")]
    started: String,
    #[tabled(rename = "DURATION")]
    duration: String,
    #[tabled(rename = "LAST ERROR")]
    last_error: String,
}

fn short_source(s: &str) -> String {
    match s.split_once(':') {
        Some((kind, path)) => {
            let name = std::path::Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned());
            format!("{kind}:{}", name.unwrap_or_else(|| path.to_string()))
        }
        None => s.to_string(),
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
}

impl Row {
    fn new(j: &Job, rule: &Thresholds, now: i64) -> Self {
        let processed = match (j.estimated_total, j.has_more) {
            (Some(t), true) => format!("{}/{}", j.processed, t.max(j.processed + j.skipped)),
            _ => j.processed.to_string(),
        };
        Row {
            id: j.short_id().to_string(),
            tenant: j.tenant.clone(),
            source: short_source(&j.source),
            state: match (verdict(j, rule, now), j.requested_state) {
                (Some(v), _) => format!("{} ({v})", j.state),
                (None, Some(r)) => format!("{} ({r} requested)", j.state),
                (None, None) => j.state.to_string(),
            },
            processed,
            skipped: j.skipped,
            entities: j.entities,
            relationships: j.relationships,
            vectors: j.vectors,
            heartbeat: live_heartbeat(j, now).map(|a| format!("{} ago", human(a))).unwrap_or_else(|| "-".into()),
            started: j.started_at.map(rfc3339).unwrap_or_else(|| "-".into()),
            duration: duration(j, now).map(human).unwrap_or_else(|| "-".into()),
            last_error: j.last_error.as_deref().map(|e| truncate(e, 60)).unwrap_or_default(),
        }
    }
}

pub async fn run(g: &Global, args: StatusArgs) -> anyhow::Result<u8> {
    let store = g.store().await?;
    let rule = Thresholds { stale_after: args.stale_after, wedged_after: Some(args.wedged_after) };
    let tenant = args.tenant.as_ref().map(|t| t.to_string());
    // ages are measured by the database's clock, the one heartbeats carry
    let now = store.now().await?;
    if let Some(id) = &args.job {
        return one(store.as_ref(), id, args.json, &rule, now).await;
    }
    if args.metrics {
        let mut jobs = store.jobs(&JobFilter { tenant, state: args.state, limit: None }).await?;
        live_totals(store.as_ref(), &mut jobs).await?;
        print!("{}", atom_sync::metrics::render(&jobs, &rule, now, &[]));
        return Ok(exit::OK);
    }
    if let Some(every) = args.watch {
        let filter = JobFilter { tenant, state: args.state, limit: Some(args.limit) };
        loop {
            let mut jobs = store.jobs(&filter).await?;
            live_totals(store.as_ref(), &mut jobs).await?;
            let now = store.now().await?;
            let rows: Vec<Row> = jobs.iter().map(|j| Row::new(j, &rule, now)).collect();
            // clear the screen and home the cursor, then redraw
            print!(
                "\x1b[2J\x1b[H{}\n{}\n",
                atom_sync::time::rfc3339(atom_sync::time::now_ms()),
                Table::new(rows).with(Style::sharp())
            );
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = tokio::signal::ctrl_c() => return Ok(exit::OK),
            }
        }
    }
    let mut jobs = store.jobs(&JobFilter { tenant, state: args.state, limit: Some(args.limit) }).await?;
    live_totals(store.as_ref(), &mut jobs).await?;
    if args.json {
        let views: Vec<JobView> = jobs.iter().map(|j| JobView::new(j, &rule, now)).collect();
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "jobs": views }))?);
    } else if jobs.is_empty() {
        super::log::note(format!("no jobs{}", args.tenant.map(|t| format!(" for tenant {t}")).unwrap_or_default()));
    } else {
        let rows: Vec<Row> = jobs.iter().map(|j| Row::new(j, &rule, now)).collect();
        println!("{}", Table::new(rows).with(Style::sharp()));
    }
    Ok(exit::OK)
}

/// A running job's graph totals are the tenant's, read now: chunks do not count
/// them (a count per chunk would cost what the tenant holds), the job's end does.
async fn live_totals(store: &dyn atom_sync::store::Store, jobs: &mut [Job]) -> anyhow::Result<()> {
    let mut read: std::collections::HashMap<String, (i64, i64)> = Default::default();
    for j in jobs.iter_mut().filter(|j| j.state == JobState::Running) {
        if !read.contains_key(&j.tenant) {
            read.insert(j.tenant.clone(), store.graph_totals(&j.tenant).await?);
        }
        (j.entities, j.relationships) = read[&j.tenant];
    }
    Ok(())
}

async fn one(
    store: &dyn atom_sync::store::Store,
    id: &str,
    json: bool,
    rule: &Thresholds,
    now: i64,
) -> anyhow::Result<u8> {
    let mut job = store.job(id).await?;
    live_totals(store, std::slice::from_mut(&mut job)).await?;
    let events = store.events(&job).await?;
    let skipped = store.skipped(&job).await?;
    if json {
        let doc = serde_json::json!({
            "jobs": [JobView::new(&job, rule, now)],
            "events": events.iter().map(|e| serde_json::json!({"at": rfc3339(e.at), "kind": e.kind, "message": e.message})).collect::<Vec<_>>(),
            "skipped_messages": skipped,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(exit::OK);
    }
    let v = JobView::new(&job, rule, now);
    let j = &job;
    println!("job        {}", j.id);
    println!("tenant     {}", j.tenant);
    println!("source     {}", j.source);
    println!("mailbox    {}", j.mailbox);
    println!(
        "state      {}{}",
        j.state,
        if j.has_more && j.state != JobState::Completed { " (more to fetch)" } else { "" }
    );
    println!(
        "counters   {} processed, {} skipped, {} vectors, {} entities, {} relationships, {} chunks",
        j.processed, j.skipped, j.vectors, j.entities, j.relationships, j.chunks
    );
    if j.removed > 0 {
        println!("removed    {} (gone from the source)", j.removed);
    }
    if let Some(source) = &j.source_status {
        println!("source     {source}");
    }
    if let Some(llm) = &j.llm_status {
        println!("llm        {llm}; {} tokens", j.llm_tokens);
    }
    if let Some(e) = &v.embedder {
        println!("embedder   {e}");
    }
    println!("attempts   {} ({} rescued by the reaper)", j.attempts, j.rescues);
    if let Some(h) = v.health {
        println!("health     {h}");
    }
    if let Some(r) = j.requested_state {
        println!("requested  {r} (at the owner's next heartbeat)");
    }
    if let Some(owner) = &j.lease_owner {
        let hb = live_heartbeat(&job, now).map(|a| format!(", heartbeat {} ago", human(a))).unwrap_or_default();
        println!("owner      {owner}{hb}");
    }
    if let Some(d) = duration(&job, now) {
        println!("duration   {}", human(d));
    }
    if let Some(e) = &j.last_error {
        println!("last error {e}");
    }
    println!("\nstory:");
    for e in &events {
        println!("  {}  {:<10} {}", rfc3339(e.at), e.kind, e.message);
    }
    if !skipped.is_empty() {
        println!("\nskipped messages ({}):", skipped.len());
        for s in &skipped {
            println!("  {}  {}", s.source_ref.as_deref().unwrap_or(&s.message_id), s.reason.as_deref().unwrap_or(""));
        }
    }
    Ok(exit::OK)
}
