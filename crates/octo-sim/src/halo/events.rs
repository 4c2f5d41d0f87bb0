//! Events: compact storage, deterministic generation, on-demand JSON rendering and queries.
//!
//! A world may hold millions of events (benchmarks use 1,000,000 per day), so generated events
//! are kept as a 24-byte [`Ev`] sorted by time and rendered to JSON only when served. Events
//! added at runtime (`add_event`, `server_moved` …) live as full JSON in [`Extra`] and are merged
//! in time order (a generated event sorts before an added one with the same timestamp).

use chrono::{Duration, NaiveDate};
use serde_json::{Map, Value, json};

use super::world::{Base, CSM_RULES, DAY_MS, FIM_FILES, FIM_TARGETS, VULNS, day_start_ms, s};
use crate::util::{Prng, fmt_ms, hex_id, mix64};

/// One event type: (type, portal name, weight in generation, critical per mille, has a server).
pub(crate) struct TypeDef {
    pub name: &'static str,
    pub label: &'static str,
    pub weight: u32,
    pub crit_permille: u32,
    pub server: bool,
}

const fn t(
    name: &'static str,
    label: &'static str,
    weight: u32,
    crit_permille: u32,
    server: bool,
) -> TypeDef {
    TypeDef {
        name,
        label,
        weight,
        crit_permille,
        server,
    }
}

pub(crate) const TYPES: &[TypeDef] = &[
    t(
        "lids_rule_failed",
        "Log-based intrusion detection rule matched",
        300,
        300,
        true,
    ),
    t(
        "fim_target_integrity_changed",
        "File integrity change detected",
        140,
        80,
        true,
    ),
    t(
        "sca_rule_failed",
        "Configuration rule matched",
        140,
        50,
        true,
    ),
    t(
        "vulnerable_software_package_found",
        "Vulnerable software package found",
        80,
        300,
        true,
    ),
    t(
        "server_firewall_modified_locally",
        "Server firewall modified",
        8,
        1000,
        true,
    ),
    t("daemon_compromised", "Daemon compromised", 3, 1000, true),
    t(
        "multiple_root_accounts",
        "Multiple root accounts detected (Linux)",
        4,
        1000,
        true,
    ),
    t(
        "duplicate_uid_accounts",
        "Multiple accounts with same uid",
        4,
        1000,
        true,
    ),
    t(
        "server_account_created",
        "Local account created",
        20,
        0,
        true,
    ),
    t(
        "server_account_deleted",
        "Local account deleted",
        10,
        0,
        true,
    ),
    t(
        "ip_address_changed",
        "Server IP address changed",
        15,
        0,
        true,
    ),
    t("new_server", "New server", 5, 0, true),
    t("server_missing", "Server missing", 10, 0, true),
    t("server_moved", "Server moved to another group", 5, 0, true),
    t("server_retired", "Server retired", 3, 0, true),
    t("server_deactivated", "Server deactivated", 3, 0, true),
    t("fim_object_added", "FIM object added", 30, 50, true),
    t("fim_object_missing", "FIM object missing", 20, 50, true),
    t("halo_login_failure", "Halo login failure", 20, 0, false),
    t(
        "api_login_failure",
        "API authentication failure",
        20,
        0,
        false,
    ),
    t(
        "api_login_success",
        "API authentication success",
        80,
        0,
        false,
    ),
    t(
        "firewall_policy_modified",
        "Halo firewall policy modified",
        10,
        0,
        false,
    ),
    t("issue_resolved", "Issue resolved", 30, 0, true),
];
const K_FIM: u8 = 1;
const K_SCA: u8 = 2;
const K_VULN: u8 = 3;
const K_API_OK: u8 = 20;

/// Index of a type name (exact, case-insensitive).
pub(crate) fn type_index(name: &str) -> Option<usize> {
    TYPES.iter().position(|t| t.name.eq_ignore_ascii_case(name))
}

/// Portal label of a type, or the type itself when unknown.
pub(crate) fn type_label(name: &str) -> String {
    type_index(name).map_or_else(|| name.to_string(), |i| TYPES[i].label.to_string())
}

