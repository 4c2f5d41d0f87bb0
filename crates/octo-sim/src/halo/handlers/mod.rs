//! HTTP handlers of the simulated Halo API.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::Extension;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use super::auth::{Caller, access_token, require_token};
use super::events::{EvQuery, query};
use super::firewall::{render_policy, valid_ip_list};
use super::world::{finding_detail, s};
use crate::Shared;
use crate::util::{
    ReqCtx, error, hex_id, list_all, list_response, not_found, ok_json, page_req, unwrap_body,
};

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}

// After `tri!`, so that the handler modules can use it.
mod firewall;
mod issues;
mod scans;
mod servers;

use firewall::{
    create_zone, delete_zone, get_csm, get_fim, get_fw_policy, get_fw_rule, get_interface,
    get_lids, get_se, get_service, get_zone, list_csm, list_fim, list_fw_policies, list_fw_rules,
    list_interfaces, list_lids, list_se, list_services, list_zones, put_zone,
};
pub(crate) use issues::render_issue;
use issues::{get_issue, list_issues};
use scans::{get_finding, get_scan, list_scans};
use servers::{
    get_group, get_server, group_servers, list_groups, list_servers, put_server, server_issues,
    server_svm,
};

/// All Halo routes. API routes require a bearer token; the token endpoint does not.
pub(crate) fn routes(sh: Arc<Shared>) -> Router<Arc<Shared>> {
    let api = Router::new()
        .route("/v1/groups", get(list_groups))
        .route("/v1/groups/{id}", get(get_group))
        .route("/v1/groups/{id}/servers", get(group_servers))
        .route("/v1/servers", get(list_servers))
        .route("/v1/servers/{id}", get(get_server).put(put_server))
        .route("/v1/servers/{id}/issues", get(server_issues))
        .route("/v1/servers/{id}/svm", get(server_svm))
        .route("/v3/issues", get(list_issues))
        .route("/v3/issues/{id}", get(get_issue))
        .route("/v1/events", get(list_events))
        .route("/v1/scans", get(list_scans))
        .route("/v1/scans/{id}", get(get_scan))
        .route("/v1/scans/{id}/findings/{fid}", get(get_finding))
        .route("/v1/firewall_policies", get(list_fw_policies))
        .route("/v1/firewall_policies/{id}", get(get_fw_policy))
        .route(
            "/v1/firewall_policies/{id}/firewall_rules",
            get(list_fw_rules),
        )
        .route(
            "/v1/firewall_policies/{id}/firewall_rules/{rid}",
            get(get_fw_rule),
        )
        .route("/v1/firewall_zones", get(list_zones).post(create_zone))
        .route(
            "/v1/firewall_zones/{id}",
            get(get_zone).put(put_zone).delete(delete_zone),
        )
        .route("/v1/firewall_services", get(list_services))
        .route("/v1/firewall_services/{id}", get(get_service))
        .route("/v1/firewall_interfaces", get(list_interfaces))
        .route("/v1/firewall_interfaces/{id}", get(get_interface))
        .route("/v1/policies", get(list_csm))
        .route("/v1/policies/{id}", get(get_csm))
        .route("/v1/fim_policies", get(list_fim))
        .route("/v1/fim_policies/{id}", get(get_fim))
        .route("/v1/lids_policies", get(list_lids))
        .route("/v1/lids_policies/{id}", get(get_lids))
        .route("/v1/special_events_policies", get(list_se))
        .route("/v1/special_events_policies/{id}", get(get_se))
        .route_layer(middleware::from_fn_with_state(sh, require_token));
    Router::new()
        .route("/oauth/access_token", post(access_token))
        .merge(api)
}

fn ctx(sh: &Shared, uri: &Uri, headers: &HeaderMap) -> ReqCtx {
    ReqCtx::new(&sh.base_url, sh.use_host_header, uri, headers)
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

fn wrap(key: &str, v: Value) -> Response {
    let mut m = Map::new();
    m.insert(key.into(), v);
    ok_json(Value::Object(m))
}

fn list_lc(ctx: &ReqCtx, key: &str) -> Option<Vec<String>> {
    ctx.query
        .list(key)
        .map(|v| v.into_iter().map(|x| x.to_lowercase()).collect())
}

// ---------------------------------------------------------------------------------------------
// Events

/// `GET /v1/events`. `since` and `until` are both INCLUSIVE here (Halo documents `since` as
/// inclusive; for `until` the simulator picks inclusive, so clients that want a half-open window
/// must drop `created_at == until` themselves). Timestamps compare at microsecond precision.
/// `group_id` matches the group the server was in when the event was recorded (the group whose
/// name the event carries), since events hold only `server_group_name`.
async fn list_events(State(sh): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    let c = ctx(&sh, &uri, &headers);
    let pr = tri!(page_req(&c.query, sh.cfg.max_page_depth));
    let desc = match c.query.get("sort_by").map(str::trim) {
        None | Some("") | Some("created_at.asc") | Some("created_at") => false,
        Some("created_at.desc") => true,
        Some(o) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("invalid sort_by {o:?}"),
            );
        }
    };
    let q = EvQuery {
        since_us: tri!(c.query.time_us("since")),
        until_us: tri!(c.query.time_us("until")),
        desc,
        types: c.query.list("type"),
        critical: tri!(c.query.bool("critical")),
        server_ids: c.query.list("server_id"),
        group_ids: c.query.list("group_id"),
        platforms: c.query.list("server_platform"),
    };
    let st = sh.halo();
    let (count, items) = query(&st.base, &st.live.extras, &q, pr.offset(), pr.per_page);
    list_response(&c, "events", count, items, pr)
}
