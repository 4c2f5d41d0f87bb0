//! slack-notify: post Halo events and octobox action records to Slack as readable messages.
//!
//! Records are read from stdin (or `--input`) on a reader thread; the sender drains whatever has
//! arrived (a burst) and posts it as one message of up to `--batch` records, so a burst does not
//! become a burst of API calls. `429` responses are retried after `Retry-After` by the shared HTTP
//! client; while it waits, more records queue up and go out in the next batch. One
//! `slack-notify.message/v1` record per input record goes to stdout. The token and the webhook
//! URL never print.

pub mod config;
mod doctor;
pub mod format;
pub mod route;
pub mod rules;

use std::collections::HashSet;

use clap::{CommandFactory, Parser, Subcommand};
use octo_core::env;
use octo_core::exit::{Exit, usage};
use octo_core::http::{Http, HttpConfig, HttpError, Method, Req, StatusCode};
use octo_core::log::LogArgs;
use octo_core::output::{Defaults, OutputArgs, Printer};
use octo_core::records::Record;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use config::SlackConfig;

pub const RECORD: &str = "slack-notify.message/v1";

/// Table columns of the records (without `--columns`).
pub const TABLE_COLUMNS: &[&str] = &["line", "status", "channel", "reason", "text"];

const AFTER_HELP: &str = "\
Examples:
  halo-query events --follow --critical | slack-notify          # the critical-events monitor
  halo-query events --date today | slack-notify --suppress server_moved,new_server
  quarantine --apply < events.jsonl | slack-notify --channel sec-ops
  slack-notify --dry-run < records.jsonl                         # print the messages only
  ec2-delta --format jsonl | slack-notify --route routes.yml     # each team hears of its instances

Configuration (flag > env > octo.yml `notify:` > default; `slack-notify doctor` shows each value
and its source): SLACK_API_TOKEN (bot token, chat.postMessage; else notify.credential_process,
[program, arg, …] printing {\"token\": \"…\"}) or --webhook-url / SLACK_WEBHOOK_URL;
channel: --channel > SLACK_CHANNEL > notify.channel > `halo`; --api-url > SLACK_API_URL >
notify.api_url > https://slack.com/api; --batch > notify.batch > 10; --max-rps > notify.max_rps > 0
(off). octo.yml `notify:` keys: channel, suppress_events, critical_only, api_url, batch, max_rps,
credential_process.
--route FILE (YAML): `routes:` rules matching one of key_name > vpc_id > aws_region > aws_account
(first match wins) to a `channel:`; records no rule matches go to `default:` or the channel above.
Exit codes: 0 ok, 1 Slack unreachable, 2 usage or configuration error (also: Slack rejected the
token or the channel), 3 bad input line (records before it are posted first), 4 some messages
failed.";

/// Post events and action records (JSON Lines on stdin) to Slack as readable messages.
#[derive(Debug, Parser)]
#[command(name = "slack-notify", version = octo_core::VERSION, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Slack channel [env: SLACK_CHANNEL; config notify.channel; default `halo`]
    #[arg(long, value_name = "CHANNEL")]
    pub channel: Option<String>,
    /// Post only critical events (action records are always posted)
    #[arg(long = "critical-only")]
    pub critical_only: bool,
    /// Event types never posted, comma-separated (added to notify.suppress_events)
    #[arg(long, value_delimiter = ',', value_name = "TYPE,…")]
    pub suppress: Vec<String>,
    /// Post through this incoming webhook instead of chat.postMessage [env: SLACK_WEBHOOK_URL]
    #[arg(long = "webhook-url", value_name = "URL")]
    pub webhook_url: Option<String>,
    /// Also post action records whose status is `skipped` or `unchanged`
    #[arg(long = "all-actions")]
    pub all_actions: bool,
    /// At most this many records per Slack message when they arrive in a burst
    /// (1-100) [config notify.batch; default 10]
    #[arg(long, value_name = "N")]
    pub batch: Option<usize>,
    /// Slack Web API base URL [env: SLACK_API_URL; config notify.api_url; default
    /// https://slack.com/api]
    #[arg(long = "api-url", value_name = "URL", global = true)]
    pub api_url: Option<String>,
    /// Client-side limit of Slack requests per second, 0 = off [config notify.max_rps; default 0]
    #[arg(long = "max-rps", value_name = "N", value_parser = octo_core::validate::rps)]
    pub max_rps: Option<f64>,
    /// Route each record to a channel by its key_name > vpc_id > aws_region > aws_account
    /// (YAML rules; first match wins, unmatched records go to the default channel)
    #[arg(long, value_name = "FILE")]
    pub route: Option<std::path::PathBuf>,
    /// Do not post: print what would be posted
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    /// Read records from this file instead of stdin (`-` = stdin)
    #[arg(long = "input", short = 'i', value_name = "FILE")]
    pub input: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub bad_records: octo_core::records::BadRecordArgs,
    /// Config file (octo.yml) [env: OCTO_CONFIG]
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub log: LogArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the Slack settings (each with its source; secrets redacted) and that Slack accepts
    /// the token (auth.test)
    Doctor,
}

/// The clap command: flags, `--generate` and examples (parsing, help, man pages, completions).
pub fn command() -> clap::Command {
    octo_core::docs::command(
        Cli::command(),
        &[(
            "doctor",
            "Examples:\n  slack-notify doctor\n  slack-notify doctor -o json | jq .config.settings\n",
        )],
    )
}

pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    cli.log.init();
    octo_core::block_on(run_async(cli))
}

