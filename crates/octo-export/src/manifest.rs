//! The manifest of a finished unit (`_manifest.json`: records, first/last `created_at`, each
//! part's key, size and sha256), its verification against the store, and `--check` over a whole
//! window.

use chrono::{DateTime, Utc};
use octo_core::exit::Exit;
use octo_core::time::format_api;
use serde::{Deserialize, Serialize};

use crate::job::{Job, Layout, Unit};
use crate::store::Store;

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

/// Check that a manifest describes `unit` and that all its parts are there with their sizes.
pub(crate) async fn verify(
    store: &Store,
    job: &Job,
    unit: &Unit,
    m: &Manifest,
) -> anyhow::Result<()> {
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

/// `--check`: every manifest the window (and its shards) should have is there and consistent.
pub(crate) async fn check(
    store: &Store,
    job: &Job,
    windows: &[(DateTime<Utc>, DateTime<Utc>)],
) -> anyhow::Result<Exit> {
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
        octo_core::log::note(
            job.quiet,
            format!(
                "{} {}..{}: {manifests} manifests, {records} records, every part present",
                job.kind.name,
                format_api(job.since),
                format_api(job.until)
            ),
        );
        return Ok(Exit::Success);
    }
    anyhow::bail!(
        "{} {}..{} is not completely exported: {}",
        job.kind.name,
        format_api(job.since),
        format_api(job.until),
        problems.join("; ")
    )
}
