//! Wall-clock time as unix milliseconds: the one representation both stores share.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// `now_ms`, but strictly increasing within this process: jobs created in the same
/// millisecond still come out oldest first.
pub fn unique_now_ms() -> i64 {
    use std::sync::atomic::{AtomicI64, Ordering};
    static LAST: AtomicI64 = AtomicI64::new(0);
    let now = now_ms();
    let prev = LAST.fetch_max(now, Ordering::SeqCst);
    if prev >= now { LAST.fetch_add(1, Ordering::SeqCst) + 1 } else { now }
}

/// Age of a timestamp, never negative (clocks of two machines may disagree slightly).
pub fn age(ms: i64) -> Duration {
    Duration::from_millis(now_ms().saturating_sub(ms).max(0) as u64)
}

/// RFC 3339 in UTC, second precision, for tables and JSON.
pub fn rfc3339(ms: i64) -> String {
    let t = UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64);
    humantime::format_rfc3339_seconds(t).to_string()
}

/// Serde helpers: unix milliseconds shown as RFC 3339, for `status --json` and events.
pub mod serde {
    pub fn rfc3339<S: ::serde::Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339(*ms))
    }

    pub fn opt_rfc3339<S: ::serde::Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match ms {
            Some(ms) => s.serialize_str(&super::rfc3339(*ms)),
            None => s.serialize_none(),
        }
    }
}
