//! slack-notify: the message made from an event or action record (Slack markup from the record
//! must not survive into it) and the channel a route file picks.

use arbitrary::{Result, Unstructured};
use serde_json::{Map, Value, json};
use slack_notify::format::{Kind, kind, text};

use crate::input::{self, Shape};
use crate::targets::records::{EVENT_KEYS, EVENT_WORDS};

const ACTION_KEYS: &[&str] = &[
    "record",
    "action",
    "status",
    "reason",
    "server_id",
    "server_hostname",
    "from_group_name",
    "to_group_name",
    "to_group_id",
    "ip",
    "zone_name",
    "expires_at",
    "event_type",
    "event_id",
    "instance_id",
    "name",
    "aws_account",
    "aws_region",
    "vpc_id",
    "key_name",
    "state",
    "launch_time",
];
const RECORDS: &[&str] = &[
    "quarantine.action/v1",
    "ipblock.action/v1",
    "ec2-delta.instance/v1",
    "sec-takedown.step/v1",
    "x.action/v1",
];
const MARKUP: &[&str] = &[
    "<!channel>",
    "<@U123>",
    "<http://x|y>",
    "&lt;",
    "&",
    "*b*",
    "`",
    "\n> ",
];

#[derive(Debug, Clone)]
pub struct SlackCase {
    pub record: Map<String, Value>,
}

pub fn gen_slack(u: &mut Unstructured<'_>) -> Result<SlackCase> {
    let words: Vec<&str> = EVENT_WORDS.iter().chain(MARKUP).copied().collect();
    let keys: Vec<&str> = EVENT_KEYS.iter().chain(ACTION_KEYS).copied().collect();
    let mut record = input::object(
        u,
        Shape {
            keys: &keys,
            words: &words,
        },
        2,
    )?;
    match u.int_in_range(0..=3)? {
        0 => {
            record.insert("record".into(), json!(input::pick(u, RECORDS)?));
        }
        1 => {
            record.insert("type".into(), json!(input::text(u, &words)?));
            record.insert("created_at".into(), json!("2024-06-01T12:00:00Z"));
        }
        _ => {}
    }
    Ok(SlackCase { record })
}

/// The message never carries Slack's control characters `<` `>` from a record (a mention or link
/// injected by it; the template's own quote `> ` aside), a bare `&` or a control character other than its own line breaks.
pub fn check_slack(c: &SlackCase) {
    let _ = matches!(
        kind(&c.record),
        Kind::Event { .. } | Kind::Action { .. } | Kind::Other
    );
    let t = text(&c.record);
    // the one markup of the template: a message is quoted (`\n> `)
    let body = t.replace("\n> ", "\n");
    assert!(!body.contains(['<', '>']), "markup in {t:?}");
    for (i, _) in t.match_indices('&') {
        let rest = &t[i..];
        assert!(
            rest.starts_with("&amp;") || rest.starts_with("&lt;") || rest.starts_with("&gt;"),
            "bare & in {t:?}"
        );
    }
    assert!(
        !t.chars().any(|ch| ch.is_control() && ch != '\n'),
        "control character in {t:?}"
    );
}
