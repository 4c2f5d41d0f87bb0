//! ipblock: add the offending addresses of matching events to a Halo firewall IP zone, and take
//! them out again when their block expires (`ipblock expire`) or on request (`ipblock unblock`).
//!
//! Safe by construction: a plan by default (`--apply` to act, with the read-write key only then);
//! addresses are validated (IPv4 and IPv6); private, loopback, link-local, multicast and reserved
//! addresses, our own Halo servers' addresses and `never_block` CIDRs are never blocked; the zone
//! is merged, not overwritten (read, add what is missing, re-read just before writing and start
//! over if it changed, write the full list, re-read to verify and merge again if a concurrent
//! writer dropped our entry); each block's expiry is recorded durably in the zone's description,
//! and only blocks recorded there are ever expired. Every decision is an `ipblock.action/v1`
//! record on stdout.

pub mod action;
pub mod ip;
pub mod rules;
pub mod zone;

use std::collections::HashMap;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use clap::{Args, CommandFactory, Parser, Subcommand};
use octo_core::config::HaloArgs;
use octo_core::exit::{Exit, usage};
use octo_core::halo::HaloClient;
use octo_core::halo::api::ALL_STATES;
use octo_core::log::LogArgs;
use octo_core::mutation::MutationArgs;

use octo_core::output::OutputArgs;
use octo_response as response;
use octo_response::action::{ActionOut, Status};
use octo_response::config::require_section;
use octo_response::events::{EventInputArgs, Trigger};
use serde_json::Value;

use action::{IPBLOCK_RECORD, IpblockAction};
use ip::{Extracted, extract_ip, reserved_reason};
use rules::{BlockFor, IpblockerRules};
use zone::{Zone, fmt_time};

const AFTER_HELP: &str = "\
Examples:
  halo-query events --date today --type lids_rule_failed | ipblock            # plan
  halo-query events --date today --type lids_rule_failed | ipblock --apply    # act
  ipblock --from-halo --since 15m --follow --apply | slack-notify
  ipblock expire --apply          # e.g. from cron every few minutes
  ipblock unblock 203.0.113.7 --apply

Config (octo.yml `ipblocker:` section; an OCTOBOX octo_conf.yml works unchanged):
  enabled, ip_zone_name, trigger_events, trigger_only_on_critical (default true),
  block_for (default 1h; 0 = never expires), never_block (CIDRs), max_zone_entries (default 500).

Expiry records live in the zone's description (`octobox-ipblock: IP until TIME`), so they survive
restarts and are visible in the Halo portal; `expire` only ever removes addresses recorded there.
Keys: the read-only key plans; --apply uses only the full-access key (HALO_API_KEY_RW /
HALO_API_SECRET_KEY_RW). Exit codes: 0 ok, 1 API or I/O failure, 2 usage or configuration error,
3 bad input line, 4 some changes failed, 130 interrupted.";

/// Add offending IP addresses of matching Halo events to a firewall IP zone (a plan by default;
/// --apply to act), expire them later. Prints one ipblock.action/v1 record per decision.
#[derive(Debug, Parser)]
#[command(name = "ipblock", version = octo_core::VERSION, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub input: EventInputArgs,
    #[command(flatten)]
    pub mutation: MutationArgs,
    #[command(flatten)]
    pub halo: HaloArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Remove the blocks we added whose time is up (never entries we did not add)
    Expire(ExpireArgs),
    /// Remove addresses from the zone (and their expiry records)
    Unblock(UnblockArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ExpireArgs {
    /// Treat blocks due by this time as expired: +DURATION ahead (e.g. +2h), or a time as for
    /// --since (RFC 3339, YYYY-MM-DD …); default now.
    /// Only without --apply: shows what will expire by then.
    #[arg(
        long,
        value_name = "TIME",
        conflicts_with = "apply",
        allow_hyphen_values = true
    )]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct UnblockArgs {
    /// Addresses to remove
    #[arg(value_name = "IP", required = true)]
    pub ips: Vec<String>,
}

