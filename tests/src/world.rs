//! The world the behaviour checks run against: octo-sim in-process on port 0 (and moto for the
//! AWS tools), a planted server whose hostname carries terminal escape sequences, an event of it,
//! one config file with every tool's section, and the environment every tool needs — with
//! distinctive secrets that must never appear in any output.

use std::path::PathBuf;

use octo_testkit::harness::{Keys, TestEnv};
use serde_json::{Value, json};

/// A hostname as a hostile (or broken) agent could report it: an OSC title change ended by BEL,
/// a CSI colour, a C1 CSI (U+009B) and a right-to-left override (U+202E).
pub const HOSTILE_HOSTNAME: &str =
    "conformance-evil\u{1b}]0;owned\u{7}-\u{1b}[31mred\u{9b}31m-\u{202e}txt.exe";

/// The printable start of [`HOSTILE_HOSTNAME`]: a terminal must show it (sanitized).
pub const HOSTILE_MARKER: &str = "conformance-evil";

/// The hostname of the planted server in [`World::plain`].
pub const PLAIN_HOSTNAME: &str = "conformance-plain-host";

/// The raw sequences of [`HOSTILE_HOSTNAME`] that must never reach a terminal, with their names.
pub const RAW_SEQUENCES: [(&str, &str); 5] = [
    ("\u{1b}]0;", "ESC ] 0; (OSC title)"),
    ("\u{7}", "BEL"),
    ("\u{1b}[31m", "ESC [31m (CSI colour)"),
    ("\u{9b}", "U+009B (C1 CSI)"),
    ("\u{202e}", "U+202E (right-to-left override)"),
];

/// The AWS secret key given to the tools (moto accepts any).
pub const AWS_SECRET: &str = "conformance-aws-secret-Zq81vXk";

/// The source address in the planted event (what ipblock blocks).
pub const OFFENDER_IP: &str = "203.0.113.7";

/// Every secret the tools are configured with.
pub fn secrets() -> Vec<(&'static str, &'static str)> {
    vec![
        ("HALO_API_SECRET_KEY", octo_sim::READ_KEY.1),
        ("HALO_API_SECRET_KEY_RW", octo_sim::WRITE_KEY.1),
        ("OS_PASSWORD", octo_sim::OS_ADMIN.1),
        ("FRESHDESK_API_KEY", octo_sim::FRESHDESK_KEY),
        ("SLACK_API_TOKEN", octo_sim::slack::SLACK_TOKEN),
        ("AWS_SECRET_ACCESS_KEY", AWS_SECRET),
    ]
}

/// One config file (`$XDG_CONFIG_HOME/octobox/octo.yml`) for every tool.
pub const CONFIG: &str = "\
quarantine:
  enabled: true
  trigger_group_names: [q-test]
  quarantine_group_name: Quarantine
  trigger_events: [lids_rule_failed]
  trigger_only_on_critical: true
ipblocker:
  enabled: true
  ip_zone_name: halo-ipblocker
  trigger_events: [lids_rule_failed]
  trigger_only_on_critical: true
takedown:
  poll_interval_ms: 20
  portal_url: https://support.example.org
  wait_timeout_secs: 30
";

/// The simulated (and emulated) services and everything a tool run needs to reach them, on
/// octo-testkit's one [`TestEnv`] (temporary HOME and XDG dirs, the simulator stopped and the
/// directories removed on drop).
pub struct World {
    test_env: TestEnv,
    pub moto: Option<octo_testkit::Moto>,
    /// JSON Lines: the planted event of the hostile server (quarantine, ipblock, slack-notify input).
    pub events: PathBuf,
    /// The id of the planted server.
    pub hostile_id: String,
    /// Environment of every tool run.
    pub env: Vec<(String, String)>,
}

impl World {
    /// octo-sim (small world, fast OpenStack transitions) with the server named
    /// [`HOSTILE_HOSTNAME`] planted, plus moto when `moto`.
    pub fn new(moto: bool) -> World {
        World::with_hostname(moto, HOSTILE_HOSTNAME)
    }

    /// [`World::new`] with a plain hostname ([`PLAIN_HOSTNAME`]) for the planted server: for
    /// checks (colour) that the hostile one would trip by itself.
    pub fn plain(moto: bool) -> World {
        World::with_hostname(moto, PLAIN_HOSTNAME)
    }

