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

/// `POST /servers/{id}/action`
pub(crate) async fn action(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (t, mv, rid) = tri!(begin(&sh, &headers));
    let Some(Value::Object(b)) = body_json(&body) else {
        return with_ids(
            fault(StatusCode::BAD_REQUEST, "Malformed request body"),
            &rid,
            mv,
        );
    };
    if b.len() != 1 {
        return with_ids(
            fault(
                StatusCode::BAD_REQUEST,
                "There is not exactly one action in the request body",
            ),
            &rid,
            mv,
        );
    }
    let (name, arg) = b.into_iter().next().unwrap_or_default();
    let now = sh.now_ms();
    let mut guard = sh.openstack_mut();
    let os = &mut *guard;
    let transition = os.transition_ms;
    let mut new_image: Option<Value> = None;
    // whether the action changed anything (os-getConsoleOutput is a read sent as a POST)
    let mut changed = false;
    let r = {
        let Some(s) = visible(os, &id, &t) else {
            return with_ids(not_found(&id), &rid, mv);
        };
        let project = s.project_id.clone();
        let start = |s: &mut Server, task: &str, to: &str| {
            s.task_state = Some(task.to_string());
            s.pending = Some(Pending {
                done_ms: now + transition,
                to: Some(to.to_string()),
            });
            s.updated_ms = now;
        };
        let transitions: &[(&str, &str, &[&str], &str)] = &[
            ("pause", "pausing", &["active"], "paused"),
            ("unpause", "unpausing", &["paused"], "active"),
            ("suspend", "suspending", &["active"], "suspended"),
            ("resume", "resuming", &["suspended"], "active"),
            ("os-stop", "powering-off", &["active", "error"], "stopped"),
            ("os-start", "powering-on", &["stopped"], "active"),
        ];
        let result: Result<(StatusCode, Option<Value>, Option<&str>), Response> = if let Some((
            _,
            task,
            ok,
            to,
        )) =
            transitions.iter().find(|x| x.0 == name)
        {
            if let Some(r) = locked_409(s, &t).or_else(|| state_check(s, &name, ok)) {
                Err(r)
            } else {
                start(s, task, to);
                Ok((StatusCode::ACCEPTED, None, Some(name.as_str())))
            }
        } else {
            match name.as_str() {
                "lock" => {
                    let reason = match &arg {
                        Value::Null => Ok(None),
                        Value::Object(m) if m.is_empty() => Ok(None),
                        Value::Object(m) if mv >= (2, 73) && m.len() == 1 => match m
                            .get("locked_reason")
                        {
                            Some(Value::String(r)) if !r.is_empty() && r.chars().count() <= 255 => {
                                Ok(Some(r.clone()))
                            }
                            _ => Err(fault(
                                StatusCode::BAD_REQUEST,
                                "Invalid input for field/attribute locked_reason.",
                            )),
                        },
                        _ => Err(fault(
                            StatusCode::BAD_REQUEST,
                            "Invalid input for field/attribute lock. Value: a lock reason needs microversion 2.73",
                        )),
                    };
                    match reason {
                        Err(r) => Err(r),
                        Ok(reason) => {
                            if t.admin || !s.locked {
                                s.locked = true;
                                s.locked_by =
                                    Some(if t.admin { "admin" } else { "owner" }.to_string());
                                s.locked_reason = reason;
                                s.updated_ms = now;
                            }
                            Ok((StatusCode::ACCEPTED, None, Some("lock")))
                        }
                    }
                }
                "unlock" => {
                    if s.locked && s.locked_by.as_deref() == Some("admin") && !t.admin {
                        Err(fault(
                            StatusCode::FORBIDDEN,
                            "Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override to be performed.",
                        ))
                    } else {
                        s.locked = false;
                        s.locked_by = None;
                        s.locked_reason = None;
                        s.updated_ms = now;
                        Ok((StatusCode::ACCEPTED, None, Some("unlock")))
                    }
                }
                "os-getConsoleOutput" => {
                    if let Some(code) = s.console_fault {
                        let st =
                            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                        Err(fault(st, "Guest does not have a console available."))
                    } else {
                        let lines: Vec<&str> = s.console.lines().collect();
                        let n = match arg.get("length") {
                            Some(Value::Number(n)) => n.as_i64().unwrap_or(-1),
                            Some(Value::String(x)) => x.parse().unwrap_or(-1),
                            _ => -1,
                        };
                        let out = if n < 0 || n as usize >= lines.len() {
                            lines.join("\n")
                        } else {
                            lines[lines.len() - n as usize..].join("\n")
                        };
                        Ok((StatusCode::OK, Some(json!({ "output": out })), None))
                    }
                }
                "createImage" => {
                    let iname = arg
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    if iname.is_empty() || iname.len() > 255 {
                        Err(fault(
                            StatusCode::BAD_REQUEST,
                            "Invalid input for field/attribute name.",
                        ))
                    } else if let Some(r) = state_check(
                        s,
                        "createImage",
                        &["active", "stopped", "paused", "suspended"],
                    ) {
                        Err(r)
                    } else {
                        let vm = s.vm_state.clone();
                        start(s, "image_snapshot", &vm);
                        let mut img = json!({
                            "id": "", "name": iname, "status": "saving", "visibility": "private",
                            "owner": project, "protected": false, "os_hidden": false,
                            "disk_format": "qcow2", "container_format": "bare", "min_disk": 10, "min_ram": 0,
                            "size": null, "created_at": fmt_s(now), "updated_at": fmt_s(now), "tags": [],
                            "image_type": "snapshot", "instance_uuid": s.id, "base_image_ref": s.image_id,
                            "_ready_ms": now + transition,
                        });
                        if let Some(Value::Object(md)) = arg.get("metadata")
                            && let Some(m) = img.as_object_mut()
                        {
                            for (k, v) in md {
                                m.insert(k.clone(), v.clone());
                            }
                        }
                        new_image = Some(img);
                        Ok((StatusCode::ACCEPTED, None, Some("createImage")))
                    }
                }
                other => Err(fault(
                    StatusCode::BAD_REQUEST,
                    &format!("There is no such action: {other}"),
                )),
            }
        };
        match result {
            Err(r) => r,
            Ok((status, body, recorded)) => {
                changed = recorded.is_some();
                let sid = s.id.clone();
                if let Some(a) = recorded {
                    record_action(os, &sid, &project, a, &t, &rid, now);
                }
                if let Some(mut img) = new_image.take() {
                    // derived from the image count only, so equal runs get equal ids
                    let iid = super::uuid(os.seed ^ 0xBEEF, "snapshot", os.images.len() as u64);
                    img["id"] = json!(iid);
                    img["self"] = json!(format!("/v2/images/{iid}"));
                    os.images.push(img);
                    if mv >= (2, 45) {
                        reply(status, json!({ "image_id": iid }))
                    } else {
                        let mut r = status.into_response();
                        if let Ok(v) =
                            HeaderValue::from_str(&format!("{}/image/v2/images/{iid}", sh.base_url))
                        {
                            r.headers_mut().insert("location", v);
                        }
                        r
                    }
                } else {
                    match body {
                        Some(b) => reply(status, b),
                        None => status.into_response(),
                    }
                }
            }
        }
    };
    drop(guard);
    if changed && r.status().is_success() {
        sh.record_mutation("POST", &format!("/compute/v2.1/servers/{id}/action"), &body);
    }
    with_ids(r, &rid, mv)
}

