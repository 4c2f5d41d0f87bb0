//! `sec-takedown doctor`: each setting, its value (secrets redacted) and its source; whether
//! Keystone, Nova and FreshDesk answer; exit 0 / 1 / 2 as CONVENTIONS.md says.

mod common;

use common::*;
use serde_json::{Value, json};

/// The one doctor record.
fn report(out: &std::process::Output) -> Value {
    let recs = octo_testkit::harness::jsonl(out);
    assert_eq!(recs.len(), 1, "{}", stdout(out));
    assert_eq!(recs[0]["record"], "sec-takedown.doctor/v1");
    recs[0].clone()
}

/// `(value, source)` of setting `name` (`config.settings.NAME`, as every tool's doctor).
fn get(r: &Value, name: &str) -> (Value, String) {
    let s = &r["config"]["settings"][name];
    assert!(s.is_object(), "no setting {name}: {r}");
    (
        s["value"].clone(),
        s["source"].as_str().unwrap().to_string(),
    )
}

fn checks(r: &Value) -> Vec<(String, bool)> {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["check"].as_str().unwrap().to_string(), c["ok"] == true))
        .collect()
}

#[test]
fn doctor_shows_each_setting_its_source_and_the_services() {
    let sim = spawn();
    let env = Env::new(&sim.url()).secret(octo_sim::OS_ADMIN.1);
    let out = env.run(&["doctor"]);
    ok(&out);
    let r = report(&out);
    assert_eq!(r["ok"], true);
    assert_eq!(
        checks(&r),
        [
            ("keystone".to_string(), true),
            ("nova".to_string(), true),
            ("freshdesk".to_string(), true)
        ]
    );
    let detail = |i: usize| r["checks"][i]["detail"].as_str().unwrap().to_string();
    assert!(
        detail(0).starts_with("password token for user `secops` in project `admin` (roles: "),
        "{}",
        detail(0)
    );
    assert!(
        detail(1).ends_with("answers microversions up to 2.96, using 2.73"),
        "{}",
        detail(1)
    );
    assert_eq!(
        get(&r, "auth_url"),
        (
            json!(format!("{}/identity", sim.url())),
            "env OS_AUTH_URL".into()
        )
    );
    assert_eq!(
        get(&r, "password"),
        (json!("set (redacted)"), "env OS_PASSWORD".into())
    );
    let cfg = env.config_dir().join("octo.yml");
    assert_eq!(get(&r, "config_file").0, json!(cfg.display().to_string()));
    assert_eq!(
        get(&r, "poll_interval_ms"),
        (
            json!(50),
            format!("file {}:takedown.poll_interval_ms", cfg.display())
        )
    );
    assert_eq!(
        get(&r, "group_id"),
        (json!(6_000_208_874u64), "default".into())
    );
    assert_eq!(
        get(&r, "freshdesk_url"),
        (json!(sim.url()), "env FRESHDESK_URL".into())
    );
    assert_eq!(
        get(&r, "freshdesk_api_key"),
        (json!("set (redacted)"), "env FRESHDESK_API_KEY".into())
    );
}

#[test]
fn doctor_names_clouds_yaml_and_secure_yaml_as_sources() {
    let sim = spawn();
    let env = Env::without_os(&sim.url())
        .set("OS_REGION_NAME", "RegionOne")
        .secret(octo_sim::OS_ADMIN.1);
    env.0.file(
        "clouds.yaml",
        &format!(
            "clouds:\n  sim:\n    region_name: Mars\n    auth:\n      auth_url: {}/identity\n      username: secops\n      project_name: admin\n",
            sim.url()
        ),
    );
    env.0.file(
        "secure.yaml",
        &format!(
            "clouds:\n  sim:\n    auth:\n      password: \"{}\"\n",
            octo_sim::OS_ADMIN.1
        ),
    );
    let out = env.run(&["--os-cloud", "sim", "doctor"]);
    ok(&out);
    let r = report(&out);
    assert_eq!(
        get(&r, "os_cloud"),
        (json!("sim"), "flag --os-cloud".into())
    );
    assert_eq!(
        get(&r, "username"),
        (
            json!("secops"),
            "file clouds.yaml:clouds.sim.auth.username".into()
        )
    );
    assert_eq!(
        get(&r, "password"),
        (
            json!("set (redacted)"),
            "file secure.yaml:clouds.sim.auth.password".into()
        )
    );
    assert_eq!(
        get(&r, "region_name"),
        (json!("RegionOne"), "env OS_REGION_NAME".into())
    );
}

