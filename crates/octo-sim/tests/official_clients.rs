//! The official Python clients against octo-sim: the CloudPassage Halo SDK, openstacksdk
//! (keystoneauth version discovery included), slack_sdk and python-freshdesk. Each script in
//! `tests/clients/` prints `ok <call> <result>` per call; this test checks those lines and the
//! simulator's state afterwards.
//!
//! The clients live in `.venv-clients` (pinned; `source scripts/moto-env.sh` installs them, as
//! `make test` does); `OCTO_CLIENTS_PYTHON` names its python.

use std::path::PathBuf;
use std::process::Command;

use chrono::{TimeZone, Utc};
use octo_sim::{Sim, SimConfig};
use serde_json::{Value, json};

fn python() -> PathBuf {
    // octo-sim does not link octo-core; the variable is documented in octo_core::env
    #[allow(clippy::disallowed_methods)]
    if let Some(p) = std::env::var_os("OCTO_CLIENTS_PYTHON") {
        return PathBuf::from(p);
    }
    let local = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv-clients/bin/python");
    assert!(
        local.exists(),
        "the official Python clients are not installed: run `source scripts/moto-env.sh` \
         (or `make test`), which creates .venv-clients and sets OCTO_CLIENTS_PYTHON"
    );
    local
}

fn spawn() -> octo_sim::SimHandle {
    Sim::spawn(SimConfig {
        seed: 5,
        servers: 20,
        events_per_day: 300,
        scans_per_day: 40,
        days: 2,
        now: Some(Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap()),
        openstack_transition_ms: 50,
        ..SimConfig::default()
    })
    .expect("sim starts")
}

/// Run `tests/clients/<script>` against the simulator; the `ok …` lines it printed.
fn run(sim: &Sim, script: &str, args: &[&str]) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(script);
    let out = Command::new(python())
        .arg(&path)
        .arg(sim.url())
        .args(args)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("OS_CLOUD")
        .env_remove("HTTPS_PROXY")
        .env_remove("HTTP_PROXY")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .output()
        .expect("running the client script");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success() && stdout.lines().last() == Some("done"),
        "{script} failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    stdout
        .lines()
        .filter(|l| *l != "done")
        .map(String::from)
        .collect()
}

fn mutations(sim: &Sim) -> Vec<Value> {
    sim.state()["mutations"].as_array().unwrap().clone()
}

#[test]
fn halo_python_sdk() {
    let sim = spawn();
    let lines = run(&sim, "halo_sdk.py", &["2026-04-30"]);
    let day = Utc.with_ymd_and_hms(2026, 4, 30, 0, 0, 0).unwrap();
    let next = day + chrono::Duration::days(1);
    let st = sim.state();
    let active = st["servers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["state"] == "active")
        .count();
    let expect = [
        "ok authenticate_client read".to_string(),
        format!("ok Server.list_all {active}"),
        "ok Server.list_all(state=all) 20".to_string(),
        "ok ServerGroup.list_all 11".to_string(),
        "ok FirewallPolicy.list_all 4".to_string(),
        "ok FirewallZone.list_all 6".to_string(),
        "ok ServerGroup.describe Quarantine".to_string(),
        "ok ServerGroup.list_members 3".to_string(),
        "ok FirewallPolicy.describe Web FW (Linux)".to_string(),
        "ok FirewallZone.describe 203.0.113.250".to_string(),
        "ok Server.assign_group(read-only key) CloudPassageAuthorization".to_string(),
        "ok Server.assign_group True".to_string(),
        "ok Server.describe(moved) True".to_string(),
        "ok FirewallZone.update 203.0.113.250,198.51.100.23".to_string(),
        "ok authenticate_client(bad secret) CloudPassageAuthentication".to_string(),
        format!("ok TimeSeries(/v1/events) {}", sim.events(day, next).len()),
        format!("ok TimeSeries(/v1/scans) {}", sim.scans(day, next).len()),
    ];
    for e in &expect {
        assert!(lines.contains(e), "missing `{e}` in {lines:#?}");
    }
    assert_eq!(lines.len(), 24, "{lines:#?}");
    assert!(lines.iter().all(|l| !l.ends_with(" False")), "{lines:#?}");
    // the writes the SDK made are the ones the simulator applied
    let quarantine = st["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group_path"] == "Root/Quarantine")
        .unwrap()["id"]
        .clone();
    let m = mutations(&sim);
    assert_eq!(m.len(), 2, "{m:#?}");
    assert_eq!(m[0]["method"], "PUT");
    assert_eq!(m[0]["body"], json!({"server": {"group_id": quarantine}}));
    assert!(
        m[1]["path"]
            .as_str()
            .unwrap()
            .starts_with("/v1/firewall_zones/"),
        "{m:#?}"
    );
}

