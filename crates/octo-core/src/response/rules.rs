//! The response sections of octo.yml.
//!
//! An OCTOBOX `octo_conf.yml` works unchanged:
//!
//! ```yaml
//! quarantine:
//!   enabled: false
//!   trigger_group_names: [q-test]
//!   quarantine_group_name: Quarantine
//!   trigger_events: [lids_rule_failed]
//!   trigger_only_on_critical: true
//! ipblocker:
//!   enabled: false
//!   ip_zone_name: halo-ipblocker
//!   trigger_events: [lids_rule_failed]
//!   trigger_only_on_critical: true
//! ```
//!
//! New keys: `quarantine.max_moves_per_run`, `ipblocker.block_for`, `ipblocker.never_block`,
//! `ipblocker.max_zone_entries`, and the `notify` section. Unknown keys, wrong types and unknown
//! event types are configuration errors (exit 2) naming the key and the line.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::events::is_known_event_type;
use super::ip::Cidr;
use crate::config::ConfigFile;
use crate::exit::usage;

/// An event type named in the config; checked against the known types when read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventType(pub String);

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let t = s.trim();
        if !is_known_event_type(t) {
            return Err(serde::de::Error::custom(format!(
                "unknown event type `{t}` (see `halo-api.md` §6 / the manual for the list)"
            )));
        }
        Ok(EventType(t.to_ascii_lowercase()))
    }
}

/// A duration written as `1h`, `30m`, `90s`, `2d`, `1h30m`, or `0` (= never expires).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockFor(pub Option<Duration>);

impl BlockFor {
    pub fn parse(raw: &str) -> Result<BlockFor, String> {
        let s = raw.trim();
        if s == "0" || s.eq_ignore_ascii_case("never") {
            return Ok(BlockFor(None));
        }
        let mut total = 0u64;
        let mut num = String::new();
        let mut any = false;
        for c in s.chars() {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            let unit = match c {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86400,
                'w' => 7 * 86400,
                _ => return Err(format!("invalid duration `{raw}`: unexpected `{c}`")),
            };
            let n: u64 = num
                .parse()
                .map_err(|_| format!("invalid duration `{raw}`: a number must precede `{c}`"))?;
            total = total.saturating_add(n.saturating_mul(unit));
            num.clear();
            any = true;
        }
        if !num.is_empty() || !any {
            return Err(format!(
                "invalid duration `{raw}`: use e.g. 1h, 30m, 90s, 2d, 1h30m, or 0 for never"
            ));
        }
        if total == 0 {
            return Ok(BlockFor(None));
        }
        Ok(BlockFor(Some(Duration::from_secs(total))))
    }
}

impl Default for BlockFor {
    /// One hour: the original IP-Blocker's behaviour.
    fn default() -> Self {
        BlockFor(Some(Duration::from_secs(3600)))
    }
}

impl<'de> Deserialize<'de> for BlockFor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(0) => Ok(BlockFor(None)),
            Raw::N(n) => Err(serde::de::Error::custom(format!(
                "invalid duration `{n}`: give a unit (e.g. {n}s, {n}m, {n}h) or 0 for never"
            ))),
            Raw::S(s) => BlockFor::parse(&s).map_err(serde::de::Error::custom),
        }
    }
}

fn default_true() -> bool {
    true
}

/// `quarantine:` — move servers whose events match into a quarantine group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuarantineRules {
    /// Master switch (default false, as in OCTOBOX).
    #[serde(default, deserialize_with = "octo_core::config::yaml11_bool")]
    pub enabled: bool,
    /// Events from servers in these group names qualify.
    #[serde(default)]
    pub trigger_group_names: Vec<String>,
    /// The group servers are moved into (name, path or id; must resolve to exactly one group).
    pub quarantine_group_name: Option<String>,
    #[serde(default)]
    pub trigger_events: Vec<EventType>,
    /// Only critical events qualify (default true).
    #[serde(
        default = "default_true",
        deserialize_with = "octo_core::config::yaml11_bool"
    )]
    pub trigger_only_on_critical: bool,
    /// At most this many moves per run (default 10; `--max` overrides).
    #[serde(default = "default_max_moves")]
    pub max_moves_per_run: usize,
}

