//! quarantine against octo-sim: plan vs apply, exact moves, dedupe, ambiguity, release, keys,
//! config validation, bad input, faults. Reading events from the API, following, streaming and
//! output flags: `streams.rs`.

mod common;

use common::*;
use octo_testkit::harness::*;
use serde_json::{Value, json};

#[test]
fn plan_writes_nothing_and_names_every_decision() {
    let env = TestEnv::response();
    let conf = env.file("octo.yml", CONF);
    let (q, input) = scenario(&env);
    let out = env.run_with_config("quarantine", Keys::Read, &conf, &[], &input);
    ok(&out);
    let recs = jsonl(&out);
    assert_eq!(
        statuses(&recs),
        vec![
            t("e1", &q[0], "planned"),
            t("e5", &q[1], "planned"),
            t("e6", &q[0], "skipped"),
            t("e7", &q[2], "planned"),
        ]
    );
    let qid = env.group_id("Root/Quarantine");
    let from = env.group_id("Root/q-test");
    assert_eq!(
        recs[0],
        json!({"record": "quarantine.action/v1", "action": "quarantine", "status": "planned",
            "reason": "lids_rule_failed event from group q-test", "event_id": "e1",
            "event_type": "lids_rule_failed", "server_id": q[0],
            "server_hostname": recs[0]["server_hostname"], "from_group_id": from,
            "from_group_name": "q-test", "to_group_id": qid, "to_group_name": "Quarantine"})
    );
    assert!(recs[0]["server_hostname"].is_string());
    assert_eq!(
        recs[2]["reason"],
        "duplicate: server already handled in this run (event e1)"
    );
    assert_eq!(recs[2]["from_group_id"], from);
    assert!(env.mutations().is_empty(), "a plan must not write");
    assert_eq!(env.servers_in("Root/q-test"), q);
    assert_eq!(
        stderr(&out).trim(),
        "quarantine: 3 planned, 0 applied, 0 unchanged, 1 skipped, 0 failed"
    );
    octo_testkit::assert_records(&recs, "quarantine.action.v1");
    // the old --dry-run is accepted and is the same plan
    let again = env.run_with_config("quarantine", Keys::Read, &conf, &["--dry-run"], &input);
    ok(&again);
    assert_eq!(statuses(&jsonl(&again)), statuses(&recs));
    assert!(env.mutations().is_empty(), "--dry-run must not write");
}

#[test]
fn apply_moves_exactly_the_matching_servers_once_and_rerun_is_idempotent() {
    let env = TestEnv::response();
    let conf = env.file("octo.yml", CONF);
    let (q, input) = scenario(&env);
    let before: Vec<Value> = env.state()["servers"].as_array().unwrap().clone();
    let recs = records(&env, Keys::ReadWrite, &conf, &["--apply"], &input);
    assert_eq!(
        statuses(&recs),
        vec![
            t("e1", &q[0], "planned"),
            t("e1", &q[0], "applied"),
            t("e5", &q[1], "planned"),
            t("e5", &q[1], "applied"),
            t("e6", &q[0], "skipped"),
            t("e7", &q[2], "planned"),
            t("e7", &q[2], "applied"),
        ]
    );
    assert_eq!(recs[1]["reason"], "moved to group Quarantine");
    octo_testkit::assert_records(&recs, "quarantine.action.v1");
    // exactly these three moved, each by one PUT with the quarantine group id
    let qid = env.group_id("Root/Quarantine");
    let muts = env.mutations();
    let puts: Vec<(String, Value)> = muts
        .iter()
        .map(|m| (m["path"].as_str().unwrap().to_string(), m["body"].clone()))
        .collect();
    assert_eq!(
        puts,
        q.iter()
            .map(|id| (
                format!("/v1/servers/{id}"),
                json!({"server": {"group_id": qid}})
            ))
            .collect::<Vec<_>>()
    );
    let mut moved = env.servers_in("Root/Quarantine");
    moved.sort();
    let mut want = q.clone();
    want.sort();
    assert_eq!(moved, want);
    for s in &before {
        let id = s["id"].as_str().unwrap();
        if !q.iter().any(|x| x == id) {
            assert_eq!(
                env.group_of(id),
                s["group_path"].as_str().unwrap(),
                "{id} moved"
            );
        }
    }
    // second run: nothing to do, nothing written
    let out = env.run_with_config("quarantine", Keys::ReadWrite, &conf, &["--apply"], &input);
    ok(&out);
    assert_eq!(
        statuses(&jsonl(&out)),
        vec![
            t("e1", &q[0], "unchanged"),
            t("e5", &q[1], "unchanged"),
            t("e6", &q[0], "skipped"),
            t("e7", &q[2], "unchanged"),
        ]
    );
    assert_eq!(jsonl(&out)[0]["reason"], "already in the quarantine group");
    assert_eq!(env.mutations().len(), 3);
}

