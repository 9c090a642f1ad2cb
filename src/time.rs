//! Wall-clock time as unix milliseconds: the one representation both stores share.
//! Formatting and parsing are total: any i64 formats (clamped to years 0001-9999),
//! and a time that cannot be read is an error saying why, never a panic.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the times RFC 3339 can write.
pub const MIN_MS: i64 = -62_135_596_800_000;
pub const MAX_MS: i64 = 253_402_300_799_999;

pub fn now_ms() -> i64 {
    let real = match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_millis() as i64,
        Err(e) => -(e.duration().as_millis() as i64),
    };
    real.saturating_add(skew_ms())
}

/// Tests only (debug builds): `ATOM_SYNC_TEST_CLOCK_OFFSET=+10m` (or `-10m`) makes
/// this process's clock wrong by that much, as a badly synchronised machine's is.
#[cfg(debug_assertions)]
fn skew_ms() -> i64 {
    static SKEW: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *SKEW.get_or_init(|| {
        let Ok(v) = std::env::var("ATOM_SYNC_TEST_CLOCK_OFFSET") else { return 0 };
        let (sign, d) = match v.strip_prefix('-') {
            Some(rest) => (-1, rest),
            None => (1, v.trim_start_matches('+')),
        };
        humantime::parse_duration(d).map(|d| sign * d.as_millis() as i64).unwrap_or(0)
    })
}

#[cfg(not(debug_assertions))]
fn skew_ms() -> i64 {
    0
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

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// RFC 3339 in UTC, second precision, for tables and JSON. Total: a time before year
/// 0001 or after 9999 is shown as that bound.
pub fn rfc3339(ms: i64) -> String {
    let ms = ms.clamp(MIN_MS, MAX_MS);
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// RFC 3339 in UTC with milliseconds, for log lines (several a second).
pub fn rfc3339_ms(ms: i64) -> String {
    let s = rfc3339(ms);
    format!("{}.{:03}Z", &s[..s.len() - 1], ms.clamp(MIN_MS, MAX_MS).rem_euclid(1000))
}

/// An RFC 3339 time (`2026-01-31T08:00:00Z`, `…+02:00`, fractions of a second, or
/// no offset for UTC) or a plain date (`2026-01-31`, midnight UTC), as unix ms. Years
/// 0001-9999, before 1970 too.
pub fn parse_rfc3339(s: &str) -> Result<i64, String> {
    let bad = |why: &str| Err(format!("{s:?} is not a time ({why}); expected 2026-01-31 or 2026-01-31T08:00:00Z"));
    let t = s.trim();
    let num = |p: &str| p.parse::<i64>().ok().filter(|_| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let (date, rest) = match t.find(['T', 't', ' ']) {
        Some(i) => (&t[..i], &t[i + 1..]),
        None => (t, ""),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let [Some(y), Some(mo), Some(d)] = [parts.first(), parts.get(1), parts.get(2)].map(|p| p.and_then(|p| num(p)))
    else {
        return bad("the date is not YYYY-MM-DD");
    };
    if parts.len() != 3 || parts[0].len() != 4 || !(1..=9999).contains(&y) {
        return bad("the year must have four digits, 0001 to 9999");
    }
    let month_days = [
        31,
        if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo) || d < 1 || d > month_days[(mo - 1) as usize] {
        return bad("no such day");
    }
    let mut ms = days_from_civil(y, mo, d) * 86_400_000;
    if rest.is_empty() {
        return Ok(ms);
    }
    // the clock time, then an optional fraction, then Z / ±HH:MM / nothing
    let split = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (clock, zone) = rest.split_at(split);
    let (hms, frac) = match clock.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (clock, None),
    };
    let hms: Vec<Option<i64>> = hms.split(':').map(num).collect();
    let (h, mi, sec) = match hms.as_slice() {
        [Some(h), Some(m)] => (*h, *m, 0),
        [Some(h), Some(m), Some(s)] => (*h, *m, *s),
        _ => return bad("the clock time is not HH:MM[:SS]"),
    };
    if h > 23 || mi > 59 || sec > 60 {
        return bad("no such time of day");
    }
    ms += (h * 3600 + mi * 60 + sec.min(59)) * 1000;
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return bad("the fraction of a second is not digits");
        }
        // milliseconds: the first three digits, padded
        let millis: String = f.chars().chain("000".chars()).take(3).collect();
        ms += millis.parse::<i64>().unwrap_or(0);
    }
    match zone {
        "" | "Z" | "z" => Ok(ms),
        z => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let Some((Some(oh), Some(om))) = z[1..].split_once(':').map(|(a, b)| (num(a), num(b))) else {
                return bad("the offset is not ±HH:MM");
            };
            if oh > 23 || om > 59 {
                return bad("no such offset");
            }
            Ok(ms - sign * (oh * 3600 + om * 60) * 1000)
        }
    }
}