fn default_max_moves() -> usize {
    10
}

/// `ipblocker:` — add offending IPs of matching events to a Halo IP zone.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpblockerRules {
    #[serde(default, deserialize_with = "octo_core::config::yaml11_bool")]
    pub enabled: bool,
    /// Name of the Halo firewall zone (IP list); must exist and be unique.
    pub ip_zone_name: Option<String>,
    #[serde(default)]
    pub trigger_events: Vec<EventType>,
    #[serde(
        default = "default_true",
        deserialize_with = "octo_core::config::yaml11_bool"
    )]
    pub trigger_only_on_critical: bool,
    /// How long a block lasts (default `1h`; `0` = never expires).
    #[serde(default)]
    pub block_for: BlockFor,
    /// Extra CIDRs never blocked (private, loopback, link-local, multicast and our own servers'
    /// addresses are never blocked regardless).
    #[serde(default)]
    pub never_block: Vec<Cidr>,
    /// Refuse to grow the zone beyond this many entries (default 500).
    #[serde(default = "default_max_zone_entries")]
    pub max_zone_entries: usize,
}

fn default_max_zone_entries() -> usize {
    500
}

/// `notify:` — defaults of slack-notify.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyRules {
    /// Slack channel (overridden by `--channel` and `SLACK_CHANNEL`).
    pub channel: Option<String>,
    /// Event types never posted (OCTOBOX `SUPPRESS_EVENTS_IN_CHANNEL`).
    #[serde(default)]
    pub suppress_events: Vec<EventType>,
    /// Post only critical events (action records are always posted).
    #[serde(default, deserialize_with = "octo_core::config::yaml11_bool")]
    pub critical_only: bool,
}

/// Load one section from the config file found via `--config`, `OCTO_CONFIG` or the default
/// location. `what` is the section name used in messages.
pub fn load_section<T: serde::de::DeserializeOwned>(
    explicit: Option<&std::path::Path>,
    name: &str,
) -> anyhow::Result<(Option<T>, Option<std::path::PathBuf>)> {
    match crate::config::load_config_file(explicit)? {
        Some(f) => Ok((f.section::<T>(name)?, Some(f.path))),
        None => Ok((None, None)),
    }
}

/// Like [`load_section`], but the section must exist.
pub fn require_section<T: serde::de::DeserializeOwned>(
    explicit: Option<&std::path::Path>,
    name: &str,
) -> anyhow::Result<(T, std::path::PathBuf)> {
    let file = crate::config::load_config_file(explicit)?.ok_or_else(|| {
        usage(format!(
            "no config file: pass --config FILE or set OCTO_CONFIG (a `{name}:` section is needed)"
        ))
    })?;
    section_of(&file, name)
}

