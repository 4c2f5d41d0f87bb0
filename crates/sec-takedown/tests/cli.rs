//! info, the usage errors and the awkward servers (shut off, owner without email, a task still
//! running, a non-admin token), against octo-sim, asserting the simulated cloud and helpdesk state.

mod common;

use common::*;
use serde_json::json;

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
