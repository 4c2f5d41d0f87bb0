//! Seeded issues (v3): one per failing CSM rule, FIM change and vulnerable package of a server.

use serde_json::{Value, json};

use super::*;
use crate::util::{Prng, fmt_ms, hex_id};

#[allow(clippy::too_many_arguments)]
pub(super) fn gen_issues(
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
