//! `halo-query group NAME|ID`: the Don-Bot "tell me about group" answer as one record.
//!
//! - the group as `GET /v1/groups/{id}` returned it (`group_path`, `server_counts`, `tag`, …)
//! - its parent (`id`, `name`, `group_path`) or null for the root
//! - the names of its policies, resolved from their ids (§2.7 endpoints)
//! - its active issues grouped by criticality, child groups included
//!   (`/v3/issues?group_id=…&status=active&group_by=critical&sort_by=critical.desc&descendants=true`)

use anyhow::Context;
use futures::TryStreamExt;
use octo_core::halo::HaloClient;
use octo_core::halo::api::is_id_like;
use serde_json::{Map, Value, json};

pub const RECORD: &str = "halo-query.group/v1";

/// (output name, group field, API path, object key, field holds a list of ids)
const POLICY_KINDS: &[(&str, &str, &str, &str, bool)] = &[
    (
        "linux_firewall",
        "linux_firewall_policy_id",
        "/v1/firewall_policies",
        "firewall_policy",
        false,
    ),
    (
        "windows_firewall",
        "windows_firewall_policy_id",
        "/v1/firewall_policies",
        "firewall_policy",
        false,
    ),
    ("csm_linux", "policy_ids", "/v1/policies", "policy", true),
    (
        "csm_windows",
        "windows_policy_ids",
        "/v1/policies",
        "policy",
        true,
    ),
    (
        "fim_linux",
        "fim_policy_ids",
        "/v1/fim_policies",
        "fim_policy",
        true,
    ),
    (
        "fim_windows",
        "windows_fim_policy_ids",
        "/v1/fim_policies",
        "fim_policy",
        true,
    ),
    (
        "lids",
        "lids_policy_ids",
        "/v1/lids_policies",
        "lids_policy",
        true,
    ),
    (
        "special_events",
        "special_events_policy",
        "/v1/special_events_policies",
        "special_events_policy",
        false,
    ),
];

fn str_of<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// `{"id", "name"}` of one policy; `name` is null when the id is unknown to the API.
async fn policy_ref(halo: &HaloClient, path: &str, key: &str, id: &str) -> anyhow::Result<Value> {
    if !is_id_like(id) {
        return Ok(json!({"id": id, "name": null}));
    }
    let found = halo.get_object_opt(&format!("{path}/{id}"), key).await?;
    let name = found
        .as_ref()
        .and_then(|p| p.get("name"))
        .cloned()
        .unwrap_or(Value::Null);
    Ok(json!({"id": id, "name": name}))
}

async fn policies(halo: &HaloClient, group: &Value) -> anyhow::Result<Map<String, Value>> {
    let mut out = Map::new();
    for (name, field, path, key, is_list) in POLICY_KINDS {
        let v = if *is_list {
            let ids: Vec<&str> = group
                .get(*field)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let mut refs = Vec::new();
            for id in ids {
                refs.push(policy_ref(halo, path, key, id).await?);
            }
            Value::Array(refs)
        } else {
            // the deprecated `firewall_policy_id` stands in for a missing Linux one
            let id = str_of(group, field).or_else(|| {
                (*field == "linux_firewall_policy_id")
                    .then(|| str_of(group, "firewall_policy_id"))
                    .flatten()
            });
            match id {
                Some(id) => policy_ref(halo, path, key, id).await?,
                None => Value::Null,
            }
        };
        out.insert((*name).to_string(), v);
    }
    Ok(out)
}

/// Active issues of the group and its descendants, by criticality.
async fn issues(halo: &HaloClient, group_id: &str) -> anyhow::Result<Value> {
    let params = [
        ("group_id", group_id.to_string()),
        ("status", "active".to_string()),
        ("group_by", "critical".to_string()),
        ("sort_by", "critical.desc".to_string()),
        ("descendants", "true".to_string()),
    ];
    let rows: Vec<Value> = halo
        .list("/v3/issues", &params, "issues")
        .try_collect()
        .await?;
    let (mut critical, mut non_critical) = (0u64, 0u64);
    for r in &rows {
        let n = r.get("count").and_then(Value::as_u64).with_context(|| {
            format!("GET /v3/issues?group_by=critical: a row without a numeric count: {r}")
        })?;
        match r.get("critical") {
            Some(Value::Bool(true)) => critical += n,
            Some(Value::Bool(false)) => non_critical += n,
            _ => anyhow::bail!(
                "GET /v3/issues?group_by=critical: a row without a boolean `critical`: {r}"
            ),
        }
    }
    Ok(json!({
        "critical": critical,
        "non_critical": non_critical,
        "total": critical + non_critical,
    }))
}

/// The whole description of one group.
pub async fn describe(halo: &HaloClient, target: &str) -> anyhow::Result<Value> {
    let resolved = halo.resolve_group(target).await?;
    let id = str_of(&resolved, "id")
        .context("the resolved group has no id")?
        .to_string();
    // the single-object form carries every policy field, whatever the list form omits
    let group = halo
        .get_object_opt(&format!("/v1/groups/{id}"), "group")
        .await?
        .unwrap_or(resolved);
    let parent = match str_of(&group, "parent_id") {
        Some(pid) if is_id_like(pid) => halo
            .get_object_opt(&format!("/v1/groups/{pid}"), "group")
            .await?
            .map(|p| json!({"id": p["id"], "name": p["name"], "group_path": p["group_path"]}))
            .unwrap_or_else(|| json!({"id": pid, "name": null, "group_path": null})),
        _ => Value::Null,
    };
    let policies = policies(halo, &group).await?;
    let issues = issues(halo, &id).await?;
    Ok(json!({
        "record": RECORD,
        "group": group,
        "parent": parent,
        "policies": policies,
        "issues": issues,
    }))
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => "-".to_string(),
        Value::String(s) if s.is_empty() => "-".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn names(v: &Value) -> String {
    match v {
        Value::Array(a) if a.is_empty() => "-".to_string(),
        Value::Array(a) => a
            .iter()
            .map(|p| text(&p["name"]))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Null => "-".to_string(),
        one => text(&one["name"]),
    }
}

/// Two-column rows (`field`, `value`) for a terminal table: short labels, one fact per row.
pub fn table_rows(rec: &Value) -> Vec<Value> {
    let g = &rec["group"];
    let c = &g["server_counts"];
    let i = &rec["issues"];
    let p = &rec["policies"];
    let mut rows = vec![
        ("name", text(&g["name"])),
        ("id", text(&g["id"])),
        ("path", text(&g["group_path"])),
        ("tag", text(&g["tag"])),
        ("parent", text(&rec["parent"]["group_path"])),
        (
            "servers",
            format!(
                "{} active, {} missing, {} deactivated",
                text(&c["active"]),
                text(&c["missing"]),
                text(&c["deactivated"])
            ),
        ),
    ];
    for (label, key) in [
        ("firewall linux", "linux_firewall"),
        ("firewall windows", "windows_firewall"),
        ("csm linux", "csm_linux"),
        ("csm windows", "csm_windows"),
        ("fim linux", "fim_linux"),
        ("fim windows", "fim_windows"),
        ("lids", "lids"),
        ("special events", "special_events"),
    ] {
        rows.push((label, names(&p[key])));
    }
    rows.push((
        "active issues",
        format!(
            "{} critical, {} non-critical (with child groups)",
            text(&i["critical"]),
            text(&i["non_critical"])
        ),
    ));
    rows.into_iter()
        .map(|(f, v)| json!({"field": f, "value": v}))
        .collect()
}
