//! Readable Slack text for Halo events and octobox action records.

use serde_json::{Map, Value};

/// Slack's three control characters, escaped; newlines folded (one record = one block).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn st<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// What kind of record a line is.
pub enum Kind<'a> {
    Event { etype: &'a str, critical: bool },
    Action { record: &'a str, status: &'a str },
    Other,
}

pub fn kind(m: &Map<String, Value>) -> Kind<'_> {
    if let Some(r) = st(m, "record") {
        if r.ends_with(".action/v1") {
            return Kind::Action {
                record: r,
                status: st(m, "status").unwrap_or("?"),
            };
        }
        return Kind::Other;
    }
    match st(m, "type") {
        Some(t) if m.contains_key("created_at") => Kind::Event {
            etype: t,
            critical: m.get("critical").and_then(Value::as_bool) == Some(true),
        },
        _ => Kind::Other,
    }
}

/// The message for one record.
pub fn text(m: &Map<String, Value>) -> String {
    match kind(m) {
        Kind::Event { etype, critical } => event_text(m, etype, critical),
        Kind::Action { record, status } => action_text(m, record, status),
        Kind::Other if st(m, "record") == Some(EC2_DELTA) => ec2_delta_text(m),
        Kind::Other => other_text(m),
    }
}

/// The record `ec2-delta` prints for an EC2 instance Halo does not know.
pub const EC2_DELTA: &str = "ec2-delta.instance/v1";

fn ec2_delta_text(m: &Map<String, Value>) -> String {
    let f = |k: &str| esc(st(m, k).unwrap_or("-"));
    let mut head = format!(
        ":warning: *EC2 instance without Halo* `{}`",
        f("instance_id")
    );
    if let Some(n) = st(m, "name") {
        head.push_str(&format!(" ({})", esc(n)));
    }
    format!(
        "{head}\naccount: {} · region: {} · vpc: {} · key: {} · state: {} · launched: {}",
        f("aws_account"),
        f("aws_region"),
        f("vpc_id"),
        f("key_name"),
        f("state"),
        f("launch_time"),
    )
}

fn event_text(m: &Map<String, Value>, etype: &str, critical: bool) -> String {
    let head = if critical {
        format!(":rotating_light: *Critical Halo event* `{}`", esc(etype))
    } else {
        format!(":information_source: *Halo event* `{}`", esc(etype))
    };
    let mut facts = Vec::new();
    let server = st(m, "server_label")
        .or(st(m, "server_hostname"))
        .or(st(m, "server_id"));
    if let Some(s) = server {
        match st(m, "server_ip_address") {
            Some(ip) => facts.push(format!("server: {} ({})", esc(s), esc(ip))),
            None => facts.push(format!("server: {}", esc(s))),
        }
    }
    if let Some(g) = st(m, "server_group_name") {
        facts.push(format!("group: {}", esc(g)));
    }
    if let Some(a) = st(m, "actor_username") {
        match st(m, "actor_ip_address") {
            Some(ip) => facts.push(format!("actor: {} from {}", esc(a), esc(ip))),
            None => facts.push(format!("actor: {}", esc(a))),
        }
    }
    if let Some(t) = st(m, "created_at") {
        facts.push(format!("time: {}", esc(t)));
    }
    let mut out = head;
    if !facts.is_empty() {
        out.push('\n');
        out.push_str(&facts.join(" · "));
    }
    if let Some(msg) = st(m, "message") {
        out.push_str("\n> ");
        out.push_str(&esc(&truncate(msg, 2000)));
    }
    out
}

fn icon(status: &str) -> &'static str {
    match status {
        "planned" => ":clipboard:",
        "applied" => ":white_check_mark:",
        "unchanged" => ":heavy_minus_sign:",
        "skipped" => ":fast_forward:",
        "failed" => ":x:",
        _ => ":grey_question:",
    }
}

