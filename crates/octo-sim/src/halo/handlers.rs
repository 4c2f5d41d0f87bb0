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
// Groups

async fn list_groups(State(sh): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    let c = ctx(&sh, &uri, &headers);
    let pr = tri!(page_req(&c.query, sh.cfg.max_page_depth));
    let st = sh.halo();
    let all = (0..st.base.groups.len())
        .map(|i| st.render_group(i))
        .collect();
    list_all(&c, "groups", all, pr)
}

async fn get_group(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let st = sh.halo();
    match st.group_index(&id) {
        Some(i) => wrap("group", st.render_group(i)),
        None => not_found("group"),
    }
}

async fn group_servers(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let c = ctx(&sh, &uri, &headers);
    let pr = tri!(page_req(&c.query, sh.cfg.max_page_depth));
    let st = sh.halo();
    if st.group_index(&id).is_none() {
        return not_found("group");
    }
    let states = list_lc(&c, "state").unwrap_or_else(|| vec!["active".into()]);
    let all = st
        .live
        .servers
        .iter()
        .filter(|v| s(v, "group_id") == id && states.contains(&s(v, "state")))
        .cloned()
        .collect();
    list_all(&c, "servers", all, pr)
}

// ---------------------------------------------------------------------------------------------
// Servers

async fn list_servers(State(sh): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    let c = ctx(&sh, &uri, &headers);
    let pr = tri!(page_req(&c.query, sh.cfg.max_page_depth));
    let st = sh.halo();
    let states = list_lc(&c, "state").unwrap_or_else(|| vec!["active".into()]);
    let group_ids = c.query.list("group_id");
    let group_names = c.query.list("group_name");
    let hostnames = c.query.list("hostname");
    let ips = c.query.list("connecting_ip_address");
    let platforms = list_lc(&c, "platform");
    let cves: Option<Vec<String>> = c
        .query
        .list("cve")
        .map(|v| v.into_iter().map(|x| x.to_uppercase()).collect());
    let iids = c.query.list("ec2_instance_id");
    let has =
        |list: &Option<Vec<String>>, val: String| list.as_ref().is_none_or(|l| l.contains(&val));
    let all: Vec<Value> = st
        .live
        .servers
        .iter()
        .filter(|v| {
            states.contains(&s(v, "state"))
                && has(&group_ids, s(v, "group_id"))
                && has(&group_names, s(v, "group_name"))
                && has(&hostnames, s(v, "hostname"))
                && has(&ips, s(v, "connecting_ip_address"))
                && has(&platforms, s(v, "platform").to_lowercase())
                && has(
                    &iids,
                    v.pointer("/aws_ec2/ec2_instance_id")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                )
                && cves.as_ref().is_none_or(|cves| {
                    st.base.svm.get(&s(v, "id")).is_some_and(|scan| {
                        scan["findings"].as_array().into_iter().flatten().any(|f| {
                            f["status"] == "bad"
                                && f["cve_entries"]
                                    .as_array()
                                    .into_iter()
                                    .flatten()
                                    .any(|e| cves.contains(&s(e, "cve_entry").to_uppercase()))
                        })
                    })
                })
        })
        .cloned()
        .collect();
    list_all(&c, "servers", all, pr)
}

async fn get_server(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let st = sh.halo();
    match st.server_index(&id) {
        Some(i) => wrap("server", st.live.servers[i].clone()),
        None => not_found("server"),
    }
}

