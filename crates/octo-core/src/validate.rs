//! Ranges of the numbers users give: one check per kind of value, used by the clap value parsers
//! of every tool (`value_parser = validate::rps`) and by [`crate::config::resolve_checked`] for the
//! same settings from the environment and octo.yml. A value outside its range is refused where it
//! enters, so no later `Duration::from_secs_f64`, `1.0 / rps` or semaphore size can panic.

use std::time::Duration;

/// Highest request rate limit (requests per second); above it a limit means nothing.
pub const MAX_RPS: f64 = 10_000.0;
/// Lowest non-zero rate limit: one request per hour.
pub const MIN_RPS: f64 = 1.0 / 3600.0;
/// Most requests in flight at once (`--max-in-flight`, `--concurrency`).
pub const MAX_IN_FLIGHT: usize = 256;
/// Longest poll interval and request timeout: one day.
pub const MAX_SECONDS: f64 = 86_400.0;
/// Shortest poll interval.
pub const MIN_POLL_SECONDS: f64 = 0.1;

fn number(raw: &str) -> Result<f64, String> {
    raw.trim()
        .parse::<f64>()
        .map_err(|_| format!("`{}` is not a number", raw.trim()))
}

/// A float as a person reads it: `1e300`, not three hundred digits.
fn show(v: f64) -> String {
    if v != 0.0 && v.is_finite() && !(1e-4..1e9).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

fn whole(raw: &str) -> Result<u64, String> {
    raw.trim()
        .parse::<u64>()
        .map_err(|_| format!("`{}` is not a whole number >= 0", raw.trim()))
}

/// A request rate limit: 0 (off) or [`MIN_RPS`]..=[`MAX_RPS`].
pub fn check_rps(v: f64) -> Result<f64, String> {
    if v == 0.0 || (v.is_finite() && (MIN_RPS..=MAX_RPS).contains(&v)) {
        Ok(v)
    } else {
        Err(format!(
            "{} is out of range: requests per second must be 0 (off) or between {MIN_RPS:.6} and {MAX_RPS}",
            show(v)
        ))
    }
}

/// Requests (or tasks) at once: 1..=[`MAX_IN_FLIGHT`].
pub fn check_in_flight(v: usize) -> Result<usize, String> {
    if (1..=MAX_IN_FLIGHT).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{v} is out of range: must be between 1 and {MAX_IN_FLIGHT}"
        ))
    }
}

/// A request deadline in whole seconds: 1..=86400.
pub fn check_timeout_secs(v: u64) -> Result<u64, String> {
    if (1..=MAX_SECONDS as u64).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{v} is out of range: a timeout must be between 1 and {} seconds",
            MAX_SECONDS as u64
        ))
    }
}

/// A poll interval in seconds: [`MIN_POLL_SECONDS`]..=[`MAX_SECONDS`], as a `Duration`.
pub fn check_poll_seconds(v: f64) -> Result<f64, String> {
    if v.is_finite() && (MIN_POLL_SECONDS..=MAX_SECONDS).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{} is out of range: a poll interval must be between {MIN_POLL_SECONDS} and {MAX_SECONDS} seconds",
            show(v)
        ))
    }
}

/// clap value parser of `--max-rps`.
pub fn rps(raw: &str) -> Result<f64, String> {
    check_rps(number(raw)?)
}

/// clap value parser of `--max-in-flight`, `--concurrency`.
pub fn in_flight(raw: &str) -> Result<usize, String> {
    let v = whole(raw)?;
    check_in_flight(usize::try_from(v).unwrap_or(usize::MAX))
}

/// clap value parser of `--timeout` (whole seconds).
pub fn timeout_secs(raw: &str) -> Result<u64, String> {
    check_timeout_secs(whole(raw)?)
}

/// clap value parser of `--poll-interval` (seconds, fractions allowed).
pub fn poll_seconds(raw: &str) -> Result<f64, String> {
    check_poll_seconds(number(raw)?)
}

/// A checked poll interval as a `Duration` (never panics: the value was range-checked).
pub fn poll_duration(secs: f64) -> Result<Duration, String> {
    check_poll_seconds(secs).map(Duration::from_secs_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_numbers_are_refused_with_the_range() {
        assert_eq!(rps("0").unwrap(), 0.0);
        assert_eq!(rps(" 2.5 ").unwrap(), 2.5);
        for bad in ["1e-300", "-1", "NaN", "inf", "1e300", "x"] {
            let e = rps(bad).unwrap_err();
            assert!(
                e.contains("out of range") || e.contains("not a number"),
                "{bad}: {e}"
            );
        }
        assert_eq!(in_flight("4").unwrap(), 4);
        assert_eq!(
            in_flight("2305843009213693952").unwrap_err(),
            "2305843009213693952 is out of range: must be between 1 and 256"
        );
        assert!(in_flight("0").is_err() && in_flight("-3").is_err());
        assert_eq!(poll_seconds("0.5").unwrap(), 0.5);
        assert_eq!(
            poll_seconds("1e300").unwrap_err(),
            "1e300 is out of range: a poll interval must be between 0.1 and 86400 seconds"
        );
        assert!(poll_seconds("0.01").is_err() && poll_seconds("NaN").is_err());
        assert_eq!(timeout_secs("30").unwrap(), 30);
        assert!(timeout_secs("0").is_err() && timeout_secs("99999999999").is_err());
        assert_eq!(poll_duration(2.0).unwrap(), Duration::from_secs(2));
    }
}
