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

fn create(sh: &Shared, m: Map<String, Value>, outbound: bool) -> Response {
    let mut errors = Vec::new();
    let email = m.get("email").and_then(Value::as_str).map(str::to_string);
    let requester_id = pos_int(&m, "requester_id", &mut errors);
    match &email {
        Some(e) if !e.contains('@') => errors.push(field_err(
            "email",
            "It should be in the 'valid email address' format",
            "invalid_value",
        )),
        None if outbound || requester_id.is_none() => errors.push(field_err(
            "email",
            "It should be a/an String",
            "missing_field",
        )),
        _ => {}
    }
    let subject = m
        .get("subject")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if subject.is_empty() {
        errors.push(field_err(
            "subject",
            "It should be a/an String",
            "missing_field",
        ));
    }
    let email_config_id = pos_int(&m, "email_config_id", &mut errors);
    if outbound && email_config_id.is_none() && !m.contains_key("email_config_id") {
        errors.push(field_err(
            "email_config_id",
            "It should be a/an Positive Integer",
            "missing_field",
        ));
    }
    let group_id = pos_int(&m, "group_id", &mut errors);
    let status = pos_int(&m, "status", &mut errors).unwrap_or(if outbound { 5 } else { 2 });
    if !(2..=7).contains(&status) {
        errors.push(field_err(
            "status",
            "It should be one of these values: '2,3,4,5,6,7'",
            "invalid_value",
        ));
    }
    let priority = pos_int(&m, "priority", &mut errors).unwrap_or(1);
    if !(1..=4).contains(&priority) {
        errors.push(field_err(
            "priority",
            "It should be one of these values: '1,2,3,4'",
            "invalid_value",
        ));
    }
    let tags = string_list(&m, "tags", 32, &mut errors);
    if tags.len() > 30 {
        errors.push(field_err(
            "tags",
            "It can have at most 30 tags",
            "invalid_value",
        ));
    }
    let cc = string_list(&m, "cc_emails", 255, &mut errors);
    for k in m.keys() {
        let known = [
            "email",
            "requester_id",
            "name",
            "subject",
            "description",
            "status",
            "priority",
            "source",
            "cc_emails",
            "tags",
            "group_id",
            "email_config_id",
            "type",
            "custom_fields",
            "responder_id",
            "company_id",
            "parent_id",
        ];
        if !known.contains(&k.as_str()) {
            errors.push(field_err(
                k,
                "Unexpected/invalid field in request",
                "invalid_field",
            ));
        }
    }
    if !errors.is_empty() {
        return fd_error(StatusCode::BAD_REQUEST, "Validation failed", errors);
    }
    let now = sh.now_ms();
    let mut fd = sh.freshdesk_mut();
    let name = m.get("name").and_then(Value::as_str);
    let rid = match (&email, requester_id) {
        (Some(e), _) => fd.contact_for(e, name, now),
        (None, Some(r)) => r,
        _ => 0,
    };
    let id = fd.next_ticket;
    fd.next_ticket += 1;
    let description = m
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut t = Map::new();
    for (k, v) in [
        ("id", json!(id)),
        ("subject", json!(subject)),
        ("description", json!(description)),
        ("description_text", json!(strip_html(&description))),
        ("status", json!(status)),
        ("priority", json!(priority)),
        (
            "source",
            json!(if outbound {
                10
            } else {
                m.get("source").and_then(Value::as_u64).unwrap_or(2)
            }),
        ),
        ("requester_id", json!(rid)),
        (
            "responder_id",
            m.get("responder_id").cloned().unwrap_or(Value::Null),
        ),
        ("group_id", json!(group_id)),
        ("email_config_id", json!(email_config_id)),
        ("cc_emails", json!(cc)),
        ("fwd_emails", json!([])),
        ("reply_cc_emails", json!(cc)),
        ("to_emails", json!(email.iter().collect::<Vec<_>>())),
        ("tags", json!(tags)),
        ("type", m.get("type").cloned().unwrap_or(Value::Null)),
        (
            "custom_fields",
            m.get("custom_fields").cloned().unwrap_or(json!({})),
        ),
        ("spam", json!(false)),
        ("is_escalated", json!(false)),
        ("fr_escalated", json!(false)),
        ("due_by", json!(fmt_s(now + 86_400_000))),
        ("fr_due_by", json!(fmt_s(now + 3_600_000))),
        ("created_at", json!(fmt_s(now))),
        ("updated_at", json!(fmt_s(now))),
        ("attachments", json!([])),
    ] {
        t.insert(k.into(), v);
    }
    fd.tickets.push((now, t.clone()));
    drop(fd);
    sh.record_mutation(
        "POST",
        if outbound {
            "/api/v2/tickets/outbound_email"
        } else {
            "/api/v2/tickets"
        },
        &serde_json::to_vec(&Value::Object(m)).unwrap_or_default(),
    );
    let mut r = (StatusCode::CREATED, axum::Json(Value::Object(t))).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("{}/api/v2/tickets/{id}", sh.base_url)) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

