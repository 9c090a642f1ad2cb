//! How fast this process may call a provider with one key: requests and tokens per
//! minute, as token buckets shared by every job of the process.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Requests and tokens per minute as two token buckets holding one second's worth.
/// A call waits until both are positive, then takes what it expects to spend; the
/// bucket may go into debt (a request larger than a second's worth still passes), and
/// the real cost is settled when the answer arrives.
#[derive(Debug)]
pub struct RateLimiter {
    requests: Option<Bucket>,
    tokens: Option<Bucket>,
}

impl RateLimiter {
    pub fn new(requests_per_minute: Option<u32>, tokens_per_minute: Option<u32>) -> Self {
        RateLimiter {
            requests: requests_per_minute.map(Bucket::per_minute),
            tokens: tokens_per_minute.map(Bucket::per_minute),
        }
    }

    /// Wait for room for one request expected to spend `tokens`.
    pub async fn acquire(&self, tokens: u64) {
        if let Some(b) = &self.requests {
            b.take(1.0).await;
        }
        if let Some(b) = &self.tokens {
            b.take(tokens as f64).await;
        }
    }

    /// The request spent `actual` tokens where `expected` were taken.
    pub fn settle(&self, expected: u64, actual: u64) {
        if let Some(b) = &self.tokens {
            b.add(expected as f64 - actual as f64);
        }
    }
}

#[derive(Debug)]
struct Bucket {
    per_sec: f64,
    capacity: f64,
    /// (level, when it was last refilled)
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    fn per_minute(n: u32) -> Self {
        let per_sec = n.max(1) as f64 / 60.0;
        let capacity = per_sec.max(1.0);
        Bucket { per_sec, capacity, state: Mutex::new((capacity, Instant::now())) }
    }

    fn refill(&self, s: &mut (f64, Instant), now: Instant) {
        s.0 = (s.0 + now.saturating_duration_since(s.1).as_secs_f64() * self.per_sec).min(self.capacity);
        s.1 = s.1.max(now);
    }

    /// Take `n` at `now`, or say how long until there is room.
    fn take_at(&self, n: f64, now: Instant) -> Option<Duration> {
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

    async fn take(&self, n: f64) {
        while let Some(wait) = self.take_at(n, Instant::now()) {
            tokio::time::sleep(wait).await;
        }
    }

    fn add_at(&self, n: f64, now: Instant) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        self.refill(&mut s, now);
        s.0 = (s.0 + n).min(self.capacity);
    }

    fn add(&self, n: f64) {
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
