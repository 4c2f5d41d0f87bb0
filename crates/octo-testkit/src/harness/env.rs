//! [`TestEnv`]: where a binary under test runs — an empty environment plus explicit variables,
//! a temporary HOME / XDG_CONFIG_HOME / XDG_CACHE_HOME, an optional in-process octo-sim — and the
//! check that no secret reached its output.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use super::spawn::Background;

/// The only variables a binary under test inherits from the test's own environment (everything
/// else is cleared): where programs are, where temp files go, and backtraces / coverage output,
/// which change nothing a test asserts. Whatever else a run needs, the test sets explicitly.
pub const PASSED_ENV: [&str; 4] = ["PATH", "TMPDIR", "RUST_BACKTRACE", "LLVM_PROFILE_FILE"];

/// Every secret octo-sim knows (Halo keys, Slack token and webhook, OpenStack passwords and
/// application credential, FreshDesk key): none may reach a binary's stdout or stderr.
pub const SIM_SECRETS: [&str; 9] = [
    octo_sim::READ_KEY.1,
    octo_sim::WRITE_KEY.1,
    octo_sim::slack::SLACK_TOKEN,
    octo_sim::slack_socket::APP_TOKEN,
    "simwebhooksecret0000",
    octo_sim::OS_ADMIN.1,
    octo_sim::OS_APP_CRED.1,
    octo_sim::OS_OWNER.1,
    octo_sim::FRESHDESK_KEY,
];

/// The OCTOBOX `octo_conf.yml`, verbatim (the response tools' rules, both switched off).
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

/// The fixed world anchor of the deterministic tests: 2026-11-20 12:00 UTC.
pub fn anchor() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .expect("a valid date")
}

/// JSON Lines text from values (a stdin for a binary).
pub fn lines(values: &[Value]) -> String {
    values.iter().map(|v| format!("{v}\n")).collect()
}

/// Which Halo keys a run gets, on top of the read-only key [`TestEnv::halo`] set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keys {
    /// the read-only key only
    Read,
    /// the read-only key and the full-access key as RW
    ReadWrite,
    /// the read-only key set as RW too (a misconfiguration)
    ReadAsRw,
}

/// Where a binary under test runs; see the module doc. Dropping it stops the simulator and
/// removes the directories.
pub struct TestEnv {
    dir: tempfile::TempDir,
    vars: BTreeMap<String, String>,
    secrets: Vec<String>,
    sim: Option<octo_sim::SimHandle>,
    timeout: Duration,
}

impl Default for TestEnv {
    fn default() -> Self {
        TestEnv::new()
    }
}

impl TestEnv {
    /// No simulator, no variables but [`PASSED_ENV`], HOME and the XDG dirs (empty).
    pub fn new() -> TestEnv {
        let dir = tempfile::tempdir().expect("a temp dir for the test");
        for d in ["home", "config", "cache"] {
            std::fs::create_dir_all(dir.path().join(d)).expect("creating the test's dirs");
        }
        TestEnv {
            dir,
            vars: BTreeMap::new(),
            secrets: SIM_SECRETS.iter().map(|s| s.to_string()).collect(),
            sim: None,
            timeout: Duration::from_secs(300),
        }
    }

    /// octo-sim started in-process on a free port (stopped on drop), and the Halo variables of
    /// [`TestEnv::halo`] pointing at it.
    pub fn with_sim(cfg: octo_sim::SimConfig) -> TestEnv {
        let sim = super::spawn_sim(cfg);
        let mut env = TestEnv::new().halo(&sim.url());
        env.sim = Some(sim);
        env
    }

    /// The response tools' world: [`anchor`], one day of 200 events.
    pub fn response() -> TestEnv {
        TestEnv::with_sim(octo_sim::SimConfig {
            now: Some(anchor()),
            events_per_day: 200,
            days: 1,
            ..Default::default()
        })
    }

    /// Halo at `url` (`HALO_API_URL`) with the simulator's read-only key.
    pub fn halo(self, url: &str) -> TestEnv {
        self.set("HALO_API_URL", url)
            .set("HALO_API_KEY", octo_sim::READ_KEY.0)
            .set("HALO_API_SECRET_KEY", octo_sim::READ_KEY.1)
    }

    /// Set `key` for every run.
    pub fn set(mut self, key: &str, value: impl AsRef<OsStr>) -> TestEnv {
        self.vars.insert(
            key.to_string(),
            value.as_ref().to_string_lossy().into_owned(),
        );
        self
    }

    /// Set every pair of `vars` (e.g. [`crate::Moto::aws_env`]).
    pub fn envs<K: AsRef<str>, V: AsRef<OsStr>>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> TestEnv {
        for (k, v) in vars {
            self = self.set(k.as_ref(), v);
        }
        self
    }

    /// Take `key` out again (it was set by [`TestEnv::set`] or a constructor).
    pub fn unset(mut self, key: &str) -> TestEnv {
        self.vars.remove(key);
        self
    }

