mod common;

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use octo_sim::{Sim, SimConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn day(d: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, d, 0, 0, 0).unwrap()
}

#[tokio::test]
async fn events_window_boundaries_and_bursts() {
    let sim = start().await;
    let tok = read_token(&sim).await;
    // yesterday (2024-06-19) complete: 2000 events, first at 00:00:00.000, last at 23:59:59.999
    let truth = sim.events(day(19), day(20));
    assert_eq!(truth.len(), 2000);
    assert_eq!(truth[0]["created_at"], "2024-06-19T00:00:00.000Z");
    assert_eq!(truth[1999]["created_at"], "2024-06-19T23:59:59.999Z");
    assert!(
        truth
            .windows(2)
            .all(|w| w[0]["created_at"].as_str() <= w[1]["created_at"].as_str())
    );
    // ids: 32 lowercase hex, unique
    let mut ids: Vec<&str> = truth.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert!(ids.iter().all(|i| {
        i.len() == 32
            && i.chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    }));
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 2000);
    // a burst: >= 20 events sharing one created_at
    let mut best = 1;
    let mut run = 1;
    for w in truth.windows(2) {
        run = if w[0]["created_at"] == w[1]["created_at"] {
            run + 1
        } else {
            1
        };
        best = best.max(run);
    }
    assert!(best >= 20, "longest burst {best}");

    // API: since inclusive, until inclusive
    let (st, v) = get(
        &sim,
        &tok,
        "/v1/events?since=2024-06-19T00:00:00.000Z&until=2024-06-20T00:00:00.000Z&per_page=1",
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["count"], 2001); // + the 2024-06-20T00:00:00.000Z event (until is inclusive)
    assert_eq!(v["events"][0], truth[0]);
    let (_, v) = get(&sim, &tok, "/v1/events?since=2024-06-19&until=2024-06-19T23:59:59.999Z&per_page=1&sort_by=created_at.desc").await;
    assert_eq!(v["count"], 2000);
    assert_eq!(v["events"][0], truth[1999]);
    // since excludes the previous day's last event at .999 - since is inclusive of .000
    let (_, v) = get(
        &sim,
        &tok,
        "/v1/events?since=2024-06-18T23:59:59.999Z&until=2024-06-19T00:00:00Z",
    )
    .await;
    assert_eq!(v["count"], 2);
    assert_eq!(v["events"][0]["created_at"], "2024-06-18T23:59:59.999Z");
    assert_eq!(v["events"][1]["created_at"], "2024-06-19T00:00:00.000Z");

    // paging through yesterday with the API equals the ground truth
    let mut got = Vec::new();
    let mut page = 1;
    loop {
        let (_, v) = get(&sim, &tok, &format!("/v1/events?since=2024-06-19&until=2024-06-19T23:59:59.999Z&per_page=100&page={page}")).await;
        got.extend(v["events"].as_array().unwrap().iter().cloned());
        if v["pagination"]["next"].is_null() {
            break;
        }
        page += 1;
    }
    assert_eq!(got, truth);

    // today is generated only up to the anchor (15:30) — no future events
    let today = sim.events(day(20), day(21));
    let last = today.last().unwrap()["created_at"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(last.as_str() <= "2024-06-20T15:30:00.000Z", "{last}");
    assert!(today.len() > 1000 && today.len() < 1400, "{}", today.len());
    // the whole history: 3 days
    assert_eq!(sim.events(day(18), day(19)).len(), 2000);
    assert!(sim.events(day(17), day(18)).is_empty());

    // bad timestamps → 422
    for q in [
        "since=yesterday",
        "until=2024-13-01",
        "since=2024-06-19T25:00:00Z",
    ] {
        let (st, v) = get(&sim, &tok, &format!("/v1/events?{q}")).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert!(v["error"].is_string());
    }
}

