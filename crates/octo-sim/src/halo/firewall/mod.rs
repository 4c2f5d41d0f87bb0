//! Firewall objects: services, interfaces, zones (IP lists) and policies with embedded rules.
//!
//! Policies are stored as templates whose `FirewallZone` sources/targets carry only the zone id;
//! they are rendered with the zone's *current* name and `ip_address`, the way Halo pushes zone
//! edits to every policy that references the zone.

use serde_json::{Map, Value, json};

use super::world::{G_PROD_APP, G_PROD_DB, G_PROD_WEB, s};
use crate::util::{fmt_ms, hex_id};

mod catalog;

use catalog::*;

/// A simulated concurrent writer of one IP zone, for tests of read-modify-write clients: right
/// after the `after_requests`-th API request (GET or PUT) to `/v1/firewall_zones/{zone_id}` has
/// been answered, the zone's `ip_address` is replaced by `ip_address` — what another tool that
/// read the zone earlier would write. Fires once.
#[derive(Clone, Debug, PartialEq)]
pub struct ZoneRace {
    pub zone_id: String,
    pub after_requests: u32,
    pub ip_address: String,
}

impl super::HaloState {
    /// Count a request to a zone and let a pending [`ZoneRace`] fire.
    pub(crate) fn zone_race_tick(&mut self, zone_id: &str) {
        let Some(r) = self.live.zone_race.as_mut() else {
            return;
        };
        if r.zone_id != zone_id {
            return;
        }
        r.after_requests = r.after_requests.saturating_sub(1);
        if r.after_requests > 0 {
            return;
        }
        let ip = r.ip_address.clone();
        self.live.zone_race = None;
        if let Some(z) = self.live.zones.iter_mut().find(|z| s(z, "id") == zone_id) {
            z["ip_address"] = json!(ip);
        }
    }
}

type Generated = (Vec<Value>, Vec<Value>, Vec<Value>, Vec<Value>);

pub(crate) fn generate(seed: u64, url: &str, now_ms: i64, groups: &[Value]) -> Generated {
    let services: Vec<Value> = SERVICES
        .iter()
        .enumerate()
        .map(|(i, (name, proto, port))| {
            let id = hex_id(seed, "fw_service", i as u64);
            json!({
                "id": id, "url": format!("{url}/v1/firewall_services/{id}"), "name": name,
                "protocol": proto, "port": if port.is_empty() { Value::Null } else { json!(port) },
                "system": i < 9, "shared": true,
            })
        })
        .collect();
    let interfaces: Vec<Value> = INTERFACES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let id = hex_id(seed, "fw_interface", i as u64);
            json!({"id": id, "url": format!("{url}/v1/firewall_interfaces/{id}"), "name": name, "system": true})
        })
        .collect();
    let zones: Vec<Value> = ZONES
        .iter()
        .enumerate()
        .map(|(i, (name, ips, desc, system))| {
            let id = hex_id(seed, "fw_zone", i as u64);
            json!({
                "id": id, "url": format!("{url}/v1/firewall_zones/{id}"), "name": name,
                "ip_address": ips, "description": desc, "system": system, "shared": true,
                "group_id": Value::Null, "group_name": Value::Null,
            })
        })
        .collect();
    let mut policies = Vec::new();
    for (pi, (name, platform, desc, rules)) in POLICIES.iter().enumerate() {
        let pid = hex_id(seed, "fw_policy", pi as u64);
        let key = if *platform == "windows" {
            "windows_firewall_policy_id"
        } else {
            "linux_firewall_policy_id"
        };
        let used_by: Vec<Value> = groups
            .iter()
            .filter(|g| g.get(key).and_then(Value::as_str) == Some(pid.as_str()))
            .map(|g| json!({"id": s(g, "id"), "name": s(g, "name")}))
            .collect();
        let mut pos = [0u32; 2];
        let mut out_rules = Vec::new();
        for (ri, (chain, action, active, peer, svc, iface, states, log, comment)) in
            rules.iter().enumerate()
        {
            let rid = hex_id(seed, &format!("fw_rule:{pid}"), ri as u64);
            let ci = usize::from(*chain == "OUTPUT");
            pos[ci] += 1;
            let peer_v = match peer {
                Peer::Any => Value::Null,
                Peer::Zone(z) => {
                    json!({"type": "FirewallZone", "id": hex_id(seed, "fw_zone", *z as u64)})
                }
                Peer::Group(g) => json!({
                    "type": "Group", "id": s(&groups[*g], "id"), "name": s(&groups[*g], "name"),
                    "group_path": s(&groups[*g], "group_path"),
                }),
                Peer::UserGroup(u) => json!({
                    "type": "UserGroup", "id": hex_id(seed, "user_group", *u as u64), "name": USER_GROUPS[*u],
                }),
            };
            let mut r = Map::new();
            r.insert("id".into(), json!(rid));
            r.insert(
                "url".into(),
                json!(format!(
                    "{url}/v1/firewall_policies/{pid}/firewall_rules/{rid}"
                )),
            );
            r.insert("chain".into(), json!(chain));
            r.insert("action".into(), json!(action));
            r.insert("active".into(), json!(active));
            r.insert("connection_states".into(), json!(states));
            r.insert("log".into(), json!(log));
            r.insert(
                "log_prefix".into(),
                if *log {
                    json!(format!("{}-{}", chain.to_lowercase(), pos[ci]))
                } else {
                    Value::Null
                },
            );
            r.insert("comment".into(), json!(comment));
            r.insert("position".into(), json!(pos[ci]));
            r.insert(
                "firewall_interface".into(),
                iface.map_or(
                    Value::Null,
                    |i| json!({"id": s(&interfaces[i], "id"), "name": INTERFACES[i]}),
                ),
            );
            r.insert(
                if *chain == "INPUT" {
                    "firewall_source"
                } else {
                    "firewall_target"
                }
                .into(),
                peer_v,
            );
            r.insert(
                "firewall_service".into(),
                svc.map_or(Value::Null, |i| {
                    let sv = &services[i];
                    json!({"id": s(sv, "id"), "name": s(sv, "name"), "protocol": sv["protocol"], "port": sv["port"]})
                }),
            );
            out_rules.push(Value::Object(r));
        }
        policies.push(json!({
            "id": pid,
            "url": format!("{url}/v1/firewall_policies/{pid}"),
            "name": name,
            "description": desc,
            "platform": platform,
            "module": "fw",
            "shared": true,
            "read_only": false,
            "group_id": Value::Null,
            "group_name": Value::Null,
            "used_by": used_by,
            "ignore_forwarding_rules": false,
            "created_at": fmt_ms(now_ms - 300 * 86_400_000 + pi as i64 * 60_000),
            "updated_at": fmt_ms(now_ms - 12 * 86_400_000 + pi as i64 * 60_000),
            "firewall_rules": out_rules,
        }));
    }
    (services, interfaces, zones, policies)
}

