//! Shared helpers: run the real `halo-query` binary against an `octo_sim` simulator and check
//! that no secret ever reaches its output.

#![allow(dead_code)]

use std::process::Output;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::Value;

#[allow(unused_imports)] // each test file uses some of them
pub use octo_testkit::harness::{code, jsonl, ok, spawn_sim as spawn, stderr, stdout};

pub const SECRETS: [&str; 2] = [octo_sim::READ_KEY.1, octo_sim::WRITE_KEY.1];

/// Fixed world anchor used by the deterministic tests.
pub fn anchor() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()
}

pub fn day_start(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
}

/// Environment for the binary: URL and read key, nothing inherited that could redirect it.
pub fn envs(url: &str, secret: &str) -> Vec<(String, String)> {
    vec![
        ("HALO_API_URL".into(), url.into()),
        ("HALO_API_KEY".into(), octo_sim::READ_KEY.0.into()),
        ("HALO_API_SECRET_KEY".into(), secret.into()),
    ]
}

pub const REMOVED_ENV: [&str; 8] = [
    "HALO_API_HOSTNAME",
    "HALO_API_PORT",
    "OCTO_CONFIG",
    "HALO_API_KEY_RW",
    "HALO_API_SECRET_KEY_RW",
    "RUST_LOG",
    "NO_COLOR",
    "HALO_API_URL",
];

/// Run `halo-query ARGS` against `url` with the read key and `secret`.
pub fn run_with_secret(url: &str, secret: &str, args: &[&str]) -> Output {
    let cfg = tempfile::tempdir().expect("tempdir");
    let mut cmd = octo_testkit::harness::command("halo-query", &REMOVED_ENV);
    cmd.envs(envs(url, secret))
        .env("XDG_CONFIG_HOME", cfg.path())
        .timeout(std::time::Duration::from_secs(300))
        .args(args);
    let out = cmd.output().expect("running halo-query");
    assert_no_secrets(&out);
    out
}

/// Run `halo-query ARGS` against `url` with the correct read key.
pub fn run(url: &str, args: &[&str]) -> Output {
    run_with_secret(url, octo_sim::READ_KEY.1, args)
}

/// Neither simulator secret appears in stdout or stderr.
pub fn assert_no_secrets(out: &Output) {
    octo_testkit::harness::assert_no_secrets(out, &SECRETS);
}

pub fn ids(values: &[Value]) -> Vec<String> {
    values
        .iter()
        .map(|v| v["id"].as_str().expect("string id").to_string())
        .collect()
}