#[tokio::test]
async fn event_filters() {
    let sim = start().await;
    let tok = read_token(&sim).await;
    let truth = sim.events(day(18), day(21));
    let w = "since=2024-06-18&until=2024-06-21&per_page=100";
    let count = |f: &dyn Fn(&Value) -> bool| truth.iter().filter(|e| f(e)).count();

    let (_, v) = get(
        &sim,
        &tok,
        &format!("/v1/events?{w}&type=LIDS_rule_failed,api_login_failure"),
    )
    .await;
    assert_eq!(
        v["count"],
        count(&|e| e["type"] == "lids_rule_failed" || e["type"] == "api_login_failure")
    );
    assert!(v["count"].as_u64().unwrap() > 500);
    assert!(
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["type"] == "lids_rule_failed" || e["type"] == "api_login_failure")
    );

    let (_, v) = get(&sim, &tok, &format!("/v1/events?{w}&type=no_such_type")).await;
    assert_eq!(v["count"], 0);
    assert_eq!(v["events"], json!([]));

    let (_, v) = get(&sim, &tok, &format!("/v1/events?{w}&critical=true")).await;
    let crit = count(&|e| e["critical"] == true);
    assert_eq!(v["count"], crit);
    let share = crit as f64 / truth.len() as f64;
    assert!((0.10..0.22).contains(&share), "critical share {share}");
    let (_, v) = get(&sim, &tok, &format!("/v1/events?{w}&critical=false")).await;
    assert_eq!(v["count"], truth.len() - crit);

    let sid = truth
        .iter()
        .find(|e| e["type"] == "lids_rule_failed")
        .unwrap()["server_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, v) = get(&sim, &tok, &format!("/v1/events?{w}&server_id={sid}")).await;
    assert_eq!(v["count"], count(&|e| e["server_id"] == sid.as_str()));

    let (_, v) = get(
        &sim,
        &tok,
        &format!("/v1/events?{w}&server_platform=windows"),
    )
    .await;
    assert_eq!(v["count"], count(&|e| e["server_platform"] == "Windows"));
    assert!(v["count"].as_u64().unwrap() > 0);

    // group_id filters by the server's group even though events carry only the group name
    let groups = get_all(&sim, &tok, "/v1/groups?per_page=100", "groups").await;
    let prod_web = find_group(&groups, "Root/Prod/Web")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let servers = get_all(
        &sim,
        &tok,
        "/v1/servers?state=active,missing,deactivated,retired&per_page=100",
        "servers",
    )
    .await;
    let in_web: Vec<&str> = servers
        .iter()
        .filter(|s| s["group_id"] == prod_web.as_str())
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let (_, v) = get(&sim, &tok, &format!("/v1/events?{w}&group_id={prod_web}")).await;
    let expected = count(&|e| e["server_id"].as_str().is_some_and(|s| in_web.contains(&s)));
    assert_eq!(v["count"], expected);
    assert!(
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["server_group_name"] == "Web")
    );

    // sort desc mirrors asc
    let (_, v) = get(
        &sim,
        &tok,
        &format!("/v1/events?{w}&sort_by=created_at.desc&per_page=3"),
    )
    .await;
    assert_eq!(
        v["events"][0]["created_at"],
        truth.last().unwrap()["created_at"]
    );
    let (st, _) = get(&sim, &tok, &format!("/v1/events?{w}&sort_by=severity")).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    // messages: sshd lines with IPv4, some IPv6; audit events carry actor_ip_address
    assert!(truth.iter().any(|e| {
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("sshd: Failed password for ")
            && e["message"].as_str().unwrap().contains(" port ")
    }));
    assert!(
        truth.iter().any(|e| e["type"] == "lids_rule_failed"
            && e["message"].as_str().unwrap().contains("2001:db8:"))
    );
    assert!(
        truth
            .iter()
            .filter(|e| e["type"] == "halo_login_failure")
            .all(|e| e["actor_ip_address"].is_string())
    );
    assert!(
        truth
            .iter()
            .all(|e| e["created_at"].as_str().unwrap().len() == 24
                && e["created_at"].as_str().unwrap().ends_with('Z'))
    );
}

#[tokio::test]
async fn determinism_across_sims() {
    let a = start().await;
    let b = start().await;
    assert_eq!(a.events(day(18), day(21)), b.events(day(18), day(21)));
    // scans carry absolute urls: equal up to the base URL (port)
    let norm =
        |s: &Sim, v: Vec<Value>| serde_json::to_string(&v).unwrap().replace(&s.url(), "BASE");
    assert_eq!(
        norm(&a, a.scans(day(18), day(21))),
        norm(&b, b.scans(day(18), day(21)))
    );
    // a different anchor time on the same day keeps the shared prefix identical
    let c = Sim::start(SimConfig {
        now: Some(anchor() - Duration::hours(3)),
        ..cfg()
    })
    .await
    .unwrap();
    assert_eq!(a.events(day(18), day(20)), c.events(day(18), day(20)));
    let ca = c.events(day(20), day(21));
    assert_eq!(&a.events(day(20), day(21))[..ca.len()], &ca[..]);
    // server/group ids are the same too (urls differ by port only)
    let strip = |s: &Sim| {
        let mut st = s.state();
        st["now"] = Value::Null;
        st
    };
    assert_eq!(strip(&a), strip(&b));
    // a different seed differs
    let d = Sim::start(SimConfig { seed: 8, ..cfg() }).await.unwrap();
    assert_ne!(
        a.events(day(19), day(20))[5]["id"],
        d.events(day(19), day(20))[5]["id"]
    );
}

