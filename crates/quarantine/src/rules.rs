//! The `quarantine:` section of octo.yml. An OCTOBOX `octo_conf.yml` works unchanged:
//!
//! ```yaml
//! quarantine:
//!   enabled: false
//!   trigger_group_names: [q-test]
//!   quarantine_group_name: Quarantine
//!   trigger_events: [lids_rule_failed]
//!   trigger_only_on_critical: true
//! ```
//!
//! New key: `max_moves_per_run`. Unknown keys, wrong types and unknown event types are
//! configuration errors (exit 2) naming the key and the line.

use octo_response::events::EventType;
use serde::Deserialize;

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
        default = "octo_response::config::default_true",
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

#[cfg(test)]
mod tests {
    use super::*;
    use octo_core::config::section_of;
    use octo_response::events::EventType;
    use octo_testkit::harness::OCTO_CONF;

    #[test]
    fn original_octo_conf_is_accepted() {
        let q: QuarantineRules = section_of(OCTO_CONF, "quarantine").unwrap().unwrap();
        assert!(!q.enabled);
        assert_eq!(q.trigger_group_names, vec!["q-test"]);
        assert_eq!(q.quarantine_group_name.as_deref(), Some("Quarantine"));
        assert_eq!(q.trigger_events, vec![EventType("lids_rule_failed".into())]);
        assert!(q.trigger_only_on_critical);
        assert_eq!(q.max_moves_per_run, 10);
    }

    fn err(text: &str) -> String {
        section_of::<QuarantineRules>(text, "quarantine").unwrap_err()
    }

    #[test]
    fn errors_name_key_and_line() {
        let e = err("halo: {}\nquarantine:\n  enabled: true\n  trigger_evnts: [x]\n");
        assert!(
            e.starts_with("octo.yml: quarantine: unknown field `trigger_evnts`"),
            "{e}"
        );
        assert!(e.contains("line 4"), "{e}");
        let e = err("quarantine:\n  enabled: maybe\n");
        assert!(
            e.contains("quarantine.enabled") || e.contains("enabled"),
            "{e}"
        );
        assert!(
            e.contains("expected a boolean (true/false, yes/no, on/off)") && e.contains("line 2"),
            "{e}"
        );
        // OCTOBOX files use YAML 1.1 booleans: they work unchanged
        let q: QuarantineRules = section_of(
            "quarantine:\n  enabled: yes\n  trigger_only_on_critical: off\n",
            "quarantine",
        )
        .unwrap()
        .unwrap();
        assert!(q.enabled && !q.trigger_only_on_critical);
    }
}
