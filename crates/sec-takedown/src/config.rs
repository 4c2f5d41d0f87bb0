//! Configuration: OpenStack auth (`OS_CLOUD` + clouds.yaml, or `OS_*`), FreshDesk
//! (`FRESHDESK_URL` or `FRESHDESK_DOMAIN`, `FRESHDESK_API_KEY`) and the `takedown:` section of
//! octo.yml. Secrets live in [`SecretString`] and never print.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use octo_core::config::{ConfigFile, Setting, Source, parse_base_url, resolve_checked};
use octo_core::env;
use octo_core::exit::usage;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use crate::clouds::{self, Cloud};
use crate::template::Templates;

fn env_nonempty(name: &str) -> Option<String> {
    octo_core::env::var_nonempty(name).map(|v| v.trim().to_string())
}

/// How to authenticate to Keystone.
#[derive(Clone)]
pub enum OsMethod {
    Password {
        user_name: Option<String>,
        user_id: Option<String>,
        user_domain_name: Option<String>,
        user_domain_id: Option<String>,
        password: SecretString,
    },
    AppCredential {
        id: Option<String>,
        name: Option<String>,
        user_id: Option<String>,
        user_name: Option<String>,
        user_domain_name: Option<String>,
        secret: SecretString,
    },
    /// An existing token (`OS_TOKEN`, auth_type `token`/`v3token`), exchanged for a scoped one.
    Token { token: SecretString },
}

impl OsMethod {
    /// `password`, `application credential` or `token`.
    pub fn name(&self) -> &'static str {
        match self {
            OsMethod::Password { .. } => "password",
            OsMethod::AppCredential { .. } => "application credential",
            OsMethod::Token { .. } => "token",
        }
    }
}

/// The project a password or token is scoped to.
#[derive(Clone, Debug, Default)]
pub struct ProjectScope {
    pub name: Option<String>,
    pub id: Option<String>,
    pub domain_name: Option<String>,
    pub domain_id: Option<String>,
}

/// Effective OpenStack settings.
#[derive(Clone)]
pub struct OsAuth {
    /// Keystone v3 base, ending in `/v3`.
    pub auth_url: Url,
    pub method: OsMethod,
    /// The project scope (password and token auth; an application credential has its own).
    pub scope: Option<ProjectScope>,
    pub region: Option<String>,
    pub interface: String,
    /// A private CA bundle (PEM) that alone is trusted for the OpenStack endpoints.
    pub cacert: Option<PathBuf>,
    /// Where the settings came from (`environment` or `cloud NAME (FILES)`).
    pub source: String,
    /// Every field with its value and source (secrets included: print through `doctor` only).
    pub cloud: Cloud,
}

impl fmt::Debug for OsAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OsAuth")
            .field(
                "auth_url",
                &octo_core::config::redact_url(self.auth_url.as_str()),
            )
            .field("method", &self.method.name())
            .field("secret", &"[redacted]")
            .field("region", &self.region)
            .field("interface", &self.interface)
            .field("cacert", &self.cacert)
            .finish()
    }
}

/// Normalise an auth URL to end in `/v3`.
fn v3_url(raw: &str, what: &str) -> anyhow::Result<Url> {
    let mut u = parse_base_url(raw, what)?;
    if !u.path().trim_end_matches('/').ends_with("/v3") {
        let p = format!("{}/v3", u.path().trim_end_matches('/'));
        u.set_path(&p);
    }
    Ok(u)
}