#[tokio::test]
async fn added_events_merge_in_order() {
    let sim = start().await;
    let tok = read_token(&sim).await;
    let servers = get_all(&sim, &tok, "/v1/servers?per_page=100", "servers").await;
    let srv = &servers[0];
    let ev = sim.add_event(json!({
        "type": "lids_rule_failed", "critical": true, "server_id": srv["id"],
        "message": "sshd: Failed password for root from 203.0.113.7 port 52144 ssh2",
        "created_at": "2024-06-19T12:00:00.000Z",
    }));
    assert_eq!(ev["id"].as_str().unwrap().len(), 32);
    assert_eq!(ev["name"], "Log-based intrusion detection rule matched");
    assert_eq!(ev["server_hostname"], srv["hostname"]);
    assert_eq!(ev["server_group_name"], srv["group_name"]);
    let truth = sim.events(day(19), day(20));
    assert_eq!(truth.len(), 2001);
    let pos = truth.iter().position(|e| e["id"] == ev["id"]).unwrap();
    assert!(truth[pos - 1]["created_at"].as_str() <= Some("2024-06-19T12:00:00.000Z"));
    assert!(truth[pos + 1]["created_at"].as_str() > Some("2024-06-19T12:00:00.000Z"));
    let (_, v) = get(
        &sim,
        &tok,
        &format!(
            "/v1/events?since=2024-06-19T12:00:00Z&until=2024-06-19T12:00:00Z&server_id={}",
            srv["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(v["events"], json!([ev]));
    let gid = srv["group_id"].as_str().unwrap();
    let (_, v) = get(&sim, &tok, &format!("/v1/events?since=2024-06-19T12:00:00Z&until=2024-06-19T12:00:00Z&group_id={gid}&critical=true&type=lids_rule_failed")).await;
    assert_eq!(v["count"], 1);

    // created_at is normalised to milliseconds with Z
    let ev2 =
        sim.add_event(json!({"type": "server_missing", "created_at": "2024-06-19T13:00:00+00:00"}));
    assert_eq!(ev2["created_at"], "2024-06-19T13:00:00.000Z");

    // via HTTP, defaults: created_at = simulator now (after every generated event)
    let r = client()
        .post(format!("{}/_sim/events", sim.url()))
        .json(&json!([{"type": "api_login_failure", "message": "x"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let added: Value = r.json().await.unwrap();
    assert_eq!(added[0]["critical"], false);
    let (_, newest) = get(&sim, &tok, "/v1/events?sort_by=created_at.desc&per_page=1").await;
    assert_eq!(newest["events"][0], added[0]);
    assert!(added[0]["created_at"].as_str().unwrap() >= "2024-06-20T15:30:00.000Z");
}

#[tokio::test]
async fn scans_and_findings() {
    let sim = start().await;
    let tok = read_token(&sim).await;
    let truth = sim.scans(day(19), day(20));
    assert_eq!(truth.len(), 100);
    let (_, v) = get(
        &sim,
        &tok,
        "/v1/scans?since=2024-06-19&until=2024-06-19T23:59:59.999Z&per_page=100",
    )
    .await;
    assert_eq!(v["count"], 100);
    assert_eq!(v["scans"].as_array().unwrap(), &truth);
    assert!(truth.iter().all(|s| s.get("findings").is_none()));
    let (_, v) = get(
        &sim,
        &tok,
        "/v1/scans?since=2024-06-19&until=2024-06-19T23:59:59.999Z&module=csm,fim&per_page=100",
    )
    .await;
    assert_eq!(
        v["count"],
        truth
            .iter()
            .filter(|s| s["module"] == "sca" || s["module"] == "fim")
            .count()
    );
    let fim = truth
        .iter()
        .find(|s| s["module"] == "fim" && s["status"] == "completed_with_errors")
        .unwrap();
    let (st, v) = get(
        &sim,
        &tok,
        &format!("/v1/scans/{}", fim["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let scan = &v["scan"];
    assert_eq!(scan["server_id"], fim["server_id"]);
    let finding = &scan["findings"][0];
    let (st, v) = get(
        &sim,
        &tok,
        &format!(
            "/v1/scans/{}/findings/{}",
            fim["id"].as_str().unwrap(),
            finding["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(!v["findings"].as_array().unwrap().is_empty());
    assert_eq!(v["findings"][0]["target"], finding["target"]);
    let (st, _) = get(
        &sim,
        &tok,
        &format!("/v1/scans/{}/findings/nope", fim["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

/// 1M events per day x 3 days: generation stays fast and queries stay cheap.
#[tokio::test]
async fn million_events_per_day() {
    let t0 = Instant::now();
    let sim = Sim::start(SimConfig {
        events_per_day: 1_000_000,
        ..cfg()
    })
    .await
    .unwrap();
    let took = t0.elapsed();
    assert!(took.as_secs_f64() < 10.0, "generation took {took:?}");
    let tok = read_token(&sim).await;
    let (_, v) = get(
        &sim,
        &tok,
        "/v1/events?since=2024-06-19&until=2024-06-19T23:59:59.999Z&per_page=100&page=100",
    )
    .await;
    assert_eq!(v["count"], 1_000_000);
    assert_eq!(v["events"].as_array().unwrap().len(), 100);
    // a filtered query scans the window once
    let t1 = Instant::now();
    let (_, v) = get(
        &sim,
        &tok,
        "/v1/events?since=2024-06-18&type=lids_rule_failed&critical=true&per_page=100",
    )
    .await;
    assert!(v["count"].as_u64().unwrap() > 100_000);
    assert!(
        t1.elapsed().as_secs_f64() < 5.0,
        "filtered query took {:?}",
        t1.elapsed()
    );
    // ~694 events per minute on average (bursts add spikes)
    let minute = sim
        .events(
            Utc.with_ymd_and_hms(2024, 6, 19, 12, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2024, 6, 19, 12, 1, 0).unwrap(),
        )
        .len();
    assert!((300..3000).contains(&minute), "{minute}");
}
