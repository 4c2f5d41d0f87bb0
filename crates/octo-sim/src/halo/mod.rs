//! The simulated CloudPassage Halo API (see `shared/reference/halo-api.md`).
//!
//! - `world`: seeded groups, servers, policies, SVM results, issues, scans
//! - `events`: compact event store, generation, rendering, queries
//! - `firewall`: firewall services, interfaces, zones and policies
//! - `auth`: token endpoint and bearer/scope checks
//! - `handlers`: the HTTP routes

pub(crate) mod auth;
pub(crate) mod events;
pub(crate) mod firewall;
pub(crate) mod handlers;
pub(crate) mod world;

use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::util::{fmt_ms, hex_id, parse_ms};
use events::{Extra, type_label};
use world::{Base, Live, s};

/// The whole Halo world: immutable generated part plus the mutable part.
pub(crate) struct HaloState {
    pub base: Arc<Base>,
    pub live: Live,
}

impl HaloState {
    pub(crate) fn new(base: Base) -> Self {
        let live = Live {
            servers: base.pristine_servers.clone(),
            zones: base.pristine_zones.clone(),
            ..Live::default()
        };
        HaloState {
            base: Arc::new(base),
            live,
        }
    }

    /// Back to the seeded world (generated events are immutable and kept).
    pub(crate) fn reset(&mut self) {
        self.live = Live {
            servers: self.base.pristine_servers.clone(),
            zones: self.base.pristine_zones.clone(),
            ..Live::default()
        };
    }

    pub(crate) fn group_index(&self, id: &str) -> Option<usize> {
        self.base.groups.iter().position(|g| s(g, "id") == id)
    }

    pub(crate) fn server_index(&self, id: &str) -> Option<usize> {
        self.live.servers.iter().position(|v| s(v, "id") == id)
    }

    /// Group `i` with live `server_counts` (retired servers are not counted).
    pub(crate) fn render_group(&self, i: usize) -> Value {
        let mut g = self.base.groups[i].clone();
        let gid = s(&g, "id");
        let (mut a, mut m, mut d) = (0, 0, 0);
        for srv in &self.live.servers {
            if s(srv, "group_id") == gid {
                match srv.get("state").and_then(Value::as_str) {
                    Some("active") => a += 1,
                    Some("missing") => m += 1,
                    Some("deactivated") => d += 1,
                    _ => {}
                }
            }
        }
        g["server_counts"] =
            json!({"active": a, "missing": m, "deactivated": d, "total": a + m + d});
        g
    }

    /// Ids of `roots` and of all their descendant groups.
    pub(crate) fn with_descendants(&self, roots: &[String]) -> Vec<String> {
        let mut out: Vec<usize> = roots.iter().filter_map(|r| self.group_index(r)).collect();
        let mut i = 0;
        while i < out.len() {
            let cur = out[i];
            for (j, p) in self.base.group_parent.iter().enumerate() {
                if *p == Some(cur) && !out.contains(&j) {
                    out.push(j);
                }
            }
            i += 1;
        }
        let mut ids: Vec<String> = out.iter().map(|i| s(&self.base.groups[*i], "id")).collect();
        for r in roots {
            if !ids.contains(r) {
                ids.push(r.clone());
            }
        }
        ids
    }

    /// Set a server's group fields (and its firewall policy summary) to group `gi`.
    pub(crate) fn assign_group(&mut self, si: usize, gi: usize) {
        let g = self.base.groups[gi].clone();
        let windows = s(&self.live.servers[si], "platform") == "windows";
        let key = if windows {
            "windows_firewall_policy_id"
        } else {
            "linux_firewall_policy_id"
        };
        let fw = g
            .get(key)
            .and_then(Value::as_str)
            .and_then(|fid| self.base.fw_policies.iter().find(|p| s(p, "id") == fid))
            .map(|p| {
                json!({
                    "id": s(p, "id"), "name": s(p, "name"), "status": "installed",
                    "installed": fmt_ms(self.base.now_ms), "last_checked": fmt_ms(self.base.now_ms),
                    "url": s(p, "url"),
                })
            });
        let srv = &mut self.live.servers[si];
        srv["group_id"] = json!(s(&g, "id"));
        srv["group_name"] = json!(s(&g, "name"));
        srv["group_path"] = json!(s(&g, "group_path"));
        if srv.get("firewall_policy").is_some() || fw.is_some() {
            srv["firewall_policy"] = fw.unwrap_or(Value::Null);
        }
    }

