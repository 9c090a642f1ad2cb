//! `resume`: which jobs go back to `pending`, decided first (plan) and then done
//! (apply), each move guarded by what was seen. A running job counts as interrupted
//! when its owner, a process on this host, is gone, or when the health rule finds it
//! stale; a live one is never taken from its owner.

use std::time::Duration;

use crate::health::{Health, Thresholds};
use crate::job::{Job, JobState, owner_is_dead};
use crate::store::{JobFilter, Store};
use crate::{Error, Result};

/// What to resume.
#[derive(Debug, Clone)]
pub enum Selection {
    /// One job, by id or prefix: anything not resumable is an error.
    Job(String),
    /// Every unfinished job of a tenant (failed, paused, cancelled, stale, pending).
    Tenant(String),
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// A running job counts as interrupted once its heartbeat is older than this.
    pub stale_after: Duration,
    /// Re-run completed jobs over their whole range (an incident re-run).
    pub rerun: bool,
}

/// One job's move.
#[derive(Debug, Clone)]
pub enum Step {
    /// Already pending: nothing to do but run it.
    Ready(Job),
    /// Back to pending, for this reason; `from_start` rewinds the checkpoint.
    Requeue { job: Job, reason: String, from_start: bool },
}

impl Step {
    pub fn job(&self) -> &Job {
        match self {
            Step::Ready(job) | Step::Requeue { job, .. } => job,
        }
    }
}

/// Why a `running` job counts as interrupted, if it does.
pub fn interrupted(job: &Job, stale_after: Duration, now: i64) -> Option<String> {
    if job.lease_owner.as_deref().and_then(owner_is_dead) == Some(true) {
        return Some(format!("resumed: owner {} is gone", job.lease_owner.as_deref().unwrap_or("?")));
    }
    let rule = Thresholds { stale_after, wedged_after: None };
    match rule.judge(job, now) {
        Some(Health::Stale { .. }) => {
            Some(format!("resumed: heartbeat older than {}", humantime::format_duration(stale_after)))
        }
        _ => None,
    }
}

/// The move for one job, or why it has none.
fn step(job: Job, opts: Options, now: i64) -> Result<Step> {
    let refuse = |job: &Job, why: String| Err(Error::JobState { job: job.id.clone(), why });
    match job.state {
        JobState::Pending => Ok(Step::Ready(job)),
        JobState::Running => match interrupted(&job, opts.stale_after, now) {
            Some(reason) => Ok(Step::Requeue { job, reason, from_start: false }),
            None => {
                let age = job.heartbeat_at.map(|t| crate::health::age_at(t, now)).unwrap_or_default();
                refuse(
                    &job,
                    format!(
                        "is running (owner {}, heartbeat {} ago); it is alive, so it was not resumed",
                        job.lease_owner.as_deref().unwrap_or("?"),
                        humantime::format_duration(Duration::from_secs(age.as_secs()))
                    ),
                )
            }
        },
        JobState::Completed if opts.rerun => {
            Ok(Step::Requeue { job, reason: "re-run of the completed range".into(), from_start: true })
        }
        JobState::Completed => {
            refuse(&job, "is completed; there is nothing to resume (--rerun re-runs its whole range)".into())
        }
        JobState::Failed | JobState::Paused | JobState::Cancelled => {
            let reason = format!("resumed from {}", job.state);
            Ok(Step::Requeue { job, reason, from_start: false })
        }
    }
}

/// What a resume would do; changes nothing.
pub async fn plan(store: &dyn Store, selection: &Selection, opts: Options) -> Result<Vec<Step>> {
    // the database's clock: the one heartbeats were stamped with
    let now = store.now().await?;
    match selection {
        Selection::Job(id) => Ok(vec![step(store.job(id).await?, opts, now)?]),
        Selection::Tenant(tenant) => {
            let jobs = store.jobs(&JobFilter { tenant: Some(tenant.clone()), ..Default::default() }).await?;
            // a tenant-wide resume passes over what is not resumable rather than failing
            Ok(jobs.into_iter().filter_map(|j| step(j, opts, now).ok()).collect())
        }
    }
}

/// Carry out a plan: the jobs, each now pending.
pub async fn apply(store: &dyn Store, plan: Vec<Step>) -> Result<Vec<Job>> {
    let mut out = Vec::with_capacity(plan.len());
    for s in plan {
        out.push(match s {
            Step::Ready(job) => job,
            Step::Requeue { job, reason, from_start } => store.requeue(&job, &reason, from_start).await?,
        });
    }
    Ok(out)
}
