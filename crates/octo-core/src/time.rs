//! `--date` / `--since` / `--until`: parsing times and UTC windows, and the API's timestamp format.
//!
//! Everything is UTC. A [`Window`] is half-open: `since <= t < until`, so consecutive windows
//! (`--date 2024-06-01`, `--date 2024-06-02`, or shards cut at the same instants) never overlap
//! and never leave a gap.

use anyhow::Result;
use chrono::{
    DateTime, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeDelta, Timelike, Utc,
};

use crate::exit::usage;

/// The forms `--since`/`--until` accept, for error messages.
const TIME_FORMS: &str = "expected RFC 3339 (2024-06-01T12:00:00Z, 2024-06-01T14:00:00+02:00), \
YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS[.fff] (UTC), now, today, yesterday, \
or a duration ago such as 24h, -24h, 90m, 30s, 7d, 2w, 1h30m";

/// Parse a point in time (see [`WindowArgs`] for the accepted forms), relative to `now`.
///
/// Errors are usage errors (exit 2) that name the value and list the accepted forms.
pub fn parse_time(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    parse_time_for("time", s, now)
}

/// [`parse_time`] with the flag name (`--since`) used in the error message.
fn parse_time_for(what: &str, s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let t = s.trim();
    match t.to_ascii_lowercase().as_str() {
        "now" => return Ok(now),
        "today" => return Ok(midnight(now.date_naive())),
        "yesterday" => {
            if let Some(d) = now.date_naive().pred_opt() {
                return Ok(midnight(d));
            }
        }
        _ => {}
    }
    if let Some(d) = date_shape(t) {
        return match d {
            Some(d) => Ok(midnight(d)),
            None => Err(usage(format!(
                "invalid {what} {s:?}: no such date (expected YYYY-MM-DD)"
            ))),
        };
    }
    #[allow(clippy::disallowed_methods)] // octo_core::time is the one place that parses times
    let parsed = DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|dt| dt.with_timezone(&Utc))
        .or_else(|| parse_naive(t).map(|dt| dt.and_utc()));
    if let Some(dt) = parsed {
        return Ok(no_leap_second(dt));
    }
    if let Some(ago) = parse_ago(t) {
        return now
            .checked_sub_signed(ago)
            .ok_or_else(|| usage(format!("invalid {what} {s:?}: too far in the past")));
    }
    if date_shape(t.get(..10).unwrap_or("")).is_some() {
        return Err(usage(format!(
            "invalid {what} {s:?}: not a valid date and time (expected YYYY-MM-DD, \
             YYYY-MM-DDTHH:MM:SS[.fff] in UTC, or RFC 3339 with Z or an offset)"
        )));
    }
    Err(usage(format!("invalid {what} {s:?}: {TIME_FORMS}")))
}

/// Parse a day: `YYYY-MM-DD`, `today` or `yesterday` (UTC, relative to `now`).
pub fn parse_date(s: &str, now: DateTime<Utc>) -> Result<NaiveDate> {
    let t = s.trim();
    let found = match t.to_ascii_lowercase().as_str() {
        "today" => Some(now.date_naive()),
        "yesterday" => now.date_naive().pred_opt(),
        _ => date_shape(t).flatten(),
    };
    found.ok_or_else(|| {
        usage(format!(
            "invalid --date {s:?}: expected YYYY-MM-DD, today or yesterday"
        ))
    })
}

/// `Some(date)` for a valid `YYYY-MM-DD`, `Some(None)` for that shape but no such day
/// (`2024-13-01`, `2023-02-29`), `None` for anything else. Stricter than chrono's `%Y`, which
/// would also take signs and more digits.
fn date_shape(s: &str) -> Option<Option<NaiveDate>> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    Some(NaiveDate::from_ymd_opt(y as i32, m, d))
}

/// `YYYY-MM-DDTHH:MM:SS[.fff]` without an offset (`T`, `t` or a space between date and time).
fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() < 19 || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let date = date_shape(&s[..10])??;
    let rest = &s[11..];
    let time = NaiveTime::parse_from_str(rest, "%H:%M:%S%.f").ok()?;
    // chrono accepts one- or two-digit fields; insist on HH:MM:SS
    let r = rest.as_bytes();
    if r.len() < 8 || r[2] != b':' || r[5] != b':' {
        return None;
    }
    Some(date.and_time(time))
}

