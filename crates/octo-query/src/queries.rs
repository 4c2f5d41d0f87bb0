//! The list queries: `groups`, `scans` (a time window), `issues`, `zones`.

use chrono::{DateTime, Utc};
use octo_core::halo::HaloClient;
use octo_core::halo::cursor::{PAGES_AHEAD, values};
use octo_core::output::Printer;

use crate::window::{emit_window, window_or_last_day};
use crate::{IssuesArgs, ScansArgs, emit_stream, str_of};

/// Every server group (with `group_path` and `server_counts`).
pub async fn groups(halo: &HaloClient, out: &mut Printer) -> anyhow::Result<()> {
    emit_stream(out, halo.list("/v1/groups", &[], "groups")).await
}

/// Every firewall IP zone.
pub async fn zones(halo: &HaloClient, out: &mut Printer) -> anyhow::Result<()> {
    emit_stream(out, halo.list("/v1/firewall_zones", &[], "firewall_zones")).await
}

/// Scans in a window (default: the last 24 hours before `now`).
pub async fn scans(
    halo: &HaloClient,
    a: &ScansArgs,
    now: DateTime<Utc>,
    out: &mut Printer,
) -> anyhow::Result<()> {
    let (cursor, until) = window_or_last_day(&a.window, now)?;
    let mut params = Vec::new();
    if !a.module.is_empty() {
        params.push(("module", a.module.join(",")));
    }
    if !a.status.is_empty() {
        params.push(("status", a.status.join(",")));
    }
    if let Some(s) = &a.server {
        params.push(("server_id", s.clone()));
    }
    let since = cursor.since;
    let s = values(halo.time_series("/v1/scans", "scans", &params, cursor, until, PAGES_AHEAD));
    emit_window(out, halo, "scans", s, since, until.unwrap_or(now)).await
}

/// Issues (v3), by server, group (with descendants), status, criticality and type.
pub async fn issues(halo: &HaloClient, a: &IssuesArgs, out: &mut Printer) -> anyhow::Result<()> {
    let mut params = Vec::new();
    if let Some(s) = &a.server {
        params.push(("agent_id", s.clone()));
    }
    if let Some(g) = &a.group {
        let g = halo.resolve_group(g).await?;
        params.push(("group_id", str_of(&g, "id")));
        if a.descendants {
            params.push(("descendants", "true".into()));
        }
    }
    if let Some(s) = &a.status {
        params.push(("status", s.clone()));
    }
    if a.critical {
        params.push(("critical", "true".into()));
    }
    if !a.types.is_empty() {
        params.push(("issue_type", a.types.join(",")));
    }
    emit_stream(out, halo.list("/v3/issues", &params, "issues")).await
}
