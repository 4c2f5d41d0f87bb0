//! Hostile mode: each knob produces exactly the mutated HTTP answer (checked on the raw
//! response), only where it is scoped, and turning it off restores the normal answer. The
//! expected answers are written out here from the normal ones, not computed by the simulator.

mod common;

use common::*;
use octo_sim::hostile::{Hostile, Knob};
use octo_sim::{Faults, Sim, SimConfig};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use serde_json::{Value, json};

/// A stable first page of events (a closed window in the past of the anchor, more than one page).
const EVENTS: &str = "/v1/events?since=2024-06-19T00:00:00Z&until=2024-06-19T12:00:00Z&per_page=5";

/// The raw answer: status, content type, content length and body bytes; redirects not followed.
async fn raw(sim: &Sim, tok: &str, path: &str) -> (StatusCode, String, Option<usize>, Vec<u8>) {
    let c = builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let r = c
        .get(format!("{}{path}", sim.url()))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let ctype = r
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let len = r
        .headers()
        .get(CONTENT_LENGTH)
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (status, ctype, len, r.bytes().await.unwrap().to_vec())
}

async fn json_of(sim: &Sim, tok: &str, path: &str) -> Value {
    let (status, _, _, body) = raw(sim, tok, path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    serde_json::from_slice(&body).unwrap()
}

/// Set the hostile knobs through the run-time hook (`PUT /_sim/faults`), as a test of another
/// language would.
async fn put_hostile(sim: &Sim, knobs: &[&str]) {
    let r = client()
        .put(format!("{}/_sim/faults", sim.url()))
        .json(&json!({ "hostile": knobs }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["hostile"], json!(knobs));
}

fn events_of(v: &Value) -> Vec<Value> {
    v["events"].as_array().unwrap().clone()
}

#[tokio::test]
async fn list_knobs_mutate_exactly_where_scoped_and_off_restores() {
    let sim = start().await;
    let tok = read_token(&sim).await;
    let normal = json_of(&sim, &tok, EVENTS).await;
    let servers = json_of(&sim, &tok, "/v1/servers?per_page=3").await;
    let items = events_of(&normal);
    assert_eq!(items.len(), 5);
    assert!(normal["count"].as_u64().unwrap() > 5);
    let next = normal["pagination"]["next"].as_str().unwrap().to_string();
    assert!(
        items[0]["created_at"].as_str() < items[4]["created_at"].as_str(),
        "the window must hold distinct times: {items:?}"
    );

    let with = |f: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut v = normal.clone();
        f(v.as_object_mut().unwrap());
        v
    };
    let cases: Vec<(&str, Value)> = vec![
        (
            "wrong-types",
            with(&|m| {
                for it in m["events"].as_array_mut().unwrap() {
                    for f in it.as_object_mut().unwrap().values_mut() {
                        *f = match f.clone() {
                            Value::String(s) => json!([s]),
                            Value::Number(n) => json!(n.to_string()),
                            Value::Bool(true) => json!("true"),
                            Value::Bool(false) => json!("false"),
                            other => other,
                        };
                    }
                }
            }),
        ),
        ("null-list", with(&|m| m["events"] = Value::Null)),
        (
            "missing-wrapper",
            with(&|m| {
                m.remove("events");
            }),
        ),
        (
            "pagination-not-object",
            with(&|m| m["pagination"] = json!(next)),
        ),
        ("missing-next", with(&|m| m["pagination"] = json!({}))),
        (
            "looping-next",
            with(&|m| m["pagination"] = json!({"next": format!("{}{EVENTS}", sim.url())})),
        ),
        (
            "backwards-created-at",
            with(&|m| {
                let mut rev = items.clone();
                rev.reverse();
                m["events"] = json!(rev);
            }),
        ),
        (
            "bad-created-at",
            with(&|m| {
                for it in m["events"].as_array_mut().unwrap() {
                    it["created_at"] = json!("2024-13-45T25:61:61Z");
                }
            }),
        ),
        (
            "bad-items",
            with(&|m| {
                let mut all = vec![Value::Null];
                all.extend(items.iter().cloned());
                all.push(json!(42));
                m["events"] = json!(all);
            }),
        ),
    ];
    for (knob, expected) in cases {
        put_hostile(&sim, &[&format!("{knob}@/v1/events")]).await;
        let got = json_of(&sim, &tok, EVENTS).await;
        assert_eq!(got, expected, "{knob}");
        assert_ne!(got, normal, "{knob} changed nothing");
        assert_eq!(
            json_of(&sim, &tok, "/v1/servers?per_page=3").await,
            servers,
            "{knob}@/v1/events must not touch /v1/servers"
        );
        put_hostile(&sim, &[]).await;
        assert_eq!(json_of(&sim, &tok, EVENTS).await, normal, "{knob} off");
    }

    // looping-next loops: following `next` gives the same page again
    put_hostile(&sim, &["looping-next"]).await;
    let page = json_of(&sim, &tok, EVENTS).await;
    let again = get_url(&tok, page["pagination"]["next"].as_str().unwrap()).await;
    assert_eq!(again, (StatusCode::OK, page));
    // knobs combine; the last page has no next unless a knob adds one
    put_hostile(&sim, &["null-list", "missing-next"]).await;
    let got = json_of(&sim, &tok, EVENTS).await;
    assert_eq!(
        got,
        json!({"count": normal["count"], "events": null, "pagination": {}})
    );
}

#[tokio::test]
async fn wrapped_object_knobs() {
    let sim = start().await;
    let tok = read_token(&sim).await;
    let list = json_of(&sim, &tok, "/v1/firewall_policies").await;
    let id = list["firewall_policies"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/v1/firewall_policies/{id}");
    let normal = json_of(&sim, &tok, &path).await;
    let inner = normal["firewall_policy"].clone();
    assert_eq!(inner["id"], json!(id));

    put_hostile(&sim, &["missing-wrapper@/v1/firewall_policies"]).await;
    assert_eq!(json_of(&sim, &tok, &path).await, inner);

    put_hostile(&sim, &["wrong-types@/v1/firewall_policies"]).await;
    let got = json_of(&sim, &tok, &path).await;
    assert_eq!(got["firewall_policy"]["id"], json!([id]));
    assert_eq!(got["firewall_policy"]["name"], json!([inner["name"]]));
    assert_eq!(
        got["firewall_policy"]["firewall_rules"],
        inner["firewall_rules"]
    );

    put_hostile(&sim, &[]).await;
    assert_eq!(json_of(&sim, &tok, &path).await, normal);
}

async fn token_answer(sim: &Sim) -> (StatusCode, String) {
    let r = token_request(sim, octo_sim::READ_KEY).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn token_knobs_set_at_start_and_at_run_time_and_reset_restores_the_start_set() {
    let start_set = vec![
        Hostile::all(Knob::HugeExpiresIn),
        Hostile::all(Knob::Html200),
    ];
    let sim = Sim::start(SimConfig {
        faults: Faults {
            hostile: start_set.clone(),
            ..Faults::default()
        },
        ..cfg()
    })
    .await
    .unwrap();
    // html-200 unscoped spares the token endpoint; expires_in is 2^63 exactly, as digits
    let (status, body) = token_answer(&sim).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(r#""expires_in":9223372036854775808"#),
        "{body}"
    );
    let v: Value = serde_json::from_str(&body).unwrap();
    let tok = v["access_token"].as_str().unwrap().to_string();
    assert_eq!(v["scope"], "read");
    // …and the token still works (the API side is unchanged), behind the HTML page
    let (st, ctype, _, html) = raw(&sim, &tok, "/v1/groups").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(ctype, "text/html; charset=utf-8");
    let html = String::from_utf8(html).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<title>502 Bad Gateway</title>"), "{html}");

    sim.set_faults(Faults {
        hostile: vec![Hostile::all(Knob::NegativeExpiresIn)],
        ..Faults::default()
    });
    let (_, body) = token_answer(&sim).await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["expires_in"],
        -900
    );

    sim.set_faults(Faults::default());
    let (_, body) = token_answer(&sim).await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["expires_in"],
        900
    );
    assert_eq!(json_of(&sim, &tok, "/v1/groups").await["count"], 11);

    sim.reset();
    assert_eq!(sim.faults().hostile, start_set);
    // scoped to the token endpoint, the body knobs reach it too
    put_hostile(&sim, &["html-200@/oauth/access_token"]).await;
    let (status, body) = token_answer(&sim).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with("<!DOCTYPE html>"), "{body}");
}

