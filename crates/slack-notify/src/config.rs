//! slack-notify's settings, each resolved once (flag > env > octo.yml `notify:` > default) with
//! its source recorded, for the run and for `doctor`. The token and the webhook URL are secrets:
//! they never print, `doctor` shows only whether they are set and where from.

use std::collections::HashSet;

use octo_core::config::{
    ConfigFile, Lookup, Setting, Source, config_file_setting, file_source, find_config_file,
    resolve_checked, section_or_default,
};
use octo_core::env;
use octo_core::exit::usage;
use octo_response::events::EventType;
use secrecy::SecretString;
use serde_json::{Value, json};
use url::Url;

use crate::Cli;
use crate::route::Routes;
use crate::rules::NotifyRules;

pub use octo_core::config::SLACK_API_URL_DEFAULT as DEFAULT_API_URL;
/// Channel when nothing else is set.
pub const DEFAULT_CHANNEL: &str = "halo";
/// Records per message when nothing else is set.
pub const DEFAULT_BATCH: usize = 10;
/// Most records in one message.
pub const MAX_BATCH: usize = 100;

/// Every setting of a run, resolved.
pub struct SlackConfig {
    pub config_file: Setting<Option<std::path::PathBuf>>,
    pub token: Setting<Option<SecretString>>,
    pub webhook_url: Setting<Option<Url>>,
    pub api_url: Setting<Url>,
    pub channel: Setting<String>,
    pub batch: Setting<usize>,
    pub max_rps: Setting<f64>,
    pub critical_only: Setting<bool>,
    pub suppress: HashSet<String>,
    pub routes: Routes,
}

fn check_batch(v: usize) -> Result<usize, String> {
    if (1..=MAX_BATCH).contains(&v) {
        Ok(v)
    } else {
        Err(format!("batch must be between 1 and {MAX_BATCH}, got {v}"))
    }
}

fn webhook(raw: &str) -> anyhow::Result<Url> {
    Url::parse(raw.trim())
        .ok()
        .filter(|u| u.scheme() == "https" || u.scheme() == "http")
        .ok_or_else(|| usage("the Slack webhook URL is not an http(s) URL"))
}

impl SlackConfig {
    /// Resolve every setting of `cli` (the config file found as every tool finds it).
    pub fn resolve(cli: &Cli) -> anyhow::Result<SlackConfig> {
        let found = find_config_file(cli.config.as_deref())?;
        SlackConfig::resolve_from(cli, found, &env::var_nonempty)
    }

