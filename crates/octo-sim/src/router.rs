//! The router: every service's routes, the fault layer in front of the API routes, and the
//! test-only hooks under `/_sim/`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Value, json};

use crate::faults::{DropConnection, Fault};
use crate::shared::Shared;
use crate::util::{error, ok_json};
use crate::{Faults, freshdesk, halo, hostile, openstack, slack, slack_files, slack_socket};

// ---------------------------------------------------------------------------------------------
// Router

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let sim_routes = Router::new()
        .route("/_sim/state", get(sim_state))
        .route("/_sim/reset", post(sim_reset))
        .route("/_sim/faults", put(sim_put_faults).get(sim_get_faults))
        .route("/_sim/events", post(sim_post_events))
        .route("/_sim/servers", post(sim_post_servers))
        .route("/_sim/tokens/revoke", post(sim_revoke_tokens))
        .route("/_sim/clock", post(sim_advance_clock));
    Router::new()
        .merge(halo::handlers::routes(shared.clone()))
        .merge(openstack::routes())
        .merge(freshdesk::routes())
        .merge(sim_routes)
        .merge(slack::routes())
        .merge(slack_socket::routes())
        .merge(slack_files::routes())
        .fallback(unknown_path)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            hostile::layer,
        ))
        .layer(middleware::from_fn_with_state(shared.clone(), api_layer))
        .with_state(shared)
}

async fn unknown_path(method: Method, uri: axum::http::Uri) -> Response {
    error(
        StatusCode::NOT_FOUND,
        &format!("no such endpoint: {method} {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("method {method} not allowed on {}", uri.path()),
    )
}

/// Faults and request counters for every API route; `/_sim/*` passes straight through.
async fn api_layer(State(sh): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/_sim/") || req.uri().path() == "/_sim" {
        return next.run(req).await;
    }
    let faults = sh.faults();
    let Some(_serving) = sh.in_flight.arrive(faults.max_in_flight) else {
        let resp = error(StatusCode::TOO_MANY_REQUESTS, "too many requests in flight");
        let mut st = sh.stats();
        st.total += 1;
        *st.by_status.entry("429".to_string()).or_insert(0) += 1;
        return resp;
    };
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    let key = format!("{} {}", req.method(), req.uri());
    let fault = {
        let mut draws = sh.fault_streaks.lock().unwrap_or_else(|e| e.into_inner());
        let streak = draws.streaks.get(&key).copied().unwrap_or(0);
        let fault = if faults.max_in_a_row > 0 && streak >= faults.max_in_a_row {
            Fault::None
        } else {
            faults.decide(&mut draws.rng)
        };
        if fault == Fault::None {
            draws.streaks.remove(&key);
        } else {
            draws.streaks.insert(key, streak + 1);
        }
        fault
    };
    let resp = match fault {
        Fault::Drop => {
            {
                let mut st = sh.stats();
                st.total += 1;
                st.dropped += 1;
            }
            tracing::debug!(path = req.uri().path(), "fault: dropping connection");
            // Unwinding out of the connection task aborts it: the socket closes with no
            // response. resume_unwind skips the panic hook, so nothing is printed.
            std::panic::resume_unwind(Box::new(DropConnection));
        }
        Fault::TooMany { retry_after } => {
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded");
            if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Fault::Status(code) => error(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "simulated server error",
        ),
        Fault::None => next.run(req).await,
    };
    let mut st = sh.stats();
    st.total += 1;
    *st.by_status
        .entry(resp.status().as_u16().to_string())
        .or_insert(0) += 1;
    resp
}

/// `POST /_sim/clock` `{"advance_ms": N}` → `{"now": RFC 3339}`.
async fn sim_advance_clock(State(sh): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    let by = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("advance_ms").and_then(Value::as_u64));
    let Some(by) = by else {
        return error(
            StatusCode::BAD_REQUEST,
            "body must be {\"advance_ms\": N} with N a non-negative integer",
        );
    };
    let now = sh.advance_clock(by);
    let now = chrono::DateTime::from_timestamp_millis(now).unwrap_or_default();
    ok_json(json!({"now": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)}))
}

async fn sim_revoke_tokens(State(sh): State<Arc<Shared>>) -> Response {
    let n = sh.revoke_tokens();
    ok_json(json!({"revoked": n}))
}

async fn sim_state(State(sh): State<Arc<Shared>>) -> Response {
    ok_json(sh.state())
}

async fn sim_reset(State(sh): State<Arc<Shared>>) -> Response {
    sh.reset();
    ok_json(json!({"reset": true}))
}

async fn sim_get_faults(State(sh): State<Arc<Shared>>) -> Response {
    ok_json(serde_json::to_value(sh.faults()).unwrap_or(Value::Null))
}

async fn sim_put_faults(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Faults>(&body) {
        Ok(f) => {
            sh.set_faults(f.clone());
            ok_json(serde_json::to_value(f).unwrap_or(Value::Null))
        }
        Err(e) => error(
            StatusCode::BAD_REQUEST,
            &format!("invalid faults JSON: {e}"),
        ),
    }
}

async fn sim_post_events(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("invalid JSON: {e}")),
    };
    match sh.add_events(v) {
        Ok(v) => (StatusCode::CREATED, axum::Json(v)).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, &e),
    }
}

async fn sim_post_servers(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("invalid JSON: {e}")),
    };
    // accept the bare object or the API's wrapped form {"server": {...}}
    let v = match v {
        Value::Object(mut m) if m.len() == 1 && m.get("server").is_some_and(Value::is_object) => {
            m.remove("server").unwrap_or_default()
        }
        other => other,
    };
    let Value::Object(m) = v else {
        return error(StatusCode::BAD_REQUEST, "body must be a server object");
    };
    let now = sh.now_ms();
    let srv = sh.halo_mut().add_server(m, now);
    (StatusCode::CREATED, axum::Json(srv)).into_response()
}
