//! Seeded scans of every module per day, and the detail of one finding.

use serde_json::{Value, json};

use super::*;
use crate::util::{Prng, fmt_ms, hex_id};

const SCAN_MODULES: &[(&str, u64)] = &[
    ("sca", 35),
    ("fim", 25),
    ("svm", 25),
    ("sam", 10),
    ("sv", 5),
];

pub(super) fn gen_scans(p: &GenParams, servers: &[Value], csm: &[Value]) -> Vec<Scan> {
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
