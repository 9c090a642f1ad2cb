//! The reaper, built for cron: find `running` jobs whose owner went silent (no
//! heartbeat) or is wedged (beating, but no progress), then re-queue them, or fail
//! them for good after too many attempts. Plan first, then apply, so `--dry-run`
//! shows exactly what a real run would do.

use std::time::Duration;

use serde::Serialize;

use crate::health::{Health, Thresholds};
use crate::job::{Job, JobState};
use crate::store::{JobFilter, Store};
use crate::{Error, Result};

#[derive(Debug, Clone)]
pub struct Policy {
    /// A heartbeat older than this means the owner is gone.
    pub stale_after: Duration,
    /// Also reap jobs that beat but have not committed a chunk for this long.
    pub no_progress_for: Option<Duration>,
    /// A job that has ended badly this many times (failures and rescues, this one
    /// included) is failed instead of re-queued.
    pub max_attempts: i64,
    pub tenant: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Requeue,
    Fail,
}

#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    pub job_id: String,
    pub tenant: String,
    pub owner: Option<String>,
    pub action: Action,
    pub reason: String,
    pub attempts: i64,
    pub heartbeat_age_seconds: Option<u64>,
    pub progress_age_seconds: Option<u64>,
    #[serde(skip)]
    observed: Option<Job>,
}

fn human(d: Duration) -> String {
    humantime::format_duration(Duration::from_secs(d.as_secs())).to_string()
}

/// What a reap would do now; changes nothing.
pub async fn plan(store: &dyn Store, policy: &Policy) -> Result<Vec<Planned>> {
    if policy.max_attempts < 1 {
        return Err(Error::Invalid("--max-attempts must be at least 1".into()));
    }
    // the database's clock: the one heartbeats were stamped with
    let now = store.now().await?;
    let running =
        store.jobs(&JobFilter { tenant: policy.tenant.clone(), state: Some(JobState::Running), limit: None }).await?;
    let rule = Thresholds { stale_after: policy.stale_after, wedged_after: policy.no_progress_for };
    let mut out = Vec::new();
    for job in running {
        let age = |at: Option<i64>| at.map(|t| crate::health::age_at(t, now));
        let (hb, progress) = (age(job.heartbeat_at), age(job.progress_at));
        let why = match rule.judge(&job, now) {
            Some(Health::Stale { heartbeat_age }) => format!(
                "no heartbeat for {} (stale after {}), owner {}",
                heartbeat_age.map(human).unwrap_or_else(|| "ever".into()),
                human(policy.stale_after),
                job.lease_owner.as_deref().unwrap_or("unknown")
            ),
            Some(Health::Wedged { progress_age }) => format!(
                "wedged: alive but no chunk committed for {} (limit {})",
                human(progress_age),
                human(policy.no_progress_for.unwrap_or_default())
            ),
            Some(Health::Alive) | None => continue,
        };
        // this rescue is one more run that ended badly
        let give_up = job.failures + 1 >= policy.max_attempts;
        let (action, reason) = if give_up {
            (Action::Fail, format!("{why}; gave up after {} failed attempts", job.failures + 1))
        } else {
            (Action::Requeue, why)
        };
        out.push(Planned {
            job_id: job.id.clone(),
            tenant: job.tenant.clone(),
            owner: job.lease_owner.clone(),
            action,
            reason,
            attempts: job.attempts,
            heartbeat_age_seconds: hb.map(|d| d.as_secs()),
            progress_age_seconds: progress.map(|d| d.as_secs()),
            observed: Some(job),
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    #[serde(flatten)]
    pub planned: Planned,
    /// False when the job moved on between plan and apply (it beat, or another
    /// reaper got there first): it is left alone.
    pub applied: bool,
    pub note: Option<String>,
}

/// Carry out a plan. Each move is guarded by the lease token seen when planning.
pub async fn apply(store: &dyn Store, plan: Vec<Planned>) -> Result<Vec<Applied>> {
    let mut out = Vec::with_capacity(plan.len());
    for p in plan {
        let observed = p.observed.clone().expect("planned from a job");
        let r = store.rescue(&observed, &p.reason, p.action == Action::Fail).await;
        match r {
            Ok(_) => out.push(Applied { planned: p, applied: true, note: None }),
            Err(e @ Error::JobState { .. }) => {
                out.push(Applied { planned: p, applied: false, note: Some(e.to_string()) })
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}
