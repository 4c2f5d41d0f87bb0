//! The simulated OpenStack (Keystone, Nova, Glance, Neutron) and FreshDesk APIs.

mod common;

use std::time::Duration;

use common::{keystone_token, password};
use octo_sim::{FRESHDESK_KEY, OS_ADMIN, OS_APP_CRED, OS_OWNER, Sim, SimConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn server_id(sim: &Sim, name: &str, project_index: usize) -> String {
    let st = sim.state();
    let pid = st["openstack"]["projects"][project_index]["id"].clone();
    st["openstack"]["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name && s["tenant_id"] == pid)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn call(
    sim: &Sim,
    tok: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut b = common::client()
        .request(method, format!("{}{path}", sim.url()))
        .header("x-auth-token", tok)
        .header("openstack-api-version", "compute 2.73");
    if let Some(body) = body {
        b = b.json(&body);
    }
    let r = b.send().await.unwrap();
    let s = r.status();
    let h = r.headers().clone();
    let text = r.text().await.unwrap();
    (s, serde_json::from_str(&text).unwrap_or(Value::Null), h)
}

/// GET `path` until `done(status, body)` holds, polling (10 s at most); the answer that did.
#[tokio::test]
async fn keystone_tokens_catalog_and_managers() {
    let sim = common::start().await;
    let (s, tok, body) = keystone_token(&sim, &password(OS_ADMIN, "admin")).await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(tok.is_some());
    let cat = body["token"]["catalog"].as_array().unwrap();
    assert!(cat.iter().any(|c| c["type"] == "compute"));
    assert!(
        body["token"]["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "admin")
    );

    let (s, _, _) = keystone_token(&sim, &password((OS_ADMIN.0, "wrong"), "admin")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, tok2, body) = keystone_token(
        &sim,
        &json!({"auth": {"identity": {"methods": ["application_credential"],
            "application_credential": {"id": OS_APP_CRED.0, "secret": OS_APP_CRED.1}}}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert!(tok2.is_some());

    let tok = tok.unwrap();
    let (_, roles, _) = call(
        &sim,
        &tok,
        Method::GET,
        "/identity/v3/roles?name=TenantManager",
        None,
    )
    .await;
    let rid = roles["roles"][0]["id"].as_str().unwrap().to_string();
    let pid = sim.state()["openstack"]["projects"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!(
        "/identity/v3/role_assignments?scope.project.id={pid}&role.id={rid}&effective&include_names"
    );
    let (s, ra, _) = call(&sim, &tok, Method::GET, &path, None).await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = ra["role_assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["user"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["bob", "carol", "dave"]);
    // without effective the group grant is a group entry
    let path = format!("/identity/v3/role_assignments?scope.project.id={pid}&role.id={rid}");
    let (_, ra, _) = call(&sim, &tok, Method::GET, &path, None).await;
    assert!(
        ra["role_assignments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.get("group").is_some())
    );
}

#[tokio::test]
async fn nova_transitions_lock_semantics_and_faults() {
    // Transitions last ten simulated minutes: the test sees them in progress however slow the
    // machine, and ends them by moving the simulator clock, not by waiting.
    const TRANSITION: Duration = Duration::from_secs(600);
    let sim = Sim::start(SimConfig {
        openstack_transition_ms: TRANSITION.as_millis() as u64,
        ..common::cfg()
    })
    .await
    .unwrap();
    let (_, admin, _) = keystone_token(&sim, &password(OS_ADMIN, "admin")).await;
    let admin = admin.unwrap();
    let (_, owner, _) = keystone_token(&sim, &password(OS_OWNER, "genomics-lab")).await;
    let owner = owner.unwrap();
    let id = server_id(&sim, "web01", 1);
    let act = format!("/compute/v2.1/servers/{id}/action");
    let show = format!("/compute/v2.1/servers/{id}");

    let (s, _, h) = call(
        &sim,
        &admin,
        Method::POST,
        &act,
        Some(json!({"pause": null})),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert!(h.get("x-openstack-request-id").is_some());
    let (_, v, _) = call(&sim, &admin, Method::GET, &show, None).await;
    assert_eq!(v["server"]["OS-EXT-STS:task_state"], "pausing");
    assert_eq!(v["server"]["status"], "ACTIVE");
    let (s, v, _) = call(
        &sim,
        &admin,
        Method::POST,
        &act,
        Some(json!({"pause": null})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        v["conflictingRequest"]["message"]
            .as_str()
            .unwrap()
            .contains("task_state pausing")
    );
    // still pausing until the transition's time has passed
    let (_, v, _) = call(&sim, &admin, Method::GET, &show, None).await;
    assert_eq!(v["server"]["OS-EXT-STS:task_state"], "pausing");
    sim.advance_clock(TRANSITION);
    let (_, v, _) = call(&sim, &admin, Method::GET, &show, None).await;
    assert_eq!(v["server"]["status"], "PAUSED");
    assert_eq!(v["server"]["OS-EXT-STS:task_state"], Value::Null);

    let (s, _, _) = call(
        &sim,
        &admin,
        Method::POST,
        &act,
        Some(json!({"lock": {"locked_reason": "security"}})),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (_, v, _) = call(&sim, &owner, Method::GET, &show, None).await;
    assert_eq!(v["server"]["locked"], true);
    assert_eq!(v["server"]["locked_reason"], "security");
    // the owner cannot act on an admin-locked server
    let (s, v, _) = call(
        &sim,
        &owner,
        Method::POST,
        &act,
        Some(json!({"unpause": null})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, _, _) = call(
        &sim,
        &owner,
        Method::POST,
        &act,
        Some(json!({"unlock": null})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // metadata merge
    let md = format!("/compute/v2.1/servers/{id}/metadata");
    let (s, v, _) = call(
        &sim,
        &admin,
        Method::POST,
        &md,
        Some(json!({"metadata": {"a": "1"}})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["metadata"]["a"], "1");
    let (s, _, _) = call(
        &sim,
        &admin,
        Method::POST,
        &md,
        Some(json!({"metadata": {"bad/key": "1"}})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // ip regex across tenants
    let (_, v, _) = call(
        &sim,
        &admin,
        Method::GET,
        "/compute/v2.1/servers/detail?all_tenants=1&ip=%5E203%5C.0%5C.113%5C.7%24",
        None,
    )
    .await;
    assert_eq!(
        v["servers"].as_array().unwrap().len(),
        0,
        "floating IPs are not matched by Nova"
    );
    // delete takes time, then 404
    let (s, _, _) = call(&sim, &admin, Method::DELETE, &show, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v, _) = call(&sim, &admin, Method::GET, &show, None).await;
    assert_eq!(s, StatusCode::OK, "deleting: {v}");
    sim.advance_clock(TRANSITION);
    let (s, v, _) = call(&sim, &admin, Method::GET, &show, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(v["itemNotFound"]["message"].is_string());
    // microversion out of range
    let r = common::client()
        .get(format!("{}/compute/v2.1/servers/detail", sim.url()))
        .header("x-auth-token", &admin)
        .header("openstack-api-version", "compute 2.999")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
}

async fn fd(
    sim: &Sim,
    method: Method,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut b = common::client()
        .request(method, format!("{}{path}", sim.url()))
        .basic_auth(key, Some("X"));
    if let Some(body) = body {
        b = b.json(&body);
    }
    let r = b.send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// [`fd`] with the simulator's FreshDesk API key.
async fn desk(sim: &Sim, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    fd(sim, method, path, FRESHDESK_KEY, body).await
}

#[tokio::test]
async fn freshdesk_tickets_notes_search_and_rate_limit() {
    let sim = common::start().await;
    let (s, _) = fd(&sim, Method::GET, "/api/v2/tickets", "wrong", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v) = desk(
        &sim,
        Method::POST,
        "/api/v2/tickets/outbound_email",
        Some(json!({"email": "a@b.c", "subject": "x"})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["field"], "email_config_id");
    let ticket = json!({"email": "a@b.c", "subject": "x", "email_config_id": 6000071619_u64,
        "tags": ["security"], "cc_emails": ["m@b.c"], "description": "<p>hi</p>"});
    let (s, t) = desk(
        &sim,
        Method::POST,
        "/api/v2/tickets/outbound_email",
        Some(ticket),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(t["status"], 5, "outbound email defaults to Closed");
    let id = t["id"].as_u64().unwrap();
    let (s, _) = desk(
        &sim,
        Method::POST,
        &format!("/api/v2/tickets/{id}/notes"),
        Some(json!({"body": "n"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, r) = desk(
        &sim,
        Method::POST,
        &format!("/api/v2/tickets/{id}/reply"),
        Some(json!({"body": "r"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(r["replied_to"], json!(["a@b.c", "m@b.c"]));
    let (s, _) = desk(
        &sim,
        Method::PUT,
        &format!("/api/v2/tickets/{id}"),
        Some(json!({"subject": "y"})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = desk(
        &sim,
        Method::PUT,
        &format!("/api/v2/tickets/{id}"),
        Some(json!({"status": 4})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = desk(
        &sim,
        Method::GET,
        "/api/v2/search/tickets?query=%22tag:%27security%27%20AND%20status:4%22",
        None,
    )
    .await;
    assert_eq!(v["total"], 1);
    let (s, _) = desk(
        &sim,
        Method::GET,
        "/api/v2/search/tickets?query=%22subject:x%22",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, convs) = desk(
        &sim,
        Method::GET,
        &format!("/api/v2/tickets/{id}/conversations"),
        None,
    )
    .await;
    assert_eq!(convs.as_array().unwrap().len(), 2);
    // per-minute budget
    common::client()
        .put(format!("{}/_sim/freshdesk/knobs", sim.url()))
        .json(&json!({"rate_per_min": 1}))
        .send()
        .await
        .unwrap();
    let (s, _) = desk(&sim, Method::GET, "/api/v2/tickets", None).await;
    assert_eq!(s, StatusCode::OK);
    let r = common::client()
        .get(format!("{}/api/v2/tickets", sim.url()))
        .basic_auth(FRESHDESK_KEY, Some("X"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn the_clock_moves_ahead_on_request_and_never_back() {
    let sim = common::start().await;
    let before = sim.now();
    let post = |body: &'static str| {
        common::client()
            .post(format!("{}/_sim/clock", sim.url()))
            .body(body)
            .send()
    };
    let r = post(r#"{"advance_ms": 86400000}"#).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    let now: chrono::DateTime<chrono::Utc> = v["now"].as_str().unwrap().parse().unwrap();
    assert!(
        now.signed_duration_since(before) >= chrono::TimeDelta::days(1),
        "{v}"
    );
    assert!(sim.now() >= now);
    for bad in [r#"{"advance_ms": -5}"#, r#"{"advance": 5}"#, "soon"] {
        let r = post(bad).await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    assert!(sim.now() >= now);
}
