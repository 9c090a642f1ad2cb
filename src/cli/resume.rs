//! `atom-sync resume`: continue a failed, paused, cancelled or interrupted job (or
//! every unfinished job of a tenant) from its last committed chunk.

use std::time::Duration;

use atom_sync::Error;
use atom_sync::job::{Job, JobState, owner_is_dead};
use atom_sync::settings::validate_tenant;
use atom_sync::store::{JobFilter, Store};
use clap::Args;

use super::backfill::{RunOpts, execute};
use super::{Global, exit};

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["job", "tenant"]))]
pub struct ResumeArgs {
    /// Job id, or its first characters as `status` shows them
    pub job: Option<String>,

    /// Every unfinished job of this tenant (failed, paused, cancelled, stale)
    #[arg(long)]
    pub tenant: Option<String>,

    /// A `running` job counts as interrupted when its heartbeat is older than this
    /// (or at once when its owner was a process on this host that is gone)
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    pub stale_after: Duration,

    /// Re-run a completed job's whole range (an incident re-run; idempotent)
    #[arg(long)]
    pub rerun: bool,

    /// Only re-queue, for `atom-sync worker`s to pick up
    #[arg(long)]
    pub detach: bool,

    #[command(flatten)]
    pub run: RunOpts,
}

pub async fn run(g: &Global, args: ResumeArgs) -> anyhow::Result<u8> {
    let store = g.store().await?;
    let jobs = match (&args.job, &args.tenant) {
        (Some(id), _) => vec![requeue(store.as_ref(), store.job(id).await?, &args).await?],
        (None, Some(tenant)) => {
            validate_tenant(tenant)?;
            let mut out = Vec::new();
            for job in store.jobs(&JobFilter { tenant: Some(tenant.clone()), ..Default::default() }).await? {
                let resumable = match job.state {
                    JobState::Completed => args.rerun,
                    JobState::Running => is_interrupted(&job, args.stale_after).is_some(),
                    _ => true,
                };
                if resumable {
                    out.push(requeue(store.as_ref(), job, &args).await?);
                }
            }
            if out.is_empty() {
                eprintln!("tenant {tenant}: no unfinished jobs");
            }
            out
        }
        (None, None) => unreachable!("clap requires a job or --tenant"),
    };
    if args.detach {
        for j in &jobs {
            println!("{}", j.id);
        }
        return Ok(exit::OK);
    }
    let provider = g.provider()?;
    let memories = g.memories(provider.clone());
    let mut code = exit::OK;
    for job in jobs {
        let c = execute(g, store.clone(), provider.clone(), memories.clone(), &job, &args.run, false).await?;
        code = code.max(c);
    }
    Ok(code)
}

/// Why a `running` job counts as interrupted, if it does.
fn is_interrupted(job: &Job, stale_after: Duration) -> Option<String> {
    let age = job.heartbeat_at.map(atom_sync::time::age);
    if job.lease_owner.as_deref().and_then(owner_is_dead) == Some(true) {
        return Some(format!("resumed: owner {} is gone", job.lease_owner.as_deref().unwrap_or("?")));
    }
    if age.is_none_or(|a| a > stale_after) {
        return Some(format!("resumed: heartbeat older than {}", humantime::format_duration(stale_after)));
    }
    None
}

async fn requeue(store: &dyn Store, job: Job, args: &ResumeArgs) -> anyhow::Result<Job> {
    let job = match job.state {
        JobState::Pending => job,
        JobState::Running => match is_interrupted(&job, args.stale_after) {
            Some(why) => store.requeue(&job, &why, false).await?,
            None => {
                let age = job.heartbeat_at.map(atom_sync::time::age).unwrap_or_default();
                return Err(Error::JobState {
                    job: job.id.clone(),
                    why: format!(
                        "is running (owner {}, heartbeat {} ago); it is alive, so it was not resumed",
                        job.lease_owner.as_deref().unwrap_or("?"),
                        humantime::format_duration(Duration::from_secs(age.as_secs()))
                    ),
                }
                .into());
            }
        },
        JobState::Completed if args.rerun => store.requeue(&job, "re-run of the completed range", true).await?,
        JobState::Completed => {
            return Err(Error::JobState {
                job: job.id.clone(),
                why: "is completed; there is nothing to resume (--rerun re-runs its whole range)".into(),
            }
            .into());
        }
        JobState::Failed | JobState::Paused | JobState::Cancelled => {
            let why = format!("resumed from {}", job.state);
            store.requeue(&job, &why, false).await?
        }
    };
    Ok(job)
}
