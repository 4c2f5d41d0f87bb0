//! Integration tests: the real `halo-query` binary against the in-process `octo_sim` simulator.
//! Every run goes through `common::run*`, which asserts that no simulator secret is printed.

mod common;

use common::*;
use octo_sim::{Faults, SimConfig};
use serde_json::Value;

fn group_id(sim: &octo_sim::SimHandle, path: &str) -> String {
    let state = sim.state();
    let groups = state["groups"].as_array().expect("groups array");
    let found: Vec<&Value> = groups.iter().filter(|g| g["group_path"] == path).collect();
    assert_eq!(found.len(), 1, "group {path} in {groups:?}");
    found[0]["id"].as_str().unwrap().to_string()
}

#[test]
fn groups_lists_every_group() {
    let sim = spawn(SimConfig::default());
    let out = run(&sim.url(), &["groups"]);
    ok(&out);
    let lines = jsonl(&out);
    let state = sim.state();
    let truth = state["groups"].as_array().expect("groups array");
    assert_eq!(lines.len(), truth.len());
    let mut got = ids(&lines);
    let mut want = ids(truth);
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn servers_group_ambiguity_path_and_state() {
    let sim = spawn(SimConfig::default());
    let url = sim.url();

    let out = run(&url, &["servers", "--group", "Web"]);
    let err = exits_with(&out, 2, "ambiguous");
    assert!(err.contains("Root/Prod/Web"), "{err}");
    assert!(err.contains("Root/Dev/Web"), "{err}");
    assert!(out.stdout.is_empty());

    let gid = group_id(&sim, "Root/Prod/Web");
    let out = run(&url, &["servers", "--group", "Root/Prod/Web"]);
    ok(&out);
    let lines = jsonl(&out);
    assert!(!lines.is_empty());
    for s in &lines {
        assert_eq!(s["group_id"].as_str(), Some(gid.as_str()), "{s}");
    }

    let active = run(&url, &["servers"]);
    ok(&active);
    let all = run(&url, &["servers", "--state", "all"]);
    ok(&all);
    let (active, all) = (jsonl(&active), jsonl(&all));
    assert!(!active.is_empty());
    assert!(
        all.len() > active.len(),
        "{} vs {}",
        all.len(),
        active.len()
    );
    for s in &active {
        assert_eq!(s["state"], "active", "{s}");
    }
}

fn day_ids(sim: &octo_sim::SimHandle) -> Vec<String> {
    ids(&sim.events(day_start(2026, 11, 19), day_start(2026, 11, 20)))
}

#[test]
fn events_busy_day_exact() {
    let sim = spawn(SimConfig {
        events_per_day: 15_000,
        now: Some(anchor()),
        ..Default::default()
    });
    let truth = day_ids(&sim);
    assert!(truth.len() > 10_000, "ground truth has {}", truth.len());
    let out = run(&sim.url(), &["events", "--date", "2026-11-19"]);
    ok(&out);
    let got = ids(&jsonl(&out));
    assert_eq!(got.len(), truth.len());
    assert!(got == truth, "event ids differ from ground truth");
    let unique: std::collections::HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "duplicate event ids");
}

#[test]
fn events_under_faults_match_ground_truth() {
    // ~20k events → ~250 requests, so the "faults fired" checks below cannot miss by chance.
    // The simulator faults one request at most 3 times in a row (Faults::max_in_a_row) and the
    // client tries 6 times, so retries can never run out here by chance.
    // (P(no 5xx at 5%) ≈ 0.95^250 ≈ 3e-6); at 5k events (~70 requests) it missed about 3% of runs.
    let cfg = || SimConfig {
        events_per_day: 20_000,
        now: Some(anchor()),
        token_ttl_secs: 3,
        ..Default::default()
    };
    let clean = spawn(cfg());
    let truth = day_ids(&clean);
    drop(clean);
    assert!(truth.len() > 15_000, "ground truth has {}", truth.len());

    let sim = spawn(cfg());
    sim.set_faults(Faults {
        rate_429: 0.15,
        retry_after_secs: 0,
        rate_5xx: 0.05,
        ..Default::default()
    });
    let out = run(&sim.url(), &["events", "--date", "2026-11-19"]);
    ok(&out);
    let got = ids(&jsonl(&out));
    assert_eq!(got.len(), truth.len());
    assert!(
        got == truth,
        "event ids under faults differ from ground truth"
    );
    // The faults really were exercised.
    let requests = &sim.state()["requests"];
    let by_status = &requests["by_status"];
    let n = |k: &str| by_status[k].as_u64().unwrap_or(0);
    assert!(n("429") > 0, "no 429 injected: {requests}");
    assert!(
        n("500") + n("502") + n("503") > 0,
        "no 5xx injected: {requests}"
    );
}

