//! octo-query: the Halo queries behind `halo-query` (and `octo-bot`, which answers the same
//! questions in Slack) — library only, so that no binary imports another.
//!
//! Each query takes its clap argument struct (the same flags in every front) and writes Halo
//! objects, exactly as the API returned them, to an [`octo_core::output::Printer`].
//!
//! Files by job:
//! - this file: the argument structs of every query and [`parse_cve`]
//! - [`queries`]: the list queries `groups`, `scans`, `issues`, `zones`
//! - [`servers`]: `servers` (a listing, by IP or CVE) and `server` (one server described)
//! - [`group`]: one group described (`group`, the Don-Bot answer)
//! - [`window`]: `events` (a window, or `--follow`) and the time window of `scans`
//! - [`api`]: `firewall-policy` and the raw `api` call

use clap::Args;
use futures::TryStreamExt;
use octo_core::halo::api::FirewallPlatform;
use octo_core::output::Printer;
use octo_core::time::WindowArgs;
use serde_json::Value;

pub mod api;
pub mod group;
pub mod queries;
pub mod servers;
pub mod window;

#[derive(Debug, Args)]
pub struct ServersArgs {
    /// Only servers in this group (name, full path or id); repeatable
    #[arg(long = "group", value_name = "NAME|ID")]
    pub groups: Vec<String>,
    /// States to list: comma list of active, missing, deactivated, retired, or all
    #[arg(long, default_value = "active")]
    pub state: String,
    /// Only servers with this connecting, primary or interface IP address
    #[arg(long, value_name = "IP")]
    pub ip: Option<std::net::IpAddr>,
    /// Only servers with a vulnerable package for this CVE (CVE-YYYY-NNNN)
    #[arg(long, value_name = "CVE", value_parser = parse_cve, conflicts_with = "ip")]
    pub cve: Option<String>,
}

#[derive(Debug, Args)]
pub struct GroupArgs {
    /// Group id, exact name or full path (e.g. Root/Prod/Web)
    #[arg(value_name = "NAME|ID")]
    pub target: String,
}

/// A CVE id: `CVE-`, a four-digit year, `-`, four or more digits (case-insensitive; printed
/// upper-case).
pub fn parse_cve(raw: &str) -> Result<String, String> {
    let up = raw.trim().to_ascii_uppercase();
    let ok = up
        .strip_prefix("CVE-")
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(year, num)| {
            year.len() == 4
                && year.bytes().all(|b| b.is_ascii_digit())
                && (4..=19).contains(&num.len())
                && num.bytes().all(|b| b.is_ascii_digit())
        });
    if ok {
        Ok(up)
    } else {
        Err(format!(
            "`{raw}` is not a CVE id: expected CVE-YYYY-NNNN (e.g. CVE-2014-6271)"
        ))
    }
}

#[derive(Debug, Args)]
pub struct ServerArgs {
    /// Server id, IP address (connecting, primary or interface) or hostname
    pub target: String,
    /// Recent events since (RFC 3339, YYYY-MM-DD, or relative like 7d)
    #[arg(long = "events-since", default_value = "7d", value_name = "TIME")]
    pub events_since: String,
    /// At most this many recent events (newest first)
    #[arg(long = "events-limit", default_value_t = 20, value_name = "N")]
    pub events_limit: usize,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    #[command(flatten)]
    pub window: WindowArgs,
    /// Event types, comma-separated (e.g. lids_rule_failed,daemon_compromised)
    #[arg(long = "type", value_delimiter = ',', value_name = "TYPE")]
    pub types: Vec<String>,
    /// Only critical events
    #[arg(long)]
    pub critical: bool,
    /// Only events of this server id
    #[arg(long = "server", value_name = "ID")]
    pub server: Option<String>,
    /// Only events of servers in this group (name, path or id)
    #[arg(long = "group", value_name = "NAME|ID")]
    pub group: Option<String>,
    /// Keep polling for new events after the window, never repeating one, until interrupted.
    /// Without --since/--date it starts after the newest existing event.
    #[arg(long, conflicts_with = "until")]
    pub follow: bool,
    /// Seconds between polls with --follow (0.1-86400)
    #[arg(long = "poll-interval", default_value_t = 5.0, value_name = "SECS",
          value_parser = octo_core::validate::poll_seconds)]
    pub poll_interval: f64,
}

