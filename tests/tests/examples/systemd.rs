//! systemd: `examples/systemd/octobox-critical-monitor.service`, started and stopped as systemd
//! does.

use std::collections::BTreeMap;
use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use octo_testkit::harness::{Background, SIM_SECRETS, assert_no_secrets, wait_until};
use octobox_tests::examples::host::*;
use octobox_tests::examples::systemd::*;
use octobox_tests::examples::*;
use serde_json::{Value, json};

#[test]
fn the_systemd_unit_quarantines_and_reports_a_critical_event() {
    let raw = example("systemd/octobox-critical-monitor.service");
    let root = Root::new();
    root.check_paths("octobox-critical-monitor.service", &raw);
    let unit = parse_unit(&root.map(&raw));
    check_directives(&unit);

    // The host: the env file and octo.yml where the unit expects them; Halo and Slack simulated
    // on the real clock (the monitor starts after the newest existing event).
    let sim = octo_sim::Sim::spawn(octo_sim::SimConfig {
        events_per_day: 300,
        scans_per_day: 1,
        days: 1,
        ..Default::default()
    })
    .unwrap();
    root.write_env_file(&halo_env(&sim));
    std::fs::write(
        root.path("/etc/octobox/octo.yml"),
        example("config/octo.yml"),
    )
    .unwrap();
    let (argv, env) = service_exec(&root, &unit);
    let servers = |state: &Value| -> BTreeMap<String, String> {
        state["servers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["id"].as_str().unwrap().to_string(),
                    s["group_path"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let before = sim.state();
    let groups_before = servers(&before);
    let in_group = |path: &str| -> Vec<String> {
        before["servers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["group_path"] == path && s["state"] == "active")
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (db, web) = (in_group("Root/Prod/DB"), in_group("Root/Prod/Web"));
    assert!(db.len() >= 2 && !web.is_empty(), "{db:?} {web:?}");
    let quarantine_group = before["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group_path"] == "Root/Quarantine")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Start it as systemd does: its own process group (the unit's cgroup), cwd /, stdin from
    // /dev/null, stdout and stderr to the journal (here: collected). A monitor that hangs fails
    // the test: `monitor` kills its whole group when dropped.
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .env_clear()
        .envs(env)
        .current_dir("/")
        .stdin(Stdio::null());
    let mut monitor = Background::spawn(cmd);
    let journal_out = {
        let mut o = monitor.child().stdout.take().expect("piped stdout");
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = o.read_to_end(&mut v);
            v
        })
    };
    // Stop it as systemd does (SIGTERM to the whole cgroup); what it printed (the journal).
    let stop = |monitor: Background| -> (Output, String) {
        let mut out = monitor.stop("TERM");
        out.stdout = journal_out.join().unwrap_or_default();
        let journal = format!(
            "--- stdout\n{}--- stderr\n{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        (out, journal)
    };
    let wait_for = |secs: u64, cond: &dyn Fn(&Value) -> bool| -> bool {
        wait_until(Duration::from_secs(secs), || cond(&sim.state()))
    };
    let brief = |st: &Value| {
        format!(
            "tokens {} requests {} mutations {} slack {}",
            st["tokens_issued"], st["requests"], st["mutations"], st["slack"]
        )
    };
    let requests = |st: &Value| st["requests"]["total"].as_u64().unwrap_or(0);
    // Started: both Halo clients logged in and halo-query took its starting point (the newest
    // event; an event added before that would count as old). At start quarantine makes two
    // requests (token, groups) and halo-query three (token, newest event, first poll), so five
    // requests mean halo-query's second is done (as long as quarantine makes at most three).
    if !wait_for(60, &|st| {
        st["tokens_issued"].as_u64() >= Some(2) && requests(st) >= 5
    }) {
        let (_, journal) = stop(monitor);
        panic!(
            "not started within 60 s: {}\n{journal}",
            brief(&sim.state())
        );
    }

    // a critical event the quarantine rule matches, one from another group, one not critical
    let hit = sim.add_event(json!({"type": "lids_rule_failed", "critical": true,
        "server_id": db[0], "message": "sshd: Failed password for root from 203.0.113.77"}));
    sim.add_event(json!({"type": "lids_rule_failed", "critical": true,
        "server_id": web[0], "message": "not a DB server"}));
    sim.add_event(json!({"type": "daemon_compromised", "critical": false,
        "server_id": db[1], "message": "not critical"}));

    let moved = |st: &Value| servers(st)[&db[0]] == "Root/Quarantine";
    let applied_posted = |st: &Value| {
        st["slack"]["messages"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m.to_string().contains("applied")))
    };
    if !wait_for(60, &|st| moved(st) && applied_posted(st)) {
        let (_, journal) = stop(monitor);
        panic!(
            "no move and Slack report within 60 s: {}\n{journal}",
            brief(&sim.state())
        );
    }
    // anything that should not happen has its chance: halo-query polls once more (every 5 s),
    // then it is stopped (it follows forever)
    let seen = requests(&sim.state());
    let polled = wait_for(30, &|st| requests(st) > seen);
    let exited = monitor.try_wait();
    let (out, journal) = stop(monitor);
    assert!(polled, "halo-query stopped polling\n{journal}");
    assert!(
        exited.is_none(),
        "the monitor exited by itself: {exited:?}\n{journal}"
    );
    assert_no_secrets(&out, &SIM_SECRETS);

    let after = sim.state();
    // exactly one change in Halo: the DB server into the quarantine group
    let mutations = after["mutations"].as_array().unwrap();
    assert_eq!(mutations.len(), 1, "{mutations:?}\n{journal}");
    assert_eq!(mutations[0]["method"], "PUT", "{mutations:?}");
    assert_eq!(
        mutations[0]["path"],
        format!("/v1/servers/{}", db[0]),
        "{mutations:?}"
    );
    let mut expected = groups_before.clone();
    expected.insert(db[0].clone(), "Root/Quarantine".into());
    assert_eq!(servers(&after), expected);
    assert_eq!(
        after["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["group_path"] == "Root/Quarantine")
            .unwrap()["id"],
        quarantine_group.as_str()
    );
    // Slack heard of it (planned, then applied) in the configured channel, and of nothing else
    let messages = after["slack"]["messages"].as_array().unwrap();
    let texts: Vec<String> = messages
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_string())
        .collect();
    let all = texts.join("\n");
    assert!(
        messages.iter().all(|m| m["channel"] == "sec-alerts"),
        "{messages:?}"
    );
    assert!(
        all.contains(hit["id"].as_str().unwrap()) || all.contains(db[0].as_str()),
        "{all}"
    );
    assert_eq!(all.matches("planned").count(), 1, "{all}");
    assert_eq!(all.matches("applied").count(), 1, "{all}");
    assert!(
        !all.contains("not a DB server") && !all.contains("not critical"),
        "{all}"
    );
    // the journal: slack-notify's records of what it sent, one per action record
    let sent: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(sent.len(), 2, "{journal}");
    assert!(sent.iter().all(|r| r["status"] == "sent"), "{journal}");
}
