//! The time-window commands: `events` (once over a window, or `--follow`) and `scans`'s window,
//! with a progress bar on a terminal.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use octo_core::exit::{Exit, usage};
use octo_core::halo::cursor::{PAGES_AHEAD, stamp, values};
use octo_core::halo::{Cursor, HaloClient, is_transient};
use octo_core::output::{Format, Printer};
use octo_core::time::{WindowArgs, format_api};
use serde_json::Value;

use crate::{EventsArgs, str_of};

/// [`crate::emit_stream`] for a time window, with progress on a terminal: records and pages so far and
/// how far into the window the newest record is. Not while records stream to the same terminal
/// (only a table waits for the end).
pub async fn emit_window(
    out: &mut Printer,
    halo: &HaloClient,
    what: &str,
    mut s: futures::stream::BoxStream<'static, anyhow::Result<Value>>,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> anyhow::Result<()> {
    let show = octo_core::progress::enabled()
        && (out.format() == Format::Table || !std::io::IsTerminal::is_terminal(&std::io::stdout()));
    let span = (until - since).num_seconds().max(1) as u64;
    let window = format!("{}..{}", format_api(since), format_api(until));
    let bar = octo_core::progress::Progress::percent_if(show, span, format!("{what} {window}"));
    let (mut n, mut shown_at) = (0u64, None::<std::time::Instant>);
    while let Some(item) = s.try_next().await? {
        out.record(&item)?;
        n += 1;
        if bar.is_visible() && shown_at.is_none_or(|t| t.elapsed() >= Duration::from_millis(100)) {
            shown_at = Some(std::time::Instant::now());
            let at = item.get("created_at").and_then(Value::as_str).unwrap_or("");
            if let Some(t) = octo_core::time::parse_api(at) {
                bar.set_position((t - since).num_seconds().max(0) as u64, span);
            }
            bar.set_message(window_message(what, n, halo.pages_read(), at, &window));
        }
    }
    bar.finish();
    Ok(())
}

/// The text after the window bar.
fn window_message(what: &str, records: u64, pages: u64, at: &str, window: &str) -> String {
    format!("{what}: {records} records, {pages} pages, at {at} of {window}")
}

/// `--date/--since/--until` with the default of the last 24 hours.
pub fn window_or_last_day(
    w: &WindowArgs,
    now: DateTime<Utc>,
) -> anyhow::Result<(Cursor, Option<DateTime<Utc>>)> {
    let win = w.resolve(now)?;
    let since = win.since.unwrap_or(match win.until {
        Some(u) => u - chrono::Duration::hours(24),
        None => now - chrono::Duration::hours(24),
    });
    Ok((Cursor::new(since), win.until))
}

pub async fn events(
    halo: &HaloClient,
    a: &EventsArgs,
    now: DateTime<Utc>,
    out: &mut Printer,
) -> anyhow::Result<Exit> {
    if !(a.poll_interval.is_finite() && a.poll_interval >= 0.1) {
        return Err(usage("--poll-interval must be at least 0.1 seconds"));
    }
    let mut params = Vec::new();
    if !a.types.is_empty() {
        params.push((
            "type",
            a.types
                .iter()
                .map(|t| t.trim())
                .collect::<Vec<_>>()
                .join(","),
        ));
    }
    if a.critical {
        params.push(("critical", "true".into()));
    }
    if let Some(s) = &a.server {
        params.push(("server_id", s.clone()));
    }
    if let Some(g) = &a.group {
        let g = halo.resolve_group(g).await?;
        params.push(("group_id", str_of(&g, "id")));
    }
    let explicit_start = a.window.date.is_some() || a.window.since.is_some();
    let (mut cursor, until) = if a.follow && !explicit_start {
        (newest_event_cursor(halo, now).await?, None)
    } else {
        window_or_last_day(&a.window, now)?
    };
    if !a.follow {
        let since = cursor.since;
        let s =
            values(halo.time_series("/v1/events", "events", &params, cursor, until, PAGES_AHEAD));
        emit_window(out, halo, "events", s, since, until.unwrap_or(now)).await?;
        return Ok(Exit::Success);
    }
    out.set_flush_each(true);
    let poll = Duration::from_secs_f64(a.poll_interval);
    let follow = async {
        loop {
            let mut s = halo.time_series(
                "/v1/events",
                "events",
                &params,
                cursor.clone(),
                None,
                PAGES_AHEAD,
            );
            loop {
                match s.next().await {
                    Some(Ok(ev)) => {
                        cursor.observe(ev.created_at, &ev.id);
                        out.record(&ev.value()?)?;
                    }
                    Some(Err(e)) if is_transient(&e) => {
                        tracing::warn!("polling events failed, retrying in {:?}: {e:#}", poll);
                        break;
                    }
                    Some(Err(e)) => return Err(e),
                    None => break,
                }
            }
            tokio::time::sleep(poll).await;
        }
        #[allow(unreachable_code)]
        Ok::<(), anyhow::Error>(())
    };
    tokio::select! {
        r = follow => { r?; Ok(Exit::Success) }
        _ = tokio::signal::ctrl_c() => {
            out.flush()?;
            Ok(Exit::Interrupted)
        }
    }
}

/// Start following after the newest existing event (server time, not ours).
async fn newest_event_cursor(halo: &HaloClient, now: DateTime<Utc>) -> anyhow::Result<Cursor> {
    let v = halo
        .get("/v1/events?sort_by=created_at.desc&per_page=1")
        .await?;
    let newest = v
        .get("events")
        .and_then(Value::as_array)
        .and_then(|a| a.first());
    match newest {
        Some(e) => {
            let (ts, _) = stamp(e, "/v1/events")?;
            // Every event of that instant is already there (a burst shares one `created_at`),
            // not only the one the API listed first: all of them are behind the cursor.
            let mut c = Cursor::new(ts);
            let instant = Some(ts + chrono::TimeDelta::milliseconds(1));
            let mut at = halo.time_series("/v1/events", "events", &[], c.clone(), instant, 1);
            while let Some(item) = at.next().await {
                let item = item?;
                c.observe(item.created_at, &item.id);
            }
            Ok(c)
        }
        None => Ok(Cursor::new(now)),
    }
}
