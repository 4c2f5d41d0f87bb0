//! The Slack endpoint's response shapes and the zone concurrent-writer knob.

mod common;

use common::*;
use octo_sim::slack::{SLACK_TOKEN, WEBHOOK_PATH};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn post_message(
    sim: &octo_sim::Sim,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut r = client()
        .post(format!("{}/api/chat.postMessage", sim.url()))
        .json(&body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    (r.status(), r.json().await.unwrap())
}

#[tokio::test]
async fn chat_post_message_answers_like_slack_and_records_messages() {
    let sim = start().await;
    let (s, v) = post_message(
        &sim,
        Some(SLACK_TOKEN),
        json!({"channel": "#sec-ops", "text": "hello"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["ok"], true);
    assert!(v["channel"].as_str().unwrap().starts_with('C'));
    let ts = v["ts"].as_str().unwrap().to_string();
    assert_eq!(v["message"]["text"], "hello");
    for (token, body, err) in [
        (None, json!({"channel": "x", "text": "t"}), "not_authed"),
        (
            Some("xoxb-wrong"),
            json!({"channel": "x", "text": "t"}),
            "invalid_auth",
        ),
        (
            Some(SLACK_TOKEN),
            json!({"channel": "No Such", "text": "t"}),
            "channel_not_found",
        ),
        (
            Some(SLACK_TOKEN),
            json!({"channel": "archived", "text": "t"}),
            "is_archived",
        ),
        (
            Some(SLACK_TOKEN),
            json!({"channel": "x", "text": " "}),
            "no_text",
        ),
        (
            Some(SLACK_TOKEN),
            json!({"channel": "x", "text": "a".repeat(40_001)}),
            "msg_too_long",
        ),
    ] {
        let (s, v) = post_message(&sim, token, body).await;
        assert_eq!(s, StatusCode::OK, "{err}");
        assert_eq!(v, json!({"ok": false, "error": err}));
    }
    let r = client()
        .post(format!("{}{WEBHOOK_PATH}", sim.url()))
        .json(&json!({"text": "via hook"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.unwrap(), "ok");
    let r = client()
        .post(format!("{}/services/A/B/C", sim.url()))
        .json(&json!({"text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let st = sim.state();
    assert_eq!(
        st["slack"]["messages"],
        json!([
            {"via": "chat.postMessage", "channel": "sec-ops", "text": "hello", "ts": ts},
            {"via": "webhook", "channel": null, "text": "via hook", "ts": st["slack"]["messages"][1]["ts"]},
        ])
    );
    sim.reset();
    assert_eq!(sim.state()["slack"]["messages"], json!([]));
}

#[tokio::test]
async fn faults_apply_to_slack() {
    let sim = start().await;
    sim.set_faults(octo_sim::Faults {
        rate_429: 1.0,
        retry_after_secs: 7,
        ..Default::default()
    });
    let r = client()
        .post(format!("{}/api/chat.postMessage", sim.url()))
        .bearer_auth(SLACK_TOKEN)
        .json(&json!({"channel": "x", "text": "t"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "7");
    assert_eq!(sim.state()["slack"]["messages"], json!([]));
}

#[tokio::test]
async fn zone_race_rewrites_the_zone_once_after_the_nth_request() {
    let sim = start().await;
    let tok = read_token(&sim).await;
    let zone = sim.state()["firewall_zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["name"] == "halo-ipblocker")
        .unwrap()
        .clone();
    let id = zone["id"].as_str().unwrap().to_string();
    sim.race_zone(octo_sim::ZoneRace {
        zone_id: id.clone(),
        after_requests: 2,
        ip_address: "192.0.2.1".into(),
    });
    let path = format!("/v1/firewall_zones/{id}");
    let (_, a) = get(&sim, &tok, &path).await;
    let (_, b) = get(&sim, &tok, &path).await;
    let (_, c) = get(&sim, &tok, &path).await;
    assert_eq!(a["firewall_zone"]["ip_address"], zone["ip_address"]);
    assert_eq!(
        b["firewall_zone"]["ip_address"], zone["ip_address"],
        "fires after the answer"
    );
    assert_eq!(c["firewall_zone"]["ip_address"], "192.0.2.1");
    let (_, d) = get(&sim, &tok, &path).await;
    assert_eq!(d, c, "fires once");
}
