//! sec-takedown's mutating commands against octo-sim: lock and unlock end to end, the plan
//! printed by default, `--apply` refused without `--yes` in a pipe, and the typed confirmation.

mod common;

use common::*;
use serde_json::{Value, json};

#[test]
fn lock_end_to_end_then_rerun_is_unchanged_then_unlock() {
    let (sim, id, env) = web01_env();
    let out = env.run(&["lock", &id, "--cc", "csirt@example.org", "--apply"]);
    ok(&out);
    let recs = jsonl(&out);
    assert!(recs.iter().all(|r| r["record"] == "sec-takedown.step/v1"));
    assert_eq!(
        steps(&recs),
        [
            ("pause", "planned"),
            ("pause", "applied"),
            ("lock", "planned"),
            ("lock", "applied"),
            ("ticket", "planned"),
            ("ticket", "applied"),
            ("note", "planned"),
            ("note", "applied"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert!(recs[1]["request_id"].as_str().unwrap().starts_with("req-"));

    let srv = server(&sim, &id).unwrap();
    assert_eq!(srv["status"], "PAUSED");
    assert_eq!(srv["OS-EXT-STS:task_state"], Value::Null);
    assert_eq!(srv["locked"], true);
    assert_eq!(srv["locked_reason"], "security");
    assert_eq!(srv["locked_by"], "admin");
    let md = &srv["metadata"];
    let ts = tickets(&sim);
    assert_eq!(ts.len(), 1);
    let t = &ts[0];
    let tid = t["id"].as_u64().unwrap();
    assert_eq!(
        md["security_ticket"],
        json!(format!(
            "https://support.example.org/helpdesk/tickets/{tid}"
        ))
    );
    assert_eq!(md["security_takedown_step"], "noted");
    assert!(md["security_takedown_at"].as_str().unwrap().ends_with('Z'));
    let admin_id = sim.state()["openstack"]["users"][0]["id"].clone();
    assert_eq!(md["security_takedown_by"], admin_id);
    // the ticket
    assert_eq!(t["status"], 2);
    assert_eq!(t["priority"], 4);
    assert_eq!(t["source"], 10);
    assert_eq!(t["group_id"], 6000208874_u64);
    assert_eq!(t["email_config_id"], 6000071619_u64);
    assert_eq!(t["to_emails"], json!(["alice.nguyen@uni.example.edu"]));
    assert_eq!(
        t["cc_emails"],
        json!([
            "bob.smith@uni.example.edu",
            "carol.jones@uni.example.edu",
            "csirt@example.org"
        ])
    );
    assert_eq!(t["tags"][0], "security");
    assert!(t["tags"][1].as_str().unwrap().starts_with("st-"));
    assert_eq!(
        t["subject"],
        json!(format!("Security incident for instance web01 ({id})"))
    );
    let desc = t["description"].as_str().unwrap();
    assert!(
        desc.contains(&format!("<b>web01 ({id})</b>")) && desc.contains("<b>genomics-lab</b>"),
        "{desc}"
    );
    let contact = &sim.state()["freshdesk"]["contacts"][0];
    assert_eq!(contact["name"], "Alice Nguyen");
    let convs = t["conversations"].as_array().unwrap();
    assert_eq!(convs.len(), 1);
    assert_eq!(convs[0]["kind"], "note");
    assert_eq!(convs[0]["private"], true);
    let note = convs[0]["body"].as_str().unwrap();
    assert!(
        note.contains("ingress, IPv4, 22/tcp, remote_ip_prefix: 0.0.0.0/0"),
        "{note}"
    );
    assert!(
        note.contains("genomics-net network") && note.contains("203.0.113.7"),
        "{note}"
    );
    assert!(note.contains("paused + locked (reason=security)"), "{note}");

    // re-run: nothing repeated
    let out = env.run(&["lock", &id, "--apply"]);
    ok(&out);
    let recs = jsonl(&out);
    assert!(recs.iter().all(|r| r["status"] == "unchanged"), "{recs:?}");
    assert_eq!(tickets(&sim).len(), 1);
    assert_eq!(
        tickets(&sim)[0]["conversations"].as_array().unwrap().len(),
        1
    );

    // unlock: unpause, unlock, reply, resolve
    let out = env.run(&["unlock", &id, "--apply"]);
    ok(&out);
    let got: Vec<(String, String)> = steps(&jsonl(&out))
        .into_iter()
        .filter(|(_, s)| s != "planned")
        .collect();
    assert_eq!(
        got,
        [
            ("unpause", "applied"),
            ("unlock", "applied"),
            ("reply", "applied"),
            ("resolve", "applied")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let srv = server(&sim, &id).unwrap();
    assert_eq!(srv["status"], "ACTIVE");
    assert_eq!(srv["locked"], false);
    assert_eq!(srv["locked_reason"], Value::Null);
    assert_eq!(srv["metadata"]["security_takedown_step"], "unlocked");
    let t = &tickets(&sim)[0];
    assert_eq!(t["status"], 4);
    let convs = t["conversations"].as_array().unwrap();
    assert_eq!(convs.len(), 2);
    assert_eq!(convs[1]["kind"], "reply");
    assert!(
        convs[1]["body"]
            .as_str()
            .unwrap()
            .contains("<b>unpaused and unlocked</b>")
    );
    assert_eq!(
        convs[1]["replied_to"],
        json!([
            "alice.nguyen@uni.example.edu",
            "bob.smith@uni.example.edu",
            "carol.jones@uni.example.edu",
            "csirt@example.org"
        ])
    );
    let out = env.run(&["unlock", &id, "--apply"]);
    ok(&out);
    assert!(jsonl(&out).iter().all(|r| r["status"] == "unchanged"));

    // lock again: the same ticket is re-opened (status 6), no second ticket
    let out = env.run(&["lock", &id, "--apply"]);
    ok(&out);
    let ts = tickets(&sim);
    assert_eq!(ts.len(), 1);
    assert_eq!(ts[0]["status"], 6);
    let convs = ts[0]["conversations"].as_array().unwrap();
    assert_eq!(
        convs
            .iter()
            .map(|c| c["kind"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["note", "reply", "reply", "note"]
    );
    assert!(
        convs[2]["body"]
            .as_str()
            .unwrap()
            .contains("<b>paused and locked</b>")
    );
}

/// The records of a plan: every one `planned` or `unchanged` with `dry_run` true, at least one
/// `planned`; returns the step names.
fn plan_steps(out: &std::process::Output) -> Vec<String> {
    ok(out);
    let recs = jsonl(out);
    assert!(
        recs.iter()
            .all(|r| r["dry_run"] == true
                && (r["status"] == "planned" || r["status"] == "unchanged")),
        "{recs:?}"
    );
    assert!(recs.iter().any(|r| r["status"] == "planned"), "{recs:?}");
    steps(&recs).into_iter().map(|(s, _)| s).collect()
}

#[test]
fn every_mutating_command_plans_by_default_and_dry_run_still_plans() {
    let (sim, id, env) = web01_env();
    // nothing there yet: lock and takedown plan everything, with and without the old --dry-run
    for extra in [&[][..], &["--dry-run"][..]] {
        for base in [
            vec!["lock", id.as_str()],
            vec!["takedown", id.as_str(), "--snapshot"],
        ] {
            let args: Vec<&str> = base.iter().chain(extra).copied().collect();
            let out = env.run(&args);
            let names = plan_steps(&out);
            if args[0] == "takedown" {
                assert_eq!(
                    names,
                    [
                        "pause", "lock", "ticket", "note", "evidence", "snapshot", "delete",
                        "reply", "resolve"
                    ]
                );
            } else {
                assert_eq!(names, ["pause", "lock", "ticket", "note"]);
            }
            let recs = jsonl(&out);
            let ticket = recs.iter().find(|r| r["step"] == "ticket").unwrap();
            assert!(
                ticket["detail"]
                    .as_str()
                    .unwrap()
                    .contains("cc [bob.smith@uni.example.edu, carol.jones@uni.example.edu]"),
                "{ticket}"
            );
            // each planned step names the API calls it would make
            let pause = &recs[0];
            assert_eq!(
                pause["calls"],
                json!([format!(
                    "Nova POST /servers/{id}/action {{\"pause\": null}}"
                )])
            );
        }
        // no ticket yet: unlock has nothing to act on
        let args: Vec<&str> = ["unlock", id.as_str()]
            .iter()
            .chain(extra)
            .copied()
            .collect();
        let out = env.run(&args);
        assert_eq!(code(&out), 1, "no ticket to unlock: {}", stderr(&out));
    }
    assert_eq!(
        sim.state()["mutations"],
        json!([]),
        "a plan wrote something"
    );
    assert!(tickets(&sim).is_empty());
    let srv = server(&sim, &id).unwrap();
    assert_eq!(srv["status"], "ACTIVE");
    assert_eq!(srv["metadata"], json!({}));

    // locked for real: now unlock, delete and takedown have work to plan, and still only plan
    ok(&env.run(&["lock", &id, "--apply"]));
    let before = sim.state();
    let n = before["mutations"].as_array().unwrap().len();
    assert!(n >= 5, "lock --apply acts: {:?}", before["mutations"]);
    for args in [
        vec!["unlock", id.as_str()],
        vec!["unlock", id.as_str(), "--dry-run"],
        vec!["delete", id.as_str(), "--snapshot"],
        vec!["delete", id.as_str(), "--dry-run"],
        vec!["delete", id.as_str(), "--yes"],
        vec!["takedown", id.as_str(), "--yes"],
    ] {
        let names = plan_steps(&env.run(&args));
        match args[0] {
            "unlock" => assert_eq!(names, ["unpause", "unlock", "reply", "resolve"], "{args:?}"),
            "delete" => assert!(
                names.ends_with(&["delete".into(), "reply".into(), "resolve".into()]),
                "{args:?} {names:?}"
            ),
            _ => assert_eq!(
                names,
                [
                    "pause", "lock", "ticket", "note", "evidence", "delete", "reply", "resolve"
                ]
            ),
        }
    }
    let after = sim.state();
    assert_eq!(
        after["mutations"], before["mutations"],
        "a plan wrote something"
    );
    assert_eq!(after["freshdesk"], before["freshdesk"]);
    let srv = server(&sim, &id).unwrap();
    assert_eq!(srv["status"], "PAUSED");
    assert_eq!(srv["locked"], true);
}

#[test]
fn apply_without_yes_in_a_pipe_is_refused_before_any_change() {
    let (sim, id, env) = web01_env();
    ok(&env.run(&["lock", &id, "--apply"]));
    let before = sim.state();
    for args in [
        vec!["delete", id.as_str(), "--apply"],
        vec!["delete", id.as_str(), "--apply", "--snapshot"],
        vec!["takedown", id.as_str(), "--apply"],
    ] {
        let out = env.run(&args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert_eq!(
            stderr(&out),
            "sec-takedown: this deletes the instance: add --yes to confirm (no terminal to type a \
             confirmation on); nothing was changed. Without --apply the plan is shown\n"
        );
        assert_eq!(stdout(&out), "", "{args:?}");
    }
    let after = sim.state();
    assert_eq!(after["mutations"], before["mutations"]);
    assert_eq!(after["freshdesk"], before["freshdesk"]);
    assert!(server(&sim, &id).is_some());
    // a takedown that keeps the instance deletes nothing: --apply alone acts
    let out = env.run(&["takedown", &id, "--apply", "--no-delete"]);
    ok(&out);
    assert!(
        jsonl(&out)
            .iter()
            .any(|r| r["step"] == "evidence" && r["status"] == "applied")
    );
    assert!(server(&sim, &id).is_some());
}

#[test]
fn on_a_terminal_the_server_id_typed_confirms_the_delete() {
    let (sim, id, env) = web01_env();
    ok(&env.run(&["lock", &id, "--apply"]));
    let before = sim.state();
    // a wrong answer: exit 2, nothing changed
    let (status, text) = env.run_on_terminal(&["delete", &id, "--apply"], "web01\n");
    assert_eq!(status, 2, "{text}");
    assert!(
        text.contains(&format!("will DELETE the instance web01 ({id})"))
            && text.contains(&format!("Type {id} to confirm: "))
            && text.contains("confirmation did not match"),
        "{text}"
    );
    assert_eq!(sim.state()["mutations"], before["mutations"]);
    // the id: deleted
    let (status, text) = env.run_on_terminal(&["delete", &id, "--apply"], &format!("{id}\n"));
    assert_eq!(status, 0, "{text}");
    assert!(server(&sim, &id).is_none(), "{text}");
}
