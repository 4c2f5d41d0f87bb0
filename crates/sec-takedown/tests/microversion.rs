//! Nova microversion negotiation: sec-takedown reads the compute endpoint's version document and
//! locks with a reason only where the cloud serves 2.73.

mod common;

use common::*;
use serde_json::{Value, json};

fn spawn_with_max(max: (u32, u32)) -> octo_sim::SimHandle {
    octo_testkit::harness::spawn_sim(octo_sim::SimConfig {
        nova_max_microversion: max,
        ..sim_config()
    })
}

/// The lock requests the simulator accepted, as logged in `/_sim/state` → `mutations`.
fn lock_requests(sim: &octo_sim::Sim, id: &str) -> Vec<Value> {
    sim.state()["mutations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["path"] == json!(format!("/compute/v2.1/servers/{id}/action"))
                && m["body"].get("lock").is_some()
        })
        .map(|m| m["body"].clone())
        .collect()
}

#[test]
fn an_older_nova_gets_a_lock_without_reason_and_the_reason_in_metadata() {
    let sim = spawn_with_max((2, 60));
    let id = web01(&sim);
    let env = Env::new(&sim.url());
    let out = env.run(&["lock", &id, "--apply"]);
    ok(&out);
    let err = stderr(&out);
    assert!(
        err.contains("up to 2.60 (a lock reason needs 2.73)")
            && err.contains("security_lock_reason"),
        "{err}"
    );
    let recs = jsonl(&out);
    let lock_planned = recs
        .iter()
        .find(|r| r["step"] == "lock" && r["status"] == "planned")
        .unwrap();
    assert!(
        lock_planned.to_string().contains("(microversion 2.60)"),
        "{lock_planned}"
    );
    assert_eq!(lock_requests(&sim, &id), vec![json!({"lock": null})]);
    let srv = server(&sim, &id).unwrap();
    assert_eq!(srv["locked"], true);
    assert_eq!(srv["locked_reason"], Value::Null);
    assert_eq!(srv["metadata"]["security_lock_reason"], "security");
    assert_eq!(srv["metadata"]["security_takedown_step"], "noted");

    // a re-run sees the lock and its recorded reason: nothing to lock again
    let again = env.run(&["lock", &id, "--apply"]);
    ok(&again);
    let recs = jsonl(&again);
    assert!(
        recs.iter()
            .any(|r| r["step"] == "lock" && r["status"] == "unchanged"),
        "{recs:?}"
    );
    assert_eq!(lock_requests(&sim, &id).len(), 1);
}

#[test]
fn a_current_nova_gets_the_reason_in_the_lock_and_no_metadata_copy() {
    let sim = spawn_with_max((2, 96));
    let id = web01(&sim);
    let env = Env::new(&sim.url());
    let out = env.run(&["lock", &id, "--apply"]);
    ok(&out);
    assert!(!stderr(&out).contains("security_lock_reason"));
    assert_eq!(
        lock_requests(&sim, &id),
        vec![json!({"lock": {"locked_reason": "security"}})]
    );
    let srv = server(&sim, &id).unwrap();
    assert_eq!(srv["locked_reason"], "security");
    assert_eq!(srv["metadata"].get("security_lock_reason"), None);
}
