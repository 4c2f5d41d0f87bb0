//! The Halo client's settings: the flags every Halo tool shares ([`HaloArgs`]), the `halo:`
//! section of octo.yml with its named profiles ([`HaloFileSection`]), the API keys (from the
//! environment or a `credential_process`) and what they resolve to ([`HaloConfig`]), with each
//! value's source for `doctor`.

use super::*;

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