/// The section `name` of a loaded file, which must exist.
pub fn section_of<T: serde::de::DeserializeOwned>(
    file: &ConfigFile,
    name: &str,
) -> anyhow::Result<(T, std::path::PathBuf)> {
    match file.section::<T>(name)? {
        Some(s) => Ok((s, file.path.clone())),
        None => Err(usage(format!(
            "{}: no `{name}:` section",
            file.path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OCTO_CONF: &str = "quarantine:
  enabled: false                 # master switch
  trigger_group_names: [q-test]
  quarantine_group_name: Quarantine
  trigger_events: [lids_rule_failed]
  trigger_only_on_critical: true
ipblocker:
  enabled: false
  ip_zone_name: halo-ipblocker
  trigger_events: [lids_rule_failed]
  trigger_only_on_critical: true
";

    fn file(text: &str) -> ConfigFile {
        ConfigFile::parse("octo.yml".into(), text.to_string()).unwrap()
    }

    #[test]
    fn original_octo_conf_is_accepted() {
        let f = file(OCTO_CONF);
        let q: QuarantineRules = f.section("quarantine").unwrap().unwrap();
        assert!(!q.enabled);
        assert_eq!(q.trigger_group_names, vec!["q-test"]);
        assert_eq!(q.quarantine_group_name.as_deref(), Some("Quarantine"));
        assert_eq!(q.trigger_events, vec![EventType("lids_rule_failed".into())]);
        assert!(q.trigger_only_on_critical);
        assert_eq!(q.max_moves_per_run, 10);
        let i: IpblockerRules = f.section("ipblocker").unwrap().unwrap();
        assert_eq!(i.ip_zone_name.as_deref(), Some("halo-ipblocker"));
        assert_eq!(i.block_for, BlockFor(Some(Duration::from_secs(3600))));
        assert_eq!(i.max_zone_entries, 500);
        assert!(f.section::<NotifyRules>("notify").unwrap().is_none());
    }

    fn err<T: serde::de::DeserializeOwned + fmt::Debug>(text: &str, sec: &str) -> String {
        format!("{:#}", file(text).section::<T>(sec).unwrap_err())
    }

    #[test]
    fn errors_name_key_and_line() {
        let e = err::<QuarantineRules>(
            "halo: {}\nquarantine:\n  enabled: true\n  trigger_evnts: [x]\n",
            "quarantine",
        );
        assert!(
            e.starts_with("octo.yml: quarantine: unknown field `trigger_evnts`"),
            "{e}"
        );
        assert!(e.contains("line 4"), "{e}");
        let e = err::<QuarantineRules>("quarantine:\n  enabled: maybe\n", "quarantine");
        assert!(
            e.contains("quarantine.enabled") || e.contains("enabled"),
            "{e}"
        );
        assert!(
            e.contains("expected a boolean (true/false, yes/no, on/off)") && e.contains("line 2"),
            "{e}"
        );
        // OCTOBOX files use YAML 1.1 booleans: they work unchanged
        let q: QuarantineRules =
            file("quarantine:\n  enabled: yes\n  trigger_only_on_critical: off\n")
                .section("quarantine")
                .unwrap()
                .unwrap();
        assert!(q.enabled && !q.trigger_only_on_critical);
        let n: NotifyRules = file("notify:\n  critical_only: On\n")
            .section("notify")
            .unwrap()
            .unwrap();
        assert!(n.critical_only);
        let e = err::<IpblockerRules>(
            "ipblocker:\n  trigger_events:\n    - lids_rule_failed\n    - lids_rule_faild\n",
            "ipblocker",
        );
        // the line of the list (serde reports sequence items at the sequence)
        assert!(
            e.starts_with(
                "octo.yml: ipblocker.trigger_events: unknown event type `lids_rule_faild`"
            ) && e.contains("line 3"),
            "{e}"
        );
        let e = err::<IpblockerRules>("ipblocker:\n  never_block: [10.0.0.0/33]\n", "ipblocker");
        assert!(e.contains("10.0.0.0/33") && e.contains("line 2"), "{e}");
        let e = err::<IpblockerRules>("ipblocker:\n  block_for: 1x\n", "ipblocker");
        assert!(
            e.contains("invalid duration `1x`") && e.contains("line 2"),
            "{e}"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(BlockFor::parse("0").unwrap(), BlockFor(None));
        assert_eq!(
            BlockFor::parse("1h30m").unwrap(),
            BlockFor(Some(Duration::from_secs(5400)))
        );
        assert_eq!(
            BlockFor::parse("2d").unwrap(),
            BlockFor(Some(Duration::from_secs(172800)))
        );
        assert!(BlockFor::parse("h").is_err());
        assert!(BlockFor::parse("10").is_err());
        let f = file("ipblocker:\n  block_for: 0\n");
        let i: IpblockerRules = f.section("ipblocker").unwrap().unwrap();
        assert_eq!(i.block_for, BlockFor(None));
    }
}
