//! Glance image show and Neutron ports / security groups.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::reply;
use crate::Shared;

fn unauthorized() -> Response {
    reply(
        StatusCode::UNAUTHORIZED,
        json!({"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}),
    )
}

/// `GET /image/v2/images/{id}`: the flat image object, custom properties top-level.
pub(crate) async fn get_image(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let now = sh.now_ms();
    let mut os = sh.openstack_mut();
    if os.token(&headers, now).is_none() {
        return unauthorized();
    }
    os.settle(now);
    match os.images.iter().find(|i| i["id"] == json!(id)) {
        Some(i) => {
            let mut i = i.clone();
            if let Some(m) = i.as_object_mut() {
                m.remove("_ready_ms");
            }
            reply(StatusCode::OK, i)
        }
        None => reply(
            StatusCode::NOT_FOUND,
            json!({"message": format!("No image found with ID {id}"), "code": "404 Not Found", "title": "Not Found"}),
        ),
    }
}

/// `GET /image/v2/images?name=…&status=…` (any top-level property as an exact filter).
pub(crate) async fn list_images(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let now = sh.now_ms();
    let mut os = sh.openstack_mut();
    if os.token(&headers, now).is_none() {
        return unauthorized();
    }
    os.settle(now);
    let filters = pairs(&q);
    let images: Vec<Value> = os
        .images
        .iter()
        .filter(|i| {
            filters
                .iter()
                .filter(|(k, _)| k != "limit" && k != "marker")
                .all(|(k, v)| i[k.as_str()].as_str() == Some(v.as_str()))
        })
        .map(|i| {
            let mut i = i.clone();
            if let Some(m) = i.as_object_mut() {
                m.remove("_ready_ms");
            }
            i
        })
        .collect();
    reply(
        StatusCode::OK,
        json!({"images": images, "first": "/v2/images", "schema": "/v2/schemas/images"}),
    )
}

fn pairs(q: &Option<String>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// `GET /network/v2.0/floatingips?floating_ip_address=…` (any string field as an exact filter).
pub(crate) async fn list_floatingips(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let now = sh.now_ms();
    let os = sh.openstack();
    let Some(tok) = os.token(&headers, now) else {
        return unauthorized();
    };
    let filters = pairs(&q);
    let fips: Vec<Value> = os
        .floatingips
        .iter()
        .filter(|f| tok.admin || f["project_id"] == json!(tok.project_id))
        .filter(|f| {
            filters
                .iter()
                .all(|(k, v)| f[k.as_str()].as_str() == Some(v.as_str()))
        })
        .cloned()
        .collect();
    reply(StatusCode::OK, json!({ "floatingips": fips }))
}

/// `GET /network/v2.0/ports?device_id=…` (any field of the port as an exact filter).
pub(crate) async fn list_ports(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let now = sh.now_ms();
    let os = sh.openstack();
    let Some(tok) = os.token(&headers, now) else {
        return unauthorized();
    };
    let filters = pairs(&q);
    let ports: Vec<Value> = os
        .ports
        .iter()
        .filter(|p| tok.admin || p["project_id"] == json!(tok.project_id))
        .filter(|p| {
            filters.iter().all(|(k, v)| match &p[k.as_str()] {
                Value::String(s) => s == v,
                Value::Bool(b) => b.to_string() == *v,
                Value::Null => true,
                _ => true,
            })
        })
        .cloned()
        .collect();
    reply(StatusCode::OK, json!({ "ports": ports }))
}

/// `GET /network/v2.0/security-groups?id=a&id=b` (repeated `id`, or `name`, `project_id`).
pub(crate) async fn list_security_groups(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let now = sh.now_ms();
    let os = sh.openstack();
    let Some(tok) = os.token(&headers, now) else {
        return unauthorized();
    };
    let filters = pairs(&q);
    let ids: Vec<&str> = filters
        .iter()
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| v.as_str())
        .collect();
    let sgs: Vec<Value> = os
        .security_groups
        .iter()
        .filter(|s| tok.admin || s["project_id"] == json!(tok.project_id))
        .filter(|s| ids.is_empty() || ids.iter().any(|i| s["id"] == json!(i)))
        .filter(|s| {
            filters
                .iter()
                .filter(|(k, _)| k == "name" || k == "project_id")
                .all(|(k, v)| s[k.as_str()] == json!(v))
        })
        .cloned()
        .collect();
    reply(StatusCode::OK, json!({ "security_groups": sgs }))
}
