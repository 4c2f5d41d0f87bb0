//! One resolution of every Slack setting (flag > env > octo.yml `notify:` > default) with its
//! source, shown by `slack-notify doctor` (secrets redacted) with an `auth.test` reachability
//! check; the bot token from `notify.credential_process`, whose output never prints.

use std::process::Output;

use octo_testkit::harness::*;
use serde_json::{Value, json};

fn doctor(env: &TestEnv, vars: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = env.command("slack-notify", Keys::Read);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.args(args).arg("doctor").output().unwrap();
    env.assert_no_secrets(&out);
    out
}

fn settings(out: &Output) -> Value {
    let recs = jsonl(out);
    assert_eq!(recs.len(), 1, "{}", stderr(out));
    assert_eq!(recs[0]["record"], "slack-notify.doctor/v1");
    recs[0]["config"]["settings"].clone()
}

fn row(value: Value, source: &str) -> Value {
    json!({"value": value, "source": source})
}

#[test]
fn doctor_shows_each_setting_with_its_source_and_checks_the_token() {
    let env = TestEnv::response();
    let api = format!("{}/api", env.sim().url());
    let conf = env.file(
        "octo.yml",
        "notify:\n  channel: from-file\n  batch: 7\n  max_rps: 2\n  critical_only: yes\n",
    );
    let conf = conf.display().to_string();
    let out = doctor(
        &env,
        &[
            ("SLACK_API_TOKEN", octo_sim::slack::SLACK_TOKEN),
            ("SLACK_API_URL", &api),
        ],
        &["--config", &conf, "--batch", "3"],
    );
    ok(&out);
    let s = settings(&out);
    assert_eq!(s["config_file"], row(json!(conf), "flag --config"));
    assert_eq!(
        s["token"],
        row(json!("set (redacted)"), "env SLACK_API_TOKEN")
    );
    assert_eq!(s["webhook_url"], row(Value::Null, "default"));
    assert_eq!(s["api_url"], row(json!(api), "env SLACK_API_URL"));
    assert_eq!(
        s["channel"],
        row(json!("from-file"), &format!("file {conf}:notify.channel"))
    );
    assert_eq!(s["batch"], row(json!(3), "flag --batch"));
    assert_eq!(
        s["max_rps"],
        row(json!(2.0), &format!("file {conf}:notify.max_rps"))
    );
    assert_eq!(
        s["critical_only"],
        row(json!(true), &format!("file {conf}:notify.critical_only"))
    );
    let check = &jsonl(&out)[0]["checks"][0];
    assert_eq!(check["check"], "auth.test");
    assert_eq!(check["ok"], true);
    assert!(
        check["detail"]
            .as_str()
            .unwrap()
            .ends_with(" ms (team octo-sim, user octobot)"),
        "{check}"
    );
    assert_eq!(check["data"]["team_id"], "TSIM0000");

    // env beats the file, the default when nothing is set
    let out = doctor(
        &env,
        &[
            ("SLACK_API_TOKEN", octo_sim::slack::SLACK_TOKEN),
            ("SLACK_API_URL", &api),
            ("SLACK_CHANNEL", "from-env"),
        ],
        &["--config", &conf, "--channel", "from-flag"],
    );
    assert_eq!(
        settings(&out)["channel"],
        row(json!("from-flag"), "flag --channel")
    );
    let out = doctor(&env, &[("SLACK_CHANNEL", "from-env")], &["--config", &conf]);
    assert_eq!(
        settings(&out)["channel"],
        row(json!("from-env"), "env SLACK_CHANNEL")
    );
    let s = settings(&out);
    assert_eq!(
        s["batch"],
        row(json!(7), &format!("file {conf}:notify.batch"))
    );
    assert_eq!(s["api_url"], row(json!("https://slack.com/api"), "default"));
}

