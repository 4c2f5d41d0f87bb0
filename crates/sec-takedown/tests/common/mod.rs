//! Shared helpers: run the real `sec-takedown` binary against an in-process `octo_sim` (Keystone,
//! Nova, Glance, Neutron, FreshDesk) and check that no secret ever reaches its output.

#![allow(dead_code)]

use std::path::Path;
use std::process::Output;

use serde_json::Value;

#[allow(unused_imports)] // each test file uses some of them
pub use octo_testkit::harness::{code, ok, stderr, stdout};

pub const SECRETS: [&str; 4] = [
    octo_sim::OS_ADMIN.1,
    octo_sim::OS_APP_CRED.1,
    octo_sim::OS_OWNER.1,
    octo_sim::FRESHDESK_KEY,
];

/// Every variable the binary reads, removed so nothing from the caller's shell leaks in.
pub const REMOVED_ENV: &[&str] = &[
    "OS_CLOUD",
    "OS_CLIENT_CONFIG_FILE",
    "OS_AUTH_URL",
    "OS_AUTH_TYPE",
    "OS_USERNAME",
    "OS_USER_ID",
    "OS_PASSWORD",
    "OS_USER_DOMAIN_NAME",
    "OS_USER_DOMAIN_ID",
    "OS_PROJECT_NAME",
    "OS_PROJECT_ID",
    "OS_PROJECT_DOMAIN_NAME",
    "OS_PROJECT_DOMAIN_ID",
    "OS_APPLICATION_CREDENTIAL_ID",
    "OS_APPLICATION_CREDENTIAL_NAME",
    "OS_APPLICATION_CREDENTIAL_SECRET",
    "OS_REGION_NAME",
    "OS_INTERFACE",
    "FRESHDESK_DOMAIN",
    "FRESHDESK_API_KEY",
    "FRESHDESK_URL",
    "OCTO_CONFIG",
    "OCTO_LOG",
    "NO_COLOR",
];

pub fn spawn() -> octo_sim::SimHandle {
    octo_testkit::harness::spawn_sim(octo_sim::SimConfig {
        seed: 11,
        events_per_day: 10,
        scans_per_day: 2,
        days: 1,
        servers: 5,
        openstack_transition_ms: 150,
        ..octo_sim::SimConfig::default()
    })
}

/// Admin password auth + FreshDesk for `url`.
pub fn envs(url: &str) -> Vec<(String, String)> {
    vec![
        ("OS_AUTH_URL".into(), format!("{url}/identity")),
        ("OS_USERNAME".into(), octo_sim::OS_ADMIN.0.into()),
        ("OS_PASSWORD".into(), octo_sim::OS_ADMIN.1.into()),
        ("OS_PROJECT_NAME".into(), "admin".into()),
        ("OS_USER_DOMAIN_NAME".into(), "Default".into()),
        ("OS_PROJECT_DOMAIN_NAME".into(), "Default".into()),
        ("OS_REGION_NAME".into(), "RegionOne".into()),
        ("FRESHDESK_URL".into(), url.into()),
        ("FRESHDESK_API_KEY".into(), octo_sim::FRESHDESK_KEY.into()),
    ]
}

pub const CONFIG: &str = "takedown:\n  poll_interval_ms: 50\n  portal_url: https://support.example.org\n  wait_timeout_secs: 30\n";

/// A test environment: a temp XDG config dir with octo.yml.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub vars: Vec<(String, String)>,
}

impl Env {
    pub fn new(url: &str) -> Env {
        Env::with_config(url, CONFIG)
    }
    pub fn with_config(url: &str, config: &str) -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("octobox")).unwrap();
        std::fs::write(dir.path().join("octobox").join("octo.yml"), config).unwrap();
        Env {
            dir,
            vars: envs(url),
        }
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    pub fn set(mut self, k: &str, v: &str) -> Env {
        self.vars.retain(|(x, _)| x != k);
        self.vars.push((k.into(), v.into()));
        self
    }
    pub fn unset(mut self, k: &str) -> Env {
        self.vars.retain(|(x, _)| x != k);
        self
    }
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = octo_testkit::harness::command("sec-takedown", REMOVED_ENV);
        cmd.envs(self.vars.iter().cloned())
            .env("XDG_CONFIG_HOME", self.path())
            .env("HOME", self.path())
            .current_dir(self.path())
            .timeout(std::time::Duration::from_secs(120))
            .args(args);
        let out = cmd.output().expect("running sec-takedown");
        assert_no_secrets(&out);
        out
    }
}

