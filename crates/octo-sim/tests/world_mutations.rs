//! The seeded world's shape and its mutations: server moves and retirement, zone writes, planted
//! servers.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// GET `prefix` followed by the string `id` (a field of an object read before); the JSON body,
/// whatever the status.
async fn get_at(sim: &octo_sim::Sim, tok: &str, prefix: &str, id: &Value) -> Value {
    get(sim, tok, &format!("{prefix}{}", id.as_str().unwrap()))
        .await
        .1
}

#[tokio::test]
async fn seeded_world_shape() {
    let sim = start().await;
    let tok = read_token(&sim).await;
    let groups = get_all(&sim, &tok, "/v1/groups?per_page=100", "groups").await;
    let paths: Vec<&str> = groups
        .iter()
        .map(|g| g["group_path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "Root",
            "Root/Prod",
            "Root/Prod/Web",
            "Root/Prod/App",
            "Root/Prod/DB",
            "Root/Dev",
            "Root/Dev/Web",
            "Root/Dev/Build",
            "Root/Corp",
            "Root/Quarantine",
            "Root/q-test"
        ]
    );
    assert_eq!(groups.iter().filter(|g| g["name"] == "Web").count(), 2);
    let q = find_group(&groups, "Root/Quarantine");
    assert_eq!(
        q["server_counts"],
        json!({"active": 0, "missing": 0, "deactivated": 0, "total": 0})
    );
    let qt = find_group(&groups, "Root/q-test");
    assert_eq!(qt["server_counts"]["active"], 3);
    for key in [
        "policy_ids",
        "windows_policy_ids",
        "fim_policy_ids",
        "windows_fim_policy_ids",
        "lids_policy_ids",
        "alert_profiles",
    ] {
        assert!(qt[key].is_array(), "{key}");
    }
    let g = get_at(&sim, &tok, "/v1/groups/", &qt["id"]).await;
    assert_eq!(g["group"], *qt);

    let all = get_all(
        &sim,
        &tok,
        "/v1/servers?state=active,missing,deactivated,retired&per_page=100",
        "servers",
    )
    .await;
    assert_eq!(all.len(), 60);
    let active = get_all(&sim, &tok, "/v1/servers?per_page=100", "servers").await;
    assert!(active.iter().all(|s| s["state"] == "active"));
    assert!(active.len() < 60 && active.len() > 40);
    for st in ["missing", "deactivated", "retired"] {
        assert!(all.iter().any(|s| s["state"] == st), "{st}");
    }
    let ec2 = all.iter().filter(|s| s.get("aws_ec2").is_some()).count();
    assert!((18..=42).contains(&ec2), "{ec2} with aws_ec2");
    let accounts: std::collections::BTreeSet<&str> = all
        .iter()
        .filter_map(|s| s["aws_ec2"]["ec2_account_id"].as_str())
        .collect();
    assert_eq!(accounts.len(), 2);
    assert!(all.iter().any(|s| s["platform"] == "windows"));
    let mut hosts: Vec<&str> = all
        .iter()
        .map(|s| s["hostname"].as_str().unwrap())
        .collect();
    hosts.sort();
    let n = hosts.len();
    hosts.dedup();
    assert!(hosts.len() < n, "some servers share a hostname");

    // filters
    let srv = active.iter().find(|s| s.get("aws_ec2").is_some()).unwrap();
    let iid = srv["aws_ec2"]["ec2_instance_id"].as_str().unwrap();
    let (_, v) = get(&sim, &tok, &format!("/v1/servers?ec2_instance_id={iid}")).await;
    assert_eq!(v["count"], 1);
    assert_eq!(v["servers"][0]["id"], srv["id"]);
    let ip = srv["connecting_ip_address"].as_str().unwrap();
    let (_, v) = get(
        &sim,
        &tok,
        &format!("/v1/servers?connecting_ip_address={ip}"),
    )
    .await;
    assert_eq!(v["servers"][0]["id"], srv["id"]);
    let (_, v) = get(&sim, &tok, "/v1/servers?group_name=Web&per_page=100").await;
    assert_eq!(
        v["count"],
        active.iter().filter(|s| s["group_name"] == "Web").count()
    );
    let (_, v) = get(&sim, &tok, "/v1/servers?platform=windows&per_page=100").await;
    assert_eq!(
        v["count"],
        active.iter().filter(|s| s["platform"] == "windows").count()
    );
    let v = get_at(&sim, &tok, "/v1/servers?group_id=", &qt["id"]).await;
    assert_eq!(v["count"], 3);

    // svm + cve filter agree
    let mut with_cve = 0;
    for s in &active {
        let (st, v) = get(
            &sim,
            &tok,
            &format!("/v1/servers/{}/svm", s["id"].as_str().unwrap()),
        )
        .await;
        if st == StatusCode::NOT_FOUND {
            continue;
        }
        assert_eq!(st, StatusCode::OK);
        if v["scan"]["findings"].as_array().unwrap().iter().any(|f| {
            f["cve_entries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["cve_entry"] == "CVE-2021-44228")
        }) {
            with_cve += 1;
        }
    }
    let (_, v) = get(&sim, &tok, "/v1/servers?cve=CVE-2021-44228&per_page=100").await;
    assert_eq!(v["count"], with_cve);

    // issues grouped by critical
    let (_, v) = get(&sim, &tok, &format!("/v3/issues?group_id={}&status=active&group_by=critical&sort_by=critical.desc&descendants=true", groups[0]["id"].as_str().unwrap())).await;
    let rows = v["issues"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["critical"], true);
    let (_, all_active) = get(&sim, &tok, "/v3/issues?status=active&per_page=1").await;
    assert_eq!(
        rows[0]["count"].as_u64().unwrap() + rows[1]["count"].as_u64().unwrap(),
        all_active["count"].as_u64().unwrap()
    );

    // firewall objects
    let zones = get_all(
        &sim,
        &tok,
        "/v1/firewall_zones?per_page=100",
        "firewall_zones",
    )
    .await;
    let block = zones
        .iter()
        .find(|z| z["name"] == "halo-ipblocker")
        .unwrap();
    assert_eq!(block["ip_address"], "203.0.113.250");
    let web = find_group(&groups, "Root/Prod/Web");
    let p = get_at(
        &sim,
        &tok,
        "/v1/firewall_policies/",
        &web["linux_firewall_policy_id"],
    )
    .await;
    let rules = p["firewall_policy"]["firewall_rules"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .any(|r| r["chain"] == "OUTPUT" && r.get("firewall_target").is_some())
    );
    assert!(
        rules
            .iter()
            .any(|r| r["firewall_source"]["type"] == "FirewallZone"
                && r["firewall_source"]["ip_address"].is_string())
    );
    assert!(
        rules
            .iter()
            .any(|r| r["firewall_source"]["type"] == "Group")
    );
    assert!(
        rules
            .iter()
            .any(|r| r["firewall_source"]["type"] == "UserGroup")
    );
    assert!(rules.iter().any(|r| r["active"] == false));
    assert!(rules.iter().any(|r| r["action"] == "REJECT"));
    // one duplicate rule: same everything but id/url/position
    let key = |r: &Value| {
        let mut r = r.clone();
        for k in ["id", "url", "position", "log_prefix"] {
            r.as_object_mut().unwrap().remove(k);
        }
        r.to_string()
    };
    let mut keys: Vec<String> = rules.iter().map(key).collect();
    keys.sort();
    let n = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), n - 1);
    assert_eq!(p["firewall_policy"]["platform"], "linux");
    let p = get_at(
        &sim,
        &tok,
        "/v1/firewall_policies/",
        &web["windows_firewall_policy_id"],
    )
    .await;
    assert_eq!(p["firewall_policy"]["platform"], "windows");
    let (_, v) = get(&sim, &tok, "/v1/firewall_services?per_page=100").await;
    assert!(
        v["firewall_services"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["port"] == "22")
    );
    let v = get_at(&sim, &tok, "/v1/lids_policies/", &web["lids_policy_ids"][0]).await;
    assert_eq!(v["lids_policy"]["name"], "Linux Auth Log Monitoring");
    let v = get_at(&sim, &tok, "/v1/policies/", &web["policy_ids"][0]).await;
    assert!(v["policy"]["name"].is_string());
}

