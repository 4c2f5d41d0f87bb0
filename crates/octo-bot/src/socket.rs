//! The Socket Mode client: `apps.connections.open`, the WebSocket, an ack for every envelope
//! (before it is handled: Slack wants one within 3 seconds), and reconnection — at once on
//! `disconnect` `refresh_requested`, with jittered exponential backoff after a failure or a
//! dropped socket. Retried deliveries of a request already taken (same `event_id`, a slash
//! command's same `trigger_id`, or the same `envelope_id`) are acknowledged and not handed on
//! again.
//!
//! Hand-written over tokio-tungstenite rather than slack-morphism: its Socket Mode client opens
//! several connections by default, acknowledges in its own callbacks and brings a second HTTP
//! stack (hyper-rustls with ring); the protocol is three message types.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use rand::Rng;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

use crate::slack::SlackApi;
use crate::status::Status;

/// How many delivered ids are remembered to drop retried deliveries.
const SEEN: usize = 2048;
const BACKOFF_FIRST: Duration = Duration::from_millis(200);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// One envelope handed on: its type, id, payload and retry count.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub kind: String,
    pub envelope_id: String,
    pub payload: Value,
    pub retry_attempt: u64,
}

struct Seen {
    set: HashSet<String>,
    order: VecDeque<String>,
}

impl Seen {
    /// Remember `key`; false when it was seen already.
    fn insert(&mut self, key: String) -> bool {
        if !self.set.insert(key.clone()) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > SEEN
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }
}

/// Why a connection ended.
enum End {
    Refresh,
    Failed(String),
    Shutdown,
}

/// Keep a connection up and hand every new envelope to `tx` until `shutdown` turns true.
pub async fn run(
    api: Arc<SlackApi>,
    tx: mpsc::Sender<Envelope>,
    mut shutdown: watch::Receiver<bool>,
    status: Arc<Status>,
) {
    let mut seen = Seen {
        set: HashSet::new(),
        order: VecDeque::new(),
    };
    let mut backoff = BACKOFF_FIRST;
    loop {
        if *shutdown.borrow() {
            return;
        }
        let end = tokio::select! {
            end = connection(&api, &tx, &mut seen, &status, &mut backoff) => end,
            _ = shutdown.wait_for(|s| *s) => End::Shutdown,
        };
        match end {
            End::Shutdown => return,
            End::Refresh => {
                tracing::info!("Slack asked for a new connection; reconnecting");
            }
            End::Failed(why) => {
                let wait = jitter(backoff);
                tracing::warn!("Socket Mode connection: {why}; reconnecting in {wait:?}");
                status.error(format!("Socket Mode: {why}"));
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.wait_for(|s| *s) => return,
                }
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
        }
        status.reconnected();
    }
}

fn jitter(d: Duration) -> Duration {
    let ms = d.as_millis() as u64;
    Duration::from_millis(ms / 2 + rand::rng().random_range(0..=ms / 2))
}

async fn connection(
    api: &SlackApi,
    tx: &mpsc::Sender<Envelope>,
    seen: &mut Seen,
    status: &Status,
    backoff: &mut Duration,
) -> End {
    let url = match api.open_connection().await {
        Ok(u) => u,
        Err(e) => return End::Failed(format!("{e:#}")),
    };
    octo_core::http::install_crypto_provider();
    let ws = match tokio_tungstenite::connect_async(url.as_str()).await {
        Ok((ws, _)) => ws,
        Err(e) => return End::Failed(format!("WebSocket connect: {e}")),
    };
    let (mut sink, mut stream) = ws.split();
    while let Some(msg) = stream.next().await {
        let text = match msg {
            Ok(Message::Text(t)) => t,
            Ok(Message::Close(_)) => return End::Failed("closed by Slack".into()),
            Ok(_) => continue,
            Err(e) => return End::Failed(format!("WebSocket: {e}")),
        };
        let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else {
            tracing::warn!("Socket Mode: a message that is not JSON; ignored");
            continue;
        };
        match v["type"].as_str().unwrap_or("") {
            "hello" => {
                *backoff = BACKOFF_FIRST;
                status.connected();
                tracing::info!("Socket Mode connected");
                continue;
            }
            "disconnect" => {
                let reason = v["reason"].as_str().unwrap_or("unknown").to_string();
                let _ = sink.close().await;
                return if reason == "refresh_requested" || reason == "warning" {
                    End::Refresh
                } else {
                    End::Failed(format!("disconnect: {reason}"))
                };
            }
            _ => {}
        }
        let Some(id) = v["envelope_id"].as_str() else {
            continue;
        };
        let ack = json!({"envelope_id": id}).to_string();
        if let Err(e) = sink.send(Message::Text(ack.into())).await {
            return End::Failed(format!("sending an ack: {e}"));
        }
        // What stays the same when Slack delivers a request again: an event's `event_id`, a
        // slash command's `trigger_id` (a redelivery gets a new `envelope_id`).
        let payload = &v["payload"];
        let key = match (payload["event_id"].as_str(), payload["trigger_id"].as_str()) {
            (Some(e), _) => format!("event:{e}"),
            (None, Some(t)) => format!("trigger:{t}"),
            (None, None) => format!("envelope:{id}"),
        };
        let retry = v["retry_attempt"].as_u64().unwrap_or(0);
        if !seen.insert(key.clone()) {
            tracing::info!(
                retry,
                "{key} delivered again: acknowledged, already handled"
            );
            continue;
        }
        let env = Envelope {
            kind: v["type"].as_str().unwrap_or("").to_string(),
            envelope_id: id.to_string(),
            payload: v["payload"].clone(),
            retry_attempt: retry,
        };
        if tx.send(env).await.is_err() {
            return End::Shutdown;
        }
    }
    End::Failed("the connection dropped".into())
}
