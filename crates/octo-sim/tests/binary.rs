use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

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
    let mut child = Command::new(env!("CARGO_BIN_EXE_octo-sim"))
        .args([
            "serve",
            "--seed",
            "3",
            "--servers",
            "10",
            "--events-per-day",
            "50",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url:?}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let state: serde_json::Value = rt.block_on(async {
        reqwest::get(format!("{url}/_sim/state"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(state["servers"].as_array().unwrap().len(), 10);
    child.kill().unwrap();
    child.wait().unwrap();
}
