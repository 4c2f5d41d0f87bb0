//! halo-query: read the CloudPassage Halo API from the shell.
//!
//! Every subcommand prints Halo objects exactly as the API returned them (JSON Lines when piped,
//! a table on a terminal), so `jq` recipes written for the API work on its output.
//!
//! Files by job:
//! - this file: the flags of every subcommand (`Cli`), their examples, the default columns, and
//!   [`run`], which hands each subcommand to its module
//! - `servers`: `servers` and `server` (one server with its issues and latest events)
//! - `group`: `group` (one group described)
//! - `window`: `events` (a window, or `--follow`) and the window of `scans`
//! - `api`: `firewall-policy` and `api`
//! - `doctor`: `doctor` (configuration and connectivity checks)

use chrono::Utc;
use clap::{Args, CommandFactory, Parser, Subcommand};
use futures::TryStreamExt;
use octo_core::config::HaloArgs;
use octo_core::exit::Exit;
use octo_core::halo::api::{EVENT_COLUMNS, FirewallPlatform, SCAN_COLUMNS};
use octo_core::halo::{Access, HaloClient};
use octo_core::log::LogArgs;
use octo_core::output::{Defaults, Format, OutputArgs, Printer};
use octo_core::time::WindowArgs;
use serde_json::Value;

mod api;
mod doctor;
mod group;
mod servers;
mod window;

use api::{api, firewall_policy};
use servers::{describe_server, servers};
use window::{emit_window, events, window_or_last_day};

const AFTER_HELP: &str = "\
Examples:
  halo-query groups
  halo-query servers --group Web --state all -o csv
  halo-query servers --ip 10.2.20.76
  halo-query servers --cve CVE-2014-6271 --group Root/Prod --state all
  halo-query group Root/Prod/Web | jq .issues
  halo-query server web-1 | jq .server.aws_ec2
  halo-query events --date yesterday --critical --type lids_rule_failed
  halo-query events --follow --critical | slack-notify
  halo-query firewall-policy --group Web | fw-graph --policy - --out web.svg
  halo-query api GET /v1/servers --paginate

Configuration: HALO_API_KEY / HALO_API_SECRET_KEY (read-only key), HALO_API_URL or
HALO_API_HOSTNAME / HALO_API_PORT. `halo-query doctor` shows what is in effect.
Exit codes: 0 ok, 1 API or I/O failure, 2 usage or configuration error, 130 interrupted.";

const FORMAT_HELP: &str = "Output format [default: table when stdout is a terminal (json for \
     `server`, `firewall-policy` and `api`, which print one object), jsonl when it is piped]";

/// Query the CloudPassage Halo API: groups, servers, events, scans, issues, firewall policies
/// and IP zones, as JSON Lines (piped) or a table (terminal).
#[derive(Debug, Parser)]
#[command(name = "halo-query", version = octo_core::VERSION, after_help = AFTER_HELP)]
#[command(mut_arg("format", |a| a.help(FORMAT_HELP)))]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub halo: HaloArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List server groups (with group_path and server_counts)
    Groups,
    /// Describe one group: facts, parent, policy names and active issues by criticality
    /// (including child groups), as one JSON object
    Group(GroupArgs),
    /// List servers: all, in groups, by state, by IP address, or with a vulnerable package for a CVE
    Servers(ServersArgs),
    /// Describe one server: facts, EC2 metadata, issues and recent events, as one JSON object
    Server(ServerArgs),
    /// List events in a time window (default: the last 24 hours), or follow new ones
    Events(EventsArgs),
    /// List scans in a time window (default: the last 24 hours)
    Scans(ScansArgs),
    /// List issues (v3)
    Issues(IssuesArgs),
    /// Print a group's firewall policy with its rules (input for fw-graph)
    FirewallPolicy(FirewallArgs),
    /// List firewall IP zones
    Zones,
    /// Raw API call: METHOD PATH [--data JSON]; --paginate streams the items of a GET list
    Api(ApiArgs),
    /// Check configuration, credentials and API reachability (secrets redacted)
    Doctor,
}

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

/// The clap command: flags, `--generate` and examples (parsing, help, man pages, completions).
pub fn command() -> clap::Command {
    octo_core::docs::command(Cli::command(), EXAMPLES)
}

/// The examples that end each subcommand's `--help` (and its man page); each line is checked
/// to parse (`tests/docs.rs`).
const EXAMPLES: &[(&str, &str)] = &[
    (
        "groups",
        "Examples:\n  halo-query groups\n  halo-query groups -o csv -c id,name,server_counts.active\n",
    ),
    (
        "group",
        "Examples:\n  halo-query group Root/Prod/Web | jq .issues\n  halo-query group Web -o json\n",
    ),
    (
        "servers",
        "Examples:\n  halo-query servers --group Web --state all -o csv\n  halo-query servers --ip 10.2.20.76\n  halo-query servers --cve CVE-2014-6271 --group Root/Prod --state all\n",
    ),
    (
        "server",
        "Examples:\n  halo-query server web-1 | jq .server.aws_ec2\n  halo-query server 10.2.20.76 --events-since 30d --events-limit 50\n",
    ),
    (
        "events",
        "Examples:\n  halo-query events --date yesterday --critical --type lids_rule_failed\n  halo-query events --since 2h -o table -c created_at,type,server_hostname\n  halo-query events --follow --critical | slack-notify\n",
    ),
    (
        "scans",
        "Examples:\n  halo-query scans --date yesterday --module svm --status completed_with_errors\n  halo-query scans --since 7d --server SERVER_ID -o csv\n",
    ),
    (
        "issues",
        "Examples:\n  halo-query issues --group Root/Prod --descendants --critical\n  halo-query issues --status active --type sva,csm -o csv\n",
    ),
    (
        "firewall-policy",
        "Examples:\n  halo-query firewall-policy --group Web | fw-graph --policy - --format svg --out web.svg\n  halo-query firewall-policy --group Web --platform windows -o json\n",
    ),
    (
        "zones",
        "Examples:\n  halo-query zones\n  halo-query zones -o json | jq '.[].ip_address'\n",
    ),
    (
        "api",
        "Examples:\n  halo-query api GET /v1/servers --paginate\n  halo-query api GET '/v1/servers?state=missing'\n",
    ),
    (
        "doctor",
        "Examples:\n  halo-query doctor\n  halo-query doctor | jq .config.settings\n",
    ),
];