    /// One more string that must never reach a binary's output.
    pub fn secret(mut self, secret: &str) -> TestEnv {
        self.secrets.push(secret.to_string());
        self
    }

    /// How long one run may take before it is killed (default 300 s; a hang fails the test).
    pub fn timeout(mut self, timeout: Duration) -> TestEnv {
        self.timeout = timeout;
        self
    }

    /// The simulator; panics when this environment has none.
    pub fn sim(&self) -> &octo_sim::SimHandle {
        self.sim
            .as_ref()
            .expect("this TestEnv has no simulator (TestEnv::with_sim)")
    }

    /// The temp dir: the working directory of every run, HOME and the XDG dirs are inside.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `$HOME` of every run.
    pub fn home(&self) -> PathBuf {
        self.path().join("home")
    }

    /// `$XDG_CONFIG_HOME` of every run.
    pub fn config_home(&self) -> PathBuf {
        self.path().join("config")
    }

    /// Write `name` (relative to [`TestEnv::path`]) and return its path.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("creating a test file's directory");
        }
        std::fs::write(&p, text).expect("writing a test file");
        p
    }

    /// Write `$XDG_CONFIG_HOME/octobox/octo.yml`, where every tool looks for its config.
    pub fn config(&self, text: &str) -> PathBuf {
        self.file("config/octobox/octo.yml", text)
    }

    /// The whole environment of a run with `keys`: [`PASSED_ENV`] as the test has them, HOME,
    /// XDG_CONFIG_HOME, XDG_CACHE_HOME, then the variables set on this environment.
    pub fn vars(&self, keys: Keys) -> Vec<(String, String)> {
        let mut all: BTreeMap<String, String> = BTreeMap::new();
        for k in PASSED_ENV {
            // the one place the caller's environment is read, to pass these few on
            #[allow(clippy::disallowed_methods)]
            if let Ok(v) = std::env::var(k) {
                all.insert(k.into(), v);
            }
        }
        let dirs = [
            ("HOME", self.home()),
            ("XDG_CONFIG_HOME", self.config_home()),
            ("XDG_CACHE_HOME", self.path().join("cache")),
        ];
        for (k, p) in dirs {
            all.insert(k.into(), p.display().to_string());
        }
        all.extend(self.vars.clone());
        let rw = match keys {
            Keys::Read => None,
            Keys::ReadWrite => Some(octo_sim::WRITE_KEY),
            Keys::ReadAsRw => Some(octo_sim::READ_KEY),
        };
        if let Some((id, secret)) = rw {
            all.insert("HALO_API_KEY_RW".into(), id.into());
            all.insert("HALO_API_SECRET_KEY_RW".into(), secret.into());
        }
        all.into_iter().collect()
    }

    /// `program` (a path, or a name found on PATH) as [`TestEnv::apply`] sets it up.
    pub fn program(&self, program: impl AsRef<OsStr>, keys: Keys) -> Command {
        let mut cmd = Command::new(program);
        self.apply(&mut cmd, keys);
        cmd
    }

    /// Give `cmd` this environment: an empty environment plus [`TestEnv::vars`], the working
    /// directory [`TestEnv::path`], stdin `/dev/null`.
    pub fn apply(&self, cmd: &mut Command, keys: Keys) {
        cmd.env_clear()
            .envs(self.vars(keys))
            .current_dir(self.path())
            .stdin(Stdio::null());
    }

    /// The workspace binary `bin` (of any crate, [`crate::bin`]) as [`TestEnv::program`].
    pub fn std_command(&self, bin: &str, keys: Keys) -> Command {
        self.program(crate::bin(bin), keys)
    }

    /// [`TestEnv::std_command`] as an `assert_cmd` command with this environment's timeout.
    pub fn command(&self, bin: &str, keys: Keys) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::from_std(self.std_command(bin, keys));
        cmd.timeout(self.timeout);
        cmd
    }

    /// Run `bin ARGS < stdin` (`/dev/null` when `stdin` is empty) to the end; checks that no secret reached its output.
    pub fn run(&self, bin: &str, keys: Keys, args: &[&str], stdin: &str) -> Output {
        let mut cmd = self.command(bin, keys);
        cmd.args(args);
        if !stdin.is_empty() {
            cmd.write_stdin(stdin.to_string());
        }
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("running {bin}: {e}"));
        self.assert_no_secrets(&out);
        out
    }

    /// [`TestEnv::run`] with `--config CONFIG` before `args` (a response tool's config file).
    pub fn run_with_config(
        &self,
        bin: &str,
        keys: Keys,
        config: &Path,
        args: &[&str],
        stdin: &str,
    ) -> Output {
        let config = config.to_str().expect("a UTF-8 config path");
        let mut all = vec!["--config", config];
        all.extend_from_slice(args);
        self.run(bin, keys, &all, stdin)
    }

    /// Start `bin ARGS` in the background (stdout and stderr piped), killed when the returned
    /// [`Background`] is dropped.
    pub fn spawn(&self, bin: &str, keys: Keys, args: &[&str], stdin: Stdio) -> Background {
        let mut cmd = self.std_command(bin, keys);
        cmd.args(args).stdin(stdin);
        Background::spawn(cmd)
    }

    /// None of this environment's secrets appears in stdout or stderr.
    pub fn assert_no_secrets(&self, out: &Output) {
        let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        super::assert_no_secrets(out, &secrets);
    }

    /// `/_sim/state`.
    pub fn state(&self) -> Value {
        self.sim().state()
    }

    /// Panics unless the simulator answered at least one request with an injected fault
    /// (429, 500, 502 or 503): a test of fault tolerance whose faults never fired proves nothing.
    pub fn assert_faults_fired(&self) {
        let st = self.state();
        let by = &st["requests"]["by_status"];
        let n: u64 = ["429", "500", "502", "503"]
            .iter()
            .map(|c| by[*c].as_u64().unwrap_or(0))
            .sum();
        assert!(n > 0, "no fault fired: {by}");
    }

    /// The `group_path` of server `server_id` (`/_sim/state`).
    pub fn group_of(&self, server_id: &str) -> String {
        self.state()["servers"]
            .as_array()
            .expect("state servers")
            .iter()
            .find(|s| s["id"] == server_id)
            .unwrap_or_else(|| panic!("no server {server_id}"))["group_path"]
            .as_str()
            .expect("group_path")
            .to_string()
    }

    /// Ids of the servers whose group_path is `path`, in simulator order.
    pub fn servers_in(&self, path: &str) -> Vec<String> {
        self.state()["servers"]
            .as_array()
            .expect("state servers")
            .iter()
            .filter(|s| s["group_path"] == path)
            .filter_map(|s| s["id"].as_str().map(str::to_string))
            .collect()
    }

    /// The id of the group whose group_path is `path`.
    pub fn group_id(&self, path: &str) -> String {
        self.state()["groups"]
            .as_array()
            .expect("state groups")
            .iter()
            .find(|g| g["group_path"] == path)
            .unwrap_or_else(|| panic!("no group {path}"))["id"]
            .as_str()
            .expect("group id")
            .to_string()
    }

    /// The API writes the simulator saw, in order.
    pub fn mutations(&self) -> Vec<Value> {
        self.state()["mutations"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Wait until the simulator's clock (which runs in real time from its anchor) is past `t`,
    /// so what is added next is strictly later than `t`. Panics after 10 s.
    pub fn sim_clock_past(&self, t: DateTime<Utc>) {
        assert!(
            super::wait_until(Duration::from_secs(10), || self.sim().now() > t),
            "the simulator's clock did not pass {t} within 10 s"
        );
    }

    /// A Halo API request to the simulator with a token of the full-access key, for a test's
    /// own changes (see [`super::http`]): the status and the JSON body (`null` when none).
    pub fn halo_api(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        super::http::halo(
            &self.sim().url(),
            octo_sim::WRITE_KEY,
            method,
            path,
            Some(body),
        )
    }

    /// Set the simulator's fault knobs.
    pub fn set_faults(&self, faults: octo_sim::Faults) {
        self.sim().set_faults(faults);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The names of the variables `/usr/bin/env` run in `env` with `keys` sees.
    fn seen(env: &TestEnv, keys: Keys) -> BTreeSet<String> {
        let out = env.program("env", keys).output().expect("running env(1)");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once('=').map(|(k, _)| k.to_string()))
            .collect()
    }

    #[test]
    fn a_run_sees_the_passed_the_set_and_nothing_else() {
        let env = TestEnv::new()
            .set("OCTO_TEST_X", "1")
            .set("GONE", "1")
            .unset("GONE");
        let seen = seen(&env, Keys::Read);
        let must = ["HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "OCTO_TEST_X"];
        for k in must {
            assert!(seen.contains(k), "{k} missing from {seen:?}");
        }
        for k in &seen {
            assert!(
                must.contains(&k.as_str()) || PASSED_ENV.contains(&k.as_str()),
                "{k} reached the run: {seen:?}"
            );
        }
        // cargo sets this for every test process; it must not reach the tool
        assert!(!seen.contains("CARGO_MANIFEST_DIR"));
    }

    #[test]
    fn keys_add_the_rw_pair_only_when_asked() {
        let env = TestEnv::new();
        assert!(!seen(&env, Keys::Read).contains("HALO_API_KEY_RW"));
        let vars = env.vars(Keys::ReadWrite);
        assert!(vars.contains(&("HALO_API_KEY_RW".into(), octo_sim::WRITE_KEY.0.into())));
        let vars = env.vars(Keys::ReadAsRw);
        assert!(vars.contains(&("HALO_API_SECRET_KEY_RW".into(), octo_sim::READ_KEY.1.into())));
    }

    #[test]
    #[should_panic(expected = "leaked")]
    fn a_secret_in_stderr_fails_the_check() {
        let env = TestEnv::new();
        let out = env
            .program("sh", Keys::Read)
            .args(["-c", &format!("echo {} >&2", octo_sim::READ_KEY.1)])
            .output()
            .unwrap();
        env.assert_no_secrets(&out);
    }
}
