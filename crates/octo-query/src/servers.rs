//! `servers` (a listing, or the servers with an address) and `server` (one server described
//! with its issues and latest events).

use anyhow::Context;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use octo_core::halo::HaloClient;
use octo_core::halo::api::parse_states;
use octo_core::output::Printer;
use octo_core::time::{format_api, parse_time};
use serde_json::{Value, json};

use crate::{ServerArgs, ServersArgs, emit_stream, str_of};

pub async fn servers(halo: &HaloClient, a: &ServersArgs, out: &mut Printer) -> anyhow::Result<()> {
    let states = parse_states(&a.state)?;
    let mut params = vec![("state", states.clone())];
    if !a.groups.is_empty() {
        let mut ids = Vec::new();
        for g in &a.groups {
            let g = halo.resolve_group(g).await?;
            let id = str_of(&g, "id");
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        params.push(("group_id", ids.join(",")));
    }
    if let Some(cve) = &a.cve {
        params.push(("cve", cve.clone()));
    }
    if let Some(ip) = a.ip {
        let group_ids: Option<Vec<String>> = params
            .iter()
            .find(|(k, _)| *k == "group_id")
            .map(|(_, v)| v.split(',').map(str::to_string).collect());
        for s in halo.servers_with_ip(ip, &states).await? {
            let in_group = group_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&str_of(&s, "group_id")));
            if in_group {
                out.record(&s)?;
            }
        }
        return Ok(());
    }
    emit_stream(out, halo.list("/v1/servers", &params, "servers")).await
}

pub async fn describe_server(
    halo: &HaloClient,
    a: &ServerArgs,
    now: DateTime<Utc>,
) -> anyhow::Result<Value> {
    let since = parse_time(&a.events_since, now).context("--events-since")?;
    let server = halo.resolve_server(&a.target).await?;
    let id = str_of(&server, "id");
    let issues = halo
        .list_all_opt(&format!("/v1/servers/{id}/issues"), &[], "issues")
        .await?
        .map(Value::Array);
    let mut events = Vec::new();
    if a.events_limit > 0 {
        let params = [
            ("server_id", id.clone()),
            ("since", format_api(since)),
            ("sort_by", "created_at.desc".to_string()),
            ("per_page", a.events_limit.min(100).to_string()),
        ];
        let mut s = halo.list("/v1/events", &params, "events");
        while let Some(e) = s.try_next().await? {
            events.push(e);
            if events.len() >= a.events_limit {
                break;
            }
        }
    }
    Ok(json!({
        "record": "halo-query.server/v1",
        "server": server,
        "issues": issues.unwrap_or(Value::Null),
        "events_since": format_api(since),
        "events": events,
    }))
}
