//! `unlock`: unpause, unlock, reply to the owner, resolve the ticket.

use anyhow::anyhow;
use serde_json::{Map, Value, json};

use super::{Ctx, KEY_STEP, KEY_TICKET, Ticket, md_of, md_str, ticket_id_from_url};

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
        if ctx.plan("unpause", "unpause", &calls)? {
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
        if ctx.plan("unlock", "unlock", &calls)? {
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
        if ctx.plan(
            "reply",
            "reply to the owner and CC: unpaused and unlocked",
            &calls,
        )? {
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

pub(super) async fn step_resolve(ctx: &mut Ctx, unlock: bool) -> anyhow::Result<()> {
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
        if !ctx.plan("resolve", format!("resolve ticket {}", t.id), &calls)? {
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
