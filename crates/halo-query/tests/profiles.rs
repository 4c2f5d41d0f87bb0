//! Named Halo profiles (`--profile` / `HALO_PROFILE` → `halo.profiles.NAME`) and the Halo keys from
//! a `credential_process` command: `doctor` shows the profile and where each value came from;
//! a failing command is exit 2 naming the setting, and its output never prints.

mod common;

use common::*;
use octo_sim::SimConfig;
use serde_json::{Value, json};

/// A secret only the failing credential command prints.
const MARKER: &str = "MARKER-halo-5e0c2a91";

fn setup(url: &str) -> (TestEnv, String) {
    let env = TestEnv::new().secret(MARKER);
    let key = json!({"key_id": octo_sim::READ_KEY.0, "secret_key": octo_sim::READ_KEY.1});
    let good = env.file("good.sh", &format!("#!/bin/sh\necho '{key}'\n"));
    let bad = env.file(
        "bad.sh",
        &format!("#!/bin/sh\necho '{{\"key_id\": \"k\", \"secret_key\": \"{MARKER}\"}}'\necho {MARKER} >&2\nexit 1\n"),
    );
    let yaml = format!(
        "halo:\n  max_rps: 5\n  api_url: http://127.0.0.1:9\n  profiles:\n    eu:\n      api_url: {url}\n      max_in_flight: 2\n      credential_process: [sh, {}]\n    broken:\n      credential_process:\n        command: [sh, {}]\n        timeout_secs: 10\n",
        good.display(),
        bad.display()
    );
    let file = env.file("octo.yml", &yaml).display().to_string();
    (env, file)
}

fn settings(out: &std::process::Output) -> Value {
    ok(out);
    jsonl(out)[0]["config"]["settings"].clone()
}

#[test]
fn a_profile_picks_its_url_and_keys_from_a_credential_process() {
    let sim = spawn(SimConfig::default());
    let (env, file) = setup(&sim.url());
    let run = |vars: &[(&str, &str)], args: &[&str]| {
        let mut cmd = env.command("halo-query", Keys::Read);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let out = cmd.arg("--config").arg(&file).args(args).output().unwrap();
        env.assert_no_secrets(&out);
        out
    };
    let s = settings(&run(&[], &["--profile", "eu", "doctor"]));
    let src = |key: &str| format!("file {file}:{key}");
    assert_eq!(
        s["profile"],
        json!({"value": "eu", "source": "flag --profile"})
    );
    assert_eq!(
        s["api_url"],
        json!({"value": sim.url(), "source": src("halo.profiles.eu.api_url")})
    );
    assert_eq!(
        s["read_key"],
        json!({"value": format!("{} (secret redacted)", octo_sim::READ_KEY.0),
            "source": src("halo.profiles.eu.credential_process")})
    );
    assert_eq!(
        s["max_in_flight"],
        json!({"value": 2, "source": src("halo.profiles.eu.max_in_flight")})
    );
    assert_eq!(
        s["max_rps"],
        json!({"value": 5.0, "source": src("halo.max_rps")})
    );

    // HALO_PROFILE, and the keys really work
    let out = run(&[("HALO_PROFILE", "eu")], &["doctor"]);
    assert_eq!(
        settings(&out)["profile"],
        json!({"value": "eu", "source": "env HALO_PROFILE"})
    );
    let out = run(&[("HALO_PROFILE", "eu")], &["groups", "-o", "jsonl"]);
    ok(&out);
    assert!(!jsonl(&out).is_empty());
    // the environment's keys win over the profile's command
    let out = run(
        &[
            ("HALO_API_KEY", "env-id"),
            ("HALO_API_SECRET_KEY", "env-secret"),
        ],
        &["--profile", "eu", "doctor"],
    );
    assert_eq!(code(&out), 1);
    assert_eq!(
        jsonl(&out)[0]["config"]["settings"]["read_key"],
        json!({"value": "env-id (secret redacted)", "source": "env HALO_API_KEY"})
    );
}

#[test]
fn unknown_profiles_and_failing_commands_are_usage_errors() {
    let sim = spawn(SimConfig::default());
    let (env, file) = setup(&sim.url());
    let out = env.run(
        "halo-query",
        Keys::Read,
        &["--config", &file, "--profile", "us", "doctor"],
        "",
    );
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out).trim(),
        format!(
            "halo-query: Halo profile `us` (flag --profile) is not in {file}: halo.profiles has broken, eu"
        )
    );
    for args in [vec!["doctor"], vec!["groups"]] {
        let out = env
            .command("halo-query", Keys::Read)
            .env("HALO_PROFILE", "broken")
            .arg("--config")
            .arg(&file)
            .args(&args)
            .output()
            .unwrap();
        env.assert_no_secrets(&out);
        assert_eq!(code(&out), 2);
        assert_eq!(
            stderr(&out).trim(),
            "halo-query: halo.profiles.broken.credential_process: `sh` failed (exit status: 1); its output is not shown"
        );
        assert!(!stdout(&out).contains(MARKER) && !stderr(&out).contains(MARKER));
    }
}