pub fn build(c: &Cloud) -> anyhow::Result<OsAuth> {
    let g = |k: &str| c.get(k).map(String::from);
    let d = |k: &str| c.describe(k);
    let auth_url = g("auth_url").ok_or_else(|| usage(format!("{} is not set", d("auth_url"))))?;
    let auth_url = v3_url(&auth_url, &d("auth_url"))?;
    #[derive(PartialEq)]
    enum Kind {
        Password,
        App,
        Token,
    }
    let kind = match g("auth_type").map(|t| t.to_ascii_lowercase()).as_deref() {
        Some("password" | "v3password") => Kind::Password,
        Some("v3applicationcredential" | "applicationcredential" | "application_credential") => {
            Kind::App
        }
        Some("token" | "v3token") => Kind::Token,
        Some(other) => {
            return Err(usage(format!(
                "{}: auth_type `{other}` is not supported (use password, v3applicationcredential \
                 or token)",
                d("auth_type")
            )));
        }
        None if g("token").is_some() => Kind::Token,
        None if g("application_credential_id").is_some()
            || g("application_credential_name").is_some() =>
        {
            Kind::App
        }
        None => Kind::Password,
    };
    let method = match kind {
        Kind::App => {
            let secret = g("application_credential_secret").ok_or_else(|| {
                usage(format!("{} is not set", d("application_credential_secret")))
            })?;
            let (id, name) = (
                g("application_credential_id"),
                g("application_credential_name"),
            );
            if id.is_none() && name.is_none() {
                return Err(usage(format!(
                    "application credential auth needs {} or {}",
                    d("application_credential_id"),
                    d("application_credential_name")
                )));
            }
            if id.is_none() && g("user_id").is_none() && g("username").is_none() {
                return Err(usage(format!(
                    "a named application credential needs {} or {}",
                    d("user_id"),
                    d("username")
                )));
            }
            OsMethod::AppCredential {
                id,
                name,
                user_id: g("user_id"),
                user_name: g("username"),
                user_domain_name: g("user_domain_name"),
                secret: SecretString::from(secret),
            }
        }
        Kind::Token => OsMethod::Token {
            token: SecretString::from(
                g("token").ok_or_else(|| usage(format!("{} is not set", d("token"))))?,
            ),
        },
        Kind::Password => {
            let password =
                g("password").ok_or_else(|| usage(format!("{} is not set", d("password"))))?;
            if g("username").is_none() && g("user_id").is_none() {
                return Err(usage(format!(
                    "{} (or {}) is not set",
                    d("username"),
                    d("user_id")
                )));
            }
            OsMethod::Password {
                user_name: g("username"),
                user_id: g("user_id"),
                user_domain_name: g("user_domain_name"),
                user_domain_id: g("user_domain_id"),
                password: SecretString::from(password),
            }
        }
    };
    let scope = if kind == Kind::App {
        None
    } else {
        if g("project_name").is_none() && g("project_id").is_none() {
            return Err(usage(format!(
                "{} (or {}) is not set: sec-takedown needs a project-scoped (admin) token",
                d("project_name"),
                d("project_id")
            )));
        }
        Some(ProjectScope {
            name: g("project_name"),
            id: g("project_id"),
            domain_name: g("project_domain_name"),
            domain_id: g("project_domain_id"),
        })
    };
    let interface = g("interface").unwrap_or_else(|| "public".into());
    let interface = interface.trim_end_matches("URL").to_ascii_lowercase();
    if !["public", "internal", "admin"].contains(&interface.as_str()) {
        return Err(usage(format!(
            "{} must be public, internal or admin, got `{interface}`",
            d("interface")
        )));
    }
    let cacert = match g("cacert") {
        None => None,
        Some(p) => {
            let p = PathBuf::from(p);
            if !p.is_file() {
                return Err(usage(format!(
                    "{}: the CA bundle {} is not a readable file",
                    d("cacert"),
                    p.display()
                )));
            }
            Some(p)
        }
    };
    let source = match &c.name {
        None => "environment".to_string(),
        Some((name, _)) => format!(
            "cloud `{name}` ({}{})",
            c.files
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" + "),
            if c.values
                .values()
                .any(|v| matches!(v.source, Source::Env(_)))
            {
                " + OS_* environment"
            } else {
                ""
            }
        ),
    };
    Ok(OsAuth {
        auth_url,
        method,
        scope,
        region: g("region_name"),
        interface,
        cacert,
        source,
        cloud: c.clone(),
    })
}

