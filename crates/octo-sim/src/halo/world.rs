//! The seeded Halo world: group tree, servers, policies, firewall objects, SVM results, issues
//! and scans. Everything is derived from `SimConfig::seed` (and the anchor day) so two
//! simulators with the same seed and `now` serve byte-identical data.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{Map, Value, json};

use super::events::{Ev, Extra, ServerSnap};
use crate::util::{Prng, fmt_ms, hex_id};

pub(crate) const DAY_MS: i64 = 86_400_000;

/// Seeded group tree: (name, parent index, tag, description).
pub(crate) const GROUP_DEFS: &[(&str, Option<usize>, &str, &str)] = &[
    ("Root", None, "", "Root group of the account"),
    ("Prod", Some(0), "prod", "Production workloads"),
    ("Web", Some(1), "prod-web", "Production web tier"),
    ("App", Some(1), "prod-app", "Production application tier"),
    ("DB", Some(1), "prod-db", "Production databases"),
    ("Dev", Some(0), "dev", "Development"),
    ("Web", Some(5), "dev-web", "Development web tier"),
    ("Build", Some(5), "dev-build", "CI build agents"),
    ("Corp", Some(0), "corp", "Corporate Windows servers"),
    (
        "Quarantine",
        Some(0),
        "quarantine",
        "Isolation group for compromised servers",
    ),
    ("q-test", Some(0), "q-test", "Quarantine trigger test group"),
];
pub(crate) const G_PROD_WEB: usize = 2;
pub(crate) const G_PROD_APP: usize = 3;
pub(crate) const G_PROD_DB: usize = 4;
pub(crate) const G_DEV_WEB: usize = 6;
pub(crate) const G_DEV_BUILD: usize = 7;
pub(crate) const G_CORP: usize = 8;
pub(crate) const G_QTEST: usize = 10;

/// Per group: (linux fw policy, windows fw policy, csm, windows csm, fim, windows fim, lids, special events)
type GroupPolicies = (
    Option<usize>,
    Option<usize>,
    &'static [usize],
    &'static [usize],
    &'static [usize],
    &'static [usize],
    &'static [usize],
    usize,
);
const GROUP_POLICIES: &[GroupPolicies] = &[
    (None, None, &[0], &[], &[], &[], &[], 0),
    (None, None, &[0], &[2], &[], &[], &[0], 0),
    (Some(0), Some(3), &[0, 1], &[2], &[0], &[1], &[0], 0),
    (Some(0), Some(3), &[0], &[2], &[0], &[1], &[0, 1], 0),
    (Some(1), None, &[0, 1], &[], &[0], &[], &[0], 0),
    (None, None, &[0], &[], &[], &[], &[], 0),
    (Some(0), None, &[0], &[], &[], &[], &[0], 0),
    (None, None, &[], &[], &[], &[], &[], 0),
    (None, Some(3), &[], &[2], &[], &[1], &[1], 0),
    (Some(2), Some(3), &[0], &[2], &[0], &[1], &[0, 1], 1),
    (Some(0), Some(3), &[0], &[2], &[0], &[1], &[0, 1], 0),
];

const CSM_POLICIES: &[(&str, &str, &str)] = &[
    (
        "Core System Hardening (Linux)",
        "linux",
        "Baseline hardening checks for every Linux server",
    ),
    (
        "CIS Benchmark Ubuntu 20.04",
        "linux",
        "CIS level 1 server profile",
    ),
    (
        "Windows Server 2019 Baseline",
        "windows",
        "Microsoft security baseline",
    ),
];
const FIM_POLICIES: &[(&str, &str, &str)] = &[
    (
        "Core System Files (Linux)",
        "linux",
        "/etc, /bin, /sbin, /usr/bin and boot files",
    ),
    (
        "Windows System Files",
        "windows",
        "System32 and registry run keys",
    ),
];
const LIDS_POLICIES: &[(&str, &str, &str)] = &[
    (
        "Linux Auth Log Monitoring",
        "linux",
        "sshd and sudo failures from auth.log / secure",
    ),
    (
        "Windows Logon Failures",
        "windows",
        "Security event log 4625/4740",
    ),
];
const SE_POLICIES: &[(&str, &str, &str)] = &[
    (
        "Default Special Events Policy",
        "",
        "Critical: firewall modified, daemon compromised, root accounts",
    ),
    ("Quarantine Special Events", "", "Everything critical"),
];

pub(crate) const CSM_RULES: &[&str] = &[
    "Ensure SSH root login is disabled",
    "Ensure SSH PasswordAuthentication is disabled",
    "Ensure permissions on /etc/shadow are configured",
    "Ensure auditd service is enabled",
    "Ensure no world writable files exist",
    "Ensure password expiration is 365 days or less",
    "Ensure IP forwarding is disabled",
    "Ensure telnet server is not installed",
    "Ensure NTP is configured",
    "Ensure core dumps are restricted",
];
pub(crate) const FIM_TARGETS: &[&str] = &[
    "/etc/*",
    "/etc/ssh/sshd_config",
    "/usr/bin/*",
    "/usr/sbin/*",
    "/bin/*",
    "/etc/cron.d/*",
    "/root/.ssh/authorized_keys",
    "C:\\Windows\\System32\\drivers\\etc\\hosts",
];
pub(crate) const FIM_FILES: &[&str] = &[
    "/etc/passwd",
    "/etc/shadow",
    "/etc/group",
    "/etc/sudoers",
    "/etc/hosts",
    "/usr/bin/ssh",
    "/usr/sbin/sshd",
    "/etc/cron.d/backup",
];

