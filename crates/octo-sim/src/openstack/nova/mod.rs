//! Nova v2.1: show / list (with the `ip` regex filter), server actions with realistic state
//! transitions, metadata, delete, instance actions; microversions 2.1 up to
//! [`crate::SimConfig::nova_max_microversion`] (echoed in `OpenStack-API-Version`); fault bodies like
//! `{"conflictingRequest": {"code": 409, "message": …}}`; admin vs owner lock semantics.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::{OsState, Pending, Server, Token, body_json, fmt_s, reply};
use crate::Shared;

/// Nova's fault body: one key naming the fault.
pub(crate) fn fault(status: StatusCode, message: &str) -> Response {
    let name = match status.as_u16() {
        400 => "badRequest",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "itemNotFound",
        405 => "badMethod",
        409 => "conflictingRequest",
        413 | 429 => "overLimit",
        415 => "badMediaType",
        501 => "notImplemented",
        503 => "serviceUnavailable",
        _ => "computeFault",
    };
    reply(
        status,
        json!({ name: {"code": status.as_u16(), "message": message} }),
    )
}

/// The requested microversion (`OpenStack-API-Version: compute X.Y` or
/// `X-OpenStack-Nova-API-Version: X.Y`); absent → 2.1; `latest` → `max`; unparseable or out of
/// range (2.1 ..= `max`, [`crate::SimConfig::nova_max_microversion`]) → 406.
fn microversion(h: &HeaderMap, max: (u32, u32)) -> Result<(u32, u32), Response> {
    let raw = h
        .get("openstack-api-version")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.trim()
                .strip_prefix("compute")
                .map(|s| s.trim().to_string())
        })
        .or_else(|| {
            h.get("x-openstack-nova-api-version")
                .and_then(|v| v.to_str().ok())
                .map(|s| s.trim().to_string())
        });
    let Some(raw) = raw else {
        return Ok((2, 1));
    };
    if raw == "latest" {
        return Ok(max);
    }
    let bad = || {
        fault(
            StatusCode::NOT_ACCEPTABLE,
            &format!(
                "Version {raw} is not supported by the API. Minimum is 2.1 and maximum is {}.{}.",
                max.0, max.1
            ),
        )
    };
    let (a, b) = raw.split_once('.').ok_or_else(bad)?;
    let v = (
        a.parse::<u32>().map_err(|_| bad())?,
        b.parse::<u32>().map_err(|_| bad())?,
    );
    if v < (2, 1) || v > max {
        return Err(bad());
    }
    Ok(v)
}

/// Common preamble: token, microversion, settle transitions. Returns (token, mv, request id).
fn begin(sh: &Shared, h: &HeaderMap) -> Result<(Token, (u32, u32), String), Response> {
    let now = sh.now_ms();
    let mut os = sh.openstack_mut();
    let Some(t) = os.token(h, now) else {
        return Err(fault(
            StatusCode::UNAUTHORIZED,
            "The request you have made requires authentication.",
        ));
    };
    let mv = microversion(h, sh.cfg.nova_max_microversion)?;
    os.settle(now);
    let rid = format!("req-{}", os.next_id("request"));
    Ok((t, mv, rid))
}