/// OpenStack auth as openstackclient takes it: the cloud named by `--os-cloud` / `OS_CLOUD`
/// (clouds.yaml + secure.yaml), each `OS_*` variable overriding one field ([`crate::clouds`]).
pub fn os_auth(os_cloud: Option<&str>) -> anyhow::Result<OsAuth> {
    build(&clouds::load(os_cloud)?)
}

/// FreshDesk API settings.
#[derive(Clone)]
pub struct FdConfig {
    /// `https://DOMAIN.freshdesk.com` or `FRESHDESK_URL`; the API is under `/api/v2`.
    pub base: Url,
    pub api_key: SecretString,
    /// Where the base URL came from (`env FRESHDESK_URL`, `file …:takedown.freshdesk_domain`).
    pub base_source: Source,
    /// Where the key came from (`env FRESHDESK_API_KEY`, `file …:takedown.credential_process`).
    pub key_source: Source,
}

impl fmt::Debug for FdConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FdConfig")
            .field("base", &self.base.as_str())
            .field("api_key", &"[redacted]")
            .finish()
    }
}

/// FreshDesk settings: the URL (`FRESHDESK_URL`, else `takedown.freshdesk_url`) or the domain
/// (`FRESHDESK_DOMAIN`, else `takedown.freshdesk_domain`) as resolved in [`takedown`], and the
/// key from `FRESHDESK_API_KEY`.
pub fn freshdesk(cfg: &TakedownConfig) -> anyhow::Result<FdConfig> {
    let set = |s: &Setting<String>| (!s.value.is_empty()).then(|| s.value.clone());
    let (key, key_source) = match (
        env_nonempty(env::FRESHDESK_API_KEY),
        &cfg.credential_process,
    ) {
        (Some(k), _) => (Some(k), Source::Env(env::FRESHDESK_API_KEY)),
        (None, Some(p)) => {
            let setting = "takedown.credential_process";
            let key = p
                .run(setting, &["api_key"])?
                .remove("api_key")
                .ok_or_else(|| usage(format!("{setting}: no field `api_key`")))?;
            let source = Source::File {
                path: cfg.config_path.clone().unwrap_or_default(),
                key: setting.into(),
            };
            (Some(key.expose_secret().to_string()), source)
        }
        (None, None) => (None, Source::Default),
    };
    // the base first: a missing domain is named before a missing key
    let mut fd = freshdesk_from(set(&cfg.freshdesk_url), set(&cfg.freshdesk_domain), key)?;
    fd.key_source = key_source;
    fd.base_source = if set(&cfg.freshdesk_url).is_some() {
        cfg.freshdesk_url.source.clone()
    } else {
        cfg.freshdesk_domain.source.clone()
    };
    Ok(fd)
}

/// `url` wins over `domain`; a bare domain name gets `.freshdesk.com`; always https for a domain.
pub fn freshdesk_from(
    url: Option<String>,
    domain: Option<String>,
    key: Option<String>,
) -> anyhow::Result<FdConfig> {
    let base = if let Some(u) = url {
        parse_base_url(&u, env::FRESHDESK_URL)?
    } else if let Some(d) = domain {
        let d = d.trim_start_matches("https://").trim_end_matches('/');
        let host = if d.contains('.') {
            d.to_string()
        } else {
            format!("{d}.freshdesk.com")
        };
        parse_base_url(&format!("https://{host}"), env::FRESHDESK_DOMAIN)?
    } else {
        return Err(usage(format!(
            "FreshDesk is not configured: set {} (e.g. dhdnectar.freshdesk.com) or {} (or \
             takedown.freshdesk_domain in octo.yml)",
            env::FRESHDESK_DOMAIN,
            env::FRESHDESK_URL
        )));
    };
    let key = key.ok_or_else(|| {
        usage(format!(
            "{} is not set (nor takedown.credential_process in octo.yml)",
            env::FRESHDESK_API_KEY
        ))
    })?;
    Ok(FdConfig {
        base,
        api_key: SecretString::from(key),
        base_source: Source::Default,
        key_source: Source::Default,
    })
}