    fn with_hostname(moto: bool, hostname: &str) -> World {
        let test_env = TestEnv::with_sim(octo_sim::SimConfig {
            seed: 13,
            events_per_day: 400,
            scans_per_day: 20,
            days: 2,
            openstack_transition_ms: 20,
            ..octo_sim::SimConfig::default()
        });
        let moto = moto.then(octo_testkit::Moto::start);
        let sim = test_env.sim();
        let q_test = group_id(&sim.state(), "Root/q-test");
        let server = sim.add_server(json!({
            "hostname": hostname,
            "group_id": q_test,
            "state": "active",
            "connecting_ip_address": "198.51.100.66",
            "platform": "ubuntu",
            "aws_ec2": {
                "ec2_instance_id": "i-0c0ffee0c0ffee001",
                "ec2_account_id": "123456789012",
                "ec2_region": "us-east-1",
                "ec2_availability_zone": "us-east-1a",
                "ec2_private_ip": "10.9.9.9",
                "ec2_instance_type": "t3.micro",
                "ec2_image_id": "ami-0c0ffee0c0ffee001",
                "ec2_kernel_id": null,
                "ec2_security_groups": ["conformance"]
            }
        }));
        let hostile_id = server["id"]
            .as_str()
            .expect("planted server id")
            .to_string();
        let event = sim.add_event(json!({
            "server_id": hostile_id,
            "type": "lids_rule_failed",
            "critical": true,
            "message": format!("sshd: Failed password for root from {OFFENDER_IP} port 52144 ssh2"),
        }));
        let url = sim.url();
        let events = test_env.file("events.jsonl", &format!("{event}\n"));
        test_env.config(CONFIG);
        // Halo's URL and read key come with the simulator; the RW key is given to every run
        let mut test_env = test_env
            .set("OS_AUTH_URL", format!("{url}/identity"))
            .set("OS_USERNAME", octo_sim::OS_ADMIN.0)
            .set("OS_PASSWORD", octo_sim::OS_ADMIN.1)
            .set("OS_PROJECT_NAME", "admin")
            .set("OS_USER_DOMAIN_NAME", "Default")
            .set("OS_PROJECT_DOMAIN_NAME", "Default")
            .set("OS_REGION_NAME", "RegionOne")
            .set("FRESHDESK_URL", &url)
            .set("FRESHDESK_API_KEY", octo_sim::FRESHDESK_KEY)
            .set("SLACK_API_URL", format!("{url}/api"))
            .set("SLACK_API_TOKEN", octo_sim::slack::SLACK_TOKEN)
            .set("SLACK_CHANNEL", "conformance")
            .set("AWS_EC2_METADATA_DISABLED", "true")
            .set("AWS_CONFIG_FILE", "/dev/null")
            .set("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        if let Some(m) = &moto {
            for (k, v) in m.aws_env() {
                let v = if k == "AWS_SECRET_ACCESS_KEY" {
                    AWS_SECRET.to_string()
                } else {
                    v
                };
                test_env = test_env.set(&k, v);
            }
        }
        let env = test_env.vars(Keys::ReadWrite);
        World {
            test_env,
            moto,
            events,
            hostile_id,
            env,
        }
    }

    /// The simulator.
    pub fn sim(&self) -> &octo_sim::SimHandle {
        self.test_env.sim()
    }

    /// A fresh working directory for one run (exporters write checkpoints there).
    pub fn workdir(&self, name: &str) -> PathBuf {
        let d = self.test_env.path().join("work").join(name);
        std::fs::create_dir_all(&d).expect("work dir");
        d
    }

    pub fn state(&self) -> Value {
        self.sim().state()
    }

    /// How many API writes octo-sim has logged (`/_sim/state` `mutations`).
    pub fn mutations(&self) -> usize {
        self.state()["mutations"].as_array().map_or(0, Vec::len)
    }

    /// The mutation log from index `from` on, for failure messages.
    pub fn mutations_since(&self, from: usize) -> Vec<String> {
        self.state()["mutations"]
            .as_array()
            .map(|m| {
                m.iter()
                    .skip(from)
                    .map(|m| {
                        format!(
                            "{} {}",
                            m["method"].as_str().unwrap_or("?"),
                            m["path"].as_str().unwrap_or("?")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Ids of Halo servers in the group at `path`.
    pub fn halo_servers_in(&self, path: &str) -> Vec<String> {
        self.state()["servers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["group_path"] == path)
            .filter_map(|s| s["id"].as_str().map(str::to_string))
            .collect()
    }

    /// Ids of OpenStack servers that are ACTIVE, in simulator order.
    pub fn active_instances(&self) -> Vec<String> {
        self.state()["openstack"]["servers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["status"] == "ACTIVE")
            .filter_map(|s| s["id"].as_str().map(str::to_string))
            .collect()
    }

    /// The id, addresses and description of the firewall zone `name`.
    pub fn zone(&self, name: &str) -> Value {
        self.state()["firewall_zones"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|z| z["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("octo-sim has no firewall zone {name}"))
    }
}

/// The id of the group whose `group_path` is `path` in a `/_sim/state`.
pub fn group_id(state: &Value, path: &str) -> String {
    state["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["group_path"] == path)
        .and_then(|g| g["id"].as_str())
        .unwrap_or_else(|| panic!("octo-sim has no group {path}"))
        .to_string()
}

/// The secrets (name and value) that occur in `text`.
pub fn leaked(text: &str) -> Vec<&'static str> {
    secrets()
        .into_iter()
        .filter(|(_, v)| text.contains(v))
        .map(|(k, _)| k)
        .collect()
}

/// Whether some string in `v` (at any depth) contains `needle`.
pub fn contains_string(v: &Value, needle: &str) -> bool {
    match v {
        Value::String(s) => s.contains(needle),
        Value::Array(a) => a.iter().any(|x| contains_string(x, needle)),
        Value::Object(m) => m.values().any(|x| contains_string(x, needle)),
        _ => false,
    }
}