async fn put_server(
    State(sh): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    uri: Uri,
    body: Bytes,
) -> Response {
    let m = tri!(unwrap_body(&body, "server"));
    let now = sh.now_ms();
    let mut st = sh.halo_mut();
    let Some(si) = st.server_index(&id) else {
        return not_found("server");
    };
    let mut target = None;
    if let Some(g) = m.get("group_id") {
        let Some(g) = g.as_str() else {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "group_id must be a group id string",
            );
        };
        match st.group_index(g) {
            Some(gi) => target = Some(gi),
            None => {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("group_id {g:?} does not exist"),
                );
            }
        }
    }
    let retire = match m.get("retire") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "retire must be true or false",
            );
        }
    };
    let label = m.get("server_label").cloned();
    if target.is_none() && !retire && label.is_none() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "nothing to update: expected group_id, retire or server_label",
        );
    }
    let key_label = if caller.scope == "write" {
        "octobox read-write"
    } else {
        "octobox read-only"
    };
    if let Some(gi) = target {
        let old_path = s(&st.live.servers[si], "group_path");
        let old_id = s(&st.live.servers[si], "group_id");
        let new_id = s(&st.base.groups[gi], "id");
        if old_id != new_id {
            st.assign_group(si, gi);
            let srv = &st.live.servers[si];
            let new_path = s(srv, "group_path");
            let who = srv
                .get("server_label")
                .and_then(Value::as_str)
                .map_or_else(|| s(srv, "hostname"), str::to_string);
            let ev = json!({
                "type": "server_moved",
                "message": format!("Server {who} ({}) moved from group {old_path} to group {new_path}", s(srv, "connecting_ip_address")),
                "critical": false,
                "server_id": id,
                "actor_key_id": caller.key_id,
                "actor_key_label": key_label,
            });
            if let Value::Object(ev) = ev {
                st.add_event(ev, now);
            }
        }
    }
    if let Some(l) = label {
        st.live.servers[si]["server_label"] = l;
    }
    if retire && s(&st.live.servers[si], "state") != "retired" {
        st.live.servers[si]["state"] = json!("retired");
        st.live.servers[si]["last_state_change"] = json!(crate::util::fmt_ms(now));
        let srv = &st.live.servers[si];
        let ev = json!({
            "type": "server_retired",
            "message": format!("Server {} ({}) was retired", s(srv, "hostname"), s(srv, "connecting_ip_address")),
            "critical": false,
            "server_id": id,
            "actor_key_id": caller.key_id,
            "actor_key_label": key_label,
        });
        if let Value::Object(ev) = ev {
            st.add_event(ev, now);
        }
    }
    drop(st);
    sh.record_mutation("PUT", uri.path(), &body);
    no_content()
}

async fn server_issues(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let c = ctx(&sh, &uri, &headers);
    let pr = tri!(page_req(&c.query, sh.cfg.max_page_depth));
    let st = sh.halo();
    if st.server_index(&id).is_none() {
        return not_found("server");
    }
    let all = st
        .base
        .issues
        .iter()
        .filter(|i| s(i, "agent_id") == id)
        .map(|i| render_issue(&st, i))
        .collect();
    list_all(&c, "issues", all, pr)
}

