//! The commands `lock`, `delete` and `takedown`, composed of the steps.

use anyhow::anyhow;
use octo_core::exit::usage;
use serde_json::Value;

use super::evidence::{step_delete, step_evidence, step_reply_deleted, step_snapshot};
use super::lock::{step_lock, step_note, step_pause, step_ticket};
use super::unlock::step_resolve;
use super::{
    Ctx, EvidenceFailed, KEY_STEP, KEY_TICKET, Srv, Ticket, marker_tag, md_of, md_str, rank,
    ticket_id_from_url,
};
use crate::info::gather;

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
