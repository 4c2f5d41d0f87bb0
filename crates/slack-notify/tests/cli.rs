//! slack-notify against octo-sim's Slack: message text, filters, batching, rate limits, auth
//! errors, webhooks, bad input, and `--route` (ec2-delta records to each team's channel; bad
//! routing files are configuration errors with a line).

use std::process::Output;

use octo_testkit::harness::*;
use serde_json::{Value, json};

fn critical_event() -> Value {
    json!({"id": "e1", "type": "lids_rule_failed", "name": "Log-based intrusion detection rule matched",
        "message": "sshd: Failed password for root from 203.0.113.7 port 52144 ssh2",
        "created_at": "2026-11-20T11:00:00.000Z", "critical": true, "server_id": "s1",
        "server_hostname": "ip-10-2-20-76", "server_label": "web-1", "server_ip_address": "54.183.177.195",
        "server_group_name": "Web"})
}

fn plain_event() -> Value {
    json!({"id": "e2", "type": "server_moved", "message": "Server web-1 moved", "critical": false,
        "created_at": "2026-11-20T11:00:01.000Z", "server_hostname": "web-1", "server_group_name": "Quarantine"})
}

fn action(status: &str) -> Value {
    json!({"record": "quarantine.action/v1", "action": "quarantine", "status": status,
        "reason": "moved to group Quarantine", "event_id": "e1", "event_type": "lids_rule_failed",
        "server_id": "s1", "server_hostname": "web-1", "from_group_id": "g1", "from_group_name": "Web",
        "to_group_id": "g2", "to_group_name": "Quarantine"})
}

const CRIT_TEXT: &str = ":rotating_light: *Critical Halo event* `lids_rule_failed`\n\
server: web-1 (54.183.177.195) · group: Web · time: 2026-11-20T11:00:00.000Z\n\
> sshd: Failed password for root from 203.0.113.7 port 52144 ssh2";
const PLAIN_TEXT: &str = ":information_source: *Halo event* `server_moved`\n\
server: web-1 · group: Quarantine · time: 2026-11-20T11:00:01.000Z\n> Server web-1 moved";
const ACTION_TEXT: &str = ":white_check_mark: *quarantine quarantine* applied: server web-1 (s1): group Web → Quarantine\n\
event: lids_rule_failed e1\nreason: moved to group Quarantine";

fn slack(env: &TestEnv, args: &[&str], stdin: &str) -> Output {
    let out = env
        .command("slack-notify", Keys::Read)
        .env("SLACK_API_TOKEN", octo_sim::slack::SLACK_TOKEN)
        .env("SLACK_API_URL", format!("{}/api", env.sim().url()))
        .args(args)
        .write_stdin(stdin.to_string())
        .output()
        .unwrap();
    env.assert_no_secrets(&out);
    out
}

fn messages(env: &TestEnv) -> Vec<Value> {
    env.state()["slack"]["messages"].as_array().unwrap().clone()
}

fn texts(env: &TestEnv) -> Vec<String> {
    messages(env)
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_string())
        .collect()
}

/// Output records without the Slack timestamp (differs between runs).
fn without_ts(out: &Output) -> Vec<Value> {
    jsonl(out)
        .into_iter()
        .map(|mut r| {
            assert!(r["ts"].is_string() || r["ts"].is_null());
            r["ts"] = Value::Null;
            r
        })
        .collect()
}

#[test]
fn posts_readable_messages_for_events_and_action_records() {
    let env = TestEnv::response();
    let input = lines(&[
        critical_event(),
        plain_event(),
        action("applied"),
        action("skipped"),
    ]);
    let out = slack(&env, &["--channel", "sec-ops", "--batch", "1"], &input);
    ok(&out);
    assert_eq!(texts(&env), vec![CRIT_TEXT, PLAIN_TEXT, ACTION_TEXT]);
    for m in messages(&env) {
        assert_eq!(m["channel"], "sec-ops");
        assert_eq!(m["via"], "chat.postMessage");
    }
    let recs = jsonl(&out);
    octo_testkit::assert_records(&recs, "slack-notify.message.v1");
    let ts: Vec<Value> = messages(&env).iter().map(|m| m["ts"].clone()).collect();
    assert_eq!(
        recs,
        vec![
            json!({"record": "slack-notify.message/v1", "line": 1, "status": "sent", "reason": "", "channel": "sec-ops", "ts": ts[0], "text": CRIT_TEXT}),
            json!({"record": "slack-notify.message/v1", "line": 2, "status": "sent", "reason": "", "channel": "sec-ops", "ts": ts[1], "text": PLAIN_TEXT}),
            json!({"record": "slack-notify.message/v1", "line": 3, "status": "sent", "reason": "", "channel": "sec-ops", "ts": ts[2], "text": ACTION_TEXT}),
            json!({"record": "slack-notify.message/v1", "line": 4, "status": "skipped", "reason": "action skipped or unchanged (--all-actions posts these)", "channel": null, "ts": null, "text": null}),
        ]
    );
    assert_eq!(
        stderr(&out).trim(),
        "slack-notify: 3 records posted, 0 failed"
    );
}

