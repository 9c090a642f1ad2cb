//! Draws the library's events: an indicatif bar on a terminal, log lines otherwise
//! (cron, CI, pipes, journald). Every line goes through `tracing` (see `log.rs`) inside
//! a `job` span naming the job, its tenant and its mailbox, so a worker's lines are
//! attributable and `--log-format json` has one shape. Progress comes from committed
//! chunks and `has_more`, so it never passes 100 %.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use atom_sync::event::{Emitter, Event};
use atom_sync::job::JobState;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::Level;

use super::log;

pub struct Renderer {
    handle: JoinHandle<()>,
}

impl Renderer {
    /// Start drawing; returns the emitter to hand to the library. `bar` allows a
    /// progress bar (one job at a time) when stderr is a terminal and logs are text.
    pub fn start(quiet: bool, bar: bool) -> (Emitter, Renderer) {
        let (tx, rx) = mpsc::unbounded_channel();
        let fancy = bar && !log::json() && std::io::stderr().is_terminal() && !quiet;
        (Emitter::new(tx), Renderer { handle: tokio::spawn(draw(rx, fancy)) })
    }

    /// Wait until every event sent before the emitters were dropped is drawn.
    pub async fn finish(self) {
        let _ = self.handle.await;
    }
}

/// Whom a job's lines are about, learnt from its first events.
#[derive(Default, Clone)]
struct Who {
    tenant: String,
    mailbox: String,
}

/// One line about a job, inside its span; in `json` the event rides along whole.
fn say(job: &str, who: Option<&Who>, level: Level, ev: &Event, msg: &str) {
    let who = who.cloned().unwrap_or_default();
    let span = tracing::error_span!("job", job = %job, tenant = %who.tenant, mailbox = %who.mailbox);
    let _in = span.enter();
    let progress = if log::json() { serde_json::to_string(ev).unwrap_or_default() } else { String::new() };
    macro_rules! at {
        ($mac:ident) => {
            if log::json() {
                tracing::$mac!(progress = %progress, "{msg}")
            } else {
                tracing::$mac!("{msg}")
            }
        };
    }
    match level {
        Level::ERROR => at!(error),
        Level::WARN => at!(warn),
        _ => at!(info),
    }
}

async fn draw(mut rx: mpsc::UnboundedReceiver<Event>, fancy: bool) {
    let mut bar: Option<ProgressBar> = None;
    let mut started = Instant::now();
    let mut done_at_start = 0i64;
    let mut jobs: HashMap<String, Who> = HashMap::new();
    while let Some(ev) = rx.recv().await {
        match &ev {
            Event::JobCreated { job } => {
                let who = Who { tenant: job.tenant.clone(), mailbox: job.mailbox.clone() };
                jobs.insert(job.id.clone(), who);
                let msg = format!("job {} created for tenant {} ({})", job.id, job.tenant, job.source);
                say(&job.id, jobs.get(&job.id), Level::INFO, &ev, &msg);
            }
            Event::JobStarted { job_id, tenant, mailbox, attempt, done, estimated_total } => {
                jobs.insert(job_id.clone(), Who { tenant: tenant.clone(), mailbox: mailbox.clone() });
                started = Instant::now();
                done_at_start = *done;
                if fancy {
                    let b = ProgressBar::with_draw_target(
                        Some(estimated_total.unwrap_or(0).max(*done) as u64),
                        ProgressDrawTarget::stderr(),
                    );
                    b.set_style(
                        ProgressStyle::with_template(
                            "{prefix} [{bar:30.cyan/blue}] {pos}/{len} messages  {per_sec}  {elapsed_precise}  {msg}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                    );
                    b.set_prefix(format!("{} {tenant}", &job_id[..8.min(job_id.len())]));
                    b.set_position(*done as u64);
                    b.enable_steady_tick(Duration::from_millis(200));
                    log::set_bar(Some(b.clone()));
                    bar = Some(b);
                } else {
                    let msg = format!("started (attempt {attempt}, {done} messages already done)");
                    say(job_id, jobs.get(job_id), Level::INFO, &ev, &msg);
                }
            }
            Event::ChunkCommitted {
                job_id,
                chunk,
                in_chunk,
                processed,
                skipped,
                vectors,
                has_more,
                estimated_total,
                ..
            } => {
                let (done, total) = progress(processed + skipped, *has_more, *estimated_total);
                let secs = started.elapsed().as_secs_f64().max(0.001);
                let rate = (done - done_at_start) as f64 / secs;
                match &bar {
                    Some(b) => {
                        b.set_length(total as u64);
                        b.set_position(done as u64);
                        b.set_message(format!("{skipped} skipped"));
                    }
                    None => {
                        let msg = format!(
                            "chunk {chunk} committed ({in_chunk} messages): {done}/{total} done, {processed} processed, {skipped} skipped, {vectors} vectors, {rate:.0} msg/s"
                        );
                        say(job_id, jobs.get(job_id), Level::INFO, &ev, &msg);
                    }
                }
            }
            Event::MessageSkipped { job_id, message_id, source_ref, reason } => {
                let msg = format!("skipped {source_ref} ({message_id}): {reason}");
                say(job_id, jobs.get(job_id), Level::WARN, &ev, &msg);
            }
            Event::Warning { job_id, message } => {
                say(job_id, jobs.get(job_id), Level::WARN, &ev, message);
            }
            Event::JobFinished { job_id, state, error } => {
                if let Some(b) = bar.take() {
                    log::set_bar(None);
                    b.finish_and_clear();
                }
                let (level, msg) = match error {
                    Some(e) if *state == JobState::Failed => (Level::ERROR, format!("{state}: {e}")),
                    Some(e) => (Level::WARN, format!("{state}: {e}")),
                    None => {
                        (Level::INFO, format!("{state} in {}", humantime::format_duration(round(started.elapsed()))))
                    }
                };
                say(job_id, jobs.get(job_id), level, &ev, &msg);
                jobs.remove(job_id);
            }
        }
    }
    if let Some(b) = bar.take() {
        log::set_bar(None);
        b.finish_and_clear();
    }
}

/// (done, total) for the bar. The total is the source's estimate, never below what is
/// done, and exactly what is done once the source says there is no more: the bar can
/// neither pass 100 % nor stop short of it.
fn progress(done: i64, has_more: bool, estimate: Option<i64>) -> (i64, i64) {
    let total = if has_more { estimate.unwrap_or(0).max(done) } else { done };
    (done, total)
}

fn round(d: Duration) -> Duration {
    Duration::from_secs(d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::progress;

    #[test]
    fn progress_never_passes_or_falls_short_of_100_percent() {
        assert_eq!(progress(50, true, Some(300)), (50, 300));
        // an estimate that was too low (mail arrived): the total grows with the work
        assert_eq!(progress(450, true, Some(300)), (450, 450));
        // no estimate at all
        assert_eq!(progress(20, true, None), (20, 20));
        // the end: exactly 100 %, whatever the estimate said
        assert_eq!(progress(280, false, Some(300)), (280, 280));
        assert_eq!(progress(320, false, Some(300)), (320, 320));
    }
}
