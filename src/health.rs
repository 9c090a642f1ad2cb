//! Whether a running job is well: the one rule `status`, the metrics, `reap` and
//! `resume` all judge by. A job whose heartbeat is older than the stale threshold has
//! lost its owner; one that beats but has committed nothing for the wedged threshold
//! is alive and stuck.

use std::time::Duration;

use crate::job::{Job, JobState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A heartbeat older than this means the owner is gone.
    pub stale_after: Duration,
    /// No chunk committed for this long means the job is wedged (`None`: never).
    pub wedged_after: Option<Duration>,
}

/// The verdict on a running job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Alive,
    /// No heartbeat within the threshold (`None`: it never beat).
    Stale {
        heartbeat_age: Option<Duration>,
    },
    /// Beating, but no chunk committed within the threshold.
    Wedged {
        progress_age: Duration,
    },
}

impl Health {
    /// `stale` or `wedged` (as `status --json` and the tables say), `None` when alive.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Health::Alive => None,
            Health::Stale { .. } => Some("stale"),
            Health::Wedged { .. } => Some("wedged"),
        }
    }
}

/// How long ago `at` (unix ms) was at `now`, never negative: two machines' clocks may
/// disagree slightly.
pub fn age_at(at: i64, now: i64) -> Duration {
    Duration::from_millis(now.saturating_sub(at).max(0) as u64)
}

impl Thresholds {
    /// The verdict on `job` at `now` (unix ms); `None` for a job that is not running.
    pub fn judge(&self, job: &Job, now: i64) -> Option<Health> {
        if job.state != JobState::Running {
            return None;
        }
        let heartbeat_age = job.heartbeat_at.map(|t| age_at(t, now));
        if heartbeat_age.is_none_or(|a| a > self.stale_after) {
            return Some(Health::Stale { heartbeat_age });
        }
        match (self.wedged_after, job.progress_at.map(|t| age_at(t, now))) {
            (Some(limit), Some(progress_age)) if progress_age > limit => Some(Health::Wedged { progress_age }),
            _ => Some(Health::Alive),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(heartbeat_at: Option<i64>, progress_at: Option<i64>) -> Job {
        let mut j = crate::job::tests::blank();
        j.state = JobState::Running;
        j.heartbeat_at = heartbeat_at;
        j.progress_at = progress_at;
        j
    }

    #[test]
    fn stale_before_wedged_and_only_for_running_jobs() {
        let t = Thresholds { stale_after: Duration::from_secs(60), wedged_after: Some(Duration::from_secs(600)) };
        let now = 10_000_000;
        assert_eq!(t.judge(&running(Some(now - 1_000), Some(now - 1_000)), now), Some(Health::Alive));
        assert_eq!(
            t.judge(&running(Some(now - 61_000), Some(now - 61_000)), now),
            Some(Health::Stale { heartbeat_age: Some(Duration::from_secs(61)) })
        );
        assert_eq!(t.judge(&running(None, None), now), Some(Health::Stale { heartbeat_age: None }));
        assert_eq!(
            t.judge(&running(Some(now), Some(now - 601_000)), now),
            Some(Health::Wedged { progress_age: Duration::from_secs(601) })
        );
        let never = Thresholds { wedged_after: None, ..t };
        assert_eq!(never.judge(&running(Some(now), Some(now - 601_000)), now), Some(Health::Alive));
        // a clock a little ahead elsewhere is not a negative age
        assert_eq!(t.judge(&running(Some(now + 5_000), Some(now)), now), Some(Health::Alive));
        let mut done = running(None, None);
        done.state = JobState::Completed;
        assert_eq!(t.judge(&done, now), None);
    }
}