#[test]
fn critical_only_and_suppress_from_flags_and_config() {
    let env = TestEnv::response();
    let input = lines(&[critical_event(), plain_event(), action("applied")]);
    let out = slack(&env, &["--critical-only", "--batch", "1"], &input);
    ok(&out);
    assert_eq!(texts(&env), vec![CRIT_TEXT, ACTION_TEXT]);
    assert_eq!(jsonl(&out)[1]["reason"], "not critical (--critical-only)");
    assert_eq!(messages(&env)[0]["channel"], "halo", "default channel");
    env.sim().reset();
    let conf = env.file(
        "octo.yml",
        "notify:\n  channel: from-config\n  suppress_events: [lids_rule_failed]\n",
    );
    let out = slack(
        &env,
        &[
            "--config",
            conf.to_str().unwrap(),
            "--suppress",
            "server_moved",
            "--batch",
            "1",
        ],
        &input,
    );
    ok(&out);
    assert_eq!(texts(&env), vec![ACTION_TEXT]);
    assert_eq!(messages(&env)[0]["channel"], "from-config");
    let st: Vec<Value> = jsonl(&out).iter().map(|r| r["reason"].clone()).collect();
    assert_eq!(
        st,
        vec![
            json!("event type suppressed"),
            json!("event type suppressed"),
            json!("")
        ]
    );
    // unknown event types are configuration errors
    let out = slack(&env, &["--suppress", "server_mooved"], &input);
    exits_with(&out, 2, "--suppress: unknown event type `server_mooved`");
    let conf = env.file("bad.yml", "notify:\n  chanel: x\n");
    let out = slack(&env, &["--config", conf.to_str().unwrap()], &input);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("notify: unknown field `chanel`") && stderr(&out).contains("line 2"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bursts_are_batched_into_few_messages() {
    let env = TestEnv::response();
    env.set_faults(octo_sim::Faults {
        latency_ms: 300,
        ..Default::default()
    });
    let events: Vec<Value> = (0..25)
        .map(|i| {
            let mut e = critical_event();
            e["id"] = json!(format!("e{i}"));
            e["message"] = json!(format!("burst {i}"));
            e
        })
        .collect();
    let out = slack(&env, &["--batch", "10"], &lines(&events));
    ok(&out);
    let msgs = texts(&env);
    assert!(msgs.len() <= 4, "{} messages for 25 records", msgs.len());
    let all = msgs.join("\n\n");
    let found: Vec<usize> = (0..25)
        .filter(|i| {
            all.contains(&format!("> burst {i}\n")) || all.ends_with(&format!("> burst {i}"))
        })
        .collect();
    assert_eq!(found, (0..25).collect::<Vec<_>>());
    let recs = jsonl(&out);
    assert_eq!(recs.len(), 25);
    assert!(recs.iter().all(|r| r["status"] == "sent"));
    for m in &msgs {
        assert!(m.matches(":rotating_light:").count() <= 10);
    }
}

#[test]
fn rate_limits_are_waited_out_and_output_is_unchanged() {
    let clean = TestEnv::response();
    let limited = TestEnv::response();
    limited.set_faults(octo_sim::Faults {
        rate_429: 1.0,
        retry_after_secs: 1,
        max_in_a_row: 1,
        ..Default::default()
    });
    let input = lines(&[critical_event(), action("applied")]);
    let a = slack(&clean, &["--batch", "1"], &input);
    ok(&a);
    let started = std::time::Instant::now();
    let b = slack(&limited, &["--batch", "1"], &input);
    ok(&b);
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(2),
        "Retry-After not honoured"
    );
    assert_eq!(without_ts(&a), without_ts(&b));
    assert_eq!(texts(&clean), texts(&limited));
    assert_eq!(limited.state()["requests"]["by_status"]["429"], 2);
}

#[test]
fn server_errors_are_retried_with_identical_output() {
    let clean = TestEnv::response();
    let faulty = TestEnv::response();
    faulty.set_faults(octo_sim::Faults {
        rate_5xx: 0.5,
        ..Default::default()
    });
    let input = lines(&[critical_event(), plain_event(), action("applied")]);
    let a = slack(&clean, &["--batch", "1"], &input);
    let b = slack(&faulty, &["--batch", "1"], &input);
    ok(&a);
    ok(&b);
    assert_eq!(without_ts(&a), without_ts(&b));
    assert_eq!(texts(&clean), texts(&faulty));
}

#[test]
fn bad_token_channel_or_missing_credentials_are_configuration_errors() {
    let env = TestEnv::response();
    let input = lines(&[critical_event()]);
    let out = env
        .command("slack-notify", Keys::Read)
        .env("SLACK_API_TOKEN", "xoxb-wrong")
        .env("SLACK_API_URL", format!("{}/api", env.sim().url()))
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "slack-notify: Slack refused chat.postMessage: invalid_auth (check SLACK_API_TOKEN)"
    );
    assert!(!stdout(&out).contains("xoxb-wrong") && !stderr(&out).contains("xoxb-wrong"));
    let out = slack(&env, &["--channel", "No Such Channel"], &input);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "slack-notify: Slack refused chat.postMessage: channel_not_found (check the channel `No Such Channel` (--channel, SLACK_CHANNEL))"
    );
    let out = env.run("slack-notify", Keys::Read, &[], &input);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "slack-notify: no Slack credentials: set SLACK_API_TOKEN (bot token) or pass --webhook-url (or use --dry-run)"
    );
    assert!(messages(&env).is_empty());
}

