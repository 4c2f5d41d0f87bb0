//! The steps before and of a delete: console log and snapshot as evidence on the ticket, the
//! delete itself, the "deleted" reply.

use std::time::Instant;

use anyhow::anyhow;
use serde_json::{Map, Value, json};

use super::{Ctx, KEY_SNAPSHOT, KEY_STEP, KEY_TICKET, Srv, md_of, md_str, now, rank};
use crate::template::html_escape;
use crate::wait::{Attempt, Poll, create_checked, poll_until};

/// Console log into a private note. `Ok(false)`: capture failed (a `failed` record was emitted).
pub(super) async fn step_evidence(ctx: &mut Ctx, srv: &Value) -> anyhow::Result<bool> {
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
    if !ctx.plan(
        "evidence",
        format!("capture the last {n} console lines into a private note"),
        &calls,
    )? {
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

pub(super) async fn step_snapshot(ctx: &mut Ctx, srv: &Value) -> anyhow::Result<bool> {
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
    if !ctx.plan(
        "snapshot",
        "snapshot the instance (createImage) and note the image id",
        &calls,
    )? {
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
            // the name is fixed per server: an image from an interrupted attempt is found
            let got = create_checked(
                ctx.cfg.poll_interval,
                async || Ok(ctx.snapshot_by_name(&name).await?.map(|i| (i, None))),
                async || {
                    Ok(match ctx.os.action(&ctx.server_id, &body, false).await {
                        Ok(Ok(r)) => match r.body["image_id"].as_str() {
                            Some(i) => Attempt::Created((i.to_string(), r.request_id)),
                            None => Attempt::Unknown("createImage returned no image_id".into()),
                        },
                        Ok(Err(e)) if e.status.is_server_error() => Attempt::Unknown(e.to_string()),
                        Ok(Err(e)) if e.status.as_u16() == 409 => Attempt::Busy(e.to_string()),
                        Ok(Err(e)) => Attempt::Failed(e.to_string()),
                        Err(e) => Attempt::Unknown(format!("{e:#}")),
                    })
                },
            )
            .await?;
            match got {
                Ok(g) => g,
                Err(last) => {
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

pub(super) async fn step_delete(ctx: &mut Ctx, srv: &Srv) -> anyhow::Result<()> {
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
    if !ctx.plan(
        "delete",
        "delete the instance and wait until it is gone",
        &calls,
    )? {
        return Ok(());
    }
    ctx.write_md(Map::new(), Some("deleting")).await?;
    let deadline = Instant::now() + ctx.timeout();
    let this = &*ctx;
    let deleted = poll_until("delete", deadline, ctx.cfg.poll_interval, async || {
        let r = this
            .os
            .call(
                "Nova",
                octo_core::http::Method::DELETE,
                this.os.server_url(&this.server_id, &[]),
                None,
                true,
            )
            .await?;
        match r {
            Ok(r) => Ok(Poll::Ready(r.request_id)),
            Err(e) if e.status.as_u16() == 404 => Ok(Poll::Ready(e.request_id)),
            Err(e) if e.status.as_u16() == 409 && this.os.is_admin() => Ok(Poll::Pending(e)),
            Err(e) => Err(this.explain(e)),
        }
    })
    .await?;
    let rid = deleted.map_err(|e| ctx.explain(e))?;
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

pub(super) async fn step_reply_deleted(ctx: &mut Ctx) -> anyhow::Result<()> {
    let id = ctx.ticket_label();
    let calls = vec![format!(
        "FreshDesk POST /api/v2/tickets/{id}/reply (\"deleted\")"
    )];
    if !ctx.plan("reply", "reply to the owner and CC: deleted", &calls)? {
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