/// A duration ago: `24h`, `-24h`, `90m`, `30s`, `7d`, `2w`, `1h30m`. Units are w, d, h, m, s,
/// each at most once and largest first. The sign is optional and means the same thing.
fn parse_ago(s: &str) -> Option<TimeDelta> {
    let body = s.strip_prefix('-').unwrap_or(s);
    if body.is_empty() {
        return None;
    }
    let mut rest = body;
    let mut last_rank: Option<usize> = None;
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 12 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        let unit = rest.as_bytes().get(digits)?;
        let (rank, secs) = match unit {
            b'w' => (0, 7 * 86_400),
            b'd' => (1, 86_400),
            b'h' => (2, 3_600),
            b'm' => (3, 60),
            b's' => (4, 1),
            _ => return None,
        };
        if last_rank.is_some_and(|last| rank <= last) {
            return None;
        }
        last_rank = Some(rank);
        total = total.checked_add(n.checked_mul(secs)?)?;
        rest = &rest[digits + 1..];
    }
    TimeDelta::try_seconds(total)
}

/// `t + d`, or a usage error naming `what` when the sum is past the last representable date
/// (`block_for: 100000000d`): time is never added unchecked.
pub fn checked_after(
    t: DateTime<Utc>,
    d: std::time::Duration,
    what: &str,
) -> Result<DateTime<Utc>> {
    TimeDelta::from_std(d)
        .ok()
        .and_then(|d| t.checked_add_signed(d))
        .ok_or_else(|| {
            usage(format!(
                "{what}: {} s from now is too far in the future",
                d.as_secs()
            ))
        })
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(NaiveTime::MIN).and_utc()
}

/// The time-window flags every tool that reads events or scans shares.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct WindowArgs {
    /// One whole UTC day: YYYY-MM-DD, today or yesterday (same as --since DAY --until DAY+1)
    #[arg(long = "date", value_name = "DATE", conflicts_with_all = ["since", "until"])]
    pub date: Option<String>,

    /// Start of the time window (inclusive, UTC). Accepts RFC 3339 (2024-06-01T12:00:00Z or with
    /// an offset), YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS, now, today, yesterday, or a duration ago:
    /// 24h, 90m, 30s, 7d, 2w, 1h30m (a leading minus is optional: -24h)
    #[arg(long = "since", value_name = "TIME", allow_hyphen_values = true)]
    pub since: Option<String>,

    /// End of the time window (exclusive, UTC); same forms as --since
    #[arg(long = "until", value_name = "TIME", allow_hyphen_values = true)]
    pub until: Option<String>,
}

/// A UTC time window, `since <= t < until`; a missing end is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl Window {
    /// Whether `t` lies in the window (`since` inclusive, `until` exclusive).
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.since.is_none_or(|s| s <= t) && self.until.is_none_or(|u| t < u)
    }

    /// The whole UTC day `d`: `[d 00:00, d+1 00:00)`.
    pub fn day(d: NaiveDate) -> Window {
        Window {
            since: Some(midnight(d)),
            until: d.succ_opt().map(midnight),
        }
    }
}

impl WindowArgs {
    /// Turn the flags into a window relative to `now`. `--date D` is `[D, D+1)`; otherwise each of
    /// `--since`/`--until` that is given is parsed with [`parse_time`]. A window whose start is not
    /// before its end is a usage error. Missing ends stay `None`: each tool applies its own default.
    pub fn resolve(&self, now: DateTime<Utc>) -> Result<Window> {
        if let Some(date) = &self.date {
            if self.since.is_some() || self.until.is_some() {
                return Err(usage("--date cannot be combined with --since or --until"));
            }
            return Ok(Window::day(parse_date(date, now)?));
        }
        let since = self
            .since
            .as_deref()
            .map(|s| parse_time_for("--since", s, now))
            .transpose()?;
        let until = self
            .until
            .as_deref()
            .map(|s| parse_time_for("--until", s, now))
            .transpose()?;
        if let (Some(s), Some(u)) = (since, until)
            && s >= u
        {
            return Err(usage(format!(
                "empty time window: --since {:?} ({}) is not before --until {:?} ({})",
                self.since.as_deref().unwrap_or_default(),
                format_api(s),
                self.until.as_deref().unwrap_or_default(),
                format_api(u),
            )));
        }
        Ok(Window { since, until })
    }
}

/// The API's timestamp format: `2018-06-19T14:02:11.123Z` (UTC, milliseconds, `Z`).
pub fn format_api(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parse an API timestamp: RFC 3339 with `Z` (0–9 fractional digits) or with an offset
/// (converted to UTC). `None` for anything else.
pub fn parse_api(s: &str) -> Option<DateTime<Utc>> {
    #[allow(clippy::disallowed_methods)] // octo_core::time is the one place that parses times
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| no_leap_second(t.with_timezone(&Utc)))
}

