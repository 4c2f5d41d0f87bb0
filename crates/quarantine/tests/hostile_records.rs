//! Bad records in quarantine's event stream (issue 15 item 3): by default the run stops at the
//! first bad line (exit 3, the line named); with `--on-bad-record skip` every bad line is named
//! on stderr, every good event is handled exactly as in a stream without the bad lines, and the
//! run exits 4.

use octo_testkit::harness::{Keys, TestEnv, code, exits_with, jsonl, stderr, stdout};
use serde_json::{Value, json};

const CONF: &str = "quarantine:
  enabled: true
  trigger_group_names: [q-test]
  quarantine_group_name: Quarantine
  trigger_events: [lids_rule_failed]
  trigger_only_on_critical: true
";

fn ev(id: &str, server: &str) -> Value {
    json!({"id": id, "type": "lids_rule_failed", "name": "x", "message": "m",
        "created_at": "2026-11-20T11:00:00.000Z", "critical": true, "server_id": server,
        "server_hostname": "h", "server_group_name": "q-test"})
}

#[test]
fn bad_lines_fail_by_default_and_are_skipped_and_named_with_skip() {
    let env = TestEnv::response();
    let conf = env.file("octo.yml", CONF);
    let conf = conf.to_str().unwrap();
    let q = env.servers_in("Root/q-test");
    let (good1, good2) = (ev("e1", &q[0]), ev("e2", &q[1]));
    let mut no_server = ev("e3", &q[2]);
    no_server.as_object_mut().unwrap().remove("server_id");
    let good_only = format!("{good1}\n{good2}\n");
    let mixed = format!("{good1}\n{{\"id\": \"e9\", \n[1, 2]\n{no_server}\n{good2}\n");

    let clean = env.run("quarantine", Keys::Read, &["--config", conf], &good_only);
    assert_eq!(code(&clean), 0, "{}", stderr(&clean));
    let planned: Vec<Value> = jsonl(&clean)
        .iter()
        .map(|r| json!([r["event_id"], r["status"]]))
        .collect();
    assert_eq!(
        planned,
        vec![json!(["e1", "planned"]), json!(["e2", "planned"])]
    );

    // default: stop at line 2, after handling line 1
    let out = env.run("quarantine", Keys::Read, &["--config", conf], &mixed);
    exits_with(&out, 3, "stdin:2: invalid JSON");
    assert_eq!(
        stdout(&out),
        stdout(&clean).lines().next().unwrap().to_string() + "\n"
    );
    let explicit = env.run(
        "quarantine",
        Keys::Read,
        &["--config", conf, "--on-bad-record", "fail"],
        &mixed,
    );
    assert_eq!((code(&explicit), explicit.stdout), (3, out.stdout));

    let out = env.run(
        "quarantine",
        Keys::Read,
        &["--config", conf, "--on-bad-record", "skip"],
        &mixed,
    );
    let err = stderr(&out);
    assert_eq!(code(&out), 4, "{err}");
    assert_eq!(stdout(&out), stdout(&clean), "the good events, exactly");
    for named in [
        "skipped bad record: stdin:2: invalid JSON",
        "skipped bad record: stdin:3: expected a JSON object, found an array",
        "skipped bad record: stdin:4: field `server_id`: required field is missing",
        "3 bad record(s) skipped",
    ] {
        assert!(err.contains(named), "wanted `{named}` in:\n{err}");
    }
    assert!(
        !err.contains("stdin:1:") && !err.contains("stdin:5:"),
        "{err}"
    );
}
