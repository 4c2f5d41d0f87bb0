//! octo-bot's Slack settings, each resolved once as every tool resolves its own (flag > env >
//! octo.yml `bot:` > default, `octo_core::config::resolve`) with its source recorded, for
//! `serve` and for `status`. The two tokens are secrets: they never print; `status` shows only
//! that they are set and where from.
//!
//! ```yaml
//! bot:
//!   channel: C0123456789                 # SLACK_CHANNEL, --channel
//!   api_url: https://slack.com/api       # SLACK_API_URL, --slack-api-url
//!   credential_process: [pass-json, slack/octo-bot]   # prints {"app_token": "xapp-…", "token": "xoxb-…"}
//! ```

use octo_core::config::{
    ConfigFile, CredentialProcess, Lookup, Setting, Source, config_file_setting, file_source,
    find_config_file, resolve, resolve_slack_api_url, section_or_default,
};
use octo_core::env;
use octo_core::exit::usage;
use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

use crate::ServeArgs;

pub use octo_core::config::SLACK_API_URL_DEFAULT as DEFAULT_API_URL;

/// `bot:` — octo-bot's defaults in octo.yml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BotSection {
    /// The id of the channel whose members are answered.
    pub channel: Option<String>,
    /// Slack Web API base URL.
    pub api_url: Option<String>,
    /// A command that prints `{"app_token": "xapp-…", "token": "xoxb-…"}`: the tokens not set in
    /// `SLACK_APP_TOKEN` / `SLACK_API_TOKEN`.
    pub credential_process: Option<CredentialProcess>,
}

/// Every Slack setting of `serve`, resolved.
pub struct BotSettings {
    pub config_file: Setting<Option<std::path::PathBuf>>,
    pub channel: Setting<String>,
    pub api_url: Setting<Url>,
    pub app_token: Setting<SecretString>,
    pub token: Setting<SecretString>,
}

impl BotSettings {
    /// Resolve the settings of `serve` (the config file found as every tool finds it).
    pub fn resolve(config: Option<&std::path::Path>, a: &ServeArgs) -> anyhow::Result<BotSettings> {
        let found = find_config_file(config)?;
        BotSettings::resolve_from(a, found, &env::var_nonempty)
    }

