//! Name resolution and small typed helpers on top of [`HaloClient`] shared by every tool.

use std::net::IpAddr;

use serde_json::Value;

use super::HaloClient;
use crate::exit::usage;

/// Every server state; `--state all` expands to this.
pub const ALL_STATES: &str = "active,missing,deactivated,retired";

/// Table columns of Halo events (halo-query events, event-export --to -).
pub const EVENT_COLUMNS: &[&str] = &[
    "created_at",
    "type",
    "critical",
    "server_hostname",
    "server_group_name",
    "message",
];

/// Table columns of Halo scans (halo-query scans, scan-export --to -).
pub const SCAN_COLUMNS: &[&str] = &[
    "created_at",
    "module",
    "status",
    "server_hostname",
    "critical_findings_count",
    "non_critical_findings_count",
];

/// Whether `s` can be a Halo object id (and is safe in a URL path: no traversal).
pub fn is_id_like(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Expand a `--state` value: `all` or a comma list of known states.
pub fn parse_states(raw: &str) -> anyhow::Result<String> {
    let mut out = Vec::new();
    for s in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match s {
            "all" => return Ok(ALL_STATES.to_string()),
            "active" | "missing" | "deactivated" | "retired" => {
                if !out.contains(&s) {
                    out.push(s)
                }
            }
            other => {
                return Err(usage(format!(
                    "invalid server state `{other}`: expected active, missing, deactivated, retired or all"
                )));
            }
        }
    }
    if out.is_empty() {
        return Err(usage("--state needs at least one state"));
    }
    Ok(out.join(","))
}

fn str_field<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

/// One line per candidate, for ambiguity errors: `id (path)`.
fn describe_groups(gs: &[&Value]) -> String {
    gs.iter()
        .map(|g| format!("{} ({})", str_field(g, "id"), str_field(g, "group_path")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a server has `ip` as connecting, primary or any interface address.
pub fn server_has_ip(server: &Value, ip: IpAddr) -> bool {
    let same = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .and_then(|s| s.trim().parse::<IpAddr>().ok())
            .is_some_and(|a| a == ip)
    };
    same(server.get("connecting_ip_address"))
        || same(server.get("primary_ip_address"))
        || server
            .get("interfaces")
            .and_then(Value::as_array)
            .is_some_and(|ifs| ifs.iter().any(|i| same(i.get("ip_address"))))
}

/// Resolve a group among `all` (one listing of `/v1/groups`) by id, exact name, or exact
/// `group_path`. Zero or several matches are a usage error that lists the candidates.
pub fn pick_group(all: &[Value], target: &str) -> anyhow::Result<Value> {
    let target = target.trim();
    if let Some(g) = all.iter().find(|g| str_field(g, "id") == target) {
        return Ok(g.clone());
    }
    let by_name: Vec<&Value> = all
        .iter()
        .filter(|g| str_field(g, "name") == target)
        .collect();
    let matches = if by_name.is_empty() {
        all.iter()
            .filter(|g| str_field(g, "group_path") == target)
            .collect()
    } else {
        by_name
    };
    match matches.len() {
        1 => Ok(matches[0].clone()),
        0 => Err(usage(format!(
            "no Halo group has the id, name or path `{target}` ({} groups exist; `halo-query groups` lists them)",
            all.len()
        ))),
        n => Err(usage(format!(
            "group name `{target}` is ambiguous: {n} groups have it: {}; pass the id or the full path",
            describe_groups(&matches)
        ))),
    }
}

impl HaloClient {
    /// All server groups.
    pub async fn groups(&self) -> anyhow::Result<Vec<Value>> {
        self.list_all("/v1/groups", &[], "groups").await
    }

    /// Resolve a group given as id, exact name, or exact `group_path`. Zero or several matches
    /// are a usage error that lists the candidates.
    pub async fn resolve_group(&self, target: &str) -> anyhow::Result<Value> {
        let target = target.trim();
        if target.is_empty() {
            return Err(usage("empty group name"));
        }
        if is_id_like(target)
            && let Some(g) = self
                .get_object_opt(&format!("/v1/groups/{target}"), "group")
                .await?
        {
            return Ok(g);
        }
        let all = self.groups().await?;
        pick_group(&all, target)
    }

    /// Resolve a server given as id, IP address (connecting, primary or interface) or hostname.
    /// Looks in every state; several matches are a usage error listing them.
    pub async fn resolve_server(&self, target: &str) -> anyhow::Result<Value> {
        let target = target.trim();
        if target.is_empty() {
            return Err(usage("empty server name"));
        }
        if let Ok(ip) = target.parse::<IpAddr>() {
            let found = self.servers_with_ip(ip, ALL_STATES).await?;
            return pick_one(found, target, "IP address");
        }
        if is_id_like(target)
            && let Some(s) = self
                .get_object_opt(&format!("/v1/servers/{target}"), "server")
                .await?
        {
            return Ok(s);
        }
        let found = self
            .list_all(
                "/v1/servers",
                &[
                    ("hostname", target.to_string()),
                    ("state", ALL_STATES.to_string()),
                ],
                "servers",
            )
            .await?;
        pick_one(found, target, "hostname")
    }

    /// Servers in `states` that have `ip` as connecting, primary or interface address. The API
    /// can only filter on the connecting address, so this is one listing filtered here.
    pub async fn servers_with_ip(&self, ip: IpAddr, states: &str) -> anyhow::Result<Vec<Value>> {
        use futures::TryStreamExt;
        self.list("/v1/servers", &[("state", states.to_string())], "servers")
            .try_filter(|s| std::future::ready(server_has_ip(s, ip)))
            .try_collect()
            .await
    }
}

impl HaloClient {
    /// For `--apply`: fail early, with a clear message, when the key is read-only (its token
    /// scope is `read`), instead of on the first write after some actions were already taken.
    pub async fn require_write_scope(&self) -> anyhow::Result<()> {
        let info = self.check_token().await?;
        if info.scope.as_deref() == Some("read") {
            let k = self.key();
            return Err(usage(format!(
                "--apply needs a full-access Halo key, but key `{}` in {} is read-only (token scope `read`)",
                k.id, k.id_var
            )));
        }
        Ok(())
    }
}

/// Which of a group's firewall policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FirewallPlatform {
    Linux,
    Windows,
}

impl FirewallPlatform {
    fn label(self) -> &'static str {
        match self {
            FirewallPlatform::Linux => "Linux",
            FirewallPlatform::Windows => "Windows",
        }
    }
}

