//! ipblock against octo-sim: extraction and never-block policy, merge that keeps the zone intact
//! under concurrent writers, durable expiry across runs, unblock, config, bad input, faults.

use std::path::Path;

use octo_testkit::harness::*;
use serde_json::{Value, json};

const OWN_IP: &str = "192.0.2.200";
const SEED_ZONE: &str = "203.0.113.250";
const SEED_DESC: &str = "IPs blocked by ipblock (IP-Blocker)";

fn conf(extra: &str) -> String {
    format!(
        "ipblocker:\n  enabled: true\n  ip_zone_name: halo-ipblocker\n  trigger_events: [lids_rule_failed]\n  trigger_only_on_critical: true\n  never_block: [198.18.0.0/15]\n{extra}"
    )
}

fn ev(id: &str, critical: bool, message: &str) -> Value {
    json!({"id": id, "type": "lids_rule_failed", "message": message, "critical": critical,
        "created_at": "2026-11-20T11:00:00.000Z", "server_id": "s", "server_group_name": "Web"})
}

fn sshd(ip: &str) -> String {
    format!("sshd: Failed password for root from {ip} port 52144 ssh2")
}

fn setup() -> TestEnv {
    let env = TestEnv::response();
    env.sim().add_server(
        json!({"hostname": "own-1", "connecting_ip_address": OWN_IP, "state": "active"}),
    );
    env
}

fn events() -> String {
    lines(&[
        ev("e1", true, &sshd("203.0.113.7")),
        ev("e2", true, &sshd("2001:db8::66")),
        ev("e3", true, &sshd("999.1.1.1")),
        ev("e4", true, &sshd("10.1.2.3")),
        ev("e5", true, &sshd(OWN_IP)),
        ev("e6", true, &sshd(SEED_ZONE)),
        ev("e7", true, &sshd("203.0.113.7")),
        ev("e8", false, &sshd("203.0.113.8")),
        ev("e9", true, &sshd("198.18.0.9")),
        ev("e10", true, "sshd: session closed"),
        ev("e11", true, &sshd("fe80::1")),
    ])
}

