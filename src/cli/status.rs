//! `atom-sync status`: a table of jobs, one job's story, or JSON for scripts.

use std::time::Duration;

use atom_sync::job::{Job, JobState};
use atom_sync::settings::validate_tenant;
use atom_sync::store::JobFilter;
use atom_sync::time::{age, rfc3339};
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
    pub tenant: Option<String>,

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
    #[arg(long, value_parser = humantime::parse_duration, value_name = "INTERVAL", conflicts_with_all = ["json", "metrics"])]
    pub watch: Option<Duration>,

    /// Mark running jobs whose heartbeat is older than this as stale
    #[arg(long, default_value = "2m", value_parser = humantime::parse_duration)]
    pub stale_after: Duration,

    /// Mark running jobs that committed no chunk for this long as wedged
    #[arg(long, default_value = "30m", value_parser = humantime::parse_duration)]
    pub wedged_after: Duration,
}

/// How `status` judges running jobs.
#[derive(Debug, Clone, Copy)]
pub struct Health {
    pub stale_after: Duration,
    pub wedged_after: Duration,
}

impl Health {
    /// `stale` (no heartbeat: the owner is gone) or `wedged` (alive, no progress).
    fn verdict(&self, j: &Job) -> Option<&'static str> {
        if j.state != JobState::Running {
            return None;
        }
        if j.heartbeat_at.map(age).is_none_or(|a| a > self.stale_after) {
            return Some("stale");
        }
        if j.progress_at.map(age).is_some_and(|a| a > self.wedged_after) {
            return Some("wedged");
        }
        None
    }
}

fn parse_state(s: &str) -> Result<JobState, String> {
    s.parse().map_err(|e: atom_sync::Error| e.to_string())
}

/// A job as scripts see it (`status --json`); names are part of the interface (DESIGN §8).
#[derive(Debug, Serialize)]
pub struct JobView {
    pub id: String,
    pub tenant: String,
    pub source: String,
    pub mailbox: String,
    pub state: JobState,
    pub processed: i64,
    pub skipped: i64,
    pub entities: i64,
    pub relationships: i64,
    pub vectors: i64,
    pub removed: i64,
    pub llm_tokens: i64,
    pub llm_status: Option<String>,
    /// The embedder the job writes with (`local`, `openai:MODEL`), once it has run.
    pub embedder: Option<String>,
    pub chunks: i64,
    pub attempts: i64,
    pub rescues: i64,
    pub requested_state: Option<JobState>,
    pub has_more: bool,
    pub estimated_total: Option<i64>,
    pub lease_owner: Option<String>,
    pub heartbeat_at: Option<String>,
    pub heartbeat_age_seconds: Option<u64>,
    pub progress_age_seconds: Option<u64>,
    /// `stale` or `wedged` for a running job in trouble.
    pub health: Option<&'static str>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub duration_seconds: Option<u64>,
    pub last_error: Option<String>,
}

impl JobView {
    fn new(j: &Job, health: &Health) -> Self {
        JobView {
            id: j.id.clone(),
            tenant: j.tenant.clone(),
            source: j.source.clone(),
            mailbox: j.mailbox.clone(),
            state: j.state,
            processed: j.processed,
            skipped: j.skipped,
            entities: j.entities,
            relationships: j.relationships,
            vectors: j.vectors,
            removed: j.removed,
            llm_tokens: j.llm_tokens,
            llm_status: j.llm_status.clone(),
            embedder: j.embedder.as_ref().map(|e| match j.embed_dimensions {
                Some(d) => format!("{e} ({d} dimensions)"),
                None => e.clone(),
            }),
            chunks: j.chunks,
            attempts: j.attempts,
            rescues: j.rescues,
            requested_state: j.requested_state,
            has_more: j.has_more,
            estimated_total: j.estimated_total,
            lease_owner: j.lease_owner.clone(),
            heartbeat_at: j.heartbeat_at.map(rfc3339),
            heartbeat_age_seconds: live_heartbeat(j).map(|a| a.as_secs()),
            progress_age_seconds: (j.state == JobState::Running)
                .then_some(j.progress_at)
                .flatten()
                .map(|p| age(p).as_secs()),
            health: health.verdict(j),
            created_at: rfc3339(j.created_at),
            started_at: j.started_at.map(rfc3339),
            finished_at: j.finished_at.map(rfc3339),
            duration_seconds: duration(j).map(|d| d.as_secs()),
            last_error: j.last_error.clone(),
        }
    }
}

fn live_heartbeat(j: &Job) -> Option<Duration> {
    (j.state == JobState::Running).then_some(j.heartbeat_at?).map(age)
}

