//! Per-mailbox admission, shared by every job and client of the process: Microsoft
//! allows a few requests in flight per mailbox and a budget of 10,000 requests per
//! 10 minutes. The gate keeps us inside both without being told: concurrency backs
//! off on a 429 (halved) and recovers as requests succeed (one more after a run of
//! successes), a `Retry-After` pauses every request to the mailbox, and the budget is
//! a token bucket.

use std::collections::HashMap;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde::Serialize;
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::bucket::Bucket;

/// Microsoft's budget per mailbox (Outlook / Exchange Online service limits).
pub const BUDGET_REQUESTS: u32 = 10_000;
pub const BUDGET_PERIOD: Duration = Duration::from_secs(600);

/// Successes, per request allowed in flight, before the limit grows by one.
const GROW_AFTER: usize = 4;

#[derive(Debug)]
struct State {
    in_flight: usize,
    limit: usize,
    max: usize,
    streak: usize,
    throttled: u64,
    last_throttled: Option<SystemTime>,
    last_retry_after: Option<Duration>,
}

/// How a mailbox's gate stands, for `status JOB`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateStatus {
    pub in_flight: usize,
    /// Requests allowed in flight now (lowered after 429s, recovering).
    pub limit: usize,
    pub max: usize,
    pub throttled: u64,
    pub last_throttled: Option<i64>,
    pub last_retry_after_ms: Option<u64>,
}

impl std::fmt::Display for GateStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} of at most {} requests in flight", self.limit, self.max)?;
        if self.throttled > 0 {
            write!(f, "; throttled {} times", self.throttled)?;
            if let Some(at) = self.last_throttled {
                write!(f, ", last at {}", crate::time::rfc3339(at))?;
            }
            if let Some(ms) = self.last_retry_after_ms {
                write!(f, " (Retry-After {})", humantime::format_duration(Duration::from_millis(ms)))?;
            }
        }
        Ok(())
    }
}

pub struct Gate {
    state: Mutex<State>,
    freed: Notify,
    not_before: Mutex<Option<Instant>>,
    budget: Bucket,
}

/// A request's place in the gate; dropping it frees the place.
pub struct Permit<'a> {
    gate: &'a Gate,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.gate.lock().in_flight -= 1;
        self.gate.freed.notify_waiters();
    }
}

impl Gate {
    pub fn new(max_in_flight: usize, budget: Bucket) -> Gate {
        let max = max_in_flight.max(1);
        Gate {
            state: Mutex::new(State {
                in_flight: 0,
                limit: max,
                max,
                streak: 0,
                throttled: 0,
                last_throttled: None,
                last_retry_after: None,
            }),
            freed: Notify::new(),
            not_before: Mutex::new(None),
            budget,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wait for a place under the current limit, then for any `Retry-After` pause,
    /// then for the budget.
    pub async fn admit(&self) -> Permit<'_> {
        loop {
            let mut freed = pin!(self.freed.notified());
            freed.as_mut().enable();
            {
                let mut s = self.lock();
                if s.in_flight < s.limit {
                    s.in_flight += 1;
                    break;
                }
            }
            freed.await;
        }
        let permit = Permit { gate: self };
        loop {
            let wait = self.not_before.lock().unwrap_or_else(|p| p.into_inner()).filter(|t| *t > Instant::now());
            match wait {
                Some(t) => tokio::time::sleep_until(t).await,
                None => break,
            }
        }
        self.budget.take(1.0).await;
        permit
    }

    /// A 429: half as many requests at once, and (with `Retry-After`) every request
    /// to the mailbox waits.
    pub fn throttled(&self, retry_after: Option<Duration>) {
        {
            let mut s = self.lock();
            s.limit = (s.limit / 2).max(1);
            s.streak = 0;
            s.throttled += 1;
            s.last_throttled = Some(SystemTime::now());
            s.last_retry_after = retry_after;
        }
        if let Some(after) = retry_after {
            let until = Instant::now() + after;
            let mut nb = self.not_before.lock().unwrap_or_else(|p| p.into_inner());
            *nb = Some(nb.map_or(until, |t| t.max(until)));
        }
    }

    /// An answer that was not a 429: after a run of them, one more request at once.
    pub fn succeeded(&self) {
        let grew = {
            let mut s = self.lock();
            s.streak += 1;
            let grow = s.limit < s.max && s.streak >= s.limit * GROW_AFTER;
            if grow {
                s.limit += 1;
                s.streak = 0;
            }
            grow
        };
        if grew {
            self.freed.notify_waiters();
        }
    }

    /// Every request to the mailbox waits until `until` (a `Retry-After` on another
    /// kind of answer).
    pub fn pause_until(&self, until: Instant) {
        let mut nb = self.not_before.lock().unwrap_or_else(|p| p.into_inner());
        *nb = Some(nb.map_or(until, |t| t.max(until)));
    }

    pub fn status(&self) -> GateStatus {
        let s = self.lock();
        GateStatus {
            in_flight: s.in_flight,
            limit: s.limit,
            max: s.max,
            throttled: s.throttled,
            last_throttled: s
                .last_throttled
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_millis() as i64),
            last_retry_after_ms: s.last_retry_after.map(|d| d.as_millis() as u64),
        }
    }
}

/// Every mailbox's gate in this process, shared by every client (the default one and
/// each tenant's), so Microsoft's per-mailbox limits hold whichever job calls.
#[derive(Default)]
pub struct Gates(Mutex<HashMap<String, Arc<Gate>>>);

impl Gates {
    pub fn get(&self, key: String, max_in_flight: usize, budget: (u32, Duration)) -> Arc<Gate> {
        let mut gates = self.0.lock().unwrap_or_else(|p| p.into_inner());
        gates
            .entry(key)
            .or_insert_with(|| Arc::new(Gate::new(max_in_flight, Bucket::budget(budget.0, budget.1))))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(max: usize) -> Gate {
        Gate::new(max, Bucket::budget(BUDGET_REQUESTS, BUDGET_PERIOD))
    }

    #[tokio::test]
    async fn a_429_halves_the_limit_and_successes_restore_it() {
        let g = gate(4);
        g.throttled(None);
        assert_eq!(g.status().limit, 2);
        g.throttled(None);
        g.throttled(None);
        assert_eq!(g.status().limit, 1, "never below one");
        for _ in 0..GROW_AFTER {
            g.succeeded();
        }
        assert_eq!(g.status().limit, 2);
        for _ in 0..(2 + 3) * GROW_AFTER {
            g.succeeded();
        }
        assert_eq!(g.status().limit, 4, "back to the most allowed");
        for _ in 0..100 {
            g.succeeded();
        }
        assert_eq!(g.status().limit, 4, "and no further");
        assert_eq!(g.status().throttled, 3);
    }

    #[tokio::test]
    async fn no_more_than_the_limit_are_admitted() {
        let g = Arc::new(gate(2));
        let a = g.admit().await;
        let _b = g.admit().await;
        assert_eq!(g.status().in_flight, 2);
        let g2 = g.clone();
        let third = tokio::spawn(async move {
            let _p = g2.admit().await;
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!third.is_finished(), "a third waits");
        drop(a);
        tokio::time::timeout(Duration::from_secs(5), third).await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn retry_after_pauses_every_request() {
        let g = gate(4);
        g.throttled(Some(Duration::from_millis(300)));
        let t = std::time::Instant::now();
        let _p = g.admit().await;
        assert!(t.elapsed() >= Duration::from_millis(280), "{:?}", t.elapsed());
        assert!(g.status().to_string().contains("Retry-After 300ms"), "{}", g.status());
    }
}