/// chrono reads second `:60` as a leap second: an instant that prints back as `:60` and
/// compares, formats and truncates unlike the instant it names (found by make fuzz). Every
/// time parsed here is the instant that follows `:59` instead (`23:59:60.5` → `00:00:00.5`).
fn no_leap_second(t: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = t.nanosecond();
    if nanos < 1_000_000_000 {
        return t;
    }
    DateTime::from_timestamp(t.timestamp(), 0)
        .and_then(|whole| whole.checked_add_signed(TimeDelta::nanoseconds(i64::from(nanos))))
        .unwrap_or(t)
}

#[cfg(test)]
mod checked_tests {
    use super::*;

    #[test]
    fn adding_a_huge_duration_is_an_error_not_a_panic() {
        let now = parse_api("2026-12-03T00:00:00Z").unwrap();
        let e = checked_after(
            now,
            std::time::Duration::from_secs(100_000_000 * 86_400),
            "ipblocker.block_for",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "ipblocker.block_for: 8640000000000 s from now is too far in the future"
        );
        assert_eq!(
            checked_after(now, std::time::Duration::from_secs(3600), "x").unwrap(),
            now + TimeDelta::hours(1)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::{Exit, code_for};
    use chrono::TimeZone;
    use clap::Parser;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A fixed "now" in the middle of a day.
    fn now() -> DateTime<Utc> {
        utc(2024, 6, 19, 14, 2, 11)
    }

    fn t(s: &str) -> DateTime<Utc> {
        parse_time(s, now()).unwrap_or_else(|e| panic!("{s:?}: {e:#}"))
    }

    fn usage_err(r: Result<impl std::fmt::Debug>) -> String {
        let e = r.expect_err("expected an error");
        assert_eq!(code_for(&e), Exit::Usage, "{e:#}");
        format!("{e:#}")
    }

    #[test]
    fn rfc3339_with_any_offset_is_converted_to_utc() {
        assert_eq!(t("2024-06-01T12:00:00Z"), utc(2024, 6, 1, 12, 0, 0));
        assert_eq!(t("2024-06-01T14:00:00+02:00"), utc(2024, 6, 1, 12, 0, 0));
        assert_eq!(t("2024-06-01T00:30:00-05:00"), utc(2024, 6, 1, 5, 30, 0));
        // an offset that crosses the new year
        assert_eq!(t("2024-01-01T01:00:00+03:00"), utc(2023, 12, 31, 22, 0, 0));
        assert_eq!(
            t("2024-06-01T12:00:00.250Z"),
            utc(2024, 6, 1, 12, 0, 0) + TimeDelta::milliseconds(250)
        );
    }

    #[test]
    fn plain_dates_are_midnight_utc() {
        assert_eq!(t("2024-06-01"), utc(2024, 6, 1, 0, 0, 0));
        assert_eq!(t("2024-02-29"), utc(2024, 2, 29, 0, 0, 0));
        assert_eq!(t("2023-12-31"), utc(2023, 12, 31, 0, 0, 0));
    }

    #[test]
    fn date_times_without_offset_are_utc() {
        assert_eq!(t("2024-06-01T12:34:56"), utc(2024, 6, 1, 12, 34, 56));
        assert_eq!(t("2024-06-01 12:34:56"), utc(2024, 6, 1, 12, 34, 56));
        assert_eq!(
            t("2024-06-01T12:34:56.123"),
            utc(2024, 6, 1, 12, 34, 56) + TimeDelta::milliseconds(123)
        );
    }

    #[test]
    fn keywords() {
        assert_eq!(t("now"), now());
        assert_eq!(t("NOW"), now());
        assert_eq!(t("today"), utc(2024, 6, 19, 0, 0, 0));
        assert_eq!(t("yesterday"), utc(2024, 6, 18, 0, 0, 0));
    }

    #[test]
    fn keywords_across_month_year_and_leap_day() {
        let jan1 = utc(2024, 1, 1, 0, 0, 1);
        assert_eq!(
            parse_time("yesterday", jan1).unwrap(),
            utc(2023, 12, 31, 0, 0, 0)
        );
        assert_eq!(parse_time("today", jan1).unwrap(), utc(2024, 1, 1, 0, 0, 0));
        let mar1_leap = utc(2024, 3, 1, 23, 59, 59);
        assert_eq!(
            parse_time("yesterday", mar1_leap).unwrap(),
            utc(2024, 2, 29, 0, 0, 0)
        );
        let mar1 = utc(2023, 3, 1, 0, 0, 0);
        assert_eq!(
            parse_time("yesterday", mar1).unwrap(),
            utc(2023, 2, 28, 0, 0, 0)
        );
        assert_eq!(
            parse_date("yesterday", mar1_leap).unwrap(),
            ymd(2024, 2, 29)
        );
        assert_eq!(parse_date("yesterday", jan1).unwrap(), ymd(2023, 12, 31));
    }

    #[test]
    fn durations_mean_that_long_ago() {
        let n = now();
        assert_eq!(t("24h"), n - TimeDelta::hours(24));
        assert_eq!(t("-24h"), n - TimeDelta::hours(24));
        assert_eq!(t("90m"), n - TimeDelta::minutes(90));
        assert_eq!(t("30s"), n - TimeDelta::seconds(30));
        assert_eq!(t("7d"), n - TimeDelta::days(7));
        assert_eq!(t("2w"), n - TimeDelta::days(14));
        assert_eq!(t("1h30m"), n - TimeDelta::minutes(90));
        assert_eq!(
            t("1w2d3h4m5s"),
            n - TimeDelta::seconds(7 * 86400 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5)
        );
        assert_eq!(t("0s"), n);
        // across a year boundary and a leap day
        let jan1 = utc(2025, 1, 1, 6, 0, 0);
        assert_eq!(
            parse_time("12h", jan1).unwrap(),
            utc(2024, 12, 31, 18, 0, 0)
        );
        let mar1 = utc(2024, 3, 1, 0, 0, 0);
        assert_eq!(parse_time("1d", mar1).unwrap(), utc(2024, 2, 29, 0, 0, 0));
    }

    #[test]
    fn bad_times_are_usage_errors_naming_the_value_and_forms() {
        for bad in [
            "",
            "soon",
            "24",
            "h",
            "24x",
            "1m30h",
            "1h1h",
            "+24h",
            "--24h",
            "24 h",
            "2024/06/01",
        ] {
            let msg = usage_err(parse_time(bad, now()));
            assert!(msg.contains(&format!("{bad:?}")), "{msg}");
            assert!(
                msg.contains("YYYY-MM-DD") && msg.contains("24h") && msg.contains("yesterday"),
                "{msg}"
            );
        }
        let msg = usage_err(parse_time("2023-02-29", now()));
        assert!(msg.contains("\"2023-02-29\": no such date"), "{msg}");
        let msg = usage_err(parse_time("2024-06-01T25:00:00", now()));
        assert!(msg.contains("not a valid date and time"), "{msg}");
        let msg = usage_err(parse_time("99999999999w", now()));
        assert!(msg.contains("99999999999w"), "{msg}");
    }

    #[test]
    fn parse_date_forms_and_errors() {
        assert_eq!(parse_date("2024-02-29", now()).unwrap(), ymd(2024, 2, 29));
        assert_eq!(parse_date("today", now()).unwrap(), ymd(2024, 6, 19));
        assert_eq!(parse_date("yesterday", now()).unwrap(), ymd(2024, 6, 18));
        assert_eq!(
            usage_err(parse_date("2024-13-01", now())),
            r#"invalid --date "2024-13-01": expected YYYY-MM-DD, today or yesterday"#
        );
        for bad in [
            "2023-02-29",
            "24h",
            "now",
            "2024-6-1",
            "+2024-06-01",
            "2024-06-01T00:00:00Z",
        ] {
            usage_err(parse_date(bad, now()));
        }
    }

    #[test]
    fn window_contains_is_half_open() {
        let w = Window::day(ymd(2024, 6, 1));
        assert!(!w.contains(utc(2024, 5, 31, 23, 59, 59)));
        assert!(w.contains(utc(2024, 6, 1, 0, 0, 0)));
        assert!(w.contains(utc(2024, 6, 1, 23, 59, 59)));
        assert!(!w.contains(utc(2024, 6, 2, 0, 0, 0)));
        let open = Window {
            since: None,
            until: None,
        };
        assert!(open.contains(utc(1970, 1, 1, 0, 0, 0)));
        let from = Window {
            since: Some(utc(2024, 1, 1, 0, 0, 0)),
            until: None,
        };
        assert!(from.contains(utc(2099, 1, 1, 0, 0, 0)));
        assert!(!from.contains(utc(2023, 12, 31, 23, 59, 59)));
    }

    #[test]
    fn day_windows_at_month_year_and_leap_boundaries() {
        let w = Window::day(ymd(2024, 2, 28));
        assert_eq!(w.until, Some(utc(2024, 2, 29, 0, 0, 0)));
        let w = Window::day(ymd(2024, 2, 29));
        assert_eq!(w.until, Some(utc(2024, 3, 1, 0, 0, 0)));
        let w = Window::day(ymd(2023, 2, 28));
        assert_eq!(w.until, Some(utc(2023, 3, 1, 0, 0, 0)));
        let w = Window::day(ymd(2023, 12, 31));
        assert_eq!(w.since, Some(utc(2023, 12, 31, 0, 0, 0)));
        assert_eq!(w.until, Some(utc(2024, 1, 1, 0, 0, 0)));
        let w = Window::day(ymd(2024, 4, 30));
        assert_eq!(w.until, Some(utc(2024, 5, 1, 0, 0, 0)));
    }

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        window: WindowArgs,
    }

    fn resolve(args: &[&str]) -> Result<Window> {
        let cli = Cli::try_parse_from(std::iter::once("tool").chain(args.iter().copied()))?;
        cli.window.resolve(now())
    }

    #[test]
    fn resolve_date_since_until() {
        assert_eq!(
            resolve(&["--date", "2024-12-31"]).unwrap(),
            Window::day(ymd(2024, 12, 31))
        );
        assert_eq!(
            resolve(&["--date", "yesterday"]).unwrap(),
            Window::day(ymd(2024, 6, 18))
        );
        assert_eq!(
            resolve(&[]).unwrap(),
            Window {
                since: None,
                until: None
            }
        );
        assert_eq!(
            resolve(&["--since", "-24h"]).unwrap(),
            Window {
                since: Some(now() - TimeDelta::hours(24)),
                until: None
            }
        );
        assert_eq!(
            resolve(&[
                "--since",
                "2024-06-01",
                "--until",
                "2024-06-01T06:00:00+02:00"
            ])
            .unwrap(),
            Window {
                since: Some(utc(2024, 6, 1, 0, 0, 0)),
                until: Some(utc(2024, 6, 1, 4, 0, 0))
            }
        );
        assert_eq!(
            resolve(&["--until=-1h"]).unwrap(),
            Window {
                since: None,
                until: Some(now() - TimeDelta::hours(1))
            }
        );
    }

    #[test]
    fn resolve_errors() {
        // clap rejects the combination itself
        assert!(resolve(&["--date", "today", "--since", "2d"]).is_err());
        // … and resolve does too when the struct is built by hand
        let args = WindowArgs {
            date: Some("today".into()),
            since: Some("2d".into()),
            until: None,
        };
        usage_err(args.resolve(now()));
        let msg = usage_err(resolve(&["--since", "1h", "--until", "2h"]));
        assert!(
            msg.contains("--since \"1h\"") && msg.contains("is not before --until \"2h\""),
            "{msg}"
        );
        usage_err(resolve(&["--since", "2024-06-01", "--until", "2024-06-01"]));
        let msg = usage_err(resolve(&["--since", "later"]));
        assert!(
            msg.starts_with("invalid --since \"later\": expected"),
            "{msg}"
        );
        let msg = usage_err(resolve(&["--date", "2024-13-01"]));
        assert!(msg.starts_with("invalid --date \"2024-13-01\""), "{msg}");
    }

    #[test]
    fn api_format_round_trip() {
        let t = utc(2018, 6, 19, 14, 2, 11) + TimeDelta::milliseconds(123);
        assert_eq!(format_api(t), "2018-06-19T14:02:11.123Z");
        assert_eq!(
            format_api(utc(2024, 2, 29, 0, 0, 0)),
            "2024-02-29T00:00:00.000Z"
        );
        // sub-millisecond precision is cut, not rounded
        assert_eq!(
            format_api(t + TimeDelta::microseconds(999)),
            "2018-06-19T14:02:11.123Z"
        );
        assert_eq!(parse_api(&format_api(t)), Some(t));
    }

    #[test]
    fn parse_api_forms() {
        let base = utc(2018, 6, 19, 14, 2, 11);
        assert_eq!(parse_api("2018-06-19T14:02:11Z"), Some(base));
        assert_eq!(
            parse_api("2018-06-19T14:02:11.1Z"),
            Some(base + TimeDelta::milliseconds(100))
        );
        assert_eq!(
            parse_api("2018-06-19T14:02:11.123456Z"),
            Some(base + TimeDelta::microseconds(123_456))
        );
        assert_eq!(
            parse_api("2018-06-19T14:02:11.123456789Z"),
            Some(base + TimeDelta::nanoseconds(123_456_789))
        );
        assert_eq!(parse_api("2018-06-19T16:02:11.000+02:00"), Some(base));
        assert_eq!(parse_api("2018-06-19"), None);
        assert_eq!(parse_api("2018-06-19T14:02:11"), None);
        assert_eq!(parse_api("garbage"), None);
        assert_eq!(parse_api(""), None);
    }
}