#[tokio::test]
async fn server_move_and_retire() {
    let sim = start().await;
    let rw = write_token(&sim).await;
    let groups = get_all(&sim, &rw, "/v1/groups?per_page=100", "groups").await;
    let quarantine = find_group(&groups, "Root/Quarantine")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let v = get_at(
        &sim,
        &rw,
        "/v1/servers?group_id=",
        &find_group(&groups, "Root/q-test")["id"],
    )
    .await;
    let srv = v["servers"][0].clone();
    let sid = srv["id"].as_str().unwrap();

    // bad bodies
    let (st, _) = put(
        &sim,
        &rw,
        &format!("/v1/servers/{sid}"),
        &json!({"server": {"group_id": [quarantine]}}),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, v) = put(
        &sim,
        &rw,
        &format!("/v1/servers/{sid}"),
        &json!({"server": {"group_id": "ffffffffffffffffffffffffffffffff"}}),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"].is_string());
    let (st, _) = put(
        &sim,
        &rw,
        &format!("/v1/servers/{sid}"),
        &json!({"group_id": quarantine}),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _) = put(
        &sim,
        &rw,
        "/v1/servers/ffffffffffffffffffffffffffffffff",
        &json!({"server": {"group_id": quarantine}}),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(sim.state()["mutations"], json!([]));

    let body = json!({"server": {"group_id": quarantine}});
    let (st, _) = put(&sim, &rw, &format!("/v1/servers/{sid}"), &body).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let state = sim.state();
    assert_eq!(
        state["mutations"],
        json!([{"method": "PUT", "path": format!("/v1/servers/{sid}"), "body": body}])
    );
    let s = state["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == sid)
        .unwrap();
    assert_eq!(s["group_id"], quarantine.as_str());
    assert_eq!(s["group_name"], "Quarantine");
    assert_eq!(s["group_path"], "Root/Quarantine");
    let (_, v) = get(&sim, &rw, &format!("/v1/servers/{sid}")).await;
    assert_eq!(v["server"]["group_name"], "Quarantine");
    assert_eq!(
        v["server"]["firewall_policy"]["name"],
        "Quarantine Lockdown (Linux)"
    );
    let (_, g) = get(&sim, &rw, &format!("/v1/groups/{quarantine}")).await;
    assert_eq!(g["group"]["server_counts"]["active"], 1);

    // server_moved event at "now"
    let (_, v) = get(
        &sim,
        &rw,
        "/v1/events?type=server_moved&sort_by=created_at.desc&per_page=1",
    )
    .await;
    let ev = &v["events"][0];
    assert_eq!(ev["server_id"], sid);
    assert_eq!(ev["server_group_name"], "Quarantine");
    assert!(ev["created_at"].as_str().unwrap() >= "2024-06-20T15:30:00.000Z");
    assert!(
        ev["message"]
            .as_str()
            .unwrap()
            .contains("to group Root/Quarantine")
    );
    let (_, v) = get(
        &sim,
        &rw,
        &format!("/v1/events?group_id={quarantine}&since=2024-06-20T15:30:00Z"),
    )
    .await;
    assert_eq!(v["count"], 1);

    // moving again to the same group: success, no new event
    let (st, _) = put(&sim, &rw, &format!("/v1/servers/{sid}"), &body).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, v) = get(
        &sim,
        &rw,
        "/v1/events?type=server_moved&since=2024-06-20T15:30:00Z",
    )
    .await;
    assert_eq!(v["count"], 1);

    // retire
    let (st, _) = put(
        &sim,
        &rw,
        &format!("/v1/servers/{sid}"),
        &json!({"server": {"retire": true}}),
    )
    .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, v) = get(&sim, &rw, &format!("/v1/servers/{sid}")).await;
    assert_eq!(v["server"]["state"], "retired");
    let (_, v) = get(&sim, &rw, &format!("/v1/servers?group_id={quarantine}")).await;
    assert_eq!(v["count"], 0);

    // reset restores the seeded world
    let r = client()
        .post(format!("{}/_sim/reset", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let state = sim.state();
    assert_eq!(state["mutations"], json!([]));
    let s = state["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == sid)
        .unwrap();
    assert_eq!(s["group_name"], "q-test");
    assert_eq!(s["state"], "active");
    let (st, v) = get(
        &sim,
        &rw,
        "/v1/events?type=server_moved&since=2024-06-20T15:30:00Z",
    )
    .await;
    assert_eq!(st, StatusCode::OK, "tokens survive a reset");
    assert_eq!(v["count"], 0);
}

#[tokio::test]
async fn zones_put_post_delete() {
    let sim = start().await;
    let rw = write_token(&sim).await;
    let zones = get_all(
        &sim,
        &rw,
        "/v1/firewall_zones?per_page=100",
        "firewall_zones",
    )
    .await;
    let z = zones
        .iter()
        .find(|z| z["name"] == "halo-ipblocker")
        .unwrap();
    let zid = z["id"].as_str().unwrap();
    let body = json!({"firewall_zone": {"id": zid, "name": "halo-ipblocker", "ip_address": "203.0.113.250,203.0.113.7"}});
    let (st, _) = put(&sim, &rw, &format!("/v1/firewall_zones/{zid}"), &body).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, v) = get(&sim, &rw, &format!("/v1/firewall_zones/{zid}")).await;
    assert_eq!(
        v["firewall_zone"]["ip_address"],
        "203.0.113.250,203.0.113.7"
    );
    assert_eq!(v["firewall_zone"]["name"], "halo-ipblocker");
    let st_zone = sim.state()["firewall_zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == zid)
        .unwrap()
        .clone();
    assert_eq!(st_zone["ip_address"], "203.0.113.250,203.0.113.7");
    assert_eq!(sim.state()["mutations"][0]["body"], body);
    // policies referencing the zone see the new list
    let pols = get_all(
        &sim,
        &rw,
        "/v1/firewall_policies?per_page=100",
        "firewall_policies",
    )
    .await;
    let seen = pols
        .iter()
        .flat_map(|p| p["firewall_rules"].as_array().unwrap().iter())
        .find(|r| r["firewall_source"]["id"] == zid)
        .unwrap();
    assert_eq!(
        seen["firewall_source"]["ip_address"],
        "203.0.113.250,203.0.113.7"
    );
    // invalid IP → 422, unchanged
    let (st, _) = put(
        &sim,
        &rw,
        &format!("/v1/firewall_zones/{zid}"),
        &json!({"firewall_zone": {"ip_address": "999.1.1.1"}}),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = put(
        &sim,
        &rw,
        "/v1/firewall_zones/ffffffffffffffffffffffffffffffff",
        &body,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // create
    let (st, v) = send(
        &sim,
        Method::POST,
        &rw,
        "/v1/firewall_zones",
        &json!({"firewall_zone": {"name": "blocklist-2", "ip_address": "198.51.100.9/32"}}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(v["firewall_zone"]["name"], "blocklist-2");
    assert_eq!(v["firewall_zone"]["id"].as_str().unwrap().len(), 32);
    let (st, _) = send(
        &sim,
        Method::POST,
        &rw,
        "/v1/firewall_zones",
        &json!({"firewall_zone": {"name": "blocklist-2"}}),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, v2) = get(&sim, &rw, "/v1/firewall_zones?per_page=100").await;
    assert_eq!(v2["count"], zones.len() + 1);
    assert_eq!(sim.state()["mutations"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn planted_servers() {
    let sim = start().await;
    let tok = read_token(&sim).await;
    let groups = get_all(&sim, &tok, "/v1/groups?per_page=100", "groups").await;
    let db = find_group(&groups, "Root/Prod/DB")["id"].clone();
    let r = client()
        .post(format!("{}/_sim/servers", sim.url()))
        .json(&json!({"hostname": "planted-1", "group_id": db, "aws_ec2": {"ec2_instance_id": "i-0123456789abcdef0", "ec2_account_id": "123456789012", "ec2_region": "us-east-1"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let srv: Value = r.json().await.unwrap();
    assert_eq!(srv["state"], "active");
    assert_eq!(srv["group_path"], "Root/Prod/DB");
    let (_, v) = get(
        &sim,
        &tok,
        "/v1/servers?ec2_instance_id=i-0123456789abcdef0",
    )
    .await;
    assert_eq!(v["count"], 1);
    assert_eq!(v["servers"][0], srv);
}
