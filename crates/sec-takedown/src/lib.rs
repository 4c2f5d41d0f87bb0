//! sec-takedown: respond to a compromised OpenStack instance — pause, lock (reason `security`),
//! FreshDesk ticket to the owner with the tenant managers in CC, private notes with the
//! instance details and evidence (console log, optional snapshot), delete, reply, resolve.
//!
//! lock, unlock, delete and takedown print their plan by default and act only with `--apply`
//! (`octo_core::mutation`); a delete also needs `--yes` or the server id typed on a terminal.
//! Every step is an action record (`sec-takedown.step/v1`) on stdout. Progress lives in the
//! instance metadata (`security_ticket`, `security_takedown_step`, `security_takedown_at`,
//! `security_takedown_by`), so a re-run after a crash continues at the first unfinished step;
//! the ticket carries an idempotency tag so a crash between creating and recording it never
//! yields a second ticket.
//!
//! - [`flow`]: the steps of lock, unlock, delete and takedown (context, steps by command,
//!   commands)
//! - [`wait`]: the one Nova/Glance wait ([`wait::poll_until`]) and the one check-then-create of a
//!   non-idempotent POST ([`wait::create_checked`])
//! - [`openstack`], [`freshdesk`]: the two APIs; [`config`]: settings; [`info`]: instance details;
//!   [`history`]: past takedowns; [`template`]: ticket texts; [`plot`]: charts

pub mod clouds;
pub mod config;
pub mod doctor;
pub mod flow;
pub mod freshdesk;
pub mod history;
#[cfg(feature = "test-hooks")]
pub mod hooks;
pub mod info;
pub mod openstack;
pub mod plot;
pub mod template;
pub mod wait;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand};
use octo_core::exit::{Exit, usage};
use octo_core::http::{Http, HttpConfig};
use octo_core::log::LogArgs;
use octo_core::mutation::{ConfirmArgs, MutationArgs, can_prompt, check_confirmable, needs_prompt};
use octo_core::output::{Defaults, Format, OutputArgs, Printer};
use serde_json::{Value, json};

use crate::openstack::Os;

const AFTER_HELP: &str = "\
Examples:
  sec-takedown info 9f0c2a4e-1b7d-4c1e-8d2a-5b9e7f3c1a20
  sec-takedown info --ip 203.0.113.7 -o json
  sec-takedown lock 9f0c2a4e-1b7d-4c1e-8d2a-5b9e7f3c1a20 --cc csirt@example.org           # plan
  sec-takedown lock 9f0c2a4e-1b7d-4c1e-8d2a-5b9e7f3c1a20 --cc csirt@example.org --apply   # act
  sec-takedown unlock 9f0c2a4e-1b7d-4c1e-8d2a-5b9e7f3c1a20 --apply
  sec-takedown delete 9f0c2a4e-1b7d-4c1e-8d2a-5b9e7f3c1a20 --snapshot --apply --yes
  sec-takedown takedown 9f0c2a4e-1b7d-4c1e-8d2a-5b9e7f3c1a20 --snapshot --apply --yes
  sec-takedown history --since 180d | jq -c 'select(.outcome == \"deleted\")'

lock, unlock, delete and takedown print their plan (`planned` records) and change nothing
unless --apply is given; --dry-run is the default, kept for old scripts. Deleting the instance
(delete, takedown without --no-delete) with --apply also needs --yes, or on a terminal the server
id typed to confirm; in a pipe --apply without --yes is refused (exit 2) before any change.

