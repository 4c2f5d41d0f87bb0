//! Conversations: notes, replies and the paginated conversation list of a ticket.

use super::*;

fn add_conversation(sh: &Shared, id: u64, body: &Bytes, reply: bool) -> Response {
    let m = tri!(parse_body(body));
    let text = m
        .get("body")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if text.is_empty() {
        return fd_error(
            StatusCode::BAD_REQUEST,
            "Validation failed",
            vec![field_err(
                "body",
                "It should be a/an String",
                "missing_field",
            )],
        );
    }
    let now = sh.now_ms();
    let mut fd = sh.freshdesk_mut();
    let Some(pos) = fd.tickets.iter().position(|(_, t)| t["id"] == json!(id)) else {
        return not_found();
    };
    let cid = fd.next_conv;
    fd.next_conv += 1;
    let mut c = Map::new();
    c.insert("id".into(), json!(cid));
    c.insert("ticket_id".into(), json!(id));
    c.insert("body".into(), json!(text));
    c.insert("body_text".into(), json!(strip_html(&text)));
    c.insert("incoming".into(), json!(false));
    c.insert("user_id".into(), json!(6_000_000_001_u64));
    c.insert("attachments".into(), json!([]));
    c.insert("created_at".into(), json!(fmt_s(now)));
    c.insert("updated_at".into(), json!(fmt_s(now)));
    if reply {
        let t = fd.tickets[pos].1.clone();
        let requester = fd
            .contacts
            .iter()
            .find(|x| x["id"] == t["requester_id"])
            .and_then(|x| x["email"].as_str().map(String::from));
        let cc = m
            .get("cc_emails")
            .cloned()
            .unwrap_or_else(|| t["cc_emails"].clone());
        let mut replied_to: Vec<Value> = requester.iter().map(|r| json!(r)).collect();
        replied_to.extend(cc.as_array().cloned().unwrap_or_default());
        c.insert("kind".into(), json!("reply"));
        c.insert("private".into(), json!(false));
        c.insert("source".into(), json!(0));
        c.insert("from_email".into(), json!("support@cloud.example.org"));
        c.insert(
            "to_emails".into(),
            json!(requester.iter().collect::<Vec<_>>()),
        );
        c.insert("cc_emails".into(), cc);
        c.insert(
            "bcc_emails".into(),
            m.get("bcc_emails").cloned().unwrap_or(json!([])),
        );
        c.insert("replied_to".into(), json!(replied_to));
    } else {
        c.insert("kind".into(), json!("note"));
        c.insert(
            "private".into(),
            m.get("private").cloned().unwrap_or(json!(true)),
        );
        c.insert("source".into(), json!(2));
        c.insert(
            "notify_emails".into(),
            m.get("notify_emails").cloned().unwrap_or(json!([])),
        );
    }
    fd.tickets[pos]
        .1
        .insert("updated_at".into(), json!(fmt_s(now)));
    fd.conversations.push(c.clone());
    drop(fd);
    sh.record_mutation(
        "POST",
        &format!(
            "/api/v2/tickets/{id}/{}",
            if reply { "reply" } else { "notes" }
        ),
        body,
    );
    c.remove("kind");
    (StatusCode::CREATED, axum::Json(Value::Object(c))).into_response()
}

pub(super) async fn add_note(
    State(sh): State<Arc<Shared>>,
    h: HeaderMap,
    Path(id): Path<u64>,
    body: Bytes,
) -> Response {
    let rate = tri!(gate(&sh, &h));
    with_rate(add_conversation(&sh, id, &body, false), rate)
}

pub(super) async fn add_reply(
    State(sh): State<Arc<Shared>>,
    h: HeaderMap,
    Path(id): Path<u64>,
    body: Bytes,
) -> Response {
    let rate = tri!(gate(&sh, &h));
    with_rate(add_conversation(&sh, id, &body, true), rate)
}

pub(super) async fn conversations(
    State(sh): State<Arc<Shared>>,
    h: HeaderMap,
    Path(id): Path<u64>,
    RawQuery(q): RawQuery,
) -> Response {
    let rate = tri!(gate(&sh, &h));
    let q = pairs(&q);
    let (page, per) = page_of(&q);
    let fd = sh.freshdesk();
    if !fd.tickets.iter().any(|(_, t)| t["id"] == json!(id)) {
        return with_rate(not_found(), rate);
    }
    let all: Vec<Value> = fd
        .conversations
        .iter()
        .filter(|c| c["ticket_id"] == json!(id))
        .map(|c| {
            let mut c = c.clone();
            c.remove("kind");
            Value::Object(c)
        })
        .collect();
    let items: Vec<Value> = all
        .iter()
        .skip((page - 1) * per)
        .take(per)
        .cloned()
        .collect();
    let mut r = (StatusCode::OK, axum::Json(Value::Array(items))).into_response();
    if all.len() > page * per
        && let Ok(v) = HeaderValue::from_str(&format!(
            "<{}/api/v2/tickets/{id}/conversations?page={}&per_page={per}>; rel=\"next\"",
            sh.base_url,
            page + 1
        ))
    {
        r.headers_mut().insert(header::LINK, v);
    }
    with_rate(r, rate)
}
