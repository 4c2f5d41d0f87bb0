//! What quarantine's integration tests share: the config, events, the test scenario, and the
//! records and statuses of a run.
#![allow(dead_code)]

use std::path::Path;

use octo_testkit::harness::*;
use serde_json::{Value, json};

pub const CONF: &str = "quarantine:
  enabled: true
  trigger_group_names: [q-test]
  quarantine_group_name: Quarantine
  trigger_events: [lids_rule_failed, daemon_compromised]
  trigger_only_on_critical: true
";

pub fn ev(id: &str, etype: &str, critical: bool, server: &str, group: &str) -> Value {
    json!({"id": id, "type": etype, "name": "x", "message": "m", "created_at": "2026-11-20T11:00:00.000Z",
        "critical": critical, "server_id": server, "server_hostname": "h", "server_group_name": group})
}

/// Three q-test servers, plus events that must not match, plus a duplicate.
pub fn scenario(env: &TestEnv) -> (Vec<String>, String) {
    let q = env.servers_in("Root/q-test");
    assert_eq!(q.len(), 3);
    let web = env.servers_in("Root/Prod/Web")[0].clone();
    let events = vec![
        ev("e1", "lids_rule_failed", true, &q[0], "q-test"),
        ev("e2", "lids_rule_failed", false, &q[1], "q-test"), // not critical
        ev("e3", "lids_rule_failed", true, &web, "Web"),      // other group
        ev("e4", "sca_rule_failed", true, &q[1], "q-test"),   // other type
        ev("e5", "daemon_compromised", true, &q[1], "q-test"),
        ev("e6", "lids_rule_failed", true, &q[0], "q-test"), // duplicate of e1's server
        ev("e7", "LIDS_RULE_FAILED", true, &q[2], "q-test"), // type case-insensitive
    ];
    (q, lines(&events))
}

pub fn statuses(recs: &[Value]) -> Vec<(String, String, String)> {
    recs.iter()
        .map(|r| {
            (
                r["event_id"].as_str().unwrap_or("").to_string(),
                r["server_id"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `quarantine --config CONF ARGS < input` with `keys`, which must exit 0; its records.
pub fn records(env: &TestEnv, keys: Keys, conf: &Path, args: &[&str], input: &str) -> Vec<Value> {
    let out = env.run_with_config("quarantine", keys, conf, args, input);
    ok(&out);
    jsonl(&out)
}

pub fn t(e: &str, s: &str, st: &str) -> (String, String, String) {
    (e.into(), s.into(), st.into())
}