OpenStack credentials, as openstackclient takes them (a cloud-admin token is needed):
  clouds.yaml    --os-cloud NAME or OS_CLOUD=NAME picks `clouds: NAME:` from the first of
                 $OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/clouds.yaml,
                 /etc/openstack/clouds.yaml (also .yml, .json): auth_type, auth: {auth_url,
                 username, password, project_name, user_domain_name, ...}, region_name,
                 interface, cacert
  secure.yaml    the same search ($OS_CLIENT_SECURE_FILE first); its keys win over
                 clouds.yaml's one by one, so the password can live apart:
                   clouds: {NAME: {auth: {password: ...}}}
  OS_* overrides each OS_* variable that is set replaces that one field of the cloud:
                   OS_CLOUD=nectar OS_REGION_NAME=Melbourne sec-takedown info ID
                 without a cloud the OS_* variables alone are used: OS_AUTH_URL, OS_USERNAME,
                 OS_PASSWORD, OS_PROJECT_NAME (or OS_APPLICATION_CREDENTIAL_ID + _SECRET)
  OS_TOKEN       an existing token (auth_type token or v3token), exchanged for one scoped to
                 OS_PROJECT_NAME/OS_PROJECT_ID: OS_TOKEN=$(openstack token issue -f value -c id)
  OS_CACERT      a private CA: only this PEM bundle is trusted for Keystone and the catalog's
                 endpoints (`cacert:` in clouds.yaml); an untrusted certificate is exit 2
  OS_INTERFACE, OS_REGION_NAME pick the catalog endpoints (public/internal/admin, region).