#[test]
fn webhook_posts_and_never_prints_its_url() {
    let env = TestEnv::response();
    let input = lines(&[critical_event()]);
    let hook = format!("{}{}", env.sim().url(), octo_sim::slack::WEBHOOK_PATH);
    let out = env.run(
        "slack-notify",
        Keys::Read,
        &["--webhook-url", &hook],
        &input,
    );
    ok(&out);
    assert_eq!(
        messages(&env),
        vec![
            json!({"via": "webhook", "channel": null, "text": CRIT_TEXT, "ts": messages(&env)[0]["ts"]})
        ]
    );
    assert_eq!(jsonl(&out)[0]["status"], "sent");
    let bad = format!(
        "{}/services/TSIM0000/BSIM0000/wrongsecret1234",
        env.sim().url()
    );
    let out = env
        .command("slack-notify", Keys::Read)
        .env("SLACK_WEBHOOK_URL", &bad)
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "slack-notify: Slack refused the webhook (HTTP 404 Not Found: no_service): check --webhook-url / SLACK_WEBHOOK_URL"
    );
    assert!(!stderr(&out).contains("wrongsecret1234"));
}

#[test]
fn malformed_line_exits_3_after_posting_the_records_before_it() {
    let env = TestEnv::response();
    let input = format!(
        "{}\n{}\n[1, 2]\n{}\n",
        critical_event(),
        action("applied"),
        plain_event()
    );
    let out = slack(&env, &["--batch", "1"], &input);
    assert_eq!(code(&out), 3);
    assert_eq!(
        stderr(&out).trim(),
        "slack-notify: stdin:3: expected a JSON object, found an array"
    );
    assert_eq!(texts(&env), vec![CRIT_TEXT, ACTION_TEXT]);
    let lines_out: Vec<u64> = jsonl(&out)
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines_out, vec![1, 2]);
}

#[test]
fn dry_run_posts_nothing() {
    let env = TestEnv::response();
    let out = env.run(
        "slack-notify",
        Keys::Read,
        &["--dry-run"],
        &lines(&[critical_event()]),
    );
    ok(&out);
    assert_eq!(
        jsonl(&out),
        vec![
            json!({"record": "slack-notify.message/v1", "line": 1, "status": "dry-run", "reason": "", "channel": "halo", "ts": null, "text": CRIT_TEXT})
        ]
    );
    assert!(messages(&env).is_empty());
}

#[test]
fn quarantine_output_pipes_into_slack_notify() {
    let env = TestEnv::response();
    let q = env.servers_in("Root/q-test");
    let conf = env.file(
        "octo.yml",
        "quarantine:\n  enabled: true\n  trigger_group_names: [q-test]\n  quarantine_group_name: Quarantine\n  trigger_events: [lids_rule_failed]\n",
    );
    let mut e = critical_event();
    e["server_id"] = json!(q[0]);
    e["server_group_name"] = json!("q-test");
    let out = env.run(
        "quarantine",
        Keys::Read,
        &["--config", conf.to_str().unwrap()],
        &lines(&[e]),
    );
    ok(&out);
    let out = slack(&env, &["--batch", "1"], &stdout(&out));
    ok(&out);
    let t = texts(&env);
    assert_eq!(t.len(), 1);
    assert!(
        t[0].starts_with(":clipboard: *quarantine quarantine* planned: server ")
            && t[0].ends_with("group q-test → Quarantine\nevent: lids_rule_failed e1\nreason: lids_rule_failed event from group q-test"),
        "{}",
        t[0]
    );
}

