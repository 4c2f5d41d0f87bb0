//! The seeded Halo world: group tree, servers, policies, firewall objects, SVM results, issues
//! and scans. Everything is derived from `SimConfig::seed` (and the anchor day) so two
//! simulators with the same seed and `now` serve byte-identical data.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{Map, Value, json};

use super::events::{Ev, Extra, ServerSnap};
use crate::util::{Prng, fmt_ms, hex_id};

mod catalog;
mod issues;
mod scans;
mod servers;

pub(crate) use catalog::*;
use issues::gen_issues;
pub(crate) use scans::finding_detail;
use scans::gen_scans;
pub(crate) use servers::svm_finding;
use servers::{gen_servers, svm_scan};

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