The Keystone token is renewed before it expires, so a long run outlives it.
`sec-takedown doctor` shows every setting, its source and whether the services answer.
FreshDesk: FRESHDESK_DOMAIN (or FRESHDESK_URL; takedown.freshdesk_domain/freshdesk_url in
octo.yml) and FRESHDESK_API_KEY (or `takedown.credential_process: [program, arg, …]`, a command
printing {\"api_key\": \"…\"}); the rest in the `takedown:` section of octo.yml.
Exit codes: 0 ok, 1 API or I/O failure (also: evidence capture failed, nothing deleted),
2 usage or configuration error, 130 interrupted.";

/// Respond to a compromised OpenStack instance: info, lock (pause + lock + FreshDesk ticket),
/// unlock, delete (evidence first) and the full takedown — resumable, every step an action record.
#[derive(Debug, Parser)]
#[command(name = "sec-takedown", version = octo_core::VERSION, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Config file (octo.yml, section `takedown:`) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]
    #[arg(long = "config", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Cloud of clouds.yaml (+ secure.yaml) to use; OS_* variables override its fields one by
    /// one [env: OS_CLOUD]
    #[arg(long = "os-cloud", value_name = "NAME", global = true)]
    pub os_cloud: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

/// The server to act on.
#[derive(Debug, Clone, Args)]
pub struct Target {
    /// Server UUID (names are refused: they are not unique)
    #[arg(value_name = "SERVER", required_unless_present = "ip")]
    pub server: Option<String>,
    /// Find the server by a fixed or floating IP address, across all projects
    #[arg(long = "ip", value_name = "ADDR", conflicts_with = "server")]
    pub ip: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Instance, flavor, image, addresses, security groups, project, owner, tenant managers,
    /// lock state, recent actions and takedown progress
    Info {
        #[command(flatten)]
        target: Target,
    },
    /// Pause (if ACTIVE), lock with reason `security`, open the FreshDesk ticket (outbound
    /// email to the owner, CC tenant managers), add the instance details as a private note
    Lock {
        #[command(flatten)]
        target: Target,
        /// Extra address to CC on the ticket (repeatable)
        #[arg(long = "cc", value_name = "EMAIL")]
        cc: Vec<String>,
        #[command(flatten)]
        m: MutationArgs,
    },
    /// Unpause, unlock, reply on the ticket and resolve it
    Unlock {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        m: MutationArgs,
    },
    /// Capture evidence (console log note, optional snapshot), then delete, wait until gone,
    /// reply and resolve. Nothing is deleted when evidence capture fails, unless --force
    Delete {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        confirm: ConfirmArgs,
        /// Also snapshot the instance (createImage) and note the image id before deleting
        #[arg(long = "snapshot")]
        snapshot: bool,
        /// Delete even when evidence capture failed
        #[arg(long = "force")]
        force: bool,
        #[command(flatten)]
        m: MutationArgs,
    },
    /// The incidents so far: every FreshDesk ticket tagged `security`, joined with what the
    /// notes recorded (instance, project, image, flavor, owner, outcome), then counts by
    /// project, image and month
    History {
        /// Tickets created since (RFC 3339, YYYY-MM-DD, or a duration ago such as 90d)
        #[arg(long = "since", value_name = "WHEN", default_value = "90d")]
        since: String,
        /// Only the incident records, no counts
        #[arg(long = "no-counts")]
        no_counts: bool,
        /// Also draw incidents per week by outcome into this file (.png, or .svg)
        #[arg(long = "plot", value_name = "FILE")]
        plot: Option<PathBuf>,
    },
    /// Every OpenStack, FreshDesk and takedown setting with its value (secrets redacted) and
    /// its source, then whether Keystone, Nova and FreshDesk answer (exit 1 if not, 2 when a
    /// setting is unusable)
    Doctor,
    /// The big red button: lock, ticket, note, evidence, (snapshot), delete, reply, resolve —
    /// each finished step recorded on the instance and noted on the ticket
    Takedown {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        confirm: ConfirmArgs,
        /// Stop after the evidence: keep the instance paused and locked
        #[arg(long = "no-delete")]
        no_delete: bool,
        /// Also snapshot the instance before deleting
        #[arg(long = "snapshot")]
        snapshot: bool,
        /// Delete even when evidence capture failed
        #[arg(long = "force")]
        force: bool,
        /// Extra address to CC on the ticket (repeatable)
        #[arg(long = "cc", value_name = "EMAIL")]
        cc: Vec<String>,
        #[command(flatten)]
        m: MutationArgs,
    },
}

/// The arguments of this process (in `test-hooks` builds without the test hook `--stop-after`,
/// see [`hooks`]).
pub fn args() -> Vec<std::ffi::OsString> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    #[cfg(feature = "test-hooks")]
    let args = hooks::strip(args);
    args
}

/// The clap command: flags, `--generate` and examples (parsing, help, man pages, completions).
pub fn command() -> clap::Command {
    octo_core::docs::command(Cli::command(), EXAMPLES)
}

/// The examples that end each subcommand's `--help` (and its man page); each line is checked
/// to parse (`tests/docs.rs`).
const EXAMPLES: &[(&str, &str)] = &[
    (
        "info",
        "Examples:\n  sec-takedown info 9f0c2a4e-1b7d-4c1e-8d2a-5b9e7f3c1a20\n  sec-takedown info --ip 203.0.113.7 -o json\n",
    ),
    (
        "lock",
        "Examples:\n  sec-takedown lock 9f0c2a4e-1b7d-4c1e-8d2a-5b9e7f3c1a20 --dry-run\n  sec-takedown lock --ip 203.0.113.7 --cc csirt@example.org --dry-run\n",
    ),
    (
        "unlock",
        "Examples:\n  sec-takedown unlock 9f0c2a4e-1b7d-4c1e-8d2a-5b9e7f3c1a20 --dry-run\n",
    ),
    (
        "delete",
        "Examples:\n  sec-takedown delete 9f0c2a4e-1b7d-4c1e-8d2a-5b9e7f3c1a20 --dry-run\n  sec-takedown delete 9f0c2a4e-1b7d-4c1e-8d2a-5b9e7f3c1a20 --snapshot --yes\n",
    ),
    (
        "history",
        "Examples:\n  sec-takedown history --since 180d | jq -c 'select(.outcome == \"deleted\")'\n  sec-takedown history --since 365d --no-counts -o csv\n  sec-takedown history --plot incidents.svg\n",
    ),
    (
        "doctor",
        "Examples:\n  sec-takedown doctor\n  sec-takedown doctor --os-cloud nectar -o json | jq '.checks[] | select(.ok | not)'\n",
    ),
    (
        "takedown",
        "Examples:\n  sec-takedown takedown 9f0c2a4e-1b7d-4c1e-8d2a-5b9e7f3c1a20 --dry-run\n  sec-takedown takedown 9f0c2a4e-1b7d-4c1e-8d2a-5b9e7f3c1a20 --snapshot --cc csirt@example.org --yes\n",
    ),
];

/// Entry point used by `main`.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    cli.log.init();
    octo_core::block_on(run_async(cli))
}