    /// [`BotSettings::resolve`] with the config file already found and the environment read
    /// through `lookup`.
    pub fn resolve_from(
        a: &ServeArgs,
        (file, config_source): (Option<ConfigFile>, Source),
        lookup: Lookup<'_>,
    ) -> anyhow::Result<BotSettings> {
        let section: BotSection = section_or_default(file.as_ref(), "bot")?;
        let file_src = |key: &str| file_source(file.as_ref(), format!("bot.{key}"));
        let channel = resolve(
            lookup,
            ("--channel", a.channel.clone()),
            Some(env::SLACK_CHANNEL),
            (file.as_ref(), "bot.channel", section.channel.clone()),
            String::new(),
        )?;
        if channel.value.trim().is_empty() {
            return Err(usage(format!(
                "no channel whose members may ask: pass --channel, set {} or bot.channel in octo.yml",
                env::SLACK_CHANNEL
            )));
        }
        let api_url = resolve_slack_api_url(
            lookup,
            ("--slack-api-url", a.slack_api_url.clone()),
            (file.as_ref(), "bot.api_url", section.api_url.clone()),
        )?;
        // SLACK_*_TOKEN > bot.credential_process (run once, only for a token not in the env)
        let from_env = |var: &'static str| {
            lookup(var).map(|t| Setting {
                value: SecretString::from(t.trim().to_string()),
                source: Source::Env(var),
            })
        };
        let (mut app_token, mut token) = (
            from_env(env::SLACK_APP_TOKEN),
            from_env(env::SLACK_API_TOKEN),
        );
        if let Some(p) = &section.credential_process {
            let fields: Vec<&str> = [
                (app_token.is_none(), "app_token"),
                (token.is_none(), "token"),
            ]
            .into_iter()
            .filter_map(|(missing, f)| missing.then_some(f))
            .collect();
            if !fields.is_empty() {
                let mut got = p.run("bot.credential_process", &fields)?;
                let mut take = |f: &str| {
                    got.remove(f).map(|value| Setting {
                        value,
                        source: file_src("credential_process"),
                    })
                };
                app_token = app_token.or_else(|| take("app_token"));
                token = token.or_else(|| take("token"));
            }
        }
        let missing = |var: &str, what: &str| {
            usage(format!(
                "no Slack {what}: set {var} or bot.credential_process in octo.yml"
            ))
        };
        Ok(BotSettings {
            config_file: config_file_setting(file.as_ref(), config_source),
            channel,
            api_url,
            app_token: app_token
                .ok_or_else(|| missing(env::SLACK_APP_TOKEN, "app-level token (xapp-…)"))?,
            token: token.ok_or_else(|| missing(env::SLACK_API_TOKEN, "bot token (xoxb-…)"))?,
        })
    }

    /// The settings as `status` shows them: value (secrets as "set") and source.
    pub fn report(&self) -> Vec<(String, String)> {
        let config = match &self.config_file.value {
            Some(p) => format!("{} ({})", p.display(), self.config_file.source),
            None => "none".to_string(),
        };
        vec![
            ("config file".into(), config),
            (
                "slack api".into(),
                format!("{} ({})", self.api_url.value, self.api_url.source),
            ),
            (
                "channel".into(),
                format!("{} ({})", self.channel.value, self.channel.source),
            ),
            (
                "app token".into(),
                format!("set, redacted ({})", self.app_token.source),
            ),
            (
                "bot token".into(),
                format!("set, redacted ({})", self.token.source),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use secrecy::ExposeSecret;
    use std::collections::BTreeMap;

    fn args(extra: &[&str]) -> ServeArgs {
        #[derive(Parser)]
        struct T {
            #[command(flatten)]
            a: ServeArgs,
        }
        let mut argv = vec!["t"];
        argv.extend_from_slice(extra);
        T::parse_from(argv).a
    }

    fn file(dir: &tempfile::TempDir, yaml: &str) -> (Option<ConfigFile>, Source) {
        let p = dir.path().join("octo.yml");
        std::fs::write(&p, yaml).unwrap();
        find_config_file(Some(&p)).unwrap()
    }

    fn resolve_with(
        a: &ServeArgs,
        found: (Option<ConfigFile>, Source),
        vars: &[(&str, &str)],
    ) -> anyhow::Result<BotSettings> {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        BotSettings::resolve_from(a, found, &|k| vars.get(k).cloned())
    }

    const TOKENS: [(&str, &str); 2] = [
        ("SLACK_APP_TOKEN", "xapp-env"),
        ("SLACK_API_TOKEN", "xoxb-env"),
    ];

    #[test]
    fn flag_beats_env_beats_file_beats_default() {
        let dir = tempfile::tempdir().unwrap();
        let yaml = "bot:\n  channel: CFILE\n  api_url: http://127.0.0.1:9/api\n";
        let mut vars = TOKENS.to_vec();
        let s = resolve_with(&args(&[]), file(&dir, yaml), &vars).unwrap();
        assert_eq!(s.channel.value, "CFILE");
        assert_eq!(
            s.channel.source.to_string(),
            format!("file {}:bot.channel", dir.path().join("octo.yml").display())
        );
        assert_eq!(s.api_url.value.as_str(), "http://127.0.0.1:9/api");
        vars.push(("SLACK_CHANNEL", "CENV"));
        let s = resolve_with(&args(&[]), file(&dir, yaml), &vars).unwrap();
        assert_eq!(
            (
                s.channel.value.as_str(),
                s.channel.source.to_string().as_str()
            ),
            ("CENV", "env SLACK_CHANNEL")
        );
        let s = resolve_with(&args(&["--channel", "CFLAG"]), file(&dir, yaml), &vars).unwrap();
        assert_eq!(
            (
                s.channel.value.as_str(),
                s.channel.source.to_string().as_str()
            ),
            ("CFLAG", "flag --channel")
        );
        let s = resolve_with(&args(&[]), (None, Source::Default), &vars).unwrap();
        assert_eq!(s.api_url.value.as_str(), "https://slack.com/api");
        assert_eq!(s.api_url.source, Source::Default);
        assert_eq!(s.token.value.expose_secret(), "xoxb-env");
        assert_eq!(s.app_token.source, Source::Env("SLACK_APP_TOKEN"));
    }

    #[test]
    fn missing_settings_name_every_way_to_give_them() {
        let e = resolve_with(&args(&[]), (None, Source::Default), &TOKENS)
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "no channel whose members may ask: pass --channel, set SLACK_CHANNEL or bot.channel in octo.yml"
        );
        let e = resolve_with(
            &args(&["--channel", "C1"]),
            (None, Source::Default),
            &TOKENS[1..],
        )
        .err()
        .unwrap();
        assert_eq!(
            e.to_string(),
            "no Slack app-level token (xapp-…): set SLACK_APP_TOKEN or bot.credential_process in octo.yml"
        );
        let dir = tempfile::tempdir().unwrap();
        let e = resolve_with(
            &args(&["--channel", "C1"]),
            file(&dir, "bot:\n  chanel: C\n"),
            &TOKENS,
        )
        .err()
        .unwrap();
        assert!(format!("{e:#}").contains("chanel"), "{e:#}");
        let e = resolve_with(
            &args(&["--channel", "C1", "--slack-api-url", "ftp://x"]),
            (None, Source::Default),
            &TOKENS,
        )
        .err()
        .unwrap();
        assert!(
            format!("{e:#}").starts_with("flag --slack-api-url: "),
            "{e:#}"
        );
    }

    #[test]
    fn tokens_not_in_the_env_come_from_the_credential_process() {
        let dir = tempfile::tempdir().unwrap();
        let yaml = "bot:\n  channel: C1\n  credential_process: [printf, '%s', '{\"app_token\": \"xapp-proc\", \"token\": \"xoxb-proc\"}']\n";
        let s = resolve_with(&args(&[]), file(&dir, yaml), &[]).unwrap();
        assert_eq!(s.app_token.value.expose_secret(), "xapp-proc");
        assert_eq!(s.token.value.expose_secret(), "xoxb-proc");
        assert!(
            s.token
                .source
                .to_string()
                .ends_with(":bot.credential_process")
        );
        let s = resolve_with(&args(&[]), file(&dir, yaml), &TOKENS[1..]).unwrap();
        assert_eq!(s.app_token.value.expose_secret(), "xapp-proc");
        assert_eq!(s.token.value.expose_secret(), "xoxb-env");
        let shown = format!("{:?}", s.report());
        assert!(
            !shown.contains("xapp-proc") && !shown.contains("xoxb-env"),
            "{shown}"
        );
        // a command that leaves a needed field out names the setting and the field
        // (another file: a process reads each config file once)
        let dir = tempfile::tempdir().unwrap();
        let yaml = "bot:\n  channel: C1\n  credential_process: [printf, '%s', '{\"token\": \"xoxb-proc\"}']\n";
        let e = resolve_with(&args(&[]), file(&dir, yaml), &[])
            .err()
            .unwrap();
        let msg = format!("{e:#}");
        assert!(
            msg.contains("bot.credential_process") && msg.contains("app_token"),
            "{msg}"
        );
        assert!(!msg.contains("xoxb-proc"), "{msg}");
    }
}
