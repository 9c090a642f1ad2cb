//! Token buckets: how fast something may happen (requests, tokens), shared by the
//! jobs of a process. A taker waits until the bucket holds what it needs.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A token bucket: `per_sec` added each second up to `capacity`.
#[derive(Debug)]
pub struct Bucket {
    per_sec: f64,
    capacity: f64,
    /// (level, when it was last refilled)
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    /// `n` a minute, holding one second's worth (at least one).
    pub fn per_minute(n: u32) -> Self {
        let per_sec = n.max(1) as f64 / 60.0;
        Bucket::new(per_sec.max(1.0), per_sec)
    }

    /// `n` per `period`, all of which may be spent at once (a budget, such as
    /// Microsoft's 10,000 requests per 10 minutes per mailbox).
    pub fn budget(n: u32, period: Duration) -> Self {
        Bucket::new(f64::from(n.max(1)), f64::from(n.max(1)) / period.as_secs_f64().max(0.001))
    }

    pub fn new(capacity: f64, per_sec: f64) -> Self {
        Bucket { per_sec, capacity, state: Mutex::new((capacity, Instant::now())) }
    }

    fn refill(&self, s: &mut (f64, Instant), now: Instant) {
        s.0 = (s.0 + now.saturating_duration_since(s.1).as_secs_f64() * self.per_sec).min(self.capacity);
        s.1 = s.1.max(now);
    }

    /// Take `n` at `now`, or say how long until there is room.
    pub fn take_at(&self, n: f64, now: Instant) -> Option<Duration> {
        // a call needs the bucket at least this full (never more than it holds)
        let need = n.min(self.capacity);
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        self.refill(&mut s, now);
        if s.0 >= need {
            s.0 -= n;
            return None;
        }
        Some(Duration::from_secs_f64(((need - s.0) / self.per_sec).max(0.001)))
    }

    pub async fn take(&self, n: f64) {
        while let Some(wait) = self.take_at(n, Instant::now()) {
            tokio::time::sleep(wait).await;
        }
    }

    pub fn add_at(&self, n: f64, now: Instant) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        self.refill(&mut s, now);
        s.0 = (s.0 + n).min(self.capacity);
    }

    pub fn add(&self, n: f64) {
        self.add_at(n, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Take `n` from the bucket as soon as it allows, starting at `t` seconds.
    fn next(b: &Bucket, t0: Instant, t: &mut f64, n: f64) {
        loop {
            match b.take_at(n, t0 + Duration::from_secs_f64(*t)) {
                None => return,
                Some(wait) => *t += wait.as_secs_f64(),
            }
        }
    }

    #[test]
    fn requests_are_spread_to_the_rate() {
        let b = Bucket::per_minute(120); // 2 per second, a burst of 2
        let t0 = *b.state.lock().unwrap();
        let (t0, mut t) = (t0.1, 0.0);
        let mut at = Vec::new();
        for _ in 0..6 {
            next(&b, t0, &mut t, 1.0);
            at.push(t);
        }
        assert!(at[1] < 0.01 && (0.49..0.52).contains(&at[2]) && (1.99..2.02).contains(&at[5]), "{at:?}");
    }

    #[test]
    fn a_budget_may_be_spent_at_once_then_refills_at_its_rate() {
        let b = Bucket::budget(10_000, Duration::from_secs(600));
        let t0 = b.state.lock().unwrap().1;
        let mut t = 0.0;
        for _ in 0..10_000 {
            next(&b, t0, &mut t, 1.0);
        }
        assert!(t < 0.001, "the whole budget at once: {t}");
        next(&b, t0, &mut t, 1.0);
        assert!((0.059..0.061).contains(&t), "then one every 60 ms: {t}");
    }

    #[test]
    fn tokens_are_settled_with_what_was_spent() {
        let b = Bucket::per_minute(6000); // 100 tokens per second
        let t0 = b.state.lock().unwrap().1;
        let mut t = 0.0;
        next(&b, t0, &mut t, 100.0);
        b.add_at(100.0 - 400.0, t0); // it cost 300 more: 3 s of debt, then 1 s for the next
        next(&b, t0, &mut t, 100.0);
        assert!((3.99..4.02).contains(&t), "{t}");
        // a request bigger than a second's worth still passes once the bucket is full
        next(&b, t0, &mut t, 1000.0);
        assert!((4.99..5.02).contains(&t), "{t}");
    }
}
