//! Tickets: create (also by outbound email), get, update.

use super::*;

fn create(sh: &Shared, m: Map<String, Value>, outbound: bool) -> Response {
    let mut errors = Vec::new();
    let email = m.get("email").and_then(Value::as_str).map(str::to_string);
    let requester_id = pos_int(&m, "requester_id", &mut errors);
    match &email {
        Some(e) if !e.contains('@') => errors.push(field_err(
            "email",
            "It should be in the 'valid email address' format",
            "invalid_value",
        )),
        None if outbound || requester_id.is_none() => errors.push(field_err(
            "email",
            "It should be a/an String",
            "missing_field",
        )),
        _ => {}
    }
    let subject = m
        .get("subject")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if subject.is_empty() {
        errors.push(field_err(
            "subject",
            "It should be a/an String",
            "missing_field",
        ));
    }
    let email_config_id = pos_int(&m, "email_config_id", &mut errors);
    if outbound && email_config_id.is_none() && !m.contains_key("email_config_id") {
        errors.push(field_err(
            "email_config_id",
            "It should be a/an Positive Integer",
            "missing_field",
        ));
    }
    let group_id = pos_int(&m, "group_id", &mut errors);
    let status = pos_int(&m, "status", &mut errors).unwrap_or(if outbound { 5 } else { 2 });
    if !(2..=7).contains(&status) {
        errors.push(field_err(
            "status",
            "It should be one of these values: '2,3,4,5,6,7'",
            "invalid_value",
        ));
    }
    let priority = pos_int(&m, "priority", &mut errors).unwrap_or(1);
    if !(1..=4).contains(&priority) {
        errors.push(field_err(
            "priority",
            "It should be one of these values: '1,2,3,4'",
            "invalid_value",
        ));
    }
    let tags = string_list(&m, "tags", 32, &mut errors);
    if tags.len() > 30 {
        errors.push(field_err(
            "tags",
            "It can have at most 30 tags",
            "invalid_value",
        ));
    }
    let cc = string_list(&m, "cc_emails", 255, &mut errors);
    for k in m.keys() {
        let known = [
            "email",
            "requester_id",
            "name",
            "subject",
            "description",
            "status",
            "priority",
            "source",
            "cc_emails",
            "tags",
            "group_id",
            "email_config_id",
            "type",
            "custom_fields",
            "responder_id",
            "company_id",
            "parent_id",
        ];
        if !known.contains(&k.as_str()) {
            errors.push(field_err(
                k,
                "Unexpected/invalid field in request",
                "invalid_field",
            ));
        }
    }
    if !errors.is_empty() {
        return fd_error(StatusCode::BAD_REQUEST, "Validation failed", errors);
    }
    let now = sh.now_ms();
    let mut fd = sh.freshdesk_mut();
    let name = m.get("name").and_then(Value::as_str);
    let rid = match (&email, requester_id) {
        (Some(e), _) => fd.contact_for(e, name, now),
        (None, Some(r)) => r,
        _ => 0,
    };
    let id = fd.next_ticket;
    fd.next_ticket += 1;
    let description = m
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut t = Map::new();
    for (k, v) in [
        ("id", json!(id)),
        ("subject", json!(subject)),
        ("description", json!(description)),
        ("description_text", json!(strip_html(&description))),
        ("status", json!(status)),
        ("priority", json!(priority)),
        (
            "source",
            json!(if outbound {
                10
            } else {
                m.get("source").and_then(Value::as_u64).unwrap_or(2)
            }),
        ),
        ("requester_id", json!(rid)),
        (
            "responder_id",
            m.get("responder_id").cloned().unwrap_or(Value::Null),
        ),
        ("group_id", json!(group_id)),
        ("email_config_id", json!(email_config_id)),
        ("cc_emails", json!(cc)),
        ("fwd_emails", json!([])),
        ("reply_cc_emails", json!(cc)),
        ("to_emails", json!(email.iter().collect::<Vec<_>>())),
        ("tags", json!(tags)),
        ("type", m.get("type").cloned().unwrap_or(Value::Null)),
        (
            "custom_fields",
            m.get("custom_fields").cloned().unwrap_or(json!({})),
        ),
        ("spam", json!(false)),
        ("is_escalated", json!(false)),
        ("fr_escalated", json!(false)),
        ("due_by", json!(fmt_s(now + 86_400_000))),
        ("fr_due_by", json!(fmt_s(now + 3_600_000))),
        ("created_at", json!(fmt_s(now))),
        ("updated_at", json!(fmt_s(now))),
        ("attachments", json!([])),
    ] {
        t.insert(k.into(), v);
    }
    fd.tickets.push((now, t.clone()));
    drop(fd);
    sh.record_mutation(
        "POST",
        if outbound {
            "/api/v2/tickets/outbound_email"
        } else {
            "/api/v2/tickets"
        },
        &serde_json::to_vec(&Value::Object(m)).unwrap_or_default(),
    );
    let mut r = (StatusCode::CREATED, axum::Json(Value::Object(t))).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("{}/api/v2/tickets/{id}", sh.base_url)) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