/// The clap command: flags, `--generate` and examples (parsing, help, man pages, completions).
pub fn command() -> clap::Command {
    octo_core::docs::command(Cli::command(), EXAMPLES)
}

/// The examples that end each subcommand's `--help` (and its man page); each line is checked
/// to parse (`tests/docs.rs`).
const EXAMPLES: &[(&str, &str)] = &[
    (
        "expire",
        "Examples:\n  ipblock expire                  # what is due now\n  ipblock expire --at +2h          # what will be due in two hours\n  ipblock expire --apply          # e.g. from cron every few minutes\n",
    ),
    (
        "unblock",
        "Examples:\n  ipblock unblock 203.0.113.7                 # plan\n  ipblock unblock 203.0.113.7 198.51.100.4 --apply\n",
    ),
];

/// Entry point used by `main`.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    cli.log.init();
    octo_core::block_on(run_async(cli))
}

async fn run_async(cli: Cli) -> anyhow::Result<Exit> {
    response::check_no_input_with_subcommand(cli.command.is_some(), &cli.input)?;
    let mut out = ActionOut::stdout(&cli.output, action::IPBLOCK_COLUMNS);
    let result = match &cli.command {
        None => block(&cli, &mut out).await,
        Some(Command::Expire(a)) => expire(&cli, a, &mut out).await,
        Some(Command::Unblock(a)) => unblock(&cli, a, &mut out).await,
    };
    out.finish("ipblock", cli.log.quiet, result)
}

/// The config section and the zone it names (which must exist exactly once).
async fn setup(
    cli: &Cli,
    halo: &HaloClient,
) -> anyhow::Result<(IpblockerRules, Zone, std::path::PathBuf)> {
    let (rules, path) = require_section::<IpblockerRules>(cli.halo.config.as_deref(), "ipblocker")?;
    let p = path.display();
    let Some(name) = rules.ip_zone_name.clone().filter(|n| !n.trim().is_empty()) else {
        return Err(usage(format!("{p}: ipblocker.ip_zone_name is not set")));
    };
    let zones = halo
        .list_all("/v1/firewall_zones", &[], "firewall_zones")
        .await?;
    let found: Vec<&Value> = zones
        .iter()
        .filter(|z| z.get("name").and_then(Value::as_str) == Some(name.as_str()))
        .collect();
    let z = match found.len() {
        1 => found[0],
        0 => {
            return Err(usage(format!(
                "{p}: ipblocker.ip_zone_name: no firewall zone is named `{name}` ({} zones exist; `halo-query zones` lists them)",
                zones.len()
            )));
        }
        n => {
            let ids: Vec<&str> = found
                .iter()
                .filter_map(|z| z.get("id").and_then(Value::as_str))
                .collect();
            return Err(usage(format!(
                "{p}: ipblocker.ip_zone_name: `{name}` is ambiguous: {n} zones have it: {}",
                ids.join(", ")
            )));
        }
    };
    let id = z
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    // the list item may be abbreviated: read the zone itself
    let zone = get_zone(halo, &id).await?;
    Ok((rules, zone, path))
}

async fn get_zone(halo: &HaloClient, id: &str) -> anyhow::Result<Zone> {
    if !octo_core::halo::api::is_id_like(id) {
        anyhow::bail!("invalid firewall zone id `{id}`");
    }
    let v = halo.get(&format!("/v1/firewall_zones/{id}")).await?;
    let z = v.get("firewall_zone").unwrap_or(&v);
    Ok(Zone::parse(z))
}

/// Attempts of one merge before giving up.
const MERGE_ATTEMPTS: u32 = 5;

enum Merged {
    /// Written; the zone as re-read afterwards, and how many attempts it took.
    Applied(Zone, u32),
    /// Nothing to do (already in the desired state).
    Unchanged(Zone),
}