#[test]
fn doctor_fails_with_a_rejected_token_or_none() {
    let env = TestEnv::response();
    let api = format!("{}/api", env.sim().url());
    let out = doctor(
        &env,
        &[
            ("SLACK_API_TOKEN", "xoxb-wrong-0000"),
            ("SLACK_API_URL", &api),
        ],
        &[],
    );
    assert_eq!(code(&out), 1);
    assert!(!stdout(&out).contains("xoxb-wrong-0000"));
    let rec = &jsonl(&out)[0];
    assert_eq!(rec["ok"], false);
    assert_eq!(
        rec["checks"][0],
        json!({"check": "auth.test", "ok": false, "data": null,
            "detail": "Slack refused the token: invalid_auth (check env SLACK_API_TOKEN)"})
    );
    // no credentials at all: the configuration's failure, exit 2, the report still printed
    let out = doctor(&env, &[], &[]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        jsonl(&out)[0]["checks"][0]["detail"],
        "no Slack credentials: set SLACK_API_TOKEN (bot token) or pass --webhook-url"
    );
    // a bad value is a usage error naming its source
    let out = doctor(&env, &[("SLACK_API_URL", "ftp://x")], &[]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "slack-notify: env SLACK_API_URL: invalid Slack API URL `ftp://x`: scheme must be http or https"
    );
    let out = doctor(&env, &[], &["--batch", "0"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "slack-notify: flag --batch: batch must be between 1 and 100, got 0"
    );
}

/// A token only the credential command knows: it must never reach stdout or stderr.
const MARKER: &str = "xoxb-MARKER-d41c9e7b";

#[test]
fn token_from_credential_process_posts_and_never_prints() {
    let env = TestEnv::response()
        .secret(MARKER)
        .secret(octo_sim::slack::SLACK_TOKEN);
    let api = format!("{}/api", env.sim().url());
    let script = env.file(
        "slack-token.sh",
        &format!(
            "#!/bin/sh\nprintf '{{\"token\": \"%s\"}}' '{}'\n",
            octo_sim::slack::SLACK_TOKEN
        ),
    );
    let conf = env.file(
        "octo.yml",
        &format!(
            "notify:\n  credential_process: [sh, {}]\n",
            script.display()
        ),
    );
    let conf = conf.display().to_string();
    let out = doctor(&env, &[("SLACK_API_URL", &api)], &["--config", &conf]);
    ok(&out);
    assert_eq!(
        settings(&out)["token"],
        row(
            json!("set (redacted)"),
            &format!("file {conf}:notify.credential_process")
        )
    );
    let event = json!({"id": "e1", "type": "server_moved", "message": "m", "critical": false,
        "created_at": "2026-11-20T11:00:01.000Z", "server_hostname": "web-1"});
    let out = env
        .command("slack-notify", Keys::Read)
        .env("SLACK_API_URL", &api)
        .args(["--config", &conf])
        .write_stdin(lines(&[event]))
        .output()
        .unwrap();
    ok(&out);
    env.assert_no_secrets(&out);
    assert_eq!(
        env.state()["slack"]["messages"].as_array().unwrap().len(),
        1
    );

    // failing, bad JSON, a missing field: exit 2 naming the setting, never the output
    let cases = [
        (
            format!("echo '{{\"token\": \"{MARKER}\"}}'; echo {MARKER} >&2; exit 4"),
            "slack-notify: notify.credential_process: `sh` failed (exit status: 4); its output is not shown",
        ),
        (
            format!("echo 'token={MARKER}'"),
            "slack-notify: notify.credential_process: the command's output is not JSON (line 1 column 2); expected {\"token\": \"…\"}",
        ),
        (
            format!("echo '{{\"bot_token\": \"{MARKER}\"}}'"),
            "slack-notify: notify.credential_process: the command's output has no field `token`; expected {\"token\": \"…\"}",
        ),
    ];
    for (script, want) in cases {
        let path = env.file("bad.sh", &script);
        let conf = env.file(
            "bad.yml",
            &format!("notify:\n  credential_process: [sh, {}]\n", path.display()),
        );
        for args in [vec![], vec!["doctor"]] {
            let out = env
                .command("slack-notify", Keys::Read)
                .env("SLACK_API_URL", &api)
                .arg("--config")
                .arg(&conf)
                .args(&args)
                .write_stdin("")
                .output()
                .unwrap();
            assert_eq!(code(&out), 2);
            assert_eq!(stderr(&out).trim(), want);
            env.assert_no_secrets(&out);
        }
    }
}
