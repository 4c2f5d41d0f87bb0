use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::{Value, json};

use super::{CONTRACTS, contract};
use crate::assert_record;

/// One valid record per schema, in the schema's field order.
fn samples() -> Vec<(&'static str, Value)> {
    vec![
        (
            "ec2-delta.instance.v1",
            json!({"record": "ec2-delta.instance/v1", "instance_id": "i-0abc", "aws_account": "123456789012",
                "aws_region": "eu-west-1", "key_name": "", "launch_time": "2018-05-02T09:14:55+00:00",
                "vpc_id": "vpc-1", "state": "shutting-down", "instance_type": "t3.micro",
                "private_ip": "10.0.0.5", "public_ip": "", "name": "web", "tags": {"Name": "web", "env": "prod"}}),
        ),
        (
            "event-export.manifest.v1",
            json!({"record": "event-export.manifest/v1", "tool": "event-export", "version": "0.1.0",
                "kind": "events", "layout": "hive",
                "window": {"since": "2026-11-19T00:00:00.000Z", "until": "2026-11-20T00:00:00.000Z"},
                "records": 2, "first_created_at": "2026-11-19T00:00:01.000Z",
                "last_created_at": "2026-11-19T00:00:02.000Z",
                "parts": [{"key": "events/dt=2026-11-19/part-00000.jsonl.gz", "records": 2, "bytes": 90,
                    "sha256": "ab", "first_created_at": "2026-11-19T00:00:01.000Z",
                    "last_created_at": "2026-11-19T00:00:02.000Z"}]}),
        ),
        (
            "fw-graph.edge.v1",
            json!({"record": "fw-graph.edge/v1", "chain": "INPUT", "action": "ACCEPT", "position": 2,
                "active": true, "count": 2, "from": "load-balancers", "from_type": "Group",
                "service": "TCP/443", "to": "web-servers", "to_type": "workload", "policy": "Web tier FW",
                "policy_id": null}),
        ),
        (
            "halo-query.group.v1",
            json!({"record": "halo-query.group/v1",
                "group": {"id": "g2", "name": "Web", "group_path": "Root/Web", "server_counts": {"active": 3}},
                "parent": {"id": "g1", "name": "Root", "group_path": null},
                "policies": {"linux_firewall": {"id": "f1", "name": "FW"}, "windows_firewall": null,
                    "csm_linux": [{"id": "c1", "name": null}], "csm_windows": [], "fim_linux": [],
                    "fim_windows": [], "lids": [], "special_events": null},
                "issues": {"critical": 1, "non_critical": 2, "total": 3}}),
        ),
        (
            "ipblock.action.v1",
            json!({"record": "ipblock.action/v1", "action": "block", "status": "planned",
                "reason": "lids_rule_failed", "event_id": "e1", "event_type": "lids_rule_failed",
                "ip": "203.0.113.7", "zone_id": null, "zone_name": "halo-ipblocker", "expires_at": null}),
        ),
        (
            "quarantine.action.v1",
            json!({"record": "quarantine.action/v1", "action": "quarantine", "status": "applied",
                "reason": "moved", "event_id": "e1", "event_type": "lids_rule_failed", "server_id": "s1",
                "server_hostname": "web-1", "from_group_id": "g1", "from_group_name": "q-test",
                "to_group_id": "g9", "to_group_name": "Quarantine"}),
        ),
        (
            "scan-export.manifest.v1",
            json!({"record": "scan-export.manifest/v1", "tool": "scan-export", "version": "0.1.0",
                "kind": "scans", "layout": "legacy",
                "window": {"since": "2026-11-19T00:00:00.000Z", "until": "2026-11-20T00:00:00.000Z"},
                "records": 0, "first_created_at": null, "last_created_at": null, "parts": []}),
        ),
        (
            "sec-takedown.count.v1",
            json!({"record": "sec-takedown.count/v1", "by": "month", "key": "2026-11", "count": 3}),
        ),
        (
            "sec-takedown.incident.v1",
            json!({"record": "sec-takedown.incident/v1", "ticket_id": 7,
                "ticket_url": "https://support.example.org/helpdesk/tickets/7", "subject": "Security",
                "status": 4, "created_at": "2026-11-19T10:00:00Z", "updated_at": "2026-11-19T11:00:00Z",
                "instance_id": "u1", "instance_name": "web01", "project_id": "p1",
                "project_name": "genomics-lab", "owner_email": null, "image_id": "i1", "image_name": "Ubuntu",
                "flavor": "m3.small", "outcome": "deleted", "unlocked_at": null,
                "deleted_at": "2026-11-19T11:00:00Z"}),
        ),
        (
            "sec-takedown.info.v1",
            json!({"record": "sec-takedown.info/v1",
                "server": {"id": "u1", "name": "web01", "status": "ACTIVE", "vm_state": "active",
                    "task_state": null, "locked": false, "locked_reason": null,
                    "created": "2026-11-01T00:00:00Z", "updated": "2026-11-01T00:00:00Z",
                    "launched_at": "2026-11-01T00:00:01.000000", "availability_zone": "nova", "host": null,
                    "key_name": null, "metadata": {"security_ticket": "https://x/helpdesk/tickets/7"}},
                "flavor": {"name": "m3.small", "vcpus": 2, "ram_mb": 4096, "disk_gb": 30,
                    "ephemeral_gb": 0, "swap_mb": 0},
                "image": {"id": "i1", "name": null, "error": "Image not found"},
                "addresses": [{"network": "qh2", "addr": "10.0.0.5", "version": 4, "type": "fixed",
                    "mac": "fa:16:3e:00:00:01"}],
                "ports": [{"id": "p1", "mac_address": "fa:16:3e:00:00:01", "admin_state_up": true,
                    "port_security_enabled": null, "fixed_ips": ["10.0.0.5"]}],
                "security_groups": [{"id": "sg1", "name": "default",
                    "rules": ["ingress, IPv4, 22/tcp, remote_ip_prefix: 0.0.0.0/0"]}],
                "project": {"id": "p1", "name": "genomics-lab", "description": null},
                "owner": {"id": "u9", "name": "alice", "full_name": null, "email": "alice@example.edu"},
                "managers": [{"id": "u8", "name": "bob", "email": null, "enabled": true}],
                "manager_role": "TenantManager",
                "instance_actions": [{"action": "create", "start_time": "2026-11-01T00:00:00.000000",
                    "user_id": "u9", "request_id": "req-1", "message": null}],
                "takedown": {"ticket_url": "https://x/helpdesk/tickets/7", "step": null, "at": null,
                    "by": null, "snapshot": null}}),
        ),
        (
            "sec-takedown.step.v1",
            json!({"record": "sec-takedown.step/v1", "command": "takedown", "step": "snapshot",
                "status": "planned", "dry_run": false, "server_id": "u1", "server_name": null,
                "detail": "createImage", "calls": ["Nova POST /servers/u1/action {\"createImage\":{}}"],
                "request_id": null, "ticket_id": 7, "ticket_url": null, "at": "2026-11-19T10:00:00Z"}),
        ),
        (
            "octo-bot.request.v1",
            json!({"record": "octo-bot.request/v1", "at": "2026-11-20T12:00:01.250Z", "via": "mention",
                "user": "USIMOPS01", "channel": "CSIMSECOPS", "text": "servers Root/Prod", "command": "servers",
                "result": "answered", "reply": "message", "records": 7, "error": null,
                "envelope_id": "e-1", "event_id": "Ev00000001", "retry_attempt": 0, "elapsed_ms": 41}),
        ),
        (
            "slack-notify.message.v1",
            json!({"record": "slack-notify.message/v1", "line": 3, "status": "dry-run", "reason": "",
                "channel": null, "ts": null, "text": "web-1: lids_rule_failed"}),
        ),
    ]
}