impl Env {
    /// Run on a pseudo-terminal (util-linux `script`): stdin, stdout and stderr are a terminal,
    /// `input` is what is typed. The exit code and everything the terminal showed.
    pub fn run_on_terminal(&self, args: &[&str], input: &str) -> (i32, String) {
        let bin = assert_cmd::cargo::cargo_bin("sec-takedown");
        let mut line = bin.display().to_string();
        for a in args {
            assert!(
                a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c)),
                "quote {a}"
            );
            line.push(' ');
            line.push_str(a);
        }
        // `timeout`: a prompt that waited for more input would fail the test, not hang it
        let mut cmd = std::process::Command::new("timeout");
        for k in REMOVED_ENV {
            cmd.env_remove(k);
        }
        cmd.envs(self.vars.iter().cloned())
            .env("XDG_CONFIG_HOME", self.path())
            .env("HOME", self.path())
            .env("TERM", "dumb")
            .current_dir(self.path())
            .args(["120", "script", "-q", "-e", "-c", &line, "/dev/null"]);
        let mut child = cmd
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("script(1) from util-linux");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(input.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        assert_no_secrets(&out);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code().unwrap_or(-1), text)
    }
}

pub fn assert_no_secrets(out: &Output) {
    octo_testkit::harness::assert_no_secrets(out, &SECRETS);
}

/// The JSON Lines of stdout, each held to the contract its `record` field names.
pub fn jsonl(out: &Output) -> Vec<Value> {
    let records = octo_testkit::harness::jsonl(out);
    for r in &records {
        octo_testkit::assert_tagged_record(r);
    }
    records
}

/// The id of the seeded server `name` in project number `project` (1 genomics-lab, 2 astro-sim,
/// 3 teaching-101).
pub fn server_id(sim: &octo_sim::Sim, name: &str, project: usize) -> String {
    let st = sim.state();
    let pid = st["openstack"]["projects"][project]["id"].clone();
    st["openstack"]["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name && s["tenant_id"] == pid)
        .unwrap_or_else(|| panic!("no server {name} in project {project}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub fn server(sim: &octo_sim::Sim, id: &str) -> Option<Value> {
    sim.state()["openstack"]["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .cloned()
}

pub fn tickets(sim: &octo_sim::Sim) -> Vec<Value> {
    sim.state()["freshdesk"]["tickets"]
        .as_array()
        .unwrap()
        .clone()
}

/// `(step, status)` of every action record.
pub fn steps(records: &[Value]) -> Vec<(String, String)> {
    records
        .iter()
        .map(|r| {
            (
                r["step"].as_str().unwrap_or("?").to_string(),
                r["status"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

/// Records without the fields that differ from run to run (time, request ids).
pub fn normalized(records: &[Value]) -> Vec<Value> {
    records
        .iter()
        .map(|r| {
            let mut r = r.clone();
            if let Some(m) = r.as_object_mut() {
                m.remove("at");
                m.remove("request_id");
            }
            r
        })
        .collect()
}

/// PUT a JSON body to a simulator test route.
pub fn sim_put(sim: &octo_sim::Sim, path: &str, body: &Value) {
    let (status, _, _) = http(sim, "PUT", path, &[], Some(body));
    assert_eq!(status, 200, "PUT {path}");
}

/// One HTTP/1.1 request to the simulator over a plain socket (the tests need no HTTP client
/// crate): status, raw headers, body.
pub fn http(
    sim: &octo_sim::Sim,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, String, String) {
    use std::io::{Read, Write};
    let u = url::Url::parse(&sim.url()).unwrap();
    let mut s = std::net::TcpStream::connect((u.host_str().unwrap(), u.port().unwrap())).unwrap();
    let b = body
        .map(|b| serde_json::to_vec(b).unwrap())
        .unwrap_or_default();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        b.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(&b).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

/// An admin Keystone token for direct API calls from a test.
pub fn admin_token(sim: &octo_sim::Sim) -> String {
    let body = serde_json::json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": octo_sim::OS_ADMIN.0, "domain": {"name": "Default"}, "password": octo_sim::OS_ADMIN.1}}},
        "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}});
    let (status, head, _) = http(sim, "POST", "/identity/v3/auth/tokens", &[], Some(&body));
    assert_eq!(status, 201);
    head.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("x-subject-token")
                .then(|| v.trim().to_string())
        })
        .expect("X-Subject-Token")
}
