//! Remaining subcommands and formats: scans, issues, api, csv/json/table, server by hostname,
//! and `events --follow`.

mod common;

use std::io::Read;
use std::time::Duration;

use common::*;
use octo_testkit::harness::{read_line, wait_until};
use serde_json::{Value, json};

fn fixed() -> octo_sim::SimConfig {
    octo_sim::SimConfig {
        now: Some(anchor()),
        ..Default::default()
    }
}

#[test]
fn scans_of_a_day_match_the_simulator() {
    let sim = spawn(fixed());
    let (a, b) = (day_start(2026, 11, 19), day_start(2026, 11, 20));
    let want: Vec<Value> = sim.scans(a, b).iter().map(|s| s["id"].clone()).collect();
    assert!(!want.is_empty());
    let out = run(&sim.url(), &["scans", "--date", "2026-11-19"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<Value> = jsonl(&out).iter().map(|s| s["id"].clone()).collect();
    assert_eq!(got, want);
    let out = run(
        &sim.url(),
        &["scans", "--date", "2026-11-19", "--module", "fim"],
    );
    let fim = jsonl(&out);
    assert!(!fim.is_empty() && fim.iter().all(|s| s["module"] == "fim"));
}

#[test]
fn issues_and_api_passthrough() {
    let sim = spawn(fixed());
    let out = run(&sim.url(), &["issues", "--status", "active"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let issues = jsonl(&out);
    assert!(!issues.is_empty());
    assert!(issues.iter().all(|i| i["status"] == "active"));

    // api GET without --paginate prints the page as the API sent it.
    let out = run(&sim.url(), &["api", "GET", "/v1/groups?per_page=2"]);
    let page = jsonl(&out);
    assert_eq!(page.len(), 1);
    assert_eq!(page[0]["groups"].as_array().unwrap().len(), 2);
    let groups = sim.state()["groups"].as_array().unwrap().len() as u64;
    assert_eq!(page[0]["count"], json!(groups));
    // --paginate streams every item across pages.
    let out = run(
        &sim.url(),
        &["api", "GET", "/v1/groups?per_page=2", "--paginate"],
    );
    assert_eq!(jsonl(&out).len() as u64, groups);
    // A write needs the read-write key, which is not set here.
    let out = run(&sim.url(), &["api", "PUT", "/v1/servers/x", "--data", "{}"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HALO_API_KEY_RW"));
    let out = run(&sim.url(), &["api", "GET", "/v1/nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HTTP 404"));
}

#[test]
fn every_output_format() {
    let sim = spawn(fixed());
    let zones = jsonl(&run(&sim.url(), &["zones"]));
    let out = run(&sim.url(), &["zones", "-o", "json"]);
    let arr: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(arr, Value::Array(zones.clone()));

    let out = run(&sim.url(), &["zones", "-o", "csv", "-c", "id,name"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let mut expected = String::from("id,name\n");
    for z in &zones {
        expected.push_str(&format!(
            "{},{}\n",
            z["id"].as_str().unwrap(),
            z["name"].as_str().unwrap()
        ));
    }
    assert_eq!(text, expected);

    let out = run(&sim.url(), &["zones", "-o", "table"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), zones.len() + 1);
    assert!(
        rows[0].starts_with("id") && rows[0].contains("name") && rows[0].contains("ip_address")
    );
    assert!(rows.iter().any(|r| r.contains("halo-ipblocker")));

    let out = run(&sim.url(), &["servers", "-c", "id,aws_ec2.ec2_instance_id"]);
    for rec in jsonl(&out) {
        let keys: Vec<&String> = rec.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "aws_ec2.ec2_instance_id"]);
    }
}

#[test]
fn server_by_hostname_and_ip() {
    let sim = spawn(fixed());
    let servers = jsonl(&run(&sim.url(), &["servers", "--state", "all"]));
    let mut counts = std::collections::HashMap::new();
    for s in &servers {
        *counts
            .entry(s["hostname"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    let unique = servers
        .iter()
        .find(|s| counts[s["hostname"].as_str().unwrap()] == 1)
        .unwrap();
    let out = run(
        &sim.url(),
        &["server", unique["hostname"].as_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(jsonl(&out)[0]["server"]["id"], unique["id"]);

    let ip = unique["connecting_ip_address"].as_str().unwrap();
    let out = run(&sim.url(), &["servers", "--state", "all", "--ip", ip]);
    let found = jsonl(&out);
    assert!(found.iter().any(|s| s["id"] == unique["id"]), "{found:?}");

    let dup = counts
        .iter()
        .find(|(_, n)| **n > 1)
        .map(|(h, _)| h.clone())
        .unwrap();
    let out = run(&sim.url(), &["server", &dup]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ambiguous"));
}

/// The newest events may share one `created_at` (a burst): `--follow` starts behind all of them,
/// not only behind the one the API lists first, so none of them is delivered as new.
#[test]
fn follow_starts_behind_every_event_of_the_newest_instant() {
    let sim = spawn(octo_sim::SimConfig::default());
    let instant = sim
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    for i in 0..3 {
        sim.add_event(json!({"type": "daemon_compromised", "critical": true,
            "created_at": instant, "message": format!("burst {i}")}));
    }
    // its token, the newest instant (two requests) and a first poll
    let mut child = start_follow(&sim, 4);
    sim.advance_clock(Duration::from_millis(5));
    let new = sim.add_event(json!({"type": "daemon_compromised", "critical": true,
        "message": "after the start"}));
    let mut reader = child.stdout_lines();
    let line = read_line(&mut reader).expect("halo-query ended instead of delivering");
    child.stop("KILL");
    assert_eq!(
        serde_json::from_str::<Value>(&line).unwrap()["id"],
        new["id"],
        "the first event delivered is the one added after the start: {line}"
    );
}

#[test]
fn follow_delivers_new_events_once_and_in_order() {
    let sim = spawn(octo_sim::SimConfig::default());
    // its token, the newest event (its starting point) and a first poll
    let mut child = start_follow(&sim, 3);
    let mut reader = child.stdout_lines();
    let mut added = Vec::new();
    let mut got = Vec::new();
    for i in 0..3 {
        let ev = sim.add_event(json!({"type": "daemon_compromised", "critical": true,
            "message": format!("follow test {i}")}));
        added.push(ev["id"].clone());
        sim.add_event(json!({"type": "new_server", "critical": false, "message": "not critical"}));
        // each delivered before the next is added: three separate polls
        let line = read_line(&mut reader).expect("halo-query ended instead of delivering");
        got.push(serde_json::from_str::<Value>(&line).unwrap()["id"].clone());
    }
    // a few more polls: nothing may be repeated
    let seen = requests(&sim);
    assert!(wait_until(Duration::from_secs(60), || requests(&sim) >= seen + 3));
    child.stop("KILL");
    let mut rest = String::new();
    reader.read_to_string(&mut rest).unwrap();
    assert_eq!(got, added, "only the new critical events, in order");
    assert_eq!(rest.trim(), "", "no event delivered twice");
}
