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
    /// Slack Web API base URL (overridden by `--api-url` and `SLACK_API_URL`).
    pub api_url: Option<String>,
    /// Records per message in a burst (overridden by `--batch`).
    pub batch: Option<usize>,
    /// Client-side limit of Slack requests per second, 0 = off (overridden by `--max-rps`).
    pub max_rps: Option<f64>,
    /// A command that prints `{"token": "xoxb-…"}`: the bot token, when `SLACK_API_TOKEN` is not
    /// set (see `octo_core::config::CredentialProcess`).
    pub credential_process: Option<octo_core::config::CredentialProcess>,
}
