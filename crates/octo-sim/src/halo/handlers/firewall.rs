//! Firewall policies, rules and zones (zone writes), and the static collections (firewall services and interfaces, CSM/FIM/LIDS/special-events policies).

use super::*;

// ---------------------------------------------------------------------------------------------
// Firewall

pub(super) async fn list_fw_policies(
    State(sh): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
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

pub(super) async fn get_fw_policy(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    let st = sh.halo();
    match st.base.fw_policies.iter().find(|p| s(p, "id") == id) {
        Some(p) => wrap("firewall_policy", render_policy(p, &st.live.zones, true)),
        None => not_found("firewall policy"),
    }
}

pub(super) async fn list_fw_rules(
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

pub(super) async fn get_fw_rule(
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

pub(super) async fn list_zones(
    State(sh): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let c = ctx(&sh, &uri, &headers);
    let pr = tri!(page_req(&c.query, sh.cfg.max_page_depth));
    let st = sh.halo();
    list_all(&c, "firewall_zones", st.live.zones.clone(), pr)
}

pub(super) async fn get_zone(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
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
pub(super) async fn put_zone(
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
pub(super) async fn create_zone(State(sh): State<Arc<Shared>>, uri: Uri, body: Bytes) -> Response {
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

pub(super) async fn delete_zone(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
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
        pub(super) async fn $list(
            State(sh): State<Arc<Shared>>,
            uri: Uri,
            headers: HeaderMap,
        ) -> Response {
            let c = ctx(&sh, &uri, &headers);
            let pr = tri!(page_req(&c.query, sh.cfg.max_page_depth));
            let st = sh.halo();
            list_all(&c, $plural, st.base.$field.clone(), pr)
        }
        pub(super) async fn $get(
            State(sh): State<Arc<Shared>>,
            Path(id): Path<String>,
        ) -> Response {
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