/// Read-modify-write of a zone that loses nobody's change it can see: `op` edits a copy and says
/// whether it changed anything. The zone is read again just before the PUT (changed → start
/// over) and after it (our change gone → start over).
async fn merge(
    halo: &HaloClient,
    id: &str,
    op: impl Fn(&mut Zone) -> bool,
) -> anyhow::Result<Merged> {
    for attempt in 1..=MERGE_ATTEMPTS {
        let z1 = get_zone(halo, id).await?;
        let mut want = z1.clone();
        if !op(&mut want) {
            return Ok(Merged::Unchanged(z1));
        }
        let z2 = get_zone(halo, id).await?;
        if !z2.same_content(&z1) {
            tracing::info!(
                attempt,
                "zone `{}` changed while merging: merging again",
                z1.name
            );
            continue;
        }
        halo.put(&format!("/v1/firewall_zones/{id}"), &want.put_body())
            .await?;
        let z3 = get_zone(halo, id).await?;
        let mut check = z3.clone();
        if !op(&mut check) {
            return Ok(Merged::Applied(z3, attempt));
        }
        tracing::warn!(
            attempt,
            "zone `{}` lost our change to a concurrent writer: merging again",
            z1.name
        );
    }
    anyhow::bail!(
        "firewall zone {id} kept changing during {MERGE_ATTEMPTS} attempts to merge; giving up"
    )
}

fn record(action: &str, zone: &Zone) -> IpblockAction {
    IpblockAction {
        record: IPBLOCK_RECORD.into(),
        action: action.into(),
        status: Status::Skipped,
        reason: String::new(),
        event_id: None,
        event_type: None,
        ip: None,
        zone_id: Some(zone.id.clone()),
        zone_name: Some(zone.name.clone()),
        expires_at: None,
    }
}

/// Addresses of every Halo server (any state): connecting, primary and interface addresses.
async fn own_addresses(halo: &HaloClient) -> anyhow::Result<HashMap<IpAddr, String>> {
    let servers = halo
        .list_all(
            "/v1/servers",
            &[("state", ALL_STATES.to_string())],
            "servers",
        )
        .await?;
    let mut out = HashMap::new();
    for s in &servers {
        let name = format!(
            "{} ({})",
            s.get("hostname").and_then(Value::as_str).unwrap_or("?"),
            s.get("id").and_then(Value::as_str).unwrap_or("?")
        );
        let mut add = |v: Option<&Value>| {
            if let Some(ip) = v
                .and_then(Value::as_str)
                .and_then(|s| s.trim().parse::<IpAddr>().ok())
            {
                out.entry(ip).or_insert_with(|| name.clone());
            }
        };
        add(s.get("connecting_ip_address"));
        add(s.get("primary_ip_address"));
        if let Some(ifs) = s.get("interfaces").and_then(Value::as_array) {
            for i in ifs {
                add(i.get("ip_address"));
            }
        }
    }
    Ok(out)
}

