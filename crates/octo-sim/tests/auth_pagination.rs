mod common;

use std::time::Duration;

use common::*;
use octo_sim::{READ_KEY, Sim, SimConfig, WRITE_KEY};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn token_endpoint() {
    let sim = start().await;
    let c = client();
    let url = format!("{}/oauth/access_token", sim.url());

    let r = token_request(&sim, READ_KEY).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["expires_in"], 900);
    assert_eq!(v["scope"], "read");
    assert_eq!(v["access_token"].as_str().unwrap().len(), 32);

    let r = token_request(&sim, WRITE_KEY).send().await.unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["scope"], "write");

    // missing / other grant type → 400
    let r = c
        .post(&url)
        .basic_auth(READ_KEY.0, Some(READ_KEY.1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = c
        .post(format!("{url}?grant_type=password"))
        .basic_auth(READ_KEY.0, Some(READ_KEY.1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert!(v["error"].is_string());

    // unknown key / wrong secret / no auth → 401
    for (k, s) in [("nope", "x"), (READ_KEY.0, "wrong")] {
        let r = token_request(&sim, (k, s)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = c
        .post(format!("{url}?grant_type=client_credentials"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    assert_eq!(sim.state()["tokens_issued"], 2);
}

#[tokio::test]
async fn bearer_checks_and_scope() {
    let sim = start().await;
    // no token / bogus token → 401
    let r = client()
        .get(format!("{}/v1/groups", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (st, v) = get(&sim, "deadbeef", "/v1/groups").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(v["error"].is_string());

    let read = read_token(&sim).await;
    let (st, _) = get(&sim, &read, "/v1/groups").await;
    assert_eq!(st, StatusCode::OK);

    // read token on a write → 403, and nothing changes
    let zones = get_all(
        &sim,
        &read,
        "/v1/firewall_zones?per_page=100",
        "firewall_zones",
    )
    .await;
    let zid = zones[0]["id"].as_str().unwrap();
    let (st, _) = send(
        &sim,
        reqwest::Method::PUT,
        &read,
        &format!("/v1/firewall_zones/{zid}"),
        &json!({"firewall_zone": {"ip_address": "1.2.3.4"}}),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = send(
        &sim,
        reqwest::Method::POST,
        &read,
        "/v1/firewall_zones",
        &json!({"firewall_zone": {"name": "x"}}),
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(sim.state()["mutations"], json!([]));
    let counts = &sim.state()["requests"]["by_status"];
    assert_eq!(counts["403"], 2);
    assert_eq!(counts["401"], 2);
}

#[tokio::test]
async fn tokens_expire() {
    let sim = Sim::start(SimConfig {
        token_ttl_secs: 1,
        ..cfg()
    })
    .await
    .unwrap();
    let tok = read_token(&sim).await;
    assert_eq!(get(&sim, &tok, "/v1/groups").await.0, StatusCode::OK);
    // accepted until its TTL (1 s) is over, then rejected: polled until it is
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let (st, v) = loop {
        let (st, v) = get(&sim, &tok, "/v1/groups").await;
        if st != StatusCode::OK {
            break (st, v);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not expired after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"], "access token expired");
    let tok2 = read_token(&sim).await;
    assert_eq!(get(&sim, &tok2, "/v1/groups").await.0, StatusCode::OK);
    // revocation (a fault knob): every issued token stops working at once
    let r = client()
        .post(format!("{}/_sim/tokens/revoke", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"revoked": 1}));
    assert_eq!(
        get(&sim, &tok2, "/v1/groups").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn pagination_envelope() {
    let sim = start().await;
    let tok = read_token(&sim).await;
    // default per_page 10
    let (st, v) = get(&sim, &tok, "/v1/groups").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["count"], 11);
    assert_eq!(v["groups"].as_array().unwrap().len(), 10);
    assert_eq!(
        v["pagination"]["next"],
        format!("{}/v1/groups?page=2", sim.url())
    );
    // last page: next absent, pagination object kept
    let (_, v) = get(&sim, &tok, "/v1/groups?page=2").await;
    assert_eq!(v["groups"].as_array().unwrap().len(), 1);
    assert_eq!(v["pagination"], json!({}));
    assert_eq!(v["count"], 11);
    // exact fit: 11 items at per_page 11 → no next
    let (_, v) = get(&sim, &tok, "/v1/groups?per_page=11").await;
    assert_eq!(v["pagination"], json!({}));
    // next preserves every other param, in order, with page replaced
    let (_, v) = get(
        &sim,
        &tok,
        "/v1/events?per_page=5&type=lids_rule_failed&page=3&sort_by=created_at.desc",
    )
    .await;
    assert_eq!(
        v["pagination"]["next"],
        format!(
            "{}/v1/events?per_page=5&type=lids_rule_failed&page=4&sort_by=created_at.desc",
            sim.url()
        )
    );
    // per_page clamps to 1..=100
    let (_, v) = get(&sim, &tok, "/v1/events?per_page=500").await;
    assert_eq!(v["events"].as_array().unwrap().len(), 100);
    let (_, v) = get(&sim, &tok, "/v1/events?per_page=0").await;
    assert_eq!(v["events"].as_array().unwrap().len(), 1);
    // repeated key: only the last counts
    let (_, v) = get(&sim, &tok, "/v1/events?per_page=3&per_page=7").await;
    assert_eq!(v["events"].as_array().unwrap().len(), 7);
    // page depth cap → 422; page 0 → 422; page beyond the end but within the cap → empty
    let (st, v) = get(&sim, &tok, "/v1/events?page=101&per_page=100").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"].as_str().unwrap().contains("page"));
    let (st, _) = get(&sim, &tok, "/v1/events?page=100&per_page=100").await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = get(&sim, &tok, "/v1/groups?page=0").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, v) = get(&sim, &tok, "/v1/groups?page=50").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["groups"], json!([]));
    assert_eq!(v["count"], 11);
    // following next collects everything exactly once
    let all = get_all(
        &sim,
        &tok,
        "/v1/servers?state=active,missing,deactivated,retired&per_page=7",
        "servers",
    )
    .await;
    assert_eq!(all.len(), 60);
    let mut ids: Vec<&str> = all.iter().map(|s| s["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 60);
}

#[tokio::test]
async fn max_page_depth_is_configurable() {
    let sim = Sim::start(SimConfig {
        max_page_depth: 2,
        ..cfg()
    })
    .await
    .unwrap();
    let tok = read_token(&sim).await;
    assert_eq!(get(&sim, &tok, "/v1/events?page=2").await.0, StatusCode::OK);
    assert_eq!(
        get(&sim, &tok, "/v1/events?page=3").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn unknown_paths_and_errors_are_json() {
    let sim = start().await;
    let tok = read_token(&sim).await;
    let (st, v) = get(&sim, &tok, "/v1/nope").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(v["error"].is_string());
    let (st, v) = get(&sim, &tok, "/v1/groups/00000000000000000000000000000000").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(v["error"], "group not found");
    let (st, _) = get(&sim, &tok, "/v1/servers/abc").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[test]
fn spawn_works_from_sync_code() {
    let h = Sim::spawn(cfg()).unwrap();
    let url = h.url();
    assert!(url.starts_with("http://127.0.0.1:"));
    assert!(!url.ends_with('/'));
    let state = get_json(&format!("{url}/_sim/state"));
    assert_eq!(state["groups"].as_array().unwrap().len(), 11);
    assert_eq!(state, {
        let mut s = h.state();
        s["now"] = state["now"].clone();
        s
    });
    drop(h);
    // the server is gone after drop
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = rt.block_on(async { client().get(format!("{url}/_sim/state")).send().await });
    assert!(err.is_err());
}
