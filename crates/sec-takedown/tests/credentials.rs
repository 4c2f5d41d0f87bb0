//! OpenStack credentials as openstackclient takes them (issue 16 item 4): clouds.yaml and
//! secure.yaml, `--os-cloud` / `OS_CLOUD`, `OS_*` overriding one field, `OS_TOKEN`,
//! `OS_INTERFACE` / `OS_REGION_NAME`, a private CA (`OS_CACERT`, `cacert:`) in front of octo-sim,
//! and the Keystone token renewed during a run that outlives it.

mod common;

use common::tls::{TlsProxy, pki};
use common::*;
use serde_json::json;

const WRONG_PW: &str = "not-the-password-8841";

/// A clouds.yaml cloud `sim` with password auth at `auth_url`; `password` may be left out.
fn clouds_yaml(auth_url: &str, password: Option<&str>, extra_top: &str) -> String {
    format!(
        "clouds:\n  sim:\n    auth:\n      auth_url: {auth_url}\n      username: {}\n{}      project_name: admin\n      user_domain_name: Default\n      project_domain_name: Default\n{extra_top}",
        octo_sim::OS_ADMIN.0,
        password
            .map(|p| format!("      password: \"{p}\"\n"))
            .unwrap_or_default(),
    )
}

fn secure_yaml(password: &str) -> String {
    format!("clouds:\n  sim:\n    auth:\n      password: \"{password}\"\n")
}

fn tokens_issued(sim: &octo_sim::Sim) -> u64 {
    sim.state()["openstack"]["tokens_issued"].as_u64().unwrap()
}