async fn block(cli: &Cli, out: &mut ActionOut) -> anyhow::Result<Exit> {
    let halo = response::client(&cli.halo, cli.mutation.apply, "ipblock").await?;
    let (rules, mut zone, path) = setup(cli, &halo).await?;
    response::check_enabled(&path, "ipblocker", rules.enabled, cli.mutation.apply)?;
    let p = path.display();
    if rules.trigger_events.is_empty() {
        return Err(usage(format!(
            "{p}: ipblocker.trigger_events is empty: no event can match"
        )));
    }
    let trigger = Trigger::new(&rules.trigger_events, rules.trigger_only_on_critical, None);
    let now = Utc::now();
    let mut source = cli.input.open(
        &halo,
        &rules.trigger_events,
        rules.trigger_only_on_critical,
        now,
    )?;
    let mut own: Option<HashMap<IpAddr, String>> = None;
    let mut decided: HashMap<IpAddr, String> = HashMap::new();
    let mut planned_adds = 0usize;
    let mut bad = cli.input.bad_records.tracker();
    let work = async {
        while let Some(m) = source.next_match(&trigger).await {
            let (ev, etype) = match m {
                Ok(x) => x,
                Err(e) => {
                    bad.handle(e)?;
                    continue;
                }
            };
            let event_id = ev.get_str("id").map(str::to_string);
            let mut a = record("block", &zone);
            a.event_id = event_id.clone();
            a.event_type = Some(etype);
            let ip = match extract_ip(&ev) {
                Extracted::Ip(ip) => ip,
                Extracted::Invalid(s) => {
                    a.reason = format!("`{s}` is not a valid IP address");
                    a.ip = Some(s);
                    out.emit(&a)?;
                    continue;
                }
                Extracted::None => {
                    a.reason = "no IP address in the event".into();
                    out.emit(&a)?;
                    continue;
                }
            };
            a.ip = Some(ip.to_string());
            if let Some(first) = decided.get(&ip) {
                a.reason =
                    format!("duplicate: address already handled in this run (event {first})");
                out.emit(&a)?;
                continue;
            }
            decided.insert(
                ip,
                event_id.unwrap_or_else(|| format!("on line {}", ev.line)),
            );
            if let Some(why) = reserved_reason(ip) {
                a.reason = format!("never blocked: {why}");
                out.emit(&a)?;
                continue;
            }
            if let Some(c) = rules.never_block.iter().find(|c| c.contains(ip)) {
                a.reason = format!("never blocked: in ipblocker.never_block {c}");
                out.emit(&a)?;
                continue;
            }
            if own.is_none() {
                own = Some(own_addresses(&halo).await?);
            }
            if let Some(server) = own.as_ref().and_then(|o| o.get(&ip)) {
                a.reason = format!("never blocked: address of Halo server {server}");
                out.emit(&a)?;
                continue;
            }
            if let Some(entry) = zone.covering(ip) {
                a.status = Status::Unchanged;
                a.reason = if entry == ip.to_string() {
                    "already in the zone".to_string()
                } else {
                    format!("already in the zone as {entry}")
                };
                out.emit(&a)?;
                continue;
            }
            if zone.entries.len() + planned_adds >= rules.max_zone_entries {
                a.reason = format!(
                    "zone is full: {} entries (ipblocker.max_zone_entries {})",
                    zone.entries.len() + planned_adds,
                    rules.max_zone_entries
                );
                out.emit(&a)?;
                continue;
            }
            let until = rules
                .block_for
                .0
                .map(|d| octo_core::time::checked_after(Utc::now(), d, "ipblocker.block_for"))
                .transpose()?;
            a.expires_at = until.map(fmt_time);
            a.status = Status::Planned;
            a.reason = format!(
                "offending address of a {} event",
                a.event_type.as_deref().unwrap_or("matching")
            );
            out.emit(&a)?;
            if !cli.mutation.apply {
                planned_adds += 1;
                continue;
            }
            // the expiry written is the one in the record (second precision)
            let until = a.expires_at.as_deref().and_then(octo_core::time::parse_api);
            match merge(&halo, &zone.id.clone(), |z| z.add(ip, until)).await {
                Ok(Merged::Applied(z, attempts)) => {
                    a.status = Status::Applied;
                    a.reason = if attempts > 1 {
                        format!(
                            "added to the zone (merged again after {} concurrent change{})",
                            attempts - 1,
                            if attempts > 2 { "s" } else { "" }
                        )
                    } else {
                        "added to the zone".into()
                    };
                    zone = z;
                }
                Ok(Merged::Unchanged(z)) => {
                    a.status = Status::Unchanged;
                    a.reason = "already in the zone (added concurrently)".into();
                    a.expires_at = None;
                    zone = z;
                }
                Err(e) => {
                    a.status = Status::Failed;
                    a.reason = format!("{e:#}");
                    tracing::error!("blocking {ip} failed: {e:#}");
                }
            }
            out.emit(&a)?;
        }
        Ok::<(), anyhow::Error>(())
    };
    tokio::select! {
        r = work => r?,
        _ = tokio::signal::ctrl_c() => return Ok(Exit::Interrupted),
    }
    Ok(bad.exit(out.tally.exit()))
}