async fn outbound_email(State(sh): State<Arc<Shared>>, h: HeaderMap, body: Bytes) -> Response {
    let rate = tri!(gate(&sh, &h));
    let m = tri!(parse_body(&body));
    with_rate(create(&sh, m, true), rate)
}

async fn create_ticket(State(sh): State<Arc<Shared>>, h: HeaderMap, body: Bytes) -> Response {
    let rate = tri!(gate(&sh, &h));
    let m = tri!(parse_body(&body));
    with_rate(create(&sh, m, false), rate)
}

fn not_found() -> Response {
    fd_error(StatusCode::NOT_FOUND, "Resource not found", vec![])
}

fn pairs(q: &Option<String>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

async fn get_ticket(
    State(sh): State<Arc<Shared>>,
    h: HeaderMap,
    Path(id): Path<u64>,
    RawQuery(q): RawQuery,
) -> Response {
    let rate = tri!(gate(&sh, &h));
    let include = pairs(&q)
        .into_iter()
        .find(|(k, _)| k == "include")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let fd = sh.freshdesk();
    let Some((_, t)) = fd.tickets.iter().find(|(_, t)| t["id"] == json!(id)) else {
        return with_rate(not_found(), rate);
    };
    let mut t = t.clone();
    if include.split(',').any(|i| i == "conversations") {
        let convs: Vec<Value> = fd
            .conversations
            .iter()
            .filter(|c| c["ticket_id"] == json!(id))
            .map(|c| Value::Object(c.clone()))
            .collect();
        t.insert("conversations".into(), Value::Array(convs));
    }
    if include.split(',').any(|i| i == "requester") {
        let r = fd
            .contacts
            .iter()
            .find(|c| c["id"] == t["requester_id"])
            .cloned();
        t.insert("requester".into(), r.unwrap_or(Value::Null));
    }
    with_rate(
        (StatusCode::OK, axum::Json(Value::Object(t))).into_response(),
        rate,
    )
}

async fn update_ticket(
    State(sh): State<Arc<Shared>>,
    h: HeaderMap,
    Path(id): Path<u64>,
    body: Bytes,
) -> Response {
    let rate = tri!(gate(&sh, &h));
    let m = tri!(parse_body(&body));
    let now = sh.now_ms();
    let mut fd = sh.freshdesk_mut();
    let Some((_, t)) = fd.tickets.iter_mut().find(|(_, t)| t["id"] == json!(id)) else {
        return with_rate(not_found(), rate);
    };
    let mut errors = Vec::new();
    let outbound = t["source"] == json!(10);
    for (k, v) in &m {
        match k.as_str() {
            "status" if v.as_u64().is_some_and(|s| (2..=7).contains(&s)) => {}
            "priority" if v.as_u64().is_some_and(|s| (1..=4).contains(&s)) => {}
            "group_id" | "responder_id" | "type" | "custom_fields" => {}
            "tags" | "cc_emails" if v.is_array() => {}
            "subject" | "description" if outbound => errors.push(field_err(
                k,
                "This field cannot be updated for outbound tickets",
                "readonly_field",
            )),
            "subject" | "description" => {}
            "status" | "priority" | "tags" => errors.push(field_err(
                k,
                "It should be one of the allowed values",
                "invalid_value",
            )),
            _ => errors.push(field_err(
                k,
                "Unexpected/invalid field in request",
                "invalid_field",
            )),
        }
    }
    if !errors.is_empty() {
        return with_rate(
            fd_error(StatusCode::BAD_REQUEST, "Validation failed", errors),
            rate,
        );
    }
    for (k, v) in &m {
        t.insert(k.clone(), v.clone());
    }
    t.insert("updated_at".into(), json!(fmt_s(now)));
    let out = t.clone();
    drop(fd);
    sh.record_mutation("PUT", &format!("/api/v2/tickets/{id}"), &body);
    with_rate(
        (StatusCode::OK, axum::Json(Value::Object(out))).into_response(),
        rate,
    )
}

fn add_conversation(sh: &Shared, id: u64, body: &Bytes, reply: bool) -> Response {
    let m = tri!(parse_body(body));
    let text = m
        .get("body")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if text.is_empty() {
        return fd_error(
            StatusCode::BAD_REQUEST,
            "Validation failed",
            vec![field_err(
                "body",
                "It should be a/an String",
                "missing_field",
            )],
        );
    }
    let now = sh.now_ms();
    let mut fd = sh.freshdesk_mut();
    let Some(pos) = fd.tickets.iter().position(|(_, t)| t["id"] == json!(id)) else {
        return not_found();
    };
    let cid = fd.next_conv;
    fd.next_conv += 1;
    let mut c = Map::new();
    c.insert("id".into(), json!(cid));
    c.insert("ticket_id".into(), json!(id));
    c.insert("body".into(), json!(text));
    c.insert("body_text".into(), json!(strip_html(&text)));
    c.insert("incoming".into(), json!(false));
    c.insert("user_id".into(), json!(6_000_000_001_u64));
    c.insert("attachments".into(), json!([]));
    c.insert("created_at".into(), json!(fmt_s(now)));
    c.insert("updated_at".into(), json!(fmt_s(now)));
    if reply {
        let t = fd.tickets[pos].1.clone();
        let requester = fd
            .contacts
            .iter()
            .find(|x| x["id"] == t["requester_id"])
            .and_then(|x| x["email"].as_str().map(String::from));
        let cc = m
            .get("cc_emails")
            .cloned()
            .unwrap_or_else(|| t["cc_emails"].clone());
        let mut replied_to: Vec<Value> = requester.iter().map(|r| json!(r)).collect();
        replied_to.extend(cc.as_array().cloned().unwrap_or_default());
        c.insert("kind".into(), json!("reply"));
        c.insert("private".into(), json!(false));
        c.insert("source".into(), json!(0));
        c.insert("from_email".into(), json!("support@cloud.example.org"));
        c.insert(
            "to_emails".into(),
            json!(requester.iter().collect::<Vec<_>>()),
        );
        c.insert("cc_emails".into(), cc);
        c.insert(
            "bcc_emails".into(),
            m.get("bcc_emails").cloned().unwrap_or(json!([])),
        );
        c.insert("replied_to".into(), json!(replied_to));
    } else {
        c.insert("kind".into(), json!("note"));
        c.insert(
            "private".into(),
            m.get("private").cloned().unwrap_or(json!(true)),
        );
        c.insert("source".into(), json!(2));
        c.insert(
            "notify_emails".into(),
            m.get("notify_emails").cloned().unwrap_or(json!([])),
        );
    }
    fd.tickets[pos]
        .1
        .insert("updated_at".into(), json!(fmt_s(now)));
    fd.conversations.push(c.clone());
    drop(fd);
    sh.record_mutation(
        "POST",
        &format!(
            "/api/v2/tickets/{id}/{}",
            if reply { "reply" } else { "notes" }
        ),
        body,
    );
    c.remove("kind");
    (StatusCode::CREATED, axum::Json(Value::Object(c))).into_response()
}

async fn add_note(
    State(sh): State<Arc<Shared>>,
    h: HeaderMap,
    Path(id): Path<u64>,
    body: Bytes,
) -> Response {
    let rate = tri!(gate(&sh, &h));
    with_rate(add_conversation(&sh, id, &body, false), rate)
}

async fn add_reply(
    State(sh): State<Arc<Shared>>,
    h: HeaderMap,
    Path(id): Path<u64>,
    body: Bytes,
) -> Response {
    let rate = tri!(gate(&sh, &h));
    with_rate(add_conversation(&sh, id, &body, true), rate)
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

async fn conversations(
    State(sh): State<Arc<Shared>>,
    h: HeaderMap,
    Path(id): Path<u64>,
    RawQuery(q): RawQuery,
) -> Response {
    let rate = tri!(gate(&sh, &h));
    let q = pairs(&q);
    let (page, per) = page_of(&q);
    let fd = sh.freshdesk();
    if !fd.tickets.iter().any(|(_, t)| t["id"] == json!(id)) {
        return with_rate(not_found(), rate);
    }
    let all: Vec<Value> = fd
        .conversations
        .iter()
        .filter(|c| c["ticket_id"] == json!(id))
        .map(|c| {
            let mut c = c.clone();
            c.remove("kind");
            Value::Object(c)
        })
        .collect();
    let items: Vec<Value> = all
        .iter()
        .skip((page - 1) * per)
        .take(per)
        .cloned()
        .collect();
    let mut r = (StatusCode::OK, axum::Json(Value::Array(items))).into_response();
    if all.len() > page * per
        && let Ok(v) = HeaderValue::from_str(&format!(
            "<{}/api/v2/tickets/{id}/conversations?page={}&per_page={per}>; rel=\"next\"",
            sh.base_url,
            page + 1
        ))
    {
        r.headers_mut().insert(header::LINK, v);
    }
    with_rate(r, rate)
}

/// `GET /api/v2/tickets?email=…&updated_since=…` (newest first).
async fn list_tickets(
    State(sh): State<Arc<Shared>>,
    h: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let rate = tri!(gate(&sh, &h));
    let q = pairs(&q);
    let (page, per) = page_of(&q);
    let get = |k: &str| q.iter().find(|(qk, _)| qk == k).map(|(_, v)| v.clone());
    let now = sh.now_ms();
    let fd = sh.freshdesk();
    let requester = match get("email") {
        Some(e) => match fd.contacts.iter().find(|c| c["email"] == json!(e)) {
            Some(c) => Some(c["id"].clone()),
            None => {
                return with_rate(
                    (StatusCode::OK, axum::Json(json!([]))).into_response(),
                    rate,
                );
            }
        },
        None => get("requester_id")
            .and_then(|r| r.parse::<u64>().ok())
            .map(|r| json!(r)),
    };
    let since = match get("updated_since") {
        Some(s) => match crate::util::parse_ms(&s) {
            Some(ms) => ms,
            None => {
                return with_rate(
                    fd_error(
                        StatusCode::BAD_REQUEST,
                        "Validation failed",
                        vec![field_err(
                            "updated_since",
                            "It should be in the 'combined date and time ISO8601' format",
                            "invalid_value",
                        )],
                    ),
                    rate,
                );
            }
        },
        None => now - 30 * 86_400_000,
    };
    let mut items: Vec<Value> = fd
        .tickets
        .iter()
        .rev()
        .filter(|(_, t)| requester.as_ref().is_none_or(|r| t["requester_id"] == *r))
        .filter(|(_, t)| {
            t["updated_at"]
                .as_str()
                .and_then(crate::util::parse_ms)
                .is_some_and(|u| u >= since)
        })
        .map(|(_, t)| Value::Object(t.clone()))
        .collect();
    items = items.into_iter().skip((page - 1) * per).take(per).collect();
    with_rate(
        (StatusCode::OK, axum::Json(Value::Array(items))).into_response(),
        rate,
    )
}

/// One `field:value` term of a search query.
fn term_matches(t: &Map<String, Value>, term: &str) -> Result<bool, String> {
    let (field, value) = term
        .split_once(':')
        .ok_or_else(|| format!("invalid term `{term}`"))?;
    let field = field.trim();
    let value = value.trim().trim_matches('\'');
    match field {
        "tag" => Ok(t["tags"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == value))),
        "status" | "priority" | "group_id" | "agent_id" | "requester_id" => {
            let key = if field == "agent_id" {
                "responder_id"
            } else {
                field
            };
            Ok(value.parse::<u64>().is_ok_and(|n| t[key] == json!(n)))
        }
        "type" => Ok(t["type"] == json!(value)),
        "subject" | "description" => Err(format!("`{field}` is not a searchable field")),
        other => Err(format!("`{other}` is not a searchable field")),
    }
}

/// `GET /api/v2/search/tickets?query="tag:'security' AND status:2"` (AND binds tighter than OR).
async fn search(State(sh): State<Arc<Shared>>, h: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let rate = tri!(gate(&sh, &h));
    let q = pairs(&q);
    let query = q
        .iter()
        .find(|(k, _)| k == "query")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let page = q
        .iter()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(1);
    let bad = |m: &str| {
        with_rate(
            fd_error(
                StatusCode::BAD_REQUEST,
                "Validation failed",
                vec![field_err("query", m, "invalid_value")],
            ),
            rate,
        )
    };
    if query.len() < 2 || !query.starts_with('"') || !query.ends_with('"') || query.len() > 514 {
        return bad("It should be a/an String wrapped in double quotes, at most 512 characters");
    }
    if !(1..=10).contains(&page) {
        return bad("page should be between 1 and 10");
    }
    let inner = query[1..query.len() - 1].replace(['(', ')'], " ");
    let now = sh.now_ms();
    let fd = sh.freshdesk();
    let mut results = Vec::new();
    for (created, t) in &fd.tickets {
        if now - created < fd.search_lag_ms {
            continue;
        }
        let mut any = false;
        for alt in inner.split(" OR ") {
            let mut all = true;
            for term in alt.split(" AND ") {
                match term_matches(t, term) {
                    Ok(m) => all &= m,
                    Err(e) => return bad(&e),
                }
            }
            any |= all;
        }
        if any {
            results.push(Value::Object(t.clone()));
        }
    }
    results.reverse();
    let total = results.len();
    let items: Vec<Value> = results.into_iter().skip((page - 1) * 30).take(30).collect();
    with_rate(
        (
            StatusCode::OK,
            axum::Json(json!({"results": items, "total": total})),
        )
            .into_response(),
        rate,
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
