//! `atom-sync reap`: for cron. Re-queues jobs whose owner went silent, fails them
//! for good after too many attempts. Silent, exit 0, when there is nothing to do.

use std::io::IsTerminal;
use std::time::Duration;

use atom_sync::reap::{self, Action, Policy};
use atom_sync::settings::validate_tenant;
use clap::Args;
use tabled::settings::Style;
use tabled::{Table, Tabled};

use super::{exit, Global};

#[derive(Debug, Args)]
pub struct ReapArgs {
    /// A running job whose heartbeat is older than this has lost its owner
    #[arg(long, value_parser = humantime::parse_duration)]
    pub stale_after: Duration,

    /// Also reap jobs that beat but committed no chunk for this long (wedged)
    #[arg(long, value_parser = humantime::parse_duration)]
    pub no_progress_for: Option<Duration>,

    /// Fail a job for good instead of re-queueing it once it was claimed this often
    #[arg(long, default_value_t = 5)]
    pub max_attempts: i64,

    /// Only this tenant's jobs
    #[arg(long)]
    pub tenant: Option<String>,

    /// Show what would be done; change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// One JSON document on stdout
    #[arg(long)]
    pub json: bool,

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
    if let Some(t) = &args.tenant {
        validate_tenant(t)?;
    }
    let store = g.store().await?;
    let policy = Policy {
        stale_after: args.stale_after,
        no_progress_for: args.no_progress_for,
        max_attempts: args.max_attempts,
        tenant: args.tenant.clone(),
    };
    let plan = reap::plan(store.as_ref(), &policy).await?;
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !args.dry_run && !args.yes && interactive && plan.len() > CONFIRM_ABOVE {
        let ok = dialoguer::Confirm::new()
            .with_prompt(format!("Reap {} jobs?", plan.len()))
            .default(false)
            .interact()?;
        if !ok {
            eprintln!("nothing done");
            return Ok(exit::OK);
        }
    }
    let rows: Vec<(String, String, Action, String, bool)> = if args.dry_run {
        plan.iter().map(|p| (p.job_id.clone(), p.tenant.clone(), p.action, p.reason.clone(), false)).collect()
    } else {
        let applied = reap::apply(store.as_ref(), plan).await?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "dry_run": false, "actions": applied }))?);
            return Ok(exit::OK);
        }
        applied
            .into_iter()
            .map(|a| {
                let reason = match &a.note {
                    Some(n) => format!("skipped: {n}"),
                    None => a.planned.reason.clone(),
                };
                (a.planned.job_id, a.planned.tenant, a.planned.action, reason, a.applied)
            })
            .collect()
    };
    if args.json {
        let actions: Vec<_> = rows
            .iter()
            .map(|(id, t, a, r, _)| serde_json::json!({"job_id": id, "tenant": t, "action": a, "reason": r}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "dry_run": true, "actions": actions }))?);
        return Ok(exit::OK);
    }
    if rows.is_empty() {
        return Ok(exit::OK);
    }
    let table: Vec<Row> = rows
        .into_iter()
        .map(|(id, tenant, action, reason, applied)| Row {
            job: id[..8.min(id.len())].to_string(),
            tenant,
            action: match (action, args.dry_run, applied) {
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
    Ok(exit::OK)
}
