//! The `notify:` section of octo.yml: defaults of slack-notify.

use octo_response::events::EventType;
use serde::Deserialize;

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