fn with_ids(mut r: Response, rid: &str, mv: (u32, u32)) -> Response {
    if let Ok(v) = HeaderValue::from_str(rid) {
        r.headers_mut().insert("x-openstack-request-id", v.clone());
        r.headers_mut().insert("x-compute-request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("compute {}.{}", mv.0, mv.1)) {
        r.headers_mut().insert("openstack-api-version", v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("{}.{}", mv.0, mv.1)) {
        r.headers_mut().insert("x-openstack-nova-api-version", v);
    }
    r.headers_mut().insert(
        "vary",
        HeaderValue::from_static("OpenStack-API-Version, X-OpenStack-Nova-API-Version"),
    );
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

// After `tri!`, so that the actions can use it.
mod actions;

pub(crate) use actions::{
    action, delete_metadata_key, delete_server, get_metadata, instance_actions, post_metadata,
};

/// Server JSON as `GET /servers/{id}` answers at microversion `mv`.
pub(crate) fn render(s: &Server, mv: (u32, u32), admin: bool, images: &[Value]) -> Value {
    let _ = images;
    let image = if s.image_id.is_empty() {
        json!("")
    } else {
        json!({"id": s.image_id, "links": [{"rel": "bookmark", "href": format!("/images/{}", s.image_id)}]})
    };
    let flavor = if mv >= (2, 47) {
        s.flavor.clone()
    } else {
        json!({"id": s.flavor["original_name"], "links": []})
    };
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    put("id", json!(s.id));
    put("name", json!(s.name));
    put("status", json!(s.status()));
    put("tenant_id", json!(s.project_id));
    put("user_id", json!(s.user_id));
    put("metadata", json!(s.metadata));
    put("hostId", json!(&crate::util::hex_id(7, &s.host, 0)[..28]));
    put("image", image);
    put("flavor", flavor);
    put("created", json!(fmt_s(s.created_ms)));
    put("updated", json!(fmt_s(s.updated_ms)));
    put("addresses", s.addresses.clone());
    put("accessIPv4", json!(""));
    put("accessIPv6", json!(""));
    put("links", json!([]));
    put("OS-DCF:diskConfig", json!("MANUAL"));
    put("progress", json!(0));
    put("OS-EXT-AZ:availability_zone", json!("nova"));
    put("config_drive", json!(""));
    put("key_name", json!(s.key_name));
    put(
        "OS-SRV-USG:launched_at",
        json!(format!(
            "{}.000000",
            fmt_s(s.created_ms + 45_000).trim_end_matches('Z')
        )),
    );
    put("OS-SRV-USG:terminated_at", Value::Null);
    put(
        "security_groups",
        json!(
            s.security_groups
                .iter()
                .map(|n| json!({"name": n}))
                .collect::<Vec<_>>()
        ),
    );
    put("OS-EXT-STS:task_state", json!(s.task_state));
    put("OS-EXT-STS:vm_state", json!(s.vm_state));
    put("OS-EXT-STS:power_state", json!(s.power_state()));
    put("os-extended-volumes:volumes_attached", json!([]));
    if admin {
        put("OS-EXT-SRV-ATTR:host", json!(s.host));
        put("OS-EXT-SRV-ATTR:hypervisor_hostname", json!(s.host));
        put(
            "OS-EXT-SRV-ATTR:instance_name",
            json!(format!(
                "instance-{:08x}",
                s.created_ms as u64 % 0xffff_ffff
            )),
        );
    }
    if mv >= (2, 9) {
        put("locked", json!(s.locked));
    }
    if mv >= (2, 19) {
        put("description", Value::Null);
    }
    if mv >= (2, 26) {
        put("tags", json!([]));
    }
    if mv >= (2, 73) {
        put("locked_reason", json!(s.locked_reason));
    }
    Value::Object(m)
}

fn visible<'a>(os: &'a mut OsState, id: &str, t: &Token) -> Option<&'a mut Server> {
    os.servers
        .iter_mut()
        .find(|s| s.id == id && (t.admin || s.project_id == t.project_id))
}

fn not_found(id: &str) -> Response {
    fault(
        StatusCode::NOT_FOUND,
        &format!("Instance {id} could not be found."),
    )
}

pub(crate) async fn show(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (t, mv, rid) = tri!(begin(&sh, &headers));
    let mut os = sh.openstack_mut();
    let images = os.images.clone();
    let r = match visible(&mut os, &id, &t) {
        Some(s) => reply(
            StatusCode::OK,
            json!({"server": render(s, mv, t.admin, &images)}),
        ),
        None => not_found(&id),
    };
    with_ids(r, &rid, mv)
}

/// `GET /servers/detail`: `all_tenants` (admin), `ip` (a regex matched against fixed
/// addresses, as Nova applies it), `name`
/// (regex), `project_id`.
pub(crate) async fn list_detail(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let (t, mv, rid) = tri!(begin(&sh, &headers));
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let get = |k: &str| pairs.iter().find(|(qk, _)| qk == k).map(|(_, v)| v.clone());
    let all = t.admin
        && get("all_tenants")
            .is_some_and(|v| v.is_empty() || v == "1" || v.eq_ignore_ascii_case("true"));
    let re = |k: &str| -> Result<Option<regex::Regex>, Response> {
        match get(k) {
            None => Ok(None),
            Some(p) => regex::Regex::new(&p).map(Some).map_err(|e| {
                fault(
                    StatusCode::BAD_REQUEST,
                    &format!("Invalid regex for {k}: {e}"),
                )
            }),
        }
    };
    let ip = tri!(re("ip"));
    let name = tri!(re("name"));
    let os = sh.openstack();
    let servers: Vec<Value> = os
        .servers
        .iter()
        .filter(|s| all || s.project_id == t.project_id)
        .filter(|s| get("project_id").is_none_or(|p| p == s.project_id))
        .filter(|s| name.as_ref().is_none_or(|r| r.is_match(&s.name)))
        .filter(|s| {
            ip.as_ref().is_none_or(|r| {
                s.addresses
                    .as_object()
                    .into_iter()
                    .flat_map(|m| m.values())
                    .flat_map(|l| l.as_array().cloned().unwrap_or_default())
                    // like Nova's _ip_filter: fixed addresses only (a floating IP is Neutron's)
                    .filter(|a| a["OS-EXT-IPS:type"] != "floating")
                    .any(|a| a["addr"].as_str().is_some_and(|x| r.is_match(x)))
            })
        })
        .map(|s| render(s, mv, t.admin, &os.images))
        .collect();
    with_ids(
        reply(StatusCode::OK, json!({ "servers": servers })),
        &rid,
        mv,
    )
}

fn record_action(
    os: &mut OsState,
    s_id: &str,
    project: &str,
    action: &str,
    t: &Token,
    rid: &str,
    now: i64,
) {
    os.actions.entry(s_id.to_string()).or_default().push(json!({
        "action": action, "instance_uuid": s_id, "request_id": rid, "user_id": t.user_id,
        "project_id": project, "start_time": fmt_s(now), "updated_at": fmt_s(now), "message": null,
    }));
}

fn locked_409(s: &Server, t: &Token) -> Option<Response> {
    (s.locked && !t.admin).then(|| {
        fault(
            StatusCode::CONFLICT,
            &format!("Instance {} is locked", s.id),
        )
    })
}

/// `Cannot 'ACTION' instance ID while it is in vm_state X` / `task_state Y`.
fn state_check(s: &Server, action: &str, vm_ok: &[&str]) -> Option<Response> {
    if let Some(ts) = &s.task_state {
        return Some(fault(
            StatusCode::CONFLICT,
            &format!(
                "Cannot '{action}' instance {} while it is in task_state {ts}",
                s.id
            ),
        ));
    }
    if !vm_ok.contains(&s.vm_state.as_str()) {
        return Some(fault(
            StatusCode::CONFLICT,
            &format!(
                "Cannot '{action}' instance {} while it is in vm_state {}",
                s.id, s.vm_state
            ),
        ));
    }
    None
}
