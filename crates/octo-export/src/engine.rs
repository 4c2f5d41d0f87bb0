//! One unit exported: its slices fetched concurrently (each a task with its own cursor, writing
//! its own parts and checkpointing after each), the failures summed up, the manifest written.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use octo_core::halo::HaloClient;
use octo_core::halo::cursor::{Cursor, PAGES_AHEAD, RawItem};
use tokio::sync::Mutex;

use crate::checkpoint::{Checkpoint, save};
use crate::job::{Job, Unit};
use crate::manifest::{Manifest, Part, verify};
use crate::part::PartWriter;
use crate::progress::Progress;
use crate::store::Store;

/// What happened to one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Exported(Manifest),
    AlreadyExported(Manifest),
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

    let results: Vec<(String, anyhow::Result<()>)> =
        futures::stream::iter(unit.slices.iter().map(|(name, s, u)| {
            // Each slice is a task of its own, so parsing, gzip and hashing of several slices
            // run on all cores.
            let (halo, store, job, unit) = (halo.clone(), store.clone(), job.clone(), unit.clone());
            let (shared, progress, name, s, u) =
                (shared.clone(), progress.clone(), name.clone(), *s, *u);
            let task_name = name.clone();
            async move {
                let result = tokio::spawn(async move {
                    run_slice(
                        &halo, &store, &job, &unit, &task_name, s, u, &shared, &progress,
                    )
                    .await
                })
                .await
                .unwrap_or_else(|e| Err(anyhow::anyhow!("task failed: {e}")));
                (name, result)
            }
        }))
        // Every slice at once: the HTTP client's in-flight limit (a fair queue) is the one work
        // pool, so the requests of all slices and scans interleave and no slice waits behind
        // another's tail. Parts and checkpoints are per slice: the output does not depend on it.
        .buffer_unordered(unit.slices.len().max(1))
        .collect()
        .await;
    let failed: Vec<(String, anyhow::Error)> = results
        .into_iter()
        .filter_map(|(name, r)| r.err().map(|e| (name, e)))
        .collect();
    if !failed.is_empty() {
        anyhow::bail!(
            "{} {}..{} is incomplete: {}; the checkpoint {} is kept, run again to resume",
            job.kind.name,
            window.since,
            window.until,
            crate::failures::summary(&failed),
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
            since: octo_core::time::parse_api(s)
                .with_context(|| format!("checkpoint cursor `{s}` is not a time"))?,
            seen_at_since: state.cursor_seen.iter().cloned().collect(),
        },
        None => Cursor::new(since),
    };
    let mut n = state.parts.len();
    let per_part = job.per_part() as u64;
    let mut items = records(halo, job, cursor.clone(), until, unit.slices.len());
    let mut part: Option<PartWriter> = None;
    let mut line = Vec::with_capacity(4096);
    let result: anyhow::Result<()> = async {
        while let Some(item) = items.next().await {
            let item = item?;
            let (ts, id) = (item.created_at, &item.id);
            if part.is_none() {
                let key = job.part_key(unit, name, n);
                part = Some(PartWriter::create(store, key).await?);
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
            p.abort().await;
        }
        return Err(e);
    }
    Ok(())
}

/// The job's requests in flight shared among `streams` time series read at once.
fn share(job: &Job, streams: usize) -> usize {
    job.concurrency.div_ceil(streams.max(1))
}

/// Pages each of `streams` time series reads ahead so that together they keep the job's
/// requests in flight: at least [`EXPORT_PAGES_AHEAD`], more when there are few streams (one a
/// day in the legacy layout, `--to -`).
pub(crate) fn pages_ahead(job: &Job, streams: usize) -> u32 {
    u32::try_from(share(job, streams))
        .unwrap_or(u32::MAX)
        .max(EXPORT_PAGES_AHEAD)
}

/// The least pages a slice reads ahead: twice the SDK's [`PAGES_AHEAD`]. A slice's pages are
/// handed out in order, so with 4 ahead a slice of 11 pages waits out five round trips one after
/// another (token, first page, 2–5, 6–9, 10–11) and the day's tail runs below the limit; with 8,
/// four (issue 17, 25,000 events at 50 ms: 1.24–1.45x → 1.21–1.26x the bound). It costs 24 × 4
/// more pages of ~67 KB held when the API answers faster than the parts are written (peak RSS at
/// 1,000,000 events 22.4 MiB with auto, 29.8 MiB at 64 in flight).
const EXPORT_PAGES_AHEAD: u32 = 2 * PAGES_AHEAD;

/// The least records each stream enriches at once, whatever its share.
const ENRICH_AT_LEAST: usize = 4;

/// Records each of `streams` streams enriches at once (order kept): its share of the job's
/// requests in flight (at least [`ENRICH_AT_LEAST`]), never more than `enrich_concurrency`.
/// Enriched records wait in order behind the slowest, so a wider window than the share only
/// holds more finished records in memory (24 slices × the whole limit was 34 MiB at 5,000 scans).
pub(crate) fn enrich_width(job: &Job, streams: usize) -> usize {
    share(job, streams)
        .max(ENRICH_AT_LEAST)
        .min(job.enrich_concurrency)
        .max(1)
}

/// The records of `[cursor, until)` in `created_at` order, as the API sent them, or enriched
/// ([`enrich_width`] at a time, order kept) when the job has an enrich step; the list read ahead
/// by [`pages_ahead`] — the stream being one of `streams` read at once.
pub(crate) fn records(
    halo: &HaloClient,
    job: &Job,
    cursor: Cursor,
    until: DateTime<Utc>,
    streams: usize,
) -> futures::stream::BoxStream<'static, anyhow::Result<RawItem>> {
    let ahead = pages_ahead(job, streams);
    let items = halo.time_series(
        job.kind.path,
        job.kind.name,
        &[],
        cursor,
        Some(until),
        ahead,
    );
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
                .buffered(enrich_width(job, streams))
                .boxed()
        }
        None => items,
    }
}
