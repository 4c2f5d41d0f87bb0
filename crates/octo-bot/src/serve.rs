//! `octo-bot serve`: envelopes from the socket become requests; each is checked against the
//! channel's members, parsed, queued per command kind (one of a kind at a time, a bounded
//! queue), answered through the same query functions as the CLI, and written as one audit
//! record on stdout. SIGTERM (or Ctrl-C) stops taking requests, lets running ones finish for
//! the grace period, cancels the rest and says so to the asker and in the audit.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use octo_core::exit::Exit;
use octo_core::halo::HaloClient;
use octo_core::output::Printer;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;

use crate::chat::{self, ChatCommand, Parsed};
use crate::reply::{self, Reply};
use crate::slack::SlackApi;
use crate::socket::{self, Envelope};
use crate::status::Status;

/// The audit record's name.
pub const RECORD: &str = "octo-bot.request/v1";

/// What serving needs besides the clients.
pub struct Settings {
    pub channel: String,
    pub members_ttl: Duration,
    pub grace: Duration,
    pub max_queue: u64,
}

/// One request from Slack.
#[derive(Debug, Clone)]
struct Request {
    via: &'static str,
    user: String,
    channel: String,
    text: String,
    envelope_id: String,
    event_id: Option<String>,
    retry_attempt: u64,
}

impl Request {
    fn from(env: &Envelope) -> Option<Request> {
        let p = &env.payload;
        let s = |v: &Value| v.as_str().unwrap_or("").to_string();
        let (via, user, channel, text) = match env.kind.as_str() {
            "slash_commands" => (
                "slash",
                s(&p["user_id"]),
                s(&p["channel_id"]),
                s(&p["text"]),
            ),
            "events_api" => {
                let e = &p["event"];
                // the bot's own and edited messages are no requests
                if e.get("bot_id").is_some() || e.get("subtype").is_some() {
                    return None;
                }
                let via = match (e["type"].as_str(), e["channel_type"].as_str()) {
                    (Some("app_mention"), _) => "mention",
                    (Some("message"), Some("im")) => "dm",
                    _ => return None,
                };
                (via, s(&e["user"]), s(&e["channel"]), s(&e["text"]))
            }
            _ => return None,
        };
        Some(Request {
            via,
            user,
            channel,
            text,
            envelope_id: env.envelope_id.clone(),
            event_id: p["event_id"].as_str().map(str::to_string),
            retry_attempt: env.retry_attempt,
        })
    }
}

/// The members of the configured channel, fetched on demand and kept for a while.
struct Members {
    channel: String,
    ttl: Duration,
    cache: tokio::sync::Mutex<Option<(Instant, std::collections::HashSet<String>)>>,
}

impl Members {
    async fn contains(&self, api: &SlackApi, user: &str) -> anyhow::Result<bool> {
        let mut c = self.cache.lock().await;
        // refresh when stale, or when a user is unknown and the list is a minute old (joined)
        let stale = match &*c {
            None => true,
            Some((at, set)) => {
                at.elapsed() >= self.ttl
                    || (!set.contains(user) && at.elapsed() >= Duration::from_secs(60))
            }
        };
        if stale {
            let list = api.members(&self.channel).await?;
            *c = Some((Instant::now(), list.into_iter().collect()));
        }
        Ok(c.as_ref().is_some_and(|(_, s)| s.contains(user)))
    }
}

/// Everything a request task shares.
struct Ctx {
    api: Arc<SlackApi>,
    halo: HaloClient,
    status: Arc<Status>,
    members: Members,
    audit: Mutex<Printer>,
    /// One permit per command kind: one job of a kind at a time.
    slots: Mutex<HashMap<&'static str, Arc<Semaphore>>>,
    max_queue: u64,
    features: String,
    /// Requests cancelled at shutdown, told so after the tasks are gone.
    cancelled: Mutex<Vec<(Request, &'static str, Instant)>>,
}

impl Ctx {
    fn slot(&self, kind: &'static str) -> Arc<Semaphore> {
        self.slots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(kind)
            .or_insert_with(|| Arc::new(Semaphore::new(1)))
            .clone()
    }

    fn audit(&self, r: &Request, command: &str, outcome: &Outcome, started: Instant) {
        self.status.outcome(&outcome.result);
        let rec = json!({
            "record": RECORD,
            "at": Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
            "via": r.via,
            "user": r.user,
            "channel": r.channel,
            "text": chat::clean(&r.text),
            "command": command,
            "result": outcome.result,
            "reply": outcome.reply,
            "records": outcome.records,
            "error": outcome.error,
            "envelope_id": r.envelope_id,
            "event_id": r.event_id,
            "retry_attempt": r.retry_attempt,
            "elapsed_ms": started.elapsed().as_millis() as u64,
        });
        let mut out = self.audit.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = out.record(&rec) {
            tracing::error!("writing the audit record: {e:#}");
        }
    }

