//! Nova server actions (pause, lock, snapshot … with their state checks), delete, metadata and
//! instance actions.

use super::*;

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
                    let iid = crate::openstack::uuid(
                        os.seed ^ 0xBEEF,
                        "snapshot",
                        os.images.len() as u64,
                    );
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
