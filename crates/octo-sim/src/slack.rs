//! Slack: `POST /api/chat.postMessage` (bot token) and incoming webhooks
//! (`POST /services/T…/B…/…`), with Slack's own response shapes, recording every accepted
//! message for `/_sim/state` (`slack.messages`). Fault knobs apply as to every API route.
//!
//! - `chat.postMessage`: `Authorization: Bearer SLACK_TOKEN`; JSON body `{"channel", "text"}`
//!   (or form-encoded). HTTP 200 with `{"ok": true, "channel": "C…", "ts": "…", "message": {…}}`,
//!   or HTTP 200 with `{"ok": false, "error": "not_authed" | "invalid_auth" | "channel_not_found"
//!   | "is_archived" | "no_text" | "msg_too_long" | "invalid_json"}`.
//! - Channels: any `#name` / `name` of lowercase letters, digits, `-` and `_` exists, except
//!   `archived` (→ `is_archived`); anything else → `channel_not_found`.
//! - Socket Mode's conversations (`slack_socket`: the channel and DM ids events came from) are
//!   accepted by id.
//! - `auth.test`: the same bearer token; `{"ok": true, "url", "team", "user", "team_id",
//!   "user_id", "bot_id"}` or `{"ok": false, "error": "not_authed" | "invalid_auth"}`.
//! - Webhook: only [`WEBHOOK_PATH`] exists (else 404 `no_service`); answers 200 `ok`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use crate::Shared;

/// The bot token the simulated Slack accepts.
pub const SLACK_TOKEN: &str = "xoxb-sim-slack-token-0000";
/// The one incoming-webhook path that exists.
pub const WEBHOOK_PATH: &str = "/services/TSIM0000/BSIM0000/simwebhooksecret0000";

/// Longest `text` accepted (Slack truncates beyond 40,000 characters; we refuse).
const MAX_TEXT: usize = 40_000;

/// Messages accepted so far.
#[derive(Default)]
pub(crate) struct SlackState {
    pub messages: Vec<Value>,
}

impl SlackState {
    pub(crate) fn json(&self) -> Value {
        json!({"messages": self.messages})
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/chat.postMessage", post(post_message))
        .route("/api/auth.test", post(auth_test))
        .route("/services/{a}/{b}/{c}", post(webhook))
}

fn slack_err(e: &str) -> Response {
    (StatusCode::OK, axum::Json(json!({"ok": false, "error": e}))).into_response()
}

/// A stable channel id for a channel name: `C` + 10 uppercase hex digits.
fn channel_id(name: &str) -> String {
    let h = name.bytes().fold(0xCBF2_9CE4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    });
    format!("C{:010X}", h & 0xFF_FFFF_FFFF)
}

fn parse_body(headers: &HeaderMap, body: &Bytes) -> Option<serde_json::Map<String, Value>> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/x-www-form-urlencoded") {
        let m = url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        return Some(m);
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

impl Shared {
    fn record_slack(&self, via: &str, channel: Option<&str>, text: &str) -> String {
        let mut st = self.slack.lock().unwrap_or_else(|e| e.into_inner());
        let n = st.messages.len() as u64 + 1;
        let ms = self.now_ms();
        let ts = format!("{}.{:06}", ms.div_euclid(1000), n % 1_000_000);
        st.messages
            .push(json!({"via": via, "channel": channel, "text": text, "ts": ts}));
        ts
    }
}

/// The bot token's check: `Err` is Slack's error answer.
fn check_token(headers: &HeaderMap) -> Result<(), Response> {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = auth else {
        return Err(slack_err("not_authed"));
    };
    if token.trim() != SLACK_TOKEN {
        return Err(slack_err("invalid_auth"));
    }
    Ok(())
}

async fn auth_test(headers: HeaderMap) -> Response {
    if let Err(r) = check_token(&headers) {
        return r;
    }
    axum::Json(json!({
        "ok": true, "url": "https://octo-sim.slack.com/", "team": "octo-sim",
        "user": "octobot", "team_id": "TSIM0000", "user_id": "USIM0000", "bot_id": "BSIM0000",
    }))
    .into_response()
}

async fn post_message(State(sh): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = check_token(&headers) {
        return r;
    }
    let Some(m) = parse_body(&headers, &body) else {
        return slack_err("invalid_json");
    };
    let channel = m
        .get("channel")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim();
    let name = channel.strip_prefix('#').unwrap_or(channel);
    // Socket Mode (`slack_socket`): the ids of the conversations events came from exist too.
    let known_id = sh.socket().conversations.contains(channel);
    let valid = known_id
        || !name.is_empty()
            && name.len() <= 80
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !valid {
        return slack_err("channel_not_found");
    }
    if name == "archived" {
        return slack_err("is_archived");
    }
    let text = m.get("text").and_then(Value::as_str).unwrap_or("");
    if text.trim().is_empty() {
        return slack_err("no_text");
    }
    if text.chars().count() > MAX_TEXT {
        return slack_err("msg_too_long");
    }
    let ts = sh.record_slack("chat.postMessage", Some(name), text);
    let cid = if known_id {
        name.to_string()
    } else {
        channel_id(name)
    };
    axum::Json(json!({
        "ok": true, "channel": cid, "ts": ts,
        "message": {"type": "message", "subtype": "bot_message", "text": text, "ts": ts},
    }))
    .into_response()
}

async fn webhook(
    State(sh): State<Arc<Shared>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if uri.path() != WEBHOOK_PATH {
        return (StatusCode::NOT_FOUND, "no_service").into_response();
    }
    let Some(m) = parse_body(&headers, &body) else {
        return (StatusCode::BAD_REQUEST, "invalid_payload").into_response();
    };
    let text = m.get("text").and_then(Value::as_str).unwrap_or("");
    if text.trim().is_empty() {
        return (StatusCode::BAD_REQUEST, "no_text").into_response();
    }
    sh.record_slack("webhook", None, text);
    (StatusCode::OK, "ok").into_response()
}
