//! Parsing of the `Retry-After` header (RFC 9110 section 10.2.3).

use std::time::{Duration, SystemTime};

/// The longest wait honoured, whatever a server asks for. A larger value is
/// more likely a misconfigured server than a real request to stall a cron
/// job for hours.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// Parses a `Retry-After` value given as delta-seconds or as an HTTP-date,
/// relative to `now`. A date in the past means "now" (zero). Values above
/// [`MAX_RETRY_AFTER`] are capped. Returns `None` for anything unparsable.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }

    if value.bytes().all(|b| b.is_ascii_digit()) {
        // A huge digit string overflows u64; treat it as "very long", then cap.
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER));
    }

    let date = httpdate::parse_http_date(value).ok()?;
    let wait = date.duration_since(now).unwrap_or(Duration::ZERO);
    Some(wait.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn retry_after_delta_seconds() {
        assert_eq!(parse_retry_after("3", at(0)), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 ", at(0)), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_http_date_in_future() {
        // 1994-11-06T08:49:37Z is 784111777 seconds after the epoch.
        let now = at(784_111_777 - 7);
        let wait = parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now);
        assert_eq!(wait, Some(Duration::from_secs(7)));
    }

    #[test]
    fn retry_after_http_date_in_past_is_zero() {
        let wait = parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at(900_000_000));
        assert_eq!(wait, Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_absurd_value_is_capped() {
        assert_eq!(parse_retry_after("86400", at(0)), Some(MAX_RETRY_AFTER));
        let huge = "99999999999999999999999999";
        assert_eq!(parse_retry_after(huge, at(0)), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn retry_after_garbage_is_none() {
        assert_eq!(parse_retry_after("", at(0)), None);
        assert_eq!(parse_retry_after("soon", at(0)), None);
        assert_eq!(parse_retry_after("-5", at(0)), None);
        assert_eq!(parse_retry_after("1.5", at(0)), None);
    }
}
