//! `history`: the incidents so far — every FreshDesk ticket tagged `security`, joined with what
//! sec-takedown recorded in its notes (instance, project, image, flavor, owner) and how it ended —
//! then counts by project, image and month.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use std::path::Path;

use octo_core::output::{Format, Printer};

use crate::config::TakedownConfig;
use crate::freshdesk::{Fd, MARKER_PREFIX, MAX_PAGES};

pub const INCIDENT: &str = "sec-takedown.incident/v1";
pub const COUNT: &str = "sec-takedown.count/v1";

/// The machine-readable line sec-takedown puts into its instance-details note.
pub const DATA_PREFIX: &str = "sec-takedown:data ";

fn html_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The data object of a note body, if it has one.
pub fn note_data(body: &str) -> Option<Value> {
    let start = body.find(DATA_PREFIX)? + DATA_PREFIX.len();
    let rest = &body[start..];
    let end = rest.find('<').unwrap_or(rest.len());
    serde_json::from_str(&html_unescape(rest[..end].trim())).ok()
}

fn marker_step(body: &str) -> Option<String> {
    let i = body.find(MARKER_PREFIX)? + MARKER_PREFIX.len();
    Some(body[i..].split(':').next()?.to_string())
}

/// One incident record from a ticket and its conversations.
pub fn incident(t: &Value, convs: &[Value], ticket_url: String, resolved_status: u64) -> Value {
    let mut data = Value::Null;
    let mut deleted_at = Value::Null;
    let mut unlocked_at = Value::Null;
    let mut last_step: Option<String> = None;
    for c in convs {
        let body = c["body"].as_str().unwrap_or("");
        if data.is_null()
            && let Some(d) = note_data(body)
        {
            data = d;
        }
        if let Some(step) = marker_step(body) {
            match step.as_str() {
                "reply-deleted" | "delete" if deleted_at.is_null() => {
                    deleted_at = c["created_at"].clone()
                }
                "unlock-reply" => unlocked_at = c["created_at"].clone(),
                _ => {}
            }
            last_step = Some(step);
        }
    }
    let outcome = match last_step.as_deref() {
        Some("reply-deleted" | "delete") => "deleted",
        Some("unlock-reply") => "unlocked",
        Some(_) => "locked",
        None if t["status"] == json!(resolved_status) => "resolved",
        None => "open",
    };
    let d = |k: &str| data.get(k).cloned().unwrap_or(Value::Null);
    json!({
        "record": INCIDENT,
        "ticket_id": t["id"],
        "ticket_url": ticket_url,
        "subject": t["subject"],
        "status": t["status"],
        "created_at": t["created_at"],
        "updated_at": t["updated_at"],
        "instance_id": d("instance_id"),
        "instance_name": d("instance_name"),
        "project_id": d("project_id"),
        "project_name": d("project_name"),
        "owner_email": d("owner_email"),
        "image_id": d("image_id"),
        "image_name": d("image_name"),
        "flavor": d("flavor"),
        "outcome": outcome,
        "unlocked_at": unlocked_at,
        "deleted_at": deleted_at,
    })
}

/// Tickets tagged `security` created since `since`: listed (not searched: search lags and stops
/// after 300 results), 100 a page.
pub async fn security_tickets(fd: &Fd, since: DateTime<Utc>) -> anyhow::Result<Vec<Value>> {
    let since_s = since.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut out: Vec<Value> = fd
        .list_pages(&["tickets"], &[("updated_since", &since_s)], MAX_PAGES)
        .await?
        .into_iter()
        .filter(|t| {
            let tagged = t["tags"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == "security"));
            let created = t["created_at"]
                .as_str()
                .and_then(octo_core::time::parse_api);
            tagged && created.is_some_and(|c| c >= since)
        })
        .collect();
    out.sort_by_key(|t| {
        (
            t["created_at"].as_str().unwrap_or("").to_string(),
            t["id"].as_u64(),
        )
    });
    Ok(out)
}

/// Count records by project, image and month (`YYYY-MM` of the ticket).
pub fn counts(incidents: &[Value]) -> Vec<Value> {
    let mut out = Vec::new();
    for (by, key) in [
        ("project", "project_name"),
        ("image", "image_name"),
        ("month", "created_at"),
    ] {
        let mut m: BTreeMap<String, u64> = BTreeMap::new();
        for i in incidents {
            let k = match (by, i[key].as_str()) {
                ("month", Some(c)) => c.get(..7).unwrap_or(c).to_string(),
                (_, Some(s)) => s.to_string(),
                (_, None) => "(unknown)".to_string(),
            };
            *m.entry(k).or_default() += 1;
        }
        for (k, n) in m {
            out.push(json!({"record": COUNT, "by": by, "key": k, "count": n}));
        }
    }
    out
}

/// Columns of the terminal table.
pub const TABLE_COLUMNS: &[&str] = &[
    "ticket_id",
    "created_at",
    "instance_name",
    "project_name",
    "image_name",
    "outcome",
];

/// `sec-takedown history`: incident records, then (unless `no_counts` or a table) the counts;
/// `plot` draws incidents per week by outcome.
pub async fn run(
    fd: &Fd,
    cfg: &TakedownConfig,
    mut p: Printer,
    since: &str,
    no_counts: bool,
    plot: Option<&Path>,
) -> anyhow::Result<()> {
    let now = Utc::now();
    let since = octo_core::time::parse_time(since, now)?;
    let tickets = security_tickets(fd, since).await?;
    let mut incidents = Vec::new();
    for t in &tickets {
        let id = t["id"].as_u64().unwrap_or_default();
        let convs = fd.conversations(id).await?;
        let url = crate::flow::ticket_url(cfg, fd, id);
        incidents.push(incident(t, &convs, url, cfg.status_resolved));
    }
    for i in &incidents {
        p.record(i)?;
    }
    if !no_counts && p.format() != Format::Table {
        for c in counts(&incidents) {
            p.record(&c)?;
        }
    }
    p.finish()?;
    if let Some(path) = plot {
        crate::plot::plot(path, &incidents, since, now)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_line_round_trips_through_html() {
        let d = json!({"instance_name": "a<b", "project_name": "p"});
        let body = format!(
            "<p><small>{DATA_PREFIX}{}</small></p>",
            crate::template::html_escape(&d.to_string())
        );
        assert_eq!(note_data(&body), Some(d));
        assert_eq!(
            marker_step("x [sec-takedown:reply-deleted:abc]"),
            Some("reply-deleted".into())
        );
    }

    #[test]
    fn counts_group_by_project_image_month() {
        let i = |p: &str, m: &str| json!({"project_name": p, "image_name": null, "created_at": m});
        let c = counts(&[
            i("a", "2026-01-02T00:00:00Z"),
            i("a", "2026-02-01T00:00:00Z"),
            i("b", "2026-02-03T00:00:00Z"),
        ]);
        let get = |by: &str, k: &str| {
            c.iter()
                .find(|r| r["by"] == by && r["key"] == k)
                .map(|r| r["count"].clone())
        };
        assert_eq!(get("project", "a"), Some(json!(2)));
        assert_eq!(get("image", "(unknown)"), Some(json!(3)));
        assert_eq!(get("month", "2026-02"), Some(json!(2)));
    }
}