pub(crate) async fn delete_server(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (t, mv, rid) = tri!(begin(&sh, &headers));
    let now = sh.now_ms();
    let mut guard = sh.openstack_mut();
    let os = &mut *guard;
    let transition = os.transition_ms;
    let Some(s) = visible(os, &id, &t) else {
        return with_ids(not_found(&id), &rid, mv);
    };
    if let Some(r) = locked_409(s, &t) {
        return with_ids(r, &rid, mv);
    }
    if s.task_state.as_deref() != Some("deleting") {
        s.task_state = Some("deleting".into());
        s.pending = Some(Pending {
            done_ms: now + transition,
            to: None,
        });
        let project = s.project_id.clone();
        record_action(os, &id, &project, "delete", &t, &rid, now);
    }
    drop(guard);
    sh.record_mutation("DELETE", &format!("/compute/v2.1/servers/{id}"), &[]);
    with_ids(StatusCode::NO_CONTENT.into_response(), &rid, mv)
}

pub(crate) async fn get_metadata(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (t, mv, rid) = tri!(begin(&sh, &headers));
    let mut os = sh.openstack_mut();
    let r = match visible(&mut os, &id, &t) {
        Some(s) => reply(StatusCode::OK, json!({"metadata": s.metadata})),
        None => not_found(&id),
    };
    with_ids(r, &rid, mv)
}

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars().count() <= 255
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_:. ".contains(c))
}