/// Template file paths of the `takedown.templates` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplatePaths {
    pub ticket_subject: Option<PathBuf>,
    pub ticket_body: Option<PathBuf>,
    pub reply_locked: Option<PathBuf>,
    pub reply_unlocked: Option<PathBuf>,
    pub reply_deleted: Option<PathBuf>,
}

/// The `takedown:` section of octo.yml (every key optional).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TakedownSection {
    pub group_id: Option<u64>,
    pub email_config_id: Option<u64>,
    pub status_open: Option<u64>,
    pub status_relocked: Option<u64>,
    pub status_resolved: Option<u64>,
    pub priority: Option<u64>,
    pub manager_role: Option<String>,
    pub portal_url: Option<String>,
    pub fallback_email: Option<String>,
    pub lock_reason: Option<String>,
    pub cloud_name: Option<String>,
    pub console_lines: Option<u32>,
    pub wait_timeout_secs: Option<u64>,
    pub poll_interval_ms: Option<u64>,
    pub freshdesk_domain: Option<String>,
    pub freshdesk_url: Option<String>,
    /// A command printing `{"api_key": "…"}`: the FreshDesk key when `FRESHDESK_API_KEY` is not
    /// set (as the AWS CLI's credential_process); run only when FreshDesk is used.
    pub credential_process: Option<octo_core::config::CredentialProcess>,
    #[serde(default)]
    pub templates: TemplatePaths,
}

