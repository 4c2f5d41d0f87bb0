//! The example config files in examples/config/ work: the OCTOBOX octo_conf.yml unchanged and its
//! octobox equivalent plan the same moves.

use octo_testkit::harness::*;
use serde_json::{Value, json};

fn example(name: &str) -> String {
    format!(
        "{}/../../examples/config/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn both_example_configs_plan_the_same_quarantine() {
    let env = TestEnv::response();
    let db = env.servers_in("Root/Prod/DB");
    assert!(!db.is_empty());
    let ev = |id: &str, server: &str, ty: &str| {
        json!({"id": id, "type": ty, "critical": true, "created_at": "2026-11-20T10:00:00.000Z",
               "server_id": server, "server_group_name": "DB",
               "message": "sshd: Failed password for root from 203.0.113.77 port 52144 ssh2"})
    };
    let input = lines(&[
        ev("e1", &db[0], "lids_rule_failed"),
        ev("e2", &db[0], "daemon_compromised"),
        ev("e3", &db[0], "file_integrity_changed"),
    ]);
    let mut plans: Vec<Vec<Value>> = Vec::new();
    for cfg in ["octo_conf.yml", "octo.yml"] {
        let out = env.run(
            "quarantine",
            Keys::Read,
            &["--config", &example(cfg)],
            &input,
        );
        ok(&out);
        let recs = jsonl(&out);
        assert_eq!(recs[0]["status"], "planned", "{cfg}: {recs:?}");
        assert_eq!(recs[0]["server_id"], db[0].as_str());
        assert_eq!(recs[0]["to_group_name"], "Quarantine");
        plans.push(recs);
    }
    assert_eq!(plans[0], plans[1]);
    assert!(env.mutations().is_empty(), "a plan wrote something");
}
