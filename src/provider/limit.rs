//! How fast this process may call a provider with one key: requests and tokens per
//! minute, as token buckets shared by every job of the process.

use crate::bucket::Bucket;

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
