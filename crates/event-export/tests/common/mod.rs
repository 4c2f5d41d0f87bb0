//! event-export's test harness: octo-sim days, the binary in a clean environment, and
//! readers of what an export wrote.

#![allow(dead_code, unused_imports)]

pub use chrono::{DateTime, TimeZone, Utc};
pub use octo_sim::{Faults, Sim, SimConfig, SimHandle};
pub use octo_testkit::Moto;
pub use octo_testkit::harness::{
    Keys, TestEnv, code, exits_with, export_summary, stderr, wait_until,
};
pub use serde_json::Value;
pub use sha2::Digest;
pub use std::io::Read;
pub use std::path::Path;
pub use std::process::{Output, Stdio};
pub use std::time::Duration;

pub const DAY: &str = "2026-11-19";

/// The hour 06:00-07:00 of DAY, to stdout.
pub const HOUR_6_TO_STDOUT: [&str; 6] = [
    "--since",
    "2026-11-19T06:00:00Z",
    "--until",
    "2026-11-19T07:00:00Z",
    "--to",
    "-",
];

pub fn anchor() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()
}

pub fn day() -> (DateTime<Utc>, DateTime<Utc>) {
    let s = Utc.with_ymd_and_hms(2026, 11, 19, 0, 0, 0).unwrap();
    (s, s + chrono::Duration::days(1))
}

pub fn sim(events: usize) -> SimHandle {
    Sim::spawn(SimConfig {
        events_per_day: events,
        now: Some(anchor()),
        ..Default::default()
    })
    .unwrap()
}

/// [`sim`] answering every request after `latency_ms`.
pub fn slow_sim(events: usize, latency_ms: u64) -> SimHandle {
    Sim::spawn(SimConfig {
        events_per_day: events,
        now: Some(anchor()),
        faults: Faults {
            latency_ms,
            ..Faults::default()
        },
        ..Default::default()
    })
    .unwrap()
}

/// Ids of the simulator's events of DAY, in order.
pub fn truth(sim: &Sim) -> Vec<String> {
    let (s, u) = day();
    sim.events(s, u)
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

/// Where event-export runs: Halo at `sim_url`, moto's AWS when given.
pub fn env(sim_url: &str, moto: Option<&Moto>) -> TestEnv {
    let env = TestEnv::new().halo(sim_url);
    match moto {
        Some(m) => env.envs(m.aws_env()),
        None => env,
    }
}

/// `event-export ARGS` to the end, secrets checked.
pub fn run(sim_url: &str, moto: Option<&Moto>, args: &[&str]) -> Output {
    env(sim_url, moto).run("event-export", Keys::Read, args, "")
}

/// `event-export --date DAY --to DIR EXTRA…` against `sim_url`, which must exit 0; its output.
pub fn export_day(sim_url: &str, dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["--date", DAY, "--to", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = run(sim_url, None, &args);
    assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    out
}

pub fn gunzip(bytes: &[u8]) -> String {
    let mut s = String::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// The day's manifest, held to its contract.
pub fn manifest(dir: &Path) -> Value {
    let p = dir.join(format!("events/dt={DAY}/_manifest.json"));
    let m = serde_json::from_slice(
        &std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    )
    .unwrap();
    octo_testkit::assert_record(&m, "event-export.manifest.v1");
    m
}

/// Every record of the folder export, in part order, after checking each part against the
/// manifest (bytes, sha256, records, first/last created_at).
pub fn read_export(dir: &Path) -> Vec<Value> {
    let m = manifest(dir);
    let mut out = Vec::new();
    let mut keys = Vec::new();
    for p in m["parts"].as_array().unwrap() {
        let key = p["key"].as_str().unwrap();
        keys.push(key.to_string());
        let bytes = std::fs::read(dir.join(key)).unwrap();
        assert_eq!(bytes.len() as u64, p["bytes"].as_u64().unwrap(), "{key}");
        assert_eq!(
            hex::encode(sha2::Sha256::digest(&bytes)),
            p["sha256"],
            "{key}"
        );
        let recs: Vec<Value> = gunzip(&bytes)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(recs.len() as u64, p["records"].as_u64().unwrap(), "{key}");
        assert_eq!(recs[0]["created_at"], p["first_created_at"]);
        assert_eq!(recs.last().unwrap()["created_at"], p["last_created_at"]);
        out.extend(recs);
    }
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "parts listed in name order");
    assert_eq!(m["records"].as_u64().unwrap(), out.len() as u64);
    // nothing else in the partition: no temp files, no checkpoint, no stray parts
    let mut files: Vec<String> = std::fs::read_dir(dir.join(format!("events/dt={DAY}")))
        .unwrap()
        .map(|e| {
            format!(
                "events/dt={DAY}/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    files.sort();
    keys.push(format!("events/dt={DAY}/_manifest.json"));
    keys.sort();
    assert_eq!(files, keys);
    out
}

/// The `id` of every JSON line of `text`, in order.
pub fn line_ids(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

pub fn ids(v: &[Value]) -> Vec<String> {
    v.iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}
