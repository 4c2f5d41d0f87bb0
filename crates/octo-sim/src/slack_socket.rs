//! Slack Socket Mode: `POST /api/apps.connections.open` (app-level token) hands out a one-time
//! WebSocket URL (`ws://…/link/?ticket=…&app_id=…`); the socket sends `hello`, then delivers
//! `events_api` (`app_mention`, `message` in a DM) and `slash_commands` envelopes, each to be
//! acknowledged with `{"envelope_id": …}`.
//!
//! - One live connection gets the deliveries (the newest). An envelope stays pending until it is
//!   acknowledged; pending envelopes are delivered again on the next connection, with
//!   `retry_attempt` + 1 and `retry_reason` `"timeout"` when they had been delivered before
//!   (same `event_id`, new `envelope_id`, as Slack retries an event).
//! - `disconnect` (`refresh_requested`, `link_disabled`, …) is sent on a test hook; from then
//!   on that connection gets nothing new. The hook's reason `drop` closes the TCP connection
//!   without a close frame instead (a dropped socket).
//!
//! Test hooks (never faulted): `POST /_sim/slack/inject` `{"kind": "mention"|"dm"|"slash",
//! "user", "text", "channel"?}` → the envelope; `POST /_sim/slack/disconnect` `{"reason"}`;
//! `PUT /_sim/slack/ignore-acks` `{"count": N}` (the next N acks are lost);
//! `GET /_sim/slack/socket` (connections, pending envelopes, acks, files — also
//! `/_sim/state` → `slack_socket`). Channel members and file uploads: [`crate::slack_files`].

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::Shared;
use crate::slack_files::FileRec;
use crate::util::{error, ok_json};

/// The app-level token (`connections:write`) the simulated Slack accepts.
pub const APP_TOKEN: &str = "xapp-1-ASIM0000-1-simapptoken0000";
/// The app's id.
pub const APP_ID: &str = "ASIM0000";
/// The workspace (team) id.
pub const TEAM_ID: &str = "TSIM0000";
/// The bot user's id (mentions read `<@USIMBOT01> …`).
pub const BOT_USER: &str = "USIMBOT01";
/// The channel events come from unless a hook names another.
pub const CHANNEL_ID: &str = "CSIMSECOPS";
/// Members of every channel until `PUT /_sim/slack/members` says otherwise (the bot included).
pub const MEMBERS: [&str; 4] = ["USIMOPS01", "USIMOPS02", "USIMOPS03", BOT_USER];
/// A user in the workspace who is in no channel.
pub const OUTSIDER: &str = "USIMOUTSIDE";

/// What the socket task is told to do.
pub(crate) enum Out {
    Text(String),
    /// Close with no close frame (a dropped connection).
    Drop,
}

struct Envelope {
    id: String,
    kind: &'static str,
    payload: Value,
    retry_attempt: u32,
    retry_reason: String,
    /// The connection it was last delivered on.
    delivered_on: Option<u64>,
}

impl Envelope {
    fn json(&self) -> Value {
        json!({
            "envelope_id": self.id,
            "payload": self.payload,
            "type": self.kind,
            "accepts_response_payload": self.kind == "slash_commands",
            "retry_attempt": self.retry_attempt,
            "retry_reason": self.retry_reason,
        })
    }
}

/// Socket Mode's state: tickets, the live connection, pending envelopes, acks, members, files.
#[derive(Default)]
pub(crate) struct SocketState {
    tickets: HashSet<String>,
    counter: u64,
    current: Option<(u64, mpsc::UnboundedSender<Out>)>,
    pending: Vec<Envelope>,
    acks: Vec<Value>,
    ignore_acks: u32,
    connections: Vec<Value>,
    /// Conversations events came from: `chat.postMessage` accepts their ids.
    pub conversations: HashSet<String>,
    /// Channel id → members (set by the hook); others have [`MEMBERS`].
    pub members: std::collections::HashMap<String, Vec<String>>,
    pub files: Vec<FileRec>,
}