/// Where messages go.
enum Target {
    Api {
        url: url::Url,
        token: SecretString,
        channel: String,
    },
    Webhook {
        url: url::Url,
    },
    DryRun {
        channel: String,
    },
}

struct Settings {
    target: Target,
    routes: route::Routes,
    critical_only: bool,
    suppress: HashSet<String>,
    all_actions: bool,
    batch: usize,
}

fn settings(cli: &Cli, cfg: SlackConfig) -> anyhow::Result<Settings> {
    let post_url = cfg.method_url("chat.postMessage")?;
    let channel = cfg.channel.value;
    let target = if cli.dry_run {
        Target::DryRun { channel }
    } else if let Some(url) = cfg.webhook_url.value {
        if cli.route.is_some() {
            return Err(usage(
                "--route needs chat.postMessage (SLACK_API_TOKEN): a webhook posts to one fixed channel",
            ));
        }
        Target::Webhook { url }
    } else {
        let token = cfg.token.value.ok_or_else(|| {
            usage(format!(
                "no Slack credentials: set {} (bot token) or pass --webhook-url (or use --dry-run)",
                env::SLACK_API_TOKEN
            ))
        })?;
        Target::Api {
            url: post_url,
            token,
            channel,
        }
    };
    Ok(Settings {
        target,
        routes: cfg.routes,
        critical_only: cfg.critical_only.value,
        suppress: cfg.suppress,
        all_actions: cli.all_actions,
        batch: cfg.batch.value,
    })
}