/// Render a policy template with the current zones: zone peers get `name` and `ip_address`.
pub(crate) fn render_policy(tpl: &Value, zones: &[Value], with_rules: bool) -> Value {
    let mut p = tpl.clone();
    if let Some(rules) = p.get_mut("firewall_rules").and_then(Value::as_array_mut) {
        for r in rules.iter_mut() {
            for key in ["firewall_source", "firewall_target"] {
                if let Some(peer) = r.get_mut(key)
                    && peer.get("type").and_then(Value::as_str) == Some("FirewallZone")
                {
                    let zid = s(peer, "id");
                    *peer = match zones.iter().find(|z| s(z, "id") == zid) {
                        Some(z) => json!({
                            "type": "FirewallZone", "id": zid, "name": s(z, "name"),
                            "ip_address": s(z, "ip_address"), "url": s(z, "url"),
                        }),
                        None => {
                            json!({"type": "FirewallZone", "id": zid, "name": Value::Null, "ip_address": Value::Null})
                        }
                    };
                }
            }
        }
    }
    if !with_rules && let Some(m) = p.as_object_mut() {
        m.remove("firewall_rules");
    }
    p
}

/// Validate a zone `ip_address` string: comma-separated IPv4/IPv6 addresses or CIDR blocks.
pub(crate) fn valid_ip_list(s: &str) -> Result<(), String> {
    if s.trim().is_empty() {
        return Ok(());
    }
    for item in s.split(',') {
        let item = item.trim();
        let (addr, prefix) = match item.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (item, None),
        };
        let ip: std::net::IpAddr = addr
            .parse()
            .map_err(|_| format!("invalid IP address {item:?} in ip_address"))?;
        if let Some(p) = prefix {
            let max = if ip.is_ipv4() { 32 } else { 128 };
            match p.parse::<u8>() {
                Ok(n) if n <= max => {}
                _ => return Err(format!("invalid CIDR prefix in {item:?}")),
            }
        }
    }
    Ok(())
}
