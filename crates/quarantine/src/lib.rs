//! quarantine: move servers whose events match the `quarantine:` rules of octo.yml into the
//! quarantine group — and back out with `quarantine release`.
//!
//! Safe by construction: a plan by default (`--apply` to act, with the read-write key only then),
//! group names must resolve to exactly one group each, a server is moved at most once per run and
//! not at all when it is already quarantined, at most `--max` moves per run, and every decision
//! is a `quarantine.action/v1` record on stdout.

pub mod action;
pub mod rules;

use std::collections::HashMap;

use clap::{Args, CommandFactory, Parser, Subcommand};
use octo_core::config::HaloArgs;
use octo_core::exit::{Exit, usage};
use octo_core::halo::HaloClient;
use octo_core::halo::api::pick_group;
use octo_core::log::LogArgs;
use octo_core::mutation::MutationArgs;

use octo_core::output::OutputArgs;
use octo_response as response;
use octo_response::action::{ActionOut, Status};
use octo_response::config::require_section;
use octo_response::events::{EventInputArgs, Trigger};
use serde_json::{Value, json};

use action::{QUARANTINE_RECORD, QuarantineAction};
use rules::QuarantineRules;

const AFTER_HELP: &str = "\
Examples:
  halo-query events --date today --critical | quarantine            # plan
  halo-query events --date today --critical | quarantine --apply    # act
  quarantine --from-halo --since 15m --follow --apply | slack-notify
  quarantine release --server web-1 --to-group Root/Prod/Web --apply

Config (octo.yml `quarantine:` section; an OCTOBOX octo_conf.yml works unchanged):
  enabled, trigger_group_names, quarantine_group_name, trigger_events,
  trigger_only_on_critical (default true), max_moves_per_run (default 10).

Keys: the read-only key (HALO_API_KEY / HALO_API_SECRET_KEY) plans; --apply uses only the
full-access key (HALO_API_KEY_RW / HALO_API_SECRET_KEY_RW).
Exit codes: 0 ok, 1 API or I/O failure, 2 usage or configuration error (also: ambiguous group
names), 3 bad input line, 4 some moves failed, 130 interrupted.";

/// Move servers whose Halo events match the quarantine rules into the quarantine group
/// (a plan by default; --apply to act). Prints one quarantine.action/v1 record per decision.
#[derive(Debug, Parser)]
#[command(name = "quarantine", version = octo_core::VERSION, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub run: RunArgs,
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
    /// Move a server out of quarantine into a group (the `from_group_*` of its quarantine record)
    Release(ReleaseArgs),
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: EventInputArgs,
    /// At most N moves in this run (overrides quarantine.max_moves_per_run)
    #[arg(long, value_name = "N")]
    pub max: Option<usize>,
}

#[derive(Debug, Clone, Args)]
pub struct ReleaseArgs {
    /// The server: id, hostname or IP address
    #[arg(long, value_name = "ID")]
    pub server: String,
    /// Group to move it to: id, name or full path (must be unique)
    #[arg(long = "to-group", value_name = "NAME|ID")]
    pub to_group: String,
}

/// The clap command: flags, `--generate` and examples (parsing, help, man pages, completions).
pub fn command() -> clap::Command {
    octo_core::docs::command(Cli::command(), EXAMPLES)
}

/// The examples that end each subcommand's `--help` (and its man page); each line is checked
/// to parse (`tests/docs.rs`).
const EXAMPLES: &[(&str, &str)] = &[(
    "release",
    "Examples:\n  quarantine release --server web-1 --to-group Root/Prod/Web            # plan\n  quarantine release --server web-1 --to-group Root/Prod/Web --apply    # act\n",
)];

/// Entry point used by `main`.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    cli.log.init();
    octo_core::block_on(run_async(cli))
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

async fn run_async(cli: Cli) -> anyhow::Result<Exit> {
    response::check_no_input_with_subcommand(cli.command.is_some(), &cli.run.input)?;
    let mut out = ActionOut::stdout(&cli.output, action::QUARANTINE_COLUMNS);
    let result = match &cli.command {
        Some(Command::Release(r)) => release(&cli, r, &mut out).await,
        None => quarantine(&cli, &mut out).await,
    };
    out.finish("quarantine", cli.log.quiet, result)
}

/// Resolved config: quarantine group and trigger group names.
struct Plan {
    rules: QuarantineRules,
    trigger: Trigger,
    to_id: String,
    to_name: String,
    max: usize,
}