#[test]
fn max_limits_moves_per_run() {
    let env = TestEnv::response();
    let conf = env.file("octo.yml", &format!("{CONF}  max_moves_per_run: 2\n"));
    let (q, input) = scenario(&env);
    let recs = records(&env, Keys::Read, &conf, &[], &input);
    assert_eq!(recs[3]["status"], "skipped");
    assert_eq!(recs[3]["server_id"], q[2].as_str());
    assert_eq!(
        recs[3]["reason"],
        "limit of 2 moves per run reached (--max, quarantine.max_moves_per_run)"
    );
    let out = env.run_with_config("quarantine", Keys::Read, &conf, &["--max", "1"], &input);
    ok(&out);
    let st: Vec<String> = jsonl(&out)
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(st, ["planned", "skipped", "skipped", "skipped"]);
}

#[test]
fn ambiguous_or_unknown_group_names_are_refused_naming_the_candidates() {
    let env = TestEnv::response();
    let conf = env.file("octo.yml", &CONF.replace("[q-test]", "[q-test, Web]"));
    let out = env.run_with_config("quarantine", Keys::Read, &conf, &[], "");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let prod = env.group_id("Root/Prod/Web");
    let dev = env.group_id("Root/Dev/Web");
    let err = stderr(&out);
    assert!(
        err.contains(
            "quarantine.trigger_group_names: group name `Web` is ambiguous: 2 groups have it"
        ) && err.contains(&format!("{prod} (Root/Prod/Web)"))
            && err.contains(&format!("{dev} (Root/Dev/Web)")),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
    let conf = env.file("octo2.yml", &CONF.replace("Quarantine\n", "Quarantaine\n"));
    let out = env.run_with_config("quarantine", Keys::Read, &conf, &[], "");
    exits_with(
        &out,
        2,
        "quarantine.quarantine_group_name: no Halo group has the id, name or path `Quarantaine`",
    );
}

#[test]
fn apply_needs_the_full_access_key() {
    let env = TestEnv::response();
    let conf = env.file("octo.yml", CONF);
    let (_, input) = scenario(&env);
    let out = env.run_with_config("quarantine", Keys::Read, &conf, &["--apply"], &input);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "quarantine: writing to Halo needs the full-access key: set HALO_API_KEY_RW and HALO_API_SECRET_KEY_RW"
    );
    let out = env.run_with_config("quarantine", Keys::ReadAsRw, &conf, &["--apply"], &input);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "quarantine: --apply needs a full-access Halo key, but key `sim-read-key` in HALO_API_KEY_RW is read-only (token scope `read`)"
    );
    assert!(stdout(&out).is_empty());
    assert!(env.mutations().is_empty());
}