fn status_count(sim: &octo_sim::Sim, status: &str) -> u64 {
    sim.state()["requests"]["by_status"][status]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn a_missing_cloud_names_every_file_searched() {
    let sim = spawn();
    let env = Env::without_os(&sim.url()).set("OS_CLOUD", "prod");
    let out = env.run(&["info", &web01(&sim)]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let xdg = env.0.config_home().join("openstack");
    let x = xdg.display();
    let expected = format!(
        "cloud `prod` (env OS_CLOUD) is defined in no clouds.yaml or secure.yaml (searched \
         clouds.yaml, clouds.yml, clouds.json, {x}/clouds.yaml, {x}/clouds.yml, {x}/clouds.json, \
         /etc/openstack/clouds.yaml, /etc/openstack/clouds.yml, /etc/openstack/clouds.json; \
         secure.yaml, secure.yml, secure.json, {x}/secure.yaml, {x}/secure.yml, {x}/secure.json, \
         /etc/openstack/secure.yaml, /etc/openstack/secure.yml, /etc/openstack/secure.json; \
         none of them exists)"
    );
    assert!(stderr(&out).contains(&expected), "{}", stderr(&out));

    // --os-cloud wins over OS_CLOUD; a file that exists but lacks the cloud is named as read,
    // and OS_CLIENT_CONFIG_FILE is searched first
    let own = env.0.file(
        "elsewhere/my-clouds.yaml",
        &clouds_yaml("http://x", None, ""),
    );
    let env = env.set("OS_CLIENT_CONFIG_FILE", own.to_str().unwrap());
    let out = env.run(&["--os-cloud", "staging", "info", &web01(&sim)]);
    assert_eq!(code(&out), 2);
    let e = stderr(&out);
    assert!(
        e.contains(&format!(
            "cloud `staging` (flag --os-cloud) is defined in no clouds.yaml or secure.yaml (searched {}, clouds.yaml,",
            own.display()
        )) && e.contains(&format!("; read {})", own.display())),
        "{e}"
    );
}

#[test]
fn secure_yaml_supplies_and_overrides_the_password() {
    let sim = spawn();
    let id = web01(&sim);
    let auth_url = format!("{}/identity/v3", sim.url());
    // clouds.yaml in ~/.config/openstack with a wrong password, secure.yaml in the working
    // directory with the right one: secure.yaml wins, key by key
    let env = Env::without_os(&sim.url())
        .set("OS_CLOUD", "sim")
        .secret(WRONG_PW)
        .secret(octo_sim::OS_ADMIN.1);
    env.0.file(
        "config/openstack/clouds.yaml",
        &clouds_yaml(&auth_url, Some(WRONG_PW), "    region_name: RegionOne\n"),
    );
    let out = env.run(&["info", &id]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("HTTP 401")
            && stderr(&out).contains(&format!(
                "check the credentials from cloud `sim` ({})",
                env.0.config_home().join("openstack/clouds.yaml").display()
            )),
        "{}",
        stderr(&out)
    );
    env.0
        .file("secure.yaml", &secure_yaml(octo_sim::OS_ADMIN.1));
    let out = env.run(&["info", &id]);
    ok(&out);
    assert_eq!(jsonl(&out)[0]["server"]["id"], json!(id));

    // a secure.yaml alone (no password in clouds.yaml at all) also works
    env.0.file(
        "config/openstack/clouds.yaml",
        &clouds_yaml(&auth_url, None, ""),
    );
    let out = env.run(&["info", &id]);
    ok(&out);
}

#[test]
fn an_os_variable_overrides_one_field_of_the_cloud() {
    let sim = spawn();
    let id = web01(&sim);
    let auth_url = format!("{}/identity", sim.url());
    let env = Env::without_os(&sim.url())
        .set("OS_CLOUD", "sim")
        .secret(WRONG_PW);
    env.0.file(
        "clouds.yaml",
        &clouds_yaml(
            &auth_url,
            Some(octo_sim::OS_ADMIN.1),
            "    region_name: Mars\n",
        ),
    );
    let out = env.run(&["info", &id]);
    exits_with(
        &out,
        2,
        "no `compute` endpoint for interface public in region Mars",
    );
    // OS_REGION_NAME replaces the region only: the rest (auth) still comes from clouds.yaml
    let out = env.run_env(&[("OS_REGION_NAME", "RegionOne")], &["info", &id]);
    ok(&out);

    // OS_PASSWORD overrides the file's password (a wrong one → 401, naming both origins)
    let env = Env::without_os(&sim.url())
        .set("OS_CLOUD", "sim")
        .set("OS_PASSWORD", WRONG_PW);
    env.0.file(
        "clouds.yaml",
        &clouds_yaml(&auth_url, Some(octo_sim::OS_ADMIN.1), ""),
    );
    let out = env.run(&["info", &id]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out)
            .contains("check the credentials from cloud `sim` (clouds.yaml + OS_* environment)"),
        "{}",
        stderr(&out)
    );
    let e = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!e.contains(WRONG_PW) && !e.contains(octo_sim::OS_ADMIN.1));
}

#[test]
fn os_token_auth_interface_and_region() {
    let sim = spawn();
    let id = web01(&sim);
    let token = admin_token(&sim);
    let before = tokens_issued(&sim);
    let env = Env::without_os(&sim.url())
        .set("OS_AUTH_URL", &format!("{}/identity", sim.url()))
        .set("OS_TOKEN", &token)
        .set("OS_PROJECT_NAME", "admin")
        .set("OS_PROJECT_DOMAIN_NAME", "Default")
        .secret(&token);
    let out = env.run(&["info", &id]);
    ok(&out);
    assert_eq!(jsonl(&out)[0]["server"]["id"], json!(id));
    // the token was exchanged for a scoped one
    assert_eq!(tokens_issued(&sim), before + 1);

    let out = env.run_env(&[("OS_TOKEN", "gAAAAA-no-such-token-0000")], &["info", &id]);
    exits_with(&out, 1, "HTTP 401");

    // the interface and region pick the catalog endpoint
    let out = env.run_env(&[("OS_INTERFACE", "internal")], &["info", &id]);
    ok(&out);
    let out = env.run_env(
        &[("OS_INTERFACE", "admin"), ("OS_REGION_NAME", "RegionTwo")],
        &["info", &id],
    );
    exits_with(
        &out,
        2,
        "the service catalog has no `compute` endpoint for interface admin in region RegionTwo",
    );
    let out = env.run_env(&[("OS_INTERFACE", "private")], &["info", &id]);
    exits_with(
        &out,
        2,
        "env OS_INTERFACE must be public, internal or admin, got `private`",
    );
}

