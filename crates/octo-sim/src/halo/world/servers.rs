//! Seeded servers (with their AWS metadata and event snapshots) and their SVM scan results.

use serde_json::{Map, Value, json};

use super::*;
use crate::util::{Prng, fmt_ms, hex_id};

pub(super) fn gen_servers(
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

pub(super) fn svm_scan(
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
