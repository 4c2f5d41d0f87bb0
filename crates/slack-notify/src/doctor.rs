//! `slack-notify doctor`: every Slack setting with its source (the token and the webhook URL only
//! as set or not), and whether Slack accepts the token (`auth.test`, with its latency). Exit 1
//! when a check fails. A webhook cannot be checked without posting, so it is only reported.

use octo_core::doctor::{Check, Report};
use octo_core::exit::Exit;
use octo_core::http::{Method, Req, StatusCode};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::Cli;
use crate::config::SlackConfig;

/// `auth.test` with the token: who Slack says it is.
async fn auth_test(cfg: &SlackConfig) -> anyhow::Result<(String, Value)> {
    let Some(token) = &cfg.token.value else {
        anyhow::bail!("no token");
    };
    let http = crate::http_client(cfg)?;
    let mut req = Req::new(Method::POST, cfg.method_url("auth.test")?);
    req.bearer = Some(token.expose_secret());
    req.idempotent = true;
    let resp = http
        .send(&req)
        .await
        .map_err(|e| anyhow::anyhow!(crate::http_failure(&e, "auth.test")))?;
    if resp.status != StatusCode::OK {
        anyhow::bail!("auth.test: HTTP {}", resp.status);
    }
    let v: Value = serde_json::from_slice(&resp.body)
        .map_err(|_| anyhow::anyhow!("auth.test: the answer is not JSON"))?;
    if v.get("ok").and_then(Value::as_bool) != Some(true) {
        let err = v
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("unknown_error");
        anyhow::bail!(
            "Slack refused the token: {err} (check {})",
            cfg.token.source
        );
    }
    let field = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    Ok((
        format!(
            "team {}, user {}",
            field("team").unwrap_or_else(|| "?".into()),
            field("user").unwrap_or_else(|| "?".into())
        ),
        json!({"team": field("team"), "team_id": field("team_id"), "user": field("user"), "user_id": field("user_id")}),
    ))
}

pub async fn run(cfg: &SlackConfig, cli: &Cli) -> anyhow::Result<Exit> {
    let mut checks = Vec::new();
    if cfg.token.value.is_some() {
        checks.push(Check::reach("auth.test", auth_test(cfg)).await);
    } else if cfg.webhook_url.value.is_some() {
        checks.push(Check::pass(
            "webhook",
            format!(
                "set ({}); not checked: a webhook can only be tested by posting",
                cfg.webhook_url.source
            ),
            Value::Null,
        ));
    } else {
        checks.push(Check::misconfigured(
            "credentials",
            format!(
                "no Slack credentials: set {} (bot token) or pass --webhook-url",
                octo_core::env::SLACK_API_TOKEN
            ),
        ));
    }
    Report {
        record: "slack-notify.doctor/v1",
        config: cfg.report(),
        checks,
    }
    .print(&cli.output)
}