#[tokio::test]
async fn truncated_body_cuts_half_with_a_matching_length() {
    let sim = start().await;
    let tok = read_token(&sim).await;
    let (_, _, _, normal) = raw(&sim, &tok, EVENTS).await;
    put_hostile(&sim, &["truncated-body@/v1/events"]).await;
    let (status, ctype, len, body) = raw(&sim, &tok, EVENTS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ctype, "application/json");
    assert_eq!(body, normal[..normal.len() / 2]);
    assert_eq!(len, Some(normal.len() / 2));
    assert!(serde_json::from_slice::<Value>(&body).is_err());
    put_hostile(&sim, &[]).await;
    assert_eq!(raw(&sim, &tok, EVENTS).await.3, normal);
}

#[tokio::test]
async fn cross_host_redirect_points_at_the_decoy_which_records_no_credentials() {
    let sim = start().await;
    let tok = read_token(&sim).await;
    let decoy = sim.decoy_url();
    assert!(decoy.starts_with("http://127.0.0.2:"), "{decoy}");
    put_hostile(&sim, &["cross-host-redirect@/v1/events"]).await;
    let (status, _, _, body) = raw(&sim, &tok, EVENTS).await;
    assert_eq!(status, StatusCode::FOUND);
    assert!(body.is_empty());
    let c = builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = c
        .get(format!("{}{EVENTS}", sim.url()))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()[LOCATION].to_str().unwrap(),
        format!("{decoy}{EVENTS}")
    );
    // a client that follows it gets the decoy's fake body
    let (st, fake) = get(&sim, &tok, EVENTS).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        fake,
        json!({"count": 1, "events": [{"id": "decoy0000000000000000000000000000", "decoy": true}], "pagination": {}})
    );
    assert_eq!(
        sim.state()["hostile"]["decoy_requests"],
        json!([{
            "method": "GET",
            "path": "/v1/events",
            "query": EVENTS.split_once('?').unwrap().1,
            "authorization": false,
        }])
    );
    // other paths are not redirected; off restores
    assert_eq!(raw(&sim, &tok, "/v1/groups").await.0, StatusCode::OK);
    put_hostile(&sim, &[]).await;
    assert_eq!(raw(&sim, &tok, EVENTS).await.0, StatusCode::OK);
    sim.reset();
    assert_eq!(sim.state()["hostile"]["decoy_requests"], json!([]));
}

