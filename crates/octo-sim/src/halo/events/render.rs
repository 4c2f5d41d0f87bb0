//! Rendering: the JSON of a generated event, derived from its 24 bytes and the seed, exactly as
//! `/v1/events` serves it.

use super::*;

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