#[derive(Debug, Args)]
pub struct ScansArgs {
    #[command(flatten)]
    pub window: WindowArgs,
    /// Modules, comma-separated: sca (csm), svm (sva), sam, fim, sv
    #[arg(long, value_delimiter = ',')]
    pub module: Vec<String>,
    /// Statuses, comma-separated (queued, pending, running, completed_clean, completed_with_errors, failed)
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    /// Only scans of this server id
    #[arg(long = "server", value_name = "ID")]
    pub server: Option<String>,
}

#[derive(Debug, Args)]
pub struct IssuesArgs {
    /// Only issues of this server id
    #[arg(long = "server", value_name = "ID")]
    pub server: Option<String>,
    /// Only issues of servers in this group (name, path or id)
    #[arg(long = "group", value_name = "NAME|ID")]
    pub group: Option<String>,
    /// Include the group's child groups (with --group)
    #[arg(long, requires = "group")]
    pub descendants: bool,
    /// Issue status: active or resolved
    #[arg(long, value_parser = ["active", "resolved"])]
    pub status: Option<String>,
    /// Only critical issues
    #[arg(long)]
    pub critical: bool,
    /// Issue types, comma-separated (sva, csm, fim, lids, sam, fw, agent)
    #[arg(long = "type", value_delimiter = ',')]
    pub types: Vec<String>,
}

#[derive(Debug, Args)]
pub struct FirewallArgs {
    /// The group (name, path or id) whose firewall policy to print
    #[arg(long, value_name = "NAME|ID", required_unless_present = "id")]
    pub group: Option<String>,
    /// A firewall policy id instead of a group
    #[arg(long, value_name = "POLICY_ID", conflicts_with = "group")]
    pub id: Option<String>,
    /// Which of the group's policies
    #[arg(long, value_enum, default_value = "linux")]
    pub platform: FirewallPlatform,
}

#[derive(Debug, Args)]
pub struct ApiArgs {
    /// HTTP method: GET, PUT, POST or DELETE (writes use the read-write key)
    pub method: String,
    /// Path with query, e.g. /v1/servers?state=missing
    pub path: String,
    /// JSON request body
    #[arg(long, value_name = "JSON")]
    pub data: Option<String>,
    /// For a GET list: follow pagination and print each item as a record
    #[arg(long)]
    pub paginate: bool,
}

/// A string field of a JSON object (empty when absent).
pub fn str_of(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Print every item of a stream of Halo objects.
pub async fn emit_stream(
    out: &mut Printer,
    mut s: futures::stream::BoxStream<'static, anyhow::Result<Value>>,
) -> anyhow::Result<()> {
    while let Some(item) = s.try_next().await? {
        out.record(&item)?;
    }
    Ok(())
}

/// The columns a table shows by default for each query (halo-query on a terminal, octo-bot's
/// replies in Slack).
pub mod columns {
    pub use octo_core::halo::api::{EVENT_COLUMNS as EVENTS, SCAN_COLUMNS as SCANS};

    pub const GROUPS: &[&str] = &[
        "id",
        "name",
        "group_path",
        "server_counts.active",
        "server_counts.missing",
    ];
    pub const SERVERS: &[&str] = &[
        "id",
        "hostname",
        "state",
        "group_path",
        "connecting_ip_address",
        "platform",
    ];
    pub const ISSUES: &[&str] = &[
        "id",
        "issue_type",
        "status",
        "critical",
        "rule_key",
        "last_seen_at",
    ];
    pub const ZONES: &[&str] = &["id", "name", "ip_address"];
    /// `group`'s table rows ([`crate::group::table_rows`]).
    pub const GROUP: &[&str] = &["field", "value"];
}