fn http() -> anyhow::Result<Http> {
    Http::new(http_config())
}

fn http_config() -> HttpConfig {
    HttpConfig {
        user_agent: format!("sec-takedown/{}", env!("CARGO_PKG_VERSION")),
        timeout: Duration::from_secs(120),
        max_in_flight: 2,
        ..HttpConfig::default()
    }
}

/// The client for the OpenStack APIs: with `cacert`, only that CA bundle is trusted (FreshDesk
/// keeps the system's roots).
fn os_http(auth: &config::OsAuth) -> anyhow::Result<Http> {
    let mut cfg = http_config();
    if let Some(p) = &auth.cacert {
        let pem = std::fs::read(p).map_err(|e| {
            usage(format!(
                "{}: cannot read the CA bundle {}: {e}",
                auth.cloud.describe("cacert"),
                p.display()
            ))
        })?;
        cfg.ca_certs_pem = Some(pem);
    }
    match &auth.cacert {
        None => Http::new(cfg),
        Some(p) => Http::new(cfg).map_err(|e| {
            usage(format!(
                "{} ({}): {e}",
                auth.cloud.describe("cacert"),
                p.display()
            ))
        }),
    }
}

/// A server UUID (8-4-4-4-12 hex).
pub fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Resolve the target: its id and the server JSON at 2.73 (`None` when Nova says 404).
pub async fn resolve(os: &Os, t: &Target) -> anyhow::Result<(String, Option<Value>)> {
    if let Some(ip) = &t.ip {
        if ip.parse::<std::net::IpAddr>().is_err() {
            return Err(usage(format!("--ip `{ip}` is not an IP address")));
        }
        let found = os.servers_by_ip(ip).await?;
        return match found.len() {
            0 => Err(anyhow::anyhow!(
                "no server has the address {ip} (searched all projects)"
            )),
            1 => Ok((
                found[0]["id"].as_str().unwrap_or_default().to_string(),
                Some(found[0].clone()),
            )),
            _ => Err(usage(format!(
                "{} servers have the address {ip}: {}; give the UUID",
                found.len(),
                found
                    .iter()
                    .map(|s| format!(
                        "{} ({})",
                        s["id"].as_str().unwrap_or("?"),
                        s["name"].as_str().unwrap_or("?")
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        };
    }
    let Some(s) = &t.server else {
        return Err(usage("give a SERVER UUID or --ip ADDR"));
    };
    if !is_uuid(s) {
        return Err(usage(format!(
            "`{s}` is not a server UUID: names are refused because they are not unique \
             (use the UUID, or --ip ADDR)"
        )));
    }
    let id = s.to_ascii_lowercase();
    let srv = os.server(&id).await?;
    Ok((id, srv))
}

/// The printer for stdout; a table shows `table_columns` unless `--columns` says otherwise.
fn printer(output: &OutputArgs, table_columns: &[&str]) -> Printer {
    Printer::stdout_with(output, Defaults::RECORDS.table_columns(table_columns))
}

/// The flags of a command that would delete the instance (`delete`, `takedown` without
/// `--no-delete`).
fn deletes(c: &Command) -> Option<(&MutationArgs, &ConfirmArgs)> {
    match c {
        Command::Delete { m, confirm, .. } => Some((m, confirm)),
        Command::Takedown {
            m,
            confirm,
            no_delete: false,
            ..
        } => Some((m, confirm)),
        _ => None,
    }
}

async fn run_async(cli: Cli) -> anyhow::Result<Exit> {
    // configuration first: every config error (exit 2) before any call
    let cfg = config::takedown(cli.config.as_deref())?;
    if let Command::Doctor = &cli.command {
        return doctor::run(&cfg, cli.os_cloud.as_deref(), &cli.output).await;
    }
    let mutating = !matches!(cli.command, Command::Info { .. });
    let fd_cfg = if mutating {
        Some(config::freshdesk(&cfg)?)
    } else {
        None
    };
    if let Command::History {
        since,
        no_counts,
        plot,
    } = &cli.command
    {
        let fd_cfg = fd_cfg.ok_or_else(|| usage("FreshDesk is not configured"))?;
        let fd = freshdesk::Fd::new(http()?, fd_cfg);
        let p = printer(&cli.output, history::TABLE_COLUMNS);
        history::run(&fd, &cfg, p, since, *no_counts, plot.as_deref()).await?;
        return Ok(Exit::Success);
    }
    // a delete with --apply needs --yes or a typed confirmation: refused before any call when
    // there is no terminal to type it on
    if let Some((m, confirm)) = deletes(&cli.command) {
        check_confirmable(m, confirm, can_prompt(), "deletes the instance")?;
    }
    for cc in match &cli.command {
        Command::Lock { cc, .. } | Command::Takedown { cc, .. } => cc.as_slice(),
        _ => &[],
    } {
        if !cc.contains('@')
            || cc.contains(char::is_whitespace)
            || cc.starts_with('@')
            || cc.ends_with('@')
        {
            return Err(usage(format!("--cc `{cc}` is not an email address")));
        }
    }
    let auth = config::os_auth(cli.os_cloud.as_deref())?;
    let http = http()?;
    let os = Os::connect(os_http(&auth)?, &auth).await?;
    if !os.is_admin() {
        tracing::warn!("{}", os.admin_hint().trim_start_matches(" — "));
    }

    if let Command::Info { target } = &cli.command {
        let (id, srv) = resolve(&os, target).await?;
        let Some(srv) = srv else {
            return Err(anyhow::anyhow!(
                "server {id} not found (Nova 404){}",
                os.admin_hint()
            ));
        };
        let info = info::gather(&os, &srv, &cfg.manager_role).await?;
        let mut p = printer(&cli.output, &["field", "value"]);
        if p.format() == Format::Table {
            for (k, v) in info::rows(&info.json) {
                p.record(&json!({"field": k, "value": v}))?;
            }
        } else {
            p.record(&info.json)?;
        }
        p.finish()?;
        return Ok(Exit::Success);
    }

    let fd = freshdesk::Fd::new(
        http,
        fd_cfg.ok_or_else(|| usage("FreshDesk is not configured"))?,
    );
    let mut p = printer(&cli.output, &["step", "status", "detail", "ticket_id"]);
    // every step shows as it happens, also in a table or CSV
    p.set_flush_each(true);
    let mut ctx = flow::Ctx::new(os, fd, cfg, p);
    let result = match cli.command {
        Command::Info { .. } | Command::History { .. } | Command::Doctor => {
            unreachable!("handled above")
        }
        Command::Lock { target, cc, m } => {
            ctx.start("lock", &m);
            let srv = ctx.target(&target).await?;
            flow::lock(&mut ctx, srv, &cc).await.map(|_| ())
        }
        Command::Unlock { target, m } => {
            ctx.start("unlock", &m);
            let srv = ctx.target(&target).await?;
            flow::unlock(&mut ctx, srv).await
        }
        Command::Delete {
            target,
            snapshot,
            force,
            m,
            confirm,
        } => {
            ctx.start("delete", &m);
            let srv = ctx.target_or_gone(&target).await?;
            if needs_prompt(&m, &confirm) {
                ctx.confirm_delete()?;
            }
            flow::delete(&mut ctx, srv, snapshot, force).await
        }
        Command::Takedown {
            target,
            no_delete,
            snapshot,
            force,
            cc,
            m,
            confirm,
        } => {
            ctx.start("takedown", &m);
            let srv = ctx.target_or_gone(&target).await?;
            if !no_delete && needs_prompt(&m, &confirm) {
                ctx.confirm_delete()?;
            }
            flow::takedown(&mut ctx, srv, &cc, !no_delete, snapshot, force).await
        }
    };
    if let Err(e) = &result {
        ctx.fail_open_step(e);
    }
    let finish = ctx.finish();
    result?;
    finish?;
    Ok(Exit::Success)
}
