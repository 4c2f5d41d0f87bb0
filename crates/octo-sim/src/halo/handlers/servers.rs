//! Groups and servers: list, get, move (`PUT /v1/servers/{id}`), issues and SVM of one server.

use super::*;

// ---------------------------------------------------------------------------------------------
// Groups

pub(super) async fn list_groups(
    State(sh): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let c = ctx(&sh, &uri, &headers);
    let pr = tri!(page_req(&c.query, sh.cfg.max_page_depth));
    let st = sh.halo();
    let all = (0..st.base.groups.len())
        .map(|i| st.render_group(i))
        .collect();
    list_all(&c, "groups", all, pr)
}

pub(super) async fn get_group(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let st = sh.halo();
    match st.group_index(&id) {
        Some(i) => wrap("group", st.render_group(i)),
        None => not_found("group"),
    }
}

pub(super) async fn group_servers(
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

pub(super) async fn list_servers(
    State(sh): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
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

pub(super) async fn get_server(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let st = sh.halo();
    match st.server_index(&id) {
        Some(i) => wrap("server", st.live.servers[i].clone()),
        None => not_found("server"),
    }
}

pub(super) async fn put_server(
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

pub(super) async fn server_issues(
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

pub(super) async fn server_svm(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
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
