//! What is exported and how a window is cut: [`Kind`] (events or scans), [`Layout`], the
//! [`Job`] of one run, its units (one UTC day each, with its manifest and checkpoint keys) and
//! their slices (hours, or one slice a day in the legacy layout), the parts' object names, and
//! [`shard`]s of a window.

use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use futures::future::BoxFuture;
use octo_core::exit::usage;
use octo_core::halo::HaloClient;
use octo_core::time::format_api;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::manifest::WindowJson;

/// What is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// `events` or `scans`: API list key and folder name.
    pub name: &'static str,
    /// API path of the list.
    pub path: &'static str,
    /// Tool name (manifest `tool`, record type prefix).
    pub tool: &'static str,
    /// Legacy file name prefix and records per legacy file.
    pub legacy_prefix: &'static str,
    pub legacy_per_file: usize,
    /// Table columns of the records (`--to -` on a terminal).
    pub table_columns: &'static [&'static str],
}

pub const EVENTS: Kind = Kind {
    name: "events",
    path: "/v1/events",
    tool: "event-export",
    legacy_prefix: "Halo-Events",
    legacy_per_file: 10_000,
    table_columns: octo_core::halo::api::EVENT_COLUMNS,
};

pub const SCANS: Kind = Kind {
    name: "scans",
    path: "/v1/scans",
    tool: "scan-export",
    legacy_prefix: "Halo-Scans",
    legacy_per_file: 100,
    table_columns: octo_core::halo::api::SCAN_COLUMNS,
};

/// Object layout.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// PREFIX/KIND/dt=YYYY-MM-DD/part-HHNNN.jsonl.gz + _manifest.json (Athena/Glue, Hive-style)
    Hive,
    /// The original archivers' names at the prefix root: Halo-Events_<date>_<n>.gz
    Legacy,
}

/// Turns one listed item into the record written (scan-export fetches details here). Items keep
/// their order.
pub type Enrich =
    Arc<dyn Fn(HaloClient, Value) -> BoxFuture<'static, anyhow::Result<Value>> + Send + Sync>;

/// One export run.
#[derive(Clone)]
pub struct Job {
    pub kind: Kind,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub layout: Layout,
    /// Records per part (hive layout).
    pub part_records: usize,
    /// Slices fetched at once.
    pub concurrency: usize,
    /// Items enriched at once within a slice.
    pub enrich_concurrency: usize,
    pub force: bool,
    pub enrich: Option<Enrich>,
    pub quiet: bool,
}

/// One day's share of the window: its objects, manifest and checkpoint.
#[derive(Debug, Clone)]
pub struct Unit {
    pub day: NaiveDate,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub manifest_key: String,
    pub(crate) checkpoint_key: String,
    /// (slice name, since, until)
    pub(crate) slices: Vec<(String, DateTime<Utc>, DateTime<Utc>)>,
}

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
}

fn hms(t: DateTime<Utc>, day: NaiveDate) -> String {
    if t >= day_start(day) + Duration::days(1) {
        "240000".to_string()
    } else {
        t.format("%H%M%S").to_string()
    }
}

impl Job {
    pub(crate) fn window_json(&self, since: DateTime<Utc>, until: DateTime<Utc>) -> WindowJson {
        WindowJson {
            since: format_api(since),
            until: format_api(until),
        }
    }

    /// The units (days) of the window with their keys and slices.
    pub fn units(&self) -> anyhow::Result<Vec<Unit>> {
        let mut out = Vec::new();
        let mut day = self.since.date_naive();
        while day_start(day) < self.until {
            let d0 = day_start(day);
            let d1 = d0 + Duration::days(1);
            let since = self.since.max(d0);
            let until = self.until.min(d1);
            let full = since == d0 && until == d1;
            let (manifest_key, checkpoint_key, slices) = match self.layout {
                Layout::Hive => {
                    let dir = format!("{}/dt={day}", self.kind.name);
                    let suffix = if full {
                        String::new()
                    } else {
                        format!("_{}-{}", hms(since, day), hms(until, day))
                    };
                    let mut slices = Vec::new();
                    for h in 0..24 {
                        let h0 = d0 + Duration::hours(h);
                        let h1 = h0 + Duration::hours(1);
                        let (s, u) = (since.max(h0), until.min(h1));
                        if s < u {
                            slices.push((format!("{h:02}"), s, u));
                        }
                    }
                    (
                        format!("{dir}/_manifest{suffix}.json"),
                        format!("{dir}/_checkpoint{suffix}.json"),
                        slices,
                    )
                }
                Layout::Legacy => {
                    if !full {
                        return Err(usage(
                            "--layout legacy exports whole UTC days only: use --date, or --since/--until at midnight",
                        ));
                    }
                    let base = format!("{}_{day}", self.kind.legacy_prefix);
                    (
                        format!("{base}.manifest.json"),
                        format!("{base}.checkpoint.json"),
                        vec![("day".to_string(), since, until)],
                    )
                }
            };
            out.push(Unit {
                day,
                since,
                until,
                manifest_key,
                checkpoint_key,
                slices,
            });
            day = day.succ_opt().context("date out of range")?;
        }
        Ok(out)
    }

