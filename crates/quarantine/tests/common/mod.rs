//! Shared harness of the response tools' tests (quarantine, ipblock, slack-notify include this
//! file): an in-process octo-sim, a temp dir for config files, the real binaries run with a clean
//! environment, and a check that no secret ever reaches their output.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Output;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

#[allow(unused_imports)] // each test file uses some of them
pub use octo_testkit::harness::{code, jsonl, ok, stderr, stdout};

pub const SECRETS: [&str; 4] = [
    octo_sim::READ_KEY.1,
    octo_sim::WRITE_KEY.1,
    octo_sim::slack::SLACK_TOKEN,
    "simwebhooksecret0000",
];

/// The OCTOBOX `octo_conf.yml`, verbatim.
pub const OCTO_CONF: &str = "quarantine:
  enabled: false                 # master switch (added Sept 2017: \"disabled by default\")
  trigger_group_names: [q-test]  # events from servers in these group NAMES qualify
  quarantine_group_name: Quarantine
  trigger_events: [lids_rule_failed]
  trigger_only_on_critical: true
ipblocker:
  enabled: false
  ip_zone_name: halo-ipblocker   # Halo IP zone (firewall_zone) name
  trigger_events: [lids_rule_failed]
  trigger_only_on_critical: true
";

pub fn anchor() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()
}

const REMOVED_ENV: [&str; 14] = [
    "HALO_API_HOSTNAME",
    "HALO_API_PORT",
    "HALO_API_URL",
    "HALO_API_KEY",
    "HALO_API_SECRET_KEY",
    "HALO_API_KEY_RW",
    "HALO_API_SECRET_KEY_RW",
    "OCTO_CONFIG",
    "OCTO_LOG",
    "SLACK_API_TOKEN",
    "SLACK_CHANNEL",
    "SLACK_API_URL",
    "SLACK_WEBHOOK_URL",
    "NO_COLOR",
];

/// Which Halo keys a run gets.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// read-only key only
    Read,
    /// read-only key and the full-access key as RW
    ReadWrite,
    /// the read-only key set as RW too (a misconfiguration)
    ReadAsRw,
}

pub struct Env {
    pub sim: octo_sim::SimHandle,
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env::with(octo_sim::SimConfig {
            now: Some(anchor()),
            events_per_day: 200,
            days: 1,
            ..Default::default()
        })
    }

    pub fn with(cfg: octo_sim::SimConfig) -> Env {
        Env {
            sim: octo_testkit::harness::spawn_sim(cfg),
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// Write a file into the temp dir and return its path.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).expect("writing a test file");
        p
    }

    /// The environment of a run: the simulator's URL and the keys asked for.
    pub fn envs(&self, keys: Keys) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("HALO_API_URL", self.sim.url()),
            ("HALO_API_KEY", octo_sim::READ_KEY.0.to_string()),
            ("HALO_API_SECRET_KEY", octo_sim::READ_KEY.1.to_string()),
            (
                "XDG_CONFIG_HOME",
                self.dir.path().join("xdg").display().to_string(),
            ),
        ];
        let rw = match keys {
            Keys::Read => None,
            Keys::ReadWrite => Some(octo_sim::WRITE_KEY),
            Keys::ReadAsRw => Some(octo_sim::READ_KEY),
        };
        if let Some((id, secret)) = rw {
            v.push(("HALO_API_KEY_RW", id.to_string()));
            v.push(("HALO_API_SECRET_KEY_RW", secret.to_string()));
        }
        v
    }

    /// The real binary with a clean environment pointing at the simulator.
    pub fn cmd(&self, bin: &str, keys: Keys) -> assert_cmd::Command {
        let mut cmd = octo_testkit::harness::command(bin, &REMOVED_ENV);
        cmd.envs(self.envs(keys))
            .timeout(std::time::Duration::from_secs(120));
        cmd
    }

    /// Start the binary in the background (stdout piped), e.g. for `--follow`.
    pub fn spawn(&self, bin: &str, keys: Keys, args: &[&str]) -> std::process::Child {
        self.spawn_with(bin, keys, args, std::process::Stdio::null())
    }

    /// [`Env::spawn`] with the given stdin (e.g. a pipe the test keeps writing to).
    pub fn spawn_with(
        &self,
        bin: &str,
        keys: Keys,
        args: &[&str],
        stdin: std::process::Stdio,
    ) -> std::process::Child {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin(bin));
        for k in REMOVED_ENV {
            cmd.env_remove(k);
        }
        cmd.envs(self.envs(keys))
            .args(args)
            .stdin(stdin)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawning the binary")
    }

    /// Run `bin ARGS < stdin`; checks that no secret leaked.
    pub fn run(&self, bin: &str, keys: Keys, args: &[&str], stdin: &str) -> Output {
        let out = self
            .cmd(bin, keys)
            .args(args)
            .write_stdin(stdin.to_string())
            .output()
            .expect("running the binary");
        assert_no_secrets(&out);
        out
    }

    pub fn state(&self) -> Value {
        self.sim.state()
    }

    /// `/_sim/state` servers: id → group_path.
    pub fn group_of(&self, server_id: &str) -> String {
        self.state()["servers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == server_id)
            .unwrap_or_else(|| panic!("no server {server_id}"))["group_path"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Ids of the servers whose group_path is `path`, in simulator order.
    pub fn servers_in(&self, path: &str) -> Vec<String> {
        self.state()["servers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["group_path"] == path)
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    }

    pub fn group_id(&self, path: &str) -> String {
        self.state()["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["group_path"] == path)
            .unwrap_or_else(|| panic!("no group {path}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn mutations(&self) -> Vec<Value> {
        self.state()["mutations"].as_array().unwrap().clone()
    }

    pub fn set_faults(&self, f: octo_sim::Faults) {
        self.sim.set_faults(f);
    }
}

pub fn assert_no_secrets(out: &Output) {
    octo_testkit::harness::assert_no_secrets(out, &SECRETS);
}

/// JSON Lines text from values.
pub fn lines(values: &[Value]) -> String {
    values.iter().map(|v| format!("{v}\n")).collect()
}
