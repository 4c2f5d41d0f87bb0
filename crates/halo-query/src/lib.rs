//! halo-query: read the CloudPassage Halo API from the shell.
//!
//! Every subcommand prints Halo objects exactly as the API returned them (JSON Lines when piped,
//! a table on a terminal), so `jq` recipes written for the API work on its output.
//!
//! The queries themselves live in the library crate `octo-query` (octo-bot answers the same
//! questions with the same code); this crate is the command line over them.
//!
//! Files by job:
//! - this file: the subcommands (`Cli`; each one's flags are an `octo_query` argument struct),
//!   their examples, the default columns, and [`run`], which hands each subcommand to its
//!   `octo_query` function
//! - `doctor`: `doctor` (configuration and connectivity checks)

use chrono::Utc;
use clap::{CommandFactory, Parser, Subcommand};
use octo_core::config::HaloArgs;
use octo_core::exit::Exit;
use octo_core::halo::{Access, HaloClient};
use octo_core::log::LogArgs;
use octo_core::output::{Defaults, Format, OutputArgs, Printer};

mod doctor;

use octo_query::api::{api, firewall_policy};
use octo_query::servers::{describe_server, servers};
use octo_query::window::events;
pub use octo_query::{
    ApiArgs, EventsArgs, FirewallArgs, GroupArgs, IssuesArgs, ScansArgs, ServerArgs, ServersArgs,
    parse_cve,
};
use octo_query::{columns, group, queries};

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
        Command::Groups => columns::GROUPS,
        Command::Servers(_) => columns::SERVERS,
        Command::Events(_) => columns::EVENTS,
        Command::Scans(_) => columns::SCANS,
        Command::Issues(_) => columns::ISSUES,
        Command::Zones => columns::ZONES,
        Command::Group(_) => columns::GROUP,
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
        Command::Groups => queries::groups(&halo, &mut out).await?,
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
        Command::Scans(a) => queries::scans(&halo, a, now, &mut out).await?,
        Command::Issues(a) => queries::issues(&halo, a, &mut out).await?,
        Command::FirewallPolicy(a) => {
            let policy = firewall_policy(&halo, a).await?;
            out.record(&policy)?;
        }
        Command::Zones => queries::zones(&halo, &mut out).await?,
        Command::Api(a) => api(&halo, a, &mut out).await?,
        Command::Doctor => unreachable!("handled above"),
    }
    out.finish()?;
    Ok(Exit::Success)
}
