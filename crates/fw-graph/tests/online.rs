//! fw-graph --group: fetches the group's policy from the Halo API (octo-sim).

use std::process::Output;

use octo_sim::{SimConfig, SimHandle};
use octo_testkit::harness::{Keys, TestEnv, exits_with};
use serde_json::Value;

fn env() -> TestEnv {
    TestEnv::with_sim(SimConfig::default())
}

fn cmd(env: &TestEnv) -> assert_cmd::Command {
    env.command("fw-graph", Keys::Read)
}

/// `fw-graph ARGS` in `env` to the end.
fn run(env: &TestEnv, args: &[&str]) -> Output {
    cmd(env).args(args).output().unwrap()
}

/// The Linux firewall policy of group `path`, as octo-sim's world holds it: the group from the
/// simulator's state, the policy from its API over a plain socket (not octo-core's client, whose
/// bug would otherwise be shared by the expected value).
fn sim_policy(sim: &SimHandle, path: &str) -> Value {
    let state = sim.state();
    let group = state["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group_path"] == path)
        .unwrap_or_else(|| panic!("no group {path}"));
    let group = sim.group(group["id"].as_str().unwrap()).unwrap();
    let id = group["linux_firewall_policy_id"].as_str().unwrap();
    let (status, mut body) = octo_testkit::harness::http::halo(
        &sim.url(),
        octo_sim::READ_KEY,
        "GET",
        &format!("/v1/firewall_policies/{id}"),
        None,
    );
    assert_eq!(status, 200, "{body}");
    let policy = body["firewall_policy"].take();
    assert_eq!(policy["id"], id);
    assert_eq!(
        Some(policy["name"].as_str().unwrap().to_string()),
        sim.policy_name(id)
    );
    assert!(
        !policy["firewall_rules"].as_array().unwrap().is_empty(),
        "the seeded Web policy has rules"
    );
    policy
}

#[test]
fn group_policy_renders_the_same_as_the_piped_policy() {
    let env = env();
    let online = run(&env, &["--group", "Root/Prod/Web", "--format", "dot"]);
    assert!(
        online.status.success(),
        "{}",
        String::from_utf8_lossy(&online.stderr)
    );
    // The same policy, from the simulator's own data, rendered offline from stdin.
    let policy = serde_json::to_vec(&sim_policy(env.sim(), "Root/Prod/Web")).unwrap();
    let offline = cmd(&env)
        .args(["--policy", "-", "--group-name", "Web", "--format", "dot"])
        .write_stdin(policy.clone())
        .output()
        .unwrap();
    assert!(offline.status.success());
    assert_eq!(
        String::from_utf8(online.stdout).unwrap(),
        String::from_utf8(offline.stdout).unwrap()
    );

    // JSON Lines of the fetched policy: records of the contract, labelled with the group's name
    let out = run(
        &env,
        &["--group", "Root/Prod/Web", "--format", "jsonl", "--all"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    octo_testkit::assert_records(&recs, "fw-graph.edge.v1");
    let wanted = serde_json::from_slice::<Value>(&policy).unwrap();
    for r in &recs {
        let workload = if r["chain"] == "INPUT" {
            &r["to"]
        } else {
            &r["from"]
        };
        assert_eq!(workload, "Web", "{r}");
        assert_eq!(r["policy_id"], wanted["id"], "{r}");
    }
}

#[test]
fn ambiguous_unknown_and_policyless_groups_are_usage_errors() {
    let env = env();
    let out = run(&env, &["--group", "Web", "--format", "dot"]);
    let err = exits_with(&out, 2, "ambiguous");
    assert!(
        err.contains("Root/Prod/Web") && err.contains("Root/Dev/Web"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    let out = run(&env, &["--group", "NoSuchGroup", "--format", "dot"]);
    exits_with(&out, 2, "`NoSuchGroup`");

    let out = run(&env, &["--group", "Root", "--format", "dot"]);
    exits_with(&out, 2, "has no Linux firewall policy");
}