    /// [`SlackConfig::resolve`] with the config file already found and the environment read
    /// through `lookup`.
    pub fn resolve_from(
        cli: &Cli,
        (file, config_source): (Option<ConfigFile>, Source),
        lookup: Lookup<'_>,
    ) -> anyhow::Result<SlackConfig> {
        let rules: NotifyRules = section_or_default(file.as_ref(), "notify")?;
        let file_src = |key: &str| file_source(file.as_ref(), format!("notify.{key}"));
        let routes = match &cli.route {
            Some(p) => Routes::load(p)?,
            None => Routes::default(),
        };

        let mut suppress: HashSet<String> =
            rules.suppress_events.iter().map(|t| t.0.clone()).collect();
        for t in &cli.suppress {
            let t: EventType =
                serde_json::from_value(json!(t)).map_err(|e| usage(format!("--suppress: {e}")))?;
            suppress.insert(t.0);
        }

        // --channel > the --route file's default > SLACK_CHANNEL > notify.channel > `halo`
        let channel = if let (Some(c), None) = (&routes.default, &cli.channel) {
            Setting {
                value: c.clone(),
                source: Source::File {
                    path: cli.route.clone().unwrap_or_default(),
                    key: "default".into(),
                },
            }
        } else {
            octo_core::config::resolve(
                lookup,
                ("--channel", cli.channel.clone()),
                Some(env::SLACK_CHANNEL),
                (file.as_ref(), "notify.channel", rules.channel.clone()),
                DEFAULT_CHANNEL.to_string(),
            )?
        };
        let api_url = octo_core::config::resolve_slack_api_url(
            lookup,
            ("--api-url", cli.api_url.clone()),
            (file.as_ref(), "notify.api_url", rules.api_url.clone()),
        )?;
        let batch = resolve_checked(
            lookup,
            ("--batch", cli.batch),
            None,
            (file.as_ref(), "notify.batch", rules.batch),
            DEFAULT_BATCH,
            check_batch,
        )?;
        let max_rps = resolve_checked(
            lookup,
            ("--max-rps", cli.max_rps),
            None,
            (file.as_ref(), "notify.max_rps", rules.max_rps),
            0.0,
            octo_core::validate::check_rps,
        )?;
        let critical_only = if cli.critical_only {
            Setting {
                value: true,
                source: Source::Flag("--critical-only"),
            }
        } else if rules.critical_only {
            Setting {
                value: true,
                source: file_src("critical_only"),
            }
        } else {
            Setting {
                value: false,
                source: Source::Default,
            }
        };
        let webhook_url = match (&cli.webhook_url, lookup(env::SLACK_WEBHOOK_URL)) {
            (Some(w), _) => Setting {
                value: Some(webhook(w)?),
                source: Source::Flag("--webhook-url"),
            },
            (None, Some(w)) => Setting {
                value: Some(webhook(&w)?),
                source: Source::Env(env::SLACK_WEBHOOK_URL),
            },
            (None, None) => Setting {
                value: None,
                source: Source::Default,
            },
        };
        // SLACK_API_TOKEN > notify.credential_process (not run for --dry-run, which posts nothing)
        let needs_token = !cli.dry_run || cli.command.is_some();
        let token = match (lookup(env::SLACK_API_TOKEN), &rules.credential_process) {
            (Some(t), _) => Setting {
                value: Some(SecretString::from(t.trim().to_string())),
                source: Source::Env(env::SLACK_API_TOKEN),
            },
            (None, Some(p)) if needs_token => {
                let mut got = p.run("notify.credential_process", &["token"])?;
                Setting {
                    value: got.remove("token"),
                    source: file_src("credential_process"),
                }
            }
            _ => Setting {
                value: None,
                source: Source::Default,
            },
        };
        Ok(SlackConfig {
            config_file: config_file_setting(file.as_ref(), config_source),
            token,
            webhook_url,
            api_url,
            channel,
            batch,
            max_rps,
            critical_only,
            suppress,
            routes,
        })
    }

    /// `base/method` of the Web API (`chat.postMessage`, `auth.test`).
    pub fn method_url(&self, method: &str) -> anyhow::Result<Url> {
        Url::parse(&format!(
            "{}/{method}",
            self.api_url.value.as_str().trim_end_matches('/')
        ))
        .map_err(|e| usage(format!("building the {method} URL: {e}")))
    }

    /// The configuration as `doctor` shows it: each value (secrets only as set or not) and its
    /// source.
    pub fn report(&self) -> Value {
        let mut suppress: Vec<&String> = self.suppress.iter().collect();
        suppress.sort();
        let settings = octo_core::doctor::settings([
            (
                "config_file",
                json!(
                    self.config_file
                        .value
                        .as_ref()
                        .map(|p| p.display().to_string())
                ),
                &self.config_file.source,
            ),
            (
                "token",
                octo_core::doctor::secret(self.token.value.is_some()),
                &self.token.source,
            ),
            (
                "webhook_url",
                octo_core::doctor::secret(self.webhook_url.value.is_some()),
                &self.webhook_url.source,
            ),
            (
                "api_url",
                json!(self.api_url.value.as_str().trim_end_matches('/')),
                &self.api_url.source,
            ),
            ("channel", json!(self.channel.value), &self.channel.source),
            ("batch", json!(self.batch.value), &self.batch.source),
            ("max_rps", json!(self.max_rps.value), &self.max_rps.source),
            (
                "critical_only",
                json!(self.critical_only.value),
                &self.critical_only.source,
            ),
        ]);
        json!({"settings": settings, "suppress_events": suppress})
    }
}
