//! Bad records in ipblock's event stream (issue 15 item 3): by default the run stops at the
//! first bad line (exit 3); with `--on-bad-record skip` every bad line is named on stderr
//! (sanitized: an escape character in the input never reaches stderr raw), every good event is
//! handled exactly as without the bad lines, and the run exits 4.

use octo_testkit::harness::{Keys, TestEnv, code, exits_with, jsonl, stderr, stdout};
use serde_json::{Value, json};

const CONF: &str = "ipblocker:\n  enabled: true\n  ip_zone_name: halo-ipblocker\n  trigger_events: [lids_rule_failed]\n  trigger_only_on_critical: true\n";

fn ev(id: &str, ip: &str) -> Value {
    json!({"id": id, "type": "lids_rule_failed", "critical": true,
        "message": format!("sshd: Failed password for root from {ip} port 52144 ssh2"),
        "created_at": "2026-11-20T11:00:00.000Z", "server_id": "s", "server_group_name": "Web"})
}

#[test]
fn bad_lines_fail_by_default_and_are_skipped_and_named_with_skip() {
    let env = TestEnv::response();
    let conf = env.file("octo.yml", CONF);
    let conf = conf.to_str().unwrap();
    let (good1, good2) = (ev("e1", "203.0.113.7"), ev("e2", "203.0.113.8"));
    let mut bad_type = ev("e3", "203.0.113.9");
    bad_type["type"] = json!(7);
    let good_only = format!("{good1}\n{good2}\n");
    let mixed = format!("{good1}\nnot json \u{1b}[31m\n\"a string\"\n{bad_type}\n{good2}\n");

    let clean = env.run("ipblock", Keys::Read, &["--config", conf], &good_only);
    assert_eq!(code(&clean), 0, "{}", stderr(&clean));
    assert_eq!(stdout(&clean).lines().count(), 2, "{}", stdout(&clean));

    let out = env.run("ipblock", Keys::Read, &["--config", conf], &mixed);
    exits_with(&out, 3, "stdin:2: invalid JSON");

    let out = env.run(
        "ipblock",
        Keys::Read,
        &["--config", conf, "--on-bad-record", "skip"],
        &mixed,
    );
    let err = stderr(&out);
    assert_eq!(code(&out), 4, "{err}");
    assert_eq!(
        without_expiry(&out),
        without_expiry(&clean),
        "the good events, exactly"
    );
    for named in [
        "skipped bad record: stdin:2: invalid JSON",
        "skipped bad record: stdin:3: expected a JSON object, found a string",
        "skipped bad record: stdin:4: field `type`",
        "3 bad record(s) skipped",
    ] {
        assert!(err.contains(named), "wanted `{named}` in:\n{err}");
    }
    assert!(!err.contains('\u{1b}'), "a raw ESC on stderr: {err:?}");
}

/// The records of a run without `expires_at` (now + block_for, on the wall clock).
fn without_expiry(out: &std::process::Output) -> Vec<Value> {
    jsonl(out)
        .into_iter()
        .map(|mut r| {
            let at = r.as_object_mut().unwrap().remove("expires_at");
            assert!(at.is_some_and(|t| t.is_string()), "{r}");
            r
        })
        .collect()
}