async fn server_svm(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let st = sh.halo();
    if st.server_index(&id).is_none() {
        return not_found("server");
    }
    match st.base.svm.get(&id) {
        Some(scan) => wrap("scan", scan.clone()),
        None => error(
            StatusCode::NOT_FOUND,
            "server has never been scanned for vulnerabilities",
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Issues (v3)

pub(crate) fn render_issue(st: &super::HaloState, i: &Value) -> Value {
    let mut v = i.clone();
    if let Some(si) = st.server_index(&s(i, "agent_id")) {
        let srv = &st.live.servers[si];
        v["group_id"] = json!(s(srv, "group_id"));
        v["group_name"] = json!(s(srv, "group_name"));
        v["server_state"] = json!(s(srv, "state"));
    }
    v
}

fn cmp_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// `sort_by=field.asc,other.desc` → comparator keys; unknown direction → 422.
fn sort_keys(spec: Option<&str>) -> Result<Vec<(String, bool)>, Response> {
    let mut keys = Vec::new();
    for part in spec
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (field, dir) = part.rsplit_once('.').unwrap_or((part, "asc"));
        let desc = match dir {
            "asc" => false,
            "desc" => true,
            _ => {
                return Err(error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("invalid sort_by {part:?}"),
                ));
            }
        };
        keys.push((field.to_string(), desc));
    }
    Ok(keys)
}

fn sort_values(items: &mut [Value], keys: &[(String, bool)]) {
    items.sort_by(|a, b| {
        for (k, desc) in keys {
            let o = cmp_values(
                a.get(k).unwrap_or(&Value::Null),
                b.get(k).unwrap_or(&Value::Null),
            );
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
}

async fn list_issues(State(sh): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    let c = ctx(&sh, &uri, &headers);
    let pr = tri!(page_req(&c.query, sh.cfg.max_page_depth));
    let critical = tri!(c.query.bool("critical"));
    let descendants = tri!(c.query.bool("descendants")).unwrap_or(false);
    let since = tri!(c.query.time_us("since"));
    let until = tri!(c.query.time_us("until"));
    let keys = tri!(sort_keys(c.query.get("sort_by")));
    let st = sh.halo();
    let agents = c.query.list("agent_id");
    let groups = c.query.list("group_id").map(|g| {
        if descendants {
            st.with_descendants(&g)
        } else {
            g
        }
    });
    let status = list_lc(&c, "status");
    let types = list_lc(&c, "issue_type");
    let os = list_lc(&c, "os_type");
    let policies = c.query.list("policy_id");
    let states = list_lc(&c, "state");
    let has =
        |list: &Option<Vec<String>>, val: String| list.as_ref().is_none_or(|l| l.contains(&val));
    let mut all: Vec<Value> = st
        .base
        .issues
        .iter()
        .map(|i| render_issue(&st, i))
        .filter(|i| {
            let created = crate::util::parse_ms(&s(i, "created_at")).unwrap_or(0) * 1000;
            has(&agents, s(i, "agent_id"))
                && has(&groups, s(i, "group_id"))
                && has(&status, s(i, "status"))
                && has(&types, s(i, "issue_type"))
                && has(&os, s(i, "os_type").to_lowercase())
                && has(&policies, s(i, "policy_id"))
                && has(&states, s(i, "server_state"))
                && critical.is_none_or(|c| i["critical"] == c)
                && since.is_none_or(|t| created >= t)
                && until.is_none_or(|t| created <= t)
        })
        .collect();
    if let Some(fields) = c.query.list("group_by") {
        let mut rows: Vec<Value> = Vec::new();
        for i in &all {
            let key: Vec<Value> = fields
                .iter()
                .map(|f| i.get(f).cloned().unwrap_or(Value::Null))
                .collect();
            let found = rows
                .iter_mut()
                .find(|r| fields.iter().zip(&key).all(|(f, k)| r.get(f) == Some(k)));
            match found {
                Some(r) => r["count"] = json!(r["count"].as_u64().unwrap_or(0) + 1),
                None => {
                    let mut m = Map::new();
                    for (f, k) in fields.iter().zip(key) {
                        m.insert(f.clone(), k);
                    }
                    m.insert("count".into(), json!(1));
                    rows.push(Value::Object(m));
                }
            }
        }
        all = rows;
    }
    sort_values(&mut all, &keys);
    list_all(&c, "issues", all, pr)
}

async fn get_issue(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let st = sh.halo();
    match st.base.issues.iter().find(|i| s(i, "id") == id) {
        Some(i) => wrap("issue", render_issue(&st, i)),
        None => not_found("issue"),
    }
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

// ---------------------------------------------------------------------------------------------
// Scans

fn list_form(scan: &Value) -> Value {
    let mut v = scan.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("findings");
    }
    v
}

async fn list_scans(State(sh): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    let c = ctx(&sh, &uri, &headers);
    let pr = tri!(page_req(&c.query, sh.cfg.max_page_depth));
    let since = tri!(c.query.time_us("since"));
    let until = tri!(c.query.time_us("until"));
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
    let servers = c.query.list("server_id");
    let modules: Option<Vec<String>> = list_lc(&c, "module").map(|m| {
        m.into_iter()
            .map(|x| match x.as_str() {
                "csm" => "sca".to_string(),
                "sva" => "svm".to_string(),
                _ => x,
            })
            .collect()
    });
    let statuses = list_lc(&c, "status");
    let st = sh.halo();
    let has =
        |list: &Option<Vec<String>>, val: String| list.as_ref().is_none_or(|l| l.contains(&val));
    let mut all: Vec<Value> = st
        .base
        .scans
        .iter()
        .filter(|sc| {
            since.is_none_or(|t| sc.ts * 1000 >= t)
                && until.is_none_or(|t| sc.ts * 1000 <= t)
                && has(&servers, s(&sc.full, "server_id"))
                && has(&modules, s(&sc.full, "module"))
                && has(&statuses, s(&sc.full, "status"))
        })
        .map(|sc| list_form(&sc.full))
        .collect();
    if desc {
        all.reverse();
    }
    list_all(&c, "scans", all, pr)
}

fn find_scan<'a>(st: &'a super::HaloState, id: &str) -> Option<&'a Value> {
    st.base
        .scans
        .iter()
        .map(|sc| &sc.full)
        .find(|v| s(v, "id") == id)
        .or_else(|| st.base.svm.values().find(|v| s(v, "id") == id))
}

async fn get_scan(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let st = sh.halo();
    match find_scan(&st, &id) {
        Some(v) => wrap("scan", v.clone()),
        None => not_found("scan"),
    }
}

async fn get_finding(
    State(sh): State<Arc<Shared>>,
    Path((id, fid)): Path<(String, String)>,
) -> Response {
    let st = sh.halo();
    let Some(scan) = find_scan(&st, &id) else {
        return not_found("scan");
    };
    match scan["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| s(f, "id") == fid)
    {
        Some(f) => wrap("findings", finding_detail(st.base.seed, scan, f)),
        None => not_found("finding"),
    }
}

// ---------------------------------------------------------------------------------------------
// Firewall

async fn list_fw_policies(State(sh): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    let c = ctx(&sh, &uri, &headers);
    let pr = tri!(page_req(&c.query, sh.cfg.max_page_depth));
    let st = sh.halo();
    let all = st
        .base
        .fw_policies
        .iter()
        .map(|p| render_policy(p, &st.live.zones, true))
        .collect();
    list_all(&c, "firewall_policies", all, pr)
}

async fn get_fw_policy(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let st = sh.halo();
    match st.base.fw_policies.iter().find(|p| s(p, "id") == id) {
        Some(p) => wrap("firewall_policy", render_policy(p, &st.live.zones, true)),
        None => not_found("firewall policy"),
    }
}

async fn list_fw_rules(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let c = ctx(&sh, &uri, &headers);
    let pr = tri!(page_req(&c.query, sh.cfg.max_page_depth));
    let st = sh.halo();
    match st.base.fw_policies.iter().find(|p| s(p, "id") == id) {
        Some(p) => {
            let r = render_policy(p, &st.live.zones, true);
            let rules = r["firewall_rules"].as_array().cloned().unwrap_or_default();
            list_all(&c, "firewall_rules", rules, pr)
        }
        None => not_found("firewall policy"),
    }
}

async fn get_fw_rule(
    State(sh): State<Arc<Shared>>,
    Path((id, rid)): Path<(String, String)>,
) -> Response {
    let st = sh.halo();
    let Some(p) = st.base.fw_policies.iter().find(|p| s(p, "id") == id) else {
        return not_found("firewall policy");
    };
    let r = render_policy(p, &st.live.zones, true);
    match r["firewall_rules"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|x| s(x, "id") == rid)
    {
        Some(rule) => wrap("firewall_rule", rule.clone()),
        None => not_found("firewall rule"),
    }
}

async fn list_zones(State(sh): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    let c = ctx(&sh, &uri, &headers);
    let pr = tri!(page_req(&c.query, sh.cfg.max_page_depth));
    let st = sh.halo();
    list_all(&c, "firewall_zones", st.live.zones.clone(), pr)
}

async fn get_zone(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let resp = {
        let st = sh.halo();
        match st.live.zones.iter().find(|z| s(z, "id") == id) {
            Some(z) => wrap("firewall_zone", z.clone()),
            None => not_found("firewall zone"),
        }
    };
    sh.halo_mut().zone_race_tick(&id);
    resp
}

fn zone_fields(m: &Map<String, Value>, z: &mut Value) -> Result<(), Response> {
    for key in ["name", "description", "ip_address"] {
        match m.get(key) {
            None => {}
            Some(Value::String(v)) => {
                if key == "ip_address" {
                    valid_ip_list(v).map_err(|e| error(StatusCode::UNPROCESSABLE_ENTITY, &e))?;
                }
                if key == "name" && v.trim().is_empty() {
                    return Err(error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "name can't be blank",
                    ));
                }
                z[key] = json!(v);
            }
            Some(Value::Null) if key == "description" => z[key] = Value::Null,
            Some(_) => {
                return Err(error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("{key} must be a string"),
                ));
            }
        }
    }
    Ok(())
}

/// `PUT /v1/firewall_zones/{id}`: full replace of `ip_address` (a comma-separated string);
/// `name` and `description` may change too. 204 on success.
async fn put_zone(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    uri: Uri,
    body: Bytes,
) -> Response {
    let m = tri!(unwrap_body(&body, "firewall_zone"));
    let mut st = sh.halo_mut();
    let Some(zi) = st.live.zones.iter().position(|z| s(z, "id") == id) else {
        return not_found("firewall zone");
    };
    if let Some(name) = m.get("name").and_then(Value::as_str)
        && st
            .live
            .zones
            .iter()
            .enumerate()
            .any(|(i, z)| i != zi && s(z, "name") == name)
    {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "name has already been taken",
        );
    }
    let mut z = st.live.zones[zi].clone();
    tri!(zone_fields(&m, &mut z));
    st.live.zones[zi] = z;
    st.zone_race_tick(&id);
    drop(st);
    sh.record_mutation("PUT", uri.path(), &body);
    no_content()
}