#[test]
fn release_moves_back_with_plan_and_apply() {
    let env = TestEnv::response();
    let conf = env.file("octo.yml", CONF);
    let (q, input) = scenario(&env);
    ok(&env.run_with_config("quarantine", Keys::ReadWrite, &conf, &["--apply"], &input));
    let back = env.group_id("Root/q-test");
    let qid = env.group_id("Root/Quarantine");
    let args = [
        "release",
        "--server",
        q[0].as_str(),
        "--to-group",
        "Root/q-test",
    ];
    let out = env.run("quarantine", Keys::Read, &args, "");
    ok(&out);
    let recs = jsonl(&out);
    assert_eq!(
        recs,
        vec![
            json!({"record": "quarantine.action/v1", "action": "release", "status": "planned",
            "reason": "release requested", "event_id": null, "event_type": null, "server_id": q[0],
            "server_hostname": recs[0]["server_hostname"], "from_group_id": qid,
            "from_group_name": "Quarantine", "to_group_id": back, "to_group_name": "q-test"})
        ]
    );
    assert_eq!(env.group_of(&q[0]), "Root/Quarantine", "plan only");
    let mut args_apply = args.to_vec();
    args_apply.push("--apply");
    let out = env.run("quarantine", Keys::ReadWrite, &args_apply, "");
    ok(&out);
    let st: Vec<&str> = jsonl(&out)
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect::<Vec<_>>()
        .iter()
        .map(|s| match *s {
            "planned" => "planned",
            "applied" => "applied",
            _ => "other",
        })
        .collect();
    assert_eq!(st, ["planned", "applied"]);
    assert_eq!(env.group_of(&q[0]), "Root/q-test");
    // releasing again changes nothing
    let out = env.run("quarantine", Keys::ReadWrite, &args_apply, "");
    ok(&out);
    assert_eq!(jsonl(&out)[0]["status"], "unchanged");
    assert_eq!(env.mutations().len(), 4);
    // by hostname, to an ambiguous group name: refused
    let out = env.run(
        "quarantine",
        Keys::Read,
        &["release", "--server", q[1].as_str(), "--to-group", "Web"],
        "",
    );
    exits_with(&out, 2, "group name `Web` is ambiguous");
}

#[test]
fn original_octo_conf_is_accepted_and_disabled_means_plan_only() {
    let env = TestEnv::response();
    let conf = env.file("octo_conf.yml", OCTO_CONF);
    let (q, input) = scenario(&env);
    let out = env.run_with_config("quarantine", Keys::Read, &conf, &[], &input);
    ok(&out);
    // lids_rule_failed only in the original config: e5 (daemon_compromised) does not match
    assert_eq!(
        statuses(&jsonl(&out)),
        vec![
            t("e1", &q[0], "planned"),
            t("e6", &q[0], "skipped"),
            t("e7", &q[2], "planned")
        ]
    );
    assert!(
        stderr(&out).contains("quarantine.enabled is false: showing the plan only"),
        "{}",
        stderr(&out)
    );
    let out = env.run_with_config("quarantine", Keys::ReadWrite, &conf, &["--apply"], &input);
    exits_with(&out, 2, "quarantine.enabled is false: refusing --apply");
    assert!(env.mutations().is_empty());
    // the same file found through OCTO_CONFIG
    let out = env
        .command("quarantine", Keys::Read)
        .env("OCTO_CONFIG", &conf)
        .write_stdin(input.clone())
        .output()
        .unwrap();
    ok(&out);
    assert_eq!(jsonl(&out).len(), 3);
}

