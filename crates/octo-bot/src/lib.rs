//! octo-bot: ask Halo from Slack, as OCTOBOX's Don-Bot let people do — a thin chat front on the
//! same library (`octo-query`) as `halo-query`, so an answer in Slack is the CLI's records.
//!
//! `octo-bot serve` connects in Socket Mode (no inbound port), answers members of one channel
//! (`help`, `groups`, `group`, `servers`, `server`, `events`, `firewall`, `ec2-delta`, `status`) and writes one JSONL
//! audit record per request on stdout. `octo-bot ask WORDS…` answers one chat command here,
//! printing the records the bot would send — the same as halo-query's. Read-only.
//!
//! Files by job:
//! - this file: the flags (`Cli`), the settings from flags and environment, [`run`]
//! - `chat`: the chat grammar (clap, halo-query's argument structs) and the queries it runs
//!   (`octo-query`; `firewall` draws with `octo-fwgraph`, fw-graph's engine; `ec2-delta` runs
//!   `octo-ec2delta`, ec2-delta's)
//! - `reply`: a short answer as a table in a message, a long one as a JSON Lines file
//! - `serve`: requests from envelopes, membership, the per-kind job queue, audit, shutdown
//! - `socket`: the Socket Mode client (acks, retried deliveries, reconnect with backoff)
//! - `slack`: the Web API calls (connections, post, members, file upload)
//! - `status`: what `status` reports

use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand};
use octo_core::config::HaloArgs;
use octo_core::exit::{Exit, usage};
use octo_core::halo::{Access, HaloClient};
use octo_core::log::LogArgs;
use octo_core::output::{Defaults, OutputArgs, Printer};

pub mod chat;
pub mod reply;
mod serve;
pub mod settings;
mod slack;
mod socket;
mod status;

pub use serve::RECORD;

const AFTER_HELP: &str = "\
Examples:
  octo-bot serve --channel C0123456789
  octo-bot serve -o table -c at,user,command,result
  octo-bot ask servers Root/Prod/Web
  octo-bot ask 'servers --cve CVE-2014-6271 --state all' -o csv

