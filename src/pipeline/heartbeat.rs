//! The heartbeat: renewed from its own task, every few seconds from the claim to the
//! end of the run, however long a chunk takes. It also carries an operator's pause or
//! cancel, and a lost lease, to the chunk loop.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tracing::Instrument;

use crate::Error;
use crate::event::{Emitter, Event};
use crate::job::{JobState, Lease};
use crate::store::Store;

/// What the heartbeat tells the chunk loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Control {
    Run,
    LeaseLost,
    Requested(JobState),
}

/// The heartbeat task of one run; it stops when this is dropped, so it can never
/// outlive its job (a panic, an early return).
pub(super) struct Heartbeat {
    _task: crate::task::Owned<()>,
    pub control: watch::Receiver<Control>,
}

impl Heartbeat {
    pub fn start(store: Arc<dyn Store>, lease: Lease, every: Duration, events: Emitter) -> Heartbeat {
        let (tx, control) = watch::channel(Control::Run);
        Heartbeat {
            _task: crate::task::Owned(tokio::spawn(beat(store, lease, every, tx, events).in_current_span())),
            control,
        }
    }
}

/// Resolves once the heartbeat has a verdict other than "keep going".
pub(super) async fn halted(control: &mut watch::Receiver<Control>) -> Control {
    loop {
        let c = *control.borrow_and_update();
        if c != Control::Run {
            return c;
        }
        if control.changed().await.is_err() {
            // the heartbeat task ended without a verdict: keep working
            std::future::pending::<()>().await;
        }
    }
}

async fn beat(store: Arc<dyn Store>, lease: Lease, every: Duration, control: watch::Sender<Control>, events: Emitter) {
    let mut tick = tokio::time::interval(every);
    tick.tick().await; // the claim itself set the first heartbeat
    loop {
        tick.tick().await;
        match store.heartbeat(&lease).await {
            Ok(None) => {}
            Ok(Some(to)) => {
                let _ = control.send(Control::Requested(to));
                return;
            }
            Err(e @ Error::LeaseLost { .. }) => {
                events.emit(Event::Warning { job_id: lease.job_id.clone(), message: e.to_string() });
                let _ = control.send(Control::LeaseLost);
                return;
            }
            // a missed beat is not fatal; the stale threshold allows several
            Err(e) => {
                events.emit(Event::Warning { job_id: lease.job_id.clone(), message: format!("heartbeat failed: {e}") })
            }
        }
    }
}
