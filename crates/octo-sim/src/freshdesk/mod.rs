//! Simulated FreshDesk API v2 (`/api/v2`), as `shared/reference/openstack-freshdesk.md` §5
//! describes it: outbound email, tickets, notes, replies, updates, conversations, listing and
//! search; HTTP Basic auth with the API key as user name; `X-RateLimit-*` headers and 429 with
//! `Retry-After` when the per-minute budget is spent.
//!
//! Test-only route: `PUT /_sim/freshdesk/knobs` `{"rate_per_min": N, "search_lag_ms": MS}`
//! (search does not see tickets younger than `search_lag_ms`, like FreshDesk's index lag).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Map, Value, json};

use crate::Shared;
use crate::openstack::fmt_s;

/// The API key the simulator accepts (Basic auth user name; any password).
pub const FRESHDESK_KEY: &str = "sim-freshdesk-key-0000";

/// All FreshDesk state.
pub(crate) struct FdState {
    pub tickets: Vec<(i64, Map<String, Value>)>,
    pub conversations: Vec<Map<String, Value>>,
    pub contacts: Vec<Value>,
    pub next_ticket: u64,
    pub next_conv: u64,
    pub rate_per_min: u64,
    pub search_lag_ms: i64,
    window_start_ms: i64,
    window_used: u64,
}

impl FdState {
    pub fn new() -> FdState {
        FdState {
            tickets: Vec::new(),
            conversations: Vec::new(),
            contacts: Vec::new(),
            next_ticket: 4201,
            next_conv: 6_000_100_001,
            rate_per_min: 0,
            search_lag_ms: 0,
            window_start_ms: 0,
            window_used: 0,
        }
    }

    pub fn state_json(&self) -> Value {
        let tickets: Vec<Value> = self
            .tickets
            .iter()
            .map(|(_, t)| {
                let mut t = t.clone();
                let convs: Vec<Value> = self
                    .conversations
                    .iter()
                    .filter(|c| c.get("ticket_id") == t.get("id"))
                    .map(|c| Value::Object(c.clone()))
                    .collect();
                t.insert("conversations".into(), Value::Array(convs));
                Value::Object(t)
            })
            .collect();
        json!({"tickets": tickets, "contacts": self.contacts, "rate_per_min": self.rate_per_min,
               "search_lag_ms": self.search_lag_ms})
    }

    fn contact_for(&mut self, email: &str, name: Option<&str>, now: i64) -> u64 {
        if let Some(c) = self.contacts.iter().find(|c| c["email"] == json!(email)) {
            return c["id"].as_u64().unwrap_or(0);
        }
        let id = 6_000_500_000 + self.contacts.len() as u64 + 1;
        self.contacts.push(
            json!({"id": id, "name": name.unwrap_or(email), "email": email,
            "created_at": fmt_s(now), "updated_at": fmt_s(now)}),
        );
        id
    }
}

fn fd_error(status: StatusCode, description: &str, errors: Vec<Value>) -> Response {
    (
        status,
        axum::Json(json!({"description": description, "errors": errors})),
    )
        .into_response()
}

fn field_err(field: &str, message: &str, code: &str) -> Value {
    json!({"field": field, "message": message, "code": code})
}

/// Auth + rate limit. `Ok(remaining)` or the error response.
fn gate(sh: &Shared, h: &HeaderMap) -> Result<(u64, u64), Response> {
    let key_ok = h
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| crate::halo::auth::b64decode(b.trim()))
        .and_then(|d| String::from_utf8(d).ok())
        .is_some_and(|d| d.split_once(':').map(|(u, _)| u) == Some(FRESHDESK_KEY));
    if !key_ok {
        return Err((
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"code": "invalid_credentials", "message": "You have to be logged in to perform this action."})),
        )
            .into_response());
    }
    let now = sh.now_ms();
    let mut fd = sh.freshdesk_mut();
    if now - fd.window_start_ms >= 60_000 {
        fd.window_start_ms = now;
        fd.window_used = 0;
    }
    let total = if fd.rate_per_min == 0 {
        50_000
    } else {
        fd.rate_per_min
    };
    if fd.window_used >= total {
        let wait = ((fd.window_start_ms + 60_000 - now) / 1000).max(1);
        let mut r = fd_error(
            StatusCode::TOO_MANY_REQUESTS,
            "You have exceeded the limit of requests per minute",
            vec![],
        );
        let hs = r.headers_mut();
        for (k, v) in [
            ("retry-after", wait.to_string()),
            ("x-ratelimit-total", total.to_string()),
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-used-currentrequest", "1".into()),
        ] {
            if let Ok(v) = HeaderValue::from_str(&v) {
                hs.insert(k, v);
            }
        }
        return Err(r);
    }
    fd.window_used += 1;
    Ok((total, total - fd.window_used))
}

