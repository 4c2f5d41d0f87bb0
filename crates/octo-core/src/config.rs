//! Configuration: flags > environment > config file > defaults.
//!
//! Secrets (API secret keys) come from the environment or from a command named in octo.yml
//! (`credential_process`, [`process`]; never from the file itself) and live in
//! [`secrecy::SecretString`]; `Debug` of every type here redacts them, and [`HaloConfig::report`]
//! (what `doctor` prints) shows only whether they are set.
//!
//! Named Halo profiles (`--profile NAME` / `HALO_PROFILE`) pick `halo.profiles.NAME` of octo.yml,
//! whose keys override those of `halo:` itself:
//!
//! ```yaml
//! halo:
//!   max_rps: 5
//!   credential_process: [vault-halo, default]     # {"key_id": "…", "secret_key": "…"}
//!   profiles:
//!     eu:
//!       api_url: https://api.eu.example.net
//!       credential_process: [vault-halo, eu]
//!       credential_process_rw: [vault-halo, eu-rw]
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use crate::env;
use crate::exit::usage;

mod process;
mod yaml;
pub use process::{
    CredentialProcess, DEFAULT_TIMEOUT_SECS as CREDENTIAL_PROCESS_TIMEOUT_SECS, MAX_OUTPUT_BYTES,
    parse_output,
};
pub use yaml::{
    MAX_YAML_BYTES, MAX_YAML_DEPTH, check_yaml_shape, load_yaml_text, read_config_text, yaml11_bool,
};

