//! Listing tickets (by requester email, newest first) and the search query language.

use super::*;

/// `GET /api/v2/tickets?email=…&updated_since=…` (newest first).
pub(super) async fn list_tickets(
    State(sh): State<Arc<Shared>>,
    h: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let rate = tri!(gate(&sh, &h));
    let q = pairs(&q);
    let (page, per) = page_of(&q);
    let get = |k: &str| q.iter().find(|(qk, _)| qk == k).map(|(_, v)| v.clone());
    let now = sh.now_ms();
    let fd = sh.freshdesk();
    let requester = match get("email") {
        Some(e) => match fd.contacts.iter().find(|c| c["email"] == json!(e)) {
            Some(c) => Some(c["id"].clone()),
            None => {
                return with_rate(
                    (StatusCode::OK, axum::Json(json!([]))).into_response(),
                    rate,
                );
            }
        },
        None => get("requester_id")
            .and_then(|r| r.parse::<u64>().ok())
            .map(|r| json!(r)),
    };
    let since = match get("updated_since") {
        Some(s) => match crate::util::parse_ms(&s) {
            Some(ms) => ms,
            None => {
                return with_rate(
                    fd_error(
                        StatusCode::BAD_REQUEST,
                        "Validation failed",
                        vec![field_err(
                            "updated_since",
                            "It should be in the 'combined date and time ISO8601' format",
                            "invalid_value",
                        )],
                    ),
                    rate,
                );
            }
        },
        None => now - 30 * 86_400_000,
    };
    let mut items: Vec<Value> = fd
        .tickets
        .iter()
        .rev()
        .filter(|(_, t)| requester.as_ref().is_none_or(|r| t["requester_id"] == *r))
        .filter(|(_, t)| {
            t["updated_at"]
                .as_str()
                .and_then(crate::util::parse_ms)
                .is_some_and(|u| u >= since)
        })
        .map(|(_, t)| Value::Object(t.clone()))
        .collect();
    items = items.into_iter().skip((page - 1) * per).take(per).collect();
    with_rate(
        (StatusCode::OK, axum::Json(Value::Array(items))).into_response(),
        rate,
    )
}

/// One `field:value` term of a search query.
fn term_matches(t: &Map<String, Value>, term: &str) -> Result<bool, String> {
    let (field, value) = term
        .split_once(':')
        .ok_or_else(|| format!("invalid term `{term}`"))?;
    let field = field.trim();
    let value = value.trim().trim_matches('\'');
    match field {
        "tag" => Ok(t["tags"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == value))),
        "status" | "priority" | "group_id" | "agent_id" | "requester_id" => {
            let key = if field == "agent_id" {
                "responder_id"
            } else {
                field
            };
            Ok(value.parse::<u64>().is_ok_and(|n| t[key] == json!(n)))
        }
        "type" => Ok(t["type"] == json!(value)),
        "subject" | "description" => Err(format!("`{field}` is not a searchable field")),
        other => Err(format!("`{other}` is not a searchable field")),
    }
}

/// `GET /api/v2/search/tickets?query="tag:'security' AND status:2"` (AND binds tighter than OR).
pub(super) async fn search(
    State(sh): State<Arc<Shared>>,
    h: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let rate = tri!(gate(&sh, &h));
    let q = pairs(&q);
    let query = q
        .iter()
        .find(|(k, _)| k == "query")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let page = q
        .iter()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(1);
    let bad = |m: &str| {
        with_rate(
            fd_error(
                StatusCode::BAD_REQUEST,
                "Validation failed",
                vec![field_err("query", m, "invalid_value")],
            ),
            rate,
        )
    };
    if query.len() < 2 || !query.starts_with('"') || !query.ends_with('"') || query.len() > 514 {
        return bad("It should be a/an String wrapped in double quotes, at most 512 characters");
    }
    if !(1..=10).contains(&page) {
        return bad("page should be between 1 and 10");
    }
    let inner = query[1..query.len() - 1].replace(['(', ')'], " ");
    let now = sh.now_ms();
    let fd = sh.freshdesk();
    let mut results = Vec::new();
    for (created, t) in &fd.tickets {
        if now - created < fd.search_lag_ms {
            continue;
        }
        let mut any = false;
        for alt in inner.split(" OR ") {
            let mut all = true;
            for term in alt.split(" AND ") {
                match term_matches(t, term) {
                    Ok(m) => all &= m,
                    Err(e) => return bad(&e),
                }
            }
            any |= all;
        }
        if any {
            results.push(Value::Object(t.clone()));
        }
    }
    results.reverse();
    let total = results.len();
    let items: Vec<Value> = results.into_iter().skip((page - 1) * 30).take(30).collect();
    with_rate(
        (
            StatusCode::OK,
            axum::Json(json!({"results": items, "total": total})),
        )
            .into_response(),
        rate,
    )
}
