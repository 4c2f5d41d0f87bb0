mod common;

use std::process::Command;

use common::{get_json, serve};

#[test]
fn help_teaches_the_demo_keys() {
    let out = Command::new(env!("CARGO_BIN_EXE_octo-sim"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "sim-read-key",
        "sim-read-secret-0000",
        "sim-rw-key",
        "sim-rw-secret-0000",
        "--rate-429",
        "--drop-rate",
        octo_sim::OS_ADMIN.1,
        octo_sim::OS_APP_CRED.0,
        octo_sim::OS_APP_CRED.1,
        octo_sim::FRESHDESK_KEY,
    ] {
        assert!(text.contains(needle), "{needle} missing from --help");
    }
}

#[test]
fn serve_prints_url_first_and_serves() {
    let (mut child, url) = serve(&["--seed", "3", "--servers", "10", "--events-per-day", "50"]);
    assert!(url.starts_with("http://127.0.0.1:"), "{url:?}");
    let state = get_json(&format!("{url}/_sim/state"));
    assert_eq!(state["servers"].as_array().unwrap().len(), 10);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn serve_takes_hostile_knobs_and_refuses_unknown_ones() {
    let (mut child, url) = serve(&[
        "--servers",
        "5",
        "--events-per-day",
        "20",
        "--hostile",
        "null-list@/v1/events,stall@/v1/scans",
        "--hostile",
        "huge-expires-in",
    ]);
    let faults = get_json(&format!("{url}/_sim/faults"));
    assert_eq!(
        faults["hostile"],
        serde_json::json!(["null-list@/v1/events", "stall@/v1/scans", "huge-expires-in"])
    );
    child.kill().unwrap();
    child.wait().unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_octo-sim"))
        .args(["serve", "--hostile", "null-list,sideways"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("unknown hostile knob \"sideways\"") && err.contains("looping-next"),
        "{err}"
    );
}

#[test]
fn help_describes_every_hostile_knob() {
    let out = Command::new(env!("CARGO_BIN_EXE_octo-sim"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for knob in octo_sim::hostile::Knob::ALL {
        assert!(text.contains(knob.name()), "{knob} missing from --help");
    }
}