/// Vulnerable package catalogue: (name, version, vendor, [(cve, cvss)], windows?)
pub(crate) type Vuln = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, f64)],
    bool,
);
pub(crate) const VULNS: &[Vuln] = &[
    (
        "openssl",
        "1.0.2k",
        "openssl",
        &[("CVE-2016-2108", 9.8), ("CVE-2016-2105", 7.5)],
        false,
    ),
    ("bash", "4.2.46", "gnu", &[("CVE-2014-6271", 9.8)], false),
    ("glibc", "2.17", "gnu", &[("CVE-2015-0235", 9.8)], false),
    (
        "sudo",
        "1.8.23",
        "sudo_project",
        &[("CVE-2021-3156", 7.8)],
        false,
    ),
    (
        "polkit",
        "0.112",
        "polkit_project",
        &[("CVE-2021-4034", 7.8)],
        false,
    ),
    (
        "openssh",
        "7.4p1",
        "openbsd",
        &[("CVE-2018-15473", 5.3), ("CVE-2016-10009", 7.3)],
        false,
    ),
    (
        "curl",
        "7.29.0",
        "haxx",
        &[("CVE-2023-38545", 9.8), ("CVE-2023-38546", 3.7)],
        false,
    ),
    (
        "log4j",
        "2.14.1",
        "apache",
        &[("CVE-2021-44228", 10.0)],
        false,
    ),
    ("zlib", "1.2.7", "zlib", &[("CVE-2018-25032", 7.5)], false),
    ("less", "458", "gnu", &[("CVE-2022-46663", 4.3)], false),
    (
        "Microsoft Windows SMBv1",
        "10.0.14393",
        "microsoft",
        &[("CVE-2017-0144", 8.1)],
        true,
    ),
    (
        "Microsoft .NET Framework",
        "4.7.2",
        "microsoft",
        &[("CVE-2020-0646", 9.8)],
        true,
    ),
    (
        "Mozilla Firefox",
        "91.0",
        "mozilla",
        &[("CVE-2022-26485", 8.8)],
        true,
    ),
    ("7-Zip", "16.04", "7-zip", &[("CVE-2016-2334", 7.8)], true),
];
const GOOD_PACKAGES: &[(&str, &str)] = &[
    ("coreutils", "8.32"),
    ("tar", "1.34"),
    ("rsync", "3.2.3"),
    ("ca-certificates", "2023.2.60"),
    ("tzdata", "2024a"),
];

/// Linux distributions: (platform, platform_version, os_version)
const LINUX: &[(&str, &str, &str)] = &[
    ("ubuntu", "20.04", "5.4.0-1045-aws"),
    ("ubuntu", "22.04", "5.15.0-1019-aws"),
    ("centos", "7.9.2009", "3.10.0-1160.el7.x86_64"),
    ("rhel", "8.6", "4.18.0-372.9.1.el8.x86_64"),
    ("debian", "11", "5.10.0-21-amd64"),
    ("amazon", "2", "4.14.320-242.534.amzn2.x86_64"),
    ("oracle", "8.7", "5.15.0-6.80.3.1.el8uek.x86_64"),
];
const WINDOWS: &[(&str, &str, &str)] = &[
    (
        "windows",
        "10.0.17763",
        "Microsoft Windows Server 2019 Datacenter",
    ),
    (
        "windows",
        "6.3.9600",
        "Microsoft Windows Server 2012 R2 Standard",
    ),
];

pub(crate) const AWS_ACCOUNTS: &[(&str, &[&str])] = &[
    ("123456789012", &["us-east-1", "us-west-2"]),
    ("210987654321", &["us-east-1", "eu-west-1", "us-west-2"]),
];

/// Everything generated once and never mutated (a reset restores `Live` from the pristine copies
/// kept here).
pub(crate) struct Base {
    pub seed: u64,
    pub base_url: String,
    /// World anchor ("now" at start), epoch ms.
    pub now_ms: i64,
    pub groups: Vec<Value>,
    pub group_parent: Vec<Option<usize>>,
    pub snaps: Vec<ServerSnap>,
    pub events: Vec<Ev>,
    pub scans: Vec<Scan>,
    /// Last SVA scan per server id (with findings).
    pub svm: HashMap<String, Value>,
    pub issues: Vec<Value>,
    pub fw_policies: Vec<Value>,
    pub fw_services: Vec<Value>,
    pub fw_interfaces: Vec<Value>,
    pub csm_policies: Vec<Value>,
    pub fim_policies: Vec<Value>,
    pub lids_policies: Vec<Value>,
    pub se_policies: Vec<Value>,
    pub pristine_servers: Vec<Value>,
    pub pristine_zones: Vec<Value>,
}

/// A scan: timestamp for range queries plus the full object (with `findings`).
pub(crate) struct Scan {
    pub ts: i64,
    pub full: Value,
}

