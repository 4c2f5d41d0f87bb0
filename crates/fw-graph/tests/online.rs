//! fw-graph --group: fetches the group's policy from the Halo API (octo-sim).

use assert_cmd::Command;
use octo_sim::{READ_KEY, Sim, SimConfig};

fn cmd(url: &str) -> Command {
    let mut c = Command::cargo_bin("fw-graph").unwrap();
    c.env("HALO_API_URL", url)
        .env("HALO_API_KEY", READ_KEY.0)
        .env("HALO_API_SECRET_KEY", READ_KEY.1)
        .env_remove("HALO_API_HOSTNAME")
        .env_remove("OCTO_CONFIG")
        .env("XDG_CONFIG_HOME", "/nonexistent-octobox-test");
    c
}

#[test]
fn group_policy_renders_the_same_as_the_piped_policy() {
    let sim = Sim::spawn(SimConfig::default()).unwrap();
    let online = cmd(&sim.url())
        .args(["--group", "Root/Prod/Web", "--format", "dot"])
        .output()
        .unwrap();
    assert!(
        online.status.success(),
        "{}",
        String::from_utf8_lossy(&online.stderr)
    );
    // The same policy fetched through octo-core's client, then rendered offline from stdin.
    let cfg = octo_core::config::HaloArgs {
        api_url: Some(sim.url()),
        config: Some(std::path::PathBuf::from("/dev/null")),
        ..Default::default()
    };
    let mut cfg = cfg.resolve().unwrap();
    cfg.read_key = Some(octo_core::config::ApiKey {
        id: READ_KEY.0.into(),
        secret: READ_KEY.1.to_string().into(),
        id_var: "HALO_API_KEY",
        secret_var: "HALO_API_SECRET_KEY",
    });
    let halo =
        octo_core::halo::HaloClient::new(&cfg, octo_core::halo::Access::Read, "test").unwrap();
    let (_, policy) = octo_core::block_on(halo.group_firewall_policy(
        "Root/Prod/Web",
        octo_core::halo::api::FirewallPlatform::Linux,
    ))
    .unwrap();
    let policy = serde_json::to_vec(&policy).unwrap();
    let offline = cmd(&sim.url())
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
    let out = cmd(&sim.url())
        .args(["--group", "Root/Prod/Web", "--format", "jsonl", "--all"])
        .output()
        .unwrap();
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
    let wanted = serde_json::from_slice::<serde_json::Value>(&policy).unwrap();
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
    let sim = Sim::spawn(SimConfig::default()).unwrap();
    let out = cmd(&sim.url())
        .args(["--group", "Web", "--format", "dot"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ambiguous") && err.contains("Root/Prod/Web") && err.contains("Root/Dev/Web"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    let out = cmd(&sim.url())
        .args(["--group", "NoSuchGroup", "--format", "dot"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`NoSuchGroup`"));

    let out = cmd(&sim.url())
        .args(["--group", "Root", "--format", "dot"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no Linux firewall policy"));
}