fn schema_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bin-docs/schemas")
}

fn fails(record: &Value, name: &str) -> bool {
    catch_unwind(AssertUnwindSafe(|| assert_record(record, name))).is_err()
}

#[test]
fn every_schema_file_has_a_contract_type_and_a_sample() {
    let files: BTreeSet<String> = std::fs::read_dir(schema_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .map(|n| {
            n.strip_suffix(".json")
                .expect("only .json schemas")
                .to_string()
        })
        .collect();
    let typed: BTreeSet<String> = CONTRACTS.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(files, typed, "schema files vs contract types");
    let sampled: BTreeSet<String> = samples().iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(files, sampled, "schema files vs samples of this test");
    assert!(contract("nope.v1").is_none());
}

#[test]
fn the_samples_hold_to_their_contracts() {
    for (name, record) in samples() {
        assert_record(&record, name);
    }
}

/// Variants the samples do not show: the other two image shapes of `info`.
#[test]
fn info_images_are_one_of_three_shapes() {
    let (name, mut info) = samples().swap_remove(9);
    assert_eq!(name, "sec-takedown.info.v1");
    for image in [
        json!({"boot_from_volume": true}),
        json!({"id": "i1", "name": "Ubuntu", "status": "active", "nectar_build": "38",
            "visibility": "public", "owner": "o1"}),
    ] {
        info["image"] = image;
        assert_record(&info, name);
    }
    for bad in [
        json!({"boot_from_volume": false}),
        json!({"id": "i1", "name": "Ubuntu", "error": "Image not found"}),
        json!({"id": "i1", "name": "Ubuntu", "status": "active"}),
        json!({}),
    ] {
        info["image"] = bad.clone();
        assert!(fails(&info, name), "{bad} was accepted");
        assert!(contract(name).unwrap()(&info).is_err(), "{bad}");
    }
}

#[test]
fn an_extra_field_fails_the_schema_and_the_contract_type_alone() {
    for (name, mut record) in samples() {
        record["unexpected"] = json!(1);
        assert!(fails(&record, name), "{name}: an extra field passed");
        let err = contract(name).unwrap()(&record).unwrap_err();
        assert!(err.contains("unknown field `unexpected`"), "{name}: {err}");
    }
}

#[test]
fn a_missing_required_field_fails_the_schema_and_the_contract_type_alone() {
    for (name, record) in samples() {
        for key in record.as_object().unwrap().keys() {
            let mut r = record.clone();
            r.as_object_mut().unwrap().shift_remove(key);
            assert!(fails(&r, name), "{name}: without {key} it passed");
            // even a nullable field (an Option) may not be left out
            let err = contract(name).unwrap()(&r).unwrap_err();
            assert!(
                err.contains(&format!("missing field `{key}`")),
                "{name}: {err}"
            );
        }
    }
}

#[test]
fn nested_objects_are_closed_too() {
    for (name, path) in [
        ("event-export.manifest.v1", "/parts/0"),
        ("event-export.manifest.v1", "/window"),
        ("halo-query.group.v1", "/parent"),
        ("halo-query.group.v1", "/policies/csm_linux/0"),
        ("sec-takedown.info.v1", "/server"),
        ("sec-takedown.info.v1", "/ports/0"),
        ("sec-takedown.info.v1", "/takedown"),
    ] {
        let (_, mut record) = samples().into_iter().find(|(n, _)| *n == name).unwrap();
        record.pointer_mut(path).unwrap()["extra"] = json!(null);
        assert!(fails(&record, name), "{name} {path}");
        assert!(contract(name).unwrap()(&record).is_err(), "{name} {path}");
    }
    // ... except the free-form upstream parts
    let (name, mut record) = samples().swap_remove(3);
    record["group"]["any_api_field"] = json!({"x": [1]});
    assert_record(&record, name);
}

#[test]
fn a_wrong_value_fails() {
    let (name, record) = samples().swap_remove(5);
    for (key, bad) in [
        ("record", json!("quarantine.action/v2")),
        ("status", json!("done")),
        ("server_id", json!(null)),
        ("from_group_id", json!(7)),
    ] {
        let mut r = record.clone();
        r[key] = bad.clone();
        assert!(fails(&r, name), "{key}={bad}");
        assert!(contract(name).unwrap()(&r).is_err(), "{key}={bad}");
    }
    // a date-time field must be one (format is checked)
    let (name, mut step) = samples().swap_remove(10);
    step["at"] = json!("yesterday");
    assert!(fails(&step, name));
}

#[test]
fn fields_out_of_the_schema_order_fail() {
    let (name, record) = samples().swap_remove(7);
    let mut m = record.as_object().unwrap().clone();
    let count = m.shift_remove("count").unwrap();
    m.shift_insert(0, "count".into(), count);
    let reordered = Value::Object(m);
    assert_eq!(reordered, record, "equal as JSON values");
    assert!(fails(&reordered, name));
}
