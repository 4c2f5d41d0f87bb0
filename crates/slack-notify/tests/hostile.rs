//! Bad records in slack-notify's stream (issue 15 item 3): by default the run stops at the first
//! bad line (exit 3) after posting the records before it; with `--on-bad-record skip` every bad
//! line is named on stderr, every good record is handled exactly as without the bad lines, and
//! the run exits 4.

use octo_testkit::harness::{Keys, TestEnv, code, exits_with, jsonl, stderr, stdout};
use serde_json::{Value, json};

fn event(id: &str) -> Value {
    json!({"id": id, "type": "lids_rule_failed", "critical": true, "name": "x",
        "message": format!("message {id}"), "created_at": "2026-11-20T11:00:00.000Z",
        "server_hostname": "web-1", "server_group_name": "Web"})
}

#[test]
fn bad_lines_fail_by_default_and_are_skipped_and_named_with_skip() {
    let env = TestEnv::response();
    let (a, b) = (event("e1"), event("e2"));
    let good_only = format!("{a}\n\n\n\n{b}\n");
    let mixed = format!("{a}\n{{\"id\": 1,\n42\n[]\n{b}\n");

    let clean = env.run("slack-notify", Keys::Read, &["--dry-run"], &good_only);
    assert_eq!(code(&clean), 0, "{}", stderr(&clean));
    let lines: Vec<Value> = jsonl(&clean).iter().map(|r| r["line"].clone()).collect();
    assert_eq!(lines, vec![json!(1), json!(5)]);

    let out = env.run("slack-notify", Keys::Read, &["--dry-run"], &mixed);
    exits_with(&out, 3, "stdin:2: invalid JSON");
    assert_eq!(jsonl(&out), jsonl(&clean)[..1].to_vec());

    let out = env.run(
        "slack-notify",
        Keys::Read,
        &["--dry-run", "--on-bad-record", "skip"],
        &mixed,
    );
    let err = stderr(&out);
    assert_eq!(code(&out), 4, "{err}");
    assert_eq!(stdout(&out), stdout(&clean), "the good records, exactly");
    for named in [
        "skipped bad record: stdin:2: invalid JSON",
        "skipped bad record: stdin:3: expected a JSON object, found a number",
        "skipped bad record: stdin:4: expected a JSON object, found an array",
        "3 bad record(s) skipped",
    ] {
        assert!(err.contains(named), "wanted `{named}` in:\n{err}");
    }
}