/// What to do with one record.
enum Decision {
    /// text, channel (None: the default channel)
    Post(String, Option<String>),
    Skip(&'static str),
}

fn decide(s: &Settings, r: &Record) -> Decision {
    match format::kind(&r.value) {
        format::Kind::Event { etype, critical } => {
            if s.critical_only && !critical {
                return Decision::Skip("not critical (--critical-only)");
            }
            if s.suppress.contains(&etype.to_ascii_lowercase()) {
                return Decision::Skip("event type suppressed");
            }
        }
        format::Kind::Action { status, .. } => {
            if !s.all_actions && (status == "skipped" || status == "unchanged") {
                return Decision::Skip("action skipped or unchanged (--all-actions posts these)");
            }
        }
        format::Kind::Other => {}
    }
    Decision::Post(
        format::text(&r.value),
        s.routes.channel_for(&r.value).map(str::to_string),
    )
}

/// One entry of the reader → sender queue.
type Item = Result<Record, anyhow::Error>;

/// Reads until the end, or until the first error when bad records fail the run (`fail_fast`).
fn spawn_reader(input: Option<std::path::PathBuf>, fail_fast: bool, tx: mpsc::Sender<Item>) {
    std::thread::spawn(move || {
        let reader = match octo_core::records::open(input.as_deref()) {
            Ok(r) => r,
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        };
        for item in reader {
            let stop = fail_fast && item.is_err();
            if tx.blocking_send(item.map_err(anyhow::Error::from)).is_err() || stop {
                return;
            }
        }
    });
}

/// Slack's answer to a post.
struct Posted {
    channel: Option<String>,
    ts: Option<String>,
}

/// Errors that end the run: every later message would fail the same way.
fn fatal_slack_error(e: &str) -> bool {
    matches!(
        e,
        "not_authed"
            | "invalid_auth"
            | "account_inactive"
            | "token_revoked"
            | "token_expired"
            | "no_permission"
            | "missing_scope"
            | "channel_not_found"
            | "is_archived"
            | "not_in_channel"
    )
}

/// A failure message that never contains the webhook URL or the token.
pub(crate) fn http_failure(e: &HttpError, what: &str) -> String {
    match e {
        HttpError::Transport {
            source_text,
            attempts,
            ..
        } => format!("POST {what}: {source_text} (after {attempts} attempts)"),
        HttpError::GaveUp {
            status,
            attempts,
            why,
            ..
        } => format!("POST {what}: HTTP {status} (after {attempts} attempts; {why})"),
        HttpError::Deadline { secs, attempts, .. } => {
            format!("POST {what}: no answer within {secs} s (after {attempts} attempts)")
        }
    }
}

/// Post `text` to `routed` (or the target's default channel).
async fn post(
    http: &Http,
    target: &Target,
    routed: Option<&str>,
    text: &str,
) -> anyhow::Result<Result<Posted, String>> {
    match target {
        Target::DryRun { channel } => Ok(Ok(Posted {
            channel: Some(routed.unwrap_or(channel).to_string()),
            ts: None,
        })),
        Target::Api {
            url,
            token,
            channel,
        } => {
            let channel = routed.unwrap_or(channel);
            let body = serde_json::to_vec(&json!({"channel": channel, "text": text}))?;
            let mut req = Req::new(Method::POST, url.clone());
            req.bearer = Some(token.expose_secret());
            req.headers
                .push(("Content-Type", "application/json; charset=utf-8".into()));
            req.body = Some(body.into());
            // A 5xx usually means Slack did not post: retrying risks a rare duplicate alert,
            // not retrying risks a lost one.
            req.idempotent = true;
            let resp = match http.send(&req).await {
                Ok(r) => r,
                Err(e) => return Ok(Err(http_failure(&e, "chat.postMessage"))),
            };
            if resp.status != StatusCode::OK {
                return Ok(Err(format!(
                    "chat.postMessage: HTTP {}: {}",
                    resp.status,
                    resp.text().chars().take(300).collect::<String>()
                )));
            }
            let v: Value = match serde_json::from_slice(&resp.body) {
                Ok(v) => v,
                Err(_) => return Ok(Err("chat.postMessage: answer is not JSON".into())),
            };
            if v.get("ok").and_then(Value::as_bool) == Some(true) {
                return Ok(Ok(Posted {
                    channel: Some(channel.to_string()),
                    ts: v.get("ts").and_then(Value::as_str).map(str::to_string),
                }));
            }
            let err = v
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("unknown_error")
                .to_string();
            if fatal_slack_error(&err) {
                let hint = if err.contains("auth") || err.starts_with("token") {
                    format!("check {}", env::SLACK_API_TOKEN)
                } else if (err.contains("channel") || err == "is_archived") && routed.is_some() {
                    format!("check the channel `{channel}` in the --route file")
                } else if err.contains("channel") || err == "is_archived" {
                    format!(
                        "check the channel `{channel}` (--channel, {})",
                        env::SLACK_CHANNEL
                    )
                } else {
                    "check the token's permissions".to_string()
                };
                return Err(usage(format!(
                    "Slack refused chat.postMessage: {err} ({hint})"
                )));
            }
            Ok(Err(format!("chat.postMessage: {err}")))
        }
        Target::Webhook { url } => {
            let body = serde_json::to_vec(&json!({"text": text}))?;
            let mut req = Req::new(Method::POST, url.clone());
            req.headers
                .push(("Content-Type", "application/json".into()));
            req.body = Some(body.into());
            req.idempotent = true;
            match http.send(&req).await {
                Ok(r) if r.status.is_success() => Ok(Ok(Posted {
                    channel: None,
                    ts: None,
                })),
                Ok(r) if r.status == StatusCode::NOT_FOUND || r.status == StatusCode::FORBIDDEN => {
                    Err(usage(format!(
                        "Slack refused the webhook (HTTP {}: {}): check --webhook-url / {}",
                        r.status,
                        r.text().chars().take(100).collect::<String>(),
                        env::SLACK_WEBHOOK_URL
                    )))
                }
                Ok(r) => Ok(Err(format!(
                    "webhook: HTTP {}: {}",
                    r.status,
                    r.text().chars().take(300).collect::<String>()
                ))),
                Err(e) => Ok(Err(http_failure(&e, "webhook (URL hidden)"))),
            }
        }
    }
}

fn out_record(
    line: u64,
    status: &str,
    reason: &str,
    posted: Option<&Posted>,
    text: Option<&str>,
) -> Value {
    json!({
        "record": RECORD,
        "line": line,
        "status": status,
        "reason": reason,
        "channel": posted.and_then(|p| p.channel.clone()),
        "ts": posted.and_then(|p| p.ts.clone()),
        "text": text,
    })
}

/// Most characters in one batched message (Slack shows up to 40,000; long ones get folded).
const BATCH_CHARS: usize = 3500;

/// Posts groups of records and reports each record on stdout.
struct Sender {
    http: Http,
    settings: Settings,
    out: Printer,
    /// (line, text) of records waiting to be posted together.
    group: Vec<(u64, String)>,
    /// Their routed channel (None: the default one).
    group_channel: Option<String>,
    len: usize,
    sent: u64,
    failed: u64,
}

impl Sender {
    /// Queue a text; a full group is posted first.
    async fn push(
        &mut self,
        line: u64,
        text: String,
        channel: Option<String>,
    ) -> anyhow::Result<()> {
        if !self.group.is_empty()
            && (self.group.len() >= self.settings.batch
                || self.len + text.len() > BATCH_CHARS
                || self.group_channel != channel)
        {
            self.flush().await?;
        }
        self.group_channel = channel;
        self.len += text.len() + 2;
        self.group.push((line, text));
        Ok(())
    }