/// `POST /v1/firewall_zones` → 201 `{"firewall_zone": {...}}`.
async fn create_zone(State(sh): State<Arc<Shared>>, uri: Uri, body: Bytes) -> Response {
    let m = tri!(unwrap_body(&body, "firewall_zone"));
    let Some(name) = m.get("name").and_then(Value::as_str) else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "name is required");
    };
    let mut st = sh.halo_mut();
    if st.live.zones.iter().any(|z| s(z, "name") == name) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "name has already been taken",
        );
    }
    st.live.created_zones += 1;
    let id = hex_id(st.base.seed, "created_zone", st.live.created_zones);
    let mut z = json!({
        "id": id, "url": format!("{}/v1/firewall_zones/{id}", st.base.base_url), "name": name,
        "ip_address": "", "description": Value::Null, "system": false, "shared": false,
        "group_id": Value::Null, "group_name": Value::Null,
    });
    if let Err(r) = zone_fields(&m, &mut z) {
        st.live.created_zones -= 1;
        return r;
    }
    st.live.zones.push(z.clone());
    drop(st);
    sh.record_mutation("POST", uri.path(), &body);
    let mut out = Map::new();
    out.insert("firewall_zone".into(), z);
    (StatusCode::CREATED, axum::Json(Value::Object(out))).into_response()
}