    /// Append an event (fills `id`, `created_at` = `now_ms`, `name`, `critical`, and the
    /// `server_*` fields of a known `server_id` when missing); returns the event as served.
    pub(crate) fn add_event(&mut self, ev: Map<String, Value>, now_ms: i64) -> Value {
        let seed = self.base.seed;
        let mut rest = ev;
        let id = match rest.remove("id") {
            Some(Value::String(s)) if !s.is_empty() => s,
            _ => {
                self.live.added_events += 1;
                hex_id(seed, "added_event", self.live.added_events)
            }
        };
        let ty = rest.remove("type").unwrap_or(Value::Null);
        let ty_s = ty.as_str().unwrap_or("").to_string();
        let name = rest
            .remove("name")
            .unwrap_or_else(|| json!(type_label(&ty_s)));
        let message = rest.remove("message").unwrap_or_else(|| json!(""));
        // normalised to the API's millisecond `Z` form; unparsable or missing → now
        let ts = match rest.remove("created_at") {
            Some(Value::String(c)) => parse_ms(&c).unwrap_or(now_ms),
            _ => now_ms,
        };
        let created = fmt_ms(ts);
        let critical = rest.remove("critical").unwrap_or(json!(false));
        let mut m = Map::new();
        m.insert("id".into(), json!(id));
        m.insert("type".into(), ty);
        m.insert("name".into(), name);
        m.insert("message".into(), message);
        m.insert("created_at".into(), json!(created));
        m.insert("critical".into(), critical.clone());
        let server_id = rest
            .get("server_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut group_id = None;
        if let Some(srv) = server_id
            .as_deref()
            .and_then(|id| self.server_index(id))
            .map(|i| &self.live.servers[i])
        {
            let plat = if s(srv, "platform") == "windows" {
                "Windows"
            } else {
                "Linux"
            };
            let fill = [
                ("server_id", json!(s(srv, "id"))),
                ("server_hostname", json!(s(srv, "hostname"))),
                (
                    "server_label",
                    srv.get("server_label").cloned().unwrap_or(Value::Null),
                ),
                ("server_platform", json!(plat)),
                ("server_group_name", json!(s(srv, "group_name"))),
                ("server_ip_address", json!(s(srv, "connecting_ip_address"))),
                (
                    "server_primary_ip_address",
                    json!(s(srv, "primary_ip_address")),
                ),
                (
                    "server_reported_fqdn",
                    srv.get("reported_fqdn").cloned().unwrap_or(Value::Null),
                ),
            ];
            for (k, v) in fill {
                let v = rest.remove(k).unwrap_or(v);
                m.insert(k.into(), v);
            }
            group_id = Some(s(srv, "group_id"));
        } else if let Some(gn) = rest.get("server_group_name").and_then(Value::as_str) {
            let matches: Vec<&Value> = self
                .base
                .groups
                .iter()
                .filter(|g| s(g, "name") == gn)
                .collect();
            if matches.len() == 1 {
                group_id = Some(s(matches[0], "id"));
            }
        }
        if let Some(Value::String(gid)) = rest.remove("_group_id") {
            group_id = Some(gid);
        }
        for (k, v) in rest {
            m.insert(k, v);
        }
        let v = Value::Object(m);
        let extra = Extra {
            ts,
            type_lc: ty_s.to_lowercase(),
            critical: critical == json!(true),
            server_id,
            group_id,
            platform_lc: v
                .get("server_platform")
                .and_then(Value::as_str)
                .map(str::to_lowercase),
            v: v.clone(),
        };
        let pos = self.live.extras.partition_point(|e| e.ts <= ts);
        self.live.extras.insert(pos, extra);
        v
    }

    /// Plant a server (`POST /_sim/servers`): fills id/url/state/created_at and group fields.
    pub(crate) fn add_server(&mut self, body: Map<String, Value>, now_ms: i64) -> Value {
        let seed = self.base.seed;
        let url = self.base.base_url.clone();
        let mut m = body;
        let id = match m.get("id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => {
                self.live.planted_servers += 1;
                hex_id(seed, "planted_server", self.live.planted_servers)
            }
        };
        m.insert("id".into(), json!(id));
        m.entry("url")
            .or_insert_with(|| json!(format!("{url}/v1/servers/{id}")));
        m.entry("state").or_insert_with(|| json!("active"));
        m.entry("created_at")
            .or_insert_with(|| json!(fmt_ms(now_ms)));
        m.entry("last_state_change")
            .or_insert_with(|| json!(fmt_ms(now_ms)));
        let gi = m
            .get("group_id")
            .and_then(Value::as_str)
            .and_then(|g| self.group_index(g))
            .unwrap_or(0);
        let mut v = Value::Object(m);
        let g = &self.base.groups[gi];
        v["group_id"] = json!(s(g, "id"));
        v["group_name"] = json!(s(g, "name"));
        v["group_path"] = json!(s(g, "group_path"));
        if let Some(pos) = self.server_index(&id) {
            self.live.servers[pos] = v.clone();
        } else {
            self.live.servers.push(v.clone());
        }
        v
    }

    /// The Halo part of `GET /_sim/state`.
    pub(crate) fn state_json(&self) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert(
            "groups".into(),
            Value::Array(
                (0..self.base.groups.len())
                    .map(|i| {
                        let g = self.render_group(i);
                        json!({
                            "id": g["id"], "name": g["name"], "group_path": g["group_path"],
                            "parent_id": g["parent_id"], "server_counts": g["server_counts"],
                        })
                    })
                    .collect(),
            ),
        );
        out.insert(
            "servers".into(),
            Value::Array(
                self.live
                    .servers
                    .iter()
                    .map(|v| {
                        json!({
                            "id": v["id"], "hostname": v["hostname"], "state": v["state"],
                            "group_id": v["group_id"], "group_name": v["group_name"],
                            "group_path": v["group_path"],
                            "ec2_instance_id": v.pointer("/aws_ec2/ec2_instance_id").cloned().unwrap_or(Value::Null),
                        })
                    })
                    .collect(),
            ),
        );
        out.insert(
            "firewall_zones".into(),
            Value::Array(
                self.live
                    .zones
                    .iter()
                    .map(|z| json!({"id": z["id"], "name": z["name"], "ip_address": z["ip_address"], "description": z["description"]}))
                    .collect(),
            ),
        );
        out.insert("events_added".into(), json!(self.live.extras.len()));
        out
    }
}
