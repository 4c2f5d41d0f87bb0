//! The `ipblocker:` section of octo.yml. An OCTOBOX `octo_conf.yml` works unchanged:
//!
//! ```yaml
//! ipblocker:
//!   enabled: false
//!   ip_zone_name: halo-ipblocker
//!   trigger_events: [lids_rule_failed]
//!   trigger_only_on_critical: true
//! ```
//!
//! New keys: `block_for`, `never_block`, `max_zone_entries`. Unknown keys, wrong types and
//! unknown event types are configuration errors (exit 2) naming the key and the line.

use std::time::Duration;

use octo_response::events::EventType;
use serde::{Deserialize, Deserializer};

use crate::ip::Cidr;

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
        default = "octo_response::config::default_true",
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

#[cfg(test)]
mod tests {
    use super::*;
    use octo_core::config::section_of;
    use octo_testkit::harness::OCTO_CONF;

    #[test]
    fn original_octo_conf_is_accepted() {
        let i: IpblockerRules = section_of(OCTO_CONF, "ipblocker").unwrap().unwrap();
        assert!(!i.enabled);
        assert_eq!(i.ip_zone_name.as_deref(), Some("halo-ipblocker"));
        assert_eq!(i.trigger_events, vec![EventType("lids_rule_failed".into())]);
        assert!(i.trigger_only_on_critical);
        assert_eq!(i.block_for, BlockFor(Some(Duration::from_secs(3600))));
        assert_eq!(i.max_zone_entries, 500);
    }

    fn err(text: &str) -> String {
        section_of::<IpblockerRules>(text, "ipblocker").unwrap_err()
    }

    #[test]
    fn errors_name_key_and_line() {
        let e =
            err("ipblocker:\n  trigger_events:\n    - lids_rule_failed\n    - lids_rule_faild\n");
        // the line of the list (serde reports sequence items at the sequence)
        assert!(
            e.starts_with(
                "octo.yml: ipblocker.trigger_events: unknown event type `lids_rule_faild`"
            ) && e.contains("line 3"),
            "{e}"
        );
        let e = err("ipblocker:\n  never_block: [10.0.0.0/33]\n");
        assert!(e.contains("10.0.0.0/33") && e.contains("line 2"), "{e}");
        let e = err("ipblocker:\n  block_for: 1x\n");
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
        let i: IpblockerRules = section_of("ipblocker:\n  block_for: 0\n", "ipblocker")
            .unwrap()
            .unwrap();
        assert_eq!(i.block_for, BlockFor(None));
    }
}
