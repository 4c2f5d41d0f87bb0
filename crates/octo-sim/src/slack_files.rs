//! Slack Web API methods a bot needs besides posting: `conversations.members` (cursor
//! pagination) and the two-step file upload (`files.getUploadURLExternal`, a POST of the bytes
//! to the returned `upload_url`, `files.completeUploadExternal`). Bot token as for
//! `chat.postMessage`; arguments form-encoded, as query string, or JSON.
//!
//! - `conversations.members?channel=C…&limit=N&cursor=…` (limit 1–1000, default 100) →
//!   `{"ok", "members", "response_metadata": {"next_cursor"}}` (`""` on the last page);
//!   a channel id must start with `C` or `G` (else `channel_not_found`); a cursor we did not hand
//!   out → `invalid_cursor`.
//! - `files.getUploadURLExternal` `filename`, `length` → `{"ok", "upload_url", "file_id"}`;
//!   `POST upload_url` with the raw bytes → `200 OK - N`; `files.completeUploadExternal`
//!   `files=[{"id", "title"?}]`, `channel_id`, `initial_comment`, `thread_ts` →
//!   `{"ok", "files": [{"id", "title"}]}` (`file_not_found` for an unknown or empty upload).
//!
//! Test hooks: `PUT /_sim/slack/members` `{"channel", "members": [...]}`;
//! `GET /_sim/slack/files/{id}` (the uploaded bytes); `GET /_sim/slack/posts` (what the bot
//! posted: `messages`, and the completed `files`).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Map, Value, json};

use crate::Shared;
use crate::slack::SLACK_TOKEN;
use crate::slack_socket::{MEMBERS, bearer, slack_err};
use crate::util::{error, ok_json};

/// One upload, from `getUploadURLExternal` on.
pub(crate) struct FileRec {
    id: String,
    filename: String,
    length: u64,
    bytes: Option<Vec<u8>>,
    title: Option<String>,
    channel_id: Option<String>,
    initial_comment: Option<String>,
    thread_ts: Option<String>,
    completed: bool,
}

impl FileRec {
    pub(crate) fn json(&self) -> Value {
        json!({
            "id": self.id, "filename": self.filename, "length": self.length,
            "received": self.bytes.as_ref().map(Vec::len),
            "title": self.title, "channel_id": self.channel_id,
            "initial_comment": self.initial_comment, "thread_ts": self.thread_ts,
            "completed": self.completed,
        })
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/api/conversations.members",
            get(members).post(members_post),
        )
        .route(
            "/api/files.getUploadURLExternal",
            get(upload_url).post(upload_url_post),
        )
        .route("/api/files.completeUploadExternal", post(complete))
        .route("/upload/v1/{id}", post(upload))
        .route("/_sim/slack/members", put(set_members))
        .route("/_sim/slack/files/{id}", get(file_bytes))
        .route("/_sim/slack/posts", get(posts))
}

/// The arguments of a Web API call: query string, then a form or JSON body.
fn args(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Map<String, Value> {
    let mut m: Map<String, Value> = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/json") {
        if let Ok(Value::Object(b)) = serde_json::from_slice(body) {
            m.extend(b);
        }
    } else {
        m.extend(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned()))),
        );
    }
    m
}

fn authed(headers: &HeaderMap) -> Result<(), Response> {
    match bearer(headers) {
        None => Err(slack_err("not_authed")),
        Some(t) if t == SLACK_TOKEN => Ok(()),
        Some(_) => Err(slack_err("invalid_auth")),
    }
}

fn text<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str).filter(|s| !s.is_empty())
}

async fn members(
    State(sh): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    members_of(&sh, &args(q.as_deref(), &headers, b""), &headers)
}

async fn members_post(
    State(sh): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    members_of(&sh, &args(q.as_deref(), &headers, &body), &headers)
}

fn members_of(sh: &Shared, a: &Map<String, Value>, headers: &HeaderMap) -> Response {
    if let Err(r) = authed(headers) {
        return r;
    }
    let Some(channel) = text(a, "channel").filter(|c| c.starts_with('C') || c.starts_with('G'))
    else {
        return slack_err("channel_not_found");
    };
    let limit = match a.get("limit").map(num) {
        None => 100,
        Some(Some(n)) if (1..=1000).contains(&n) => n as usize,
        Some(_) => return slack_err("invalid_limit"),
    };
    let start = match text(a, "cursor") {
        None => 0,
        Some(c) => match c
            .strip_prefix("dXNlcjo")
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(n) => n,
            None => return slack_err("invalid_cursor"),
        },
    };
    let st = sh.socket();
    let all: Vec<String> = st
        .members
        .get(channel)
        .cloned()
        .unwrap_or_else(|| MEMBERS.iter().map(|m| m.to_string()).collect());
    let page: Vec<&String> = all.iter().skip(start).take(limit).collect();
    let next = if start + limit < all.len() {
        format!("dXNlcjo{}", start + limit)
    } else {
        String::new()
    };
    ok_json(json!({"ok": true, "members": page, "response_metadata": {"next_cursor": next}}))
}