async fn delete_zone(State(sh): State<Arc<Shared>>, Path(id): Path<String>, uri: Uri) -> Response {
    let mut st = sh.halo_mut();
    let Some(zi) = st.live.zones.iter().position(|z| s(z, "id") == id) else {
        return not_found("firewall zone");
    };
    if st.live.zones[zi]["system"] == true {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "system zones cannot be deleted",
        );
    }
    st.live.zones.remove(zi);
    drop(st);
    sh.record_mutation("DELETE", uri.path(), b"");
    no_content()
}

// ---------------------------------------------------------------------------------------------
// Static collections (firewall services/interfaces, policies)

macro_rules! static_collection {
    ($list:ident, $get:ident, $field:ident, $plural:literal, $singular:literal, $what:literal) => {
        async fn $list(State(sh): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
            let c = ctx(&sh, &uri, &headers);
            let pr = tri!(page_req(&c.query, sh.cfg.max_page_depth));
            let st = sh.halo();
            list_all(&c, $plural, st.base.$field.clone(), pr)
        }
        async fn $get(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
            let st = sh.halo();
            match st.base.$field.iter().find(|v| s(v, "id") == id) {
                Some(v) => wrap($singular, v.clone()),
                None => not_found($what),
            }
        }
    };
}

static_collection!(
    list_services,
    get_service,
    fw_services,
    "firewall_services",
    "firewall_service",
    "firewall service"
);
static_collection!(
    list_interfaces,
    get_interface,
    fw_interfaces,
    "firewall_interfaces",
    "firewall_interface",
    "firewall interface"
);
static_collection!(
    list_csm,
    get_csm,
    csm_policies,
    "policies",
    "policy",
    "policy"
);
static_collection!(
    list_fim,
    get_fim,
    fim_policies,
    "fim_policies",
    "fim_policy",
    "FIM policy"
);
static_collection!(
    list_lids,
    get_lids,
    lids_policies,
    "lids_policies",
    "lids_policy",
    "LIDS policy"
);
static_collection!(
    list_se,
    get_se,
    se_policies,
    "special_events_policies",
    "special_events_policy",
    "special events policy"
);
