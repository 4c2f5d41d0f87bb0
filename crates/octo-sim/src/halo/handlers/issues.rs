//! Issues (v3): list with filters and sorting, get one.

use super::*;

// ---------------------------------------------------------------------------------------------
// Issues (v3)

pub(crate) fn render_issue(st: &crate::halo::HaloState, i: &Value) -> Value {
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

pub(super) async fn list_issues(
    State(sh): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
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

pub(super) async fn get_issue(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let st = sh.halo();
    match st.base.issues.iter().find(|i| s(i, "id") == id) {
        Some(i) => wrap("issue", render_issue(&st, i)),
        None => not_found("issue"),
    }
}
