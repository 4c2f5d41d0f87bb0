//! Simulated OpenStack: Keystone v3 (`/identity`), Nova v2.1 (`/compute/v2.1`), Glance v2
//! (`/image`) and Neutron v2.0 (`/network`), as `shared/reference/openstack-freshdesk.md` §3
//! describes them.
//!
//! # The seeded world (any seed; ids are derived from the seed)
//! - Domain `Default` (id `default`). Projects `admin`, `genomics-lab`, `astro-sim`, `teaching-101`.
//! - Users: `secops` (cloud admin, password [`OS_ADMIN`]; application credential [`OS_APP_CRED`]),
//!   `alice` (owner of `genomics-lab` servers, member, email + full_name, password [`OS_OWNER`]),
//!   `bob` (TenantManager of genomics-lab, direct grant), `carol` (TenantManager via group
//!   `genomics-managers`), `dave` (TenantManager without email), `erin` (astro-sim owner, no
//!   email), `frank` (TenantManager of astro-sim).
//! - Servers: `web01` (genomics-lab, ACTIVE, floating IP 203.0.113.7), `db01` (genomics-lab,
//!   SHUTOFF), `worker01` (astro-sim, PAUSED), `web01` again (astro-sim: names are not unique),
//!   `jupyter` (teaching-101, boot from volume), `legacy01` (genomics-lab, ACTIVE, image deleted).
//!   Look them up in `/_sim/state` → `openstack.servers`.
//! - State transitions (pause, unpause, stop, start, suspend, resume, snapshot, delete) take
//!   [`crate::SimConfig::openstack_transition_ms`]; meanwhile `OS-EXT-STS:task_state` is set.
//!
//! Test-only routes: `PUT /_sim/openstack/servers/{id}` patches a server (`vm_state`,
//! `task_state`, `locked`, `locked_by`, `locked_reason`, `metadata`, `console_fault`).

pub(crate) mod discovery;
pub(crate) mod keystone;
pub(crate) mod net;
pub(crate) mod nova;
mod seed;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use serde_json::{Value, json};

use crate::Shared;
use crate::util::{fmt_ms, hex_id};

/// The cloud admin's user name and password (project `admin`, role `admin`).
pub const OS_ADMIN: (&str, &str) = ("secops", "sim-os-password-0000");
/// The admin's application credential: id and secret (scoped to project `admin`).
pub const OS_APP_CRED: (&str, &str) = (
    "0c5f3e1b2a4d4e6f8a9b0c1d2e3f4a5b",
    "sim-appcred-secret-0000",
);
/// A non-admin project member (owner of the genomics-lab servers): user name and password.
pub const OS_OWNER: (&str, &str) = ("alice", "sim-owner-password-0000");

