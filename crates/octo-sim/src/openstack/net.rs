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

/// Neutron's list filters: every query key (except paging ones) must match the item's field;
/// a repeated key (`id=a&id=b`) matches any of its values.
fn matches(item: &Value, filters: &[(String, String)]) -> bool {
    let mut keys: Vec<&str> = filters
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !matches!(*k, "limit" | "marker" | "fields" | "sort_key" | "sort_dir"))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys.iter().all(|k| {
        filters
            .iter()
            .filter(|(fk, _)| fk == k)
            .any(|(_, v)| match &item[*k] {
                Value::String(s) => s == v,
                Value::Bool(b) => b.to_string() == *v,
                Value::Number(n) => n.to_string() == *v,
                _ => false,
            })
    })
}

/// A Neutron list (`{"<key>": [...]}`): the caller's project only unless admin, then filters.
fn neutron_list(
    sh: &Shared,
    headers: &HeaderMap,
    q: &Option<String>,
    key: &str,
    items: fn(&super::OsState) -> &Vec<Value>,
) -> Response {
    let now = sh.now_ms();
    let os = sh.openstack();
    let Some(tok) = os.token(headers, now) else {
        return unauthorized();
    };
    let filters = pairs(q);
    let list: Vec<Value> = items(&os)
        .iter()
        .filter(|i| tok.admin || i["project_id"] == json!(tok.project_id))
        .filter(|i| matches(i, &filters))
        .cloned()
        .collect();
    reply(StatusCode::OK, json!({ key: list }))
}

/// `GET /network/v2.0/floatingips?floating_ip_address=…`
pub(crate) async fn list_floatingips(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    neutron_list(&sh, &headers, &q, "floatingips", |os| &os.floatingips)
}

/// `GET /network/v2.0/ports?device_id=…`
pub(crate) async fn list_ports(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    neutron_list(&sh, &headers, &q, "ports", |os| &os.ports)
}

/// `GET /network/v2.0/security-groups?id=a&id=b`
pub(crate) async fn list_security_groups(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    neutron_list(&sh, &headers, &q, "security_groups", |os| {
        &os.security_groups
    })
}