    /// A skipped record: what is queued before it is posted first, so output keeps input order.
    async fn skip(&mut self, line: u64, why: &str) -> anyhow::Result<()> {
        self.flush().await?;
        self.out
            .record(&out_record(line, "skipped", why, None, None))
    }

    async fn flush(&mut self) -> anyhow::Result<()> {
        if self.group.is_empty() {
            return Ok(());
        }
        let group = std::mem::take(&mut self.group);
        self.len = 0;
        let text = group
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("\n\n");
        let status_sent = if matches!(self.settings.target, Target::DryRun { .. }) {
            "dry-run"
        } else {
            "sent"
        };
        let channel = self.group_channel.take();
        match post(&self.http, &self.settings.target, channel.as_deref(), &text).await? {
            Ok(p) => {
                for (line, t) in &group {
                    self.sent += 1;
                    self.out
                        .record(&out_record(*line, status_sent, "", Some(&p), Some(t)))?;
                }
            }
            Err(why) => {
                for (line, t) in &group {
                    self.failed += 1;
                    tracing::error!("line {line}: {why}");
                    self.out
                        .record(&out_record(*line, "failed", &why, None, Some(t)))?;
                }
            }
        }
        Ok(())
    }
}

/// The HTTP client of every Slack request.
fn http_client(cfg: &SlackConfig) -> anyhow::Result<Http> {
    Http::new(HttpConfig {
        user_agent: format!("octobox-slack-notify/{}", env!("CARGO_PKG_VERSION")),
        max_in_flight: 1,
        max_rps: cfg.max_rps.value,
        ..HttpConfig::default()
    })
}

async fn run_async(cli: Cli) -> anyhow::Result<Exit> {
    let cfg = SlackConfig::resolve(&cli)?;
    if let Some(Command::Doctor) = cli.command {
        return doctor::run(&cfg, &cli).await;
    }
    let http = http_client(&cfg)?;
    let settings = settings(&cli, cfg)?;
    let (tx, mut rx) = mpsc::channel::<Item>(4096);
    let mut bad = cli.bad_records.tracker();
    let fail_fast = cli.bad_records.on_bad_record == octo_core::records::OnBadRecord::Fail;
    spawn_reader(cli.input.clone(), fail_fast, tx);
    let mut out = Printer::stdout_with(&cli.output, Defaults::RECORDS.table_columns(TABLE_COLUMNS));
    out.set_flush_each(true);
    let drain = 4 * settings.batch;
    let mut sender = Sender {
        http,
        settings,
        out,
        group: Vec::new(),
        group_channel: None,
        len: 0,
        sent: 0,
        failed: 0,
    };
    let result: anyhow::Result<()> = async {
        while let Some(first) = rx.recv().await {
            // the burst that is already queued goes out together
            let mut items = vec![first];
            while items.len() < drain && !items.last().is_some_and(Result::is_err) {
                match rx.try_recv() {
                    Ok(i) => items.push(i),
                    Err(_) => break,
                }
            }
            for item in items {
                let r = match item {
                    Ok(r) => r,
                    Err(e) => {
                        // records before a bad line are posted and reported first
                        sender.flush().await?;
                        bad.handle(e)?;
                        continue;
                    }
                };
                match decide(&sender.settings, &r) {
                    Decision::Skip(why) => sender.skip(r.line, why).await?,
                    Decision::Post(t, ch) => sender.push(r.line, t, ch).await?,
                }
            }
            sender.flush().await?;
        }
        Ok(())
    }
    .await;
    let Sender {
        out, sent, failed, ..
    } = sender;
    let finished = out.finish();
    result?;
    finished?;
    octo_core::log::note(
        cli.log.quiet,
        format!("slack-notify: {sent} records posted, {failed} failed"),
    );
    Ok(bad.exit(if failed > 0 {
        Exit::Partial
    } else {
        Exit::Success
    }))
}
