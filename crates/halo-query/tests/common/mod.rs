//! halo-query's part of the harness: the real binary against an octo-sim the test started,
//! through [`octo_testkit::harness::TestEnv`] (clean environment, secret check).

#![allow(dead_code)]

use std::process::Output;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

#[allow(unused_imports)] // each test file uses some of them
pub use octo_testkit::harness::{
    Keys, TestEnv, anchor, code, exits_with, jsonl, ok, spawn_sim as spawn, stderr, stdout,
};

pub fn day_start(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
}

/// Requests the simulator has served so far (every API route).
pub fn requests(sim: &octo_sim::SimHandle) -> u64 {
    sim.state()["requests"]["total"]
        .as_u64()
        .expect("request total")
}

/// `halo-query events --follow --critical` (a poll every 0.2 s) against `sim`, returned once the
/// simulator has served `min_requests`: its token, its starting point and a first poll.
pub fn start_follow(
    sim: &octo_sim::SimHandle,
    min_requests: u64,
) -> octo_testkit::harness::Background {
    let child = env(&sim.url()).spawn(
        "halo-query",
        Keys::Read,
        &["events", "--follow", "--critical", "--poll-interval", "0.2"],
        std::process::Stdio::null(),
    );
    assert!(
        octo_testkit::harness::wait_until(std::time::Duration::from_secs(60), || {
            requests(sim) >= min_requests
        }),
        "halo-query --follow made {} requests",
        requests(sim)
    );
    child
}

/// Where halo-query runs: Halo at `url` with the read key.
pub fn env(url: &str) -> TestEnv {
    TestEnv::new().halo(url)
}

/// Run `halo-query ARGS` against `url` with the read key and `secret` (also checked not to
/// appear in the output).
pub fn run_with_secret(url: &str, secret: &str, args: &[&str]) -> Output {
    env(url)
        .set("HALO_API_SECRET_KEY", secret)
        .secret(secret)
        .run("halo-query", Keys::Read, args, "")
}

/// Run `halo-query ARGS` against `url` with the correct read key.
pub fn run(url: &str, args: &[&str]) -> Output {
    run_with_secret(url, octo_sim::READ_KEY.1, args)
}

pub fn ids(values: &[Value]) -> Vec<String> {
    values
        .iter()
        .map(|v| v["id"].as_str().expect("string id").to_string())
        .collect()
}