/// A duration an operator gives for something that runs over and over (a heartbeat,
/// a poll): more than zero, at most a day, so a loop neither spins nor never runs.
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| format!("{s:?}: {e}"))?;
    if d.is_zero() {
        return Err(format!("{s:?}: must be more than zero"));
    }
    if d > Duration::from_secs(86_400) {
        return Err(format!("{s:?}: must be at most a day"));
    }
    Ok(d)
}

/// A timeout or a threshold: zero allowed where it means "at once", at most a year.
pub fn parse_span(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| format!("{s:?}: {e}"))?;
    if d > Duration::from_secs(366 * 86_400) {
        return Err(format!("{s:?}: must be at most a year"));
    }
    Ok(d)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_is_total_and_round_trips() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(989_883_540_000), "2001-05-14T23:39:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339(MAX_MS), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339(i64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339(i64::MIN), "0001-01-01T00:00:00Z");
        assert_eq!(rfc3339_ms(989_883_540_042), "2001-05-14T23:39:00.042Z");
        assert_eq!(rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
        for ms in [MIN_MS, -86_400_000 * 365 * 300, -1000, 0, 951_782_400_000, 4_107_542_400_000, MAX_MS - 999] {
            assert_eq!(parse_rfc3339(&rfc3339(ms)).unwrap(), ms, "{}", rfc3339(ms));
        }
    }

    #[test]
    fn parsing_takes_offsets_fractions_and_old_dates_and_says_why_not() {
        assert_eq!(parse_rfc3339("2001-05-14T23:39:00Z").unwrap(), 989_883_540_000);
        assert_eq!(parse_rfc3339("2001-05-15T01:39:00+02:00").unwrap(), 989_883_540_000);
        assert_eq!(parse_rfc3339("2001-05-14T16:39:00-07:00").unwrap(), 989_883_540_000);
        assert_eq!(parse_rfc3339("2001-05-14T23:39:00.5Z").unwrap(), 989_883_540_500);
        assert_eq!(parse_rfc3339("2001-05-14T23:39:00.1234567Z").unwrap(), 989_883_540_123);
        assert_eq!(parse_rfc3339("2001-05-14T23:39").unwrap(), 989_883_540_000);
        assert_eq!(parse_rfc3339("1969-07-20").unwrap(), -14_256_000_000);
        assert_eq!(parse_rfc3339("0001-01-01").unwrap(), MIN_MS);
        for bad in [
            "",
            "soon",
            "2026-13-01",
            "2026-02-30",
            "10000-01-01",
            "0000-01-01",
            "2026-01-01T25:00",
            "2026-01-01T08:00+2",
            "２０２６-01-01",
        ] {
            let e = parse_rfc3339(bad).unwrap_err();
            assert!(e.contains("is not a time"), "{bad}: {e}");
        }
    }

    #[test]
    fn intervals_are_neither_zero_nor_absurd() {
        assert_eq!(parse_interval("5s").unwrap(), Duration::from_secs(5));
        assert!(parse_interval("0s").unwrap_err().contains("more than zero"));
        assert!(parse_interval("100000y").is_err());
        assert!(parse_span("0s").is_ok() && parse_span("10y").is_err());
    }
}
