//! The steps of lock, unlock, delete and takedown: each step checks the current state first (the
//! server, the instance metadata, the ticket) and acts only on the difference, so a re-run after
//! a crash continues at the first unfinished step.
//!
//! Progress metadata (`security_takedown_step`), in order: `locked`, `ticketed`, `noted`,
//! `evidence`, `snapshot`, `deleting`; unlock writes `unlock-replied`, then `unlocked`.

use std::time::{Duration, Instant};

use anyhow::anyhow;
use chrono::Utc;
use octo_core::exit::usage;
use octo_core::output::Printer;
use serde_json::{Map, Value, json};

use crate::config::TakedownConfig;
use crate::freshdesk::{Fd, MARKER_PREFIX, Posted};
use crate::info::{Info, gather, html};
use crate::openstack::{ApiError, Os};
use crate::template::html_escape;
use crate::{Target, resolve};

pub const RECORD: &str = "sec-takedown.step/v1";

pub const KEY_TICKET: &str = "security_ticket";
pub const KEY_STEP: &str = "security_takedown_step";
pub const KEY_AT: &str = "security_takedown_at";
pub const KEY_BY: &str = "security_takedown_by";
pub const KEY_SNAPSHOT: &str = "security_snapshot";

/// Finished-step values of `security_takedown_step` for lock/takedown, in order.
const PROGRESS: [&str; 6] = [
    "locked", "ticketed", "noted", "evidence", "snapshot", "deleting",
];

fn rank(step: Option<&str>) -> usize {
    step.and_then(|s| PROGRESS.iter().position(|p| *p == s))
        .map_or(0, |i| i + 1)
}

fn now() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The FreshDesk tag that marks the ticket of one server (tags are at most 32 characters).
pub fn marker_tag(server_id: &str) -> String {
    let hex: String = server_id.chars().filter(|c| *c != '-').take(29).collect();
    format!("st-{hex}")
}

/// The numeric ticket id: the last path segment of the `security_ticket` URL.
pub fn ticket_id_from_url(url: &str) -> Option<u64> {
    url.trim_end_matches('/').rsplit('/').next()?.parse().ok()
}

/// `https://PORTAL/helpdesk/tickets/ID` (`takedown.portal_url`, else the FreshDesk URL): the
/// `security_ticket` value the NeCTAR tools parse (numeric id last).
pub fn ticket_url(cfg: &TakedownConfig, fd: &Fd, id: u64) -> String {
    let base = cfg.portal_url.as_ref().unwrap_or(fd.base());
    format!(
        "{}/helpdesk/tickets/{id}",
        base.as_str().trim_end_matches('/')
    )
}

/// A server that exists, or one that is gone already (a takedown resumed after the delete).
pub enum Srv {
    Present(Value),
    Gone(String),
}

#[derive(Debug, Clone)]
pub struct Ticket {
    pub id: u64,
    pub url: String,
}

/// Evidence capture failed: nothing was deleted.
#[derive(Debug)]
pub struct EvidenceFailed(pub String);
impl std::fmt::Display for EvidenceFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "evidence capture failed ({}); nothing was deleted (use --force to delete anyway)",
            self.0
        )
    }
}
impl std::error::Error for EvidenceFailed {}

pub struct Ctx {
    pub os: Os,
    pub fd: Fd,
    pub cfg: TakedownConfig,
    printer: Option<Printer>,
    command: &'static str,
    dry_run: bool,
    server_id: String,
    server_name: Option<String>,
    ticket: Option<Ticket>,
    /// Request ids of this run's Nova actions, for the ticket note.
    request_ids: Vec<(String, String)>,
    /// The step planned last and not finished yet (with its calls).
    open_step: Option<(String, Vec<String>)>,
}

impl Ctx {
    pub fn new(os: Os, fd: Fd, cfg: TakedownConfig, printer: Printer) -> Ctx {
        Ctx {
            os,
            fd,
            cfg,
            printer: Some(printer),
            command: "",
            dry_run: false,
            server_id: String::new(),
            server_name: None,
            ticket: None,
            request_ids: Vec::new(),
            open_step: None,
        }
    }

    pub fn start(&mut self, command: &'static str, m: &octo_core::mutation::MutationArgs) {
        self.command = command;
        self.dry_run = m.plan_only();
    }

    /// The typed confirmation of a delete (on a terminal, `--apply` without `--yes`): the
    /// server id, asked for on stderr before any change.
    pub fn confirm_delete(&self) -> anyhow::Result<()> {
        let name = self.server_name.as_deref().unwrap_or("?");
        octo_core::mutation::confirm_typed(
            &self.server_id,
            &format!(
                "sec-takedown {} will DELETE the instance {name} ({}) after capturing evidence.",
                self.command, self.server_id
            ),
        )
    }

    pub fn finish(&mut self) -> anyhow::Result<()> {
        match self.printer.take() {
            Some(p) => p.finish(),
            None => Ok(()),
        }
    }

    /// The target server, which must exist.
    pub async fn target(&mut self, t: &Target) -> anyhow::Result<Value> {
        match self.target_or_gone(t).await? {
            Srv::Present(v) => Ok(v),
            Srv::Gone(id) => Err(anyhow!(
                "server {id} not found (Nova 404){}",
                self.os.admin_hint()
            )),
        }
    }

    pub async fn target_or_gone(&mut self, t: &Target) -> anyhow::Result<Srv> {
        let (id, srv) = resolve(&self.os, t).await?;
        self.server_id = id.clone();
        Ok(match srv {
            Some(v) => {
                self.server_name = v["name"].as_str().map(String::from);
                Srv::Present(v)
            }
            None => Srv::Gone(id),
        })
    }