impl HaloClient {
    /// A firewall policy (with its embedded rules) by id; unknown id → usage error.
    pub async fn firewall_policy(&self, policy_id: &str) -> anyhow::Result<Value> {
        if !is_id_like(policy_id) {
            return Err(usage(format!("invalid firewall policy id `{policy_id}`")));
        }
        self.get_object_opt(
            &format!("/v1/firewall_policies/{policy_id}"),
            "firewall_policy",
        )
        .await?
        .ok_or_else(|| usage(format!("no firewall policy with id `{policy_id}`")))
    }

    /// Resolve a group and return it with its Linux or Windows firewall policy. A group without
    /// such a policy is a usage error naming the group.
    pub async fn group_firewall_policy(
        &self,
        group: &str,
        platform: FirewallPlatform,
    ) -> anyhow::Result<(Value, Value)> {
        let group = self.resolve_group(group).await?;
        let id = match platform {
            FirewallPlatform::Linux => group
                .get("linux_firewall_policy_id")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .or_else(|| group.get("firewall_policy_id").and_then(Value::as_str)),
            FirewallPlatform::Windows => group
                .get("windows_firewall_policy_id")
                .and_then(Value::as_str),
        }
        .filter(|s| !s.is_empty())
        .map(str::to_string);
        let Some(id) = id else {
            return Err(usage(format!(
                "group `{}` ({}) has no {} firewall policy",
                str_field(&group, "name"),
                str_field(&group, "group_path"),
                platform.label()
            )));
        };
        let policy = self.firewall_policy(&id).await?;
        Ok((group, policy))
    }
}

fn pick_one(mut found: Vec<Value>, target: &str, what: &str) -> anyhow::Result<Value> {
    match found.len() {
        0 => Err(usage(format!(
            "no Halo server has the id or {what} `{target}` (in any state)"
        ))),
        1 => Ok(found.remove(0)),
        n => {
            let list = found
                .iter()
                .map(|s| {
                    format!(
                        "{} ({}, {}, {})",
                        str_field(s, "id"),
                        str_field(s, "hostname"),
                        str_field(s, "state"),
                        str_field(s, "group_path")
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            Err(usage(format!(
                "{what} `{target}` is ambiguous: {n} servers match: {list}; pass the id"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn states() {
        assert_eq!(parse_states("all").unwrap(), ALL_STATES);
        assert_eq!(
            parse_states("active, missing,active").unwrap(),
            "active,missing"
        );
        assert!(
            parse_states("gone")
                .unwrap_err()
                .to_string()
                .contains("`gone`")
        );
    }

    #[test]
    fn ip_matching_covers_all_addresses() {
        let s = json!({"connecting_ip_address": "54.1.2.3", "primary_ip_address": "10.0.0.5",
            "interfaces": [{"ip_address": "fe80::1"}]});
        assert!(server_has_ip(&s, "54.1.2.3".parse().unwrap()));
        assert!(server_has_ip(&s, "10.0.0.5".parse().unwrap()));
        assert!(server_has_ip(&s, "fe80::1".parse().unwrap()));
        assert!(!server_has_ip(&s, "10.0.0.6".parse().unwrap()));
    }

    #[test]
    fn ids_are_path_safe() {
        assert!(is_id_like("53bd2b9e1d8c11e88ab75dca3f0e16e7"));
        assert!(!is_id_like("../etc"));
        assert!(!is_id_like("web 1"));
    }
}