fn num(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

async fn upload_url(
    State(sh): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    new_upload(&sh, &args(q.as_deref(), &headers, b""), &headers)
}

async fn upload_url_post(
    State(sh): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    new_upload(&sh, &args(q.as_deref(), &headers, &body), &headers)
}

fn new_upload(sh: &Shared, a: &Map<String, Value>, headers: &HeaderMap) -> Response {
    if let Err(r) = authed(headers) {
        return r;
    }
    let (Some(filename), Some(length)) = (text(a, "filename"), a.get("length").and_then(num))
    else {
        return slack_err("invalid_arguments");
    };
    let mut st = sh.socket();
    let n = st.next_id();
    let id = format!("FSIM{n:07}");
    st.files.push(FileRec {
        id: id.clone(),
        filename: filename.to_string(),
        length,
        bytes: None,
        title: None,
        channel_id: None,
        initial_comment: None,
        thread_ts: None,
        completed: false,
    });
    let url = format!("{}/upload/v1/{id}", sh.base_url);
    ok_json(json!({"ok": true, "upload_url": url, "file_id": id}))
}

async fn upload(State(sh): State<Arc<Shared>>, Path(id): Path<String>, body: Bytes) -> Response {
    let mut st = sh.socket();
    let Some(f) = st.files.iter_mut().find(|f| f.id == id && !f.completed) else {
        return (StatusCode::NOT_FOUND, "file not found").into_response();
    };
    let n = body.len();
    f.bytes = Some(body.to_vec());
    (StatusCode::OK, format!("OK - {n}")).into_response()
}

async fn complete(
    State(sh): State<Arc<Shared>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = authed(&headers) {
        return r;
    }
    let a = args(q.as_deref(), &headers, &body);
    let files: Vec<Value> = match a.get("files") {
        Some(Value::Array(v)) => v.clone(),
        Some(Value::String(s)) => match serde_json::from_str(s) {
            Ok(Value::Array(v)) => v,
            _ => return slack_err("invalid_arguments"),
        },
        _ => return slack_err("invalid_arguments"),
    };
    let mut st = sh.socket();
    let mut out = Vec::new();
    for f in &files {
        let id = f.get("id").and_then(Value::as_str).unwrap_or("");
        let ok = st
            .files
            .iter()
            .any(|r| r.id == id && r.bytes.as_ref().is_some_and(|b| !b.is_empty()));
        if !ok {
            return slack_err("file_not_found");
        }
    }
    for f in &files {
        let id = f.get("id").and_then(Value::as_str).unwrap_or("");
        if let Some(r) = st.files.iter_mut().find(|r| r.id == id) {
            r.title = f
                .get("title")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| Some(r.filename.clone()));
            r.channel_id = text(&a, "channel_id").map(str::to_string);
            r.initial_comment = text(&a, "initial_comment").map(str::to_string);
            r.thread_ts = text(&a, "thread_ts").map(str::to_string);
            r.completed = true;
            out.push(json!({"id": r.id, "title": r.title}));
        }
    }
    ok_json(json!({"ok": true, "files": out}))
}

async fn set_members(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let req: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (Some(channel), Some(list)) = (
        req.get("channel").and_then(Value::as_str),
        req.get("members").and_then(Value::as_array),
    ) else {
        return error(
            StatusCode::BAD_REQUEST,
            "body must be {\"channel\": ID, \"members\": [USER_ID, ...]}",
        );
    };
    let list: Vec<String> = list
        .iter()
        .filter_map(|m| m.as_str().map(str::to_string))
        .collect();
    let n = list.len();
    sh.socket().members.insert(channel.to_string(), list);
    ok_json(json!({"channel": channel, "members": n}))
}

async fn file_bytes(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let st = sh.socket();
    match st
        .files
        .iter()
        .find(|f| f.id == id)
        .and_then(|f| f.bytes.clone())
    {
        Some(b) => (StatusCode::OK, b).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            &format!("no uploaded bytes for {id}"),
        ),
    }
}

async fn posts(State(sh): State<Arc<Shared>>) -> Response {
    let messages = sh.slack.lock().unwrap_or_else(|e| e.into_inner()).json()["messages"].clone();
    let files: Vec<Value> = sh
        .socket()
        .files
        .iter()
        .filter(|f| f.completed)
        .map(FileRec::json)
        .collect();
    ok_json(json!({"messages": messages, "files": files}))
}
