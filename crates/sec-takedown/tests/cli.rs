//! info, lock, unlock, dry-run and the error paths, against octo-sim, asserting the simulated
//! cloud and helpdesk state.

mod common;

use common::*;
use serde_json::{Value, json};

#[test]
fn info_by_uuid_and_ip_and_app_credential() {
    let (sim, id, env) = web01_env();
    let out = env.run(&["info", &id]);
    ok(&out);
    let recs = jsonl(&out);
    assert_eq!(recs.len(), 1);
    let i = &recs[0];
    assert_eq!(i["record"], "sec-takedown.info/v1");
    octo_testkit::assert_record(i, "sec-takedown.info.v1");
    assert_eq!(i["server"]["id"], json!(id));
    assert_eq!(i["server"]["status"], "ACTIVE");
    assert_eq!(i["server"]["locked"], false);
    assert_eq!(i["project"]["name"], "genomics-lab");
    assert_eq!(i["owner"]["email"], "alice.nguyen@uni.example.edu");
    assert_eq!(i["image"]["nectar_build"], "38");
    assert_eq!(i["flavor"]["name"], "m3.small");
    let managers: Vec<&str> = i["managers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        managers,
        ["bob", "carol", "dave"],
        "group grant expanded via effective"
    );
    let rules: Vec<String> = i["security_groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_string())
        })
        .collect();
    assert!(
        rules.contains(&"ingress, IPv4, 22/tcp, remote_ip_prefix: 0.0.0.0/0".to_string()),
        "{rules:?}"
    );
    assert!(
        rules.iter().any(|r| r.starts_with("ingress, IPv4, icmp")),
        "{rules:?}"
    );
    assert!(
        i["addresses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["addr"] == "203.0.113.7")
    );
    assert_eq!(i["instance_actions"][0]["action"], "create");

    // by IP (anchored: 203.0.113.7 must not match 203.0.113.70 / .77)
    let out = env.run(&["info", "--ip", "203.0.113.7"]);
    ok(&out);
    assert_eq!(jsonl(&out)[0]["server"]["id"], json!(id));

    // a fixed address through Nova's regex filter, anchored: 10.0.0.1 matches neither .11 nor .12
    let out = env.run(&["info", "--ip", "10.0.0.11"]);
    ok(&out);
    assert_eq!(jsonl(&out)[0]["server"]["id"], json!(id));
    let out = env.run(&["info", "--ip", "10.0.0.1"]);
    exits_with(&out, 1, "no server has the address 10.0.0.1");
    let out = env.run(&["info", "--ip", "10.0.0.x"]);
    assert_eq!(code(&out), 2);

    // application credential, Keystone URL given with /v3; table output
    let env2 = Env::new(&sim.url())
        .unset("OS_USERNAME")
        .unset("OS_PASSWORD")
        .unset("OS_PROJECT_NAME")
        .set("OS_AUTH_URL", &format!("{}/identity/v3", sim.url()))
        .set("OS_APPLICATION_CREDENTIAL_ID", octo_sim::OS_APP_CRED.0)
        .set("OS_APPLICATION_CREDENTIAL_SECRET", octo_sim::OS_APP_CRED.1);
    let out = env2.run(&["info", &id, "-o", "table"]);
    ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("owner.email") && text.contains("alice.nguyen@uni.example.edu"),
        "{text}"
    );

    // a named application credential needs the user; a region the catalog lacks is a config error
    let admin_id = sim.state()["openstack"]["users"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let env_named = Env::new(&sim.url())
        .unset("OS_USERNAME")
        .unset("OS_PASSWORD")
        .unset("OS_PROJECT_NAME")
        .set("OS_APPLICATION_CREDENTIAL_NAME", "sec-takedown")
        .set("OS_USER_ID", &admin_id)
        .set("OS_APPLICATION_CREDENTIAL_SECRET", octo_sim::OS_APP_CRED.1)
        .set("OS_INTERFACE", "internal");
    ok(&env_named.run(&["info", &id]));
    let out = Env::new(&sim.url())
        .set("OS_REGION_NAME", "Mars")
        .run(&["info", &id]);
    exits_with(
        &out,
        2,
        "no `compute` endpoint for interface public in region Mars",
    );
    let out = Env::new(&sim.url())
        .set("OS_PASSWORD", "wrong-os-pass-31337")
        .run(&["info", &id]);
    assert_eq!(code(&out), 1);
    assert!(!format!("{}{}", stdout(&out), stderr(&out)).contains("wrong-os-pass-31337"));
    assert!(
        stderr(&out).contains("HTTP 401") && stderr(&out).contains("environment"),
        "{}",
        stderr(&out)
    );

    // OS_CLOUD + clouds.yaml
    let clouds = format!(
        "clouds:\n  sim:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: {}/identity/v3\n      application_credential_id: \"{}\"\n      application_credential_secret: \"{}\"\n    region_name: RegionOne\n",
        sim.url(),
        octo_sim::OS_APP_CRED.0,
        octo_sim::OS_APP_CRED.1
    );
    std::fs::write(env.path().join("clouds.yaml"), clouds).unwrap();
    let env3 = Env::new(&sim.url())
        .unset("OS_AUTH_URL")
        .unset("OS_PASSWORD")
        .set("OS_CLOUD", "sim");
    std::fs::write(
        env3.path().join("clouds.yaml"),
        std::fs::read(env.path().join("clouds.yaml")).unwrap(),
    )
    .unwrap();
    let out = env3.run(&["info", &id]);
    ok(&out);
    assert_eq!(jsonl(&out)[0]["server"]["id"], json!(id));
}