impl SocketState {
    pub(crate) fn next_id(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    pub(crate) fn json(&self) -> Value {
        json!({
            "connections": self.connections,
            "live_connection": self.current.as_ref().map(|(n, _)| *n),
            "pending": self.pending.iter().map(Envelope::json).collect::<Vec<_>>(),
            "acks": self.acks,
            "ignore_acks": self.ignore_acks,
            "files": self.files.iter().map(FileRec::json).collect::<Vec<_>>(),
        })
    }

    fn send(&mut self, env_idx: usize) {
        if self.current.is_none() {
            return;
        }
        let retry = self.pending[env_idx].delivered_on.is_some();
        let new_id = retry.then(|| envelope_id(self.next_id()));
        let Some((n, tx)) = &self.current else {
            return;
        };
        let e = &mut self.pending[env_idx];
        if let Some(id) = new_id {
            e.id = id;
            e.retry_attempt += 1;
            e.retry_reason = "timeout".into();
        }
        e.delivered_on = Some(*n);
        let _ = tx.send(Out::Text(e.json().to_string()));
    }
}

impl Shared {
    pub(crate) fn socket(&self) -> MutexGuard<'_, SocketState> {
        self.slack_socket.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/apps.connections.open", post(connections_open))
        .route("/link/", get(link))
        .route("/_sim/slack/inject", post(inject))
        .route("/_sim/slack/disconnect", post(disconnect))
        .route("/_sim/slack/ignore-acks", put(ignore_acks))
        .route("/_sim/slack/socket", get(socket_state))
}

pub(crate) fn slack_err(e: &str) -> Response {
    (StatusCode::OK, axum::Json(json!({"ok": false, "error": e}))).into_response()
}

/// The bearer token of a request, if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

async fn connections_open(State(sh): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    match bearer(&headers) {
        None => return slack_err("not_authed"),
        Some(t) if t == APP_TOKEN => {}
        Some(t) if t.starts_with("xoxb-") || t.starts_with("xoxp-") => {
            return slack_err("not_allowed_token_type");
        }
        Some(_) => return slack_err("invalid_auth"),
    }
    let mut st = sh.socket();
    let n = st.next_id();
    let ticket = format!("{:016x}", crate::util::mix64(n ^ 0x0050_C4E7));
    st.tickets.insert(ticket.clone());
    let base = sh.base_url.replacen("http", "ws", 1);
    ok_json(json!({"ok": true, "url": format!("{base}/link/?ticket={ticket}&app_id={APP_ID}")}))
}

#[derive(serde::Deserialize)]
struct LinkQuery {
    ticket: Option<String>,
}

async fn link(
    State(sh): State<Arc<Shared>>,
    Query(q): Query<LinkQuery>,
    ws: WebSocketUpgrade,
) -> Response {
    let valid = q.ticket.is_some_and(|t| sh.socket().tickets.remove(&t));
    if !valid {
        return error(StatusCode::UNAUTHORIZED, "invalid or used ticket");
    }
    ws.on_upgrade(move |socket| serve(sh, socket))
}

/// One connection: `hello`, the pending envelopes, then deliveries and acks until either side
/// ends it.
async fn serve(sh: Arc<Shared>, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let n = {
        let mut st = sh.socket();
        let n = st.next_id();
        let hello = json!({
            "type": "hello", "num_connections": 1,
            "debug_info": {"host": "octo-sim", "approximate_connection_time": 18060},
            "connection_info": {"app_id": APP_ID},
        });
        let _ = tx.send(Out::Text(hello.to_string()));
        st.current = Some((n, tx));
        st.connections.push(json!({"id": n, "closed": Value::Null}));
        for i in 0..st.pending.len() {
            st.send(i);
        }
        n
    };
    // After `disconnect` (the sender is gone) the socket stays open for the client's last acks
    // until the client closes it, as Slack's does for a while.
    let mut live = true;
    let how = loop {
        tokio::select! {
            out = rx.recv(), if live => match out {
                Some(Out::Text(t)) => {
                    if socket.send(Message::Text(t.into())).await.is_err() {
                        break "send failed";
                    }
                }
                Some(Out::Drop) => break "dropped",
                None => live = false,
            },
            msg = socket.recv() => match msg {
                Some(Ok(Message::Text(t))) => sh.socket().ack(n, t.as_str()),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break "closed by client",
                Some(Ok(_)) => {}
            },
        }
    };
    drop(socket);
    let mut st = sh.socket();
    if st.current.as_ref().is_some_and(|(c, _)| *c == n) {
        st.current = None;
    }
    if let Some(c) = st.connections.iter_mut().find(|c| c["id"] == n) {
        c["closed"] = json!(how);
    }
}

impl SocketState {
    fn ack(&mut self, conn: u64, text: &str) {
        let Ok(v) = serde_json::from_str::<Value>(text) else {
            self.acks.push(
                json!({"connection": conn, "invalid": text.chars().take(200).collect::<String>()}),
            );
            return;
        };
        let Some(id) = v.get("envelope_id").and_then(Value::as_str) else {
            return;
        };
        let pos = self.pending.iter().position(|e| e.id == id);
        if self.ignore_acks > 0 && pos.is_some() {
            self.ignore_acks -= 1;
            self.acks
                .push(json!({"envelope_id": id, "connection": conn, "lost": true}));
            return;
        }
        let mut rec = json!({"envelope_id": id, "connection": conn});
        match pos {
            Some(i) => {
                let e = self.pending.remove(i);
                rec["retry_attempt"] = json!(e.retry_attempt);
                if let Some(p) = v.get("payload") {
                    rec["payload"] = p.clone();
                }
            }
            None => rec["unknown"] = json!(true),
        }
        self.acks.push(rec);
    }
}

/// A UUID-shaped envelope id, distinct for every `n`.
fn envelope_id(n: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        crate::util::mix64(n) as u32,
        n & 0xFFFF,
        n & 0xFFF,
        (n >> 12) & 0xFFF,
        crate::util::mix64(n ^ 7) & 0xFFFF_FFFF_FFFF
    )
}

