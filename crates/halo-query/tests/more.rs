//! Remaining subcommands and formats: scans, issues, api, csv/json/table, server by hostname,
//! and `events --follow`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};

fn lines(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

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
    let got: Vec<Value> = lines(&out).iter().map(|s| s["id"].clone()).collect();
    assert_eq!(got, want);
    let out = run(
        &sim.url(),
        &["scans", "--date", "2026-11-19", "--module", "fim"],
    );
    let fim = lines(&out);
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
    let issues = lines(&out);
    assert!(!issues.is_empty());
    assert!(issues.iter().all(|i| i["status"] == "active"));

    // api GET without --paginate prints the page as the API sent it.
    let out = run(&sim.url(), &["api", "GET", "/v1/groups?per_page=2"]);
    let page = lines(&out);
    assert_eq!(page.len(), 1);
    assert_eq!(page[0]["groups"].as_array().unwrap().len(), 2);
    let groups = sim.state()["groups"].as_array().unwrap().len() as u64;
    assert_eq!(page[0]["count"], json!(groups));
    // --paginate streams every item across pages.
    let out = run(
        &sim.url(),
        &["api", "GET", "/v1/groups?per_page=2", "--paginate"],
    );
    assert_eq!(lines(&out).len() as u64, groups);
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
    let jsonl = lines(&run(&sim.url(), &["zones"]));
    let out = run(&sim.url(), &["zones", "-o", "json"]);
    let arr: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(arr, Value::Array(jsonl.clone()));

    let out = run(&sim.url(), &["zones", "-o", "csv", "-c", "id,name"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let mut expected = String::from("id,name\n");
    for z in &jsonl {
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
    assert_eq!(rows.len(), jsonl.len() + 1);
    assert!(
        rows[0].starts_with("id") && rows[0].contains("name") && rows[0].contains("ip_address")
    );
    assert!(rows.iter().any(|r| r.contains("halo-ipblocker")));

    let out = run(&sim.url(), &["servers", "-c", "id,aws_ec2.ec2_instance_id"]);
    for rec in lines(&out) {
        let keys: Vec<&String> = rec.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "aws_ec2.ec2_instance_id"]);
    }
}

#[test]
fn server_by_hostname_and_ip() {
    let sim = spawn(fixed());
    let servers = lines(&run(&sim.url(), &["servers", "--state", "all"]));
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
    assert_eq!(lines(&out)[0]["server"]["id"], unique["id"]);

    let ip = unique["connecting_ip_address"].as_str().unwrap();
    let out = run(&sim.url(), &["servers", "--state", "all", "--ip", ip]);
    let found = lines(&out);
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

#[test]
fn follow_delivers_new_events_once_and_in_order() {
    let sim = spawn(octo_sim::SimConfig::default());
    let bin = assert_cmd::cargo::cargo_bin("halo-query");
    let cfg = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(bin);
    for k in REMOVED_ENV {
        cmd.env_remove(k);
    }
    let mut child = cmd
        .envs(envs(&sim.url(), octo_sim::READ_KEY.1))
        .env("XDG_CONFIG_HOME", cfg.path())
        .args(["events", "--follow", "--critical", "--poll-interval", "0.2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let mut added = Vec::new();
    for i in 0..3 {
        let ev = sim.add_event(json!({"type": "daemon_compromised", "critical": true,
            "message": format!("follow test {i}")}));
        added.push(ev["id"].clone());
        sim.add_event(json!({"type": "new_server", "critical": false, "message": "not critical"}));
        std::thread::sleep(Duration::from_millis(300));
    }
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while got.len() < added.len() && Instant::now() < deadline {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        let v: Value = serde_json::from_str(&line).unwrap();
        got.push(v["id"].clone());
    }
    // Give it a few more polls: nothing may be repeated.
    std::thread::sleep(Duration::from_millis(800));
    child.kill().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
    let _ = child.wait();
    assert_eq!(got, added, "only the new critical events, in order");
    assert_eq!(rest.trim(), "", "no event delivered twice");
}
