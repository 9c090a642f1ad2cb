//! `atom-sync resume JOB`: continue a failed, paused, cancelled or interrupted job
//! from its last committed chunk.

use std::time::Duration;

use atom_sync::job::{owner_is_dead, JobState};
use atom_sync::Error;
use clap::Args;

use super::backfill::{execute, open_memories, RunOpts};
use super::Global;

#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// Job id, or its first characters as `status` shows them
    pub job: String,

    /// A `running` job counts as interrupted when its heartbeat is older than this
    /// (or at once when its owner was a process on this host that is gone)
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    pub stale_after: Duration,

    #[command(flatten)]
    pub run: RunOpts,
}

pub async fn run(g: &Global, args: ResumeArgs) -> anyhow::Result<u8> {
    let store = g.store().await?;
    let job = store.job(&args.job).await?;
    let job = match job.state {
        JobState::Pending => job,
        JobState::Running => {
            let age = job.heartbeat_at.map(atom_sync::time::age);
            let dead = job.lease_owner.as_deref().and_then(owner_is_dead) == Some(true);
            let stale = age.is_none_or(|a| a > args.stale_after);
            if !dead && !stale {
                return Err(Error::JobState {
                    job: job.id.clone(),
                    why: format!(
                        "is running (owner {}, heartbeat {} ago); it is alive, so it was not resumed",
                        job.lease_owner.as_deref().unwrap_or("?"),
                        humantime::format_duration(Duration::from_secs(age.unwrap_or_default().as_secs()))
                    ),
                }
                .into());
            }
            let why = if dead {
                format!("resumed: owner {} is gone", job.lease_owner.as_deref().unwrap_or("?"))
            } else {
                format!("resumed: heartbeat older than {}", humantime::format_duration(args.stale_after))
            };
            store.requeue(&job, &why).await?
        }
        JobState::Completed => {
            return Err(Error::JobState {
                job: job.id.clone(),
                why: "is completed; there is nothing to resume (start a new backfill to re-run the range)".into(),
            }
            .into());
        }
        JobState::Failed | JobState::Paused | JobState::Cancelled => {
            let why = format!("resumed from {}", job.state);
            store.requeue(&job, &why).await?
        }
    };
    let (embedder, sink) = open_memories(g).await?;
    execute(g, store, embedder, sink, &job, &args.run, false).await
}
