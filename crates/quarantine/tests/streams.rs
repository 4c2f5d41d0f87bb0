//! quarantine's sources and output against octo-sim: `--from-halo`, `--follow` (acting on
//! events as they arrive), decisions streamed while stdin stays open, the cursor file, and the
//! output flags.

mod common;

use common::*;
use octo_testkit::harness::*;
use serde_json::{Value, json};

#[test]
fn from_halo_reads_matching_events_from_the_api() {
    let env = TestEnv::response();
    let conf = env.file("octo.yml", CONF);
    let q = env.servers_in("Root/q-test");
    let since = env.sim().now() + chrono::Duration::milliseconds(1);
    env.sim_clock_past(since);
    let e1 = env.sim().add_event(
        json!({"type": "lids_rule_failed", "critical": true, "server_id": q[1], "message": "x"}),
    );
    env.sim().add_event(
        json!({"type": "lids_rule_failed", "critical": false, "server_id": q[2], "message": "x"}),
    );
    let since = octo_core_time(since);
    let recs = records(
        &env,
        Keys::Read,
        &conf,
        &["--from-halo", "--since", &since],
        "",
    );
    assert_eq!(
        statuses(&recs),
        vec![t(e1["id"].as_str().unwrap(), &q[1], "planned")]
    );
}

#[test]
fn follow_acts_on_new_events_as_they_arrive() {
    let env = TestEnv::response();
    let conf = env.file("octo.yml", CONF);
    let q = env.servers_in("Root/q-test");
    // the simulator's clock, not ours
    let start = env.sim().now();
    let since = octo_core_time(start);
    let mut child = env.spawn(
        "quarantine",
        Keys::ReadWrite,
        &[
            "--config",
            conf.to_str().unwrap(),
            "--from-halo",
            "--since",
            &since,
            "--follow",
            "--poll-interval",
            "0.2",
            "--apply",
        ],
        std::process::Stdio::null(),
    );
    // after the start, on the simulator's clock
    env.sim_clock_past(start);
    let e = env.sim().add_event(
        json!({"type": "daemon_compromised", "critical": true, "server_id": q[2], "message": "x"}),
    );
    // a run that never prints fails on the closed pipe; `child` is killed when dropped
    let mut lines = child.stdout_lines();
    let first: Value =
        serde_json::from_str(&read_line(&mut lines).expect("a first record")).unwrap();
    let second: Value =
        serde_json::from_str(&read_line(&mut lines).expect("a second record")).unwrap();
    drop(child);
    assert_eq!(
        (first["event_id"].as_str(), first["status"].as_str()),
        (e["id"].as_str(), Some("planned"))
    );
    assert_eq!(second["status"], "applied");
    assert_eq!(env.group_of(&q[2]), "Root/Quarantine");
}

/// `halo-query events --follow | quarantine --apply | slack-notify`: stdin is a stream that never
/// ends, so each decision must reach stdout when it is taken, not when a buffer fills or at EOF.
#[test]
fn each_decision_reaches_stdout_while_stdin_stays_open() {
    use std::io::Write;
    let env = TestEnv::response();
    let conf = env.file("octo.yml", CONF);
    let q = env.servers_in("Root/q-test");
    let mut child = env.spawn(
        "quarantine",
        Keys::ReadWrite,
        &["--config", conf.to_str().unwrap(), "--apply"],
        std::process::Stdio::piped(),
    );
    let mut stdin = child.child().stdin.take().unwrap();
    let line = ev("s1", "lids_rule_failed", true, &q[0], "q-test").to_string();
    writeln!(stdin, "{line}").unwrap();
    stdin.flush().unwrap();
    let mut lines = child.stdout_lines();
    let first: Value = serde_json::from_str(&read_line(&mut lines).expect("planned")).unwrap();
    let second: Value = serde_json::from_str(&read_line(&mut lines).expect("applied")).unwrap();
    // stdin is still open: the records came before EOF
    assert!(child.try_wait().is_none());
    drop(stdin);
    assert_eq!(
        (first["status"].as_str(), second["status"].as_str()),
        (Some("planned"), Some("applied"))
    );
    assert_eq!(second["server_id"], q[0].as_str());
    assert!(read_line(&mut lines).is_none());
    let status = child.wait_timeout(std::time::Duration::from_secs(60));
    assert_eq!(status.and_then(|s| s.code()), Some(0));
    assert_eq!(env.group_of(&q[0]), "Root/Quarantine");
}