fn str_field<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

async fn inject(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "body must be JSON");
    };
    let kind = str_field(&req, "kind").unwrap_or("mention");
    let user = str_field(&req, "user").unwrap_or(MEMBERS[0]).to_string();
    let text = str_field(&req, "text").unwrap_or("").to_string();
    let now = sh.now_ms();
    let mut st = sh.socket();
    let n = st.next_id();
    let ts = format!("{}.{:06}", now.div_euclid(1000), n % 1_000_000);
    let env_id = envelope_id(n);
    let (kind, payload, channel) = match kind {
        "mention" | "dm" => {
            let dm = kind == "dm";
            let channel = match str_field(&req, "channel") {
                Some(c) => c.to_string(),
                None if dm => format!("D{}", &user[1..]),
                None => CHANNEL_ID.to_string(),
            };
            let event = if dm {
                json!({"type": "message", "channel_type": "im", "user": user, "text": text,
                       "ts": ts, "channel": channel, "event_ts": ts, "team": TEAM_ID})
            } else {
                json!({"type": "app_mention", "user": user, "text": format!("<@{BOT_USER}> {text}"),
                       "ts": ts, "channel": channel, "event_ts": ts, "team": TEAM_ID})
            };
            let payload = json!({
                "token": "simverificationtoken", "team_id": TEAM_ID, "api_app_id": APP_ID,
                "event": event, "type": "event_callback", "event_id": format!("Ev{n:08}"),
                "event_time": now.div_euclid(1000),
                "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER, "is_bot": true}],
            });
            ("events_api", payload, channel)
        }
        "slash" => {
            let channel = str_field(&req, "channel").unwrap_or(CHANNEL_ID).to_string();
            let payload = json!({
                "token": "simverificationtoken", "team_id": TEAM_ID, "team_domain": "octo-sim",
                "channel_id": channel, "channel_name": "secops", "user_id": user,
                "user_name": user.to_lowercase(), "command": "/halo", "text": text,
                "api_app_id": APP_ID, "is_enterprise_install": "false",
                "response_url": format!("{}/_sim/slack/response/{n}", sh.base_url),
                "trigger_id": format!("{n}.{}", crate::util::mix64(n) & 0xFFFF_FFFF),
            });
            ("slash_commands", payload, channel)
        }
        other => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("kind must be mention, dm or slash, got {other:?}"),
            );
        }
    };
    st.conversations.insert(channel);
    st.pending.push(Envelope {
        id: env_id,
        kind,
        payload,
        retry_attempt: 0,
        retry_reason: String::new(),
        delivered_on: None,
    });
    let i = st.pending.len() - 1;
    let json = st.pending[i].json();
    st.send(i);
    let delivered = st.pending[i].delivered_on.is_some();
    (
        StatusCode::CREATED,
        axum::Json(json!({"envelope": json, "delivered": delivered})),
    )
        .into_response()
}

async fn disconnect(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let req: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let reason = str_field(&req, "reason").unwrap_or("refresh_requested");
    let mut st = sh.socket();
    let Some((n, tx)) = st.current.take() else {
        return ok_json(json!({"sent": false}));
    };
    let out = if reason == "drop" {
        Out::Drop
    } else {
        Out::Text(
            json!({"type": "disconnect", "reason": reason, "debug_info": {"host": "octo-sim"}})
                .to_string(),
        )
    };
    let _ = tx.send(out);
    ok_json(json!({"sent": true, "connection": n, "reason": reason}))
}

async fn ignore_acks(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let req: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(count) = req.get("count").and_then(Value::as_u64) else {
        return error(StatusCode::BAD_REQUEST, "body must be {\"count\": N}");
    };
    sh.socket().ignore_acks = count as u32;
    ok_json(json!({"ignore_acks": count}))
}

async fn socket_state(State(sh): State<Arc<Shared>>) -> Response {
    ok_json(sh.socket().json())
}

/// Reset: drop every connection (their tasks end) and forget everything.
pub(crate) fn reset(slot: &Mutex<SocketState>) {
    *slot.lock().unwrap_or_else(|e| e.into_inner()) = SocketState::default();
}