    pub(crate) fn part_key(&self, unit: &Unit, slice: &str, n: usize) -> String {
        match self.layout {
            Layout::Hive => format!(
                "{}/dt={}/part-{slice}{n:03}.jsonl.gz",
                self.kind.name, unit.day
            ),
            Layout::Legacy => format!("{}_{}_{}.gz", self.kind.legacy_prefix, unit.day, n + 1),
        }
    }

    pub(crate) fn per_part(&self) -> usize {
        match self.layout {
            Layout::Hive => self.part_records.max(1),
            Layout::Legacy => self.kind.legacy_per_file,
        }
    }
}

/// Shard `i` of `n` equal shards of `[since, until)` (the last one ends at `until`).
pub fn shard(
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    i: u32,
    n: u32,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let len = (until - since).num_milliseconds() / i64::from(n.max(1));
    let s = since + Duration::milliseconds(len * i64::from(i));
    let u = if i + 1 >= n {
        until
    } else {
        since + Duration::milliseconds(len * i64::from(i + 1))
    };
    (s, u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn job(since: DateTime<Utc>, until: DateTime<Utc>, layout: Layout) -> Job {
        Job {
            kind: EVENTS,
            since,
            until,
            layout,
            part_records: 100,
            concurrency: 4,
            enrich_concurrency: 4,
            force: false,
            enrich: None,
            quiet: true,
        }
    }

    #[test]
    fn a_day_is_one_unit_of_24_hourly_slices() {
        let d = Utc.with_ymd_and_hms(2026, 11, 19, 0, 0, 0).unwrap();
        let units = job(d, d + Duration::days(1), Layout::Hive).units().unwrap();
        assert_eq!(units.len(), 1);
        let u = &units[0];
        assert_eq!(u.manifest_key, "events/dt=2026-11-19/_manifest.json");
        assert_eq!(u.slices.len(), 24);
        assert_eq!(u.slices[5].0, "05");
        assert_eq!(
            job(d, d + Duration::days(1), Layout::Hive).part_key(u, "05", 7),
            "events/dt=2026-11-19/part-05007.jsonl.gz"
        );
    }

    #[test]
    fn partial_and_multi_day_windows() {
        let s = Utc.with_ymd_and_hms(2026, 11, 18, 22, 30, 0).unwrap();
        let u = Utc.with_ymd_and_hms(2026, 11, 19, 3, 0, 0).unwrap();
        let units = job(s, u, Layout::Hive).units().unwrap();
        assert_eq!(units.len(), 2);
        assert_eq!(
            units[0].manifest_key,
            "events/dt=2026-11-18/_manifest_223000-240000.json"
        );
        assert_eq!(units[0].slices.len(), 2);
        assert_eq!(units[0].slices[0].1, s);
        assert_eq!(
            units[1].manifest_key,
            "events/dt=2026-11-19/_manifest_000000-030000.json"
        );
        assert_eq!(units[1].slices.len(), 3);
        assert!(job(s, u, Layout::Legacy).units().is_err());
    }

    #[test]
    fn shards_tile_the_window() {
        let d = Utc.with_ymd_and_hms(2026, 11, 19, 0, 0, 0).unwrap();
        let e = d + Duration::days(1);
        assert_eq!(
            shard(d, e, 5, 24),
            (d + Duration::hours(5), d + Duration::hours(6))
        );
        assert_eq!(shard(d, e, 23, 24).1, e);
        let odd: Vec<_> = (0..7).map(|i| shard(d, e, i, 7)).collect();
        assert_eq!(odd[0].0, d);
        assert_eq!(odd[6].1, e);
        assert!(odd.windows(2).all(|w| w[0].1 == w[1].0));
    }

    #[test]
    fn legacy_names() {
        let d = Utc.with_ymd_and_hms(2026, 11, 19, 0, 0, 0).unwrap();
        let j = job(d, d + Duration::days(1), Layout::Legacy);
        let units = j.units().unwrap();
        assert_eq!(units[0].slices.len(), 1);
        assert_eq!(
            j.part_key(&units[0], "day", 0),
            "Halo-Events_2026-11-19_1.gz"
        );
        assert_eq!(j.per_part(), 10_000);
        assert_eq!(
            units[0].manifest_key,
            "Halo-Events_2026-11-19.manifest.json"
        );
    }
}
