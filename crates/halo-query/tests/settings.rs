//! One resolution of every setting: `halo-query doctor` shows each value with its source
//! (flag > env > config file > default), secrets redacted.

mod common;

use common::*;
use octo_sim::SimConfig;
use serde_json::{Value, json};

/// `halo-query --config FILE ARGS` with `extra` environment, nothing else inherited.
fn doctor(url: &str, yaml: &str, extra: &[(&str, &str)], args: &[&str]) -> Value {
    let env = env(url).envs(extra.iter().copied());
    let file = env.file("octo.yml", yaml);
    let mut cmd = env.command("halo-query", Keys::Read);
    cmd.arg("--config").arg(&file).args(args).arg("doctor");
    let out = cmd.output().unwrap();
    env.assert_no_secrets(&out);
    ok(&out);
    let lines = jsonl(&out);
    assert_eq!(lines.len(), 1, "{}", stdout(&out));
    lines[0]["config"]["settings"].clone()
}

#[test]
fn doctor_shows_each_value_and_its_source() {
    let sim = spawn(SimConfig::default());
    let url = sim.url();
    let yaml = "halo:\n  max_in_flight: 3\n  max_rps: 50\n  timeout_secs: 30\n";
    let s = doctor(&url, yaml, &[], &[]);
    let file = |key: &str| {
        let src = s["config_file"]["value"].as_str().unwrap();
        format!("file {src}:{key}")
    };
    assert_eq!(
        s["max_in_flight"],
        json!({"value": 3, "source": file("halo.max_in_flight")})
    );
    assert_eq!(
        s["max_rps"],
        json!({"value": 50.0, "source": file("halo.max_rps")})
    );
    assert_eq!(
        s["timeout_secs"],
        json!({"value": 30, "source": file("halo.timeout_secs")})
    );
    assert_eq!(s["config_file"]["source"], "flag --config");
    assert_eq!(
        s["api_url"],
        json!({"value": url, "source": "env HALO_API_URL"})
    );
    assert_eq!(
        s["read_key"],
        json!({"value": format!("{} (secret redacted)", octo_sim::READ_KEY.0), "source": "env HALO_API_KEY"})
    );
    assert_eq!(s["write_key"], json!({"value": null, "source": "default"}));
    assert_eq!(s["proxy"], json!({"value": null, "source": "default"}));

    // env over file, flag over env
    let s = doctor(&url, yaml, &[("HALO_CONCURRENCY", "6")], &[]);
    assert_eq!(
        s["max_in_flight"],
        json!({"value": 6, "source": "env HALO_CONCURRENCY"})
    );
    let s = doctor(
        &url,
        yaml,
        &[("HALO_CONCURRENCY", "6")],
        &["--max-in-flight", "2"],
    );
    assert_eq!(
        s["max_in_flight"],
        json!({"value": 2, "source": "flag --max-in-flight"})
    );
    // nothing set: the default
    let s = doctor(&url, "{}\n", &[], &[]);
    assert_eq!(s["max_in_flight"], json!({"value": 4, "source": "default"}));
    assert_eq!(s["max_rps"], json!({"value": 0.0, "source": "default"}));
}

#[test]
fn a_bad_env_value_names_the_variable() {
    let env = env("http://127.0.0.1:9").set("HALO_CONCURRENCY", "lots");
    let mut cmd = env.command("halo-query", Keys::Read);
    cmd.arg("doctor");
    let out = cmd.output().unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(
        stderr(&out).trim(),
        "halo-query: HALO_CONCURRENCY must be a valid value for --max-in-flight, got `lots`"
    );
}

/// No read-only key: the report is still printed, the key's check is the configuration's failure,
/// and the run exits 2 (as every tool's doctor: `octo_core::doctor::Check::misconfigured`).
#[test]
fn doctor_without_a_key_is_a_configuration_failure() {
    let sim = spawn(SimConfig::default());
    let env = env(&sim.url());
    let mut cmd = env.command("halo-query", Keys::Read);
    cmd.env_remove("HALO_API_KEY")
        .env_remove("HALO_API_SECRET_KEY")
        .args(["doctor", "-o", "jsonl"]);
    let out = cmd.output().unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let lines = jsonl(&out);
    assert_eq!(lines.len(), 1, "{}", stdout(&out));
    assert_eq!(lines[0]["ok"], false);
    assert_eq!(lines[0]["checks"][0]["check"], "read-only key");
    assert_eq!(lines[0]["checks"][0]["ok"], false);
}