pub(super) async fn outbound_email(
    State(sh): State<Arc<Shared>>,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    let rate = tri!(gate(&sh, &h));
    let m = tri!(parse_body(&body));
    with_rate(create(&sh, m, true), rate)
}

pub(super) async fn create_ticket(
    State(sh): State<Arc<Shared>>,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    let rate = tri!(gate(&sh, &h));
    let m = tri!(parse_body(&body));
    with_rate(create(&sh, m, false), rate)
}

pub(super) async fn get_ticket(
    State(sh): State<Arc<Shared>>,
    h: HeaderMap,
    Path(id): Path<u64>,
    RawQuery(q): RawQuery,
) -> Response {
    let rate = tri!(gate(&sh, &h));
    let include = pairs(&q)
        .into_iter()
        .find(|(k, _)| k == "include")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let fd = sh.freshdesk();
    let Some((_, t)) = fd.tickets.iter().find(|(_, t)| t["id"] == json!(id)) else {
        return with_rate(not_found(), rate);
    };
    let mut t = t.clone();
    if include.split(',').any(|i| i == "conversations") {
        let convs: Vec<Value> = fd
            .conversations
            .iter()
            .filter(|c| c["ticket_id"] == json!(id))
            .map(|c| Value::Object(c.clone()))
            .collect();
        t.insert("conversations".into(), Value::Array(convs));
    }
    if include.split(',').any(|i| i == "requester") {
        let r = fd
            .contacts
            .iter()
            .find(|c| c["id"] == t["requester_id"])
            .cloned();
        t.insert("requester".into(), r.unwrap_or(Value::Null));
    }
    with_rate(
        (StatusCode::OK, axum::Json(Value::Object(t))).into_response(),
        rate,
    )
}

pub(super) async fn update_ticket(
    State(sh): State<Arc<Shared>>,
    h: HeaderMap,
    Path(id): Path<u64>,
    body: Bytes,
) -> Response {
    let rate = tri!(gate(&sh, &h));
    let m = tri!(parse_body(&body));
    let now = sh.now_ms();
    let mut fd = sh.freshdesk_mut();
    let Some((_, t)) = fd.tickets.iter_mut().find(|(_, t)| t["id"] == json!(id)) else {
        return with_rate(not_found(), rate);
    };
    let mut errors = Vec::new();
    let outbound = t["source"] == json!(10);
    for (k, v) in &m {
        match k.as_str() {
            "status" if v.as_u64().is_some_and(|s| (2..=7).contains(&s)) => {}
            "priority" if v.as_u64().is_some_and(|s| (1..=4).contains(&s)) => {}
            "group_id" | "responder_id" | "type" | "custom_fields" => {}
            "tags" | "cc_emails" if v.is_array() => {}
            "subject" | "description" if outbound => errors.push(field_err(
                k,
                "This field cannot be updated for outbound tickets",
                "readonly_field",
            )),
            "subject" | "description" => {}
            "status" | "priority" | "tags" => errors.push(field_err(
                k,
                "It should be one of the allowed values",
                "invalid_value",
            )),
            _ => errors.push(field_err(
                k,
                "Unexpected/invalid field in request",
                "invalid_field",
            )),
        }
    }
    if !errors.is_empty() {
        return with_rate(
            fd_error(StatusCode::BAD_REQUEST, "Validation failed", errors),
            rate,
        );
    }
    for (k, v) in &m {
        t.insert(k.clone(), v.clone());
    }
    t.insert("updated_at".into(), json!(fmt_s(now)));
    let out = t.clone();
    drop(fd);
    sh.record_mutation("PUT", &format!("/api/v2/tickets/{id}"), &body);
    with_rate(
        (StatusCode::OK, axum::Json(Value::Object(out))).into_response(),
        rate,
    )
}