async fn remove_one(
    halo: &HaloClient,
    zone: &mut Zone,
    a: &mut IpblockAction,
    ip: IpAddr,
    done: &str,
) {
    match merge(halo, &zone.id.clone(), |z| z.remove(ip)).await {
        Ok(Merged::Applied(z, _)) => {
            a.status = Status::Applied;
            a.reason = done.to_string();
            *zone = z;
        }
        Ok(Merged::Unchanged(z)) => {
            a.status = Status::Unchanged;
            a.reason = "already removed".into();
            *zone = z;
        }
        Err(e) => {
            a.status = Status::Failed;
            a.reason = format!("{e:#}");
            tracing::error!("removing {ip} failed: {e:#}");
        }
    }
}

async fn expire(cli: &Cli, args: &ExpireArgs, out: &mut ActionOut) -> anyhow::Result<Exit> {
    let halo = response::client(&cli.halo, cli.mutation.apply, "ipblock").await?;
    let (_, mut zone, _) = setup(cli, &halo).await?;
    let now = Utc::now();
    let at = match args.at.as_deref().map(str::trim) {
        Some(t) if t.starts_with('+') => {
            let d = BlockFor::parse(&t[1..])
                .map_err(|e| usage(format!("--at: {e}")))?
                .0
                .unwrap_or_default();
            octo_core::time::checked_after(now, d, "--at")?
        }
        Some(t) => {
            octo_core::time::parse_time(t, now).map_err(|e| usage(format!("--at: {e:#}")))?
        }
        None => now,
    };
    let ours: Vec<(IpAddr, Option<DateTime<Utc>>)> =
        zone.ours.iter().map(|(k, v)| (*k, *v)).collect();
    for (ip, until) in ours {
        let mut a = record("expire", &zone);
        a.ip = Some(ip.to_string());
        a.expires_at = until.map(fmt_time);
        match until {
            None => {
                a.reason = "never expires (blocked with block_for 0)".into();
                out.emit(&a)?;
                continue;
            }
            Some(u) if u > at => {
                a.reason = format!("not due until {}", fmt_time(u));
                out.emit(&a)?;
                continue;
            }
            Some(u) => {
                a.status = Status::Planned;
                a.reason = format!("block expired at {}", fmt_time(u));
            }
        }
        out.emit(&a)?;
        if cli.mutation.apply {
            remove_one(&halo, &mut zone, &mut a, ip, "removed from the zone").await;
            out.emit(&a)?;
        }
    }
    Ok(out.tally.exit())
}

async fn unblock(cli: &Cli, args: &UnblockArgs, out: &mut ActionOut) -> anyhow::Result<Exit> {
    let mut ips = Vec::new();
    for raw in &args.ips {
        let ip: IpAddr = raw
            .trim()
            .parse()
            .map_err(|_| usage(format!("`{raw}` is not a valid IP address")))?;
        if !ips.contains(&ip) {
            ips.push(ip);
        }
    }
    let halo = response::client(&cli.halo, cli.mutation.apply, "ipblock").await?;
    let (_, mut zone, _) = setup(cli, &halo).await?;
    for ip in ips {
        let mut a = record("unblock", &zone);
        a.ip = Some(ip.to_string());
        a.expires_at = zone.ours.get(&ip).copied().flatten().map(fmt_time);
        let exact = zone
            .entries
            .iter()
            .any(|e| e.parse::<IpAddr>().ok() == Some(ip));
        if !exact && !zone.ours.contains_key(&ip) {
            match zone.covering(ip) {
                Some(c) => {
                    a.reason = format!(
                        "covered by the zone entry {c}, which is not removed (edit the zone by hand)"
                    );
                }
                None => {
                    a.status = Status::Unchanged;
                    a.reason = "not in the zone".into();
                }
            }
            out.emit(&a)?;
            continue;
        }
        a.status = Status::Planned;
        a.reason = "unblock requested".into();
        out.emit(&a)?;
        if cli.mutation.apply {
            remove_one(&halo, &mut zone, &mut a, ip, "removed from the zone").await;
            out.emit(&a)?;
        }
    }
    Ok(out.tally.exit())
}