#[test]
fn openstacksdk() {
    let sim = spawn();
    let lines = run(&sim, "openstack_sdk.py", &[]);
    let port_line = lines
        .iter()
        .find(|l| l.starts_with("ok network.ports 1 fa:16:3e:"))
        .cloned()
        .unwrap_or_else(|| panic!("no port line in {lines:#?}"));
    let expect = [
        "ok authorize admin",
        "ok compute.max_microversion 2.96",
        "ok compute.servers(all_projects) 6",
        "ok compute.servers.projects 3",
        "ok compute.get_server web01 ACTIVE",
        "ok compute.pause_server PAUSED",
        "ok compute.lock_server True security",
        "ok compute.get_server_metadata https://support.example.org/helpdesk/tickets/1",
        "ok compute.get_server_console_output 3",
        "ok compute.create_server_image evidence-web01",
        "ok compute.unlock_server False None",
        "ok compute.unpause_server ACTIVE",
        &port_line,
        "ok identity.role_assignments bob carol dave",
        "ok identity.get_user alice",
        "ok identity.get_project genomics-lab",
        "ok compute.delete_server True",
    ];
    assert_eq!(lines, expect);
    let st = sim.state();
    let servers = st["openstack"]["servers"].as_array().unwrap();
    assert!(!servers.iter().any(|s| s["name"] == "db01"), "db01 deleted");
    let web = servers
        .iter()
        .find(|s| s["name"] == "web01" && s["status"] == "ACTIVE" && s["locked"] == false)
        .expect("web01 active and unlocked again");
    assert_eq!(
        web["metadata"]["security_ticket"],
        "https://support.example.org/helpdesk/tickets/1"
    );
    let locks: Vec<Value> = mutations(&sim)
        .into_iter()
        .filter(|m| m["body"].get("lock").is_some())
        .map(|m| m["body"].clone())
        .collect();
    assert_eq!(locks, [json!({"lock": {"locked_reason": "security"}})]);
}

#[test]
fn slack_sdk() {
    let sim = spawn();
    let lines = run(&sim, "slack_client.py", &[]);
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(
        lines[0].starts_with("ok chat_postMessage True C"),
        "{lines:#?}"
    );
    assert_eq!(lines[1], "ok chat_postMessage(bad token) invalid_auth");
    assert_eq!(lines[2], "ok chat_postMessage(429 then retry) True");
    let st = sim.state();
    let texts: Vec<&Value> = st["slack"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["text"])
        .collect();
    assert_eq!(
        texts,
        [
            &json!("octo-sim CI: hello"),
            &json!("octo-sim CI: after a 429")
        ]
    );
    assert_eq!(st["requests"]["by_status"]["429"], 1, "{}", st["requests"]);
}

#[test]
fn python_freshdesk() {
    let sim = spawn();
    let lines = run(&sim, "freshdesk_client.py", &[]);
    let st = sim.state();
    let tickets = st["freshdesk"]["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 1);
    let t = &tickets[0];
    assert_eq!(
        lines,
        [
            "ok tickets.create_outbound_email open urgent 10".to_string(),
            "ok comments.create_note True".to_string(),
            "ok comments.create_reply <p>The instance has been deleted.</p>".to_string(),
            "ok tickets.update_ticket resolved".to_string(),
            format!("ok tickets.filter_tickets {}", t["id"]),
            "ok comments.list_comments 2".to_string(),
            "ok tickets.get_ticket(bad key) FreshdeskUnauthorized".to_string(),
        ]
    );
    assert_eq!(t["status"], 4);
    assert_eq!(t["tags"], json!(["security"]));
    assert_eq!(t["cc_emails"], json!(["bob.smith@uni.example.edu"]));
    let kinds: Vec<&Value> = t["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["kind"])
        .collect();
    assert_eq!(kinds, [&json!("note"), &json!("reply")]);
}

#[test]
fn slack_sdk_socket_mode_client() {
    let sim = spawn();
    let lines = run(&sim, "slack_socket_client.py", &[]);
    assert_eq!(
        lines,
        [
            "ok connect True",
            "ok event events_api app_mention <@USIMBOT01> groups",
            "ok same envelope True",
            "ok acknowledged True",
        ]
    );
    let st = sim.state();
    assert_eq!(st["slack_socket"]["acks"].as_array().unwrap().len(), 1);
}
