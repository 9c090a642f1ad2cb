//! What to do after a failed call to a service outside this machine (Microsoft Graph,
//! a tenant's chat or embedding provider), decided in one place: which failures a
//! retry can fix, how long to wait (the server's `Retry-After` first, else exponential
//! backoff with jitter), and when to give up. Each caller keeps its own [`Policy`].

use std::time::{Duration, SystemTime};

/// How one attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// An HTTP answer that was not a success, with Graph's error code and message.
    Status { status: u16, code: String, message: String, retry_after: Option<Duration> },
    /// No complete answer: connect error, timeout, a body cut short or not JSON.
    Transport(String),
}

impl Failure {
    pub fn status(&self) -> Option<u16> {
        match self {
            Failure::Status { status, .. } => Some(*status),
            Failure::Transport(_) => None,
        }
    }

    /// Failures another attempt can fix: throttling, the service's 5xx, and answers
    /// that never arrived whole. 4xx such as 400/403/404 mean the request itself is
    /// wrong: retrying only wastes the quota.
    pub fn retryable(&self) -> bool {
        match self {
            Failure::Status { status, .. } => matches!(status, 408 | 429) || (500..600).contains(status),
            Failure::Transport(_) => true,
        }
    }

    /// What a page too big for the server looks like: a gateway timeout, or our
    /// own timeout running out.
    pub fn too_slow(&self) -> bool {
        match self {
            Failure::Status { status, .. } => *status == 504,
            Failure::Transport(m) => m.starts_with("timed out"),
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Status { retry_after, .. } => *retry_after,
            Failure::Transport(_) => None,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Status { status, code, message, .. } if code.is_empty() && message.is_empty() => {
                write!(f, "HTTP {status}")
            }
            Failure::Status { status, code, message, .. } => write!(f, "HTTP {status} {code}: {message}"),
            Failure::Transport(m) => f.write_str(m),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Retries after the first attempt before the call fails for good.
    pub max_retries: u32,
    /// The first backoff; each retry doubles it, up to `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { max_retries: 8, base_delay: Duration::from_millis(500), max_delay: Duration::from_secs(60) }
    }
}

impl Policy {
    /// After `retries` retries of a call, whether to try again and after how long:
    /// `None` when the failure is not worth a retry or the budget is spent.
    pub fn next_wait(&self, retries: u32, failure: &Failure) -> Option<Duration> {
        (failure.retryable() && retries < self.max_retries).then(|| self.delay(retries + 1, failure))
    }

    /// The wait before retry number `retry` (1-based): `Retry-After` when the server
    /// gave one (never less), else `base * 2^(retry-1)` capped, with full jitter over
    /// its upper half so many workers throttled together do not return together.
    pub fn delay(&self, retry: u32, failure: &Failure) -> Duration {
        match failure.retry_after() {
            Some(after) => after.min(Duration::from_secs(15 * 60)),
            None => self.backoff(retry),
        }
    }

    /// The wait before retry number `retry` (1-based) when no server asked for one:
    /// `base * 2^(retry-1)` capped, jittered over its upper half.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << retry.saturating_sub(1).min(20)).min(self.max_delay);
        let half = exp / 2;
        half + half.mul_f64(jitter())
    }
}

/// `Retry-After` as Graph sends it: delta seconds, or an HTTP date.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        // a nonsensical value (negative, 1e20) is no instruction at all
        return Duration::try_from_secs_f64(secs).ok();
    }
    let at = httpdate(v)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form HTTP/1.1 requires.
fn httpdate(v: &str) -> Option<SystemTime> {
    let rest = v.split_once(", ").map(|(_, r)| r).unwrap_or(v);
    let parts: Vec<&str> = rest.split_whitespace().collect();
    let [day, month, year, time, "GMT"] = parts.as_slice() else { return None };
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| m == month)?
        + 1;
    let rfc3339 = format!("{year}-{month:02}-{:02}T{time}Z", day.parse::<u32>().ok()?);
    humantime::parse_rfc3339(&rfc3339).ok()
}

/// A number in [0, 1) from the process's random hasher keys: jitter needs no more.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(crate::time::now_ms() as u64);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(s: u16, after: Option<u64>) -> Failure {
        Failure::Status {
            status: s,
            code: String::new(),
            message: String::new(),
            retry_after: after.map(Duration::from_secs),
        }
    }

    #[test]
    fn what_is_retried() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(status(s, None).retryable(), "{s}");
        }
        for s in [400, 401, 403, 404, 410] {
            assert!(!status(s, None).retryable(), "{s}");
        }
        assert!(Failure::Transport("timed out".into()).retryable());
    }

    #[test]
    fn retry_after_wins_and_backoff_grows_with_jitter_under_a_cap() {
        let p = Policy { max_retries: 8, base_delay: Duration::from_millis(100), max_delay: Duration::from_secs(2) };
        assert_eq!(p.delay(1, &status(429, Some(7))), Duration::from_secs(7));
        for retry in 1..=10 {
            let d = p.delay(retry, &status(503, None));
            let exp = Duration::from_millis(100 * (1 << (retry - 1).min(20))).min(Duration::from_secs(2));
            assert!(d >= exp / 2 && d <= exp, "retry {retry}: {d:?} outside [{:?}, {exp:?}]", exp / 2);
            let b = p.backoff(retry);
            assert!(b >= exp / 2 && b <= exp, "backoff {retry}: {b:?} outside [{:?}, {exp:?}]", exp / 2);
        }
        let many: std::collections::BTreeSet<_> = (0..20).map(|_| p.delay(3, &status(503, None))).collect();
        assert!(many.len() > 1, "jitter varies the wait");
        assert_eq!(p.next_wait(0, &status(429, Some(7))), Some(Duration::from_secs(7)));
        assert_eq!(p.next_wait(8, &status(503, None)), None, "the budget is spent");
        assert_eq!(p.next_wait(0, &status(403, None)), None, "a refusal is not retried");
    }

    #[test]
    fn retry_after_in_seconds_or_as_an_http_date() {
        let now = humantime::parse_rfc3339("2026-11-28T10:00:00Z").unwrap();
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Sat, 28 Nov 2026 10:00:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Sat, 28 Nov 2026 09:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("1e20", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }
}