fn duration(j: &Job) -> Option<Duration> {
    let start = j.started_at?;
    let end = j.finished_at.unwrap_or_else(atom_sync::time::now_ms);
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
    fn new(j: &Job, health: &Health) -> Self {
        let processed = match (j.estimated_total, j.has_more) {
            (Some(t), true) => format!("{}/{}", j.processed, t.max(j.processed + j.skipped)),
            _ => j.processed.to_string(),
        };
        Row {
            id: j.short_id().to_string(),
            tenant: j.tenant.clone(),
            source: short_source(&j.source),
            state: match (health.verdict(j), j.requested_state) {
                (Some(v), _) => format!("{} ({v})", j.state),
                (None, Some(r)) => format!("{} ({r} requested)", j.state),
                (None, None) => j.state.to_string(),
            },
            processed,
            skipped: j.skipped,
            entities: j.entities,
            relationships: j.relationships,
            vectors: j.vectors,
            heartbeat: live_heartbeat(j).map(|a| format!("{} ago", human(a))).unwrap_or_else(|| "-".into()),
            started: j.started_at.map(rfc3339).unwrap_or_else(|| "-".into()),
            duration: duration(j).map(human).unwrap_or_else(|| "-".into()),
            last_error: j.last_error.as_deref().map(|e| truncate(e, 60)).unwrap_or_default(),
        }
    }
}

pub async fn run(g: &Global, args: StatusArgs) -> anyhow::Result<u8> {
    if let Some(t) = &args.tenant {
        validate_tenant(t)?;
    }
    let store = g.store().await?;
    let health = Health { stale_after: args.stale_after, wedged_after: args.wedged_after };
    if let Some(id) = &args.job {
        return one(store.as_ref(), id, args.json, &health).await;
    }
    if args.metrics {
        let jobs = store.jobs(&JobFilter { tenant: args.tenant.clone(), state: args.state, limit: None }).await?;
        print!("{}", atom_sync::metrics::render(&jobs, args.stale_after, args.wedged_after, &[]));
        return Ok(exit::OK);
    }
    if let Some(every) = args.watch {
        let filter = JobFilter { tenant: args.tenant.clone(), state: args.state, limit: Some(args.limit) };
        loop {
            let jobs = store.jobs(&filter).await?;
            let rows: Vec<Row> = jobs.iter().map(|j| Row::new(j, &health)).collect();
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
    let jobs =
        store.jobs(&JobFilter { tenant: args.tenant.clone(), state: args.state, limit: Some(args.limit) }).await?;
    if args.json {
        let views: Vec<JobView> = jobs.iter().map(|j| JobView::new(j, &health)).collect();
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "jobs": views }))?);
    } else if jobs.is_empty() {
        eprintln!("no jobs{}", args.tenant.map(|t| format!(" for tenant {t}")).unwrap_or_default());
    } else {
        let rows: Vec<Row> = jobs.iter().map(|j| Row::new(j, &health)).collect();
        println!("{}", Table::new(rows).with(Style::sharp()));
    }
    Ok(exit::OK)
}

async fn one(store: &dyn atom_sync::store::Store, id: &str, json: bool, health: &Health) -> anyhow::Result<u8> {
    let job = store.job(id).await?;
    let events = store.events(&job).await?;
    let skipped = store.skipped(&job).await?;
    if json {
        let doc = serde_json::json!({
            "jobs": [JobView::new(&job, health)],
            "events": events.iter().map(|e| serde_json::json!({"at": rfc3339(e.at), "kind": e.kind, "message": e.message})).collect::<Vec<_>>(),
            "skipped_messages": skipped,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(exit::OK);
    }
    let v = JobView::new(&job, health);
    println!("job        {}", v.id);
    println!("tenant     {}", v.tenant);
    println!("source     {}", v.source);
    println!("mailbox    {}", v.mailbox);
    println!(
        "state      {}{}",
        v.state,
        if job.has_more && job.state != JobState::Completed { " (more to fetch)" } else { "" }
    );
    println!(
        "counters   {} processed, {} skipped, {} vectors, {} entities, {} relationships, {} chunks",
        v.processed, v.skipped, v.vectors, v.entities, v.relationships, v.chunks
    );
    if v.removed > 0 {
        println!("removed    {} (gone from the source)", v.removed);
    }
    if let Some(llm) = &v.llm_status {
        println!("llm        {llm}; {} tokens", v.llm_tokens);
    }
    if let Some(e) = &v.embedder {
        println!("embedder   {e}");
    }
    println!("attempts   {} ({} rescued by the reaper)", v.attempts, v.rescues);
    if let Some(h) = v.health {
        println!("health     {h}");
    }
    if let Some(r) = v.requested_state {
        println!("requested  {r} (at the owner's next heartbeat)");
    }
    if let Some(owner) = &v.lease_owner {
        let hb = live_heartbeat(&job).map(|a| format!(", heartbeat {} ago", human(a))).unwrap_or_default();
        println!("owner      {owner}{hb}");
    }
    if let Some(d) = duration(&job) {
        println!("duration   {}", human(d));
    }
    if let Some(e) = &v.last_error {
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