fn default_columns(cmd: &Command) -> &'static [&'static str] {
    match cmd {
        Command::Groups => &[
            "id",
            "name",
            "group_path",
            "server_counts.active",
            "server_counts.missing",
        ],
        Command::Servers(_) => &[
            "id",
            "hostname",
            "state",
            "group_path",
            "connecting_ip_address",
            "platform",
        ],
        Command::Events(_) => EVENT_COLUMNS,
        Command::Scans(_) => SCAN_COLUMNS,
        Command::Issues(_) => &[
            "id",
            "issue_type",
            "status",
            "critical",
            "rule_key",
            "last_seen_at",
        ],
        Command::Zones => &["id", "name", "ip_address"],
        Command::Group(_) => &["field", "value"],
        _ => &[],
    }
}

fn printer(cli: &Cli) -> Printer {
    let one_object = matches!(
        cli.command,
        Command::Server(_) | Command::FirewallPolicy(_) | Command::Api(_)
    );
    let defaults = Defaults::RECORDS
        .terminal(if one_object {
            Format::Json
        } else {
            Format::Table
        })
        .table_columns(default_columns(&cli.command));
    Printer::stdout_with(&cli.output, defaults)
}

/// Entry point used by `main`.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    cli.log.init();
    octo_core::block_on(run_async(cli))
}

async fn run_async(cli: Cli) -> anyhow::Result<Exit> {
    let cfg = cli.halo.resolve()?;
    if let Command::Doctor = cli.command {
        return doctor::run(&cfg, &cli).await;
    }
    let access = match &cli.command {
        Command::Api(a) if !a.method.eq_ignore_ascii_case("GET") => Access::Write,
        _ => Access::Read,
    };
    let halo = HaloClient::new(&cfg, access, "halo-query")?;
    let mut out = printer(&cli);
    let now = Utc::now();
    match &cli.command {
        Command::Groups => emit_stream(&mut out, halo.list("/v1/groups", &[], "groups")).await?,
        Command::Group(a) => {
            let rec = group::describe(&halo, &a.target).await?;
            if out.format() == Format::Table {
                for row in group::table_rows(&rec) {
                    out.record(&row)?;
                }
            } else {
                out.record(&rec)?;
            }
        }
        Command::Servers(a) => servers(&halo, a, &mut out).await?,
        Command::Server(a) => {
            let rec = describe_server(&halo, a, now).await?;
            out.record(&rec)?;
        }
        Command::Events(a) => {
            let code = events(&halo, a, now, &mut out).await?;
            out.finish()?;
            return Ok(code);
        }
        Command::Scans(a) => {
            let (cursor, until) = window_or_last_day(&a.window, now)?;
            let mut params = Vec::new();
            if !a.module.is_empty() {
                params.push(("module", a.module.join(",")));
            }
            if !a.status.is_empty() {
                params.push(("status", a.status.join(",")));
            }
            if let Some(s) = &a.server {
                params.push(("server_id", s.clone()));
            }
            let since = cursor.since;
            let s = halo.time_series("/v1/scans", "scans", &params, cursor, until);
            emit_window(&mut out, &halo, "scans", s, since, until.unwrap_or(now)).await?;
        }
        Command::Issues(a) => {
            let mut params = Vec::new();
            if let Some(s) = &a.server {
                params.push(("agent_id", s.clone()));
            }
            if let Some(g) = &a.group {
                let g = halo.resolve_group(g).await?;
                params.push(("group_id", str_of(&g, "id")));
                if a.descendants {
                    params.push(("descendants", "true".into()));
                }
            }
            if let Some(s) = &a.status {
                params.push(("status", s.clone()));
            }
            if a.critical {
                params.push(("critical", "true".into()));
            }
            if !a.types.is_empty() {
                params.push(("issue_type", a.types.join(",")));
            }
            emit_stream(&mut out, halo.list("/v3/issues", &params, "issues")).await?;
        }
        Command::FirewallPolicy(a) => {
            let policy = firewall_policy(&halo, a).await?;
            out.record(&policy)?;
        }
        Command::Zones => {
            emit_stream(
                &mut out,
                halo.list("/v1/firewall_zones", &[], "firewall_zones"),
            )
            .await?
        }
        Command::Api(a) => api(&halo, a, &mut out).await?,
        Command::Doctor => unreachable!("handled above"),
    }
    out.finish()?;
    Ok(Exit::Success)
}

pub(crate) fn str_of(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

pub(crate) async fn emit_stream(
    out: &mut Printer,
    mut s: futures::stream::BoxStream<'static, anyhow::Result<Value>>,
) -> anyhow::Result<()> {
    while let Some(item) = s.try_next().await? {
        out.record(&item)?;
    }
    Ok(())
}
