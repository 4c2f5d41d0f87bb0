//! `sec-takedown doctor`: every setting with its value (secrets redacted) and where it came from
//! (flag > env > clouds.yaml/secure.yaml or octo.yml > default), then whether Keystone, Nova and
//! FreshDesk answer. One `sec-takedown.doctor/v1` record. Exit 0 when all is well, 2 when a
//! setting is unusable (configuration), 1 when a service does not answer.

use std::time::Instant;

use octo_core::exit::{Exit, code_for};
use octo_core::http::Method;
use octo_core::output::{OutputArgs, Printer};
use serde_json::{Value, json};

use crate::clouds;
use crate::config::{self, TakedownConfig};
use crate::freshdesk::Fd;
use crate::openstack::Os;

/// One line of the report.
fn check(name: &str, ok: bool, detail: String) -> Value {
    json!({"check": name, "ok": ok, "detail": detail})
}

fn setting(name: &str, value: Value, source: String) -> Value {
    json!({"name": name, "value": value, "source": source})
}

/// The OpenStack fields that are set, secrets as `set (redacted)`.
fn os_settings(c: &clouds::Cloud) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some((name, src)) = &c.name {
        out.push(setting("os_cloud", json!(name), src.to_string()));
    }
    for f in clouds::FIELDS {
        if let Some(v) = c.values.get(f.key) {
            let shown = if clouds::is_secret(f.key) {
                json!("set (redacted)")
            } else {
                json!(v.value)
            };
            out.push(setting(f.key, shown, v.source.to_string()));
        }
    }
    out
}

pub async fn run(
    cfg: &TakedownConfig,
    os_cloud: Option<&str>,
    output: &OutputArgs,
) -> anyhow::Result<Exit> {
    let mut settings = vec![setting(
        "config_file",
        json!(cfg.config_path.as_ref().map(|p| p.display().to_string())),
        if cfg.config_path.is_some() {
            "found".into()
        } else {
            "none".into()
        },
    )];
    let mut checks = Vec::new();
    let mut config_error = false;

    // OpenStack: the merged cloud, then a token and the Nova version document
    match clouds::load(os_cloud).and_then(|c| {
        settings.extend(os_settings(&c));
        config::build(&c)
    }) {
        Err(e) => {
            config_error = true;
            checks.push(check("openstack config", false, format!("{e:#}")));
        }
        Ok(auth) => {
            let started = Instant::now();
            let connected = match crate::os_http(&auth) {
                Ok(http) => Os::connect(http, &auth).await,
                Err(e) => Err(e),
            };
            match connected {
                Err(e) => {
                    config_error |= code_for(&e) == Exit::Usage;
                    checks.push(check("keystone", false, format!("{e:#}")));
                }
                Ok(os) => {
                    checks.push(check(
                        "keystone",
                        true,
                        format!(
                            "{} token for user `{}` in project `{}` (roles: {}{}) in {} ms",
                            auth.method.name(),
                            os.user_name,
                            os.project_name,
                            os.roles.join(", "),
                            if os.is_admin() { "" } else { "; not admin" },
                            started.elapsed().as_millis()
                        ),
                    ));
                    checks.push(check(
                        "nova",
                        true,
                        format!(
                            "{} answers microversions up to {}, using {}.{}",
                            os.compute,
                            os.nova_max
                                .map(|m| format!("{}.{}", m.0, m.1))
                                .unwrap_or_else(|| "? (no version document)".into()),
                            os.nova_mv.0,
                            os.nova_mv.1
                        ),
                    ));
                }
            }
        }
    }

    // FreshDesk: the URL or domain and the key, then one cheap read
    for (name, value, source) in &cfg.sources {
        settings.push(setting(name, value.clone(), source.to_string()));
    }
    match config::freshdesk(cfg) {
        Err(e) => {
            config_error = true;
            checks.push(check("freshdesk config", false, format!("{e:#}")));
        }
        Ok(fd_cfg) => {
            settings.push(setting(
                "freshdesk_api_key",
                json!("set (redacted)"),
                format!("env {}", octo_core::env::FRESHDESK_API_KEY),
            ));
            let base = fd_cfg.base.clone();
            let fd = Fd::new(crate::http()?, fd_cfg);
            let started = Instant::now();
            match fd
                .call(Method::GET, &["tickets"], &[("per_page", "1")], None)
                .await
            {
                Ok(_) => checks.push(check(
                    "freshdesk",
                    true,
                    format!(
                        "{} answered GET /api/v2/tickets in {} ms",
                        base.as_str().trim_end_matches('/'),
                        started.elapsed().as_millis()
                    ),
                )),
                Err(e) => checks.push(check("freshdesk", false, format!("{e:#}"))),
            }
        }
    }

    let ok = checks.iter().all(|c| c["ok"] == true);
    let mut p = Printer::stdout(output);
    p.record(&json!({
        "record": "sec-takedown.doctor/v1",
        "ok": ok,
        "settings": settings,
        "checks": checks,
    }))?;
    p.finish()?;
    Ok(if ok {
        Exit::Success
    } else if config_error {
        Exit::Usage
    } else {
        Exit::Failure
    })
}
