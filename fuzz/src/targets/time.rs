//! Time expressions: `--date`, `--since`, `--until` (octo_core::time) and API timestamps.

use arbitrary::{Result, Unstructured};
use chrono::{DateTime, Datelike, Utc};
use octo_core::time::{WindowArgs, format_api, parse_api, parse_date, parse_time};

use crate::input;

const TIME_WORDS: &[&str] = &[
    "now",
    "today",
    "yesterday",
    "NOW",
    "2024-06-01",
    "2024-02-29",
    "2023-02-29",
    "9999-12-31",
    "0000-01-01",
    "T",
    "t",
    " ",
    "12:00:00",
    "23:59:60",
    "24:00:00",
    ".123",
    ".999999999",
    "Z",
    "z",
    "+02:00",
    "-23:59",
    "+24:00",
    "-",
    "24h",
    "90m",
    "30s",
    "7d",
    "2w",
    "1h30m",
    "999999999999w",
    "1e3h",
    "h",
    "d",
];

/// A time expression, a `now` anywhere in chrono's range, and a timestamp to round-trip.
#[derive(Debug, Clone)]
pub struct TimeCase {
    pub expr: String,
    pub other: String,
    pub now: DateTime<Utc>,
    pub stamp: DateTime<Utc>,
}

fn instant(u: &mut Unstructured<'_>) -> Result<DateTime<Utc>> {
    let secs = match u.int_in_range(0..=3)? {
        0 => u.arbitrary::<i64>()?,
        1 => *u.choose(&[
            DateTime::<Utc>::MIN_UTC.timestamp(),
            DateTime::<Utc>::MAX_UTC.timestamp(),
            0,
        ])?,
        _ => u.int_in_range(0..=4_102_444_800i64)?,
    };
    let nanos = u.int_in_range(0..=999_999_999u32)?;
    Ok(DateTime::from_timestamp(secs, nanos).unwrap_or_default())
}

pub fn gen_time(u: &mut Unstructured<'_>) -> Result<TimeCase> {
    Ok(TimeCase {
        expr: input::text(u, TIME_WORDS)?,
        other: input::text(u, TIME_WORDS)?,
        now: instant(u)?,
        stamp: instant(u)?,
    })
}

/// Parsing never panics, whatever `now` is; a parsed day and time print and parse back; a
/// window is never empty; an API timestamp round-trips to the millisecond; errors name the value.
pub fn check_time(c: &TimeCase) {
    match parse_time(&c.expr, c.now) {
        Ok(t) if (0..=9999).contains(&t.year()) => {
            assert_eq!(parse_api(&format_api(t)), Some(trunc_ms(t)));
            assert_eq!(
                parse_time(&t.to_rfc3339(), c.now).ok(),
                Some(t),
                "{t} does not parse back"
            );
        }
        Ok(_) => {}
        Err(e) => assert!(format!("{e:#}").contains(&format!("{:?}", c.expr))),
    }
    if let Ok(d) = parse_date(&c.expr, c.now) {
        let w = octo_core::time::Window::day(d);
        if let (Some(s), Some(u)) = (w.since, w.until) {
            assert!(s < u && w.contains(s) && !w.contains(u));
        }
    }
    for args in [
        WindowArgs {
            date: Some(c.expr.clone()),
            since: None,
            until: None,
        },
        WindowArgs {
            date: None,
            since: Some(c.expr.clone()),
            until: Some(c.other.clone()),
        },
    ] {
        if let Ok(w) = args.resolve(c.now)
            && let (Some(s), Some(u)) = (w.since, w.until)
        {
            assert!(s < u, "empty window {s} .. {u}");
        }
    }
    let ms = trunc_ms(c.stamp);
    if let Some(back) = parse_api(&format_api(c.stamp)) {
        assert_eq!(back, ms);
    }
    if let Some(t) = parse_api(&c.expr) {
        assert_eq!(parse_api(&format_api(t)), Some(trunc_ms(t)));
    }
}

fn trunc_ms(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}