    async fn send(&self, r: &Request, reply: Reply) -> anyhow::Result<&'static str> {
        match reply {
            Reply::Message(text) => {
                self.api.post(&r.channel, &text).await?;
                Ok("message")
            }
            Reply::File {
                filename,
                title,
                bytes,
                comment,
            } => {
                self.api
                    .upload(&r.channel, &filename, &title, bytes, &comment)
                    .await?;
                Ok("file")
            }
        }
    }
}

struct Outcome {
    result: String,
    reply: Option<&'static str>,
    records: Option<usize>,
    error: Option<String>,
}

impl Outcome {
    fn new(result: &str, reply: Option<&'static str>) -> Outcome {
        Outcome {
            result: result.into(),
            reply,
            records: None,
            error: None,
        }
    }
}

/// Serve until SIGTERM/SIGINT.
pub async fn serve(
    settings: Settings,
    api: Arc<SlackApi>,
    halo: HaloClient,
    audit: Printer,
    status: Arc<Status>,
    features: String,
) -> anyhow::Result<Exit> {
    // The handlers are in place before the bot connects, so a SIGTERM sent as
    // soon as it is seen online is a clean shutdown, never the default kill.
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let (tx, mut rx) = mpsc::channel::<Envelope>(64);
    let sock = tokio::spawn(socket::run(api.clone(), tx, stop_rx, status.clone()));
    let ctx = Arc::new(Ctx {
        api,
        halo,
        status,
        members: Members {
            channel: settings.channel.clone(),
            ttl: settings.members_ttl,
            cache: tokio::sync::Mutex::new(None),
        },
        audit: Mutex::new(audit),
        slots: Mutex::new(HashMap::new()),
        max_queue: settings.max_queue,
        features,
        cancelled: Mutex::new(Vec::new()),
    });
    let mut jobs = JoinSet::new();
    let signal = loop {
        tokio::select! {
            env = rx.recv() => match env {
                Some(env) => {
                    if let Some(req) = Request::from(&env) {
                        let ctx = ctx.clone();
                        jobs.spawn(async move { handle(ctx, req).await });
                    }
                }
                None => break "the socket task ended",
            },
            Some(_) = jobs.join_next(), if !jobs.is_empty() => {}
            _ = term.recv() => break "SIGTERM",
            _ = int.recv() => break "SIGINT",
        }
    };
    let _ = stop_tx.send(true);
    let _ = sock.await;
    let running = jobs.len();
    tracing::info!(
        "{signal}: no new requests; {running} in progress get {:?}",
        settings.grace
    );
    let deadline = tokio::time::sleep(settings.grace);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            next = jobs.join_next() => if next.is_none() { break },
            _ = &mut deadline => {
                let left = jobs.len();
                tracing::warn!("{left} request(s) still running after {:?}: cancelled", settings.grace);
                // each cancelled task's guard writes its audit record and tells the asker
                jobs.shutdown().await;
                break;
            }
        }
    }
    let pending = std::mem::take(&mut *ctx.cancelled.lock().unwrap_or_else(|e| e.into_inner()));
    for (r, command, started) in pending {
        let _ = ctx
            .api
            .post(
                &r.channel,
                &format!(
                    "<@{}> `{}` was cancelled: octo-bot is shutting down.",
                    r.user,
                    reply::escape(&chat::clean(&r.text))
                ),
            )
            .await;
        ctx.audit(&r, command, &Outcome::new("cancelled", None), started);
    }
    let ctx = Arc::try_unwrap(ctx).map_err(|_| anyhow::anyhow!("a request outlived shutdown"))?;
    let out = ctx.audit.into_inner().unwrap_or_else(|e| e.into_inner());
    out.finish()?;
    Ok(Exit::Success)
}

