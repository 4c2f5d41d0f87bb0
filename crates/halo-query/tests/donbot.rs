//! Don-Bot parity: `servers --cve` and `group NAME|ID`, checked exactly against the simulator's
//! own ground truth (its SVA results, groups, policies and issues).

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::{Value, json};

fn fixed() -> octo_sim::SimConfig {
    octo_sim::SimConfig {
        now: Some(anchor()),
        ..Default::default()
    }
}

/// (id, state, group_id) of every server the simulator has.
fn servers(sim: &octo_sim::SimHandle) -> Vec<(String, String, String)> {
    sim.state()["servers"]
        .as_array()
        .expect("servers")
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["state"].as_str().unwrap().to_string(),
                s["group_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn id_set(out: &std::process::Output) -> BTreeSet<String> {
    let lines = jsonl(out);
    let set: BTreeSet<String> = ids(&lines).into_iter().collect();
    assert_eq!(set.len(), lines.len(), "duplicate servers in output");
    set
}

#[test]
fn servers_with_a_cve_are_exactly_the_vulnerable_ones() {
    let sim = spawn(fixed());
    let url = sim.url();
    let cves = sim.server_cves();
    let all = servers(&sim);
    // the CVE found on the most servers, so every filter below has something to cut
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for list in cves.values() {
        for c in list {
            *counts.entry(c.as_str()).or_default() += 1;
        }
    }
    let (cve, _) = counts
        .iter()
        .max_by_key(|(c, n)| (**n, std::cmp::Reverse(**c)))
        .expect("the simulator has vulnerable servers");
    let cve = cve.to_string();
    let vulnerable = |id: &str| cves.get(id).is_some_and(|l| l.contains(&cve));
    let want = |states: &[&str], group: Option<&str>| -> BTreeSet<String> {
        all.iter()
            .filter(|(id, st, g)| {
                vulnerable(id) && states.contains(&st.as_str()) && group.is_none_or(|x| x == g)
            })
            .map(|(id, _, _)| id.clone())
            .collect()
    };

    // default state: active only; the id is accepted in lower case
    let active = want(&["active"], None);
    assert!(active.len() >= 2, "{cve}: {active:?}");
    let out = run(&url, &["servers", "--cve", &cve.to_lowercase()]);
    ok(&out);
    assert_eq!(id_set(&out), active);

    let every = want(&["active", "missing", "deactivated", "retired"], None);
    let out = run(&url, &["servers", "--cve", &cve, "--state", "all"]);
    ok(&out);
    assert_eq!(id_set(&out), every);

    // combined with --group (by id): only that group's vulnerable servers
    let (_, _, gid) = all
        .iter()
        .find(|(id, st, _)| vulnerable(id) && st == "active")
        .unwrap();
    let in_group = want(&["active"], Some(gid));
    assert!(!in_group.is_empty() && in_group.len() < active.len());
    let out = run(&url, &["servers", "--cve", &cve, "--group", gid]);
    ok(&out);
    assert_eq!(id_set(&out), in_group);

    // a CVE no server has: nothing, success
    let out = run(&url, &["servers", "--cve", "CVE-1999-0001"]);
    ok(&out);
    assert_eq!(stdout(&out), "");
}

#[test]
fn malformed_cve_is_a_usage_error_before_any_request() {
    let sim = spawn(fixed());
    let url = sim.url();
    let before = requests(&sim);
    for bad in [
        "CVE-14-6271",
        "2014-6271",
        "CVE-2014-62",
        "CVE-2014-62a71",
        "cve_2014_6271",
    ] {
        let out = run(&url, &["servers", "--cve", bad, "--group", "Root/Prod/Web"]);
        assert_eq!(code(&out), 2, "{bad}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
        let err = stderr(&out);
        assert!(err.contains(bad) && err.contains("CVE-YYYY-NNNN"), "{err}");
    }
    assert_eq!(requests(&sim), before, "a request was made");
}

fn issue_counts(sim: &octo_sim::SimHandle, gid: &str) -> (u64, u64) {
    let groups = sim.state()["groups"].as_array().unwrap().clone();
    // the group and every descendant
    let mut tree = vec![gid.to_string()];
    let mut i = 0;
    while i < tree.len() {
        for g in &groups {
            if g["parent_id"] == tree[i].as_str() {
                tree.push(g["id"].as_str().unwrap().to_string());
            }
        }
        i += 1;
    }
    let (mut crit, mut non) = (0, 0);
    for issue in sim.issues() {
        if issue["status"] == "active" && tree.iter().any(|g| issue["group_id"] == g.as_str()) {
            if issue["critical"] == true {
                crit += 1;
            } else {
                non += 1;
            }
        }
    }
    (crit, non)
}

fn policy(sim: &octo_sim::SimHandle, id: &Value) -> Value {
    match id.as_str() {
        Some(id) if !id.is_empty() => {
            json!({"id": id, "name": sim.policy_name(id).expect("policy exists")})
        }
        _ => Value::Null,
    }
}

fn policy_list(sim: &octo_sim::SimHandle, ids: &Value) -> Value {
    Value::Array(
        ids.as_array()
            .unwrap()
            .iter()
            .map(|id| policy(sim, id))
            .collect(),
    )
}

#[test]
fn group_description_is_exact() {
    let sim = spawn(fixed());
    let url = sim.url();
    let state = sim.state();
    let by_path = |p: &str| -> Value {
        state["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["group_path"] == p)
            .unwrap()
            .clone()
    };
    let prod = by_path("Root/Prod");
    let web = by_path("Root/Prod/Web");
    let pid = prod["id"].as_str().unwrap();
    let wid = web["id"].as_str().unwrap();

    // by path and by id: the same record
    let out = run(&url, &["group", "Root/Prod/Web"]);
    ok(&out);
    let recs = jsonl(&out);
    assert_eq!(recs.len(), 1);
    let rec = &recs[0];
    let out = run(&url, &["group", wid]);
    ok(&out);
    assert_eq!(&jsonl(&out)[0], rec);

    let g = sim.group(wid).unwrap();
    let (crit, non) = issue_counts(&sim, wid);
    assert!(crit > 0 && non > 0, "{crit} {non}");
    let want = json!({
        "record": "halo-query.group/v1",
        "group": g,
        "parent": {"id": pid, "name": "Prod", "group_path": "Root/Prod"},
        "policies": {
            "linux_firewall": policy(&sim, &g["linux_firewall_policy_id"]),
            "windows_firewall": policy(&sim, &g["windows_firewall_policy_id"]),
            "csm_linux": policy_list(&sim, &g["policy_ids"]),
            "csm_windows": policy_list(&sim, &g["windows_policy_ids"]),
            "fim_linux": policy_list(&sim, &g["fim_policy_ids"]),
            "fim_windows": policy_list(&sim, &g["windows_fim_policy_ids"]),
            "lids": policy_list(&sim, &g["lids_policy_ids"]),
            "special_events": policy(&sim, &g["special_events_policy"]),
        },
        "issues": {"critical": crit, "non_critical": non, "total": crit + non},
    });
    assert_eq!(rec, &want);
    octo_testkit::assert_record(rec, "halo-query.group.v1");
    // the facts the issue asks for, spelled out
    assert_eq!(rec["group"]["group_path"], "Root/Prod/Web");
    assert_eq!(rec["group"]["tag"], "prod-web");
    assert!(rec["group"]["server_counts"]["active"].as_u64().unwrap() > 0);
    assert!(rec["policies"]["windows_firewall"]["name"].is_string());

    // a parent group counts its children's issues too (descendants=true)
    let out = run(&url, &["group", "Root/Prod"]);
    ok(&out);
    let prod_rec = &jsonl(&out)[0];
    octo_testkit::assert_record(prod_rec, "halo-query.group.v1");
    let (pc, pn) = issue_counts(&sim, pid);
    assert!(pc > crit && pn > non);
    assert_eq!(
        prod_rec["issues"],
        json!({"critical": pc, "non_critical": pn, "total": pc + pn})
    );
    assert_eq!(prod_rec["policies"]["linux_firewall"], Value::Null);
    assert_eq!(
        prod_rec["parent"]["group_path"],
        json!("Root"),
        "{prod_rec}"
    );

    // the root has no parent
    let out = run(&url, &["group", "Root"]);
    ok(&out);
    let root_rec = &jsonl(&out)[0];
    octo_testkit::assert_record(root_rec, "halo-query.group.v1");
    assert_eq!(root_rec["parent"], Value::Null);
}

#[test]
fn group_errors_and_table() {
    let sim = spawn(fixed());
    let url = sim.url();
    // duplicate names are ambiguous (exit 2, candidates named)
    let out = run(&url, &["group", "Web"]);
    exits_with(&out, 2, "Root/Dev/Web");
    let out = run(&url, &["group", "Nope"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(out.stdout.is_empty());

    // the table: one fact per row, every line fits 80 columns
    let out = run(&url, &["group", "Root/Prod/Web", "-o", "table"]);
    ok(&out);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 16, "{text}");
    assert!(lines[0].starts_with("field") && lines[0].contains("value"));
    assert!(lines[3].starts_with("path") && lines[3].ends_with("Root/Prod/Web"));
    assert!(lines[5].starts_with("parent") && lines[5].ends_with("Root/Prod"));
    assert!(
        lines.iter().any(|l| l.starts_with("active issues")),
        "{text}"
    );
    for l in &lines {
        assert!(l.chars().count() <= 80, "too wide: {l:?}");
    }
}