fn action_text(m: &Map<String, Value>, record: &str, status: &str) -> String {
    let tool = record.split('.').next().unwrap_or(record);
    let action = st(m, "action").unwrap_or(tool);
    let mut out = format!(
        "{} *{} {}* {}",
        icon(status),
        esc(tool),
        esc(action),
        esc(status)
    );
    let what = if tool == "quarantine" {
        let server = st(m, "server_hostname")
            .or(st(m, "server_id"))
            .unwrap_or("?");
        let from = st(m, "from_group_name").unwrap_or("?");
        let to = st(m, "to_group_name")
            .or(st(m, "to_group_id"))
            .unwrap_or("?");
        let mut w = format!("server {}: group {} → {}", esc(server), esc(from), esc(to));
        if let Some(id) = st(m, "server_id").filter(|id| Some(*id) != st(m, "server_hostname")) {
            w = format!(
                "server {} ({}): group {} → {}",
                esc(server),
                esc(id),
                esc(from),
                esc(to)
            );
        }
        w
    } else if tool == "ipblock" {
        let ip = st(m, "ip").unwrap_or("?");
        let zone = st(m, "zone_name").unwrap_or("?");
        let mut w = format!("{} in zone {}", esc(ip), esc(zone));
        if let Some(t) = st(m, "expires_at") {
            w.push_str(&format!(" (until {})", esc(t)));
        }
        w
    } else {
        String::new()
    };
    if !what.is_empty() {
        out.push_str(": ");
        out.push_str(&what);
    }
    if let (Some(t), Some(id)) = (st(m, "event_type"), st(m, "event_id")) {
        out.push_str(&format!("\nevent: {} {}", esc(t), esc(id)));
    }
    if let Some(r) = st(m, "reason") {
        out.push_str(&format!("\nreason: {}", esc(&truncate(r, 1000))));
    }
    out
}

fn other_text(m: &Map<String, Value>) -> String {
    let name = st(m, "record").unwrap_or("record");
    let json = serde_json::to_string(m).unwrap_or_default();
    format!("*{}*\n```{}```", esc(name), esc(&truncate(&json, 2000)))
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn event_message() {
        let t = text(&obj(
            json!({"id": "e1", "type": "lids_rule_failed", "critical": true,
            "created_at": "2018-06-19T14:02:11.123Z", "server_hostname": "ip-10-2-20-76",
            "server_label": "web-1", "server_ip_address": "54.183.177.195", "server_group_name": "Web",
            "message": "sshd: Failed password for root from 203.0.113.7 port 52144 ssh2\n<x> & y"}),
        ));
        assert_eq!(
            t,
            ":rotating_light: *Critical Halo event* `lids_rule_failed`\n\
             server: web-1 (54.183.177.195) · group: Web · time: 2018-06-19T14:02:11.123Z\n\
             > sshd: Failed password for root from 203.0.113.7 port 52144 ssh2 &lt;x&gt; &amp; y"
        );
    }

    #[test]
    fn action_messages() {
        let t = text(&obj(
            json!({"record": "quarantine.action/v1", "action": "quarantine",
            "status": "applied", "reason": "moved to group Quarantine", "event_id": "e1",
            "event_type": "lids_rule_failed", "server_id": "s1", "server_hostname": "web-1",
            "from_group_id": "g1", "from_group_name": "q-test", "to_group_id": "g2",
            "to_group_name": "Quarantine"}),
        ));
        assert_eq!(
            t,
            ":white_check_mark: *quarantine quarantine* applied: server web-1 (s1): group q-test → Quarantine\n\
             event: lids_rule_failed e1\nreason: moved to group Quarantine"
        );
        let t = text(&obj(
            json!({"record": "ipblock.action/v1", "action": "block",
            "status": "planned", "reason": "r", "event_id": null, "event_type": null,
            "ip": "203.0.113.7", "zone_id": "z", "zone_name": "halo-ipblocker",
            "expires_at": "2026-01-01T01:00:00Z"}),
        ));
        assert_eq!(
            t,
            ":clipboard: *ipblock block* planned: 203.0.113.7 in zone halo-ipblocker (until 2026-01-01T01:00:00Z)\nreason: r"
        );
    }
}