/// Where a setting's value came from (shown by `doctor`): `flag --max-in-flight`,
/// `env HALO_CONCURRENCY`, `file /etc/octo.yml:halo.max_in_flight` or `default`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag (its long name, with the dashes).
    Flag(&'static str),
    /// An environment variable (its name).
    Env(&'static str),
    /// A key of the config file (`section.key`).
    File {
        path: PathBuf,
        key: String,
    },
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(name) => write!(f, "flag {name}"),
            Source::Env(name) => write!(f, "env {name}"),
            Source::File { path, key } => write!(f, "file {}:{key}", path.display()),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A resolved value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

/// Reads an environment variable: `None` when unset or blank. [`crate::env::var_nonempty`] in
/// the tools; tests pass a map instead of changing the process environment.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Resolve one setting: flag > env > config file > default. The environment value is parsed with
/// `FromStr` (trimmed) and a bad one is a usage error naming the variable.
pub fn resolve<T: std::str::FromStr>(
    lookup: Lookup<'_>,
    flag: (&'static str, Option<T>),
    env_var: Option<&'static str>,
    file: (Option<&ConfigFile>, &str, Option<T>),
    default: T,
) -> anyhow::Result<Setting<T>> {
    if let (name, Some(value)) = flag {
        return Ok(Setting {
            value,
            source: Source::Flag(name),
        });
    }
    if let Some(var) = env_var
        && let Some(raw) = lookup(var)
    {
        let value = raw.trim().parse().map_err(|_| {
            usage(format!(
                "{var} must be a valid value for {}, got `{}`",
                flag.0,
                raw.trim()
            ))
        })?;
        return Ok(Setting {
            value,
            source: Source::Env(var),
        });
    }
    if let (Some(f), key, Some(value)) = file {
        return Ok(Setting {
            value,
            source: Source::File {
                path: f.path.clone(),
                key: key.to_string(),
            },
        });
    }
    Ok(Setting {
        value: default,
        source: Source::Default,
    })
}

/// [`resolve`], then `check` on the value wherever it came from: a value out of range is a usage
/// error naming its source (`env HALO_MAX_RPS: 1e-300 is out of range: …`).
pub fn resolve_checked<T: std::str::FromStr>(
    lookup: Lookup<'_>,
    flag: (&'static str, Option<T>),
    env_var: Option<&'static str>,
    file: (Option<&ConfigFile>, &str, Option<T>),
    default: T,
    check: fn(T) -> Result<T, String>,
) -> anyhow::Result<Setting<T>> {
    let s = resolve(lookup, flag, env_var, file, default)?;
    match check(s.value) {
        Ok(value) => Ok(Setting {
            value,
            source: s.source,
        }),
        Err(e) => Err(usage(format!("{}: {e}", s.source))),
    }
}

/// Flags every Halo tool shares. Values not given fall back to env, then the config file.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct HaloArgs {
    /// Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL]
    /// (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)
    #[arg(long = "api-url", value_name = "URL", global = true)]
    pub api_url: Option<String>,
    /// Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]
    #[arg(long = "max-rps", value_name = "N", global = true, value_parser = crate::validate::rps)]
    pub max_rps: Option<f64>,
    /// Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]
    #[arg(long = "max-in-flight", value_name = "N", global = true, value_parser = crate::validate::in_flight)]
    pub max_in_flight: Option<usize>,
    /// Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request
    /// together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]
    #[arg(long = "timeout", value_name = "SECS", global = true, value_parser = crate::validate::timeout_secs)]
    pub timeout: Option<u64>,
    /// Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]
    #[arg(long = "config", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of
    /// halo: [env: HALO_PROFILE]
    ///
    /// The keys need not sit in the environment: `halo.credential_process` (or a profile's) is a
    /// command, `[program, arg, …]`, that prints `{"key_id": "…", "secret_key": "…"}` (from a
    /// vault); `credential_process_rw` gives the full-access key. HALO_API_KEY* win when set.
    #[arg(long = "profile", value_name = "NAME", global = true)]
    pub profile: Option<String>,
}

/// A Halo API key pair. The secret never prints.
#[derive(Clone)]
pub struct ApiKey {
    pub id: String,
    pub secret: SecretString,
    /// The env var names it came from, for messages.
    pub id_var: &'static str,
    pub secret_var: &'static str,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("id", &self.id)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// The `halo:` section of octo.yml (everything optional; secrets are not accepted here, only a
/// command that prints them), and each of its `profiles:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HaloFileSection {
    pub api_url: Option<String>,
    pub hostname: Option<String>,
    pub port: Option<u16>,
    pub max_rps: Option<f64>,
    pub max_in_flight: Option<usize>,
    pub timeout_secs: Option<u64>,
    /// Prints `{"key_id": …, "secret_key": …}`: the read-only key.
    pub credential_process: Option<CredentialProcess>,
    /// Prints `{"key_id": …, "secret_key": …}`: the full-access key.
    pub credential_process_rw: Option<CredentialProcess>,
    /// Named profiles (`--profile NAME`): their keys override these.
    #[serde(default)]
    pub profiles: std::collections::BTreeMap<String, HaloFileSection>,
}

impl HaloFileSection {
    /// This section with profile `name`'s keys over it, and the key prefix of the profile
    /// (`halo.profiles.NAME`). `source` says where the name came from, for the error.
    /// The names of the keys the profile set come back too (their source is the profile's).
    fn with_profile(
        mut self,
        name: &str,
        source: &Source,
        path: Option<&Path>,
    ) -> anyhow::Result<(HaloFileSection, Vec<&'static str>)> {
        let known = self.profiles.keys().cloned().collect::<Vec<_>>().join(", ");
        let Some(p) = self.profiles.remove(name) else {
            return Err(usage(match path {
                None => format!(
                    "Halo profile `{name}` ({source}) needs a config file with halo.profiles.{name}"
                ),
                Some(path) if known.is_empty() => format!(
                    "Halo profile `{name}` ({source}): {} has no halo.profiles",
                    path.display()
                ),
                Some(path) => format!(
                    "Halo profile `{name}` ({source}) is not in {}: halo.profiles has {known}",
                    path.display()
                ),
            }));
        };
        if !p.profiles.is_empty() {
            return Err(usage(format!(
                "halo.profiles.{name}: a profile cannot have profiles of its own"
            )));
        }
        let set = [
            ("api_url", p.api_url.is_some()),
            ("hostname", p.hostname.is_some()),
            ("port", p.port.is_some()),
            ("max_rps", p.max_rps.is_some()),
            ("max_in_flight", p.max_in_flight.is_some()),
            ("timeout_secs", p.timeout_secs.is_some()),
            ("credential_process", p.credential_process.is_some()),
            ("credential_process_rw", p.credential_process_rw.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect();
        let merged = HaloFileSection {
            api_url: p.api_url.or(if p.hostname.is_some() || p.port.is_some() {
                None
            } else {
                self.api_url
            }),
            hostname: p.hostname.or(self.hostname),
            port: p.port.or(self.port),
            max_rps: p.max_rps.or(self.max_rps),
            max_in_flight: p.max_in_flight.or(self.max_in_flight),
            timeout_secs: p.timeout_secs.or(self.timeout_secs),
            credential_process: p.credential_process.or(self.credential_process),
            credential_process_rw: p.credential_process_rw.or(self.credential_process_rw),
            profiles: Default::default(),
        };
        Ok((merged, set))
    }
}

/// A Halo key pair from `setting` (`halo.credential_process` …), which prints
/// `{"key_id": …, "secret_key": …}`.
fn key_from_process(p: &CredentialProcess, setting: String) -> anyhow::Result<ApiKey> {
    let mut got = p.run(&setting, &["key_id", "secret_key"])?;
    let id = got.remove("key_id").map(|s| {
        use secrecy::ExposeSecret;
        s.expose_secret().to_string()
    });
    let secret = got.remove("secret_key");
    let (Some(id), Some(secret)) = (id, secret) else {
        return Err(usage(format!("{setting}: no key_id or secret_key")));
    };
    // the names in messages about this key (`check … and …`): made once per process
    let id_var: &'static str = Box::leak(format!("{setting} (key_id)").into_boxed_str());
    Ok(ApiKey {
        id,
        secret,
        id_var,
        secret_var: "its secret_key",
    })
}

/// The secret `field` printed by `<section>.credential_process` of the config file (see
/// [`process`]), and its source; `None` when the file or the setting is absent. For secrets of
/// sections a tool reads itself: `secret_from_process(file, "freshdesk", "api_key")` for
/// sec-takedown's FreshDesk key.
pub fn secret_from_process(
    file: Option<&ConfigFile>,
    section: &str,
    field: &str,
) -> anyhow::Result<Option<Setting<SecretString>>> {
    let Some(file) = file else {
        return Ok(None);
    };
    let Some(raw) = file
        .doc
        .get(section)
        .and_then(|s| s.get("credential_process"))
    else {
        return Ok(None);
    };
    let setting = format!("{section}.credential_process");
    let p: CredentialProcess = serde_yaml_ng::from_value(raw.clone()).map_err(|_| {
        usage(format!(
            "{}: {setting} must be a list [program, arg, …] or {{command: [program, arg, …], timeout_secs: N}}",
            file.path.display()
        ))
    })?;
    let mut got = p.run(&setting, &[field])?;
    let value = got
        .remove(field)
        .ok_or_else(|| usage(format!("{setting}: no field `{field}`")))?;
    Ok(Some(Setting {
        value,
        source: Source::File {
            path: file.path.clone(),
            key: setting,
        },
    }))
}

/// A loaded config file: its path, text and YAML document. Tools deserialize their own sections.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub text: String,
    pub doc: serde_yaml_ng::Value,
}

impl ConfigFile {
    /// Parse a config file's text (`path` is only used in error messages). A UTF-8 BOM is
    /// dropped; a text over [`MAX_YAML_BYTES`] or nested deeper than [`MAX_YAML_DEPTH`] is refused
    /// before the YAML parser sees it.
    pub fn parse(path: PathBuf, text: String) -> anyhow::Result<ConfigFile> {
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        };
        check_yaml_shape(&text).map_err(|e| usage(format!("{}: {e}", path.display())))?;
        let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text)
            .map_err(|e| usage(format!("{}: {e}", path.display())))?;
        if !(doc.is_mapping() || doc.is_null()) {
            return Err(usage(format!(
                "{}: a config file is a mapping of sections (halo:, quarantine:, ipblocker:, notify: …), not {}",
                path.display(),
                match doc {
                    serde_yaml_ng::Value::Sequence(_) => "a list",
                    _ => "a single value",
                }
            )));
        }
        Ok(ConfigFile { path, text, doc })
    }

    /// Where a value read from `key` (a dotted path: `bot.channel`) of this file came from.
    pub fn source(&self, key: impl Into<String>) -> Source {
        Source::File {
            path: self.path.clone(),
            key: key.into(),
        }
    }

    /// Deserialize one top-level section (absent → `None`) straight from the file's text, so an
    /// error names the file, the key path and the line: `octo.yml: quarantine.enabled: invalid
    /// type: string "yes", expected a boolean at line 2 column 12`.
    pub fn section<T: serde::de::DeserializeOwned>(&self, name: &str) -> anyhow::Result<Option<T>> {
        if self.doc.get(name).is_none() {
            return Ok(None);
        }
        let de = serde_yaml_ng::Deserializer::from_str(&self.text);
        serde::de::DeserializeSeed::deserialize(
            SectionSeed::<T> {
                name,
                _t: std::marker::PhantomData,
            },
            de,
        )
        .map_err(|e| {
            usage(format!(
                "{}: {}",
                self.path.display(),
                redact_quoted_strings(&e.to_string())
            ))
        })
    }
}

/// A serde message with the URL passwords hidden in the strings it quotes (`invalid type:
/// string "https://k:PASS@h", expected …`): a value in the wrong place is echoed by the parser.
pub fn redact_quoted_strings(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(i) = rest.find("string \"") {
        let from = i + "string \"".len();
        out.push_str(&rest[..from]);
        let (quoted, after) = match rest[from..].find('"') {
            Some(j) => (&rest[from..from + j], &rest[from + j..]),
            None => (&rest[from..], ""),
        };
        out.push_str(&redact_url_text(quoted));
        rest = after;
        if rest.is_empty() {
            break;
        }
        out.push('"');
        rest = &rest[1..];
    }
    out.push_str(rest);
    out
}

/// Picks one top-level key of a YAML mapping and deserializes it as `T`, ignoring the others.
struct SectionSeed<'a, T> {
    name: &'a str,
    _t: std::marker::PhantomData<T>,
}

impl<'de, T: serde::de::DeserializeOwned> serde::de::DeserializeSeed<'de> for SectionSeed<'_, T> {
    type Value = Option<T>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: serde::de::DeserializeOwned> serde::de::Visitor<'de> for SectionSeed<'_, T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of sections")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let mut out = None;
        while let Some(key) = map.next_key::<serde_yaml_ng::Value>()? {
            if key.as_str() == Some(self.name) && out.is_none() {
                // serde_yaml_ng prefixes errors with the key path and appends the line
                out = Some(map.next_value::<T>()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(out)
    }
}

/// Find and read the config file: `--config`, `OCTO_CONFIG`, then
/// `$XDG_CONFIG_HOME/octobox/octo.yml` (or `~/.config/octobox/octo.yml`) if it exists.
/// A file named explicitly must exist; the default location is optional.
pub fn load_config_file(explicit: Option<&Path>) -> anyhow::Result<Option<ConfigFile>> {
    find_config_file(explicit).map(|(file, _)| file)
}

/// The section `name` of the config file found by [`find_config_file`] (`None`: no file), or
/// its default when the file or the section is absent: how every tool reads its own section.
pub fn section_or_default<T: serde::de::DeserializeOwned + Default>(
    file: Option<&ConfigFile>,
    name: &str,
) -> anyhow::Result<T> {
    Ok(match file {
        Some(f) => f.section(name)?.unwrap_or_default(),
        None => T::default(),
    })
}

/// Where a value read from `key` of the config file found (if any) came from.
pub fn file_source(file: Option<&ConfigFile>, key: impl Into<String>) -> Source {
    match file {
        Some(f) => f.source(key),
        None => Source::File {
            path: PathBuf::new(),
            key: key.into(),
        },
    }
}

/// The config file found by [`find_config_file`] as a setting (its path, or none), for doctor
/// and status reports.
pub fn config_file_setting(file: Option<&ConfigFile>, source: Source) -> Setting<Option<PathBuf>> {
    Setting {
        value: file.map(|f| f.path.clone()),
        source,
    }
}

/// [`load_config_file`], and where its path came from (`flag --config`, `env OCTO_CONFIG` or
/// `default`).
pub fn find_config_file(explicit: Option<&Path>) -> anyhow::Result<(Option<ConfigFile>, Source)> {
    let (path, source) = if let Some(p) = explicit {
        (p.to_path_buf(), Source::Flag("--config"))
    } else if let Some(p) = env::path_nonempty(env::OCTO_CONFIG) {
        (p, Source::Env(env::OCTO_CONFIG))
    } else {
        match env::user_config_dir() {
            Some(b) => (b.join("octobox").join("octo.yml"), Source::Default),
            None => return Ok((None, Source::Default)),
        }
    };
    let required = source != Source::Default;
    let text = match read_config_text(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok((None, source));
        }
        Err(e) => {
            return Err(usage(format!(
                "cannot read config file {}: {e}",
                path.display()
            )));
        }
    };
    Ok((Some(ConfigFile::parse(path, text)?), source))
}

/// Effective Halo client settings. `Debug` shows the proxy and the API URL with any password
/// redacted ([`redact_url`]) and the keys' secrets not at all.
#[derive(Clone)]
pub struct HaloConfig {
    pub base_url: Url,
    pub read_key: Option<ApiKey>,
    pub write_key: Option<ApiKey>,
    pub max_rps: f64,
    pub max_in_flight: usize,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub config_path: Option<PathBuf>,
    pub proxy: Option<String>,
    /// The named profile in effect (`halo.profiles.NAME`).
    pub profile: Option<String>,
    /// Where each setting came from, by the name `doctor` shows (`api_url`, `max_in_flight` …).
    pub sources: Vec<(&'static str, Source)>,
}

impl fmt::Debug for HaloConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HaloConfig")
            .field("base_url", &redact_url(self.base_url.as_str()))
            .field("read_key", &self.read_key)
            .field("write_key", &self.write_key)
            .field("max_rps", &self.max_rps)
            .field("max_in_flight", &self.max_in_flight)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("config_path", &self.config_path)
            .field("proxy", &self.proxy.as_deref().map(redact_url))
            .field("profile", &self.profile)
            .field("sources", &self.sources)
            .finish()
    }
}

