//! The body mutations of hostile mode, applied to an answer the Halo routes already built.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::Knob;

/// The HTML page `html-200` serves.
pub(crate) const HTML_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\
<body><h1>Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>\n";

/// The `created_at` of every item under `bad-created-at`.
pub(crate) const BAD_TIME: &str = "2024-13-45T25:61:61Z";

/// `huge-expires-in`: 2^63.
const HUGE: u64 = 1 << 63;

/// Mutate one answer for the knobs in force (`self_url`: the absolute URL of the request).
pub(crate) async fn answer(resp: Response, knobs: &[Knob], self_url: &str) -> Response {
    if knobs.contains(&Knob::Html200) {
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            HTML_PAGE,
        )
            .into_response();
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut bytes = bytes.to_vec();
    if parts.status == StatusCode::OK
        && let Ok(Value::Object(mut m)) = serde_json::from_slice::<Value>(&bytes)
    {
        json_body(&mut m, knobs, self_url);
        bytes = Value::Object(m).to_string().into_bytes();
    }
    if knobs.contains(&Knob::TruncatedBody) {
        bytes.truncate(bytes.len() / 2);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    Response::from_parts(parts, Body::from(bytes))
}

/// The JSON mutations of a 200 answer: a token answer, a list page or a wrapped object.
fn json_body(m: &mut Map<String, Value>, knobs: &[Knob], self_url: &str) {
    if m.contains_key("access_token") {
        if knobs.contains(&Knob::HugeExpiresIn) {
            m.insert("expires_in".into(), json!(HUGE));
        }
        if knobs.contains(&Knob::NegativeExpiresIn) {
            let ttl = m.get("expires_in").and_then(Value::as_i64).unwrap_or(0);
            m.insert("expires_in".into(), json!(-ttl));
        }
        return;
    }
    let list_key = if m.contains_key("count") && m.contains_key("pagination") {
        m.iter().find(|(_, v)| v.is_array()).map(|(k, _)| k.clone())
    } else {
        None
    };
    match list_key {
        Some(key) => list_page(m, &key, knobs, self_url),
        None => wrapped(m, knobs),
    }
}

fn list_page(m: &mut Map<String, Value>, key: &str, knobs: &[Knob], self_url: &str) {
    if let Some(Value::Array(items)) = m.get_mut(key) {
        items_mutations(items, knobs);
        if knobs.contains(&Knob::BackwardsCreatedAt) {
            items.reverse();
        }
        if knobs.contains(&Knob::BadItems) {
            items.insert(0, Value::Null);
            items.push(json!(42));
        }
    }
    if knobs.contains(&Knob::NullList) {
        m.insert(key.into(), Value::Null);
    }
    if knobs.contains(&Knob::MissingWrapper) {
        m.remove(key);
    }
    if knobs.contains(&Knob::MissingNext) {
        m.insert("pagination".into(), json!({}));
    }
    if knobs.contains(&Knob::LoopingNext) {
        m.insert("pagination".into(), json!({ "next": self_url }));
    }
    if knobs.contains(&Knob::PaginationNotObject) {
        let next = m["pagination"]["next"].as_str().unwrap_or("").to_string();
        m.insert("pagination".into(), Value::String(next));
    }
}

/// A single object wrapped in its key (`{"server": {...}}`).
fn wrapped(m: &mut Map<String, Value>, knobs: &[Knob]) {
    if m.len() != 1 {
        return;
    }
    let Some((key, Value::Object(inner))) = m.iter_mut().next() else {
        return;
    };
    let key = key.clone();
    let mut one = vec![Value::Object(std::mem::take(inner))];
    items_mutations(&mut one, knobs);
    let inner = one.pop().unwrap_or_default();
    if knobs.contains(&Knob::MissingWrapper) {
        *m = match inner {
            Value::Object(o) => o,
            _ => Map::new(),
        };
    } else {
        m.insert(key, inner);
    }
}

/// Per-item mutations: field types and `created_at`.
fn items_mutations(items: &mut [Value], knobs: &[Knob]) {
    for item in items.iter_mut().filter_map(Value::as_object_mut) {
        if knobs.contains(&Knob::BadCreatedAt) && item.contains_key("created_at") {
            item.insert("created_at".into(), json!(BAD_TIME));
        }
        if knobs.contains(&Knob::WrongTypes) {
            for v in item.values_mut() {
                *v = match std::mem::take(v) {
                    Value::String(s) => json!([s]),
                    Value::Number(n) => Value::String(n.to_string()),
                    Value::Bool(b) => Value::String(b.to_string()),
                    other => other,
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Map<String, Value> {
        let v = json!({"count": 3, "events": [
            {"id": "a", "created_at": "2024-06-01T00:00:00.000Z", "critical": true, "n": 1},
            {"id": "b", "created_at": "2024-06-01T00:00:01.000Z", "critical": false, "n": 2},
        ], "pagination": {"next": "http://h/v1/events?page=2"}});
        v.as_object().unwrap().clone()
    }

    #[test]
    fn list_knobs() {
        let mut m = page();
        json_body(&mut m, &[Knob::WrongTypes], "u");
        assert_eq!(
            m["events"][0],
            json!({"id": ["a"], "created_at": ["2024-06-01T00:00:00.000Z"], "critical": "true", "n": "1"})
        );
        let mut m = page();
        json_body(&mut m, &[Knob::PaginationNotObject], "u");
        assert_eq!(m["pagination"], json!("http://h/v1/events?page=2"));
        let mut m = page();
        json_body(
            &mut m,
            &[Knob::LoopingNext, Knob::BadItems],
            "http://h/self",
        );
        assert_eq!(m["pagination"], json!({"next": "http://h/self"}));
        assert_eq!(m["events"].as_array().unwrap().len(), 4);
        assert_eq!(m["events"][3], json!(42));
    }

    #[test]
    fn wrapped_object_and_token() {
        let mut m = json!({"firewall_policy": {"id": "p", "name": "Web"}})
            .as_object()
            .unwrap()
            .clone();
        json_body(&mut m, &[Knob::MissingWrapper], "u");
        assert_eq!(Value::Object(m), json!({"id": "p", "name": "Web"}));
        let mut t = json!({"access_token": "t", "expires_in": 900, "scope": "read"})
            .as_object()
            .unwrap()
            .clone();
        json_body(&mut t, &[Knob::NegativeExpiresIn], "u");
        assert_eq!(t["expires_in"], json!(-900));
        json_body(&mut t, &[Knob::HugeExpiresIn], "u");
        assert_eq!(t["expires_in"].as_u64(), Some(9_223_372_036_854_775_808));
    }
}