async fn plan(cli: &Cli, halo: &HaloClient) -> anyhow::Result<Plan> {
    let (rules, path) =
        require_section::<QuarantineRules>(cli.halo.config.as_deref(), "quarantine")?;
    response::check_enabled(&path, "quarantine", rules.enabled, cli.mutation.apply)?;
    let p = path.display();
    let Some(qname) = rules.quarantine_group_name.clone() else {
        return Err(usage(format!(
            "{p}: quarantine.quarantine_group_name is not set"
        )));
    };
    if rules.trigger_group_names.is_empty() {
        return Err(usage(format!(
            "{p}: quarantine.trigger_group_names is empty: no event can match"
        )));
    }
    if rules.trigger_events.is_empty() {
        return Err(usage(format!(
            "{p}: quarantine.trigger_events is empty: no event can match"
        )));
    }
    // One listing of the groups for every name (the original listed them per event).
    let groups = halo.groups().await?;
    let q = pick_group(&groups, &qname)
        .map_err(|e| usage(format!("{p}: quarantine.quarantine_group_name: {e:#}")))?;
    let mut names = Vec::new();
    for n in &rules.trigger_group_names {
        let g = pick_group(&groups, n)
            .map_err(|e| usage(format!("{p}: quarantine.trigger_group_names: {e:#}")))?;
        if s(&g, "id") == s(&q, "id") {
            return Err(usage(format!(
                "{p}: quarantine.trigger_group_names: `{n}` is the quarantine group itself"
            )));
        }
        names.push(s(&g, "name").unwrap_or_else(|| n.clone()));
    }
    let trigger = Trigger::new(
        &rules.trigger_events,
        rules.trigger_only_on_critical,
        Some(&names),
    );
    let max = cli.run.max.unwrap_or(rules.max_moves_per_run);
    Ok(Plan {
        to_id: s(&q, "id").unwrap_or_default(),
        to_name: s(&q, "name").unwrap_or_default(),
        rules,
        trigger,
        max,
    })
}

async fn quarantine(cli: &Cli, out: &mut ActionOut) -> anyhow::Result<Exit> {
    let halo = response::client(&cli.halo, cli.mutation.apply, "quarantine").await?;
    let plan = plan(cli, &halo).await?;
    let now = chrono::Utc::now();
    let mut source = cli.run.input.open(
        &halo,
        &plan.rules.trigger_events,
        plan.rules.trigger_only_on_critical,
        now,
    )?;
    let source_name = source.source_name().to_string();
    // server id → the server as last seen (None: unknown to Halo)
    let mut servers: HashMap<String, Option<Value>> = HashMap::new();
    // server id → event that decided it in this run
    let mut decided: HashMap<String, First> = HashMap::new();
    let mut moves = 0usize;
    let mut matched = 0u64;
    let mut bad = cli.run.input.bad_records.tracker();
    let interrupted = async {
        while let Some(m) = source.next_match(&plan.trigger).await {
            let (ev, etype) = match m {
                Ok(x) => x,
                Err(e) => {
                    bad.handle(e)?;
                    continue;
                }
            };
            matched += 1;
            let server_id = match ev.require_str(&source_name, "server_id") {
                Ok(id) => id.to_string(),
                Err(e) => {
                    bad.handle(e.into())?;
                    continue;
                }
            };
            let event_id = ev.get_str("id").map(str::to_string);
            let mut a = QuarantineAction {
                record: QUARANTINE_RECORD.into(),
                action: "quarantine".into(),
                status: Status::Skipped,
                reason: String::new(),
                event_id: event_id.clone(),
                event_type: Some(etype),
                server_id: server_id.clone(),
                server_hostname: ev.get_str("server_hostname").map(str::to_string),
                from_group_id: None,
                from_group_name: ev.get_str("server_group_name").map(str::to_string),
                to_group_id: Some(plan.to_id.clone()),
                to_group_name: Some(plan.to_name.clone()),
            };
            if let Some(first) = decided.get(&server_id) {
                a.reason = format!(
                    "duplicate: server already handled in this run (event {})",
                    first.event
                );
                a.server_hostname = first.hostname.clone().or(a.server_hostname);
                a.from_group_id = first.from_group_id.clone();
                a.from_group_name = first.from_group_name.clone().or(a.from_group_name);
                out.emit(&a)?;
                continue;
            }
            let first = First {
                event: event_id.unwrap_or_else(|| format!("on line {}", ev.line)),
                ..First::default()
            };
            decided.insert(server_id.clone(), first);
            let server = match servers.get(&server_id) {
                Some(s) => s.clone(),
                None => {
                    let found = if octo_core::halo::api::is_id_like(&server_id) {
                        halo.get_object_opt(&format!("/v1/servers/{server_id}"), "server")
                            .await?
                    } else {
                        None
                    };
                    servers.insert(server_id.clone(), found.clone());
                    found
                }
            };
            let Some(server) = server else {
                a.reason = "server not found in Halo".into();
                out.emit(&a)?;
                continue;
            };
            a.server_hostname = s(&server, "hostname").or(a.server_hostname);
            a.from_group_id = s(&server, "group_id");
            a.from_group_name = s(&server, "group_name");
            if let Some(f) = decided.get_mut(&server_id) {
                f.hostname = a.server_hostname.clone();
                f.from_group_id = a.from_group_id.clone();
                f.from_group_name = a.from_group_name.clone();
            }
            if a.from_group_id.as_deref() == Some(plan.to_id.as_str()) {
                a.status = Status::Unchanged;
                a.reason = "already in the quarantine group".into();
                out.emit(&a)?;
                continue;
            }
            if moves >= plan.max {
                a.reason = format!(
                    "limit of {} moves per run reached (--max, quarantine.max_moves_per_run)",
                    plan.max
                );
                out.emit(&a)?;
                continue;
            }
            moves += 1;
            a.status = Status::Planned;
            a.reason = format!(
                "{} event from group {}",
                a.event_type.as_deref().unwrap_or("matching"),
                ev.get_str("server_group_name").unwrap_or("?")
            );
            out.emit(&a)?;
            if cli.mutation.apply {
                move_server(&halo, &mut a, &plan.to_id).await;
                out.emit(&a)?;
                if a.status == Status::Applied {
                    let mut moved = server.clone();
                    moved["group_id"] = json!(plan.to_id);
                    moved["group_name"] = json!(plan.to_name);
                    servers.insert(server_id, Some(moved));
                }
            }
        }
        Ok::<(), anyhow::Error>(())
    };
    tokio::select! {
        r = interrupted => r?,
        _ = tokio::signal::ctrl_c() => return Ok(Exit::Interrupted),
    }
    tracing::info!(matched, "input read");
    Ok(bad.exit(out.tally.exit()))
}