    /// One action record.
    fn emit(
        &mut self,
        step: &str,
        status: &str,
        detail: impl Into<String>,
        calls: &[String],
        request_id: Option<&str>,
    ) -> anyhow::Result<()> {
        let rec = json!({
            "record": RECORD,
            "command": self.command,
            "step": step,
            "status": status,
            "dry_run": self.dry_run,
            "server_id": self.server_id,
            "server_name": self.server_name,
            "detail": detail.into(),
            "calls": calls,
            "request_id": request_id,
            "ticket_id": self.ticket.as_ref().map(|t| t.id),
            "ticket_url": self.ticket.as_ref().map(|t| t.url.clone()),
            "at": now(),
        });
        self.open_step =
            (status == "planned" && !self.dry_run).then(|| (step.to_string(), calls.to_vec()));
        if let Some(p) = self.printer.as_mut() {
            p.record(&rec)?;
            p.flush()?;
        }
        Ok(())
    }

    /// After an error: a `failed` record for the step that was planned and did not finish.
    pub fn fail_open_step(&mut self, err: &anyhow::Error) {
        if let Some((step, calls)) = self.open_step.take() {
            let _ = self.emit(&step, "failed", format!("{err:#}"), &calls, None);
        }
    }

    /// Test hook (`--stop-after POINT`, `test-hooks` builds only): end abruptly here, as if the
    /// process were killed.
    #[cfg(not(feature = "test-hooks"))]
    fn hook(&mut self, _point: &str) {}

    /// Test hook (`--stop-after POINT`, `test-hooks` builds only): end abruptly here, as if the
    /// process were killed.
    #[cfg(feature = "test-hooks")]
    fn hook(&mut self, point: &str) {
        if crate::hooks::stop_after() == Some(point) {
            if let Some(p) = self.printer.as_mut() {
                let _ = p.flush();
            }
            tracing::warn!(point, "--stop-after: exiting as if killed");
            #[allow(clippy::disallowed_methods)] // the hidden test hook: a kill, on purpose
            std::process::exit(137);
        }
    }

    fn timeout(&self) -> Duration {
        self.cfg.wait_timeout
    }

    async fn refresh(&self) -> anyhow::Result<Value> {
        self.os
            .server(&self.server_id)
            .await?
            .ok_or_else(|| anyhow!("server {} disappeared", self.server_id))
    }

    /// The ticket id for plans: `<new>` before the ticket exists.
    fn ticket_label(&self) -> String {
        self.ticket
            .as_ref()
            .map_or_else(|| "<new>".to_string(), |t| t.id.to_string())
    }

    fn ticket_url(&self, id: u64) -> String {
        ticket_url(&self.cfg, &self.fd, id)
    }

    fn explain(&self, e: ApiError) -> anyhow::Error {
        if matches!(e.status.as_u16(), 401 | 403 | 409) {
            anyhow!("{e}{}", self.os.admin_hint())
        } else {
            e.into()
        }
    }

    /// The id of the image named `name` (a snapshot of an earlier, interrupted attempt).
    async fn snapshot_by_name(&self, name: &str) -> anyhow::Result<Option<String>> {
        let mut u = crate::openstack::join(&self.os.image, &["images"]);
        u.query_pairs_mut().append_pair("name", name);
        let v = self.os.get("Glance", u).await?;
        Ok(v["images"]
            .as_array()
            .and_then(|a| a.first())
            .and_then(|i| i["id"].as_str())
            .map(String::from))
    }

    /// A 409 that means "state is moving" (not "locked" for a non-admin token, which won't pass).
    fn moving(&self, e: &ApiError) -> bool {
        self.os.is_admin() || !e.message.contains("is locked")
    }

    /// A Nova action; a 409 means the state is moving: re-read, and stop when `done` says a
    /// previous attempt already took effect, else retry until the wait timeout.
    async fn nova_action(
        &mut self,
        what: &str,
        body: &Value,
        done: impl Fn(&Value) -> bool,
    ) -> anyhow::Result<Option<String>> {
        let start = Instant::now();
        loop {
            match self.os.action(&self.server_id, body, true).await? {
                Ok(r) => {
                    if let Some(rid) = &r.request_id {
                        self.request_ids.push((what.to_string(), rid.clone()));
                    }
                    return Ok(r.request_id);
                }
                Err(e) if e.status.as_u16() == 409 && self.moving(&e) => {
                    let s = self.refresh().await?;
                    if done(&s) {
                        return Ok(None);
                    }
                    if start.elapsed() > self.timeout() {
                        return Err(self.explain(e));
                    }
                    tracing::info!(what, message = %e.message, "Nova 409: state is moving, retrying");
                    tokio::time::sleep(self.cfg.poll_interval).await;
                }
                Err(e) => return Err(self.explain(e)),
            }
        }
    }

    /// Merge metadata (progress keys included), waiting out 409s.
    async fn write_md(
        &mut self,
        mut md: Map<String, Value>,
        step: Option<&str>,
    ) -> anyhow::Result<()> {
        if let Some(step) = step {
            md.insert(KEY_STEP.into(), json!(step));
            md.insert(KEY_AT.into(), json!(now()));
            md.insert(KEY_BY.into(), json!(self.os.user_id));
        }
        let start = Instant::now();
        loop {
            match self.os.set_metadata(&self.server_id, &md).await? {
                Ok(_) => return Ok(()),
                Err(e)
                    if e.status.as_u16() == 409
                        && start.elapsed() < self.timeout()
                        && self.moving(&e) =>
                {
                    tokio::time::sleep(self.cfg.poll_interval).await;
                }
                Err(e) => return Err(self.explain(e)),
            }
        }
    }