/// Effective takedown settings.
#[derive(Debug, Clone)]
pub struct TakedownConfig {
    pub group_id: u64,
    pub email_config_id: u64,
    pub status_open: u64,
    pub status_relocked: u64,
    pub status_resolved: u64,
    pub priority: u64,
    pub manager_role: String,
    pub portal_url: Option<Url>,
    pub fallback_email: String,
    pub lock_reason: String,
    pub cloud_name: String,
    pub console_lines: u32,
    pub wait_timeout: std::time::Duration,
    pub poll_interval: std::time::Duration,
    pub templates: Templates,
    pub config_path: Option<PathBuf>,
    /// How the config file was chosen (`flag --config`, `env OCTO_CONFIG`, the default search).
    pub config_source: Source,
    /// `takedown.credential_process`: the FreshDesk key's command (see [`freshdesk`]).
    pub credential_process: Option<octo_core::config::CredentialProcess>,
    /// `FRESHDESK_URL` > `takedown.freshdesk_url` (empty: not set).
    pub freshdesk_url: Setting<String>,
    /// `FRESHDESK_DOMAIN` > `takedown.freshdesk_domain` (empty: not set).
    pub freshdesk_domain: Setting<String>,
    /// Every setting above as `doctor` shows it: name, value, source.
    pub sources: Vec<(&'static str, serde_json::Value, Source)>,
}

/// Read the `takedown:` section (and its templates) of the config file.
pub fn takedown(explicit: Option<&Path>) -> anyhow::Result<TakedownConfig> {
    let (file, config_source): (Option<ConfigFile>, Source) =
        octo_core::config::find_config_file(explicit)?;
    let sec: TakedownSection = octo_core::config::section_or_default(file.as_ref(), "takedown")?;
    let base_dir = file
        .as_ref()
        .and_then(|f| f.path.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let mut paths = BTreeMap::new();
    for (name, p) in [
        ("ticket_subject", &sec.templates.ticket_subject),
        ("ticket_body", &sec.templates.ticket_body),
        ("reply_locked", &sec.templates.reply_locked),
        ("reply_unlocked", &sec.templates.reply_unlocked),
        ("reply_deleted", &sec.templates.reply_deleted),
    ] {
        if let Some(p) = p {
            let p = if p.is_relative() {
                base_dir.join(p)
            } else {
                p.clone()
            };
            paths.insert(name, p);
        }
    }
    let templates = Templates::load(&paths)?;
    // one resolution of every setting: flag > env > config file > default, its source kept
    let f = file.as_ref();
    let lookup = |name: &str| env_nonempty(name);
    let mut sources: Vec<(&'static str, serde_json::Value, Source)> = Vec::new();
    macro_rules! setting {
        ($name:literal, $env:expr, $val:expr, $default:expr, $check:expr) => {{
            let s = resolve_checked(
                &lookup,
                ("", None),
                $env,
                (f, concat!("takedown.", $name), $val),
                $default,
                $check,
            )?;
            sources.push(($name, serde_json::json!(s.value), s.source.clone()));
            s
        }};
    }
    fn any<T>(v: T) -> Result<T, String> {
        Ok(v)
    }
    fn positive(v: u64) -> Result<u64, String> {
        if v == 0 {
            Err("must be 1 or more".into())
        } else {
            Ok(v)
        }
    }
    fn reason(v: String) -> Result<String, String> {
        if v.is_empty() || v.chars().count() > 255 {
            Err("must be 1 to 255 characters".into())
        } else {
            Ok(v)
        }
    }
    let group_id = setting!("group_id", None, sec.group_id, 6_000_208_874, positive);
    let email_config_id = setting!(
        "email_config_id",
        None,
        sec.email_config_id,
        6_000_071_619,
        positive
    );
    let status_open = setting!("status_open", None, sec.status_open, 2, positive);
    let status_relocked = setting!("status_relocked", None, sec.status_relocked, 6, positive);
    let status_resolved = setting!("status_resolved", None, sec.status_resolved, 4, positive);
    let priority = setting!("priority", None, sec.priority, 4, positive);
    let manager_role = setting!(
        "manager_role",
        None,
        sec.manager_role,
        "TenantManager".to_string(),
        any
    );
    let portal = setting!("portal_url", None, sec.portal_url, String::new(), any);
    let portal_url = match portal.value.as_str() {
        "" => None,
        u => Some(parse_base_url(u, &portal.source.to_string())?),
    };
    let fallback_email = setting!(
        "fallback_email",
        None,
        sec.fallback_email,
        "no-reply@nectar.org.au".to_string(),
        any
    );
    let lock_reason = setting!(
        "lock_reason",
        None,
        sec.lock_reason,
        "security".to_string(),
        reason
    );
    let cloud_name = setting!(
        "cloud_name",
        None,
        sec.cloud_name,
        "Nectar Research Cloud".to_string(),
        any
    );
    let console_lines = setting!("console_lines", None, sec.console_lines, 500, any);
    let wait_timeout = setting!(
        "wait_timeout_secs",
        None,
        sec.wait_timeout_secs,
        300,
        positive
    );
    let poll_interval = setting!(
        "poll_interval_ms",
        None,
        sec.poll_interval_ms,
        500,
        |v: u64| Ok(v.max(50))
    );
    let freshdesk_url = setting!(
        "freshdesk_url",
        Some(env::FRESHDESK_URL),
        sec.freshdesk_url,
        String::new(),
        any
    );
    let freshdesk_domain = setting!(
        "freshdesk_domain",
        Some(env::FRESHDESK_DOMAIN),
        sec.freshdesk_domain,
        String::new(),
        any
    );
    Ok(TakedownConfig {
        group_id: group_id.value,
        email_config_id: email_config_id.value,
        status_open: status_open.value,
        status_relocked: status_relocked.value,
        status_resolved: status_resolved.value,
        priority: priority.value,
        manager_role: manager_role.value,
        portal_url,
        fallback_email: fallback_email.value,
        lock_reason: lock_reason.value,
        cloud_name: cloud_name.value,
        console_lines: console_lines.value,
        wait_timeout: std::time::Duration::from_secs(wait_timeout.value),
        poll_interval: std::time::Duration::from_millis(poll_interval.value),
        templates,
        config_path: file.as_ref().map(|f| f.path.clone()),
        config_source,
        credential_process: sec.credential_process.clone(),
        freshdesk_url,
        freshdesk_domain,
        sources,
    })
}

#[cfg(test)]
mod tests;
