//! The archive engine behind event-export and scan-export: every item of a time window, exactly
//! once, streamed through gzip into a [`Store`], resumable and idempotent.
//!
//! A window is cut into UTC days (one *unit* each, with its own manifest) and each day into fixed
//! hourly *slices*. Slices are fetched concurrently, each with its own time cursor, and each
//! writes its own numbered parts (`part-HHNNN.jsonl.gz`: hour, then part within the hour), so
//! the objects written do not depend on `--concurrency` and their names sort in `created_at`
//! order. A part is made visible only when complete; after each part the unit's checkpoint
//! (completed parts and the cursor after them, per slice) is rewritten. A run killed at any point
//! resumes from the checkpoint and produces byte-identical parts; a finished unit has a manifest
//! (records, first/last `created_at`, each part's size and sha256) and is not exported again.
//!
//! `--layout legacy` writes the original archivers' names instead: `Halo-Events_<date>_<n>.gz`
//! (10,000 events) / `Halo-Scans_<date>_<n>.gz` (100 scans) at the prefix root, one slice a day.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use futures::StreamExt;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::exit::usage;
use crate::halo::HaloClient;
use crate::halo::cursor::{Cursor, RawItem};
use crate::store::Store;
use crate::time::format_api;

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
    table_columns: crate::halo::api::EVENT_COLUMNS,
};

