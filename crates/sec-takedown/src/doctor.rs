//! `sec-takedown doctor`: every setting with its value (secrets redacted) and where it came from
//! (flag > env > clouds.yaml/secure.yaml or octo.yml > default), then whether Keystone, Nova and
//! FreshDesk answer. One `sec-takedown.doctor/v1` record, printed as every tool's doctor prints
//! ([`octo_core::doctor`]): exit 0 when all is well, 2 when a setting is unusable
//! (configuration), 1 when a service does not answer.

use octo_core::config::Source;
use octo_core::doctor::{Check, REDACTED, Report, settings, timed};
use octo_core::exit::{Exit, code_for};
use octo_core::http::Method;
use octo_core::output::OutputArgs;
use serde_json::{Value, json};

use crate::clouds;
use crate::config::{self, TakedownConfig};
use crate::freshdesk::Fd;
use crate::openstack::Os;

/// The OpenStack fields that are set (secrets as [`REDACTED`]), with their sources.
fn os_settings(c: &clouds::Cloud) -> Vec<(&'static str, Value, Source)> {
    let mut out = Vec::new();
    if let Some((name, src)) = &c.name {
        out.push(("os_cloud", json!(name), src.clone()));
    }
    for f in clouds::FIELDS {
        if let Some(v) = c.values.get(f.key) {
            let shown = if clouds::is_secret(f.key) {
                json!(REDACTED)
            } else {
                json!(v.value)
            };
            out.push((f.key, shown, v.source.clone()));
        }
    }
    out
}

/// A failed check: the configuration's (exit 2) when the error is a usage error.
fn failed(name: &str, e: &anyhow::Error) -> Check {
    if code_for(e) == Exit::Usage {
        Check::misconfigured(name, format!("{e:#}"))
    } else {
        Check::fail(name, format!("{e:#}"))
    }
}

pub async fn run(
    cfg: &TakedownConfig,
    os_cloud: Option<&str>,
    output: &OutputArgs,
) -> anyhow::Result<Exit> {
    let mut rows: Vec<(&'static str, Value, Source)> = vec![(
        "config_file",
        json!(cfg.config_path.as_ref().map(|p| p.display().to_string())),
        cfg.config_source.clone(),
    )];
    let mut checks = Vec::new();

    // OpenStack: the merged cloud, then a token and the Nova version document
    match clouds::load(os_cloud).and_then(|c| {
        rows.extend(os_settings(&c));
        config::build(&c)
    }) {
        Err(e) => checks.push(Check::misconfigured("openstack config", format!("{e:#}"))),
        Ok(auth) => {
            let connected = timed(async {
                match crate::os_http(&auth) {
                    Ok(http) => Os::connect(http, &auth).await,
                    Err(e) => Err(e),
                }
            })
            .await;
            match connected {
                (Err(e), _) => checks.push(failed("keystone", &e)),
                (Ok(os), latency) => {
                    let ms = latency.as_millis() as u64;
                    checks.push(Check::pass(
                        "keystone",
                        format!(
                            "{} token for user `{}` in project `{}` (roles: {}{}) in {ms} ms",
                            auth.method.name(),
                            os.user_name,
                            os.project_name,
                            os.roles.join(", "),
                            if os.is_admin() { "" } else { "; not admin" },
                        ),
                        json!({"latency_ms": ms, "user": os.user_name, "project": os.project_name, "roles": os.roles, "admin": os.is_admin()}),
                    ));
                    let max = os.nova_max.map(|m| format!("{}.{}", m.0, m.1));
                    let using = format!("{}.{}", os.nova_mv.0, os.nova_mv.1);
                    checks.push(Check::pass(
                        "nova",
                        format!(
                            "{} answers microversions up to {}, using {using}",
                            os.compute,
                            max.as_deref().unwrap_or("? (no version document)"),
                        ),
                        json!({"endpoint": os.compute.to_string(), "max_microversion": max, "microversion": using}),
                    ));
                }
            }
        }
    }

    // FreshDesk: the URL or domain and the key, then one cheap read
    rows.extend(cfg.sources.iter().cloned());
    match config::freshdesk(cfg) {
        Err(e) => checks.push(Check::misconfigured("freshdesk config", format!("{e:#}"))),
        Ok(fd_cfg) => {
            rows.push((
                "freshdesk_api_key",
                json!(REDACTED),
                fd_cfg.key_source.clone(),
            ));
            let base = fd_cfg.base.as_str().trim_end_matches('/').to_string();
            let fd = Fd::new(crate::http()?, fd_cfg);
            let (answer, latency) =
                timed(fd.call(Method::GET, &["tickets"], &[("per_page", "1")], None)).await;
            let ms = latency.as_millis() as u64;
            checks.push(match answer {
                Ok(_) => Check::pass(
                    "freshdesk",
                    format!("{base} answered GET /api/v2/tickets in {ms} ms"),
                    json!({"latency_ms": ms}),
                ),
                Err(e) => failed("freshdesk", &e),
            });
        }
    }

    Report {
        record: "sec-takedown.doctor/v1",
        config: json!({
            "settings": settings(rows.iter().map(|(n, v, s)| (*n, v.clone(), s))),
        }),
        checks,
    }
    .print(output)
}