/// A generated event (24 bytes). Everything else is derived from these fields and the seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ev {
    /// created_at, epoch milliseconds.
    pub ts: i64,
    /// Position within its UTC day's generation order (with the day, the id).
    pub idx: u32,
    /// Random bits for the message details.
    pub var: u32,
    /// Index into `Base::snaps`, or [`NO_SERVER`].
    pub server: u16,
    pub kind: u8,
    pub crit: bool,
}
pub(crate) const NO_SERVER: u16 = u16::MAX;

/// What events need to know about a seeded server (as it was when the world was generated).
#[derive(Clone, Debug)]
pub(crate) struct ServerSnap {
    pub id: String,
    pub hostname: String,
    pub label: String,
    pub windows: bool,
    pub group_idx: usize,
    pub group_name: String,
    pub conn_ip: String,
    pub primary_ip: String,
    pub fqdn: String,
}

/// An event added at runtime, kept as the JSON it is served as plus pre-parsed filter keys.
#[derive(Clone, Debug)]
pub(crate) struct Extra {
    pub ts: i64,
    pub v: Value,
    pub type_lc: String,
    pub critical: bool,
    pub server_id: Option<String>,
    pub group_id: Option<String>,
    pub platform_lc: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Generation

/// Generate `per_day` events for each of `days` UTC days starting at `first_day`, dropping those
/// after `now_ms`. A day's content depends only on (seed, date, per_day, burst_fraction, number
/// of servers): every day starts with an event at 00:00:00.000 and ends with one at
/// 23:59:59.999, and `burst_fraction` of its events come in bursts of 20–400 sharing one
/// `created_at`.
pub(crate) fn generate(
    seed: u64,
    first_day: NaiveDate,
    days: u32,
    now_ms: i64,
    per_day: usize,
    burst_fraction: f64,
    nservers: usize,
) -> Vec<Ev> {
    let nservers = nservers.min(NO_SERVER as usize);
    let mut table: Vec<u8> = Vec::new();
    for (i, t) in TYPES.iter().enumerate() {
        if t.server && nservers == 0 {
            continue;
        }
        table.extend(std::iter::repeat_n(i as u8, t.weight as usize));
    }
    let mut out: Vec<Ev> = Vec::with_capacity(per_day.saturating_mul(days as usize).min(1 << 28));
    if per_day == 0 {
        return out;
    }
    for d in 0..days {
        let day = first_day + Duration::days(i64::from(d));
        let day0 = day_start_ms(day);
        if day0 > now_ms {
            break;
        }
        let dnum = day0.div_euclid(DAY_MS) as u64;
        let mut rng = Prng::derive(seed, "events", dnum);
        let mut idx: u32 = 0;
        let mut emit = |out: &mut Vec<Ev>,
                        rng: &mut Prng,
                        ts: i64,
                        kind: Option<u8>,
                        server: Option<u16>|
         -> bool {
            if ts > now_ms {
                return false;
            }
            let kind = kind.unwrap_or_else(|| table[rng.below(table.len() as u64) as usize]);
            let td = &TYPES[kind as usize];
            let server = if td.server {
                server.unwrap_or_else(|| rng.below(nservers as u64) as u16)
            } else {
                NO_SERVER
            };
            let crit = td.crit_permille > 0 && (rng.below(1000) as u32) < td.crit_permille;
            let var = rng.next_u64() as u32;
            out.push(Ev {
                ts,
                idx,
                var,
                server,
                kind,
                crit,
            });
            idx += 1;
            true
        };
        let boundaries = per_day.min(2);
        if !emit(&mut out, &mut rng, day0, None, None) {
            break;
        }
        let rest = per_day - boundaries;
        // bursts
        let mut brng = Prng::derive(seed, "bursts", dnum);
        let target = ((rest as f64) * burst_fraction.clamp(0.0, 1.0)).round() as usize;
        let mut sizes: Vec<usize> = Vec::new();
        let mut remaining = target.min(rest);
        while remaining >= 20 {
            let size = brng.range(20, remaining.min(400) as u64) as usize;
            sizes.push(size);
            remaining -= size;
        }
        let burst_total: usize = sizes.iter().sum();
        let points = rest - burst_total + sizes.len();
        let mut positions: Vec<usize> = Vec::with_capacity(sizes.len());
        while positions.len() < sizes.len() {
            let p = brng.below(points as u64) as usize;
            if !positions.contains(&p) {
                positions.push(p);
            }
        }
        positions.sort_unstable();
        // increasing timestamps in [day0+1, day0+DAY_MS-2] from cumulative random gaps
        let gap_rng = Prng::derive(seed, "event_gaps", dnum);
        let mut g = gap_rng.clone();
        let total: u64 = (0..points).map(|_| 1 + g.below(1024)).sum();
        let mut g = gap_rng;
        let mut cum: u64 = 0;
        let span = (DAY_MS - 3) as u128;
        let mut next_burst = 0usize;
        let mut stopped = false;
        for p in 0..points {
            cum += 1 + g.below(1024);
            let ts = day0 + 1 + ((u128::from(cum) * span) / u128::from(total.max(1))) as i64;
            if next_burst < positions.len() && positions[next_burst] == p {
                let size = sizes[next_burst];
                next_burst += 1;
                let server = if nservers > 0 {
                    Some(brng.below(nservers as u64) as u16)
                } else {
                    None
                };
                for _ in 0..size {
                    let kind = if nservers > 0 {
                        *brng.pick(&[K_SCA, K_SCA, K_FIM, K_VULN])
                    } else {
                        K_API_OK
                    };
                    if !emit(&mut out, &mut rng, ts, Some(kind), server) {
                        stopped = true;
                        break;
                    }
                }
            } else if !emit(&mut out, &mut rng, ts, None, None) {
                stopped = true;
            }
            if stopped {
                break;
            }
        }
        if stopped {
            break;
        }
        if boundaries == 2 && !emit(&mut out, &mut rng, day0 + DAY_MS - 1, None, None) {
            break;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Rendering

const USERS: &[&str] = &[
    "root", "admin", "ubuntu", "oracle", "test", "deploy", "ec2-user", "postgres", "git", "jenkins",
];
const ATTACKERS_V4: &[&str] = &[
    "203.0.113.7",
    "203.0.113.45",
    "203.0.113.99",
    "203.0.113.250",
    "203.0.113.181",
    "192.0.2.33",
    "192.0.2.201",
    "198.51.100.240",
    "198.51.100.77",
];
const ATTACKERS_V6: &[&str] = &[
    "2001:db8::dead:beef",
    "2001:db8:85a3::8a2e:370:7334",
    "2001:db8:4:17::2",
];
const PRIVATE: &[&str] = &["10.20.3.44", "192.168.1.23", "172.16.4.9", "10.0.0.5"];
const COUNTRIES: &[&str] = &[
    "United States",
    "Germany",
    "Netherlands",
    "Singapore",
    "Brazil",
];

/// Event id: 32 hex chars from (seed, UTC day, position in the day).
pub(crate) fn event_id(seed: u64, e: &Ev) -> String {
    let day = e.ts.div_euclid(DAY_MS) as u64;
    hex_id(seed, "event", (day << 32) | u64::from(e.idx))
}

fn attacker_ip(r: &mut Prng, base: &Base) -> String {
    match r.below(100) {
        0..=69 => (*r.pick(ATTACKERS_V4)).to_string(),
        70..=79 => (*r.pick(ATTACKERS_V6)).to_string(),
        80..=89 => (*r.pick(PRIVATE)).to_string(),
        90..=94 if !base.snaps.is_empty() => r.pick(&base.snaps).conn_ip.clone(),
        _ => format!("203.0.113.{}", r.range(1, 254)),
    }
}

/// The JSON of a generated event, exactly as `/v1/events` serves it.
pub(crate) fn render(base: &Base, e: &Ev) -> Value {
    let seed = base.seed;
    let td = &TYPES[e.kind as usize];
    let mut r = Prng::new(seed ^ mix64(u64::from(e.var) ^ (e.ts as u64).rotate_left(17)));
    let mut m = Map::new();
    m.insert("id".into(), json!(event_id(seed, e)));
    m.insert("type".into(), json!(td.name));
    m.insert("name".into(), json!(td.label));
    m.insert("message".into(), Value::Null);
    m.insert("created_at".into(), json!(fmt_ms(e.ts)));
    m.insert("critical".into(), json!(e.crit));
    let snap = base
        .snaps
        .get(e.server as usize)
        .filter(|_| e.server != NO_SERVER);
    let plat = snap.map_or("Linux", |s| if s.windows { "Windows" } else { "Linux" });
    if let Some(sn) = snap {
        m.insert("server_id".into(), json!(sn.id));
        m.insert("server_hostname".into(), json!(sn.hostname));
        m.insert("server_label".into(), json!(sn.label));
        m.insert("server_platform".into(), json!(plat));
        m.insert("server_group_name".into(), json!(sn.group_name));
        m.insert("server_ip_address".into(), json!(sn.conn_ip));
        m.insert("server_primary_ip_address".into(), json!(sn.primary_ip));
        m.insert("server_reported_fqdn".into(), json!(sn.fqdn));
    }
    let label = snap.map_or(String::new(), |s| s.label.clone());
    let sip = snap.map_or(String::new(), |s| s.conn_ip.clone());
    let windows = snap.is_some_and(|s| s.windows);
    let pidx = usize::from(windows);
    let policy = |list: &[Value], i: usize| s(&list[i.min(list.len() - 1)], "name");
    let scan_fields = |m: &mut Map<String, Value>, r: &mut Prng| {
        let sc = r.next_u64();
        m.insert("scan_id".into(), json!(hex_id(seed, "event_scan", sc)));
        m.insert(
            "finding_id".into(),
            json!(hex_id(seed, "event_finding", sc)),
        );
    };
    let msg: String = match td.name {
        "lids_rule_failed" => {
            let ip = attacker_ip(&mut r, base);
            let port = r.range(1024, 65535);
            let (msg, rule) = if windows {
                let user = *r.pick(&["Administrator", "admin", "guest", "svc_backup"]);
                (
                    format!(
                        "Security 4625: An account failed to log on. Account Name: {user} Source Network Address: {ip} Source Port: {port}"
                    ),
                    "Windows logon failure",
                )
            } else {
                let user = *r.pick(USERS);
                match r.below(10) {
                    0..=4 => (
                        format!("sshd: Failed password for {user} from {ip} port {port} ssh2"),
                        "SSH brute force",
                    ),
                    5..=6 => (
                        format!("sshd: Invalid user {user} from {ip} port {port}"),
                        "SSH invalid user",
                    ),
                    7 => (
                        format!(
                            "sshd: Failed password for invalid user {user} from {ip} port {port} ssh2"
                        ),
                        "SSH invalid user",
                    ),
                    8 => (
                        format!("sshd: Accepted password for {user} from {ip} port {port} ssh2"),
                        "SSH password login",
                    ),
                    _ => (
                        format!(
                            "sudo: {user} : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/{user} ; USER=root ; COMMAND=/bin/bash"
                        ),
                        "sudo failures",
                    ),
                }
            };
            m.insert(
                "policy_name".into(),
                json!(policy(&base.lids_policies, pidx)),
            );
            m.insert("rule_name".into(), json!(rule));
            msg
        }
        "fim_target_integrity_changed" => {
            let target = if windows {
                FIM_TARGETS[FIM_TARGETS.len() - 1]
            } else {
                FIM_TARGETS[r.below(FIM_TARGETS.len() as u64 - 1) as usize]
            };
            m.insert(
                "policy_name".into(),
                json!(policy(&base.fim_policies, pidx)),
            );
            m.insert("rule_name".into(), json!(target));
            scan_fields(&mut m, &mut r);
            format!(
                "A change was detected in file integrity target {target} on {plat} server {label} ({sip}) (source: Scan)"
            )
        }
        "sca_rule_failed" => {
            let rule = *r.pick(CSM_RULES);
            m.insert(
                "policy_name".into(),
                json!(policy(&base.csm_policies, pidx * 2)),
            );
            m.insert("rule_name".into(), json!(rule));
            scan_fields(&mut m, &mut r);
            format!("Configuration rule \"{rule}\" matched on {plat} server {label} ({sip})")
        }
        "vulnerable_software_package_found" => {
            let cands: Vec<_> = VULNS.iter().filter(|v| v.4 == windows).collect();
            let v = cands[r.below(cands.len() as u64) as usize];
            let cves: Vec<&str> = v.3.iter().map(|c| c.0).collect();
            scan_fields(&mut m, &mut r);
            m.insert("package_name".into(), json!(v.0));
            m.insert("package_version".into(), json!(v.1));
            format!(
                "Vulnerable software package {} {} ({}) found on {plat} server {label} ({sip})",
                v.0,
                v.1,
                cves.join(", ")
            )
        }
        "server_firewall_modified_locally" => {
            format!(
                "The firewall on {plat} server {label} ({sip}) was modified locally; Halo restored the assigned policy"
            )
        }
        "daemon_compromised" => {
            format!(
                "The Halo daemon on server {label} ({sip}) failed its self-verification and may be compromised"
            )
        }
        "multiple_root_accounts" => {
            let u = *r.pick(&USERS[1..]);
            m.insert("server_account_username".into(), json!(u));
            format!("Multiple root accounts (uid 0) detected on server {label} ({sip}): root, {u}")
        }
        "duplicate_uid_accounts" => {
            let a = *r.pick(&USERS[1..5]);
            let b = *r.pick(&USERS[5..]);
            format!(
                "Accounts {a} and {b} share uid {} on server {label} ({sip})",
                r.range(1000, 1100)
            )
        }
        "server_account_created" | "server_account_deleted" => {
            let u = format!(
                "{}{}",
                r.pick(&["svc", "tmp", "user", "ops"]),
                r.range(1, 99)
            );
            m.insert("server_account_username".into(), json!(u));
            let verb = if td.name.ends_with("created") {
                "created"
            } else {
                "deleted"
            };
            format!("Local account {u} {verb} on server {label} ({sip})")
        }
        "ip_address_changed" => {
            let old = format!("10.20.{}.{}", r.range(1, 9), r.range(10, 250));
            let new = snap.map_or(String::new(), |s| s.primary_ip.clone());
            let iface = if windows { "Ethernet0" } else { "eth0" };
            m.insert("server_old_ip_address".into(), json!(old));
            m.insert("server_new_ip_address".into(), json!(new));
            m.insert("server_interface_name".into(), json!(iface));
            format!("IP address of server {label} changed from {old} to {new} on interface {iface}")
        }
        "new_server" => {
            let g = snap.map_or(String::new(), |s| s.group_name.clone());
            format!("New {plat} server {label} ({sip}) registered in group {g}")
        }
        "server_missing" => format!("Server {label} ({sip}) stopped reporting and is now missing"),
        "server_moved" => {
            let g = snap.map_or(String::new(), |s| s.group_name.clone());
            let from = *r.pick(&["Dev", "Build", "Web", "App"]);
            format!("Server {label} ({sip}) moved from group {from} to group {g}")
        }
        "server_retired" => format!("Server {label} ({sip}) was retired"),
        "server_deactivated" => format!("Server {label} ({sip}) was deactivated"),
        "fim_object_added" | "fim_object_missing" => {
            let file = *r.pick(FIM_FILES);
            m.insert(
                "policy_name".into(),
                json!(policy(&base.fim_policies, pidx)),
            );
            scan_fields(&mut m, &mut r);
            if td.name.ends_with("added") {
                format!(
                    "New object {file} detected under a file integrity target on server {label} ({sip})"
                )
            } else {
                format!(
                    "Object {file} is missing from a file integrity target on server {label} ({sip})"
                )
            }
        }
        "halo_login_failure" => {
            let ip = attacker_ip(&mut r, base);
            let u = format!(
                "{}@example.com",
                r.pick(&["alice", "bob", "carol", "secops"])
            );
            m.insert("actor_username".into(), json!(u));
            m.insert("actor_ip_address".into(), json!(ip));
            m.insert("actor_country".into(), json!(*r.pick(COUNTRIES)));
            format!("Failed Halo portal login for {u} from {ip}")
        }
        "api_login_failure" | "api_login_success" => {
            let ip = if r.chance(0.7) {
                format!("198.51.100.{}", r.range(1, 60))
            } else {
                attacker_ip(&mut r, base)
            };
            let (kid, klabel) = *r.pick(&[
                ("sim-read-key", "octobox read-only"),
                ("sim-rw-key", "octobox read-write"),
                ("3f9a1c20", "legacy exporter"),
            ]);
            m.insert("actor_ip_address".into(), json!(ip));
            m.insert("actor_country".into(), json!(*r.pick(COUNTRIES)));
            m.insert("api_key_id".into(), json!(kid));
            m.insert("api_key_label".into(), json!(klabel));
            if td.name.ends_with("failure") {
                format!("API authentication failed for key {kid} from {ip}")
            } else {
                format!("API key {klabel} ({kid}) authenticated from {ip}")
            }
        }
        "firewall_policy_modified" => {
            let ip = format!("198.51.100.{}", r.range(1, 60));
            let u = format!("{}@example.com", r.pick(&["alice", "bob", "secops"]));
            let pol = s(r.pick(&base.fw_policies), "name");
            m.insert("actor_username".into(), json!(u));
            m.insert("actor_ip_address".into(), json!(ip));
            m.insert("actor_country".into(), json!("United States"));
            m.insert("policy_name".into(), json!(pol));
            format!("Firewall policy {pol} modified by {u}")
        }
        "issue_resolved" => {
            let rule = *r.pick(CSM_RULES);
            m.insert("rule_name".into(), json!(rule));
            format!("Issue \"{rule}\" resolved on server {label} ({sip})")
        }
        _ => String::new(),
    };
    m.insert("message".into(), json!(msg));
    Value::Object(m)
}

// ---------------------------------------------------------------------------------------------
// Queries

/// Filters of `GET /v1/events`. Times are microseconds; both bounds are inclusive.
#[derive(Clone, Debug, Default)]
pub(crate) struct EvQuery {
    pub since_us: Option<i64>,
    pub until_us: Option<i64>,
    pub desc: bool,
    pub types: Option<Vec<String>>,
    pub critical: Option<bool>,
    pub server_ids: Option<Vec<String>>,
    pub group_ids: Option<Vec<String>>,
    pub platforms: Option<Vec<String>>,
}

impl EvQuery {
    fn filtered(&self) -> bool {
        self.types.is_some()
            || self.critical.is_some()
            || self.server_ids.is_some()
            || self.group_ids.is_some()
            || self.platforms.is_some()
    }
}

#[derive(Clone, Copy)]
enum It {
    G(usize),
    E(usize),
}

struct Merge<'a> {
    g: &'a [Ev],
    e: &'a [Extra],
    gi: usize,
    gend: usize,
    ei: usize,
    eend: usize,
    desc: bool,
}

impl Iterator for Merge<'_> {
    type Item = It;
    fn next(&mut self) -> Option<It> {
        let (hg, he) = (self.gi < self.gend, self.ei < self.eend);
        if !self.desc {
            let take_g = match (hg, he) {
                (true, true) => self.g[self.gi].ts <= self.e[self.ei].ts,
                (true, false) => true,
                (false, true) => false,
                (false, false) => return None,
            };
            if take_g {
                self.gi += 1;
                Some(It::G(self.gi - 1))
            } else {
                self.ei += 1;
                Some(It::E(self.ei - 1))
            }
        } else {
            let take_e = match (hg, he) {
                (true, true) => self.e[self.eend - 1].ts >= self.g[self.gend - 1].ts,
                (true, false) => false,
                (false, true) => true,
                (false, false) => return None,
            };
            if take_e {
                self.eend -= 1;
                Some(It::E(self.eend))
            } else {
                self.gend -= 1;
                Some(It::G(self.gend))
            }
        }
    }
}

/// Count all matches and render `limit` of them starting at `offset`.
pub(crate) fn query(
    base: &Base,
    extras: &[Extra],
    q: &EvQuery,
    offset: usize,
    limit: usize,
) -> (usize, Vec<Value>) {
    let g = &base.events;
    let since = q.since_us.unwrap_or(i64::MIN);
    let until = q.until_us.unwrap_or(i64::MAX);
    let lo = g.partition_point(|e| e.ts.saturating_mul(1000) < since);
    let hi = g
        .partition_point(|e| e.ts.saturating_mul(1000) <= until)
        .max(lo);
    let elo = extras.partition_point(|e| e.ts.saturating_mul(1000) < since);
    let ehi = extras
        .partition_point(|e| e.ts.saturating_mul(1000) <= until)
        .max(elo);
    let merge = Merge {
        g,
        e: extras,
        gi: lo,
        gend: hi,
        ei: elo,
        eend: ehi,
        desc: q.desc,
    };
    let render_it = |it: It| match it {
        It::G(i) => render(base, &g[i]),
        It::E(i) => extras[i].v.clone(),
    };
    if !q.filtered() {
        let count = (hi - lo) + (ehi - elo);
        let items = merge.skip(offset).take(limit).map(render_it).collect();
        return (count, items);
    }
    // precomputed masks for generated events
    let types_lc: Option<Vec<String>> = q
        .types
        .as_ref()
        .map(|v| v.iter().map(|t| t.to_lowercase()).collect());
    let type_mask: Vec<bool> = TYPES
        .iter()
        .map(|t| {
            types_lc
                .as_ref()
                .is_none_or(|ts| ts.iter().any(|x| x == t.name))
        })
        .collect();
    let group_idx: Option<Vec<usize>> = q.group_ids.as_ref().map(|ids| {
        base.groups
            .iter()
            .enumerate()
            .filter(|(_, g)| ids.iter().any(|id| *id == s(g, "id")))
            .map(|(i, _)| i)
            .collect()
    });
    let plats: Option<Vec<String>> = q
        .platforms
        .as_ref()
        .map(|v| v.iter().map(|p| p.to_lowercase()).collect());
    let server_filter = q.server_ids.is_some() || group_idx.is_some() || plats.is_some();
    let server_mask: Vec<bool> = base
        .snaps
        .iter()
        .map(|sn| {
            q.server_ids.as_ref().is_none_or(|ids| ids.contains(&sn.id))
                && group_idx
                    .as_ref()
                    .is_none_or(|gs| gs.contains(&sn.group_idx))
                && plats.as_ref().is_none_or(|ps| {
                    ps.iter()
                        .any(|p| p == if sn.windows { "windows" } else { "linux" })
                })
        })
        .collect();
    let gen_ok = |e: &Ev| {
        type_mask[e.kind as usize]
            && q.critical.is_none_or(|c| c == e.crit)
            && (!server_filter || (e.server != NO_SERVER && server_mask[e.server as usize]))
    };
    let extra_ok = |x: &Extra| {
        types_lc.as_ref().is_none_or(|ts| ts.contains(&x.type_lc))
            && q.critical.is_none_or(|c| c == x.critical)
            && q.server_ids
                .as_ref()
                .is_none_or(|ids| x.server_id.as_ref().is_some_and(|s| ids.contains(s)))
            && q.group_ids
                .as_ref()
                .is_none_or(|ids| x.group_id.as_ref().is_some_and(|s| ids.contains(s)))
            && plats
                .as_ref()
                .is_none_or(|ps| x.platform_lc.as_ref().is_some_and(|p| ps.contains(p)))
    };
    let mut count = 0usize;
    let mut items = Vec::new();
    for it in merge {
        let ok = match it {
            It::G(i) => gen_ok(&g[i]),
            It::E(i) => extra_ok(&extras[i]),
        };
        if ok {
            if count >= offset && items.len() < limit {
                items.push(render_it(it));
            }
            count += 1;
        }
    }
    (count, items)
}

#[cfg(test)]
mod tests;
