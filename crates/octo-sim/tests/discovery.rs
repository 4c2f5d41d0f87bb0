//! OpenStack version discovery documents and the configured Nova microversion range.

mod common;

use octo_sim::{OS_ADMIN, Sim, SimConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn get(sim: &Sim, path: &str) -> (StatusCode, Value) {
    let r = common::client()
        .get(format!("{}{path}", sim.url()))
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

fn self_href(v: &Value) -> &str {
    v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "self")
        .unwrap()["href"]
        .as_str()
        .unwrap()
}

#[tokio::test]
async fn every_service_serves_its_version_documents_linking_back_to_the_simulator() {
    let sim = common::start().await;
    let base = sim.url();

    let (s, v) = get(&sim, "/identity").await;
    assert_eq!(s, StatusCode::MULTIPLE_CHOICES);
    let values = v["versions"]["values"].as_array().unwrap();
    assert_eq!(values.len(), 1);
    assert_eq!(values[0]["id"], "v3.14");
    assert_eq!(values[0]["status"], "stable");
    assert_eq!(self_href(&values[0]), format!("{base}/identity/v3/"));
    assert_eq!(
        values[0]["media-types"][0]["type"],
        "application/vnd.openstack.identity-v3+json"
    );
    for p in ["/identity/v3", "/identity/v3/"] {
        let (s, one) = get(&sim, p).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert_eq!(one["version"], values[0], "{p}");
    }

    let (s, v) = get(&sim, "/compute/").await;
    assert_eq!(s, StatusCode::OK);
    let list = v["versions"].as_array().unwrap();
    assert_eq!(
        list.iter()
            .map(|x| (&x["id"], &x["status"]))
            .collect::<Vec<_>>(),
        [
            (&json!("v2.0"), &json!("SUPPORTED")),
            (&json!("v2.1"), &json!("CURRENT"))
        ]
    );
    let (s, one) = get(&sim, "/compute/v2.1").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(one["version"], list[1]);
    assert_eq!(one["version"]["version"], "2.96");
    assert_eq!(one["version"]["min_version"], "2.1");
    assert_eq!(self_href(&one["version"]), format!("{base}/compute/v2.1/"));

    let (s, v) = get(&sim, "/image").await;
    assert_eq!(s, StatusCode::MULTIPLE_CHOICES);
    let list = v["versions"].as_array().unwrap();
    assert_eq!(list[0]["id"], "v2.16");
    assert_eq!(list[0]["status"], "CURRENT");
    assert_eq!(list.len(), 17);
    assert!(list[1..].iter().all(|x| x["status"] == "SUPPORTED"));
    assert_eq!(self_href(&list[0]), format!("{base}/image/v2/"));
    assert_eq!(
        get(&sim, "/image/v2/").await.0,
        StatusCode::MULTIPLE_CHOICES
    );
    assert_eq!(get(&sim, "/image/versions").await, (StatusCode::OK, v));

    let (s, v) = get(&sim, "/network").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["versions"][0]["id"], "v2.0");
    assert_eq!(
        self_href(&v["versions"][0]),
        format!("{base}/network/v2.0/")
    );
    let (s, v) = get(&sim, "/network/v2.0/").await;
    assert_eq!(s, StatusCode::OK);
    let ports = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["collection"] == "ports")
        .unwrap();
    assert_eq!(self_href(ports), format!("{base}/network/v2.0/ports"));
}

async fn admin_token(sim: &Sim) -> String {
    let (_, tok, _) = common::keystone_token(sim, &common::password(OS_ADMIN, "admin")).await;
    tok.expect("an X-Subject-Token")
}

/// `(status, OpenStack-API-Version, X-OpenStack-Nova-API-Version)` of a server list.
async fn list_at(sim: &Sim, tok: &str, header: (&str, &str)) -> (u16, String, String) {
    let r = common::client()
        .get(format!("{}/compute/v2.1/servers/detail", sim.url()))
        .header("x-auth-token", tok)
        .header(header.0, header.1)
        .send()
        .await
        .unwrap();
    let h = |k: &str| {
        r.headers()
            .get(k)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    (
        r.status().as_u16(),
        h("openstack-api-version"),
        h("x-openstack-nova-api-version"),
    )
}

#[tokio::test]
async fn nova_accepts_up_to_the_configured_microversion_and_echoes_it() {
    let sim = Sim::start(SimConfig {
        nova_max_microversion: (2, 60),
        ..common::cfg()
    })
    .await
    .unwrap();
    let (_, doc) = get(&sim, "/compute/v2.1/").await;
    assert_eq!(doc["version"]["version"], "2.60");
    let tok = admin_token(&sim).await;
    assert_eq!(
        list_at(&sim, &tok, ("openstack-api-version", "compute 2.60")).await,
        (200, "compute 2.60".into(), "2.60".into())
    );
    assert_eq!(
        list_at(&sim, &tok, ("x-openstack-nova-api-version", "2.53")).await,
        (200, "compute 2.53".into(), "2.53".into())
    );
    assert_eq!(
        list_at(&sim, &tok, ("openstack-api-version", "compute latest")).await,
        (200, "compute 2.60".into(), "2.60".into())
    );
    assert_eq!(
        list_at(&sim, &tok, ("openstack-api-version", "compute 2.73"))
            .await
            .0,
        406
    );
    // a lock reason needs 2.73, which this cloud does not have
    let id = sim.state()["openstack"]["servers"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = common::client()
        .post(format!("{}/compute/v2.1/servers/{id}/action", sim.url()))
        .header("x-auth-token", &tok)
        .header("openstack-api-version", "compute 2.60")
        .json(&json!({"lock": {"locked_reason": "security"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[test]
fn the_flag_parses_microversions() {
    assert_eq!(octo_sim::parse_microversion("2.60"), Ok((2, 60)));
    assert_eq!(octo_sim::parse_microversion(" 2.96 "), Ok((2, 96)));
    assert!(octo_sim::parse_microversion("2.0").is_err());
    assert!(octo_sim::parse_microversion("3.1").is_err());
    assert!(octo_sim::parse_microversion("latest").is_err());
}