/// `POST /servers/{id}/metadata`: merge the given keys.
pub(crate) async fn post_metadata(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (t, mv, rid) = tri!(begin(&sh, &headers));
    let Some(Value::Object(md)) = body_json(&body).and_then(|b| b.get("metadata").cloned()) else {
        return with_ids(
            fault(
                StatusCode::BAD_REQUEST,
                "Invalid input for field/attribute metadata.",
            ),
            &rid,
            mv,
        );
    };
    for (k, v) in &md {
        let ok = valid_key(k) && v.as_str().is_some_and(|s| s.chars().count() <= 255);
        if !ok {
            return with_ids(
                fault(
                    StatusCode::BAD_REQUEST,
                    &format!("Invalid input for field/attribute metadata. Value: {k}"),
                ),
                &rid,
                mv,
            );
        }
    }
    let mut os = sh.openstack_mut();
    let Some(s) = visible(&mut os, &id, &t) else {
        return with_ids(not_found(&id), &rid, mv);
    };
    if let Some(r) = locked_409(s, &t) {
        return with_ids(r, &rid, mv);
    }
    if !["active", "paused", "suspended", "stopped"].contains(&s.vm_state.as_str()) {
        return with_ids(
            fault(
                StatusCode::CONFLICT,
                &format!(
                    "Cannot 'update_metadata' instance {id} while it is in vm_state {}",
                    s.vm_state
                ),
            ),
            &rid,
            mv,
        );
    }
    let mut merged = s.metadata.clone();
    for (k, v) in md {
        merged.insert(k, v.as_str().unwrap_or_default().to_string());
    }
    if merged.len() > 128 {
        return with_ids(
            fault(StatusCode::FORBIDDEN, "Quota exceeded for metadata_items"),
            &rid,
            mv,
        );
    }
    s.metadata = merged.clone();
    drop(os);
    sh.record_mutation(
        "POST",
        &format!("/compute/v2.1/servers/{id}/metadata"),
        &body,
    );
    with_ids(
        reply(StatusCode::OK, json!({ "metadata": merged })),
        &rid,
        mv,
    )
}

pub(crate) async fn delete_metadata_key(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    Path((id, key)): Path<(String, String)>,
) -> Response {
    let (t, mv, rid) = tri!(begin(&sh, &headers));
    let mut os = sh.openstack_mut();
    let Some(s) = visible(&mut os, &id, &t) else {
        return with_ids(not_found(&id), &rid, mv);
    };
    if let Some(r) = locked_409(s, &t) {
        return with_ids(r, &rid, mv);
    }
    if s.metadata.remove(&key).is_none() {
        return with_ids(
            fault(StatusCode::NOT_FOUND, "Metadata item was not found"),
            &rid,
            mv,
        );
    }
    drop(os);
    sh.record_mutation(
        "DELETE",
        &format!("/compute/v2.1/servers/{id}/metadata/{key}"),
        &[],
    );
    with_ids(StatusCode::NO_CONTENT.into_response(), &rid, mv)
}

/// `GET /servers/{id}/os-instance-actions`, newest first.
pub(crate) async fn instance_actions(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (t, mv, rid) = tri!(begin(&sh, &headers));
    let mut os = sh.openstack_mut();
    if visible(&mut os, &id, &t).is_none() {
        return with_ids(not_found(&id), &rid, mv);
    }
    let mut list = os.actions.get(&id).cloned().unwrap_or_default();
    list.reverse();
    with_ids(
        reply(StatusCode::OK, json!({ "instanceActions": list })),
        &rid,
        mv,
    )
}
