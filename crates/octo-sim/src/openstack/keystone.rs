//! Keystone v3: token issue (password, application credential, token) with a catalog, projects,
//! users, roles and role assignments (`effective`, `include_names`). Tokens live
//! [`crate::SimConfig::keystone_token_ttl_ms`] (`--keystone-token-ttl`); an expired one is a 401.
//! A token issued for a token keeps the first one's expiry, as Keystone's does.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{OsState, Token, body_json, fmt_s, reply};
use crate::Shared;

/// `{"error": {"code", "title", "message"}}` as keystone's flask app answers.
pub(crate) fn ks_error(status: StatusCode, message: &str) -> Response {
    reply(
        status,
        json!({"error": {"code": status.as_u16(), "title": status.canonical_reason().unwrap_or(""), "message": message}}),
    )
}

fn unauthorized() -> Response {
    ks_error(
        StatusCode::UNAUTHORIZED,
        "The request you have made requires authentication.",
    )
}

fn domain_ok(d: &Value) -> bool {
    // only the Default domain exists
    d.is_null() || d["id"].as_str() == Some("default") || d["name"].as_str() == Some("Default")
}

fn catalog(base: &str) -> Value {
    let svc = |ty: &str, name: &str, url: String| {
        let eps: Vec<Value> = ["public", "internal", "admin"]
            .iter()
            .enumerate()
            .map(|(i, iface)| {
                json!({"id": format!("{name}-{iface}-{i}"), "interface": iface, "region": "RegionOne",
                       "region_id": "RegionOne", "url": url})
            })
            .collect();
        json!({"type": ty, "name": name, "id": format!("{name}-svc"), "endpoints": eps})
    };
    json!([
        svc("identity", "keystone", format!("{base}/identity")),
        svc("compute", "nova", format!("{base}/compute/v2.1")),
        svc("image", "glance", format!("{base}/image")),
        svc("network", "neutron", format!("{base}/network")),
        // another region whose endpoints must not be picked when OS_REGION_NAME=RegionOne
        {"type": "compute", "name": "nova-two", "id": "nova-two-svc", "endpoints": [
            {"id": "n2", "interface": "public", "region": "RegionTwo", "region_id": "RegionTwo",
             "url": "http://192.0.2.1:1/compute/v2.1"}]},
    ])
}

fn is_admin(os: &OsState, user_id: &str, project_id: &str) -> bool {
    let admin_role = os
        .roles
        .iter()
        .find(|r| r.1 == "admin")
        .map(|r| r.0.clone());
    os.assignments.iter().any(|a| {
        Some(&a.role_id) == admin_role.as_ref()
            && a.user_id.as_deref() == Some(user_id)
            && a.project_id == project_id
    })
}

