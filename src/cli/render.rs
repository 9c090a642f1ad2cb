//! Draws the library's events: an indicatif bar on a terminal, plain log lines
//! otherwise (cron, CI, pipes). Progress comes from committed chunks and `has_more`,
//! so it never passes 100 %.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use atom_sync::event::{Emitter, Event};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub struct Renderer {
    handle: JoinHandle<()>,
}

impl Renderer {
    /// Start drawing; returns the emitter to hand to the library. `bar` allows a
    /// progress bar (one job at a time) when stderr is a terminal.
    /// `json` writes each event as one JSON line instead (`--log-format json`).
    pub fn start(quiet: bool, bar: bool, json: bool) -> (Emitter, Renderer) {
        let (tx, rx) = mpsc::unbounded_channel();
        let fancy = bar && !json && std::io::stderr().is_terminal() && !quiet;
        let handle = if json { tokio::spawn(draw_json(rx, quiet)) } else { tokio::spawn(draw(rx, fancy, quiet)) };
        (Emitter::new(tx), Renderer { handle })
    }

    /// Wait until every event sent before the emitters were dropped is drawn.
    pub async fn finish(self) {
        let _ = self.handle.await;
    }
}

async fn draw_json(mut rx: mpsc::UnboundedReceiver<Event>, quiet: bool) {
    while let Some(ev) = rx.recv().await {
        let warning = matches!(ev, Event::Warning { .. });
        if quiet && !warning {
            continue;
        }
        let mut v = serde_json::to_value(&ev).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("timestamp".into(), atom_sync::time::rfc3339(atom_sync::time::now_ms()).into());
        }
        eprintln!("{v}");
    }
}

async fn draw(mut rx: mpsc::UnboundedReceiver<Event>, fancy: bool, quiet: bool) {
    let mut bar: Option<ProgressBar> = None;
    let mut started = Instant::now();
    let mut done_at_start = 0i64;
    while let Some(ev) = rx.recv().await {
        match ev {
            Event::JobCreated { job } => {
                line(&bar, quiet, format!("job {} created for tenant {} ({})", job.id, job.tenant, job.source));
            }
            Event::JobStarted { job_id, tenant, attempt, done, estimated_total } => {
                started = Instant::now();
                done_at_start = done;
                let short = &job_id[..8.min(job_id.len())];
                if fancy {
                    let b = ProgressBar::with_draw_target(
                        Some(estimated_total.unwrap_or(0).max(done) as u64),
                        ProgressDrawTarget::stderr(),
                    );
                    b.set_style(
                        ProgressStyle::with_template(
                            "{prefix} [{bar:30.cyan/blue}] {pos}/{len} messages  {per_sec}  {elapsed_precise}  {msg}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                    );
                    b.set_prefix(format!("{short} {tenant}"));
                    b.set_position(done as u64);
                    b.enable_steady_tick(Duration::from_millis(200));
                    bar = Some(b);
                } else {
                    line(
                        &bar,
                        quiet,
                        format!(
                            "job {short}: started (tenant {tenant}, attempt {attempt}, {done} messages already done)"
                        ),
                    );
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
            } => {
                let (done, total) = progress(processed + skipped, has_more, estimated_total);
                let secs = started.elapsed().as_secs_f64().max(0.001);
                let rate = (done - done_at_start) as f64 / secs;
                match &bar {
                    Some(b) => {
                        b.set_length(total as u64);
                        b.set_position(done as u64);
                        b.set_message(format!("{skipped} skipped"));
                    }
                    None => line(
                        &bar,
                        quiet,
                        format!(
                            "job {}: chunk {chunk} committed ({in_chunk} messages): {done}/{total} done, {processed} processed, {skipped} skipped, {vectors} vectors, {rate:.0} msg/s",
                            &job_id[..8.min(job_id.len())]
                        ),
                    ),
                }
            }
            Event::MessageSkipped { message_id, source_ref, reason, .. } => {
                line(&bar, quiet, format!("skipped {source_ref} ({message_id}): {reason}"));
            }
            Event::Warning { job_id, message } => {
                line(&bar, false, format!("warning: job {}: {message}", &job_id[..8.min(job_id.len())]));
            }
            Event::JobFinished { job_id, state, error } => {
                if let Some(b) = bar.take() {
                    b.finish_and_clear();
                }
                let short = &job_id[..8.min(job_id.len())];
                let msg = match error {
                    Some(e) => format!("job {short}: {state}: {e}"),
                    None => format!("job {short}: {state} in {}", humantime::format_duration(round(started.elapsed()))),
                };
                line(&bar, quiet, msg);
            }
        }
    }
    if let Some(b) = bar.take() {
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

/// A log line on stderr that never tears the bar.
fn line(bar: &Option<ProgressBar>, quiet: bool, msg: String) {
    if quiet {
        return;
    }
    match bar {
        Some(b) => b.println(msg),
        None => eprintln!("{msg}"),
    }
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