impl HaloConfig {
    /// Where setting `name` came from (`Default` when it has no recorded source).
    pub fn source(&self, name: &str) -> &Source {
        self.sources
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(&Source::Default, |(_, s)| s)
    }
}

fn key_from_env(
    lookup: Lookup<'_>,
    id_var: &'static str,
    secret_var: &'static str,
) -> anyhow::Result<Option<ApiKey>> {
    match (lookup(id_var), lookup(secret_var)) {
        (Some(id), Some(secret)) => Ok(Some(ApiKey {
            id: id.trim().to_string(),
            secret: SecretString::from(secret.trim().to_string()),
            id_var,
            secret_var,
        })),
        (None, None) => Ok(None),
        (Some(_), None) => Err(usage(format!("{id_var} is set but {secret_var} is not"))),
        (None, Some(_)) => Err(usage(format!("{secret_var} is set but {id_var} is not"))),
    }
}

/// Slack's Web API, for the tools that post (slack-notify, octo-bot), when nothing else is set.
pub const SLACK_API_URL_DEFAULT: &str = "https://slack.com/api";

/// A Slack API base URL setting, checked as [`parse_base_url`] checks it (for [`resolve_checked`]).
pub fn check_slack_api_url(v: String) -> Result<String, String> {
    parse_base_url(&v, "Slack API URL")
        .map(|u| u.to_string())
        .map_err(|e| format!("{e:#}"))
}

