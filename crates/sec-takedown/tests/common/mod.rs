//! Shared helpers: run the real `sec-takedown` binary against an in-process `octo_sim` (Keystone,
//! Nova, Glance, Neutron, FreshDesk) and check that no secret ever reaches its output.

#![allow(dead_code)]

pub mod tls;

use std::path::Path;
use std::process::Output;

use serde_json::Value;

#[allow(unused_imports)] // each test file uses some of them
pub use octo_testkit::harness::{Background, Keys, TestEnv, code, exits_with, ok, stderr, stdout};

/// The simulator of sec-takedown's tests: a small seeded world, OpenStack transitions of 150 ms.
pub fn sim_config() -> octo_sim::SimConfig {
    octo_sim::SimConfig {
        seed: 11,
        events_per_day: 10,
        scans_per_day: 2,
        days: 1,
        servers: 5,
        openstack_transition_ms: 150,
        ..octo_sim::SimConfig::default()
    }
}

/// octo-sim with [`sim_config`], in-process on a free port.
pub fn spawn() -> octo_sim::SimHandle {
    octo_testkit::harness::spawn_sim(sim_config())
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

/// sec-takedown's [`TestEnv`]: the OpenStack and FreshDesk variables of [`envs`] and `octo.yml`
/// in its XDG config dir.
pub struct Env(pub TestEnv);

impl Env {
    pub fn new(url: &str) -> Env {
        Env::with_config(url, CONFIG)
    }
    pub fn with_config(url: &str, config: &str) -> Env {
        let env = TestEnv::new()
            .envs(envs(url))
            .timeout(std::time::Duration::from_secs(120));
        env.config(config);
        Env(env)
    }
    /// The working directory of every run (`clouds.yaml` is found here).
    pub fn path(&self) -> &Path {
        self.0.path()
    }
    /// `$XDG_CONFIG_HOME/octobox`, where octo.yml and its templates are.
    pub fn config_dir(&self) -> std::path::PathBuf {
        self.0.config_home().join("octobox")
    }
    pub fn set(self, k: &str, v: &str) -> Env {
        Env(self.0.set(k, v))
    }
    pub fn unset(self, k: &str) -> Env {
        Env(self.0.unset(k))
    }
    /// One more string that must never reach the output (a password kept in a file).
    pub fn secret(self, s: &str) -> Env {
        Env(self.0.secret(s))
    }
    /// Only the FreshDesk variables and octo.yml: the OpenStack settings come from the test.
    pub fn without_os(url: &str) -> Env {
        let mut e = Env::new(url);
        for (k, _) in envs(url) {
            if k.starts_with("OS_") {
                e = e.unset(&k);
            }
        }
        e
    }
    /// `sec-takedown ARGS` with `extra` variables set for this run only, secrets checked.
    pub fn run_env(&self, extra: &[(&str, &str)], args: &[&str]) -> Output {
        let mut cmd = self.0.command("sec-takedown", Keys::Read);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let out = cmd
            .args(args)
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .expect("running sec-takedown");
        self.0.assert_no_secrets(&out);
        out
    }
    /// `sec-takedown ARGS`, secrets checked.
    pub fn run(&self, args: &[&str]) -> Output {
        self.0.run("sec-takedown", Keys::Read, args, "")
    }

    /// Run on a pseudo-terminal (util-linux `script`): stdin, stdout and stderr are a terminal,
    /// `input` is what is typed. The exit code and everything the terminal showed.
    pub fn run_on_terminal(&self, args: &[&str], input: &str) -> (i32, String) {
        let mut cmd = octo_testkit::pty::command(&octo_testkit::bin("sec-takedown"), args);
        self.0.apply(&mut cmd, Keys::Read);
        cmd.env("TERM", "dumb").stdin(std::process::Stdio::piped());
        let mut child = Background::spawn(cmd);
        {
            use std::io::Write;
            let mut stdin = child.child().stdin.take().unwrap();
            stdin.write_all(input.as_bytes()).unwrap();
        }
        // a prompt that waited for more input fails the test, not hangs it
        let out = child.wait_output(std::time::Duration::from_secs(120));
        self.0.assert_no_secrets(&out);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code().unwrap_or(-1), text)
    }
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

/// The id of server `web01` of the second project, the tests' usual target.
pub fn web01(sim: &octo_sim::Sim) -> String {
    server_id(sim, "web01", 1)
}

/// A fresh simulator ([`spawn`]), its [`web01`] and an [`Env`] on it: where most tests start.
pub fn web01_env() -> (octo_sim::SimHandle, String, Env) {
    let sim = spawn();
    let id = web01(&sim);
    let env = Env::new(&sim.url());
    (sim, id, env)
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

/// One HTTP/1.1 request to the simulator ([`octo_testkit::harness::http::http`]).
pub fn http(
    sim: &octo_sim::Sim,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, String, String) {
    octo_testkit::harness::http::http(&sim.url(), method, path, headers, body)
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
