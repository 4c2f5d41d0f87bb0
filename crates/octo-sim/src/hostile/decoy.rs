//! The decoy: another host that `cross-host-redirect` sends clients to. It answers every request
//! with a fake Halo-looking body and records what it was sent (never a header's value), so a
//! test can prove a client neither used the fake body nor carried its credentials across.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::Response;
use serde_json::{Value, json};

use crate::util::ok_json;

/// A running decoy; its task ends when the simulator is dropped.
pub(crate) struct Decoy {
    /// `http://127.0.0.2:PORT` (or `http://127.0.0.1:PORT` where 127.0.0.2 cannot be bound).
    pub url: String,
    pub requests: Arc<Mutex<Vec<Value>>>,
    pub task: tokio::task::JoinHandle<()>,
}

impl Decoy {
    pub(crate) async fn start() -> anyhow::Result<Decoy> {
        let listener =
            match tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 2], 0))).await {
                Ok(l) => l,
                Err(_) => tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
                    .await
                    .context("binding the decoy host of cross-host-redirect")?,
            };
        let url = format!("http://{}", listener.local_addr()?);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new().fallback(answer).with_state(requests.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!("octo-sim decoy stopped: {e}");
            }
        });
        Ok(Decoy {
            url,
            requests,
            task,
        })
    }

    /// What `/_sim/state` shows under `hostile` (not the URL: two simulators of one seed have
    /// the same state).
    pub(crate) fn state_json(&self) -> Value {
        let requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        json!({"decoy_requests": *requests})
    }

    pub(crate) fn clear(&self) {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// The decoy's fake body: a token answer for the token path, else a one-item list named after
/// the last path segment.
pub(crate) fn fake_body(path: &str) -> Value {
    if path.ends_with("/access_token") {
        return json!({"access_token": "decoy-token-0000", "expires_in": 900, "scope": "read"});
    }
    let key = path.rsplit('/').next().unwrap_or("items");
    json!({
        "count": 1,
        key: [{"id": "decoy0000000000000000000000000000", "decoy": true}],
        "pagination": {},
    })
}

async fn answer(State(requests): State<Arc<Mutex<Vec<Value>>>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    requests
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(json!({
            "method": req.method().as_str(),
            "path": path,
            "query": req.uri().query(),
            "authorization": req.headers().contains_key(header::AUTHORIZATION),
        }));
    ok_json(fake_body(&path))
}
