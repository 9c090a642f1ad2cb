//! A long-running worker: claims pending jobs (any tenant, or one), runs up to
//! `concurrency` at once, and polls when idle. It never stops for being idle: only a
//! stop signal or `once` (drain, then exit) ends it.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::event::Event;
use crate::pipeline::{Outcome, Pipeline};
use crate::{Error, Result};

#[derive(Debug, Clone)]
pub struct Options {
    pub tenant: Option<String>,
    pub concurrency: usize,
    pub poll: Duration,
    pub once: bool,
    pub owner: String,
    /// Which jobs this process can serve; it claims no other.
    pub can: crate::fleet::Capabilities,
}

/// What a worker did before it exited.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub completed: u64,
    pub failed: u64,
    pub released: u64,
    pub halted: u64,
    pub retrying: u64,
    pub lease_lost: u64,
}

pub async fn run(pipeline: Arc<Pipeline>, opts: Options, mut stop: watch::Receiver<bool>) -> Result<Report> {
    let mut report = Report::default();
    let mut running: JoinSet<Result<Outcome>> = JoinSet::new();
    loop {
        if *stop.borrow() {
            break;
        }
        while running.len() < opts.concurrency.max(1) {
            match pipeline.store.claim_next(opts.tenant.as_deref(), &opts.owner, &opts.can).await {
                Ok(Some(lease)) => {
                    let p = pipeline.clone();
                    running.spawn(async move { p.run_lease(lease).await });
                }
                Ok(None) => break,
                Err(e) => {
                    // the store may be down for a moment: say so and poll again
                    pipeline
                        .events
                        .emit(Event::Warning { job_id: "-".into(), message: format!("claiming a job: {e}") });
                    break;
                }
            }
        }
        if opts.once && running.is_empty() {
            break;
        }
        tokio::select! {
            Some(done) = running.join_next(), if !running.is_empty() => tally(&mut report, done),
            _ = tokio::time::sleep(opts.poll) => {}
            _ = stop.changed() => {}
        }
    }
    // jobs in flight see the same stop signal: they commit the chunks in hand and release
    while let Some(done) = running.join_next().await {
        tally(&mut report, done);
    }
    Ok(report)
}

fn tally(report: &mut Report, done: std::result::Result<Result<Outcome>, tokio::task::JoinError>) {
    match done {
        Ok(Ok(Outcome::Completed(_))) => report.completed += 1,
        Ok(Ok(Outcome::Released(_))) => report.released += 1,
        Ok(Ok(Outcome::Halted(_))) => report.halted += 1,
        Ok(Ok(Outcome::Retrying(_))) => report.retrying += 1,
        Ok(Err(Error::LeaseLost { .. })) => report.lease_lost += 1,
        Ok(Err(_)) | Err(_) => report.failed += 1,
    }
}