#[test]
fn usage_errors_have_exit_2_and_name_the_input() {
    let (sim, id, env) = web01_env();

    let out = env.run(&["info", "web01"]);
    exits_with(&out, 2, "`web01` is not a server UUID");

    let out = env.run(&["lock", "00000000-0000-4000-8000-000000000000"]);
    exits_with(&out, 1, "00000000-0000-4000-8000-000000000000 not found");

    let out = Env::new(&sim.url())
        .unset("FRESHDESK_API_KEY")
        .run(&["lock", &id]);
    exits_with(&out, 2, "FRESHDESK_API_KEY is not set");

    let out = Env::new(&sim.url())
        .unset("OS_PASSWORD")
        .run(&["info", &id]);
    exits_with(&out, 2, "OS_PASSWORD is not set");

    let out = env.run(&["delete", &id, "--apply"]);
    exits_with(&out, 2, "add --yes");

    let out = env.run(&["lock", &id, "--apply", "--dry-run"]);
    // --apply and --dry-run contradict each other
    exits_with(&out, 2, "--dry-run");

    let out = env.run(&["lock", &id, "--cc", "not-an-email"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("`not-an-email`"));

    // a template with an unknown placeholder: config error before anything is sent
    let cfg = format!("{CONFIG}  templates:\n    ticket_body: body.html\n");
    let env_t = Env::with_config(&sim.url(), &cfg);
    std::fs::write(
        env_t.config_dir().join("body.html"),
        "Hello {owner}, {instance_name}",
    )
    .unwrap();
    let out = env_t.run(&["lock", &id]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("unknown placeholder `{owner}`") && err.contains("body.html"),
        "{err}"
    );
    // ticket_url is not known while the ticket is written
    std::fs::write(env_t.config_dir().join("body.html"), "See {ticket_url}").unwrap();
    let out = env_t.run(&["lock", &id]);
    exits_with(&out, 2, "not available in this template");

    // wrong FreshDesk key: runtime failure naming the variable
    let out = Env::new(&sim.url())
        .set("FRESHDESK_API_KEY", "wrong-key")
        .run(&["lock", &id, "--dry-run"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("HTTP 401") && stderr(&out).contains("FRESHDESK_API_KEY"),
        "{}",
        stderr(&out)
    );
    assert!(tickets(&sim).is_empty());
    let srv = server(&sim, &id).unwrap();
    assert_eq!(srv["status"], "ACTIVE", "nothing happened");
    assert_eq!(srv["locked"], false);
}

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

#[test]
fn shutoff_server_and_owner_without_email() {
    let sim = spawn();
    let env = Env::new(&sim.url());
    // SHUTOFF: nothing to pause, still locked and ticketed
    let db = server_id(&sim, "db01", 1);
    let out = env.run(&["lock", &db, "--apply"]);
    ok(&out);
    let recs = jsonl(&out);
    assert_eq!(recs[0]["step"], "pause");
    assert_eq!(recs[0]["status"], "unchanged");
    assert!(recs[0]["detail"].as_str().unwrap().contains("SHUTOFF"));
    let srv = server(&sim, &db).unwrap();
    assert_eq!(srv["status"], "SHUTOFF");
    let note = tickets(&sim)[0]["conversations"][0]["body"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        note.contains("locked (status SHUTOFF, not paused)"),
        "{note}"
    );
    assert_eq!(srv["locked_reason"], "security");
    // owner without email: NeCTAR's fallback requester; manager frank in CC
    let w = server_id(&sim, "worker01", 2);
    let out = env.run(&["lock", &w, "--apply"]);
    ok(&out);
    let t = tickets(&sim)
        .into_iter()
        .find(|t| t["subject"].as_str().unwrap().contains(&w))
        .unwrap();
    assert_eq!(t["to_emails"], json!(["no-reply@nectar.org.au"]));
    assert_eq!(t["cc_emails"], json!(["frank.li@astro.example.edu"]));
    assert_eq!(
        jsonl(&out)[0]["status"],
        "unchanged",
        "worker01 was PAUSED already"
    );
}

#[test]
fn non_admin_token_gets_an_explanation() {
    let sim = spawn();
    let id = web01(&sim);
    // an admin lock first
    let env = Env::new(&sim.url());
    ok(&env.run(&["lock", &id, "--apply"]));
    let owner = Env::new(&sim.url())
        .set("OS_USERNAME", octo_sim::OS_OWNER.0)
        .set("OS_PASSWORD", octo_sim::OS_OWNER.1)
        .set("OS_PROJECT_NAME", "genomics-lab");
    let out = owner.run(&["unlock", &id, "--apply"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("no `admin` role") && err.contains("cloud-admin token"),
        "{err}"
    );
    assert_eq!(server(&sim, &id).unwrap()["locked"], true);
}

#[test]
fn a_running_task_is_waited_out() {
    let sim = spawn();
    let id = server_id(&sim, "worker01", 2);
    // someone unpauses the PAUSED server just before the takedown starts
    let tok = admin_token(&sim);
    let (status, _, body) = http(
        &sim,
        "POST",
        &format!("/compute/v2.1/servers/{id}/action"),
        &[("X-Auth-Token", &tok)],
        Some(&json!({"unpause": null})),
    );
    assert_eq!(status, 202, "{body}");
    assert_eq!(
        server(&sim, &id).unwrap()["OS-EXT-STS:task_state"],
        "unpausing"
    );
    let out = Env::new(&sim.url()).run(&["lock", &id, "-vvv", "--apply"]);
    ok(&out);
    let recs = jsonl(&out);
    // the unpause finished first (ACTIVE), so the tool paused it again
    assert_eq!(
        (recs[1]["step"].as_str(), recs[1]["status"].as_str()),
        (Some("pause"), Some("applied"))
    );
    let srv = server(&sim, &id).unwrap();
    assert_eq!(srv["status"], "PAUSED");
    assert_eq!(srv["locked_reason"], "security");
    let actions: Vec<&str> = srv["instance_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "unpause", "pause", "lock"]);
}