#[test]
fn cursor_file_resumes_after_the_events_already_handled() {
    let env = TestEnv::response();
    let conf = env.file("octo.yml", CONF);
    let q = env.servers_in("Root/q-test");
    let cursor = env.path().join("cursor.json");
    let since_t = env.sim().now() + chrono::Duration::milliseconds(1);
    let since = octo_core_time(since_t);
    env.sim_clock_past(since_t);
    let a = env.sim().add_event(
        json!({"type": "lids_rule_failed", "critical": true, "server_id": q[0], "message": "x"}),
    );
    let args = [
        "--config",
        conf.to_str().unwrap(),
        "--from-halo",
        "--since",
        &since,
        "--cursor-file",
        cursor.to_str().unwrap(),
    ];
    let out = env.run("quarantine", Keys::Read, &args, "");
    ok(&out);
    assert_eq!(
        statuses(&jsonl(&out)),
        vec![t(a["id"].as_str().unwrap(), &q[0], "planned")]
    );
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&cursor).unwrap()).unwrap();
    assert_eq!(saved["seen_at_since"], json!([a["id"]]));
    // the next event strictly later than `a`, on the simulator's clock
    env.sim_clock_past(env.sim().now());
    let b = env.sim().add_event(
        json!({"type": "lids_rule_failed", "critical": true, "server_id": q[1], "message": "x"}),
    );
    // the same command again (a restart): only the new event
    let out = env.run("quarantine", Keys::Read, &args, "");
    ok(&out);
    assert_eq!(
        statuses(&jsonl(&out)),
        vec![t(b["id"].as_str().unwrap(), &q[1], "planned")]
    );
    std::fs::write(&cursor, "{\"since\": 5}").unwrap();
    let out = env.run("quarantine", Keys::Read, &args, "");
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains(&format!("{}: not a cursor file", cursor.display())),
        "{}",
        stderr(&out)
    );
}

fn octo_core_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[test]
fn output_flags_format_columns_and_no_header() {
    let env = TestEnv::response();
    let conf = env.file("octo.yml", CONF);
    let (q, input) = scenario(&env);
    let run = |extra: &[&str]| {
        let out = env.run_with_config("quarantine", Keys::Read, &conf, extra, &input);
        ok(&out);
        stdout(&out)
    };
    assert_eq!(
        run(&["-o", "csv", "-c", "event_id,status,server_id"]),
        format!(
            "event_id,status,server_id\ne1,planned,{q0}\ne5,planned,{q1}\ne6,skipped,{q0}\ne7,planned,{q2}\n",
            q0 = q[0],
            q1 = q[1],
            q2 = q[2]
        )
    );
    assert_eq!(
        run(&["-o", "csv", "-c", "event_id,status", "--no-header"]),
        "e1,planned\ne5,planned\ne6,skipped\ne7,planned\n"
    );
    let json: Value = serde_json::from_str(&run(&["-o", "json", "-c", "event_id"])).unwrap();
    assert_eq!(
        json,
        json!([{"event_id": "e1"}, {"event_id": "e5"}, {"event_id": "e6"}, {"event_id": "e7"}])
    );
    // a table: the action columns by default, one row per decision
    let table = run(&["-o", "table"]);
    let mut lines = table.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("action      status   server_id"),
        "{table}"
    );
    assert_eq!(table.lines().count(), 5, "{table}");
    assert!(
        table
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("quarantine  planned  "),
        "{table}"
    );
    assert_eq!(
        run(&["-o", "table", "-c", "event_id,status", "--no-header"]),
        "e1  planned\ne5  planned\ne6  skipped\ne7  planned\n"
    );
    assert!(env.mutations().is_empty());
}