    async fn wait_idle(
        &self,
        what: &str,
        want_status: Option<&'static str>,
    ) -> anyhow::Result<Option<Value>> {
        self.os
            .wait(
                &self.server_id,
                what,
                self.timeout(),
                self.cfg.poll_interval,
                |s| {
                    s["OS-EXT-STS:task_state"].is_null()
                        && want_status.is_none_or(|w| s["status"] == w)
                },
            )
            .await
    }

    fn vars(
        &self,
        info: Option<&Info>,
        step: &str,
    ) -> std::collections::BTreeMap<&'static str, String> {
        let mut v = std::collections::BTreeMap::new();
        v.insert("instance_id", self.server_id.clone());
        v.insert(
            "instance_name",
            self.server_name.clone().unwrap_or_default(),
        );
        v.insert("step", step.to_string());
        v.insert("reason", self.cfg.lock_reason.clone());
        v.insert("cloud_name", self.cfg.cloud_name.clone());
        if let Some(t) = &self.ticket {
            v.insert("ticket_url", t.url.clone());
            v.insert("ticket_id", t.id.to_string());
        }
        if let Some(i) = info {
            v.insert("project_name", i.project_name.clone());
            v.insert(
                "project_id",
                i.json["project"]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            );
            let email = i
                .owner_email
                .clone()
                .unwrap_or_else(|| self.cfg.fallback_email.clone());
            v.insert(
                "owner_name",
                i.owner_name.clone().unwrap_or_else(|| email.clone()),
            );
            v.insert("owner_email", email);
        }
        v
    }

    fn marker(&self, step: &str) -> String {
        format!("{MARKER_PREFIX}{step}:{}]", self.server_id)
    }

    /// Post a note or reply (once; see [`Fd::post_conversation`]). Returns whether it was new.
    async fn post(&mut self, reply: bool, body_html: &str, step: &str) -> anyhow::Result<bool> {
        let t = self.ticket.clone().ok_or_else(|| anyhow!("no ticket"))?;
        let marker = self.marker(step);
        let body = format!("{body_html}<p><small>{}</small></p>", html_escape(&marker));
        let (_, created) = self
            .fd
            .post_conversation(t.id, reply, &body, &marker)
            .await?;
        Ok(created)
    }
}

fn md_of(srv: &Value) -> Map<String, Value> {
    srv["metadata"].as_object().cloned().unwrap_or_default()
}

fn md_str<'a>(md: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    md.get(k).and_then(Value::as_str)
}

// ---------------------------------------------------------------------------------------------
// lock

async fn step_pause(ctx: &mut Ctx, srv: &mut Value) -> anyhow::Result<()> {
    if !srv["OS-EXT-STS:task_state"].is_null()
        && !ctx.dry_run
        && let Some(s) = ctx.wait_idle("to finish its running task", None).await?
    {
        *srv = s;
    }
    let status = srv["status"].as_str().unwrap_or("?").to_string();
    match status.as_str() {
        "ACTIVE" => {
            let calls = vec![format!(
                "Nova POST /servers/{}/action {{\"pause\": null}}",
                ctx.server_id
            )];
            ctx.emit(
                "pause",
                "planned",
                "pause the ACTIVE instance (memory kept for forensics)",
                &calls,
                None,
            )?;
            if ctx.dry_run {
                return Ok(());
            }
            let rid = ctx
                .nova_action("pause", &json!({"pause": null}), |s| {
                    s["status"] == "PAUSED" || s["OS-EXT-STS:task_state"] == "pausing"
                })
                .await?;
            if let Some(s) = ctx.wait_idle("to be PAUSED", Some("PAUSED")).await? {
                *srv = s;
            }
            ctx.emit("pause", "applied", "paused", &calls, rid.as_deref())?;
        }
        "PAUSED" => ctx.emit("pause", "unchanged", "already PAUSED", &[], None)?,
        other => ctx.emit(
            "pause",
            "unchanged",
            format!("status {other}: not running, nothing to pause"),
            &[],
            None,
        )?,
    }
    ctx.hook("pause");
    Ok(())
}

async fn step_lock(ctx: &mut Ctx, srv: &mut Value) -> anyhow::Result<()> {
    let reason = ctx.cfg.lock_reason.clone();
    let md = md_of(srv);
    let locked = srv["locked"] == true && ctx.os.lock_reason_of(srv).as_deref() == Some(&*reason);
    if locked {
        ctx.emit(
            "lock",
            "unchanged",
            format!("already locked (reason {reason})"),
            &[],
            None,
        )?;
    } else {
        let calls = vec![ctx.os.lock_call(&ctx.server_id, &reason)];
        let was = if srv["locked"] == true {
            format!(" (replaces lock reason {:?})", ctx.os.lock_reason_of(srv))
        } else {
            String::new()
        };
        ctx.emit(
            "lock",
            "planned",
            format!("lock with reason {reason}{was}"),
            &calls,
            None,
        )?;
        if let Some(w) = ctx.os.lock_without_reason_notice(&reason) {
            tracing::warn!("{w}");
        }
        if !ctx.dry_run {
            let (r2, with_reason) = (reason.clone(), ctx.os.lock_has_reason());
            let body = ctx.os.lock_body(&reason);
            let rid = ctx
                .nova_action("lock", &body, move |s| {
                    s["locked"] == true && (!with_reason || s["locked_reason"] == json!(r2))
                })
                .await?;
            ctx.emit(
                "lock",
                "applied",
                format!("locked (reason {})", ctx.cfg.lock_reason),
                &calls,
                rid.as_deref(),
            )?;
        }
    }
    let reason_md = ctx.os.lock_reason_metadata(&reason);
    if !ctx.dry_run && rank(md_str(&md, KEY_STEP)) < 1 {
        ctx.write_md(reason_md, Some("locked")).await?;
    } else if !ctx.dry_run && !locked && !reason_md.is_empty() {
        ctx.write_md(reason_md, None).await?;
    }
    ctx.hook("lock");
    Ok(())
}