#[test]
fn events_into_closed_pipe() {
    let sim = spawn(SimConfig {
        now: Some(anchor()),
        ..Default::default()
    });
    let env = env(&sim.url());
    let bin = octo_testkit::bin("halo-query");
    let mut cmd = env.program("sh", Keys::Read);
    cmd.arg("-c").arg(format!(
        "'{}' events --date 2026-11-19 | head -1",
        bin.display()
    ));
    let out = cmd.output().expect("running sh");
    env.assert_no_secrets(&out);
    ok(&out);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    let first: Value = serde_json::from_str(text.trim_end()).expect("JSON line");
    let truth = day_ids(&sim);
    assert_eq!(first["id"].as_str(), Some(truth[0].as_str()));
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn wrong_secret_is_rejected_without_echo() {
    let sim = spawn(SimConfig::default());
    let wrong = "wrong-secret-value-9876";
    let out = run_with_secret(&sim.url(), wrong, &["groups"]);
    let err = exits_with(&out, 1, "rejected API key");
    assert!(err.contains("HALO_API_SECRET_KEY"), "{err}");
    assert!(!err.contains(wrong), "{err}");
    assert!(!stdout(&out).contains(wrong));
}

#[test]
fn malformed_flags_are_usage_errors() {
    let sim = spawn(SimConfig::default());
    let url = sim.url();
    let out = run(&url, &["events", "--date", "2024-13-01"]);
    exits_with(&out, 2, "invalid --date");
    assert!(out.stdout.is_empty());

    let out = run(&url, &["bogus-subcommand"]);
    assert_eq!(code(&out), 2, "stderr:\n{}", stderr(&out));
    assert!(out.stdout.is_empty());
}

#[test]
fn doctor_against_stopped_simulator_fails() {
    let sim = spawn(SimConfig::default());
    let url = sim.url();
    drop(sim);
    let out = run(&url, &["doctor"]);
    assert_ne!(code(&out), 0, "stdout:\n{}", stdout(&out));
    let lines = jsonl(&out);
    assert_eq!(lines.len(), 1, "{}", stdout(&out));
    let report = &lines[0];
    assert_eq!(report["ok"], Value::Bool(false), "{report}");
    let checks = report["checks"].as_array().expect("checks array");
    let failing: Vec<&Value> = checks.iter().filter(|c| c["ok"] == false).collect();
    assert!(!failing.is_empty(), "{report}");
    assert!(
        failing.iter().any(|c| c["detail"]
            .as_str()
            .is_some_and(|d| d.to_lowercase().contains("connect"))),
        "{report}"
    );
}

#[test]
fn doctor_against_live_simulator_passes() {
    let sim = spawn(SimConfig::default());
    let out = run(&sim.url(), &["doctor"]);
    ok(&out);
    let lines = jsonl(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["ok"], Value::Bool(true), "{}", lines[0]);
    assert_eq!(lines[0]["record"], "halo-query.doctor/v1");
    assert!(!stdout(&out).contains("sim-read-secret-0000"));
}

#[test]
fn server_firewall_policy_and_zones() {
    let sim = spawn(SimConfig::default());
    let url = sim.url();
    let state = sim.state();
    let srv = state["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["state"] == "active")
        .expect("an active server")
        .clone();
    let sid = srv["id"].as_str().unwrap();

    let out = run(&url, &["server", sid]);
    ok(&out);
    let lines = jsonl(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["record"], "halo-query.server/v1");
    assert_eq!(lines[0]["server"]["id"].as_str(), Some(sid));

    let out = run(&url, &["firewall-policy", "--group", "Root/Prod/Web"]);
    ok(&out);
    let lines = jsonl(&out);
    assert_eq!(lines.len(), 1);
    assert!(lines[0]["firewall_rules"].is_array(), "{}", lines[0]);

    let out = run(&url, &["zones"]);
    ok(&out);
    let zones = jsonl(&out);
    assert_eq!(
        zones
            .iter()
            .filter(|z| z["name"] == "halo-ipblocker")
            .count(),
        1
    );
}
