//! Configuration: flags > environment > config file > defaults.
//!
//! Secrets (API secret keys) only ever come from the environment and live in
//! [`secrecy::SecretString`]; `Debug` of every type here redacts them, and [`HaloConfig::report`]
//! (what `doctor` prints) shows only whether they are set.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use crate::env;
use crate::exit::usage;

/// Where a setting's value came from (shown by `doctor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env(&'static str),
    File,
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag => f.write_str("flag"),
            Source::Env(name) => write!(f, "env {name}"),
            Source::File => f.write_str("config file"),
            Source::Default => f.write_str("default"),
        }
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
    #[arg(long = "max-rps", value_name = "N", global = true)]
    pub max_rps: Option<f64>,
    /// Halo requests in flight at once (default 4) [env: HALO_CONCURRENCY]
    #[arg(long = "max-in-flight", value_name = "N", global = true)]
    pub max_in_flight: Option<usize>,
    /// Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]
    #[arg(long = "config", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
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

/// The `halo:` section of octo.yml (everything optional; secrets are not accepted here).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HaloFileSection {
    pub api_url: Option<String>,
    pub hostname: Option<String>,
    pub port: Option<u16>,
    pub max_rps: Option<f64>,
    pub max_in_flight: Option<usize>,
    pub timeout_secs: Option<u64>,
}

/// A loaded config file: its path, text and YAML document. Tools deserialize their own sections.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub text: String,
    pub doc: serde_yaml_ng::Value,
}

impl ConfigFile {
    /// Parse a config file's text (`path` is only used in error messages).
    pub fn parse(path: PathBuf, text: String) -> anyhow::Result<ConfigFile> {
        let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text)
            .map_err(|e| usage(format!("{}: {e}", path.display())))?;
        Ok(ConfigFile { path, text, doc })
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
        .map_err(|e| usage(format!("{}: {e}", self.path.display())))
    }
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
    let (path, required) = if let Some(p) = explicit {
        (p.to_path_buf(), true)
    } else if let Some(p) = std::env::var_os(env::OCTO_CONFIG).filter(|p| !p.is_empty()) {
        (PathBuf::from(p), true)
    } else {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
        match base {
            Some(b) => (b.join("octobox").join("octo.yml"), false),
            None => return Ok(None),
        }
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(None),
        Err(e) => {
            return Err(usage(format!(
                "cannot read config file {}: {e}",
                path.display()
            )));
        }
    };
    ConfigFile::parse(path, text).map(Some)
}

/// Effective Halo client settings.
#[derive(Debug, Clone)]
pub struct HaloConfig {
    pub base_url: Url,
    pub base_url_source: Source,
    pub read_key: Option<ApiKey>,
    pub write_key: Option<ApiKey>,
    pub max_rps: f64,
    pub max_in_flight: usize,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub config_path: Option<PathBuf>,
    pub proxy: Option<String>,
}

use crate::env::var_nonempty as env_nonempty;