/// Mutable part of the world.
#[derive(Clone, Default)]
pub(crate) struct Live {
    pub servers: Vec<Value>,
    pub zones: Vec<Value>,
    /// Events added at runtime (add_event, server_moved …), sorted by (ts, insertion).
    pub extras: Vec<Extra>,
    pub added_events: u64,
    pub planted_servers: u64,
    pub created_zones: u64,
    /// A simulated concurrent writer of one zone (`Sim::race_zone`).
    pub zone_race: Option<super::firewall::ZoneRace>,
}

pub(crate) fn s(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

fn group_path(defs: &[(&str, Option<usize>, &str, &str)], i: usize) -> String {
    let mut parts = vec![defs[i].0];
    let mut cur = defs[i].1;
    while let Some(p) = cur {
        parts.push(defs[p].0);
        cur = defs[p].1;
    }
    parts.reverse();
    parts.join("/")
}

fn ids(seed: u64, kind: &str, idx: &[usize]) -> Value {
    Value::Array(
        idx.iter()
            .map(|i| Value::String(hex_id(seed, kind, *i as u64)))
            .collect(),
    )
}

fn opt_id(seed: u64, kind: &str, idx: Option<usize>) -> Value {
    idx.map_or(Value::Null, |i| Value::String(hex_id(seed, kind, i as u64)))
}

pub(crate) fn day_start_ms(d: NaiveDate) -> i64 {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
        .timestamp_millis()
}

pub(crate) struct GenParams {
    pub seed: u64,
    pub servers: usize,
    pub events_per_day: usize,
    pub scans_per_day: usize,
    pub days: u32,
    pub now: DateTime<Utc>,
    pub burst_fraction: f64,
    pub base_url: String,
}

pub(crate) fn generate(p: &GenParams) -> Base {
    let seed = p.seed;
    let now_ms = p.now.timestamp_millis();
    let url = &p.base_url;

    // ---- policies
    let mk_pol = |kind: &str, path: &str, defs: &[(&str, &str, &str)]| -> Vec<Value> {
        defs.iter()
            .enumerate()
            .map(|(i, (name, platform, desc))| {
                let id = hex_id(seed, kind, i as u64);
                let mut m = Map::new();
                m.insert("id".into(), json!(id));
                m.insert("url".into(), json!(format!("{url}/v1/{path}/{id}")));
                m.insert("name".into(), json!(name));
                m.insert("description".into(), json!(desc));
                if !platform.is_empty() {
                    m.insert("platform".into(), json!(platform));
                }
                m.insert("shared".into(), json!(true));
                m.insert("read_only".into(), json!(false));
                m.insert(
                    "created_at".into(),
                    json!(fmt_ms(now_ms - 400 * DAY_MS + i as i64 * 3_600_000)),
                );
                m.insert(
                    "updated_at".into(),
                    json!(fmt_ms(now_ms - 30 * DAY_MS + i as i64 * 3_600_000)),
                );
                Value::Object(m)
            })
            .collect()
    };
    let csm_policies = mk_pol("csm_policy", "policies", CSM_POLICIES);
    let fim_policies = mk_pol("fim_policy", "fim_policies", FIM_POLICIES);
    let lids_policies = mk_pol("lids_policy", "lids_policies", LIDS_POLICIES);
    let se_policies = mk_pol("se_policy", "special_events_policies", SE_POLICIES);

    // ---- groups
    let mut groups = Vec::new();
    let mut group_parent = Vec::new();
    for (i, (name, parent, tag, desc)) in GROUP_DEFS.iter().enumerate() {
        let id = hex_id(seed, "group", i as u64);
        let (lfw, wfw, csm, wcsm, fim, wfim, lids, se) = GROUP_POLICIES[i];
        let g = json!({
            "id": id,
            "url": format!("{url}/v1/groups/{id}"),
            "name": name,
            "description": desc,
            "parent_id": parent.map(|p| hex_id(seed, "group", p as u64)),
            "has_children": GROUP_DEFS.iter().any(|d| d.1 == Some(i)),
            "group_path": group_path(GROUP_DEFS, i),
            "tag": if tag.is_empty() { Value::Null } else { json!(tag) },
            "server_counts": {"active": 0, "missing": 0, "deactivated": 0, "total": 0},
            "policy_ids": ids(seed, "csm_policy", csm),
            "windows_policy_ids": ids(seed, "csm_policy", wcsm),
            "fim_policy_ids": ids(seed, "fim_policy", fim),
            "linux_fim_policy_ids": ids(seed, "fim_policy", fim),
            "windows_fim_policy_ids": ids(seed, "fim_policy", wfim),
            "lids_policy_ids": ids(seed, "lids_policy", lids),
            "firewall_policy_id": opt_id(seed, "fw_policy", lfw),
            "linux_firewall_policy_id": opt_id(seed, "fw_policy", lfw),
            "windows_firewall_policy_id": opt_id(seed, "fw_policy", wfw),
            "special_events_policy": hex_id(seed, "se_policy", se as u64),
            "alert_profiles": [],
        });
        groups.push(g);
        group_parent.push(*parent);
    }

    // ---- firewall services, interfaces, zones, policies
    let (fw_services, fw_interfaces, zones, fw_policies) =
        super::firewall::generate(seed, url, now_ms, &groups);

    // ---- servers
    let (servers, snaps) = gen_servers(p, &groups, &fw_policies);

    // ---- svm (last SVA scan per scanned server), issues
    let mut svm = HashMap::new();
    let mut issues = Vec::new();
    for (i, srv) in servers.iter().enumerate() {
        let mut rng = Prng::derive(seed, "svm", i as u64);
        let sid = s(srv, "id");
        let windows = s(srv, "platform") == "windows";
        if i < 3 || rng.chance(0.75) {
            let ts = now_ms - rng.range(3_600_000, 3 * DAY_MS as u64) as i64;
            let scan = svm_scan(seed, url, i as u64, srv, ts, windows, &mut rng);
            svm.insert(sid.clone(), scan);
        }
        issues.extend(gen_issues(
            seed,
            url,
            i,
            srv,
            svm.get(&sid),
            now_ms,
            &csm_policies,
            &fim_policies,
            &lids_policies,
        ));
    }

    // ---- scans
    let scans = gen_scans(p, &servers, &csm_policies);

    // ---- events
    let first_day = p.now.date_naive() - Duration::days(i64::from(p.days.max(1)) - 1);
    let events = super::events::generate(
        seed,
        first_day,
        p.days.max(1),
        now_ms,
        p.events_per_day,
        p.burst_fraction,
        snaps.len(),
    );

    Base {
        seed,
        base_url: url.clone(),
        now_ms,
        groups,
        group_parent,
        snaps,
        events,
        scans,
        svm,
        issues,
        fw_policies,
        fw_services,
        fw_interfaces,
        csm_policies,
        fim_policies,
        lids_policies,
        se_policies,
        pristine_servers: servers,
        pristine_zones: zones,
    }
}

fn gen_servers(
    p: &GenParams,
    groups: &[Value],
    fw_policies: &[Value],
) -> (Vec<Value>, Vec<ServerSnap>) {
    let seed = p.seed;
    let url = &p.base_url;
    let now_ms = p.now.timestamp_millis();
    let n = p.servers.min(60_000);
    let mut rng = Prng::derive(seed, "servers", 0);
    // weighted group choice for servers beyond the fixed ones
    let weights: &[(usize, u64)] = &[
        (G_PROD_WEB, 18),
        (G_PROD_APP, 14),
        (G_PROD_DB, 8),
        (G_DEV_WEB, 10),
        (G_DEV_BUILD, 8),
        (G_CORP, 9),
        (1, 1),
    ];
    let wsum: u64 = weights.iter().map(|w| w.1).sum();
    let mut role_counter: HashMap<&str, u32> = HashMap::new();
    let mut servers = Vec::with_capacity(n);
    let mut snaps = Vec::with_capacity(n);
    let mut used_private: std::collections::HashSet<String> = Default::default();
    for i in 0..n {
        let g = if i < 3 {
            G_QTEST
        } else {
            let mut r = rng.below(wsum);
            let mut chosen = weights[0].0;
            for (gi, w) in weights {
                if r < *w {
                    chosen = *gi;
                    break;
                }
                r -= w;
            }
            chosen
        };
        let windows = g == G_CORP || (g == G_PROD_APP && rng.chance(0.25));
        let (platform, pver, osver) = if windows {
            *rng.pick(WINDOWS)
        } else {
            *rng.pick(LINUX)
        };
        let ec2 = match g {
            G_CORP => rng.chance(0.2),
            G_QTEST => i != 2,
            1 => false,
            _ => rng.chance(0.62),
        };
        let role = match g {
            G_PROD_WEB => "web-prod",
            G_PROD_APP => "app-prod",
            G_PROD_DB => "db-prod",
            G_DEV_WEB => "web-dev",
            G_DEV_BUILD => "build-dev",
            G_CORP => "corp-srv",
            G_QTEST => "qtest",
            _ => "mon-prod",
        };
        let cnt = role_counter.entry(role).or_insert(0);
        *cnt += 1;
        let label = format!("{role}-{:02}", cnt);
        let (acct, region) = {
            let (a, regions) = rng.pick(AWS_ACCOUNTS);
            (*a, *rng.pick(regions))
        };
        let mut private_ip;
        loop {
            private_ip = if ec2 {
                format!(
                    "10.{}.{}.{}",
                    if acct == AWS_ACCOUNTS[0].0 { 0 } else { 1 },
                    rng.range(1, 40),
                    rng.range(4, 250)
                )
            } else if windows {
                format!("10.50.{}.{}", rng.range(1, 9), rng.range(10, 250))
            } else {
                format!("10.20.{}.{}", g, rng.range(10, 250))
            };
            if used_private.insert(private_ip.clone()) {
                break;
            }
        }
        let connecting_ip = if ec2 {
            let first = *rng.pick(&[3u64, 18, 34, 35, 44, 52, 54]);
            format!(
                "{first}.{}.{}.{}",
                rng.range(0, 255),
                rng.range(0, 255),
                rng.range(1, 254)
            )
        } else {
            format!("198.51.100.{}", 1 + (i % 250))
        };
        let mut hostname = if ec2 && windows {
            format!("EC2AMAZ-{:07X}", rng.below(0x1000_0000))
        } else if ec2 {
            format!("ip-{}", private_ip.replace('.', "-"))
        } else if windows {
            label.to_uppercase()
        } else {
            label.clone()
        };
        // a couple of servers share a hostname with an older one
        if n >= 12 && (i == n - 1 || i == n - 2) {
            hostname = s(&servers[if i == n - 1 { 3 } else { 5 }], "hostname");
        }
        let az = format!("{region}{}", ['a', 'b', 'c'][rng.below(3) as usize]);
        let fqdn = if ec2 && windows {
            format!("{}.{region}.compute.internal", hostname.to_lowercase())
        } else if ec2 {
            if region == "us-east-1" {
                format!("{hostname}.ec2.internal")
            } else {
                format!("{hostname}.{region}.compute.internal")
            }
        } else {
            format!("{}.corp.example.com", hostname.to_lowercase())
        };
        let state = if i < 3 || g == G_QTEST {
            "active"
        } else if n >= 12 && i == n - 2 {
            "retired"
        } else if n >= 12 && i == n / 2 {
            "missing"
        } else if n >= 12 && i == n / 2 + 1 {
            "deactivated"
        } else {
            let r = rng.below(100);
            match r {
                0..=5 => "missing",
                6..=8 => "deactivated",
                9..=11 => "retired",
                _ => "active",
            }
        };
        let id = hex_id(seed, "server", i as u64);
        let created = now_ms - rng.range(10, 400) as i64 * DAY_MS - rng.below(DAY_MS as u64) as i64;
        let state_change = if state == "active" {
            created
        } else {
            now_ms - rng.range(2, 20) as i64 * DAY_MS - rng.below(DAY_MS as u64) as i64
        };
        let group = &groups[g];
        let fw_id = if windows {
            group.get("windows_firewall_policy_id")
        } else {
            group.get("linux_firewall_policy_id")
        }
        .and_then(Value::as_str)
        .map(str::to_string);
        let fw = fw_id
            .and_then(|fid| fw_policies.iter().find(|p| s(p, "id") == fid))
            .map(|pol| {
                json!({
                    "id": s(pol, "id"),
                    "name": s(pol, "name"),
                    "status": "installed",
                    "installed": fmt_ms(now_ms - 5 * DAY_MS),
                    "last_checked": fmt_ms(now_ms - 3_600_000),
                    "url": s(pol, "url"),
                })
            });
        let mac = format!(
            "0a:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            rng.below(256),
            rng.below(256),
            rng.below(256),
            rng.below(256),
            rng.below(256)
        );
        let mut interfaces = vec![json!({
            "name": if windows { "Ethernet0" } else { "eth0" },
            "display_name": if windows { "Ethernet0" } else { "eth0" },
            "ip_address": private_ip,
            "netmask": if ec2 { "255.255.240.0" } else { "255.255.255.0" },
            "mac_address": mac,
        })];
        if !windows && rng.chance(0.2) {
            interfaces.push(json!({
                "name": "eth1", "display_name": "eth1",
                "ip_address": format!("172.16.{}.{}", g, 10 + i % 240),
                "netmask": "255.255.0.0", "mac_address": Value::Null,
            }));
        }
        if rng.chance(0.1) && !windows {
            interfaces.push(json!({
                "name": "eth0", "display_name": "eth0",
                "ip_address": format!("fd00:{:x}::{:x}", g, i + 16),
                "netmask": "ffff:ffff:ffff:ffff::", "mac_address": mac,
            }));
        }
        let mut m = Map::new();
        m.insert("id".into(), json!(id));
        m.insert("url".into(), json!(format!("{url}/v1/servers/{id}")));
        m.insert("hostname".into(), json!(hostname));
        m.insert("server_label".into(), json!(label));
        m.insert("reported_fqdn".into(), json!(fqdn));
        m.insert("connecting_ip_address".into(), json!(connecting_ip));
        m.insert(
            "connecting_ip_fqdn".into(),
            if ec2 {
                let dashed = connecting_ip.replace('.', "-");
                json!(if region == "us-east-1" {
                    format!("ec2-{dashed}.compute-1.amazonaws.com")
                } else {
                    format!("ec2-{dashed}.{region}.compute.amazonaws.com")
                })
            } else {
                Value::Null
            },
        );
        m.insert("primary_ip_address".into(), json!(private_ip));
        m.insert("state".into(), json!(state));
        m.insert("last_state_change".into(), json!(fmt_ms(state_change)));
        m.insert("created_at".into(), json!(fmt_ms(created)));
        m.insert(
            "daemon_version".into(),
            json!(*rng.pick(&["4.2.1", "4.3.0", "4.4.5", "5.1.0"])),
        );
        m.insert("read_only".into(), json!(false));
        m.insert("platform".into(), json!(platform));
        m.insert("platform_version".into(), json!(pver));
        m.insert("os_version".into(), json!(osver));
        m.insert(
            "kernel_name".into(),
            json!(if windows { "Windows" } else { "Linux" }),
        );
        m.insert("kernel_machine".into(), json!("x86_64"));
        m.insert("self_verification_failed".into(), json!(false));
        m.insert("group_id".into(), json!(s(group, "id")));
        m.insert("group_name".into(), json!(s(group, "name")));
        m.insert("group_path".into(), json!(s(group, "group_path")));
        m.insert("interfaces".into(), Value::Array(interfaces));
        m.insert("firewall_policy".into(), fw.unwrap_or(Value::Null));
        if ec2 {
            let iid = format!("i-0{:016x}", rng.next_u64())[..19].to_string();
            m.insert(
                "aws_ec2".into(),
                json!({
                    "ec2_instance_id": iid,
                    "ec2_account_id": acct,
                    "ec2_region": region,
                    "ec2_availability_zone": az,
                    "ec2_private_ip": private_ip,
                    "ec2_instance_type": *rng.pick(&["t3.micro", "t3.medium", "m5.large", "c5.xlarge", "r5.large"]),
                    "ec2_image_id": format!("ami-0{:016x}", rng.next_u64()),
                    "ec2_kernel_id": Value::Null,
                    "ec2_security_groups": [format!("{}-sg", role)],
                }),
            );
        }
        let v = Value::Object(m);
        snaps.push(ServerSnap {
            id: id.clone(),
            hostname: s(&v, "hostname"),
            label: s(&v, "server_label"),
            windows,
            group_idx: g,
            group_name: s(group, "name"),
            conn_ip: s(&v, "connecting_ip_address"),
            primary_ip: s(&v, "primary_ip_address"),
            fqdn: s(&v, "reported_fqdn"),
        });
        servers.push(v);
    }
    (servers, snaps)
}

fn svm_scan(
    seed: u64,
    url: &str,
    i: u64,
    srv: &Value,
    ts: i64,
    windows: bool,
    rng: &mut Prng,
) -> Value {
    let sid = s(srv, "id");
    let scan_id = hex_id(seed, "svm_scan", i);
    let candidates: Vec<&Vuln> = VULNS.iter().filter(|v| v.4 == windows).collect();
    let nbad = rng.below(5) as usize;
    let mut findings = Vec::new();
    let mut chosen: Vec<usize> = Vec::new();
    while chosen.len() < nbad.min(candidates.len()) {
        let k = rng.below(candidates.len() as u64) as usize;
        if !chosen.contains(&k) {
            chosen.push(k);
        }
    }
    chosen.sort_unstable();
    let (mut crit, mut noncrit) = (0, 0);
    for (j, k) in chosen.iter().enumerate() {
        let v = candidates[*k];
        findings.push(svm_finding(seed, &scan_id, j, v, ts));
        if v.3.iter().any(|c| c.1 >= 7.0) {
            crit += 1;
        } else {
            noncrit += 1;
        }
    }
    let good = if windows { &[][..] } else { GOOD_PACKAGES };
    for (j, (name, ver)) in good.iter().enumerate() {
        findings.push(json!({
            "id": hex_id(seed, &format!("svm_finding:{scan_id}"), 100 + j as u64),
            "package_name": name, "package_version": ver, "critical": false, "status": "good",
            "max_cvss": Value::Null, "cpe": Value::Null, "vendor": Value::Null,
            "install_date": fmt_ms(ts - 200 * DAY_MS), "remotely_exploitable": false, "cve_entries": [],
        }));
    }
    json!({
        "id": scan_id,
        "url": format!("{url}/v1/scans/{scan_id}"),
        "module": "svm",
        "status": if crit + noncrit > 0 { "completed_with_errors" } else { "completed_clean" },
        "created_at": fmt_ms(ts),
        "completed_at": fmt_ms(ts + 95_000),
        "server_id": sid,
        "server_hostname": s(srv, "hostname"),
        "server_url": s(srv, "url"),
        "critical_findings_count": crit,
        "non_critical_findings_count": noncrit,
        "ok_findings_count": good.len(),
        "findings": findings,
    })
}

pub(crate) fn svm_finding(seed: u64, scan_id: &str, j: usize, v: &Vuln, ts: i64) -> Value {
    let (name, ver, vendor, cves, _) = v;
    let max = cves.iter().map(|c| c.1).fold(0.0, f64::max);
    json!({
        "id": hex_id(seed, &format!("svm_finding:{scan_id}"), j as u64),
        "package_name": name,
        "package_version": ver,
        "critical": max >= 7.0,
        "status": "bad",
        "max_cvss": max,
        "cpe": format!("cpe:/a:{vendor}:{}:{ver}", name.to_lowercase().replace(' ', "_")),
        "vendor": vendor,
        "install_date": fmt_ms(ts - 200 * DAY_MS),
        "remotely_exploitable": max >= 9.0,
        "cve_entries": cves.iter().map(|(c, score)| json!({
            "cve_entry": c, "cvss_score": score, "cvss_version": "3.1",
            "remotely_exploitable": *score >= 9.0, "suppressed": false,
        })).collect::<Vec<_>>(),
    })
}

#[allow(clippy::too_many_arguments)]
fn gen_issues(
    seed: u64,
    url: &str,
    i: usize,
    srv: &Value,
    svm: Option<&Value>,
    now_ms: i64,
    csm: &[Value],
    fim: &[Value],
    lids: &[Value],
) -> Vec<Value> {
    let mut rng = Prng::derive(seed, "issues", i as u64);
    let windows = s(srv, "platform") == "windows";
    let mut out = Vec::new();
    let mut push = |rng: &mut Prng,
                    itype: &str,
                    rule_key: String,
                    name: String,
                    critical: bool,
                    pol: Option<&Value>| {
        let idx = out.len() as u64;
        let id = hex_id(seed, "issue", ((i as u64) << 16) | idx);
        let created = now_ms - rng.range(1, 30) as i64 * DAY_MS - rng.below(DAY_MS as u64) as i64;
        let last_seen = created + rng.below((now_ms - created).max(1) as u64) as i64;
        let resolved = rng.chance(0.2);
        out.push(json!({
            "id": id,
            "url": format!("{url}/v3/issues/{id}"),
            "issue_type": itype,
            "status": if resolved { "resolved" } else { "active" },
            "critical": critical,
            "rule_key": rule_key,
            "name": name,
            "created_at": fmt_ms(created),
            "last_seen_at": fmt_ms(last_seen),
            "resolved_at": if resolved { json!(fmt_ms(last_seen)) } else { Value::Null },
            "agent_id": s(srv, "id"),
            "asset_type": "server",
            "asset_name": s(srv, "hostname"),
            "group_id": "",
            "group_name": "",
            "os_type": if windows { "Windows" } else { "Linux" },
            "policy_id": pol.map_or(Value::Null, |p| json!(s(p, "id"))),
            "policy_name": pol.map_or(Value::Null, |p| json!(s(p, "name"))),
        }));
    };
    if let Some(scan) = svm {
        for f in scan["findings"].as_array().into_iter().flatten() {
            if f["status"] == "bad" {
                let pkg = s(f, "package_name");
                push(
                    &mut rng,
                    "sva",
                    format!("sva::{pkg}"),
                    format!("Vulnerable package: {pkg} {}", s(f, "package_version")),
                    f["critical"] == true,
                    None,
                );
            }
        }
    }
    let pol = if windows { &csm[2] } else { &csm[0] };
    for _ in 0..rng.below(4) {
        let rule = *rng.pick(CSM_RULES);
        let crit = rng.chance(0.2);
        push(
            &mut rng,
            "csm",
            format!("csm::{}", rule.to_lowercase().replace(' ', "_")),
            rule.to_string(),
            crit,
            Some(pol),
        );
    }
    if rng.chance(0.3) {
        let target = *rng.pick(FIM_TARGETS);
        let crit = rng.chance(0.1);
        push(
            &mut rng,
            "fim",
            format!("fim::{target}"),
            format!("File integrity change: {target}"),
            crit,
            Some(&fim[usize::from(windows)]),
        );
    }
    if rng.chance(0.3) {
        push(
            &mut rng,
            "lids",
            "lids::ssh_brute_force".into(),
            "SSH brute force".into(),
            true,
            Some(&lids[usize::from(windows)]),
        );
    }
    if s(srv, "state") == "missing" {
        push(
            &mut rng,
            "agent",
            "agent::missing".into(),
            "Agent not reporting".into(),
            false,
            None,
        );
    }
    out
}

const SCAN_MODULES: &[(&str, u64)] = &[
    ("sca", 35),
    ("fim", 25),
    ("svm", 25),
    ("sam", 10),
    ("sv", 5),
];

fn gen_scans(p: &GenParams, servers: &[Value], csm: &[Value]) -> Vec<Scan> {
    let seed = p.seed;
    let url = &p.base_url;
    let now_ms = p.now.timestamp_millis();
    let scannable: Vec<&Value> = servers.iter().filter(|s| s["state"] != "retired").collect();
    if scannable.is_empty() {
        return Vec::new();
    }
    let first_day = p.now.date_naive() - Duration::days(i64::from(p.days.max(1)) - 1);
    let mut out = Vec::new();
    for d in 0..p.days.max(1) {
        let day = first_day + Duration::days(i64::from(d));
        let day0 = day_start_ms(day);
        let dnum = (day0 / DAY_MS) as u64;
        let mut rng = Prng::derive(seed, "scans", dnum);
        for k in 0..p.scans_per_day {
            let ts = day0 + rng.below(DAY_MS as u64) as i64;
            let gidx = (dnum << 32) | k as u64;
            let srv = *rng.pick(&scannable);
            let mut r = rng.below(100);
            let mut module = "sca";
            for (m, w) in SCAN_MODULES {
                if r < *w {
                    module = m;
                    break;
                }
                r -= w;
            }
            if ts > now_ms {
                continue;
            }
            out.push(Scan {
                ts,
                full: build_scan(seed, url, gidx, srv, module, ts, now_ms, &mut rng, csm),
            });
        }
    }
    out.sort_by(|a, b| {
        a.ts.cmp(&b.ts)
            .then_with(|| s(&a.full, "id").cmp(&s(&b.full, "id")))
    });
    out
}

#[allow(clippy::too_many_arguments)]
fn build_scan(
    seed: u64,
    url: &str,
    gidx: u64,
    srv: &Value,
    module: &str,
    ts: i64,
    now_ms: i64,
    rng: &mut Prng,
    csm: &[Value],
) -> Value {
    let id = hex_id(seed, "scan", gidx);
    let windows = s(srv, "platform") == "windows";
    let fid = |j: u64| hex_id(seed, &format!("finding:{id}"), j);
    let mut findings = Vec::new();
    let failed = rng.chance(0.03);
    if !failed {
        match module {
            "sca" => {
                let n = rng.range(5, 10);
                for j in 0..n {
                    let rule = CSM_RULES[(j as usize + rng.below(3) as usize) % CSM_RULES.len()];
                    let bad = rng.chance(0.25);
                    findings.push(json!({
                        "id": fid(j), "rule_name": rule, "status": if bad { "bad" } else { "good" },
                        "critical": bad && rng.chance(0.2),
                        "policy_id": s(&csm[usize::from(windows) * 2], "id"),
                        "details": [{"type": "configuration", "expected": "compliant", "actual": if bad { "non-compliant" } else { "compliant" }}],
                    }));
                }
            }
            "fim" => {
                let n = rng.range(1, 5);
                for j in 0..n {
                    let target =
                        FIM_TARGETS[(j as usize + rng.below(4) as usize) % (FIM_TARGETS.len() - 1)];
                    let bad = rng.chance(0.5);
                    findings.push(json!({
                        "id": fid(j), "target": target, "status": if bad { "bad" } else { "good" },
                        "critical": bad && rng.chance(0.1),
                    }));
                }
            }
            "svm" => {
                let candidates: Vec<&Vuln> = VULNS.iter().filter(|v| v.4 == windows).collect();
                let n = rng.below(3);
                for j in 0..n {
                    let v = candidates[rng.below(candidates.len() as u64) as usize];
                    let mut f = svm_finding(seed, &id, j as usize, v, ts);
                    f["id"] = json!(fid(j));
                    findings.push(f);
                }
                findings.push(json!({"id": fid(99), "package_name": "coreutils", "package_version": "8.32",
                    "critical": false, "status": "good", "max_cvss": Value::Null, "cve_entries": []}));
            }
            "sam" => {
                for (j, rule) in [
                    "Inactive accounts disabled",
                    "No accounts with empty passwords",
                    "Root login restricted",
                ]
                .iter()
                .enumerate()
                {
                    let bad = rng.chance(0.2);
                    findings.push(json!({"id": fid(j as u64), "rule_name": rule, "status": if bad { "bad" } else { "good" }, "critical": false}));
                }
            }
            _ => {
                findings.push(json!({"id": fid(0), "rule_name": "Agent self-verification", "status": "good", "critical": false}));
            }
        }
    }
    let crit = findings
        .iter()
        .filter(|f| f["status"] == "bad" && f["critical"] == true)
        .count();
    let noncrit = findings
        .iter()
        .filter(|f| f["status"] == "bad" && f["critical"] != true)
        .count();
    let ok = findings.iter().filter(|f| f["status"] == "good").count();
    let running = now_ms - ts < 600_000;
    let status = if running {
        "running"
    } else if failed {
        "failed"
    } else if crit + noncrit > 0 {
        "completed_with_errors"
    } else {
        "completed_clean"
    };
    let dur = 20_000 + rng.below(200_000) as i64;
    let done = |off: i64| {
        if running {
            Value::Null
        } else {
            json!(fmt_ms(ts + off))
        }
    };
    json!({
        "id": id,
        "url": format!("{url}/v1/scans/{id}"),
        "module": module,
        "status": status,
        "created_at": fmt_ms(ts),
        "completed_at": done(dur),
        "agent_started_at": fmt_ms(ts + 1_000),
        "agent_completed_at": done(dur - 4_000),
        "analysis_started_at": done(dur - 3_000),
        "analysis_completed_at": done(dur - 100),
        "server_id": s(srv, "id"),
        "server_hostname": s(srv, "hostname"),
        "server_url": s(srv, "url"),
        "critical_findings_count": crit,
        "non_critical_findings_count": noncrit,
        "ok_findings_count": ok,
        "findings": findings,
    })
}

/// Detail of one FIM (or other) finding, as `GET /v1/scans/{id}/findings/{fid}` serves it.
pub(crate) fn finding_detail(seed: u64, scan: &Value, finding: &Value) -> Value {
    let fid = s(finding, "id");
    let mut rng = Prng::derive(
        seed,
        "finding_detail",
        crate::util::mix64(u64::from_str_radix(&fid[..16.min(fid.len())], 16).unwrap_or(0)),
    );
    let ts = crate::util::parse_ms(&s(scan, "created_at")).unwrap_or(0);
    if s(scan, "module") != "fim" {
        return json!([finding]);
    }
    let n = if finding["status"] == "bad" {
        rng.range(1, 3)
    } else {
        1
    };
    let mut out = Vec::new();
    for j in 0..n {
        let file =
            FIM_FILES[(rng.below(FIM_FILES.len() as u64) as usize + j as usize) % FIM_FILES.len()];
        let bad = finding["status"] == "bad";
        out.push(json!({
            "id": fid,
            "target": s(finding, "target"),
            "file": file,
            "status": s(finding, "status"),
            "critical": finding["critical"],
            "change": if bad { *rng.pick(&["modified", "added", "deleted"]) } else { "unchanged" },
            "owner": "root",
            "group": "root",
            "mode": "0644",
            "baseline_sha256": format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64()),
            "current_sha256": if bad { json!(format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64())) } else { Value::Null },
            "modified_at": fmt_ms(ts - rng.below(DAY_MS as u64) as i64),
        }));
    }
    Value::Array(out)
}