async fn handle(ctx: Arc<Ctx>, r: Request) {
    let started = Instant::now();
    let text = chat::clean(&r.text);
    match ctx.members.contains(&ctx.api, &r.user).await {
        Ok(true) => {}
        Ok(false) => {
            let msg = format!(
                "Sorry <@{}>, I answer only members of <#{}>.",
                r.user, ctx.members.channel
            );
            let o = match ctx.api.post(&r.channel, &msg).await {
                Ok(()) => Outcome::new("refused", Some("message")),
                Err(e) => failed(&ctx, e, None),
            };
            ctx.audit(&r, "", &o, started);
            return;
        }
        Err(e) => {
            let o = failed(&ctx, e.context("checking channel membership"), None);
            ctx.audit(&r, "", &o, started);
            return;
        }
    }
    let cmd = match chat::parse(&text) {
        Parsed::Command(c) => c,
        Parsed::Help(h) => {
            let o = reply_or_fail(&ctx, &r, Reply::Message(code(&h)), "answered").await;
            ctx.audit(&r, "help", &o, started);
            return;
        }
        Parsed::Usage(u) => {
            let o = reply_or_fail(&ctx, &r, Reply::Message(code(&u)), "usage").await;
            ctx.audit(&r, "", &o, started);
            return;
        }
    };
    let name = cmd.name();
    let o = match &cmd {
        ChatCommand::Help => {
            reply_or_fail(&ctx, &r, Reply::Message(code(&chat::help())), "answered").await
        }
        ChatCommand::Status => {
            let text = code(&ctx.status.report(&ctx.features));
            reply_or_fail(&ctx, &r, Reply::Message(text), "answered").await
        }
        _ => {
            if ctx.status.waiting(name) >= ctx.max_queue {
                let msg = format!(
                    "<@{}> too many `{name}` requests are waiting; try again in a moment.",
                    r.user
                );
                let o = reply_or_fail(&ctx, &r, Reply::Message(msg), "busy").await;
                ctx.audit(&r, name, &o, started);
                return;
            }
            let mut guard = JobGuard::new(ctx.clone(), r.clone(), name, started);
            let slot = ctx.slot(name);
            let _permit = match slot.clone().try_acquire_owned() {
                Ok(p) => p,
                Err(_) => {
                    // one job of a kind at a time: say so, then wait for the slot
                    let msg = format!(
                        "<@{}> `{}` is queued: another `{name}` request is running. I will answer here when it is done.",
                        r.user,
                        reply::escape(&text)
                    );
                    if let Err(e) = ctx.api.post(&r.channel, &msg).await {
                        tracing::warn!("telling {} their request is queued: {e:#}", r.user);
                    }
                    let Ok(p) = slot.acquire_owned().await else {
                        return;
                    };
                    p
                }
            };
            guard.start();
            let o = run_query(&ctx, &r, &cmd, &text).await;
            guard.done();
            o
        }
    };
    ctx.audit(&r, name, &o, started);
}

/// Counts a job as queued, then running; when dropped before [`JobGuard::done`] (the task was
/// cancelled at shutdown) it leaves the request for the cancellation notice.
struct JobGuard {
    ctx: Arc<Ctx>,
    req: Option<Request>,
    kind: &'static str,
    started: Instant,
    running: bool,
}

impl JobGuard {
    fn new(ctx: Arc<Ctx>, req: Request, kind: &'static str, started: Instant) -> JobGuard {
        ctx.status.queued(kind);
        JobGuard {
            ctx,
            req: Some(req),
            kind,
            started,
            running: false,
        }
    }
    fn start(&mut self) {
        self.ctx.status.started(self.kind);
        self.running = true;
    }
    fn done(&mut self) {
        self.req = None;
    }
}

impl Drop for JobGuard {
    fn drop(&mut self) {
        self.ctx.status.ended(self.kind, self.running);
        if let Some(r) = self.req.take() {
            self.ctx
                .cancelled
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((r, self.kind, self.started));
        }
    }
}

/// Run a query and send its reply.
async fn run_query(ctx: &Ctx, r: &Request, cmd: &ChatCommand, text: &str) -> Outcome {
    let answer = match chat::answer(&ctx.halo, cmd, Utc::now()).await {
        Ok(a) => a,
        Err(e) => {
            let msg = format!(
                "<@{}> `{}` failed: {}",
                r.user,
                reply::escape(text),
                reply::escape(&format!("{e:#}"))
            );
            let mut o = failed(ctx, e, None);
            if ctx.api.post(&r.channel, &msg).await.is_ok() {
                o.reply = Some("message");
            }
            return o;
        }
    };
    let n = answer.records.len();
    let o = match reply::render(&answer, text) {
        Ok(rep) => reply_or_fail(ctx, r, rep, "answered").await,
        Err(e) => failed(ctx, e, None),
    };
    Outcome {
        records: Some(n),
        ..o
    }
}

async fn reply_or_fail(ctx: &Ctx, r: &Request, rep: Reply, result: &str) -> Outcome {
    match ctx.send(r, rep).await {
        Ok(kind) => Outcome::new(result, Some(kind)),
        Err(e) => failed(ctx, e.context("replying in Slack"), None),
    }
}

fn failed(ctx: &Ctx, e: anyhow::Error, reply: Option<&'static str>) -> Outcome {
    let msg = format!("{e:#}");
    tracing::error!("{msg}");
    ctx.status.error(msg.clone());
    Outcome {
        result: "failed".into(),
        reply,
        records: None,
        error: Some(msg),
    }
}

/// Text as a code block in a message.
fn code(text: &str) -> String {
    format!("```\n{}\n```", reply::escape(text.trim_end()))
}
