#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use octo_sim::{READ_KEY, Sim, SimConfig, WRITE_KEY};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub fn anchor() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 20, 15, 30, 0).unwrap()
}

pub fn cfg() -> SimConfig {
    SimConfig {
        seed: 7,
        now: Some(anchor()),
        ..SimConfig::default()
    }
}

pub async fn start() -> Sim {
    Sim::start(cfg()).await.expect("sim starts")
}

/// A plain reqwest builder: octo-sim is tested with it, not with octo-core's client (it must
/// not share its bugs). reqwest is built without a crypto provider (the workspace picks ring).
#[allow(dead_code)] // not every test file builds its own
pub fn builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    #[allow(clippy::disallowed_methods)]
    reqwest::Client::builder()
}

pub fn client() -> reqwest::Client {
    builder().pool_max_idle_per_host(0).build().unwrap()
}

/// The Halo token request (client credentials) with `key`, not sent.
pub fn token_request(sim: &Sim, key: (&str, &str)) -> reqwest::RequestBuilder {
    client()
        .post(format!(
            "{}/oauth/access_token?grant_type=client_credentials",
            sim.url()
        ))
        .basic_auth(key.0, Some(key.1))
}

pub async fn token_for(sim: &Sim, key: (&str, &str)) -> String {
    let r = token_request(sim, key).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

pub async fn read_token(sim: &Sim) -> String {
    token_for(sim, READ_KEY).await
}

pub async fn write_token(sim: &Sim) -> String {
    token_for(sim, WRITE_KEY).await
}

/// GET a path (with query) relative to the sim; returns status and JSON body.
pub async fn get(sim: &Sim, tok: &str, path: &str) -> (StatusCode, Value) {
    get_url(tok, &format!("{}{}", sim.url(), path)).await
}

pub async fn get_url(tok: &str, url: &str) -> (StatusCode, Value) {
    let r = client().get(url).bearer_auth(tok).send().await.unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

pub async fn send(
    sim: &Sim,
    method: reqwest::Method,
    tok: &str,
    path: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let r = client()
        .request(method, format!("{}{}", sim.url(), path))
        .bearer_auth(tok)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// [`send`] with PUT.
pub async fn put(sim: &Sim, tok: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    send(sim, reqwest::Method::PUT, tok, path, body).await
}

/// Follow `pagination.next` to the end; returns all items of `key`.
pub async fn get_all(sim: &Sim, tok: &str, path: &str, key: &str) -> Vec<Value> {
    let mut url = format!("{}{}", sim.url(), path);
    let mut out = Vec::new();
    loop {
        let (st, v) = get_url(tok, &url).await;
        assert_eq!(st, StatusCode::OK, "{url}: {v}");
        out.extend(v[key].as_array().unwrap().iter().cloned());
        match v["pagination"]["next"].as_str() {
            Some(n) => url = n.to_string(),
            None => break,
        }
    }
    out
}

pub fn find_group<'a>(groups: &'a [Value], path: &str) -> &'a Value {
    groups
        .iter()
        .find(|g| g["group_path"] == path)
        .unwrap_or_else(|| panic!("group {path}"))
}

/// A Keystone password authentication body for `user` (name, password), scoped to `project`.
pub fn password(user: (&str, &str), project: &str) -> Value {
    json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": user.0,
        "domain": {"name": "Default"}, "password": user.1}}},
        "scope": {"project": {"name": project, "domain": {"name": "Default"}}}}})
}

/// POST `body` to Keystone's `/identity/v3/auth/tokens`: the status, the `X-Subject-Token` and
/// the JSON body.
pub async fn keystone_token(sim: &Sim, body: &Value) -> (StatusCode, Option<String>, Value) {
    let r = client()
        .post(format!("{}/identity/v3/auth/tokens", sim.url()))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let tok = r
        .headers()
        .get("x-subject-token")
        .map(|v| v.to_str().unwrap().to_string());
    (status, tok, r.json().await.unwrap())
}

/// `octo-sim serve ARGS` (the built binary), stdout piped: the child (kill it) and the URL it
/// printed first.
pub fn serve(args: &[&str]) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_octo-sim"))
        .arg("serve")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line.trim().to_string())
}

/// GET `url` (no token) on a runtime of its own, for tests that are not async; the JSON body.
pub fn get_json(url: &str) -> Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        client()
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    })
}