async fn step_ticket(
    ctx: &mut Ctx,
    srv: &Value,
    info: &Info,
    cc_extra: &[String],
) -> anyhow::Result<()> {
    let md = md_of(srv);
    let step = md_str(&md, KEY_STEP).map(String::from);
    if let Some(url) = md_str(&md, KEY_TICKET) {
        let id = ticket_id_from_url(url).ok_or_else(|| {
            anyhow!("metadata {KEY_TICKET} = `{url}` does not end in a numeric ticket id")
        })?;
        ctx.ticket = Some(Ticket {
            id,
            url: url.to_string(),
        });
        if rank(step.as_deref()) >= 2 {
            ctx.emit(
                "ticket",
                "unchanged",
                format!("ticket {id} already open"),
                &[],
                None,
            )?;
            ctx.hook("ticket");
            return Ok(());
        }
        // an earlier incident's ticket (or one made by the NeCTAR tools): re-open it
        let calls = vec![
            format!("FreshDesk POST /api/v2/tickets/{id}/reply"),
            format!(
                "FreshDesk PUT /api/v2/tickets/{id} {{\"status\": {}, \"priority\": {}}}",
                ctx.cfg.status_relocked, ctx.cfg.priority
            ),
        ];
        ctx.emit(
            "ticket",
            "planned",
            format!("re-open existing ticket {id}: reply \"paused and locked\""),
            &calls,
            None,
        )?;
        if ctx.dry_run {
            return Ok(());
        }
        let body = ctx
            .cfg
            .templates
            .reply_locked
            .render(&ctx.vars(Some(info), "lock"));
        ctx.post(true, &body, "relock").await?;
        ctx.hook("ticket:posted");
        ctx.fd
            .update(
                id,
                &json!({"status": ctx.cfg.status_relocked, "priority": ctx.cfg.priority}),
            )
            .await?;
        ctx.write_md(Map::new(), Some("ticketed")).await?;
        ctx.emit(
            "ticket",
            "applied",
            format!("re-opened ticket {id}"),
            &calls,
            None,
        )?;
        ctx.hook("ticket");
        return Ok(());
    }

    let tag = marker_tag(&ctx.server_id);
    let requester = info
        .owner_email
        .clone()
        .unwrap_or_else(|| ctx.cfg.fallback_email.clone());
    let found = ctx.fd.find_by_tag(&tag, Some(&requester)).await?;
    if let Some(t) = found.first() {
        let id = t["id"].as_u64().unwrap_or_default();
        let url = ctx.ticket_url(id);
        ctx.ticket = Some(Ticket {
            id,
            url: url.clone(),
        });
        let calls = vec![format!(
            "Nova POST /servers/{}/metadata {{\"{KEY_TICKET}\": \"{url}\"}}",
            ctx.server_id
        )];
        if ctx.dry_run {
            ctx.emit(
                "ticket",
                "planned",
                format!("record ticket {id} (found by its tag {tag})"),
                &calls,
                None,
            )?;
            return Ok(());
        }
        let mut m = Map::new();
        m.insert(KEY_TICKET.into(), json!(url));
        ctx.write_md(m, Some("ticketed")).await?;
        ctx.emit(
            "ticket",
            "applied",
            format!(
                "ticket {id} found by its tag {tag} (created by an interrupted run) and recorded"
            ),
            &calls,
            None,
        )?;
        ctx.hook("ticket");
        return Ok(());
    }

    // new ticket: outbound email to the owner, CC managers + --cc
    let mut cc: Vec<String> = Vec::new();
    for e in info.manager_emails.iter().chain(cc_extra.iter()) {
        if !e.eq_ignore_ascii_case(&requester) && !cc.iter().any(|x| x.eq_ignore_ascii_case(e)) {
            cc.push(e.clone());
        }
    }
    let vars = ctx.vars(Some(info), "lock");
    let subject = ctx.cfg.templates.ticket_subject.render(&vars);
    let payload = json!({
        "email": requester,
        "name": vars.get("owner_name"),
        "subject": subject,
        "description": ctx.cfg.templates.ticket_body.render(&vars),
        "email_config_id": ctx.cfg.email_config_id,
        "group_id": ctx.cfg.group_id,
        "status": ctx.cfg.status_open,
        "priority": ctx.cfg.priority,
        "tags": ["security", tag],
        "cc_emails": cc,
    });
    let calls = vec![
        format!(
            "FreshDesk POST /api/v2/tickets/outbound_email (to {requester}, cc {}, subject {subject:?})",
            cc.join(", ")
        ),
        format!(
            "Nova POST /servers/{}/metadata {{\"{KEY_TICKET}\": \"<ticket url>\"}}",
            ctx.server_id
        ),
    ];
    ctx.emit(
        "ticket",
        "planned",
        format!("open ticket: email {requester}, cc [{}]", cc.join(", ")),
        &calls,
        None,
    )?;
    if ctx.dry_run {
        return Ok(());
    }
    let mut ticket: Option<Value> = None;
    let mut last = String::new();
    for _ in 0..6 {
        match ctx
            .fd
            .post_once(&["tickets", "outbound_email"], &payload)
            .await?
        {
            Posted::Created(t) => {
                ticket = Some(t);
                break;
            }
            Posted::Ambiguous(why) => {
                // the ticket may exist: look for its tag before trying again
                last = why;
                if let Some(t) = ctx
                    .fd
                    .find_by_tag(&tag, Some(&requester))
                    .await?
                    .into_iter()
                    .next()
                {
                    ticket = Some(t);
                    break;
                }
            }
        }
    }
    let t = ticket.ok_or_else(|| anyhow!("FreshDesk: could not create the ticket: {last}"))?;
    let id = t["id"]
        .as_u64()
        .ok_or_else(|| anyhow!("FreshDesk returned a ticket without an id"))?;
    let url = ctx.ticket_url(id);
    ctx.ticket = Some(Ticket {
        id,
        url: url.clone(),
    });
    ctx.hook("ticket:created");
    let mut m = Map::new();
    m.insert(KEY_TICKET.into(), json!(url));
    ctx.write_md(m, Some("ticketed")).await?;
    ctx.emit(
        "ticket",
        "applied",
        format!(
            "ticket {id} opened: emailed {requester}, cc [{}]",
            cc.join(", ")
        ),
        &calls,
        None,
    )?;
    ctx.hook("ticket");
    Ok(())
}

