//! When to try again: after a network failure or a 429/502/503, with jittered backoff that honours
//! `Retry-After` and never ends past the call's deadline or the revoke window.

/// The first backoff step.
pub const BASE_DELAY_MS: f64 = 300.0;
/// Backoff never grows past this.
pub const MAX_DELAY_MS: f64 = 5_000.0;
/// A `Retry-After` longer than this is not waited for: the failure is reported instead.
pub const MAX_RETRY_AFTER_MS: f64 = 60_000.0;

/// Whether an HTTP status is worth another attempt. 504 is not: the gateway may have delivered the revoke.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503)
}

/// The wait before retry number `retry` (1 for the first), or `None` when it would end at or past `limit_ms`
/// (the earlier of the deadline and the window's close) or when the server asks for more than a minute.
/// `jitter` is uniform in `[0, 1)`; the wait is at least `Retry-After`.
pub fn delay_ms(
    retry: u32,
    retry_after_ms: Option<f64>,
    jitter: f64,
    now_ms: f64,
    limit_ms: Option<f64>,
) -> Option<f64> {
    let step = BASE_DELAY_MS * 2f64.powi(retry.saturating_sub(1).min(16) as i32);
    let backoff = step.min(MAX_DELAY_MS) * (0.5 + jitter.clamp(0.0, 1.0) / 2.0);
    let wait = match retry_after_ms {
        Some(asked) if asked > MAX_RETRY_AFTER_MS => return None,
        Some(asked) => asked.max(backoff),
        None => backoff,
    };
    match limit_ms {
        Some(limit) if now_ms + wait >= limit => None,
        _ => Some(wait),
    }
}

/// Reads `Retry-After` as delta-seconds or an IMF-fixdate, in ms from `now_ms` (never negative).
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<f64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value.parse::<u64>().map_or(f64::INFINITY, |s| s as f64 * 1000.0));
    }
    http_date_ms(value).map(|at| (at - now_ms).max(0.0))
}

/// Parses `Sun, 06 Nov 1994 08:49:37 GMT` into ms since the epoch.
fn http_date_ms(value: &str) -> Option<f64> {
    let mut parts = value.split_ascii_whitespace();
    let (_weekday, day, month, year, time, zone) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if zone != "GMT" || parts.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let day: i64 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let year: i64 = year.parse().ok().filter(|y| (1970..=9999).contains(y))?;
    let mut hms = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if hms.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 86_400 + h * 3600 + m * 60 + s) * 1000) as f64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_429_502_503_are_retryable() {
        for s in [429, 502, 503] {
            assert!(retryable_status(s));
        }
        for s in [200, 400, 401, 404, 500, 504] {
            assert!(!retryable_status(s));
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        assert_eq!(delay_ms(1, None, 0.0, 0.0, None), Some(150.0));
        assert_eq!(delay_ms(1, None, 1.0, 0.0, None), Some(300.0));
        assert_eq!(delay_ms(2, None, 1.0, 0.0, None), Some(600.0));
        assert_eq!(delay_ms(30, None, 1.0, 0.0, None), Some(MAX_DELAY_MS));
    }

    #[test]
    fn retry_after_is_a_floor_and_too_long_gives_up() {
        assert_eq!(delay_ms(1, Some(2000.0), 0.5, 0.0, None), Some(2000.0));
        assert_eq!(delay_ms(1, Some(0.0), 1.0, 0.0, None), Some(300.0));
        assert_eq!(delay_ms(1, Some(60_001.0), 0.5, 0.0, None), None);
    }

    #[test]
    fn never_waits_past_the_limit() {
        assert_eq!(delay_ms(1, Some(1000.0), 0.0, 10_000.0, Some(11_000.0)), None);
        assert_eq!(
            delay_ms(1, Some(1000.0), 0.0, 10_000.0, Some(11_001.0)),
            Some(1000.0)
        );
    }

    #[test]
    fn parses_retry_after_forms() {
        assert_eq!(parse_retry_after(" 3 ", 0.0), Some(3000.0));
        assert_eq!(
            parse_retry_after("99999999999999999999999", 0.0),
            Some(f64::INFINITY)
        );
        let date = parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_770_000.0);
        assert_eq!(date, Some(7000.0));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 9e15),
            Some(0.0)
        );
        for bad in [
            "",
            "-1",
            "1.5",
            "soon",
            "Sun, 06 Nov 1994 08:49:37 PST",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 25:00:00 GMT",
        ] {
            assert_eq!(parse_retry_after(bad, 0.0), None, "{bad}");
        }
    }

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2024, 1, 2), 19_724);
    }
}
