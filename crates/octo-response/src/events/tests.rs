use super::*;
use serde_json::json;

fn rec(v: Value) -> Record {
    Record::from_value(1, v).expect("an object")
}

#[test]
fn trigger_matching() {
    let t = Trigger::new(
        &[EventType("lids_rule_failed".into())],
        true,
        Some(&["q-test".to_string()]),
    );
    let ev =
        rec(json!({"type": "lids_rule_failed", "critical": true, "server_group_name": "q-test"}));
    assert!(t.matches("lids_rule_failed", &ev));
    let ev =
        rec(json!({"type": "lids_rule_failed", "critical": false, "server_group_name": "q-test"}));
    assert!(!t.matches("lids_rule_failed", &ev));
    let ev = rec(json!({"type": "lids_rule_failed", "critical": true, "server_group_name": "Web"}));
    assert!(!t.matches("lids_rule_failed", &ev));
    let ev = rec(json!({"type": "lids_rule_failed", "critical": true}));
    assert!(
        !t.matches("lids_rule_failed", &ev),
        "events without a group never match"
    );
    let ev =
        rec(json!({"type": "sca_rule_failed", "critical": true, "server_group_name": "q-test"}));
    assert!(!t.matches("sca_rule_failed", &ev));
    let any_group = Trigger::new(&[EventType("lids_rule_failed".into())], false, None);
    let ev = rec(json!({"type": "LIDS_RULE_FAILED"}));
    let ty = event_type("stdin", &ev).unwrap();
    assert!(any_group.matches(&ty, &ev));
    let e = event_type("stdin", &rec(json!({"id": "x"}))).unwrap_err();
    assert_eq!(
        e.to_string(),
        "stdin:1: field `type`: required field is missing"
    );
}

fn matches_of(input: &str, trigger: &Trigger) -> Vec<Result<(u64, String), String>> {
    let reader: Box<dyn BufRead> = Box::new(std::io::Cursor::new(input.as_bytes().to_vec()));
    let mut src = EventSource::Jsonl(JsonlReader::new("in", reader));
    octo_core::block_on(async {
        let mut out = Vec::new();
        while let Some(m) = src.next_match(trigger).await {
            match m {
                Ok((r, t)) => out.push(Ok((r.line, t))),
                Err(e) => {
                    out.push(Err(e.to_string()));
                    break;
                }
            }
        }
        out
    })
}

#[test]
fn fast_path_agrees_with_the_full_rule() {
    let t = Trigger::new(
        &[EventType("lids_rule_failed".into())],
        true,
        Some(&["q-test".to_string()]),
    );
    let input = r#"{"type":"lids_rule_failed","critical":true,"server_group_name":"q-test","x":{"y":[1,2]}}
{"type":"sca_rule_failed","critical":true,"server_group_name":"q-test"}

{"type":"LIDS_RULE_FAILED","critical":true,"server_group_name":"q-test"}
{"type":"lids_rule_failed","critical":"true","server_group_name":"q-test"}
{"type":"lids_rule_failed","type":"sca_rule_failed","critical":true,"server_group_name":"q-test"}
{"type":"sca_rule_failed","type":"lids_rule_failed","critical":true,"server_group_name":"q-test"}
{"type":"lids_rule_failed","critical":true,"server_group_name":"Web"}
"#;
    assert_eq!(
        matches_of(input, &t),
        vec![
            Ok((1, "lids_rule_failed".to_string())),
            Ok((4, "lids_rule_failed".to_string())),
            Ok((7, "lids_rule_failed".to_string())),
        ]
    );
    let bad = "{\"type\":\"sca_rule_failed\"}\n{\"type\":\"sca_rule_failed\",}\n";
    assert_eq!(
        matches_of(bad, &t),
        vec![Err(
            "in:2: invalid JSON: trailing comma (column 27)".to_string()
        )]
    );
    assert_eq!(
        matches_of("{\"id\":1}\n", &t),
        vec![Err(
            "in:1: field `type`: required field is missing".to_string()
        )]
    );
    assert_eq!(
        matches_of("[{\"type\":\"lids_rule_failed\"}]\n", &t),
        vec![Err(
            "in:1: expected a JSON object, found an array".to_string()
        )]
    );
}