async fn step_note(ctx: &mut Ctx, srv: &Value, info: &Info) -> anyhow::Result<()> {
    let md = md_of(srv);
    if rank(md_str(&md, KEY_STEP)) >= 3 {
        ctx.emit(
            "note",
            "unchanged",
            "instance details already noted on the ticket",
            &[],
            None,
        )?;
        ctx.hook("note");
        return Ok(());
    }
    let tid = ctx.ticket_label();
    let calls = vec![format!(
        "FreshDesk POST /api/v2/tickets/{tid}/notes (private: instance details, security groups, actions)"
    )];
    ctx.emit(
        "note",
        "planned",
        "private note with the instance details",
        &calls,
        None,
    )?;
    if ctx.dry_run {
        return Ok(());
    }
    let rids = if ctx.request_ids.is_empty() {
        "done by an earlier run (see the instance actions below)".to_string()
    } else {
        ctx.request_ids
            .iter()
            .map(|(w, r)| format!("{w} {r}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let what = match srv["status"].as_str() {
        Some("PAUSED") => "paused + locked".to_string(),
        Some(other) => format!("locked (status {other}, not paused)"),
        None => "locked".to_string(),
    };
    let preface = format!(
        "<p>{} sec-takedown: {what} (reason={}) by {} ({}); request ids: {}</p>",
        now(),
        html_escape(&ctx.cfg.lock_reason),
        html_escape(&ctx.os.user_name),
        html_escape(&ctx.os.user_id),
        html_escape(&rids)
    );
    let v = &info.json;
    let data = json!({
        "instance_id": ctx.server_id,
        "instance_name": ctx.server_name,
        "project_id": v["project"]["id"],
        "project_name": v["project"]["name"],
        "owner_id": v["owner"]["id"],
        "owner_email": v["owner"]["email"],
        "image_id": v["image"]["id"],
        "image_name": v["image"]["name"],
        "flavor": v["flavor"]["name"],
        "server_created": v["server"]["created"],
    });
    let body = format!(
        "{}<p><small>{}{}</small></p>",
        html(info, &preface),
        crate::history::DATA_PREFIX,
        html_escape(&data.to_string())
    );
    ctx.post(false, &body, "note").await?;
    ctx.hook("note:posted");
    ctx.write_md(Map::new(), Some("noted")).await?;
    ctx.emit(
        "note",
        "applied",
        "instance details noted (private)",
        &calls,
        None,
    )?;
    ctx.hook("note");
    Ok(())
}

/// pause, lock, ticket, note. Returns the refreshed server.
pub async fn lock(ctx: &mut Ctx, mut srv: Value, cc: &[String]) -> anyhow::Result<Value> {
    step_pause(ctx, &mut srv).await?;
    step_lock(ctx, &mut srv).await?;
    if !ctx.dry_run {
        srv = ctx.refresh().await?;
    }
    let info = gather(&ctx.os, &srv, &ctx.cfg.manager_role).await?;
    step_ticket(ctx, &srv, &info, cc).await?;
    if !ctx.dry_run {
        srv = ctx.refresh().await?;
    }
    step_note(ctx, &srv, &info).await?;
    if !ctx.dry_run {
        srv = ctx.refresh().await?;
    }
    Ok(srv)
}

// ---------------------------------------------------------------------------------------------
// unlock

pub async fn unlock(ctx: &mut Ctx, mut srv: Value) -> anyhow::Result<()> {
    let md = md_of(&srv);
    let Some(url) = md_str(&md, KEY_TICKET).map(String::from) else {
        return Err(anyhow!(
            "server {} has no {KEY_TICKET} metadata: it was not locked by sec-takedown (or the NeCTAR tools); refusing to unlock",
            ctx.server_id
        ));
    };
    let id = ticket_id_from_url(&url).ok_or_else(|| {
        anyhow!("metadata {KEY_TICKET} = `{url}` does not end in a numeric ticket id")
    })?;
    ctx.ticket = Some(Ticket { id, url });
    if !srv["OS-EXT-STS:task_state"].is_null()
        && !ctx.dry_run
        && let Some(s) = ctx.wait_idle("to finish its running task", None).await?
    {
        srv = s;
    }
    // unpause
    if srv["status"] == "PAUSED" {
        let calls = vec![format!(
            "Nova POST /servers/{}/action {{\"unpause\": null}}",
            ctx.server_id
        )];
        ctx.emit("unpause", "planned", "unpause", &calls, None)?;
        if !ctx.dry_run {
            let rid = ctx
                .nova_action("unpause", &json!({"unpause": null}), |s| {
                    s["status"] == "ACTIVE" || s["OS-EXT-STS:task_state"] == "unpausing"
                })
                .await?;
            ctx.wait_idle("to be ACTIVE", Some("ACTIVE")).await?;
            ctx.emit("unpause", "applied", "unpaused", &calls, rid.as_deref())?;
        }
    } else {
        ctx.emit(
            "unpause",
            "unchanged",
            format!(
                "status {}: not paused",
                srv["status"].as_str().unwrap_or("?")
            ),
            &[],
            None,
        )?;
    }
    ctx.hook("unpause");
    // unlock
    if srv["locked"] == true {
        let calls = vec![format!(
            "Nova POST /servers/{}/action {{\"unlock\": null}}",
            ctx.server_id
        )];
        ctx.emit("unlock", "planned", "unlock", &calls, None)?;
        if !ctx.dry_run {
            let rid = ctx
                .nova_action("unlock", &json!({"unlock": null}), |s| s["locked"] == false)
                .await?;
            ctx.emit("unlock", "applied", "unlocked", &calls, rid.as_deref())?;
        }
    } else {
        ctx.emit("unlock", "unchanged", "not locked", &[], None)?;
    }
    ctx.hook("unlock");
    // reply
    let step = md_str(&md, KEY_STEP).map(String::from);
    let replied = matches!(step.as_deref(), Some("unlock-replied" | "unlocked"));
    if replied {
        ctx.emit(
            "reply",
            "unchanged",
            "the owner was already told",
            &[],
            None,
        )?;
    } else {
        let calls = vec![format!(
            "FreshDesk POST /api/v2/tickets/{id}/reply (\"unpaused and unlocked\")"
        )];
        ctx.emit(
            "reply",
            "planned",
            "reply to the owner and CC: unpaused and unlocked",
            &calls,
            None,
        )?;
        if !ctx.dry_run {
            let body = ctx
                .cfg
                .templates
                .reply_unlocked
                .render(&ctx.vars(None, "unlock"));
            ctx.post(true, &body, "unlock-reply").await?;
            ctx.hook("reply:posted");
            ctx.write_md(Map::new(), Some("unlock-replied")).await?;
            ctx.emit(
                "reply",
                "applied",
                "replied: unpaused and unlocked",
                &calls,
                None,
            )?;
        }
    }
    ctx.hook("reply");
    step_resolve(ctx, true).await
}

async fn step_resolve(ctx: &mut Ctx, unlock: bool) -> anyhow::Result<()> {
    let resolved = ctx.cfg.status_resolved;
    let Some(t) = ctx.ticket.clone() else {
        if ctx.dry_run {
            let calls = vec![format!(
                "FreshDesk PUT /api/v2/tickets/<new> {{\"status\": {resolved}}}"
            )];
            ctx.emit("resolve", "planned", "resolve the ticket", &calls, None)?;
            return Ok(());
        }
        return Err(anyhow!("no ticket to resolve"));
    };
    let cur = ctx.fd.ticket(t.id).await?;
    if cur["status"] == json!(resolved) {
        ctx.emit(
            "resolve",
            "unchanged",
            format!("ticket {} already resolved", t.id),
            &[],
            None,
        )?;
    } else {
        let calls = vec![format!(
            "FreshDesk PUT /api/v2/tickets/{} {{\"status\": {resolved}}}",
            t.id
        )];
        ctx.emit(
            "resolve",
            "planned",
            format!("resolve ticket {}", t.id),
            &calls,
            None,
        )?;
        if ctx.dry_run {
            return Ok(());
        }
        ctx.fd.update(t.id, &json!({"status": resolved})).await?;
        ctx.emit(
            "resolve",
            "applied",
            format!("ticket {} resolved", t.id),
            &calls,
            None,
        )?;
    }
    if unlock && !ctx.dry_run {
        ctx.write_md(Map::new(), Some("unlocked")).await?;
    }
    ctx.hook("resolve");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// evidence, delete

/// Console log into a private note. `Ok(false)`: capture failed (a `failed` record was emitted).
async fn step_evidence(ctx: &mut Ctx, srv: &Value) -> anyhow::Result<bool> {
    let md = md_of(srv);
    if rank(md_str(&md, KEY_STEP)) >= 4 {
        ctx.emit(
            "evidence",
            "unchanged",
            "console log already noted on the ticket",
            &[],
            None,
        )?;
        ctx.hook("evidence");
        return Ok(true);
    }
    let n = ctx.cfg.console_lines;
    let tid = ctx.ticket_label();
    let calls = vec![
        format!(
            "Nova POST /servers/{}/action {{\"os-getConsoleOutput\": {{\"length\": {n}}}}}",
            ctx.server_id
        ),
        format!("FreshDesk POST /api/v2/tickets/{tid}/notes (private: console log)"),
    ];
    ctx.emit(
        "evidence",
        "planned",
        format!("capture the last {n} console lines into a private note"),
        &calls,
        None,
    )?;
    if ctx.dry_run {
        return Ok(true);
    }
    let r = ctx
        .os
        .action(
            &ctx.server_id,
            &json!({"os-getConsoleOutput": {"length": n}}),
            true,
        )
        .await?;
    let (out, rid) = match r {
        Ok(r) => (
            r.body["output"].as_str().unwrap_or("").to_string(),
            r.request_id,
        ),
        Err(e) => {
            let msg = e.to_string();
            ctx.emit(
                "evidence",
                "failed",
                format!("console log: {msg}"),
                &calls,
                e.request_id.as_deref(),
            )?;
            return Ok(false);
        }
    };
    let body = format!(
        "<p>{} sec-takedown evidence: console log (last {n} lines), request id {}</p><pre>{}</pre>",
        now(),
        html_escape(rid.as_deref().unwrap_or("-")),
        html_escape(&out)
    );
    ctx.post(false, &body, "evidence").await?;
    ctx.hook("evidence:posted");
    ctx.write_md(Map::new(), Some("evidence")).await?;
    ctx.emit(
        "evidence",
        "applied",
        format!("console log noted ({} lines)", out.lines().count()),
        &calls,
        rid.as_deref(),
    )?;
    ctx.hook("evidence");
    Ok(true)
}

async fn step_snapshot(ctx: &mut Ctx, srv: &Value) -> anyhow::Result<bool> {
    let md = md_of(srv);
    if rank(md_str(&md, KEY_STEP)) >= 5 {
        ctx.emit(
            "snapshot",
            "unchanged",
            format!(
                "snapshot {} already taken",
                md_str(&md, KEY_SNAPSHOT).unwrap_or("?")
            ),
            &[],
            None,
        )?;
        ctx.hook("snapshot");
        return Ok(true);
    }
    let name = format!("security-{}", ctx.server_id);
    let tid = ctx.ticket_label();
    let calls = vec![
        format!(
            "Nova POST /servers/{}/action {{\"createImage\": {{\"name\": \"{name}\"}}}}",
            ctx.server_id
        ),
        format!(
            "Nova POST /servers/{}/metadata {{\"{KEY_SNAPSHOT}\": \"<image id>\"}}",
            ctx.server_id
        ),
        format!("FreshDesk POST /api/v2/tickets/{tid}/notes (private: snapshot image id)"),
    ];
    ctx.emit(
        "snapshot",
        "planned",
        "snapshot the instance (createImage) and note the image id",
        &calls,
        None,
    )?;
    if ctx.dry_run {
        return Ok(true);
    }
    let (image_id, rid) = match md_str(&md, KEY_SNAPSHOT) {
        Some(i) => (i.to_string(), None),
        None => {
            ctx.wait_idle("to finish its running task", None).await?;
            let mut imd = Map::new();
            if let Some(t) = &ctx.ticket {
                imd.insert(KEY_TICKET.into(), json!(t.url));
            }
            let body = json!({"createImage": {"name": name, "metadata": imd}});
            let mut got: Option<(String, Option<String>)> = None;
            let mut last = String::from("no attempt");
            for _ in 0..6 {
                // the name is fixed per server: an image from an interrupted attempt is found
                if let Some(i) = ctx.snapshot_by_name(&name).await? {
                    got = Some((i, None));
                    break;
                }
                match ctx.os.action(&ctx.server_id, &body, false).await {
                    Ok(Ok(r)) => match r.body["image_id"].as_str() {
                        Some(i) => {
                            got = Some((i.to_string(), r.request_id));
                            break;
                        }
                        None => last = "createImage returned no image_id".into(),
                    },
                    Ok(Err(e)) if e.status.is_server_error() => last = e.to_string(),
                    Ok(Err(e)) if e.status.as_u16() == 409 => {
                        last = e.to_string();
                        tokio::time::sleep(ctx.cfg.poll_interval).await;
                    }
                    Ok(Err(e)) => {
                        last = e.to_string();
                        break;
                    }
                    Err(e) => last = format!("{e:#}"),
                }
            }
            match got {
                Some(g) => g,
                None => {
                    ctx.emit(
                        "snapshot",
                        "failed",
                        format!("createImage: {last}"),
                        &calls,
                        None,
                    )?;
                    return Ok(false);
                }
            }
        }
    };
    ctx.hook("snapshot:created");
    let mut m = Map::new();
    m.insert(KEY_SNAPSHOT.into(), json!(image_id));
    ctx.write_md(m, None).await?;
    ctx.wait_idle("to finish the snapshot", None).await?;
    let body = format!(
        "<p>{} sec-takedown evidence: snapshot image <b>{}</b> ({}), request id {}</p>",
        now(),
        html_escape(&image_id),
        html_escape(&name),
        html_escape(rid.as_deref().unwrap_or("-"))
    );
    ctx.post(false, &body, "snapshot").await?;
    ctx.write_md(Map::new(), Some("snapshot")).await?;
    ctx.emit(
        "snapshot",
        "applied",
        format!("snapshot image {image_id} noted"),
        &calls,
        rid.as_deref(),
    )?;
    ctx.hook("snapshot");
    Ok(true)
}

async fn step_delete(ctx: &mut Ctx, srv: &Srv) -> anyhow::Result<()> {
    if let Srv::Gone(_) = srv {
        ctx.emit(
            "delete",
            "unchanged",
            "the server is gone already",
            &[],
            None,
        )?;
        ctx.hook("delete");
        return Ok(());
    }
    let calls = vec![format!(
        "Nova DELETE /servers/{} (then wait for 404)",
        ctx.server_id
    )];
    ctx.emit(
        "delete",
        "planned",
        "delete the instance and wait until it is gone",
        &calls,
        None,
    )?;
    if ctx.dry_run {
        return Ok(());
    }
    ctx.write_md(Map::new(), Some("deleting")).await?;
    let start = Instant::now();
    let rid = loop {
        let r = ctx
            .os
            .call(
                "Nova",
                octo_core::http::Method::DELETE,
                ctx.os.server_url(&ctx.server_id, &[]),
                None,
                true,
            )
            .await?;
        match r {
            Ok(r) => break r.request_id,
            Err(e) if e.status.as_u16() == 404 => break e.request_id,
            Err(e)
                if e.status.as_u16() == 409
                    && start.elapsed() < ctx.timeout()
                    && ctx.os.is_admin() =>
            {
                tokio::time::sleep(ctx.cfg.poll_interval).await;
            }
            Err(e) => return Err(ctx.explain(e)),
        }
    };
    if ctx
        .os
        .wait(
            &ctx.server_id,
            "to be deleted",
            ctx.timeout(),
            ctx.cfg.poll_interval,
            |_| false,
        )
        .await?
        .is_some()
    {
        return Err(anyhow!("server {} still exists", ctx.server_id));
    }
    if let Some(r) = &rid {
        ctx.request_ids.push(("delete".into(), r.clone()));
    }
    let body = format!(
        "<p>{} sec-takedown: instance deleted by {} ({}), request id {}</p>",
        now(),
        html_escape(&ctx.os.user_name),
        html_escape(&ctx.os.user_id),
        html_escape(rid.as_deref().unwrap_or("-"))
    );
    ctx.post(false, &body, "delete").await?;
    ctx.emit("delete", "applied", "deleted", &calls, rid.as_deref())?;
    ctx.hook("delete");
    Ok(())
}

async fn step_reply_deleted(ctx: &mut Ctx) -> anyhow::Result<()> {
    let id = ctx.ticket_label();
    let calls = vec![format!(
        "FreshDesk POST /api/v2/tickets/{id}/reply (\"deleted\")"
    )];
    ctx.emit(
        "reply",
        "planned",
        "reply to the owner and CC: deleted",
        &calls,
        None,
    )?;
    if ctx.dry_run {
        return Ok(());
    }
    let body = ctx
        .cfg
        .templates
        .reply_deleted
        .render(&ctx.vars(None, "delete"));
    let created = ctx.post(true, &body, "reply-deleted").await?;
    let (status, detail) = if created {
        ("applied", "replied: deleted")
    } else {
        ("unchanged", "the owner was already told")
    };
    ctx.emit("reply", status, detail, &calls, None)?;
    ctx.hook("reply");
    Ok(())
}

/// The ticket of a server: its metadata, else its tag (a server already deleted).
async fn find_ticket(ctx: &mut Ctx, srv: &Srv) -> anyhow::Result<Option<Ticket>> {
    if let Srv::Present(v) = srv
        && let Some(url) = md_str(&md_of(v), KEY_TICKET)
    {
        let id = ticket_id_from_url(url).ok_or_else(|| {
            anyhow!("metadata {KEY_TICKET} = `{url}` does not end in a numeric ticket id")
        })?;
        return Ok(Some(Ticket {
            id,
            url: url.to_string(),
        }));
    }
    let tag = marker_tag(&ctx.server_id);
    let found = ctx.fd.find_by_tag(&tag, None).await?;
    Ok(found
        .first()
        .and_then(|t| t["id"].as_u64())
        .map(|id| Ticket {
            id,
            url: ctx.ticket_url(id),
        }))
}

async fn evidence_then_delete(
    ctx: &mut Ctx,
    srv: Srv,
    snapshot: bool,
    force: bool,
    delete: bool,
) -> anyhow::Result<()> {
    if let Srv::Present(v) = &srv {
        let mut ok = step_evidence(ctx, v).await?;
        if snapshot {
            let v = if ctx.dry_run {
                v.clone()
            } else {
                ctx.refresh().await?
            };
            ok &= step_snapshot(ctx, &v).await?;
        }
        if !ok && delete {
            if !force {
                ctx.emit(
                    "delete",
                    "failed",
                    "not deleted: evidence capture failed (use --force to delete anyway)",
                    &[],
                    None,
                )?;
                return Err(EvidenceFailed("see the failed step above".into()).into());
            }
            tracing::warn!("evidence capture failed; deleting anyway (--force)");
        }
    }
    if !delete {
        return Ok(());
    }
    step_delete(ctx, &srv).await?;
    step_reply_deleted(ctx).await?;
    step_resolve(ctx, false).await
}

pub async fn delete(ctx: &mut Ctx, srv: Srv, snapshot: bool, force: bool) -> anyhow::Result<()> {
    let t = find_ticket(ctx, &srv).await?;
    match (&srv, t) {
        (_, Some(t)) => ctx.ticket = Some(t),
        (Srv::Gone(id), None) => {
            return Err(anyhow!(
                "server {id} not found (Nova 404) and no ticket carries its tag{}",
                ctx.os.admin_hint()
            ));
        }
        (Srv::Present(_), None) => {
            return Err(usage(format!(
                "server {} has no security ticket: run `sec-takedown lock {}` first (or `takedown`)",
                ctx.server_id, ctx.server_id
            )));
        }
    }
    // a lock that died before its instance-details note: that note is evidence too
    let srv = match srv {
        Srv::Present(v) if rank(md_str(&md_of(&v), KEY_STEP)) < 3 => {
            let info = gather(&ctx.os, &v, &ctx.cfg.manager_role).await?;
            step_note(ctx, &v, &info).await?;
            Srv::Present(if ctx.dry_run { v } else { ctx.refresh().await? })
        }
        other => other,
    };
    evidence_then_delete(ctx, srv, snapshot, force, true).await
}

pub async fn takedown(
    ctx: &mut Ctx,
    srv: Srv,
    cc: &[String],
    delete: bool,
    snapshot: bool,
    force: bool,
) -> anyhow::Result<()> {
    match srv {
        Srv::Present(v) => {
            let v = lock(ctx, v, cc).await?;
            evidence_then_delete(ctx, Srv::Present(v), snapshot, force, delete).await
        }
        Srv::Gone(id) => {
            let t = find_ticket(ctx, &Srv::Gone(id.clone())).await?;
            let Some(t) = t else {
                return Err(anyhow!(
                    "server {id} not found (Nova 404){}",
                    ctx.os.admin_hint()
                ));
            };
            ctx.ticket = Some(t);
            evidence_then_delete(ctx, Srv::Gone(id), snapshot, force, delete).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_ticket_urls() {
        let t = marker_tag("9f0c2a4e-1b7d-4c1e-8d2a-5b9e7f3c1a20");
        assert_eq!(t.len(), 32);
        assert!(t.starts_with("st-9f0c2a4e1b7d"));
        assert_eq!(
            ticket_id_from_url("https://support.ehelp.edu.au/helpdesk/tickets/12345"),
            Some(12345)
        );
        assert_eq!(ticket_id_from_url("https://x/helpdesk/tickets/abc"), None);
        assert_eq!(rank(Some("noted")), 3);
        assert_eq!(rank(Some("unlocked")), 0);
        assert_eq!(rank(None), 0);
    }
}