// ---------------------------------------------------------------------------------------------
// --route FILE

const ROUTES: &str = "\
default: halo-default
routes:
  - aws_account: \"111111111111\"
    channel: team-acct
  - aws_region: eu-west-1
    channel: team-eu
  - vpc_id: vpc-0aaa
    channel: team-net
  - key_name: ops-key
    channel: team-ops
";

/// A record exactly as `ec2-delta --format jsonl` prints it.
fn instance(id: &str, account: &str, region: &str, key: &str, vpc: &str) -> Value {
    json!({"record": "ec2-delta.instance/v1", "instance_id": id, "aws_account": account,
        "aws_region": region, "key_name": key, "launch_time": "2026-11-01T10:00:00+00:00",
        "vpc_id": vpc, "state": "running", "instance_type": "t3.micro", "private_ip": "10.0.0.5",
        "public_ip": "", "name": "", "tags": {}})
}

fn routed_messages(env: &TestEnv) -> Vec<(String, String)> {
    messages(env)
        .iter()
        .map(|m| {
            (
                m["channel"].as_str().unwrap().to_string(),
                m["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn ec2_delta_records_go_to_their_teams_channels() {
    let env = TestEnv::response();
    let routes = env.file("routes.yml", ROUTES);
    let routes = routes.to_str().unwrap();
    let input = lines(&[
        // every field matches some rule: key_name wins
        instance("i-01", "111111111111", "eu-west-1", "ops-key", "vpc-0aaa"),
        // no key: the VPC
        instance("i-02", "111111111111", "eu-west-1", "", "vpc-0aaa"),
        // other key and VPC: the region
        instance("i-03", "111111111111", "eu-west-1", "dev-key", "vpc-0bbb"),
        // only the account matches
        instance("i-04", "111111111111", "us-east-1", "dev-key", ""),
        // nothing matches: the file's default channel
        instance("i-05", "222222222222", "us-east-1", "dev-key", ""),
    ]);
    let out = slack(&env, &["--route", routes, "--batch", "1"], &input);
    ok(&out);
    let want = [
        "team-ops",
        "team-net",
        "team-eu",
        "team-acct",
        "halo-default",
    ];
    let got = routed_messages(&env);
    assert_eq!(
        got.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(),
        want
    );
    assert_eq!(
        got[0].1,
        ":warning: *EC2 instance without Halo* `i-01`\naccount: 111111111111 · region: eu-west-1 \
         · vpc: vpc-0aaa · key: ops-key · state: running · launched: 2026-11-01T10:00:00+00:00"
    );
    assert!(got[1].1.contains("`i-02`") && got[1].1.contains("key: -"));
    // one output record per input line, naming the channel it went to
    let recs = jsonl(&out);
    assert_eq!(recs.len(), 5);
    for (i, (r, ch)) in recs.iter().zip(want).enumerate() {
        assert_eq!(r["line"], i + 1);
        assert_eq!(r["status"], "sent");
        assert_eq!(r["channel"], ch);
    }
    octo_testkit::assert_records(&recs, "slack-notify.message.v1");

    // --channel overrides the file's default; routed records are unaffected
    let out = slack(
        &env,
        &["--route", routes, "--batch", "1", "--channel", "fallback"],
        &lines(&[
            instance("i-06", "222222222222", "us-east-1", "", ""),
            instance("i-07", "222222222222", "us-east-1", "ops-key", ""),
        ]),
    );
    ok(&out);
    let got: Vec<String> = routed_messages(&env)[5..]
        .iter()
        .map(|m| m.0.clone())
        .collect();
    assert_eq!(got, ["fallback", "team-ops"]);
}

#[test]
fn a_burst_is_split_where_the_channel_changes() {
    let env = TestEnv::response();
    // slow posts: the records queue up behind the first one and go out in bursts
    env.set_faults(octo_sim::Faults {
        latency_ms: 200,
        ..Default::default()
    });
    let routes = env.file("routes.yml", ROUTES);
    let plan = [
        ("i-11", "team-ops"),
        ("i-12", "team-ops"),
        ("i-13", "team-eu"),
        ("i-14", "team-eu"),
        ("i-15", "team-ops"),
        ("i-16", "team-ops"),
    ];
    let input = lines(
        &plan
            .iter()
            .map(|(id, ch)| {
                let (region, key) = if *ch == "team-eu" {
                    ("eu-west-1", "")
                } else {
                    ("us-east-1", "ops-key")
                };
                instance(id, "3", region, key, "")
            })
            .collect::<Vec<_>>(),
    );
    let out = slack(&env, &["--route", routes.to_str().unwrap()], &input);
    ok(&out);
    // every message goes to one channel and holds only that channel's instances, in order
    let msgs = routed_messages(&env);
    assert!(msgs.len() >= 3 && msgs.len() < plan.len(), "{msgs:?}");
    let mut seen = Vec::new();
    for (ch, text) in &msgs {
        for (id, want) in plan {
            if text.contains(&format!("`{id}`")) {
                assert_eq!(ch, want, "{id} in a message to {ch}");
                seen.push(id);
            }
        }
    }
    assert_eq!(seen, plan.map(|p| p.0));
    let chans: Vec<Value> = jsonl(&out).iter().map(|r| r["channel"].clone()).collect();
    assert_eq!(chans, plan.map(|p| p.1));
}

#[test]
fn bad_routing_files_are_configuration_errors_naming_file_and_line() {
    let env = TestEnv::response();
    let input = lines(&[instance("i-01", "1", "us-east-1", "ops-key", "")]);
    let cases = [
        (
            "routes:\n  - key_name: ops-key\n    channel: ops\n  - vpc: vpc-1\n    channel: net\n",
            "unknown field `vpc`",
            "line 4",
        ),
        (
            "routes:\n  - key_name: ops-key\n    aws_region: eu-west-1\n    channel: ops\n",
            "rule matches several fields (key_name, aws_region)",
            "line 2",
        ),
        (
            "default: halo\nroutes:\n  - channel: ops\n",
            "rule without a field to match",
            "line 3",
        ),
        ("channels: []\n", "unknown field `channels`", "line 1"),
    ];
    for (i, (text, what, line)) in cases.into_iter().enumerate() {
        let path = env.file(&format!("bad{i}.yml"), text);
        let out = slack(&env, &["--route", path.to_str().unwrap()], &input);
        assert_eq!(code(&out), 2, "{text}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!("slack-notify: {}: ", path.display())),
            "{err}"
        );
        assert!(err.contains(what) && err.contains(line), "{text}: {err}");
        assert!(out.stdout.is_empty());
    }
    // a missing file and a webhook (one fixed channel) are refused too
    let out = slack(&env, &["--route", "/nonexistent/routes.yml"], &input);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("/nonexistent/routes.yml"));
    let ok_routes = env.file("routes.yml", ROUTES);
    let out = slack(
        &env,
        &[
            "--route",
            ok_routes.to_str().unwrap(),
            "--webhook-url",
            &format!("{}{}", env.sim().url(), octo_sim::slack::WEBHOOK_PATH),
        ],
        &input,
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--route needs chat.postMessage"));
    assert!(routed_messages(&env).is_empty());
}

#[test]
fn output_flags_format_columns_and_no_header() {
    let env = TestEnv::response();
    let input = lines(&[critical_event(), action("skipped")]);
    let run = |extra: &[&str]| {
        let mut args = vec!["--dry-run"];
        args.extend_from_slice(extra);
        let out = env.run("slack-notify", Keys::Read, &args, &input);
        ok(&out);
        stdout(&out)
    };
    assert_eq!(
        run(&["-o", "csv", "-c", "line,status,channel"]),
        "line,status,channel\n1,dry-run,halo\n2,skipped,\n"
    );
    assert_eq!(
        run(&["-o", "csv", "-c", "line,status", "--no-header"]),
        "1,dry-run\n2,skipped\n"
    );
    let json: Value = serde_json::from_str(&run(&["-o", "json", "-c", "line"])).unwrap();
    assert_eq!(json, json!([{"line": 1}, {"line": 2}]));
    let table = run(&["-o", "table"]);
    assert!(
        table.starts_with("line  status   channel  reason"),
        "{table}"
    );
    assert_eq!(table.lines().count(), 3, "{table}");
    assert_eq!(
        run(&["-o", "table", "-c", "line,status", "--no-header"]),
        "1  dry-run\n2  skipped\n"
    );
    assert!(messages(&env).is_empty());
}
