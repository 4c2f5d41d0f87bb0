//! `halo-query doctor`: effective configuration (secrets redacted), which keys are set, a token
//! request per key, and API reachability with latency. Exit 1 when any check fails. The report
//! and its printing are [`octo_core::doctor`]'s.

use octo_core::config::HaloConfig;
use octo_core::doctor::{Check, Report};
use octo_core::exit::Exit;
use octo_core::halo::{Access, HaloClient};
use serde_json::{Value, json};

use crate::Cli;

async fn token_check(
    cfg: &HaloConfig,
    access: Access,
    label: &str,
    checks: &mut Vec<Check>,
) -> Option<HaloClient> {
    let client = match HaloClient::new(cfg, access, "halo-query") {
        Ok(c) => c,
        Err(e) => {
            // a key not set (or unusable) is the configuration's failure: exit 2
            let mut c = Check::misconfigured(format!("{label} key"), format!("{e:#}"));
            c.ok = access == Access::Write;
            checks.push(c);
            return None;
        }
    };
    match client.check_token().await {
        Ok(info) => {
            checks.push(Check::pass(
                format!("{label} token"),
                format!(
                    "token issued in {} ms, scope {}, expires in {} s",
                    info.latency.as_millis(),
                    info.scope.as_deref().unwrap_or("?"),
                    info.expires_in.map_or("?".to_string(), |s| s.to_string())
                ),
                json!({"latency_ms": info.latency.as_millis() as u64, "scope": info.scope, "expires_in": info.expires_in}),
            ));
            Some(client)
        }
        Err(e) => {
            checks.push(Check::fail(format!("{label} token"), format!("{e:#}")));
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
        checks.push(Check::pass(
            "read-write key",
            "not set (only quarantine/ipblock --apply need it)",
            Value::Null,
        ));
    }
    if let Some(client) = read {
        let (answer, latency) = octo_core::doctor::timed(client.get("/v1/groups?per_page=1")).await;
        let ms = latency.as_millis() as u64;
        checks.push(match answer {
            Ok(v) => Check::pass(
                "api",
                format!(
                    "GET /v1/groups answered in {ms} ms ({} groups visible)",
                    v.get("count")
                        .and_then(Value::as_u64)
                        .map_or("?".into(), |c| c.to_string())
                ),
                json!({"latency_ms": ms}),
            ),
            Err(e) => Check::fail("api", format!("{e:#}")),
        });
    }
    Report {
        record: "halo-query.doctor/v1",
        config: cfg.report(),
        checks,
    }
    .print(&cli.output)
}