fn with_rate(mut r: Response, (total, remaining): (u64, u64)) -> Response {
    let hs = r.headers_mut();
    for (k, v) in [
        ("x-ratelimit-total", total),
        ("x-ratelimit-remaining", remaining),
        ("x-ratelimit-used-currentrequest", 1),
    ] {
        if let Ok(v) = HeaderValue::from_str(&v.to_string()) {
            hs.insert(k, v);
        }
    }
    r
}

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}

// After `tri!`, so that these modules can use it.
mod conversations;
mod search;
mod tickets;

use conversations::{add_note, add_reply, conversations};
use search::{list_tickets, search};
use tickets::{create_ticket, get_ticket, outbound_email, update_ticket};

fn parse_body(body: &Bytes) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(fd_error(
            StatusCode::BAD_REQUEST,
            "Validation failed",
            vec![field_err(
                "",
                "Request body has invalid json format",
                "invalid_json",
            )],
        )),
    }
}

fn strip_html(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn string_list(
    m: &Map<String, Value>,
    field: &str,
    max_len: usize,
    errors: &mut Vec<Value>,
) -> Vec<Value> {
    match m.get(field) {
        None => vec![],
        Some(Value::Array(a)) => {
            for x in a {
                match x.as_str() {
                    Some(s) if s.chars().count() <= max_len => {}
                    _ => {
                        errors.push(field_err(field, &format!("It should contain elements of type String with at most {max_len} characters"), "invalid_value"));
                        break;
                    }
                }
            }
            a.clone()
        }
        Some(_) => {
            errors.push(field_err(
                field,
                "It should be a/an Array",
                "datatype_mismatch",
            ));
            vec![]
        }
    }
}

fn pos_int(m: &Map<String, Value>, field: &str, errors: &mut Vec<Value>) -> Option<u64> {
    match m.get(field) {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(n) if n > 0 => Some(n),
            _ => {
                errors.push(field_err(
                    field,
                    "It should be a/an Positive Integer",
                    "datatype_mismatch",
                ));
                None
            }
        },
    }
}

fn not_found() -> Response {
    fd_error(StatusCode::NOT_FOUND, "Resource not found", vec![])
}

fn pairs(q: &Option<String>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn page_of(q: &[(String, String)]) -> (usize, usize) {
    let get = |k: &str| {
        q.iter()
            .find(|(qk, _)| qk == k)
            .and_then(|(_, v)| v.parse::<usize>().ok())
    };
    (
        get("page").unwrap_or(1).max(1),
        get("per_page").unwrap_or(30).clamp(1, 100),
    )
}

async fn sim_knobs(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": "body must be a JSON object"})),
        )
            .into_response();
    };
    let mut fd = sh.freshdesk_mut();
    if let Some(v) = m.get("rate_per_min").and_then(Value::as_u64) {
        fd.rate_per_min = v;
        fd.window_used = 0;
    }
    if let Some(v) = m.get("search_lag_ms").and_then(Value::as_i64) {
        fd.search_lag_ms = v;
    }
    (
        StatusCode::OK,
        axum::Json(json!({"rate_per_min": fd.rate_per_min, "search_lag_ms": fd.search_lag_ms})),
    )
        .into_response()
}

/// All FreshDesk routes.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v2/tickets/outbound_email", post(outbound_email))
        .route("/api/v2/tickets", post(create_ticket).get(list_tickets))
        .route("/api/v2/tickets/{id}", get(get_ticket).put(update_ticket))
        .route("/api/v2/tickets/{id}/notes", post(add_note))
        .route("/api/v2/tickets/{id}/reply", post(add_reply))
        .route("/api/v2/tickets/{id}/conversations", get(conversations))
        .route("/api/v2/search/tickets", get(search))
        .route("/_sim/freshdesk/knobs", put(sim_knobs))
}