#[test]
fn config_errors_name_the_key_and_line() {
    let env = TestEnv::response();
    for (text, want) in [
        (
            "quarantine:\n  enabled: true\n  trigger_group: [q-test]\n",
            "quarantine: unknown field `trigger_group`",
        ),
        (
            "quarantine:\n  enabled: maybe\n",
            "quarantine.enabled: invalid value: string \"maybe\", expected a boolean (true/false, yes/no, on/off) at line 2",
        ),
        (
            "quarantine:\n  trigger_events: [lids_rule_failed, lids_rule_faild]\n",
            "quarantine.trigger_events: unknown event type `lids_rule_faild`",
        ),
        ("ipblocker: {}\n", "no `quarantine:` section"),
    ] {
        let conf = env.file("bad.yml", text);
        let out = env.run_with_config("quarantine", Keys::Read, &conf, &[], "");
        assert_eq!(code(&out), 2, "{text}");
        let err = stderr(&out);
        assert!(err.contains(want), "{text}: {err}");
        assert!(
            err.starts_with(&format!("quarantine: {}", conf.display())),
            "{err}"
        );
    }
    let out = env.run(
        "quarantine",
        Keys::Read,
        &["--config", "/nonexistent/octo.yml"],
        "",
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("cannot read config file /nonexistent/octo.yml"));
}

#[test]
fn malformed_line_exits_3_after_reporting_the_records_before_it() {
    let env = TestEnv::response();
    let conf = env.file("octo.yml", CONF);
    let q = env.servers_in("Root/q-test");
    let input = format!(
        "{}\n{{\"id\": \"broken\",\n{}\n",
        ev("e1", "lids_rule_failed", true, &q[0], "q-test"),
        ev("e2", "lids_rule_failed", true, &q[1], "q-test")
    );
    let out = env.run_with_config("quarantine", Keys::ReadWrite, &conf, &["--apply"], &input);
    assert_eq!(code(&out), 3);
    assert_eq!(
        stderr(&out).trim(),
        "quarantine: stdin:2: invalid JSON: EOF while parsing a value (column 16)"
    );
    assert_eq!(
        statuses(&jsonl(&out)),
        vec![t("e1", &q[0], "planned"), t("e1", &q[0], "applied")]
    );
    assert_eq!(env.group_of(&q[0]), "Root/Quarantine");
    assert_eq!(env.group_of(&q[1]), "Root/q-test");
    // a matching event without server_id: exit 3 naming line and field
    let input = format!(
        "{}\n{}\n",
        ev("e1", "lids_rule_failed", true, &q[0], "q-test"),
        json!({"id": "e9", "type": "lids_rule_failed", "critical": true, "server_group_name": "q-test"})
    );
    let out = env.run_with_config("quarantine", Keys::Read, &conf, &[], &input);
    assert_eq!(code(&out), 3);
    assert_eq!(
        stderr(&out).trim(),
        "quarantine: stdin:2: field `server_id`: required field is missing"
    );
    assert_eq!(jsonl(&out).len(), 1);
}

#[test]
fn unknown_server_is_skipped() {
    let env = TestEnv::response();
    let conf = env.file("octo.yml", CONF);
    let input = lines(&[ev(
        "e1",
        "lids_rule_failed",
        true,
        "0123456789abcdef0123456789abcdef",
        "q-test",
    )]);
    let out = env.run_with_config("quarantine", Keys::Read, &conf, &[], &input);
    ok(&out);
    let r = &jsonl(&out)[0];
    assert_eq!(
        (r["status"].as_str(), r["reason"].as_str()),
        (Some("skipped"), Some("server not found in Halo"))
    );
}

#[test]
fn faults_give_identical_output_and_effects() {
    let clean = TestEnv::response();
    let faulty = TestEnv::response();
    faulty.set_faults(octo_sim::Faults {
        rate_429: 0.25,
        retry_after_secs: 0,
        rate_5xx: 0.25,
        ..Default::default()
    });
    let mut outs = Vec::new();
    for env in [&clean, &faulty] {
        let conf = env.file("octo.yml", CONF);
        let (_, input) = scenario(env);
        let out = env.run_with_config("quarantine", Keys::ReadWrite, &conf, &["--apply"], &input);
        ok(&out);
        outs.push(stdout(&out));
    }
    assert_eq!(outs[0], outs[1]);
    assert_eq!(
        clean.servers_in("Root/Quarantine"),
        faulty.servers_in("Root/Quarantine")
    );
    faulty.assert_faults_fired();
}