/// A deterministic UUID (8-4-4-4-12) from the seed.
pub(crate) fn uuid(seed: u64, kind: &str, idx: u64) -> String {
    let h = hex_id(seed, kind, idx);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[derive(Clone, Debug)]
pub(crate) struct User {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub full_name: Option<String>,
    pub password: Option<String>,
    pub default_project_id: Option<String>,
    pub enabled: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Project {
    pub id: String,
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Assignment {
    pub role_id: String,
    pub user_id: Option<String>,
    pub group_id: Option<String>,
    pub project_id: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub id: String,
    pub name: String,
    pub members: Vec<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct AppCred {
    pub id: String,
    pub name: String,
    pub secret: String,
    pub user_id: String,
    pub project_id: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub user_id: String,
    pub project_id: String,
    pub admin: bool,
    pub expires_ms: i64,
}

/// A transition in progress: when it ends, `vm_state` becomes `to` (`None` = the server is gone).
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    pub done_ms: i64,
    pub to: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Server {
    pub id: String,
    pub name: String,
    pub project_id: String,
    pub user_id: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub vm_state: String,
    pub task_state: Option<String>,
    pub pending: Option<Pending>,
    pub locked: bool,
    /// `admin` or `owner`
    pub locked_by: Option<String>,
    pub locked_reason: Option<String>,
    pub metadata: BTreeMap<String, String>,
    /// Empty = boot from volume.
    pub image_id: String,
    pub flavor: Value,
    pub addresses: Value,
    pub key_name: Option<String>,
    pub host: String,
    pub security_groups: Vec<String>,
    pub console: String,
    /// Status code every console-output request gets (tests of evidence failure).
    pub console_fault: Option<u16>,
}

impl Server {
    pub fn status(&self) -> &'static str {
        match self.vm_state.as_str() {
            "active" => "ACTIVE",
            "paused" => "PAUSED",
            "stopped" => "SHUTOFF",
            "suspended" => "SUSPENDED",
            "building" => "BUILD",
            "error" => "ERROR",
            _ => "UNKNOWN",
        }
    }
    pub fn power_state(&self) -> u8 {
        match self.vm_state.as_str() {
            "active" => 1,
            "paused" => 3,
            "stopped" | "suspended" => 4,
            _ => 0,
        }
    }
}

/// All simulated OpenStack state.
pub(crate) struct OsState {
    pub seed: u64,
    pub transition_ms: i64,
    pub users: Vec<User>,
    pub projects: Vec<Project>,
    pub roles: Vec<(String, String)>,
    pub groups: Vec<Group>,
    pub assignments: Vec<Assignment>,
    pub app_creds: Vec<AppCred>,
    pub tokens: HashMap<String, Token>,
    pub tokens_issued: u64,
    pub images: Vec<Value>,
    pub servers: Vec<Server>,
    pub deleted: Vec<String>,
    pub ports: Vec<Value>,
    pub floatingips: Vec<Value>,
    pub security_groups: Vec<Value>,
    pub actions: HashMap<String, Vec<Value>>,
    pub counter: u64,
}

impl OsState {
    /// Finish every transition whose time has come.
    pub fn settle(&mut self, now_ms: i64) {
        let mut gone = Vec::new();
        for s in &mut self.servers {
            if let Some(p) = &s.pending
                && p.done_ms <= now_ms
            {
                match &p.to {
                    Some(vm) => {
                        s.vm_state = vm.clone();
                        s.task_state = None;
                        s.updated_ms = p.done_ms;
                        s.pending = None;
                    }
                    None => gone.push(s.id.clone()),
                }
            }
        }
        for id in gone {
            self.servers.retain(|s| s.id != id);
            let ports: Vec<Value> = self
                .ports
                .iter()
                .filter(|p| p["device_id"] == json!(id))
                .map(|p| p["id"].clone())
                .collect();
            for f in &mut self.floatingips {
                if ports.contains(&f["port_id"]) {
                    f["port_id"] = Value::Null;
                    f["fixed_ip_address"] = Value::Null;
                    f["status"] = json!("DOWN");
                }
            }
            self.ports.retain(|p| p["device_id"] != json!(id));
            self.deleted.push(id);
        }
        for img in &mut self.images {
            if img["status"] == "saving"
                && img["_ready_ms"].as_i64().is_some_and(|t| t <= now_ms)
                && let Some(m) = img.as_object_mut()
            {
                m.insert("status".into(), json!("active"));
                m.remove("_ready_ms");
            }
        }
    }

    pub fn next_id(&mut self, kind: &str) -> String {
        self.counter += 1;
        uuid(self.seed ^ 0xDEAD, kind, self.counter)
    }

    pub fn token(&self, headers: &HeaderMap, now_ms: i64) -> Option<Token> {
        let t = headers.get("x-auth-token")?.to_str().ok()?;
        let tok = self.tokens.get(t)?;
        (tok.expires_ms > now_ms).then(|| tok.clone())
    }

    pub fn state_json(&self) -> Value {
        let servers: Vec<Value> = self
            .servers
            .iter()
            .map(|s| {
                let mut v = nova::render(s, (2, 73), true, &self.images);
                if let Some(m) = v.as_object_mut() {
                    m.insert("locked_by".into(), json!(s.locked_by));
                    m.insert(
                        "instance_actions".into(),
                        json!(self.actions.get(&s.id).cloned().unwrap_or_default()),
                    );
                }
                v
            })
            .collect();
        json!({
            "servers": servers,
            "deleted_servers": self.deleted,
            "images": self.images,
            "projects": self.projects.iter().map(|p| json!({"id": p.id, "name": p.name})).collect::<Vec<_>>(),
            "users": self.users.iter().map(|u| json!({"id": u.id, "name": u.name, "email": u.email})).collect::<Vec<_>>(),
            "ports": self.ports,
            "floatingips": self.floatingips,
            "tokens_issued": self.tokens_issued,
        })
    }
}

/// RFC 3339 to the second (`2026-05-01T03:12:09Z`), as Nova and Keystone print times.
pub(crate) fn fmt_s(ms: i64) -> String {
    let s = fmt_ms(ms);
    match s.find('.') {
        Some(i) => format!("{}Z", &s[..i]),
        None => s,
    }
}

/// An OpenStack-style JSON response.
pub(crate) fn reply(status: StatusCode, v: Value) -> Response {
    (status, axum::Json(v)).into_response()
}

/// Parse a JSON body or answer 400 in the given service's error style.
pub(crate) fn body_json(body: &Bytes) -> Option<Value> {
    if body.is_empty() {
        return Some(Value::Null);
    }
    serde_json::from_slice(body).ok()
}

/// All OpenStack routes (plus the test-only patch route).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    use discovery as d;
    Router::new()
        .route("/identity", get(d::identity_versions))
        .route("/identity/", get(d::identity_versions))
        .route("/identity/v3", get(d::identity_v3))
        .route("/identity/v3/", get(d::identity_v3))
        .route("/compute", get(d::compute_versions))
        .route("/compute/", get(d::compute_versions))
        .route("/compute/v2.1", get(d::compute_v21))
        .route("/compute/v2.1/", get(d::compute_v21))
        .route("/image", get(d::image_versions))
        .route("/image/", get(d::image_versions))
        .route("/image/versions", get(d::image_versions_ok))
        .route("/image/v2", get(d::image_versions))
        .route("/image/v2/", get(d::image_versions))
        .route("/network", get(d::network_versions))
        .route("/network/", get(d::network_versions))
        .route("/network/v2.0", get(d::network_v20))
        .route("/network/v2.0/", get(d::network_v20))
        .route("/identity/v3/auth/tokens", post(keystone::issue_token))
        .route("/identity/v3/projects/{id}", get(keystone::get_project))
        .route("/identity/v3/users/{id}", get(keystone::get_user))
        .route("/identity/v3/roles", get(keystone::list_roles))
        .route(
            "/identity/v3/role_assignments",
            get(keystone::role_assignments),
        )
        .route("/compute/v2.1/servers/detail", get(nova::list_detail))
        .route(
            "/compute/v2.1/servers/{id}",
            get(nova::show).delete(nova::delete_server),
        )
        .route("/compute/v2.1/servers/{id}/action", post(nova::action))
        .route(
            "/compute/v2.1/servers/{id}/metadata",
            get(nova::get_metadata).post(nova::post_metadata),
        )
        .route(
            "/compute/v2.1/servers/{id}/metadata/{key}",
            delete(nova::delete_metadata_key),
        )
        .route(
            "/compute/v2.1/servers/{id}/os-instance-actions",
            get(nova::instance_actions),
        )
        .route("/image/v2/images", get(net::list_images))
        .route("/image/v2/images/{id}", get(net::get_image))
        .route("/network/v2.0/ports", get(net::list_ports))
        .route("/network/v2.0/floatingips", get(net::list_floatingips))
        .route(
            "/network/v2.0/security-groups",
            get(net::list_security_groups),
        )
        .route("/_sim/openstack/servers/{id}", put(sim_patch_server))
}

async fn sim_patch_server(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(Value::Object(p)) = body_json(&body) else {
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "body must be a JSON object"}),
        );
    };
    let mut os = sh.openstack_mut();
    let Some(s) = os.servers.iter_mut().find(|s| s.id == id) else {
        return reply(
            StatusCode::NOT_FOUND,
            json!({"error": format!("no server {id}")}),
        );
    };
    for (k, v) in p {
        match k.as_str() {
            "vm_state" => s.vm_state = v.as_str().unwrap_or("active").to_string(),
            "task_state" => s.task_state = v.as_str().map(Into::into),
            "locked" => s.locked = v.as_bool().unwrap_or(false),
            "locked_by" => s.locked_by = v.as_str().map(Into::into),
            "locked_reason" => s.locked_reason = v.as_str().map(Into::into),
            "console_fault" => s.console_fault = v.as_u64().map(|c| c as u16),
            "metadata" => {
                if let Value::Object(m) = v {
                    for (mk, mv) in m {
                        match mv.as_str() {
                            Some(x) => {
                                s.metadata.insert(mk, x.to_string());
                            }
                            None => {
                                s.metadata.remove(&mk);
                            }
                        }
                    }
                }
            }
            other => {
                return reply(
                    StatusCode::BAD_REQUEST,
                    json!({"error": format!("unknown field {other}")}),
                );
            }
        }
    }
    s.pending = None;
    reply(StatusCode::OK, json!({"id": id}))
}