fn key_from_env(id_var: &'static str, secret_var: &'static str) -> anyhow::Result<Option<ApiKey>> {
    match (env_nonempty(id_var), env_nonempty(secret_var)) {
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

/// Parse and check a base URL: http(s) only, no credentials, no query; trailing `/` dropped.
pub fn parse_base_url(raw: &str, what: &str) -> anyhow::Result<Url> {
    let url = Url::parse(raw.trim()).map_err(|e| usage(format!("invalid {what} `{raw}`: {e}")))?;
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
    /// Resolve flags > env > config file > defaults.
    pub fn resolve(&self) -> anyhow::Result<HaloConfig> {
        let file = load_config_file(self.config.as_deref())?;
        let section: HaloFileSection = match &file {
            Some(f) => f.section("halo")?.unwrap_or_default(),
            None => HaloFileSection::default(),
        };

        let (raw_url, base_url_source) = if let Some(u) = &self.api_url {
            (u.clone(), Source::Flag)
        } else if let Some(u) = env_nonempty(env::HALO_API_URL) {
            (u, Source::Env(env::HALO_API_URL))
        } else if env_nonempty(env::HALO_API_HOSTNAME).is_some()
            || env_nonempty(env::HALO_API_PORT).is_some()
        {
            let host = env_nonempty(env::HALO_API_HOSTNAME)
                .unwrap_or_else(|| "api.cloudpassage.com".into());
            let port = env_nonempty(env::HALO_API_PORT).unwrap_or_else(|| "443".into());
            let port: u16 = port.trim().parse().map_err(|_| {
                usage(format!(
                    "{} must be a port number, got `{port}`",
                    env::HALO_API_PORT
                ))
            })?;
            (
                format!("https://{}:{port}", host.trim()),
                Source::Env(env::HALO_API_HOSTNAME),
            )
        } else if let Some(u) = &section.api_url {
            (u.clone(), Source::File)
        } else if section.hostname.is_some() || section.port.is_some() {
            let host = section
                .hostname
                .clone()
                .unwrap_or_else(|| "api.cloudpassage.com".into());
            (
                format!("https://{host}:{}", section.port.unwrap_or(443)),
                Source::File,
            )
        } else {
            (
                "https://api.cloudpassage.com:443".to_string(),
                Source::Default,
            )
        };
        let base_url = parse_base_url(&raw_url, "Halo API URL")?;

        let max_rps = match (
            self.max_rps,
            env_nonempty(env::HALO_MAX_RPS),
            section.max_rps,
        ) {
            (Some(v), _, _) => v,
            (None, Some(v), _) => v
                .trim()
                .parse()
                .map_err(|_| usage(format!("{} must be a number, got `{v}`", env::HALO_MAX_RPS)))?,
            (None, None, Some(v)) => v,
            _ => 0.0,
        };
        if !(max_rps.is_finite() && max_rps >= 0.0) {
            return Err(usage(format!(
                "--max-rps must be a number >= 0, got {max_rps}"
            )));
        }
        let max_in_flight = match (
            self.max_in_flight,
            env_nonempty(env::HALO_CONCURRENCY),
            section.max_in_flight,
        ) {
            (Some(v), _, _) => v,
            (None, Some(v), _) => v.trim().parse().map_err(|_| {
                usage(format!(
                    "{} must be a whole number, got `{v}`",
                    env::HALO_CONCURRENCY
                ))
            })?,
            (None, None, Some(v)) => v,
            _ => 4,
        };
        if max_in_flight == 0 {
            return Err(usage("--max-in-flight must be at least 1"));
        }

        Ok(HaloConfig {
            base_url,
            base_url_source,
            read_key: key_from_env(env::HALO_API_KEY, env::HALO_API_SECRET_KEY)?,
            write_key: key_from_env(env::HALO_API_KEY_RW, env::HALO_API_SECRET_KEY_RW)?,
            max_rps,
            max_in_flight,
            timeout: Duration::from_secs(section.timeout_secs.unwrap_or(60)),
            connect_timeout: Duration::from_secs(10),
            config_path: file.map(|f| f.path),
            proxy: env_nonempty("HTTPS_PROXY").or_else(|| env_nonempty("https_proxy")),
        })
    }
}

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
        json!({
            "api_url": self.base_url.as_str().trim_end_matches('/'),
            "api_url_source": self.base_url_source.to_string(),
            "read_key": key(&self.read_key, env::HALO_API_KEY, env::HALO_API_SECRET_KEY),
            "write_key": key(&self.write_key, env::HALO_API_KEY_RW, env::HALO_API_SECRET_KEY_RW),
            "max_rps": self.max_rps,
            "max_in_flight": self.max_in_flight,
            "timeout_secs": self.timeout.as_secs(),
            "config_file": self.config_path.as_ref().map(|p| p.display().to_string()),
            "proxy": self.proxy.as_deref().map(redact_url),
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
        Ok(u) => u.to_string(),
        Err(_) => "(unparseable, hidden)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_checks() {
        assert_eq!(
            parse_base_url("http://127.0.0.1:5/", "x").unwrap().as_str(),
            "http://127.0.0.1:5/"
        );
        assert_eq!(
            parse_base_url("https://h/prefix/", "x").unwrap().path(),
            "/prefix"
        );
        assert!(parse_base_url("ftp://h", "x").is_err());
        let e = parse_base_url("https://k:s@h", "x")
            .unwrap_err()
            .to_string();
        assert!(!e.contains(":s@"), "{e}");
    }

    #[test]
    fn debug_redacts_secret() {
        let k = ApiKey {
            id: "kid".into(),
            secret: SecretString::from("topsecret".to_string()),
            id_var: "A",
            secret_var: "B",
        };
        let d = format!("{k:?}");
        assert!(d.contains("kid") && !d.contains("topsecret"), "{d}");
    }

    #[test]
    fn proxy_credentials_hidden() {
        assert_eq!(
            redact_url("http://u:pw@proxy:8080"),
            "http://redacted@proxy:8080/"
        );
    }
}