fn user_roles(os: &OsState, user_id: &str, project_id: &str) -> Vec<Value> {
    let groups: Vec<&str> = os
        .groups
        .iter()
        .filter(|g| g.members.iter().any(|m| m == user_id))
        .map(|g| g.id.as_str())
        .collect();
    let mut out: Vec<Value> = Vec::new();
    for a in &os.assignments {
        let mine = a.user_id.as_deref() == Some(user_id)
            || a.group_id.as_deref().is_some_and(|g| groups.contains(&g));
        if mine && a.project_id == project_id {
            let name = os
                .roles
                .iter()
                .find(|r| r.0 == a.role_id)
                .map(|r| r.1.clone());
            let v = json!({"id": a.role_id, "name": name});
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// Keystone's token times: microseconds, here the milliseconds then `000`.
fn ks_time(ms: i64) -> String {
    format!(
        "{}.{:03}000Z",
        fmt_s(ms).trim_end_matches('Z'),
        ms.rem_euclid(1000)
    )
}

/// The project a scope names (by id, or by name in the Default domain).
fn find_project(os: &OsState, scope: &Value) -> Option<String> {
    os.projects
        .iter()
        .find(|p| {
            scope["id"].as_str() == Some(p.id.as_str())
                || (scope["name"].as_str() == Some(p.name.as_str())
                    && domain_ok(&scope["domain"])
                    && !scope["domain"].is_null())
        })
        .map(|p| p.id.clone())
}

/// `POST /identity/v3/auth/tokens`
pub(crate) async fn issue_token(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let Some(b) = body_json(&body) else {
        return ks_error(StatusCode::BAD_REQUEST, "Malformed JSON in request body.");
    };
    let ident = &b["auth"]["identity"];
    let Some(methods) = ident["methods"].as_array() else {
        return ks_error(
            StatusCode::BAD_REQUEST,
            "Invalid input for field 'identity': 'methods' is a required property",
        );
    };
    let now = sh.now_ms();
    let mut os = sh.openstack_mut();
    let mut expires_ms =
        now.saturating_add(i64::try_from(sh.cfg.keystone_token_ttl_ms).unwrap_or(i64::MAX));
    let (user_id, project_id, method) = if methods.iter().any(|m| m == "token") {
        let id = ident["token"]["id"].as_str().unwrap_or("");
        let Some(old) = os.tokens.get(id).filter(|t| t.expires_ms > now).cloned() else {
            return unauthorized();
        };
        let scope = &b["auth"]["scope"]["project"];
        let project = if scope.is_null() {
            Some(old.project_id.clone())
        } else {
            find_project(&os, scope)
        };
        let Some(project) = project else {
            return unauthorized();
        };
        if user_roles(&os, &old.user_id, &project).is_empty() {
            return unauthorized();
        }
        expires_ms = old.expires_ms;
        (old.user_id.clone(), project, "token")
    } else if methods.iter().any(|m| m == "password") {
        let u = &ident["password"]["user"];
        let pw = u["password"].as_str().unwrap_or("");
        let found = os.users.iter().find(|x| {
            (u["id"].as_str() == Some(x.id.as_str())
                || (u["name"].as_str() == Some(x.name.as_str())
                    && domain_ok(&u["domain"])
                    && !u["domain"].is_null()))
                && x.password.as_deref() == Some(pw)
                && x.enabled
        });
        let Some(user) = found else {
            return unauthorized();
        };
        let scope = &b["auth"]["scope"]["project"];
        let project = if scope.is_null() {
            user.default_project_id.clone()
        } else {
            find_project(&os, scope)
        };
        let Some(project) = project else {
            return unauthorized();
        };
        if user_roles(&os, &user.id, &project).is_empty() {
            return unauthorized();
        }
        (user.id.clone(), project, "password")
    } else if methods.iter().any(|m| m == "application_credential") {
        let ac = &ident["application_credential"];
        let secret = ac["secret"].as_str().unwrap_or("");
        let found = os.app_creds.iter().find(|c| {
            (ac["id"].as_str() == Some(c.id.as_str())
                || (ac["name"].as_str() == Some(c.name.as_str())
                    && (ac["user"]["id"].as_str() == Some(c.user_id.as_str())
                        || os.users.iter().any(|u| {
                            u.id == c.user_id
                                && ac["user"]["name"].as_str() == Some(u.name.as_str())
                        }))))
                && c.secret == secret
        });
        let Some(c) = found else {
            return unauthorized();
        };
        (
            c.user_id.clone(),
            c.project_id.clone(),
            "application_credential",
        )
    } else {
        return unauthorized();
    };
    let token = format!("gAAAAA{}", os.next_id("token").replace('-', ""));
    let admin = is_admin(&os, &user_id, &project_id);
    os.tokens.insert(
        token.clone(),
        Token {
            user_id: user_id.clone(),
            project_id: project_id.clone(),
            admin,
            expires_ms,
        },
    );
    os.tokens_issued += 1;
    let user = os.users.iter().find(|u| u.id == user_id).cloned();
    let project = os.projects.iter().find(|p| p.id == project_id).cloned();
    let body = json!({"token": {
        "methods": [method],
        "user": {"id": user_id, "name": user.map(|u| u.name), "domain": {"id": "default", "name": "Default"},
                 "password_expires_at": null},
        "project": {"id": project_id, "name": project.map(|p| p.name), "domain": {"id": "default", "name": "Default"}},
        "roles": user_roles(&os, &user_id, &project_id),
        "is_domain": false,
        "catalog": catalog(&sh.base_url),
        "expires_at": ks_time(expires_ms),
        "issued_at": ks_time(now),
        "audit_ids": [os.next_id("audit").replace('-', "")[..22].to_string()],
    }});
    drop(os);
    let mut r = reply(StatusCode::CREATED, body);
    if let Ok(v) = HeaderValue::from_str(&token) {
        r.headers_mut().insert("x-subject-token", v);
    }
    r
}

/// Authenticate an identity call; `admin` = the call needs an admin token.
fn authed(sh: &Shared, headers: &HeaderMap, admin: bool) -> Result<Token, Response> {
    let now = sh.now_ms();
    let os = sh.openstack();
    let Some(t) = os.token(headers, now) else {
        return Err(unauthorized());
    };
    if admin && !t.admin {
        return Err(ks_error(
            StatusCode::FORBIDDEN,
            "You are not authorized to perform the requested action: identity:list_role_assignments.",
        ));
    }
    Ok(t)
}

pub(crate) async fn get_project(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let t = match authed(&sh, &headers, false) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let os = sh.openstack();
    match os.projects.iter().find(|p| p.id == id) {
        Some(p) if t.admin || t.project_id == p.id => reply(
            StatusCode::OK,
            json!({"project": {"id": p.id, "name": p.name, "domain_id": "default", "description": p.description,
                "enabled": true, "parent_id": "default", "is_domain": false, "tags": [], "options": {},
                "links": {"self": format!("{}/identity/v3/projects/{}", sh.base_url, p.id)}}}),
        ),
        _ => ks_error(
            StatusCode::NOT_FOUND,
            &format!("Could not find project: {id}."),
        ),
    }
}

pub(crate) async fn get_user(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let t = match authed(&sh, &headers, false) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let os = sh.openstack();
    match os.users.iter().find(|u| u.id == id) {
        Some(u) if t.admin || t.user_id == u.id => {
            let mut v = json!({"id": u.id, "name": u.name, "domain_id": "default", "enabled": u.enabled,
                "default_project_id": u.default_project_id, "password_expires_at": null, "options": {},
                "links": {"self": format!("{}/identity/v3/users/{}", sh.base_url, u.id)}});
            if let Some(m) = v.as_object_mut() {
                if let Some(e) = &u.email {
                    m.insert("email".into(), json!(e));
                }
                if let Some(f) = &u.full_name {
                    m.insert("full_name".into(), json!(f));
                }
            }
            reply(StatusCode::OK, json!({ "user": v }))
        }
        _ => ks_error(
            StatusCode::NOT_FOUND,
            &format!("Could not find user: {id}."),
        ),
    }
}

fn query_pairs(raw: &Option<String>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub(crate) async fn list_roles(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    if let Err(r) = authed(&sh, &headers, false) {
        return r;
    }
    let q = query_pairs(&q);
    let name = q.iter().find(|(k, _)| k == "name").map(|(_, v)| v.clone());
    let os = sh.openstack();
    let roles: Vec<Value> = os
        .roles
        .iter()
        .filter(|r| name.as_ref().is_none_or(|n| *n == r.1))
        .map(|r| {
            json!({"id": r.0, "name": r.1, "domain_id": null, "description": null, "options": {},
                        "links": {"self": format!("{}/identity/v3/roles/{}", sh.base_url, r.0)}})
        })
        .collect();
    reply(
        StatusCode::OK,
        json!({"roles": roles, "links": {"self": format!("{}/identity/v3/roles", sh.base_url), "previous": null, "next": null}}),
    )
}

/// `GET /identity/v3/role_assignments` with `scope.project.id`, `role.id`, `user.id`,
/// `group.id`, `effective` (key only; group grants expanded to members) and `include_names`.
pub(crate) async fn role_assignments(
    State(sh): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    if let Err(r) = authed(&sh, &headers, true) {
        return r;
    }
    let q = query_pairs(&q);
    let get = |k: &str| q.iter().find(|(qk, _)| qk == k).map(|(_, v)| v.clone());
    let effective = q.iter().any(|(k, _)| k == "effective");
    let include_names = get("include_names")
        .is_some_and(|v| v.is_empty() || v == "true" || v == "True" || v == "1");
    let (proj, role, user, group) = (
        get("scope.project.id"),
        get("role.id"),
        get("user.id"),
        get("group.id"),
    );
    if effective && group.is_some() {
        return ks_error(
            StatusCode::BAD_REQUEST,
            "Combining effective and group filter will always result in an empty list.",
        );
    }
    let os = sh.openstack();
    let base = &sh.base_url;
    let mut out = Vec::new();
    let user_json = |uid: &str| {
        let mut v = json!({"id": uid});
        if include_names
            && let Some(u) = os.users.iter().find(|u| u.id == uid)
            && let Some(m) = v.as_object_mut()
        {
            m.insert("name".into(), json!(u.name));
            m.insert("domain".into(), json!({"id": "default", "name": "Default"}));
        }
        v
    };
    for a in &os.assignments {
        if proj.as_ref().is_some_and(|p| *p != a.project_id)
            || role.as_ref().is_some_and(|r| *r != a.role_id)
        {
            continue;
        }
        let role_name = os
            .roles
            .iter()
            .find(|r| r.0 == a.role_id)
            .map(|r| r.1.clone());
        let mut role_v = json!({"id": a.role_id});
        let mut scope = json!({"project": {"id": a.project_id}});
        if include_names {
            role_v["name"] = json!(role_name);
            let pname = os
                .projects
                .iter()
                .find(|p| p.id == a.project_id)
                .map(|p| p.name.clone());
            scope = json!({"project": {"id": a.project_id, "name": pname, "domain": {"id": "default", "name": "Default"}}});
        }
        match (&a.user_id, &a.group_id) {
            (Some(uid), _) => {
                if user.as_ref().is_some_and(|u| u != uid) || group.is_some() {
                    continue;
                }
                out.push(json!({"role": role_v, "scope": scope, "user": user_json(uid),
                    "links": {"assignment": format!("{base}/identity/v3/projects/{}/users/{uid}/roles/{}", a.project_id, a.role_id)}}));
            }
            (None, Some(gid)) => {
                let Some(g) = os.groups.iter().find(|g| g.id == *gid) else {
                    continue;
                };
                if effective {
                    for m in &g.members {
                        if user.as_ref().is_some_and(|u| u != m) {
                            continue;
                        }
                        out.push(json!({"role": role_v, "scope": scope, "user": user_json(m),
                            "links": {"assignment": format!("{base}/identity/v3/projects/{}/groups/{gid}/roles/{}", a.project_id, a.role_id),
                                      "membership": format!("{base}/identity/v3/groups/{gid}/users/{m}")}}));
                    }
                } else {
                    if user.is_some() || group.as_ref().is_some_and(|x| x != gid) {
                        continue;
                    }
                    let mut gv = json!({"id": gid});
                    if include_names {
                        gv["name"] = json!(g.name);
                        gv["domain"] = json!({"id": "default", "name": "Default"});
                    }
                    out.push(json!({"role": role_v, "scope": scope, "group": gv,
                        "links": {"assignment": format!("{base}/identity/v3/projects/{}/groups/{gid}/roles/{}", a.project_id, a.role_id)}}));
                }
            }
            _ => {}
        }
    }
    reply(
        StatusCode::OK,
        json!({"role_assignments": out, "links": {"self": format!("{base}/identity/v3/role_assignments"), "previous": null, "next": null}}),
    )
}
