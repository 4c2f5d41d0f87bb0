//! The steps of `lock`: pause, lock (reason `security`), ticket to the owner, private note with
//! the instance details.

use anyhow::anyhow;
use serde_json::{Map, Value, json};

use super::{
    Ctx, KEY_STEP, KEY_TICKET, Ticket, marker_tag, md_of, md_str, now, rank, ticket_id_from_url,
};
use crate::freshdesk::Posted;
use crate::info::{Info, html};
use crate::template::html_escape;
use crate::wait::{Attempt, create_checked};

pub(super) async fn step_pause(ctx: &mut Ctx, srv: &mut Value) -> anyhow::Result<()> {
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
            if !ctx.plan(
                "pause",
                "pause the ACTIVE instance (memory kept for forensics)",
                &calls,
            )? {
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

pub(super) async fn step_lock(ctx: &mut Ctx, srv: &mut Value) -> anyhow::Result<()> {
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
        let apply = ctx.plan("lock", format!("lock with reason {reason}{was}"), &calls)?;
        if let Some(w) = ctx.os.lock_without_reason_notice(&reason) {
            tracing::warn!("{w}");
        }
        if apply {
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

pub(super) async fn step_ticket(
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
        if !ctx.plan(
            "ticket",
            format!("re-open existing ticket {id}: reply \"paused and locked\""),
            &calls,
        )? {
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
        let detail = format!(
            "ticket {id} found by its tag {tag} (created by an interrupted run) and recorded"
        );
        return record_ticket(ctx, &url, detail, &calls).await;
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
    if !ctx.plan(
        "ticket",
        format!("open ticket: email {requester}, cc [{}]", cc.join(", ")),
        &calls,
    )? {
        return Ok(());
    }
    // the ticket may exist after an attempt whose outcome is unknown: look for its tag before
    // trying again (not before the first attempt: it was looked for just above)
    let mut looked = false;
    let created = create_checked(
        ctx.cfg.poll_interval,
        async || {
            if !std::mem::replace(&mut looked, true) {
                return Ok(None);
            }
            Ok(ctx
                .fd
                .find_by_tag(&tag, Some(&requester))
                .await?
                .into_iter()
                .next())
        },
        async || {
            Ok(
                match ctx
                    .fd
                    .post_once(&["tickets", "outbound_email"], &payload)
                    .await?
                {
                    Posted::Created(t) => Attempt::Created(t),
                    Posted::Ambiguous(why) => Attempt::Unknown(why),
                },
            )
        },
    )
    .await?;
    let t = created.map_err(|last| anyhow!("FreshDesk: could not create the ticket: {last}"))?;
    let id = t["id"]
        .as_u64()
        .ok_or_else(|| anyhow!("FreshDesk returned a ticket without an id"))?;
    let url = ctx.ticket_url(id);
    ctx.ticket = Some(Ticket {
        id,
        url: url.clone(),
    });
    ctx.hook("ticket:created");
    let detail = format!(
        "ticket {id} opened: emailed {requester}, cc [{}]",
        cc.join(", ")
    );
    record_ticket(ctx, &url, detail, &calls).await
}

/// The ticket at `url` recorded in the instance's metadata (step `ticketed`), then the `applied`
/// record of the ticket step saying `detail`.
async fn record_ticket(
    ctx: &mut Ctx,
    url: &str,
    detail: String,
    calls: &[String],
) -> anyhow::Result<()> {
    let mut m = Map::new();
    m.insert(KEY_TICKET.into(), json!(url));
    ctx.write_md(m, Some("ticketed")).await?;
    ctx.emit("ticket", "applied", detail, calls, None)?;
    ctx.hook("ticket");
    Ok(())
}

pub(super) async fn step_note(ctx: &mut Ctx, srv: &Value, info: &Info) -> anyhow::Result<()> {
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
    if !ctx.plan("note", "private note with the instance details", &calls)? {
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