#[test]
fn doctor_exit_codes() {
    let sim = spawn();
    // a setting missing: exit 2, the report still printed
    let out = Env::new(&sim.url()).unset("OS_PASSWORD").run(&["doctor"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let r = report(&out);
    assert_eq!(r["ok"], false);
    assert_eq!(
        r["checks"][0],
        json!({"check": "openstack config", "ok": false, "detail": "OS_PASSWORD is not set", "data": null})
    );
    assert_eq!(checks(&r)[1], ("freshdesk".to_string(), true));

    // a wrong password: Keystone says 401 → exit 1
    let out = Env::new(&sim.url())
        .set("OS_PASSWORD", "wrong-doctor-pw-1234")
        .run(&["doctor"]);
    assert_eq!(code(&out), 1);
    let r = report(&out);
    assert_eq!(
        checks(&r),
        [
            ("keystone".to_string(), false),
            ("freshdesk".to_string(), true)
        ]
    );
    assert!(!stdout(&out).contains("wrong-doctor-pw-1234"));

    // FreshDesk rejects the key → exit 1
    let out = Env::new(&sim.url())
        .set("FRESHDESK_API_KEY", "bad-fd-key-0000")
        .run(&["doctor"]);
    assert_eq!(code(&out), 1);
    let r = report(&out);
    assert_eq!(checks(&r)[2], ("freshdesk".to_string(), false));
    assert!(
        r["checks"][2]["detail"]
            .as_str()
            .unwrap()
            .contains("HTTP 401"),
        "{r}"
    );
}

/// The FreshDesk key from `takedown.credential_process` (a command printing `{"api_key"}`) when
/// `FRESHDESK_API_KEY` is not set: doctor names it as the key's source and FreshDesk answers; a
/// command that fails is exit 2 naming the setting, and nothing it printed is shown.
#[test]
fn the_freshdesk_key_from_a_credential_process() {
    const MARKER: &str = "MARKER-fd-7c1e44b0";
    let sim = spawn();
    let probe = Env::new(&sim.url());
    let good = probe.0.file(
        "fd-key.sh",
        &format!(
            "#!/bin/sh\necho '{{\"api_key\": \"{}\"}}'\n",
            octo_sim::FRESHDESK_KEY
        ),
    );
    let bad = probe.0.file(
        "fd-bad.sh",
        &format!("#!/bin/sh\necho '{{\"api_key\": \"{MARKER}\"}}'\necho {MARKER} >&2\nexit 3\n"),
    );
    let config = |script: &std::path::Path| {
        format!("{CONFIG}  credential_process: [sh, {}]\n", script.display())
    };

    let env = Env::with_config(&sim.url(), &config(&good))
        .unset("FRESHDESK_API_KEY")
        .secret(octo_sim::FRESHDESK_KEY);
    let out = env.run(&["doctor"]);
    ok(&out);
    let r = report(&out);
    assert_eq!(checks(&r)[2], ("freshdesk".to_string(), true));
    let cfg = env.config_dir().join("octo.yml");
    assert_eq!(
        get(&r, "freshdesk_api_key"),
        (
            json!("set (redacted)"),
            format!("file {}:takedown.credential_process", cfg.display())
        )
    );

    let env = Env::with_config(&sim.url(), &config(&bad))
        .unset("FRESHDESK_API_KEY")
        .secret(MARKER);
    let out = env.run(&["doctor"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let r = report(&out);
    assert_eq!(checks(&r)[2], ("freshdesk config".to_string(), false));
    let detail = r["checks"][2]["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("takedown.credential_process: `sh` failed (exit status: 3)"),
        "{detail}"
    );
    assert!(!format!("{}{}", stdout(&out), stderr(&out)).contains(MARKER));
}