fn zone(env: &TestEnv) -> Value {
    env.state()["firewall_zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["name"] == "halo-ipblocker")
        .unwrap()
        .clone()
}

fn brief(recs: &[Value]) -> Vec<(String, String, String)> {
    recs.iter()
        .map(|r| {
            (
                r["event_id"].as_str().unwrap_or("").to_string(),
                r["ip"].as_str().unwrap_or("").to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn t(e: &str, ip: &str, s: &str) -> (String, String, String) {
    (e.into(), ip.into(), s.into())
}

/// `ipblock --config C ARGS < input` with `keys`, which must exit 0; its records.
fn records(env: &TestEnv, keys: Keys, c: &Path, args: &[&str], input: &str) -> Vec<Value> {
    let out = env.run_with_config("ipblock", keys, c, args, input);
    ok(&out);
    jsonl(&out)
}

fn puts(env: &TestEnv) -> usize {
    env.mutations()
        .iter()
        .filter(|m| m["method"] == "PUT")
        .count()
}

#[test]
fn plan_extracts_validates_and_never_blocks_reserved_and_own_addresses() {
    let env = setup();
    let c = env.file("octo.yml", &conf(""));
    let recs = records(&env, Keys::Read, &c, &[], &events());
    assert_eq!(
        brief(&recs),
        vec![
            t("e1", "203.0.113.7", "planned"),
            t("e2", "2001:db8::66", "planned"),
            t("e3", "999.1.1.1", "skipped"),
            t("e4", "10.1.2.3", "skipped"),
            t("e5", OWN_IP, "skipped"),
            t("e6", SEED_ZONE, "unchanged"),
            t("e7", "203.0.113.7", "skipped"),
            t("e9", "198.18.0.9", "skipped"),
            t("e10", "", "skipped"),
            t("e11", "fe80::1", "skipped"),
        ]
    );
    let reasons: Vec<&str> = recs.iter().map(|r| r["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons[0], "offending address of a lids_rule_failed event");
    assert_eq!(reasons[2], "`999.1.1.1` is not a valid IP address");
    assert_eq!(reasons[3], "never blocked: private address");
    assert!(
        reasons[4].starts_with("never blocked: address of Halo server own-1 ("),
        "{}",
        reasons[4]
    );
    assert_eq!(reasons[5], "already in the zone");
    assert_eq!(
        reasons[6],
        "duplicate: address already handled in this run (event e1)"
    );
    assert_eq!(
        reasons[7],
        "never blocked: in ipblocker.never_block 198.18.0.0/15"
    );
    assert_eq!(reasons[8], "no IP address in the event");
    assert_eq!(reasons[9], "never blocked: link-local address");
    assert!(recs[0]["expires_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(recs[0]["zone_name"], "halo-ipblocker");
    octo_testkit::assert_records(&recs, "ipblock.action.v1");
    assert!(env.mutations().is_empty(), "a plan must not write");
    assert_eq!(zone(&env)["ip_address"], SEED_ZONE);
    // the old --dry-run is accepted and is the same plan
    let again = env.run_with_config("ipblock", Keys::Read, &c, &["--dry-run"], &events());
    ok(&again);
    assert_eq!(brief(&jsonl(&again)), brief(&recs));
    assert!(env.mutations().is_empty(), "--dry-run must not write");
}

#[test]
fn mapped_addresses_are_their_ipv4_address_and_longer_dotted_runs_are_not_addresses() {
    let env = setup();
    let c = env.file("octo.yml", &conf(""));
    let input = lines(&[
        ev("m1", true, "connection from ::ffff:10.0.0.1 dropped"),
        ev("m2", true, "probe by ::ffff:203.0.113.44 refused"),
        ev("m3", true, "package 1.2.3.4.5 installed"),
    ]);
    let recs = records(&env, Keys::Read, &c, &[], &input);
    assert_eq!(
        brief(&recs),
        vec![
            t("m1", "10.0.0.1", "skipped"),
            t("m2", "203.0.113.44", "planned"),
            t("m3", "", "skipped"),
        ]
    );
    let reasons: Vec<&str> = recs.iter().map(|r| r["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons[0], "never blocked: private address");
    assert_eq!(reasons[2], "no IP address in the event");
}

#[test]
fn apply_merges_into_the_zone_keeping_it_intact_and_rerun_changes_nothing() {
    let env = setup();
    let c = env.file("octo.yml", &conf(""));
    let recs = records(&env, Keys::ReadWrite, &c, &["--apply"], &events());
    let b = brief(&recs);
    assert_eq!(
        b[0..4],
        [
            t("e1", "203.0.113.7", "planned"),
            t("e1", "203.0.113.7", "applied"),
            t("e2", "2001:db8::66", "planned"),
            t("e2", "2001:db8::66", "applied"),
        ]
    );
    assert_eq!(recs[1]["reason"], "added to the zone");
    let z = zone(&env);
    assert_eq!(
        z["ip_address"],
        format!("{SEED_ZONE},203.0.113.7,2001:db8::66")
    );
    let until = recs[1]["expires_at"].as_str().unwrap();
    let until6 = recs[3]["expires_at"].as_str().unwrap();
    assert_eq!(
        z["description"],
        format!(
            "{SEED_DESC}\noctobox-ipblock: 203.0.113.7 until {until}\noctobox-ipblock: 2001:db8::66 until {until6}"
        )
    );
    assert_eq!(puts(&env), 2);
    octo_testkit::assert_records(&recs, "ipblock.action.v1");
    // again: both already there, nothing written
    let out = env.run_with_config("ipblock", Keys::ReadWrite, &c, &["--apply"], &events());
    ok(&out);
    let b = brief(&jsonl(&out));
    assert_eq!(
        b[0..2],
        [
            t("e1", "203.0.113.7", "unchanged"),
            t("e2", "2001:db8::66", "unchanged")
        ]
    );
    assert_eq!(puts(&env), 2);
}

/// Block 203.0.113.7 (`--apply`) while another tool writes the zone's list as
/// `SEED_ZONE,other` after `after_requests` requests to it: the block is applied, merged again
/// after that one change, the other tool's entry is kept, in `puts_wanted` PUTs.
fn block_racing(after_requests: u32, other: &str, puts_wanted: usize) {
    let env = setup();
    let c = env.file("octo.yml", &conf(""));
    let zid = zone(&env)["id"].as_str().unwrap().to_string();
    env.sim().race_zone(octo_sim::ZoneRace {
        zone_id: zid,
        after_requests,
        ip_address: format!("{SEED_ZONE},{other}"),
    });
    let input = lines(&[ev("e1", true, &sshd("203.0.113.7"))]);
    let recs = records(&env, Keys::ReadWrite, &c, &["--apply"], &input);
    assert_eq!(recs[1]["status"], "applied");
    assert_eq!(
        recs[1]["reason"],
        "added to the zone (merged again after 1 concurrent change)"
    );
    assert_eq!(
        zone(&env)["ip_address"],
        format!("{SEED_ZONE},{other},203.0.113.7")
    );
    assert_eq!(puts(&env), puts_wanted);
}

#[test]
fn a_write_between_our_read_and_our_write_is_merged_not_lost() {
    // `setup` reads the zone once (request 1); the merge reads it (2), and right after that
    // read another tool writes its own list
    block_racing(2, "198.51.100.77", 1);
}

#[test]
fn a_stale_writer_dropping_our_entry_after_our_write_is_detected_and_merged_again() {
    // requests: setup GET (1), merge GET (2), GET (3), PUT (4) — then a tool that read the zone
    // before our PUT writes its list back, without our address
    block_racing(4, "198.51.100.88", 2);
}

#[test]
fn expiry_survives_between_runs_and_removes_only_our_blocks() {
    let env = setup();
    let c = env.file("octo.yml", &conf("  block_for: 5s\n"));
    let out = env.run_with_config(
        "ipblock",
        Keys::ReadWrite,
        &c,
        &["--apply"],
        &lines(&[
            ev("e1", true, &sshd("203.0.113.7")),
            ev("e2", true, &sshd(SEED_ZONE)),
        ]),
    );
    ok(&out);
    assert_eq!(
        brief(&jsonl(&out)),
        vec![
            t("e1", "203.0.113.7", "planned"),
            t("e1", "203.0.113.7", "applied"),
            t("e2", SEED_ZONE, "unchanged"),
        ]
    );
    let until = jsonl(&out)[1]["expires_at"].as_str().unwrap().to_string();
    // a separate run, before the time: nothing due; with --at in the future: planned only
    let r = records(&env, Keys::Read, &c, &["expire"], "");
    assert_eq!(brief(&r), vec![t("", "203.0.113.7", "skipped")]);
    assert_eq!(r[0]["reason"], format!("not due until {until}"));
    let out = env.run_with_config("ipblock", Keys::Read, &c, &["expire", "--at", "+1h"], "");
    ok(&out);
    assert_eq!(brief(&jsonl(&out)), vec![t("", "203.0.113.7", "planned")]);
    assert_eq!(puts(&env), 1);
    // The block's time runs out: instead of waiting for it on the wall clock, its expiry record
    // (in the zone's description) is moved into the past through the Halo API, as another
    // ipblock run or an operator would write it.
    let z = zone(&env);
    let ended = "2026-01-01T00:00:00Z".to_string();
    let desc = z["description"].as_str().unwrap();
    assert!(desc.contains(&until), "{desc}");
    let (status, body) = env.halo_api(
        "PUT",
        &format!("/v1/firewall_zones/{}", z["id"].as_str().unwrap()),
        &json!({"firewall_zone": {"ip_address": z["ip_address"], "description": desc.replace(&until, &ended)}}),
    );
    assert_eq!(status, 204, "{body}");
    let until = ended;
    let r = records(&env, Keys::ReadWrite, &c, &["expire", "--apply"], "");
    assert_eq!(
        brief(&r),
        vec![
            t("", "203.0.113.7", "planned"),
            t("", "203.0.113.7", "applied")
        ]
    );
    assert_eq!(r[0]["reason"], format!("block expired at {until}"));
    assert_eq!(r[1]["reason"], "removed from the zone");
    let z = zone(&env);
    assert_eq!(z["ip_address"], SEED_ZONE, "the entry we did not add stays");
    assert_eq!(z["description"], SEED_DESC);
    let out = env.run_with_config("ipblock", Keys::ReadWrite, &c, &["expire", "--apply"], "");
    ok(&out);
    assert!(jsonl(&out).is_empty());
    // the tool's block and removal, and the test's own edit of the expiry record
    assert_eq!(puts(&env), 3);
}

#[test]
fn unblock_removes_listed_addresses() {
    let env = setup();
    let c = env.file("octo.yml", &conf("  block_for: 0\n"));
    ok(&env.run_with_config("ipblock", Keys::ReadWrite, &c, &["--apply"], &events()));
    let z = zone(&env);
    assert_eq!(
        z["description"],
        format!(
            "{SEED_DESC}\noctobox-ipblock: 203.0.113.7 until never\noctobox-ipblock: 2001:db8::66 until never"
        )
    );
    let out = env.run_with_config("ipblock", Keys::ReadWrite, &c, &["expire", "--apply"], "");
    ok(&out);
    assert!(
        jsonl(&out).iter().all(|r| r["status"] == "skipped"
            && r["reason"] == "never expires (blocked with block_for 0)")
    );
    let out = env.run_with_config(
        "ipblock",
        Keys::ReadWrite,
        &c,
        &["unblock", "2001:db8::66", "198.51.100.5", "--apply"],
        "",
    );
    ok(&out);
    assert_eq!(
        brief(&jsonl(&out)),
        vec![
            t("", "2001:db8::66", "planned"),
            t("", "2001:db8::66", "applied"),
            t("", "198.51.100.5", "unchanged"),
        ]
    );
    let z = zone(&env);
    assert_eq!(z["ip_address"], format!("{SEED_ZONE},203.0.113.7"));
    assert_eq!(
        z["description"],
        format!("{SEED_DESC}\noctobox-ipblock: 203.0.113.7 until never")
    );
    let out = env.run_with_config("ipblock", Keys::Read, &c, &["unblock", "bogus"], "");
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "ipblock: `bogus` is not a valid IP address"
    );
}

#[test]
fn zone_size_is_capped() {
    let env = setup();
    let c = env.file("octo.yml", &conf("  max_zone_entries: 2\n"));
    let r = records(&env, Keys::Read, &c, &[], &events());
    assert_eq!(
        brief(&r)[0..2],
        [
            t("e1", "203.0.113.7", "planned"),
            t("e2", "2001:db8::66", "skipped")
        ]
    );
    assert_eq!(
        r[1]["reason"],
        "zone is full: 2 entries (ipblocker.max_zone_entries 2)"
    );
}

#[test]
fn original_octo_conf_is_accepted_and_config_errors_name_key_and_line() {
    let env = setup();
    let c = env.file("octo_conf.yml", OCTO_CONF);
    let out = env.run_with_config("ipblock", Keys::Read, &c, &[], &events());
    ok(&out);
    assert_eq!(brief(&jsonl(&out))[0], t("e1", "203.0.113.7", "planned"));
    assert!(stderr(&out).contains("ipblocker.enabled is false: showing the plan only"));
    let out = env.run_with_config("ipblock", Keys::ReadWrite, &c, &["--apply"], &events());
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("ipblocker.enabled is false: refusing --apply"));
    for (text, want) in [
        (
            "ipblocker:\n  ip_zone_name: x\n  never_block: [10.0.0.0/8, 300.1.0.0/16]\n",
            "ipblocker.never_block: invalid CIDR `300.1.0.0/16`",
        ),
        ("ipblocker:\n  block_for: soon\n", "invalid duration `soon`"),
        (
            "ipblocker:\n  ip_zone: x\n",
            "ipblocker: unknown field `ip_zone`",
        ),
        (
            "ipblocker:\n  ip_zone_name: nope\n  trigger_events: [lids_rule_failed]\n",
            "ipblocker.ip_zone_name: no firewall zone is named `nope`",
        ),
    ] {
        let c = env.file("bad.yml", text);
        let out = env.run_with_config("ipblock", Keys::Read, &c, &[], "");
        exits_with(&out, 2, want);
        if !want.contains("no firewall zone") {
            assert!(stderr(&out).contains("line "), "{}", stderr(&out));
        }
    }
}

#[test]
fn malformed_line_exits_3_after_applying_the_records_before_it() {
    let env = setup();
    let c = env.file("octo.yml", &conf(""));
    let input = format!(
        "{}\n{}\n\"just a string\"\n",
        ev("e1", true, &sshd("203.0.113.7")),
        ev("e2", true, &sshd("203.0.113.9"))
    );
    let out = env.run_with_config("ipblock", Keys::ReadWrite, &c, &["--apply"], &input);
    assert_eq!(code(&out), 3);
    assert_eq!(
        stderr(&out).trim(),
        "ipblock: stdin:3: expected a JSON object, found a string"
    );
    assert_eq!(jsonl(&out).len(), 4);
    assert_eq!(
        zone(&env)["ip_address"],
        format!("{SEED_ZONE},203.0.113.7,203.0.113.9")
    );
}

#[test]
fn faults_give_identical_output_and_zone() {
    let clean = setup();
    let faulty = setup();
    faulty.set_faults(octo_sim::Faults {
        rate_429: 0.2,
        rate_5xx: 0.2,
        ..Default::default()
    });
    let mut outs = Vec::new();
    for env in [&clean, &faulty] {
        let c = env.file("octo.yml", &conf("  block_for: 0\n"));
        let out = env.run_with_config("ipblock", Keys::ReadWrite, &c, &["--apply"], &events());
        ok(&out);
        outs.push(stdout(&out));
    }
    assert_eq!(outs[0], outs[1]);
    assert_eq!(zone(&clean)["ip_address"], zone(&faulty)["ip_address"]);
    assert_eq!(zone(&clean)["description"], zone(&faulty)["description"]);
    faulty.assert_faults_fired();
}

#[test]
fn from_halo_blocks_addresses_of_events_read_from_the_api() {
    let env = setup();
    let c = env.file("octo.yml", &conf(""));
    let web = env.servers_in("Root/Prod/Web")[0].clone();
    let now = env.sim().now();
    let since = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    env.sim_clock_past(now);
    let e = env.sim().add_event(
        json!({"type": "lids_rule_failed", "critical": true, "server_id": web,
        "message": sshd("203.0.113.99")}),
    );
    env.sim().add_event(
        json!({"type": "sca_rule_failed", "critical": true, "server_id": web,
        "message": sshd("203.0.113.98")}),
    );
    let out = env.run_with_config(
        "ipblock",
        Keys::Read,
        &c,
        &["--from-halo", "--since", &since],
        "",
    );
    ok(&out);
    assert_eq!(
        brief(&jsonl(&out)),
        vec![t(e["id"].as_str().unwrap(), "203.0.113.99", "planned")]
    );
    // with a subcommand, event input flags are refused
    let out = env.run_with_config("ipblock", Keys::Read, &c, &["--from-halo", "expire"], "");
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        "ipblock: --from-halo and --input read events: they do not go with a subcommand"
    );
}

#[test]
fn output_flags_format_columns_and_no_header() {
    let env = setup();
    let c = env.file("octo.yml", &conf(""));
    let run = |extra: &[&str]| {
        let out = env.run_with_config("ipblock", Keys::Read, &c, extra, &events());
        ok(&out);
        String::from_utf8(out.stdout).unwrap()
    };
    let csv = run(&["-o", "csv", "-c", "event_id,ip,status"]);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("event_id,ip,status"));
    assert_eq!(lines.next(), Some("e1,203.0.113.7,planned"));
    assert_eq!(lines.next(), Some("e2,2001:db8::66,planned"));
    assert_eq!(csv.lines().count(), 11);
    assert_eq!(
        run(&["-o", "csv", "-c", "event_id,ip,status", "--no-header"]),
        csv.split_once('\n').unwrap().1
    );
    let json: Vec<Value> = serde_json::from_str(&run(&["-o", "json", "-c", "status"])).unwrap();
    assert_eq!(json.len(), 10);
    assert_eq!(json[0], serde_json::json!({"status": "planned"}));
    let table = run(&["-o", "table"]);
    // rows print as decisions are taken: columns as wide as the header and the first row
    assert!(
        table.starts_with("action  status   ip           zone_name"),
        "{table}"
    );
    assert!(
        table
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("block   planned  203.0.113.7  "),
        "{table}"
    );
    assert_eq!(table.lines().count(), 11, "{table}");
    let table = run(&["-o", "table", "-c", "event_id,status", "--no-header"]);
    assert_eq!(table.lines().next(), Some("e1  planned"));
    assert!(env.mutations().is_empty());
}