#[tokio::test]
async fn stall_holds_the_answer_until_the_knob_is_off() {
    let sim = start().await;
    let tok = read_token(&sim).await;
    let normal = json_of(&sim, &tok, EVENTS).await;
    put_hostile(&sim, &["stall@/v1/events"]).await;
    let url = format!("{}{EVENTS}", sim.url());
    let tok2 = tok.clone();
    let pending = tokio::spawn(async move { get_url(&tok2, &url).await });
    sim.until_stalled(1).await;
    assert_eq!(sim.state()["hostile"]["stalled"], 1);
    // other paths still answer while one is held
    assert_eq!(raw(&sim, &tok, "/v1/groups").await.0, StatusCode::OK);
    assert!(!pending.is_finished());
    put_hostile(&sim, &[]).await;
    assert_eq!(pending.await.unwrap(), (StatusCode::OK, normal));
    assert_eq!(sim.state()["hostile"]["stalled"], 0);
}

#[tokio::test]
async fn stall_ends_when_the_simulator_stops() {
    let sim = start().await;
    let tok = read_token(&sim).await;
    put_hostile(&sim, &["stall"]).await;
    let url = format!("{}/v1/groups", sim.url());
    let pending = tokio::spawn(async move { get_url(&tok, &url).await });
    sim.until_stalled(1).await;
    drop(sim);
    let (status, body) = pending.await.unwrap();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, json!({"error": "octo-sim is shutting down"}));
}

#[tokio::test]
async fn bad_knobs_are_refused_by_the_hook() {
    let sim = start().await;
    for body in [
        json!({"hostile": ["no-such-knob"]}),
        json!({"hostile": ["stall@v1/events"]}),
        json!({"hostile": "stall"}),
    ] {
        let r = client()
            .put(format!("{}/_sim/faults", sim.url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
        let v: Value = r.json().await.unwrap();
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .starts_with("invalid faults JSON"),
            "{v}"
        );
    }
    assert!(sim.faults().hostile.is_empty());
}
