//! Shared test helpers: the fixture policy and a generated large policy.
#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::{Value, json};

pub fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/policy.json")
}

pub fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

pub fn fixture() -> Value {
    serde_json::from_slice(&std::fs::read(fixture_path()).expect("fixture"))
        .expect("fixture is JSON")
}

/// Compare with a golden file; `UPDATE_GOLDEN=1` rewrites it instead.
pub fn assert_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if octo_core::env::is_set(octo_core::env::UPDATE_GOLDEN) {
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    if expected != actual {
        panic!(
            "output differs from {} (UPDATE_GOLDEN=1 rewrites it)\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        );
    }
}

/// A deterministic policy of `n` rules: many zones (some with long address lists), groups, user
/// groups, any; many services; every action; some inactive and some duplicated rules.
pub fn big_policy(n: usize) -> Value {
    let mut seed: u64 = 0x5eed_f00d;
    let mut next = move |m: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % m
    };
    let mut peers: Vec<Value> = Vec::new();
    for i in 0..30 {
        let addrs: Vec<String> = (0..=(i % 9)).map(|j| format!("10.{i}.{j}.0/24")).collect();
        peers.push(json!({"type": "FirewallZone", "name": format!("zone-{i}"), "ip_address": addrs.join(",")}));
    }
    for i in 0..12 {
        peers.push(json!({"type": "Group", "name": format!("server-group-with-a-long-name-{i}")}));
    }
    for i in 0..5 {
        peers.push(json!({"type": "UserGroup", "name": format!("users-{i}")}));
    }
    peers.push(Value::Null);
    let mut services: Vec<Value> = [22, 25, 53, 80, 123, 161, 389, 443, 636, 1433, 3306, 3389, 5432, 6379, 8080, 8443, 9090, 27017]
        .iter()
        .enumerate()
        .map(|(i, p)| json!({"name": format!("svc-{p}"), "protocol": if i % 3 == 0 { "UDP" } else { "TCP" }, "port": p.to_string()}))
        .collect();
    services.push(json!({"name": "ping", "protocol": "ICMP", "port": null}));
    services.push(Value::Null);
    let actions = ["ACCEPT", "ACCEPT", "ACCEPT", "ACCEPT", "DROP", "REJECT"];
    let mut rules = Vec::with_capacity(n);
    let n_in = n * 2 / 3;
    for k in 0..n {
        let (chain, pos, key) = if k < n_in {
            ("INPUT", k + 1, "firewall_source")
        } else {
            ("OUTPUT", k - n_in + 1, "firewall_target")
        };
        let mut r = json!({
            "chain": chain,
            "action": actions[next(actions.len() as u64) as usize],
            "active": next(10) != 0,
            "position": pos,
            "firewall_service": services[next(services.len() as u64) as usize].clone(),
        });
        r[key] = peers[next(peers.len() as u64) as usize].clone();
        // every 17th rule repeats the previous one of its chain
        if k % 17 == 16 && k != n_in {
            let prev: &Value = &rules[k - 1];
            let mut dup = prev.clone();
            dup["position"] = json!(pos);
            r = dup;
        }
        rules.push(r);
    }
    json!({"firewall_policy": {"id": "big", "name": "Large policy", "platform": "linux", "firewall_rules": rules}})
}
