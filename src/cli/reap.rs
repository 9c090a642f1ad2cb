//! `atom-sync reap`: for cron. Re-queues jobs whose owner went silent, fails them
//! for good after too many attempts. Silent, exit 0, when there is nothing to do.

use std::io::IsTerminal;
use std::time::Duration;

use atom_sync::reap::{self, Action, Policy};
use atom_sync::tenant::TenantId;
use clap::Args;
use tabled::settings::Style;
use tabled::{Table, Tabled};

use super::{Global, exit};

#[derive(Debug, Args)]
pub struct ReapArgs {
    /// A running job whose heartbeat is older than this has lost its owner
    #[arg(long, value_parser = atom_sync::time::parse_span, env = "ATOM_SYNC_STALE_AFTER")]
    pub stale_after: Duration,

    /// Also reap jobs that beat but committed no chunk for this long (wedged)
    #[arg(long, value_parser = atom_sync::time::parse_span, env = "ATOM_SYNC_NO_PROGRESS_FOR")]
    pub no_progress_for: Option<Duration>,

    /// Fail a job for good instead of re-queueing it once it was claimed this often
    #[arg(long, default_value_t = 5, env = "ATOM_SYNC_MAX_ATTEMPTS")]
    pub max_attempts: i64,

    /// Only this tenant's jobs
    #[arg(long)]
    pub tenant: Option<TenantId>,

    /// Show what would be done; change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// One JSON document on stdout
    #[arg(long)]
    pub json: bool,

    /// After reaping, write Prometheus metrics to this file (atomically), e.g. for
    /// node_exporter's textfile collector
    #[arg(long, value_name = "PATH", env = "ATOM_SYNC_METRICS_FILE")]
    pub metrics_file: Option<std::path::PathBuf>,

    /// Do not ask for confirmation on a terminal
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// Ask before touching more than this many jobs from a terminal.
const CONFIRM_ABOVE: usize = 3;

#[derive(Tabled)]
struct Row {
    #[tabled(rename = "JOB")]
    job: String,
    #[tabled(rename = "TENANT")]
    tenant: String,
    #[tabled(rename = "ACTION")]
    action: String,
    #[tabled(rename = "REASON")]
    reason: String,
}

pub async fn run(g: &Global, args: ReapArgs) -> anyhow::Result<u8> {
    let store = g.store().await?;
    let policy = Policy {
        stale_after: args.stale_after,
        no_progress_for: args.no_progress_for,
        max_attempts: args.max_attempts,
        tenant: args.tenant.as_ref().map(|t| t.to_string()),
    };
    let plan = reap::plan(store.as_ref(), &policy).await?;
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !args.dry_run && !args.yes && interactive && plan.len() > CONFIRM_ABOVE {
        let ok =
            dialoguer::Confirm::new().with_prompt(format!("Reap {} jobs?", plan.len())).default(false).interact()?;
        if !ok {
            super::log::note("nothing done");
            return Ok(exit::OK);
        }
    }
    let rows = act(store.as_ref(), plan, &args).await?;
    // a dry run is not a reap: it must not look like one to alerting
    if let Some(path) = args.metrics_file.as_ref().filter(|_| !args.dry_run) {
        let requeued = rows.iter().filter(|r| r.4 && r.2 == Action::Requeue).count() as u64;
        let failed = rows.iter().filter(|r| r.4 && r.2 == Action::Fail).count() as u64;
        write_metrics(store.as_ref(), &args, path, requeued, failed).await?;
    }
    if rows.is_empty() && !args.json {
        return Ok(exit::OK);
    }
    if args.json {
        let actions: Vec<_> = rows
            .iter()
            .map(|(id, t, a, r, applied)| serde_json::json!({"job_id": id, "tenant": t, "action": a, "reason": r, "applied": applied}))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "dry_run": args.dry_run, "actions": actions }))?
        );
        return Ok(exit::OK);
    }
    print_table(rows, args.dry_run);
    Ok(exit::OK)
}

type Outcome = (String, String, Action, String, bool);

/// Apply the plan (or not, on a dry run): (job, tenant, action, reason, applied).
async fn act(
    store: &dyn atom_sync::store::Store,
    plan: Vec<reap::Planned>,
    args: &ReapArgs,
) -> anyhow::Result<Vec<Outcome>> {
    Ok(if args.dry_run {
        plan.iter().map(|p| (p.job_id.clone(), p.tenant.clone(), p.action, p.reason.clone(), false)).collect()
    } else {
        reap::apply(store, plan)
            .await?
            .into_iter()
            .map(|a| {
                let reason = match &a.note {
                    Some(n) => format!("skipped: {n}"),
                    None => a.planned.reason.clone(),
                };
                (a.planned.job_id, a.planned.tenant, a.planned.action, reason, a.applied)
            })
            .collect()
    })
}

async fn write_metrics(
    store: &dyn atom_sync::store::Store,
    args: &ReapArgs,
    path: &std::path::Path,
    requeued: u64,
    failed: u64,
) -> anyhow::Result<()> {
    let tenant = args.tenant.as_ref().map(|t| t.to_string());
    let jobs = store.jobs(&atom_sync::store::JobFilter { tenant, ..Default::default() }).await?;
    let rule = atom_sync::health::Thresholds {
        stale_after: args.stale_after,
        wedged_after: Some(args.no_progress_for.unwrap_or(Duration::from_secs(30 * 60))),
    };
    let text = atom_sync::metrics::render(
        &jobs,
        &rule,
        store.now().await?,
        &[
            ("atom_sync_reap_requeued", "Jobs the last reap re-queued.", requeued),
            ("atom_sync_reap_failed", "Jobs the last reap failed for good.", failed),
            (
                "atom_sync_reap_last_run_seconds",
                "When the last reap ran (unix seconds).",
                (atom_sync::time::now_ms() / 1000) as u64,
            ),
        ],
    );
    // write then rename, so a collector never reads half a file
    atom_sync::private::write_atomic(path, text.as_bytes())
        .map_err(|e| atom_sync::Error::Io { context: format!("writing metrics file {}", path.display()), source: e })?;
    Ok(())
}

fn print_table(rows: Vec<Outcome>, dry_run: bool) {
    let table: Vec<Row> = rows
        .into_iter()
        .map(|(id, tenant, action, reason, applied)| Row {
            job: id[..8.min(id.len())].to_string(),
            tenant,
            action: match (action, dry_run, applied) {
                (Action::Requeue, true, _) => "would re-queue".into(),
                (Action::Fail, true, _) => "would fail".into(),
                (_, false, false) => "left alone".into(),
                (Action::Requeue, false, true) => "re-queued".into(),
                (Action::Fail, false, true) => "failed".into(),
            },
            reason,
        })
        .collect();
    println!("{}", Table::new(table).with(Style::sharp()));
}
