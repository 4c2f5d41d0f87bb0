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

mod query;
mod render;

pub(crate) use query::{EvQuery, query};
pub(crate) use render::render;

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

#[cfg(test)]
mod tests;