/// The first decision about a server in this run (copied into the records of its duplicates).
#[derive(Default)]
struct First {
    event: String,
    hostname: Option<String>,
    from_group_id: Option<String>,
    from_group_name: Option<String>,
}

/// `PUT /v1/servers/{id}` with the target group; the record becomes `applied` or `failed`.
async fn move_server(halo: &HaloClient, a: &mut QuarantineAction, to: &str) {
    let body = json!({"server": {"group_id": to}});
    match halo
        .put(&format!("/v1/servers/{}", a.server_id), &body)
        .await
    {
        Ok(_) => {
            a.status = Status::Applied;
            a.reason = format!(
                "moved to group {}",
                a.to_group_name.as_deref().unwrap_or(to)
            );
        }
        Err(e) => {
            a.status = Status::Failed;
            a.reason = format!("{e:#}");
            tracing::error!("moving server {} failed: {e:#}", a.server_id);
        }
    }
}

async fn release(cli: &Cli, r: &ReleaseArgs, out: &mut ActionOut) -> anyhow::Result<Exit> {
    let halo = response::client(&cli.halo, cli.mutation.apply, "quarantine").await?;
    let server = halo.resolve_server(&r.server).await?;
    let group = halo.resolve_group(&r.to_group).await?;
    let to_id = s(&group, "id").unwrap_or_default();
    let mut a = QuarantineAction {
        record: QUARANTINE_RECORD.into(),
        action: "release".into(),
        status: Status::Planned,
        reason: "release requested".into(),
        event_id: None,
        event_type: None,
        server_id: s(&server, "id").unwrap_or_default(),
        server_hostname: s(&server, "hostname"),
        from_group_id: s(&server, "group_id"),
        from_group_name: s(&server, "group_name"),
        to_group_id: Some(to_id.clone()),
        to_group_name: s(&group, "name"),
    };
    if a.from_group_id.as_deref() == Some(to_id.as_str()) {
        a.status = Status::Unchanged;
        a.reason = "already in the target group".into();
        out.emit(&a)?;
        return Ok(Exit::Success);
    }
    out.emit(&a)?;
    if cli.mutation.apply {
        move_server(&halo, &mut a, &to_id).await;
        out.emit(&a)?;
    }
    Ok(out.tally.exit())
}
