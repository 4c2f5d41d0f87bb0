//! [`Ctx`]: the state of one lock/unlock/delete/takedown run and what every step uses.

use std::time::{Duration, Instant};

use anyhow::anyhow;
use octo_core::output::Printer;
use serde_json::{Map, Value, json};

use super::{KEY_AT, KEY_BY, KEY_STEP, RECORD, Srv, Ticket, now, ticket_url};
use crate::config::TakedownConfig;
use crate::freshdesk::{Fd, MARKER_PREFIX};
use crate::info::Info;
use crate::openstack::{ApiError, Os};
use crate::template::html_escape;
use crate::wait::{Poll, poll_until};
use crate::{Target, resolve};

pub struct Ctx {
    pub os: Os,
    pub fd: Fd,
    pub cfg: TakedownConfig,
    pub(super) printer: Option<Printer>,
    pub(super) command: &'static str,
    pub(super) dry_run: bool,
    pub(super) server_id: String,
    pub(super) server_name: Option<String>,
    pub(super) ticket: Option<Ticket>,
    /// Request ids of this run's Nova actions, for the ticket note.
    pub(super) request_ids: Vec<(String, String)>,
    /// The step planned last and not finished yet (with its calls).
    pub(super) open_step: Option<(String, Vec<String>)>,
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
    pub(super) fn emit(
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

    /// The `planned` record of `step`; whether to go on and apply it (not on a dry run).
    pub(super) fn plan(
        &mut self,
        step: &str,
        detail: impl Into<String>,
        calls: &[String],
    ) -> anyhow::Result<bool> {
        self.emit(step, "planned", detail, calls, None)?;
        Ok(!self.dry_run)
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
    pub(super) fn hook(&mut self, _point: &str) {}

    /// Test hook (`--stop-after POINT`, `test-hooks` builds only): end abruptly here, as if the
    /// process were killed.
    #[cfg(feature = "test-hooks")]
    pub(super) fn hook(&mut self, point: &str) {
        if crate::hooks::stop_after() == Some(point) {
            if let Some(p) = self.printer.as_mut() {
                let _ = p.flush();
            }
            tracing::warn!(point, "--stop-after: exiting as if killed");
            #[allow(clippy::disallowed_methods)] // the hidden test hook: a kill, on purpose
            std::process::exit(137);
        }
    }

    pub(super) fn timeout(&self) -> Duration {
        self.cfg.wait_timeout
    }

    pub(super) async fn refresh(&self) -> anyhow::Result<Value> {
        self.os
            .server(&self.server_id)
            .await?
            .ok_or_else(|| anyhow!("server {} disappeared", self.server_id))
    }

    /// The ticket id for plans: `<new>` before the ticket exists.
    pub(super) fn ticket_label(&self) -> String {
        self.ticket
            .as_ref()
            .map_or_else(|| "<new>".to_string(), |t| t.id.to_string())
    }

    pub(super) fn ticket_url(&self, id: u64) -> String {
        ticket_url(&self.cfg, &self.fd, id)
    }

    pub(super) fn explain(&self, e: ApiError) -> anyhow::Error {
        if matches!(e.status.as_u16(), 401 | 403 | 409) {
            anyhow!("{e}{}", self.os.admin_hint())
        } else {
            e.into()
        }
    }

    /// The id of the image named `name` (a snapshot of an earlier, interrupted attempt).
    pub(super) async fn snapshot_by_name(&self, name: &str) -> anyhow::Result<Option<String>> {
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
    pub(super) fn moving(&self, e: &ApiError) -> bool {
        self.os.is_admin() || !e.message.contains("is locked")
    }

    /// A Nova action; a 409 means the state is moving: re-read, and stop when `done` says a
    /// previous attempt already took effect, else retry until the wait timeout.
    pub(super) async fn nova_action(
        &mut self,
        what: &str,
        body: &Value,
        done: impl Fn(&Value) -> bool,
    ) -> anyhow::Result<Option<String>> {
        let deadline = Instant::now() + self.timeout();
        let this = &*self;
        let polled = poll_until(what, deadline, self.cfg.poll_interval, async || match this
            .os
            .action(&this.server_id, body, true)
            .await?
        {
            Ok(r) => Ok(Poll::Ready(Some(r.request_id))),
            Err(e) if e.status.as_u16() == 409 && this.moving(&e) => {
                if done(&this.refresh().await?) {
                    return Ok(Poll::Ready(None));
                }
                tracing::info!(what, message = %e.message, "Nova 409: state is moving, retrying");
                Ok(Poll::Pending(e))
            }
            Err(e) => Err(this.explain(e)),
        })
        .await?;
        match polled {
            // the action was accepted now
            Ok(Some(rid)) => {
                if let Some(r) = &rid {
                    self.request_ids.push((what.to_string(), r.clone()));
                }
                Ok(rid)
            }
            // an earlier attempt already took effect
            Ok(None) => Ok(None),
            Err(e) => Err(self.explain(e)),
        }
    }

    /// Merge metadata (progress keys included), waiting out 409s.
    pub(super) async fn write_md(
        &mut self,
        mut md: Map<String, Value>,
        step: Option<&str>,
    ) -> anyhow::Result<()> {
        if let Some(step) = step {
            md.insert(KEY_STEP.into(), json!(step));
            md.insert(KEY_AT.into(), json!(now()));
            md.insert(KEY_BY.into(), json!(self.os.user_id));
        }
        let deadline = Instant::now() + self.timeout();
        let polled = poll_until(
            "metadata",
            deadline,
            self.cfg.poll_interval,
            async || match self.os.set_metadata(&self.server_id, &md).await? {
                Ok(_) => Ok(Poll::Ready(())),
                Err(e) if e.status.as_u16() == 409 && self.moving(&e) => Ok(Poll::Pending(e)),
                Err(e) => Err(self.explain(e)),
            },
        )
        .await?;
        polled.map_err(|e| self.explain(e))
    }

    pub(super) async fn wait_idle(
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

    pub(super) fn vars(
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

    pub(super) fn marker(&self, step: &str) -> String {
        format!("{MARKER_PREFIX}{step}:{}]", self.server_id)
    }

    /// Post a note or reply (once; see [`Fd::post_conversation`]). Returns whether it was new.
    pub(super) async fn post(
        &mut self,
        reply: bool,
        body_html: &str,
        step: &str,
    ) -> anyhow::Result<bool> {
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
