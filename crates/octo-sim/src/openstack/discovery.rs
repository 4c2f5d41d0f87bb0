//! Version discovery: the documents every real OpenStack client (keystoneauth, openstacksdk,
//! gophercloud, sec-takedown) reads before anything else. Unauthenticated, as the services
//! serve them; every `href` is absolute and points at this simulator (the request's `Host` when
//! bound to an unspecified address). Shapes and status codes: `bin-docs/octo-sim.md`
//! § "OpenStack version discovery".

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::reply;
use crate::Shared;
use crate::util::ReqCtx;

/// The Keystone v3 minor version served (Ussuri and later report 3.14).
pub(crate) const KEYSTONE_VERSION: &str = "v3.14";
/// The newest Glance v2 minor version served.
const GLANCE_CURRENT: u32 = 16;

fn base(sh: &Shared, headers: &HeaderMap) -> String {
    ReqCtx::new(
        &sh.base_url,
        sh.use_host_header,
        &axum::http::Uri::from_static("/"),
        headers,
    )
    .base
}

fn self_link(href: String) -> Value {
    json!([{"rel": "self", "href": href}])
}

fn keystone_v3(base: &str) -> Value {
    json!({
        "id": KEYSTONE_VERSION,
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "links": self_link(format!("{base}/identity/v3/")),
        "media-types": [{"base": "application/json",
                         "type": "application/vnd.openstack.identity-v3+json"}],
    })
}

/// `GET /identity`: 300 Multiple Choices, `{"versions": {"values": [...]}}`.
pub(crate) async fn identity_versions(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Response {
    let b = base(&sh, &headers);
    reply(
        StatusCode::MULTIPLE_CHOICES,
        json!({"versions": {"values": [keystone_v3(&b)]}}),
    )
}

/// `GET /identity/v3`: 200, `{"version": {...}}`.
pub(crate) async fn identity_v3(State(sh): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let b = base(&sh, &headers);
    reply(StatusCode::OK, json!({"version": keystone_v3(&b)}))
}

fn nova_v21(base: &str, max: (u32, u32)) -> Value {
    json!({
        "id": "v2.1",
        "status": "CURRENT",
        "version": format!("{}.{}", max.0, max.1),
        "min_version": "2.1",
        "updated": "2013-07-23T11:33:21Z",
        "links": [{"rel": "self", "href": format!("{base}/compute/v2.1/")},
                  {"rel": "describedby", "type": "text/html", "href": "https://docs.openstack.org/"}],
        "media-types": [{"base": "application/json",
                         "type": "application/vnd.openstack.compute+json;version=2.1"}],
    })
}

/// `GET /compute/`: 200, `{"versions": [v2.0 SUPPORTED, v2.1 CURRENT]}` (Nova answers 300
/// only for a path it cannot route).
pub(crate) async fn compute_versions(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Response {
    let b = base(&sh, &headers);
    let v20 = json!({
        "id": "v2.0",
        "status": "SUPPORTED",
        "version": "",
        "min_version": "",
        "updated": "2011-01-21T11:33:21Z",
        "links": self_link(format!("{b}/compute/v2/")),
    });
    reply(
        StatusCode::OK,
        json!({"versions": [v20, nova_v21(&b, sh.cfg.nova_max_microversion)]}),
    )
}

/// `GET /compute/v2.1`: 200, `{"version": {... "version": max, "min_version": "2.1"}}`.
pub(crate) async fn compute_v21(State(sh): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let b = base(&sh, &headers);
    reply(
        StatusCode::OK,
        json!({"version": nova_v21(&b, sh.cfg.nova_max_microversion)}),
    )
}

fn glance_list(base: &str) -> Value {
    let versions: Vec<Value> = (0..=GLANCE_CURRENT)
        .rev()
        .map(|minor| {
            json!({
                "id": format!("v2.{minor}"),
                "status": if minor == GLANCE_CURRENT { "CURRENT" } else { "SUPPORTED" },
                "links": self_link(format!("{base}/image/v2/")),
            })
        })
        .collect();
    json!({ "versions": versions })
}

/// `GET /image`, `GET /image/v2`: 300, `{"versions": [v2.16 CURRENT, v2.15 … v2.0 SUPPORTED]}`
/// (Glance has no single-version document; its version negotiation answers the list).
pub(crate) async fn image_versions(State(sh): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let b = base(&sh, &headers);
    reply(StatusCode::MULTIPLE_CHOICES, glance_list(&b))
}

/// `GET /image/versions`: the same list with 200.
pub(crate) async fn image_versions_ok(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Response {
    let b = base(&sh, &headers);
    reply(StatusCode::OK, glance_list(&b))
}

/// `GET /network`: 200, `{"versions": [{"id": "v2.0", "status": "CURRENT", ...}]}`.
pub(crate) async fn network_versions(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Response {
    let b = base(&sh, &headers);
    reply(
        StatusCode::OK,
        json!({"versions": [{"id": "v2.0", "status": "CURRENT",
                             "links": self_link(format!("{b}/network/v2.0/"))}]}),
    )
}

/// `GET /network/v2.0`: 200, `{"resources": [{"name", "collection", "links"}]}`.
pub(crate) async fn network_v20(State(sh): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let b = base(&sh, &headers);
    let resources: Vec<Value> = [
        ("port", "ports"),
        ("floatingip", "floatingips"),
        ("security_group", "security_groups"),
        ("network", "networks"),
        ("subnet", "subnets"),
    ]
    .iter()
    .map(|(name, coll)| {
        json!({"name": name, "collection": coll,
               "links": self_link(format!("{b}/network/v2.0/{}", coll.replace('_', "-")))})
    })
    .collect();
    reply(StatusCode::OK, json!({ "resources": resources }))
}