#[test]
fn a_private_ca_from_os_cacert_or_clouds_yaml() {
    let sim = spawn();
    let id = web01(&sim);
    let dir = tempfile::tempdir().unwrap();
    let good = pki(dir.path(), "good");
    let other = pki(dir.path(), "other");
    let upstream = sim.url().trim_start_matches("http://").to_string();
    let proxy = TlsProxy::start(&good, upstream);
    let env = Env::new(&sim.url()).set("OS_AUTH_URL", &format!("{}/identity", proxy.url()));

    // Keystone over TLS, trusted through the test's CA
    let out = env.run_env(&[("OS_CACERT", good.ca.to_str().unwrap())], &["info", &id]);
    ok(&out);
    assert_eq!(jsonl(&out)[0]["server"]["id"], json!(id));

    // the system's roots do not know the private CA
    let out = env.run(&["info", &id]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "sec-takedown: Keystone: TLS: the certificate of {} is not trusted by the system's \
             CAs (set OS_CACERT or `cacert` in clouds.yaml for a private CA): POST \
             /identity/v3/auth/tokens: cannot connect: client error (Connect): invalid peer \
             certificate: UnknownIssuer (after 1 attempt)\n",
            proxy.url()
        ),
        "one line, tried once (a certificate is not retried), no TLS library log"
    );

    // another CA: refused, naming the bundle and where it was set
    let out = env.run_env(&[("OS_CACERT", other.ca.to_str().unwrap())], &["info", &id]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains(&format!(
            "is not trusted by the CA bundle {} (env OS_CACERT)",
            other.ca.display()
        )),
        "{}",
        stderr(&out)
    );

    // not a CA bundle at all
    let junk = env.0.file("junk.pem", "not a certificate\n");
    let out = env.run_env(&[("OS_CACERT", junk.to_str().unwrap())], &["info", &id]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("env OS_CACERT (") && stderr(&out).contains("holds no certificate"),
        "{}",
        stderr(&out)
    );

    // cacert: in clouds.yaml
    let env = Env::without_os(&sim.url()).set("OS_CLOUD", "sim");
    env.0.file(
        "clouds.yaml",
        &clouds_yaml(
            &format!("{}/identity", proxy.url()),
            Some(octo_sim::OS_ADMIN.1),
            &format!("    cacert: {}\n", good.ca.display()),
        ),
    );
    let out = env.run(&["info", &id]);
    ok(&out);
}

#[test]
fn the_keystone_token_is_renewed_before_it_expires() {
    // tokens live 1 s; pausing takes 1.5 s, so the lock outlives its first token
    let sim = octo_testkit::harness::spawn_sim(octo_sim::SimConfig {
        seed: 11,
        events_per_day: 10,
        scans_per_day: 2,
        days: 1,
        servers: 5,
        openstack_transition_ms: 1500,
        keystone_token_ttl_ms: 1000,
        ..octo_sim::SimConfig::default()
    });
    let id = web01(&sim);
    let out = Env::new(&sim.url()).run(&["lock", &id, "--apply"]);
    ok(&out);
    let s = server(&sim, &id).unwrap();
    assert_eq!(
        (s["status"].as_str(), s["locked"].as_bool()),
        (Some("PAUSED"), Some(true))
    );
    assert!(
        tokens_issued(&sim) >= 2,
        "only {} token(s)",
        tokens_issued(&sim)
    );
    // renewed ahead of time: Keystone never had to refuse an expired token
    assert_eq!(status_count(&sim, "401"), 0);
}