Configuration: SLACK_APP_TOKEN (xapp-…, connections:write), SLACK_API_TOKEN (xoxb-…: chat:write,
files:write, channels:read / groups:read, app_mentions:read, im:history), SLACK_CHANNEL (the id
of the channel whose members are answered), SLACK_API_URL; or octo.yml `bot:` (channel, api_url,
credential_process printing {\"app_token\": …, \"token\": …}); flag > env > octo.yml > default;
`status` shows each setting's source. Halo as for halo-query (read-only key);
AWS for `ec2-delta` as for ec2-delta (AWS_PROFILE, AWS_ACCOUNT_NUMBERS, AWS_ROLE_NAME, the SDK's chain).
Exit codes: 0 ok (also after SIGTERM), 1 failure, 2 usage or configuration error.";

/// Ask Halo from Slack: a Socket Mode bot answering channel members with the same queries as
/// halo-query, one JSONL audit record per request on stdout.
#[derive(Debug, Parser)]
#[command(name = "octo-bot", version = octo_core::VERSION, after_help = AFTER_HELP)]
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
    /// Connect to Slack in Socket Mode and answer until SIGTERM; one audit record per request
    Serve(ServeArgs),
    /// Answer one chat command here (no Slack): the records the bot would send
    Ask(AskArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Channel id (C…) whose members are answered [env: SLACK_CHANNEL; octo.yml bot.channel]
    #[arg(long, value_name = "ID")]
    pub channel: Option<String>,
    /// Slack Web API base URL [env: SLACK_API_URL; octo.yml bot.api_url; default
    /// https://slack.com/api]
    #[arg(long = "slack-api-url", value_name = "URL")]
    pub slack_api_url: Option<String>,
    /// Seconds the channel's member list is kept before it is fetched again
    #[arg(long = "members-ttl", value_name = "SECS", default_value_t = 300)]
    pub members_ttl: u64,
    /// Seconds running requests may take to finish after SIGTERM before they are cancelled
    #[arg(long = "shutdown-grace", value_name = "SECS", default_value_t = 10)]
    pub shutdown_grace: u64,
    /// Requests of one kind that may wait for the one running; more are told to retry
    #[arg(long = "max-queue", value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub max_queue: u64,
}

#[derive(Debug, Args)]
pub struct AskArgs {
    /// The chat command and its words, e.g. `servers Root/Prod --state all`
    /// (quote it when it has flags of its own: `octo-bot ask 'servers --state all' -o csv`)
    #[arg(value_name = "WORDS", required = true)]
    pub words: Vec<String>,
}

/// The commands the bot answers (for `status`).
pub const FEATURES: &str = "read-only; help, groups, group, servers (--ip, --cve), server, \
                            events, firewall (PNG), ec2-delta (CSV), status; one job per kind \
                            at a time";

/// The clap command: flags, `--generate` and examples.
pub fn command() -> clap::Command {
    octo_core::docs::command(Cli::command(), EXAMPLES)
}

const EXAMPLES: &[(&str, &str)] = &[
    (
        "serve",
        "Examples:\n  octo-bot serve --channel C0123456789\n  octo-bot serve --members-ttl 60 -o table -c at,user,command,result\n",
    ),
    (
        "ask",
        "Examples:\n  octo-bot ask groups\n  octo-bot ask servers Root/Prod/Web -o csv\n  octo-bot ask server 10.2.20.76 -o json\n",
    ),
];

/// Columns of the audit records on a terminal.
const AUDIT_COLUMNS: &[&str] = &["at", "via", "user", "command", "result", "reply", "records"];

/// Entry point used by `main`.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    cli.log.init();
    octo_core::block_on(run_async(cli))
}

/// The read-only Halo client of the settings (keys needed: checked here, not before `ask help`).
fn halo_client(args: &HaloArgs) -> anyhow::Result<HaloClient> {
    let cfg = args.resolve()?;
    HaloClient::new(&cfg, Access::Read, "octo-bot")
}

async fn run_async(cli: Cli) -> anyhow::Result<Exit> {
    match &cli.command {
        Command::Ask(a) => ask(&cli.halo, &a.words, &cli.output).await,
        Command::Serve(a) => {
            let halo = halo_client(&cli.halo)?;
            let slack = settings::BotSettings::resolve(cli.halo.config.as_deref(), a)?;
            let mut config = slack.report();
            config.extend([
                ("halo".to_string(), halo.base_url().to_string()),
                ("members cache".to_string(), format!("{} s", a.members_ttl)),
                (
                    "halo key".to_string(),
                    format!("{} (read-only, secret redacted)", halo.key().id),
                ),
            ]);
            let api = Arc::new(slack::SlackApi::new(
                slack.api_url.value,
                slack.app_token.value,
                slack.token.value,
            )?);
            let mut audit =
                Printer::stdout_with(&cli.output, Defaults::RECORDS.table_columns(AUDIT_COLUMNS));
            audit.set_flush_each(true);
            let settings = serve::Settings {
                channel: slack.channel.value,
                members_ttl: Duration::from_secs(a.members_ttl),
                grace: Duration::from_secs(a.shutdown_grace),
                max_queue: a.max_queue,
            };
            let status = Arc::new(status::Status::new(config));
            serve::serve(settings, api, halo, audit, status, FEATURES.into()).await
        }
    }
}

/// `ask`: one chat command answered on stdout, as records (help and status as text).
async fn ask(halo: &HaloArgs, words: &[String], output: &OutputArgs) -> anyhow::Result<Exit> {
    let text = words.join(" ");
    let cmd = match chat::parse(&text) {
        chat::Parsed::Command(c) => c,
        chat::Parsed::Help(h) => return print_text(&h).map(|()| Exit::Success),
        chat::Parsed::Usage(u) => return Err(usage(u.trim_end().to_string())),
    };
    match cmd {
        chat::ChatCommand::Help => print_text(&chat::help()).map(|()| Exit::Success),
        chat::ChatCommand::Status => print_text(&format!(
            "octo-bot {}\nfeatures: {FEATURES}",
            octo_core::VERSION
        ))
        .map(|()| Exit::Success),
        cmd => {
            let answer = chat::answer(&halo_client(halo)?, &cmd, chrono::Utc::now()).await?;
            let mut out =
                Printer::stdout_with(output, Defaults::RECORDS.table_columns(answer.columns));
            let table = out.format() == octo_core::output::Format::Table;
            for r in if table { &answer.rows } else { &answer.records } {
                out.record(r)?;
            }
            out.finish()?;
            Ok(Exit::Success)
        }
    }
}

fn print_text(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", text.trim_end()).map_err(octo_core::output::write_error)
}