/// Parse and check a base URL: http(s) only, no credentials, no query; trailing `/` dropped.
pub fn parse_base_url(raw: &str, what: &str) -> anyhow::Result<Url> {
    // Messages show the URL through `redact_url_text`: a password in it never prints, even when
    // the URL does not parse.
    let input = raw.trim();
    let shown = redact_url_text(input);
    let raw = shown.as_str();
    let url = Url::parse(input).map_err(|e| usage(format!("invalid {what} `{raw}`: {e}")))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(usage(format!(
            "invalid {what} `{raw}`: scheme must be http or https"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(usage(format!(
            "invalid {what}: credentials in the URL are not accepted; use the key environment variables"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(usage(format!(
            "invalid {what} `{raw}`: no query or fragment allowed"
        )));
    }
    let mut url = url;
    let trimmed = url.path().trim_end_matches('/').to_string();
    url.set_path(&trimmed);
    Ok(url)
}

impl HaloArgs {
    /// Resolve flags > env > config file > defaults, recording the source of each value.
    pub fn resolve(&self) -> anyhow::Result<HaloConfig> {
        let found = find_config_file(self.config.as_deref())?;
        self.resolve_from(found, &crate::env::var_nonempty)
    }

    /// [`HaloArgs::resolve`] with the config file already found and the environment read
    /// through `lookup`.
    pub fn resolve_from(
        &self,
        (file, config_source): (Option<ConfigFile>, Source),
        lookup: Lookup<'_>,
    ) -> anyhow::Result<HaloConfig> {
        let env_nonempty = lookup;
        let section: HaloFileSection = section_or_default(file.as_ref(), "halo")?;
        let profile = match (&self.profile, env_nonempty(env::HALO_PROFILE)) {
            (Some(p), _) => Some((p.trim().to_string(), Source::Flag("--profile"))),
            (None, Some(p)) => Some((p.trim().to_string(), Source::Env(env::HALO_PROFILE))),
            (None, None) => None,
        };
        let (section, from_profile) = match &profile {
            Some((name, source)) => {
                section.with_profile(name, source, file.as_ref().map(|f| f.path.as_path()))?
            }
            None => (section, Vec::new()),
        };
        let key_of = |key: &str| match &profile {
            Some((name, _)) if from_profile.contains(&key) => format!("halo.profiles.{name}.{key}"),
            _ => format!("halo.{key}"),
        };
        let file_src = |key: &str| file_source(file.as_ref(), key_of(key));

        let (raw_url, base_url_source) = if let Some(u) = &self.api_url {
            (u.clone(), Source::Flag("--api-url"))
        } else if let Some(u) = env_nonempty(env::HALO_API_URL) {
            (u, Source::Env(env::HALO_API_URL))
        } else if env_nonempty(env::HALO_API_HOSTNAME).is_some()
            || env_nonempty(env::HALO_API_PORT).is_some()
        {
            let host = env_nonempty(env::HALO_API_HOSTNAME);
            let port = env_nonempty(env::HALO_API_PORT);
            let source = Source::Env(if host.is_some() {
                env::HALO_API_HOSTNAME
            } else {
                env::HALO_API_PORT
            });
            let host = host.unwrap_or_else(|| "api.cloudpassage.com".into());
            let port = port.unwrap_or_else(|| "443".into());
            let port: u16 = port.trim().parse().map_err(|_| {
                usage(format!(
                    "{} must be a port number, got `{port}`",
                    env::HALO_API_PORT
                ))
            })?;
            (format!("https://{}:{port}", host.trim()), source)
        } else if let Some(u) = &section.api_url {
            (u.clone(), file_src("api_url"))
        } else if section.hostname.is_some() || section.port.is_some() {
            let host = section
                .hostname
                .clone()
                .unwrap_or_else(|| "api.cloudpassage.com".into());
            let key = if section.hostname.is_some() {
                "hostname"
            } else {
                "port"
            };
            (
                format!("https://{host}:{}", section.port.unwrap_or(443)),
                file_src(key),
            )
        } else {
            (
                "https://api.cloudpassage.com:443".to_string(),
                Source::Default,
            )
        };
        let base_url = parse_base_url(&raw_url, "Halo API URL")?;

        let max_rps = resolve_checked(
            lookup,
            ("--max-rps", self.max_rps),
            Some(env::HALO_MAX_RPS),
            (file.as_ref(), &key_of("max_rps"), section.max_rps),
            0.0,
            crate::validate::check_rps,
        )?;
        let max_in_flight = resolve_checked(
            lookup,
            ("--max-in-flight", self.max_in_flight),
            Some(env::HALO_CONCURRENCY),
            (
                file.as_ref(),
                &key_of("max_in_flight"),
                section.max_in_flight,
            ),
            DEFAULT_MAX_IN_FLIGHT,
            crate::validate::check_in_flight,
        )?;
        let timeout = resolve_checked(
            lookup,
            ("--timeout", self.timeout),
            Some(env::HALO_TIMEOUT),
            (file.as_ref(), &key_of("timeout_secs"), section.timeout_secs),
            DEFAULT_TIMEOUT_SECS,
            crate::validate::check_timeout_secs,
        )?;
        let proxy = match env_nonempty(env::HTTPS_PROXY) {
            Some(p) => Some((p, Source::Env(env::HTTPS_PROXY))),
            None => env_nonempty(env::HTTPS_PROXY_LOWER)
                .map(|p| (p, Source::Env(env::HTTPS_PROXY_LOWER))),
        };
        // each key: the environment, else the (profile's) credential_process, else not set
        let key = |id_var, secret_var, process: &Option<CredentialProcess>, name: &str| {
            if let Some(k) = key_from_env(lookup, id_var, secret_var)? {
                return Ok::<_, anyhow::Error>((Some(k), Source::Env(id_var)));
            }
            match process {
                Some(p) => Ok((Some(key_from_process(p, key_of(name))?), file_src(name))),
                None => Ok((None, Source::Default)),
            }
        };
        let (read_key, read_source) = key(
            env::HALO_API_KEY,
            env::HALO_API_SECRET_KEY,
            &section.credential_process,
            "credential_process",
        )?;
        let (write_key, write_source) = key(
            env::HALO_API_KEY_RW,
            env::HALO_API_SECRET_KEY_RW,
            &section.credential_process_rw,
            "credential_process_rw",
        )?;
        let (profile, profile_source) = match profile {
            Some((name, source)) => (Some(name), source),
            None => (None, Source::Default),
        };
        let sources = vec![
            ("config_file", config_source),
            ("profile", profile_source),
            ("api_url", base_url_source),
            ("read_key", read_source),
            ("write_key", write_source),
            ("max_rps", max_rps.source),
            ("max_in_flight", max_in_flight.source),
            ("timeout_secs", timeout.source),
            (
                "proxy",
                proxy.as_ref().map_or(Source::Default, |(_, s)| s.clone()),
            ),
        ];

        Ok(HaloConfig {
            base_url,
            read_key,
            write_key,
            max_rps: max_rps.value,
            max_in_flight: max_in_flight.value,
            timeout: Duration::from_secs(timeout.value),
            connect_timeout: Duration::from_secs(10),
            config_path: file.map(|f| f.path),
            proxy: proxy.map(|(p, _)| p),
            profile,
            sources,
        })
    }
}

/// Deadline of one Halo request when nothing sets `timeout_secs`.
pub const DEFAULT_TIMEOUT_SECS: u64 = 60;

/// Requests in flight at once when nothing sets `max_in_flight`.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 4;

impl HaloConfig {
    /// The effective configuration as JSON with every secret replaced by whether it is set.
    pub fn report(&self) -> Value {
        let key = |k: &Option<ApiKey>, id_var: &str, secret_var: &str| match k {
            Some(k) => {
                json!({"id": k.id, "id_var": id_var, "secret": "set (redacted)", "secret_var": secret_var})
            }
            None => {
                json!({"id": null, "id_var": id_var, "secret": "not set", "secret_var": secret_var})
            }
        };
        let settings = crate::doctor::settings(self.sources.iter().map(|(name, source)| {
            let value = match *name {
                "config_file" => json!(self.config_path.as_ref().map(|p| p.display().to_string())),
                "api_url" => json!(self.base_url.as_str().trim_end_matches('/')),
                "profile" => json!(self.profile),
                "read_key" => json!(
                    self.read_key
                        .as_ref()
                        .map(|k| format!("{} (secret redacted)", k.id))
                ),
                "write_key" => json!(
                    self.write_key
                        .as_ref()
                        .map(|k| format!("{} (secret redacted)", k.id))
                ),
                "max_rps" => json!(self.max_rps),
                "max_in_flight" => json!(self.max_in_flight),
                "timeout_secs" => json!(self.timeout.as_secs()),
                "proxy" => json!(self.proxy.as_deref().map(redact_url)),
                _ => Value::Null,
            };
            (*name, value, source)
        }));
        json!({
            "api_url": self.base_url.as_str().trim_end_matches('/'),
            "api_url_source": self.source("api_url").to_string(),
            "read_key": key(&self.read_key, env::HALO_API_KEY, env::HALO_API_SECRET_KEY),
            "write_key": key(&self.write_key, env::HALO_API_KEY_RW, env::HALO_API_SECRET_KEY_RW),
            "max_rps": self.max_rps,
            "max_in_flight": self.max_in_flight,
            "timeout_secs": self.timeout.as_secs(),
            "config_file": self.config_path.as_ref().map(|p| p.display().to_string()),
            "profile": self.profile,
            "proxy": self.proxy.as_deref().map(redact_url),
            "settings": settings,
        })
    }
}

/// Hide user:password in a URL (for proxies given as `http://user:pw@host:port`).
pub fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("redacted");
            let _ = u.set_password(None);
            u.to_string()
        }
        // A URL with an authority and no userinfo: an `@` in its path or query is not a secret.
        Ok(u) if !u.cannot_be_a_base() => u.to_string(),
        // `k:secret@host` parses as a scheme `k` with an opaque path: no userinfo to clear, so
        // the text rule applies, as to any text that is not a URL.
        _ => redact_url_text(raw),
    }
}

/// The text of a URL with everything between its scheme (`…://`, when there is one) and its last
/// `@` replaced by `redacted`, without parsing it: for messages about URLs that do not parse
/// (`http://k:PASS@[::1` → `http://redacted@[::1`). Where a broken URL's authority ends cannot be
/// known (`ftp://a:x//b:PASS@h`, `https//u:PASS@h`), so this hides too much rather than too little.
/// Every message that echoes a URL a user gave goes through here (or [`redact_url`]).
pub fn redact_url_text(raw: &str) -> String {
    let is_scheme = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    };
    let (scheme, rest) = match raw.find("://") {
        Some(i) if is_scheme(&raw[..i]) => raw.split_at(i + 3),
        _ => ("", raw),
    };
    if let Some(at) = rest.rfind('@') {
        return format!("{scheme}redacted{}", &rest[at..]);
    }
    // No `@`, yet the authority may hold a password whose `@` was lost or encoded
    // (`http://a%40b:PASS` + a typo): anything after a `:` that is not a port is hidden.
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host_end = match authority.strip_prefix('[') {
        Some(v6) => v6.find(']').map_or(authority.len(), |i| i + 2),
        None => 0,
    };
    match authority[host_end..].find(':').map(|i| i + host_end) {
        Some(colon) if !authority[colon + 1..].chars().all(|c| c.is_ascii_digit()) => {
            format!("{scheme}{}:redacted{}", &authority[..colon], &rest[end..])
        }
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests;
