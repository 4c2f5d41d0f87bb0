//! `halo-query doctor`: effective configuration (secrets redacted), which keys are set, a token
//! request per key, and API reachability with latency. Exit 1 when any check fails.

use std::io::IsTerminal;
use std::time::Instant;

use octo_core::config::HaloConfig;
use octo_core::exit::Exit;
use octo_core::halo::{Access, HaloClient};
use octo_core::output::Printer;
use serde_json::{Value, json};

use crate::Cli;

struct Check {
    name: String,
    ok: bool,
    detail: String,
    extra: Value,
}

async fn token_check(
    cfg: &HaloConfig,
    access: Access,
    label: &str,
    checks: &mut Vec<Check>,
) -> Option<HaloClient> {
    let client = match HaloClient::new(cfg, access, "halo-query") {
        Ok(c) => c,
        Err(e) => {
            checks.push(Check {
                name: format!("{label} key"),
                ok: access == Access::Write,
                detail: format!("{e:#}"),
                extra: Value::Null,
            });
            return None;
        }
    };
    match client.check_token().await {
        Ok(info) => {
            checks.push(Check {
                name: format!("{label} token"),
                ok: true,
                detail: format!(
                    "token issued in {} ms, scope {}, expires in {} s",
                    info.latency.as_millis(),
                    info.scope.as_deref().unwrap_or("?"),
                    info.expires_in.map_or("?".to_string(), |s| s.to_string())
                ),
                extra: json!({"latency_ms": info.latency.as_millis() as u64, "scope": info.scope, "expires_in": info.expires_in}),
            });
            Some(client)
        }
        Err(e) => {
            checks.push(Check {
                name: format!("{label} token"),
                ok: false,
                detail: format!("{e:#}"),
                extra: Value::Null,
            });
            None
        }
    }
}

pub async fn run(cfg: &HaloConfig, cli: &Cli) -> anyhow::Result<Exit> {
    let mut checks = Vec::new();
    let read = token_check(cfg, Access::Read, "read-only", &mut checks).await;
    if cfg.write_key.is_some() {
        token_check(cfg, Access::Write, "read-write", &mut checks).await;
    } else {
        checks.push(Check {
            name: "read-write key".into(),
            ok: true,
            detail: "not set (only quarantine/ipblock --apply need it)".into(),
            extra: Value::Null,
        });
    }
    if let Some(client) = read {
        let started = Instant::now();
        match client.get("/v1/groups?per_page=1").await {
            Ok(v) => checks.push(Check {
                name: "api".into(),
                ok: true,
                detail: format!(
                    "GET /v1/groups answered in {} ms ({} groups visible)",
                    started.elapsed().as_millis(),
                    v.get("count")
                        .and_then(Value::as_u64)
                        .map_or("?".into(), |c| c.to_string())
                ),
                extra: json!({"latency_ms": started.elapsed().as_millis() as u64}),
            }),
            Err(e) => checks.push(Check {
                name: "api".into(),
                ok: false,
                detail: format!("{e:#}"),
                extra: Value::Null,
            }),
        }
    }
    let ok = checks.iter().all(|c| c.ok);
    let report = json!({
        "record": "halo-query.doctor/v1",
        "ok": ok,
        "config": cfg.report(),
        "checks": checks.iter().map(|c| json!({"check": c.name, "ok": c.ok, "detail": c.detail, "data": c.extra})).collect::<Vec<_>>(),
    });
    let human = cli.output.format.is_none() && std::io::stdout().is_terminal();
    if human {
        let mut text = String::from("settings (flag > env > config file > default):\n");
        if let Some(settings) = report["config"]["settings"].as_object() {
            let width = settings.keys().map(String::len).max().unwrap_or(0);
            for (name, s) in settings {
                let value = match &s["value"] {
                    Value::Null => "(not set)".to_string(),
                    Value::String(v) => v.clone(),
                    v => v.to_string(),
                };
                text.push_str(&format!(
                    "  {name:<width$}  {value}  [{}]\n",
                    s["source"].as_str().unwrap_or("?")
                ));
            }
        }
        for c in &checks {
            text.push_str(&format!(
                "[{}] {}: {}\n",
                if c.ok { " ok " } else { "FAIL" },
                c.name,
                c.detail
            ));
        }
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(octo_core::sanitize::for_terminal_lines(&text).as_bytes())
            .map_err(octo_core::output::write_error)?;
    } else {
        let mut out = Printer::stdout(&cli.output);
        out.record(&report)?;
        out.finish()?;
    }
    Ok(if ok { Exit::Success } else { Exit::Failure })
}