pub const SCANS: Kind = Kind {
    name: "scans",
    path: "/v1/scans",
    tool: "scan-export",
    legacy_prefix: "Halo-Scans",
    legacy_per_file: 100,
    table_columns: crate::halo::api::SCAN_COLUMNS,
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

/// A part as recorded in checkpoints and manifests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    /// Key relative to the destination.
    pub key: String,
    pub records: u64,
    pub bytes: u64,
    pub sha256: String,
    pub first_created_at: String,
    pub last_created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowJson {
    pub since: String,
    pub until: String,
}

/// `_manifest.json` of a finished unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub record: String,
    pub tool: String,
    pub version: String,
    pub kind: String,
    pub layout: Layout,
    pub window: WindowJson,
    pub records: u64,
    pub first_created_at: Option<String>,
    pub last_created_at: Option<String>,
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SliceState {
    parts: Vec<Part>,
    /// Cursor after the last completed part: `created_at` and the ids at exactly that time.
    cursor_since: Option<String>,
    cursor_seen: Vec<String>,
    done: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Checkpoint {
    tool: String,
    layout: Layout,
    part_records: usize,
    window: WindowJson,
    slices: BTreeMap<String, SliceState>,
}

/// One day's share of the window: its objects, manifest and checkpoint.
#[derive(Debug, Clone)]
pub struct Unit {
    pub day: NaiveDate,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub manifest_key: String,
    checkpoint_key: String,
    /// (slice name, since, until)
    slices: Vec<(String, DateTime<Utc>, DateTime<Utc>)>,
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
    fn window_json(&self, since: DateTime<Utc>, until: DateTime<Utc>) -> WindowJson {
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

    fn part_key(&self, unit: &Unit, slice: &str, n: usize) -> String {
        match self.layout {
            Layout::Hive => format!(
                "{}/dt={}/part-{slice}{n:03}.jsonl.gz",
                self.kind.name, unit.day
            ),
            Layout::Legacy => format!("{}_{}_{}.gz", self.kind.legacy_prefix, unit.day, n + 1),
        }
    }

    fn per_part(&self) -> usize {
        match self.layout {
            Layout::Hive => self.part_records.max(1),
            Layout::Legacy => self.kind.legacy_per_file,
        }
    }
}

/// What happened to one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Exported(Manifest),
    AlreadyExported(Manifest),
}

/// Check that a manifest describes `unit` and that all its parts are there with their sizes.
async fn verify(store: &Store, job: &Job, unit: &Unit, m: &Manifest) -> anyhow::Result<()> {
    let want = job.window_json(unit.since, unit.until);
    if m.window != want || m.layout != job.layout || m.kind != job.kind.name {
        anyhow::bail!(
            "{} describes another export ({} {:?} {}..{}); re-run with --force to replace it",
            store.locate(&unit.manifest_key),
            m.kind,
            m.layout,
            m.window.since,
            m.window.until
        );
    }
    for p in &m.parts {
        match store.size(&p.key).await? {
            Some(n) if n == p.bytes => {}
            Some(n) => anyhow::bail!(
                "{} has {n} bytes, the manifest says {}; re-run with --force",
                store.locate(&p.key),
                p.bytes
            ),
            None => anyhow::bail!(
                "{} is missing although the manifest lists it; re-run with --force",
                store.locate(&p.key)
            ),
        }
    }
    Ok(())
}

/// Export one unit (or find it already exported).
pub async fn export_unit(
    halo: &HaloClient,
    store: &Store,
    job: &Job,
    unit: &Unit,
    progress: &Progress,
) -> anyhow::Result<Outcome> {
    let old_manifest: Option<Manifest> = match store.get(&unit.manifest_key).await? {
        Some(b) => Some(serde_json::from_slice(&b).with_context(|| {
            format!(
                "{} is not a manifest of ours",
                store.locate(&unit.manifest_key)
            )
        })?),
        None => None,
    };
    if let (Some(m), false) = (&old_manifest, job.force) {
        verify(store, job, unit, m).await?;
        return Ok(Outcome::AlreadyExported(m.clone()));
    }
    let window = job.window_json(unit.since, unit.until);
    let fresh = Checkpoint {
        tool: job.kind.tool.to_string(),
        layout: job.layout,
        part_records: job.per_part(),
        window: window.clone(),
        slices: BTreeMap::new(),
    };
    let mut checkpoint = match (store.get(&unit.checkpoint_key).await?, job.force) {
        (Some(b), false) => {
            let c: Checkpoint = serde_json::from_slice(&b).with_context(|| {
                format!(
                    "{} is not a checkpoint of ours",
                    store.locate(&unit.checkpoint_key)
                )
            })?;
            if c.window != fresh.window
                || c.layout != fresh.layout
                || c.part_records != fresh.part_records
            {
                anyhow::bail!(
                    "{} belongs to an export with other settings ({} records per part, {}..{}); re-run with --force to start over",
                    store.locate(&unit.checkpoint_key),
                    c.part_records,
                    c.window.since,
                    c.window.until
                );
            }
            progress.note(format!(
                "resuming {} from {}",
                unit.day,
                store.locate(&unit.checkpoint_key)
            ));
            c
        }
        _ => fresh,
    };
    for (name, _, _) in &unit.slices {
        checkpoint.slices.entry(name.clone()).or_default();
    }
    let shared = Arc::new(Mutex::new(checkpoint));

    let results: Vec<anyhow::Result<()>> =
        futures::stream::iter(unit.slices.iter().map(|(name, s, u)| {
            // Each slice is a task of its own, so parsing, gzip and hashing of several slices
            // run on all cores.
            let (halo, store, job, unit) = (halo.clone(), store.clone(), job.clone(), unit.clone());
            let (shared, progress, name, s, u) =
                (shared.clone(), progress.clone(), name.clone(), *s, *u);
            let task_name = name.clone();
            async move {
                tokio::spawn(async move {
                    run_slice(
                        &halo, &store, &job, &unit, &task_name, s, u, &shared, &progress,
                    )
                    .await
                })
                .await
                .unwrap_or_else(|e| Err(anyhow::anyhow!("slice {name}: task failed: {e}")))
            }
        }))
        .buffer_unordered(job.concurrency.max(1))
        .collect()
        .await;
    let failed: Vec<String> = results
        .into_iter()
        .filter_map(|r| r.err())
        .map(|e| format!("{e:#}"))
        .collect();
    if !failed.is_empty() {
        let cp = shared.lock().await;
        let missing: Vec<&str> = cp
            .slices
            .iter()
            .filter(|(_, s)| !s.done)
            .map(|(n, _)| n.as_str())
            .collect();
        anyhow::bail!(
            "{} {}..{} is incomplete: slice(s) {} not finished ({}); the checkpoint {} is kept, run again to resume",
            job.kind.name,
            window.since,
            window.until,
            missing.join(","),
            failed.join("; "),
            store.locate(&unit.checkpoint_key)
        );
    }

    let cp = shared.lock().await.clone();
    let parts: Vec<Part> = cp.slices.values().flat_map(|s| s.parts.clone()).collect();
    let manifest = Manifest {
        record: format!("{}.manifest/v1", job.kind.tool),
        tool: job.kind.tool.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        kind: job.kind.name.to_string(),
        layout: job.layout,
        window,
        records: parts.iter().map(|p| p.records).sum(),
        first_created_at: parts.first().map(|p| p.first_created_at.clone()),
        last_created_at: parts.last().map(|p| p.last_created_at.clone()),
        parts,
    };
    let mut text = serde_json::to_vec_pretty(&manifest)?;
    text.push(b'\n');
    store.put(&unit.manifest_key, text).await?;
    // Parts an earlier (--force) export wrote that this one did not: remove them.
    if let Some(old) = old_manifest {
        for p in old.parts {
            if !manifest.parts.iter().any(|n| n.key == p.key) {
                store.delete(&p.key).await?;
            }
        }
    }
    store.delete(&unit.checkpoint_key).await?;
    Ok(Outcome::Exported(manifest))
}

/// A part being written: gzip into a small buffer drained into the object.
struct PartWriter {
    key: String,
    gz: GzEncoder<Vec<u8>>,
    obj: crate::store::ObjectWriter,
    records: u64,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}

impl PartWriter {
    async fn add(&mut self, line: &[u8], created_at: DateTime<Utc>) -> anyhow::Result<()> {
        self.gz.write_all(line)?;
        if self.records == 0 {
            self.first = Some(created_at);
        }
        self.last = Some(created_at);
        self.records += 1;
        if self.gz.get_ref().len() >= 64 * 1024 {
            let chunk = std::mem::take(self.gz.get_mut());
            self.obj.write(&chunk).await?;
        }
        Ok(())
    }

    async fn finish(self) -> anyhow::Result<Part> {
        let rest = self.gz.finish()?;
        let mut obj = self.obj;
        obj.write(&rest).await?;
        let w = obj.finish().await?;
        Ok(Part {
            key: self.key,
            records: self.records,
            bytes: w.bytes,
            sha256: w.sha256,
            first_created_at: self.first.map(format_api).unwrap_or_default(),
            last_created_at: self.last.map(format_api).unwrap_or_default(),
        })
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_slice(
    halo: &HaloClient,
    store: &Store,
    job: &Job,
    unit: &Unit,
    name: &str,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    shared: &Mutex<Checkpoint>,
    progress: &Progress,
) -> anyhow::Result<()> {
    let state = shared
        .lock()
        .await
        .slices
        .get(name)
        .cloned()
        .unwrap_or_default();
    if state.done {
        return Ok(());
    }
    let mut cursor = match &state.cursor_since {
        Some(s) => Cursor {
            since: crate::time::parse_api(s)
                .with_context(|| format!("checkpoint cursor `{s}` is not a time"))?,
            seen_at_since: state.cursor_seen.iter().cloned().collect(),
        },
        None => Cursor::new(since),
    };
    let mut n = state.parts.len();
    let per_part = job.per_part() as u64;
    let mut items = records(halo, job, cursor.clone(), until);
    let mut part: Option<PartWriter> = None;
    let mut line = Vec::with_capacity(4096);
    let result: anyhow::Result<()> = async {
        while let Some(item) = items.next().await {
            let item = item?;
            let (ts, id) = (item.created_at, &item.id);
            if part.is_none() {
                let key = job.part_key(unit, name, n);
                part = Some(PartWriter {
                    obj: store.create(&key).await?,
                    key,
                    gz: GzEncoder::new(Vec::with_capacity(80 * 1024), Compression::default()),
                    records: 0,
                    first: None,
                    last: None,
                });
            }
            line.clear();
            line.extend_from_slice(item.line()?.as_bytes());
            line.push(b'\n');
            let p = part.as_mut().expect("part was just opened");
            p.add(&line, ts).await?;
            cursor.observe(ts, id);
            progress.record(line.len());
            if p.records >= per_part {
                let done = part.take().expect("part is open").finish().await?;
                n += 1;
                save(store, unit, shared, name, Some(done), &cursor, false).await?;
            }
        }
        if let Some(p) = part.take() {
            let done = p.finish().await?;
            save(store, unit, shared, name, Some(done), &cursor, true).await?;
        } else {
            save(store, unit, shared, name, None, &cursor, true).await?;
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        if let Some(p) = part.take() {
            p.obj.abort().await;
        }
        return Err(e.context(format!(
            "slice {name} ({}..{})",
            format_api(since),
            format_api(until)
        )));
    }
    Ok(())
}

/// The records of `[cursor, until)` in `created_at` order, as the API sent them, or enriched
/// (`enrich_concurrency` at a time, order kept) when the job has an enrich step.
fn records(
    halo: &HaloClient,
    job: &Job,
    cursor: Cursor,
    until: DateTime<Utc>,
) -> futures::stream::BoxStream<'static, anyhow::Result<RawItem>> {
    let items = halo.time_series_raw(job.kind.path, job.kind.name, &[], cursor, Some(until));
    match &job.enrich {
        Some(f) => {
            let (f, halo) = (f.clone(), halo.clone());
            items
                .map(move |r| {
                    let (f, halo) = (f.clone(), halo.clone());
                    async move {
                        let item = r?;
                        let value = f(halo, item.value()?).await?;
                        let json = serde_json::value::RawValue::from_string(value.to_string())?;
                        Ok(RawItem { json, ..item })
                    }
                })
                .buffered(job.enrich_concurrency.max(1))
                .boxed()
        }
        None => items,
    }
}

/// Record a finished part (and the cursor after it) in the unit's checkpoint.
async fn save(
    store: &Store,
    unit: &Unit,
    shared: &Mutex<Checkpoint>,
    slice: &str,
    part: Option<Part>,
    cursor: &Cursor,
    done: bool,
) -> anyhow::Result<()> {
    let mut cp = shared.lock().await;
    let st = cp.slices.entry(slice.to_string()).or_default();
    if let Some(p) = part {
        st.parts.push(p);
    }
    st.cursor_since = Some(format_api(cursor.since));
    let mut seen: Vec<String> = cursor.seen_at_since.iter().cloned().collect();
    seen.sort();
    st.cursor_seen = seen;
    st.done = done;
    let text = serde_json::to_vec(&*cp)?;
    store.put(&unit.checkpoint_key, text).await?;
    Ok(())
}

/// The exporters' progress: records, pages, detail requests (with an enrich step, e.g.
/// scan-export's scan and finding details), MB and rates, on the [`crate::progress`] spinner;
/// notes above it (or plain lines unless quiet). Cheap to clone: the clones share the counters.
#[derive(Clone)]
pub struct Progress(Arc<ProgressInner>);

struct ProgressInner {
    shown: crate::progress::Progress,
    quiet: bool,
    records: std::sync::atomic::AtomicU64,
    bytes: std::sync::atomic::AtomicU64,
    started: std::time::Instant,
    /// When the message was last rewritten (ms since `started`).
    shown_at_ms: std::sync::atomic::AtomicU64,
    /// Whose pages (and detail requests) to count.
    halo: Option<HaloClient>,
    /// Whether records are enriched by detail requests.
    details: bool,
}

impl Progress {
    pub fn new(show_bar: bool, quiet: bool, halo: Option<HaloClient>) -> Progress {
        Progress(Arc::new(ProgressInner {
            shown: crate::progress::Progress::spinner_if(show_bar, "starting"),
            quiet,
            records: Default::default(),
            bytes: Default::default(),
            started: std::time::Instant::now(),
            shown_at_ms: Default::default(),
            halo,
            details: false,
        }))
    }

    /// Also show the detail requests answered so far (jobs with an enrich step).
    fn with_details(mut self, on: bool) -> Progress {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.details = on;
        }
        self
    }

    fn record(&self, bytes: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        let p = &self.0;
        let n = p.records.fetch_add(1, Relaxed) + 1;
        let b = p.bytes.fetch_add(bytes as u64, Relaxed) + bytes as u64;
        if !p.shown.is_visible() {
            return;
        }
        // a few times a second, whatever the rate (scans with details come slowly)
        let now = p.started.elapsed().as_millis() as u64;
        let last = p.shown_at_ms.load(Relaxed);
        if (n == 1 || now >= last + 100)
            && p.shown_at_ms
                .compare_exchange(last, now, Relaxed, Relaxed)
                .is_ok()
        {
            p.shown.set_message(self.message(n, b));
        }
    }

    fn message(&self, n: u64, b: u64) -> String {
        let p = &self.0;
        let secs = p.started.elapsed().as_secs_f64().max(0.001);
        let pages = p.halo.as_ref().map_or(0, HaloClient::pages_read);
        let details = match (&p.halo, p.details) {
            (Some(h), true) => format!(", {} detail requests", h.gets_answered()),
            _ => String::new(),
        };
        format!(
            "{n} records, {pages} pages{details}, {:.1} MB ({:.0} records/s, {:.1} MB/s)",
            b as f64 / 1e6,
            n as f64 / secs,
            b as f64 / 1e6 / secs
        )
    }

    pub fn note(&self, msg: impl std::fmt::Display) {
        self.0.shown.note(self.0.quiet, msg);
    }

    pub fn finish(&self) {
        self.0.shown.finish();
    }
}

#[cfg(test)]
mod settings_tests {
    use clap::Parser;

    use super::*;
    use crate::config::{ConfigFile, HaloArgs, Source};

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        export: ExportArgs,
        #[command(flatten)]
        halo: HaloArgs,
    }

    /// `max_in_flight` and its source for `args`, an octo.yml of `yaml` and `env`.
    fn in_flight(args: &[&str], yaml: &str, env: &[(&str, &str)]) -> (usize, String) {
        let cli = Cli::try_parse_from(std::iter::once("x").chain(args.iter().copied())).unwrap();
        let file = ConfigFile::parse("/etc/octo.yml".into(), yaml.to_string()).unwrap();
        let lookup = |name: &str| {
            env.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        let cfg = exporter_halo_config_from(
            &cli.halo,
            &cli.export,
            (Some(file), Source::Flag("--config")),
            &lookup,
        )
        .unwrap();
        (cfg.max_in_flight, cfg.source("max_in_flight").to_string())
    }

    #[test]
    fn max_in_flight_flag_env_file_then_concurrency() {
        let yaml = "halo:\n  max_in_flight: 3\n";
        let env = [("HALO_CONCURRENCY", "5")];
        assert_eq!(
            in_flight(&["--max-in-flight", "2", "--concurrency", "8"], yaml, &env),
            (2, "flag --max-in-flight".into())
        );
        assert_eq!(
            in_flight(&["--concurrency", "8"], yaml, &env),
            (5, "env HALO_CONCURRENCY".into())
        );
        // the bug of issue 13: octo.yml's max_in_flight was replaced by --concurrency's default
        assert_eq!(
            in_flight(&[], yaml, &[]),
            (3, "file /etc/octo.yml:halo.max_in_flight".into())
        );
        assert_eq!(
            in_flight(&["--concurrency", "8"], yaml, &[]),
            (3, "file /etc/octo.yml:halo.max_in_flight".into())
        );
        assert_eq!(
            in_flight(&["--concurrency", "8"], "halo: {}\n", &[]),
            (8, "flag --concurrency".into())
        );
        assert_eq!(in_flight(&[], "{}\n", &[]), (16, "default".into()));
    }
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

/// The flags event-export and scan-export share.
#[derive(clap::Args, Debug, Clone)]
pub struct ExportArgs {
    #[command(flatten)]
    pub window: crate::time::WindowArgs,
    /// Destination: a directory, s3://bucket/prefix, or - (the records on stdout: JSON Lines when
    /// piped, see --format)
    /// [default: s3://$EVENTS_S3_BUCKET or s3://$SCANS_S3_BUCKET]
    #[arg(long = "to", value_name = "DIR|s3://BUCKET/PREFIX|-")]
    pub to: Option<String>,
    /// Object layout: hive (dt=YYYY-MM-DD/part-*.jsonl.gz + _manifest.json) or legacy (the
    /// original archivers' Halo-Events_<date>_<n>.gz names)
    #[arg(long, value_enum, default_value_t = Layout::Hive)]
    pub layout: Layout,
    /// Export again even when a manifest says the window is done (replaces it)
    #[arg(long)]
    pub force: bool,
    /// Requests in flight to Halo: hourly slices fetched at once, each reading up to 4 pages
    /// ahead (--max-in-flight, HALO_CONCURRENCY or halo.max_in_flight in octo.yml, when set,
    /// caps the requests). Lower it if your Halo account's per-minute allowance answers 429
    /// often; 429s are waited out either way
    #[arg(long, default_value_t = DEFAULT_CONCURRENCY, value_name = "N")]
    pub concurrency: usize,
    /// Records per part file (hive layout)
    #[arg(long = "part-records", default_value_t = 100_000, value_name = "N")]
    pub part_records: usize,
    /// S3 multipart part size in MiB (at least 5)
    #[arg(long = "s3-part-mib", default_value_t = 8, value_name = "MIB")]
    pub s3_part_mib: usize,
    /// Cut the window into N equal shards and export one of them (--shard-index, or
    /// $JOB_COMPLETION_INDEX in a Kubernetes Indexed Job); each shard writes its own manifest
    #[arg(long, value_name = "N")]
    pub shards: Option<u32>,
    /// Which shard to export, 0-based [env: JOB_COMPLETION_INDEX]
    #[arg(long = "shard-index", value_name = "I", requires = "shards")]
    pub shard_index: Option<u32>,
    /// Export nothing: check that the window (every shard, with --shards) has consistent
    /// manifests whose parts all exist; exit 1 naming what is missing
    #[arg(long)]
    pub check: bool,
    /// `--to -`: the records' format and fields
    #[command(flatten)]
    pub output: crate::output::OutputArgs,
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

/// `--check`: every manifest the window (and its shards) should have is there and consistent.
async fn check(
    store: &Store,
    job: &Job,
    windows: &[(DateTime<Utc>, DateTime<Utc>)],
) -> anyhow::Result<crate::exit::Exit> {
    let mut problems = Vec::new();
    let (mut manifests, mut records) = (0u64, 0u64);
    for (s, u) in windows {
        let j = Job {
            since: *s,
            until: *u,
            ..job.clone()
        };
        for unit in j.units()? {
            let key = &unit.manifest_key;
            match store.get(key).await? {
                None => problems.push(format!("{} is missing", store.locate(key))),
                Some(b) => match serde_json::from_slice::<Manifest>(&b) {
                    Err(e) => problems.push(format!("{}: not a manifest ({e})", store.locate(key))),
                    Ok(m) => match verify(store, &j, &unit, &m).await {
                        Ok(()) => {
                            manifests += 1;
                            records += m.records;
                        }
                        Err(e) => problems.push(format!("{e:#}")),
                    },
                },
            }
        }
    }
    if problems.is_empty() {
        crate::log::note(
            job.quiet,
            format!(
                "{} {}..{}: {manifests} manifests, {records} records, every part present",
                job.kind.name,
                format_api(job.since),
                format_api(job.until)
            ),
        );
        return Ok(crate::exit::Exit::Success);
    }
    anyhow::bail!(
        "{} {}..{} is not completely exported: {}",
        job.kind.name,
        format_api(job.since),
        format_api(job.until),
        problems.join("; ")
    )
}

/// The exporters' Halo settings: as every tool's, except that when nothing (no --max-in-flight,
/// no HALO_CONCURRENCY, no `halo.max_in_flight` in the config file) sets the requests in flight,
/// `--concurrency` does.
pub fn exporter_halo_config(
    halo_args: &crate::config::HaloArgs,
    args: &ExportArgs,
) -> anyhow::Result<crate::config::HaloConfig> {
    let found = crate::config::find_config_file(halo_args.config.as_deref())?;
    exporter_halo_config_from(halo_args, args, found, &crate::env::var_nonempty)
}

fn exporter_halo_config_from(
    halo_args: &crate::config::HaloArgs,
    args: &ExportArgs,
    found: (Option<crate::config::ConfigFile>, crate::config::Source),
    lookup: crate::config::Lookup<'_>,
) -> anyhow::Result<crate::config::HaloConfig> {
    use crate::config::Source;
    let mut cfg = halo_args.resolve_from(found, lookup)?;
    if *cfg.source("max_in_flight") == Source::Default {
        cfg.max_in_flight = args.concurrency;
        let source = if args.concurrency == DEFAULT_CONCURRENCY {
            Source::Default
        } else {
            Source::Flag("--concurrency")
        };
        cfg.sources.retain(|(name, _)| *name != "max_in_flight");
        cfg.sources.push(("max_in_flight", source));
    }
    Ok(cfg)
}

/// `--concurrency` when not given.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// Run an export tool: resolve the window (default: yesterday, UTC) and destination, then export
/// each day of the window (or stream it to stdout with `--to -`).
pub async fn run(
    kind: Kind,
    args: &ExportArgs,
    halo_args: &crate::config::HaloArgs,
    log: &crate::log::LogArgs,
    bucket_env: &str,
    enrich: Option<Enrich>,
) -> anyhow::Result<crate::exit::Exit> {
    let now = Utc::now();
    let mut w = args.window.resolve(now)?;
    if w.since.is_none() && w.until.is_none() {
        w = crate::time::Window::day(now.date_naive() - Duration::days(1));
    }
    let since = w
        .since
        .ok_or_else(|| usage("--until needs --since (or use --date)"))?;
    let until = w.until.unwrap_or(now);
    if since >= until {
        return Err(usage(format!(
            "empty time window: {} is not before {}",
            format_api(since),
            format_api(until)
        )));
    }
    // Shards: the whole window for --check, one shard for an export.
    let mut windows = vec![(since, until)];
    let (since, until) = match args.shards {
        None => (since, until),
        Some(0) => return Err(usage("--shards must be at least 1")),
        Some(n) => {
            windows = (0..n).map(|i| shard(since, until, i, n)).collect();
            if args.check {
                (since, until)
            } else {
                let i = match args.shard_index {
                    Some(i) => i,
                    None => crate::env::var_nonempty(crate::env::JOB_COMPLETION_INDEX)
                        .and_then(|v| v.trim().parse::<u32>().ok())
                        .ok_or_else(|| {
                            usage(format!(
                                "--shards needs --shard-index or {} (the index of this shard, 0-based)",
                                crate::env::JOB_COMPLETION_INDEX
                            ))
                        })?,
                };
                if i >= n {
                    return Err(usage(format!("shard index {i} is not below --shards {n}")));
                }
                shard(since, until, i, n)
            }
        }
    };
    let to = match &args.to {
        Some(t) => t.clone(),
        None => match crate::env::var_nonempty(bucket_env) {
            Some(b) if b.starts_with("s3://") => b,
            Some(b) => format!("s3://{}", b.trim()),
            None => {
                return Err(usage(format!(
                    "no destination: give --to DIR|s3://BUCKET/PREFIX|- or set {bucket_env}"
                )));
            }
        },
    };
    let dest = crate::store::Dest::parse(&to)?;
    if args.concurrency == 0 {
        return Err(usage("--concurrency must be at least 1"));
    }
    if args.s3_part_mib < 5 {
        return Err(usage(
            "--s3-part-mib must be at least 5 (S3's smallest part)",
        ));
    }
    let job = Job {
        kind,
        since,
        until,
        layout: args.layout,
        part_records: args.part_records,
        concurrency: args.concurrency,
        enrich_concurrency: args.concurrency,
        force: args.force,
        enrich,
        quiet: log.quiet,
    };

    if args.check {
        // Reads the destination only: no Halo key needed.
        if dest == crate::store::Dest::Stdout {
            return Err(usage("--check needs a folder or s3:// destination"));
        }
        let store = Store::open(&dest, args.s3_part_mib * 1024 * 1024).await?;
        return check(&store, &job, &windows).await;
    }
    let cfg = exporter_halo_config(halo_args, args)?;
    let halo = HaloClient::new(&cfg, crate::halo::Access::Read, kind.tool)?;
    if dest == crate::store::Dest::Stdout {
        return to_stdout(&halo, &job, &args.output).await;
    }
    let units = job.units()?;
    let store = Store::open(&dest, args.s3_part_mib * 1024 * 1024).await?;
    let progress = Progress::new(log.progress(), log.quiet, Some(halo.clone()))
        .with_details(job.enrich.is_some());
    for unit in &units {
        match export_unit(&halo, &store, &job, unit, &progress).await {
            Ok(Outcome::AlreadyExported(m)) => progress.note(format!(
                "{}: already exported ({} records in {} parts); --force exports again",
                store.locate(&unit.manifest_key),
                m.records,
                m.parts.len()
            )),
            Ok(Outcome::Exported(m)) => progress.note(format!(
                "{}: {} records in {} parts",
                store.locate(&unit.manifest_key),
                m.records,
                m.parts.len()
            )),
            Err(e) => {
                progress.finish();
                return Err(e);
            }
        }
    }
    progress.finish();
    Ok(crate::exit::Exit::Success)
}

/// `--to -`: the window's records on stdout (JSON Lines when piped, unless `--format` says
/// otherwise), in `created_at` order.
async fn to_stdout(
    halo: &HaloClient,
    job: &Job,
    output: &crate::output::OutputArgs,
) -> anyhow::Result<crate::exit::Exit> {
    let mut items = records(halo, job, Cursor::new(job.since), job.until);
    let defaults = crate::output::Defaults::RECORDS.table_columns(job.kind.table_columns);
    let mut out = crate::output::Printer::stdout_with(output, defaults);
    while let Some(item) = items.next().await {
        out.record(&item?.value()?)?;
    }
    out.finish()?;
    Ok(crate::exit::Exit::Success)
}
