//! Fault injection (latency, 429, 5xx, dropped connections) on API routes; `/_sim/*` is exempt.

mod common;

use common::*;
use octo_sim::{Faults, READ_KEY, Sim, SimConfig};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn faults_429_5xx_latency_and_sim_routes_exempt() {
    let sim = start().await;
    let tok = read_token(&sim).await;
    sim.set_faults(Faults {
        rate_429: 1.0,
        retry_after_secs: 7,
        ..Faults::default()
    });
    let r = client()
        .get(format!("{}/v1/groups", sim.url()))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "7");
    // token endpoint is faulted too
    let r = token_request(&sim, READ_KEY).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // /_sim is never faulted
    let r = client()
        .get(format!("{}/_sim/state", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let r = client()
        .put(format!("{}/_sim/faults", sim.url()))
        .json(&json!({"rate_5xx": 1.0, "max_in_a_row": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    for _ in 0..5 {
        let (st, _) = get(&sim, &tok, "/v1/groups").await;
        assert!([500, 502, 503].contains(&st.as_u16()), "{st}");
    }
    sim.set_faults(Faults {
        latency_ms: 300,
        ..Faults::default()
    });
    let t0 = std::time::Instant::now();
    assert_eq!(get(&sim, &tok, "/v1/groups").await.0, StatusCode::OK);
    assert!(t0.elapsed().as_millis() >= 300);
    // At most `max_in_a_row` faults in a row for one request; then it goes through once.
    sim.set_faults(Faults {
        rate_5xx: 1.0,
        max_in_a_row: 2,
        ..Faults::default()
    });
    let mut seen = Vec::new();
    for _ in 0..6 {
        seen.push(get(&sim, &tok, "/v1/groups").await.0.as_u16() == 200);
    }
    assert_eq!(seen, [false, false, true, false, false, true]);
    // a different request has its own streak
    assert_ne!(get(&sim, &tok, "/v1/servers").await.0, StatusCode::OK);
    let req = &sim.state()["requests"];
    assert_eq!(req["by_status"]["429"], 2);
    assert_eq!(req["by_status"]["200"], 4);
    assert_eq!(req["total"], 16);
}

#[tokio::test]
async fn dropped_connections() {
    let sim = Sim::start(SimConfig {
        faults: Faults {
            drop_rate: 1.0,
            ..Faults::default()
        },
        ..cfg()
    })
    .await
    .unwrap();
    let r = token_request(&sim, READ_KEY).send().await;
    let err = r.expect_err("connection dropped");
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    let r = client()
        .get(format!("{}/v1/groups", sim.url()))
        .send()
        .await;
    assert!(r.is_err());
    // the server keeps serving
    sim.set_faults(Faults::default());
    let tok = read_token(&sim).await;
    assert_eq!(get(&sim, &tok, "/v1/groups").await.0, StatusCode::OK);
    assert_eq!(sim.state()["requests"]["dropped"], 2);
    // reset restores the configured faults (drop everything)
    sim.reset();
    assert!(
        client()
            .get(format!("{}/v1/groups", sim.url()))
            .send()
            .await
            .is_err()
    );
}
