//! Configuration: OpenStack auth (`OS_CLOUD` + clouds.yaml, or `OS_*`), FreshDesk
//! (`FRESHDESK_URL` or `FRESHDESK_DOMAIN`, `FRESHDESK_API_KEY`) and the `takedown:` section of
//! octo.yml. Secrets live in [`SecretString`] and never print.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use octo_core::config::{ConfigFile, load_config_file, parse_base_url};
use octo_core::env;
use octo_core::exit::usage;
use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

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
        project_name: Option<String>,
        project_id: Option<String>,
        project_domain_name: Option<String>,
        project_domain_id: Option<String>,
    },
    AppCredential {
        id: Option<String>,
        name: Option<String>,
        user_id: Option<String>,
        user_name: Option<String>,
        user_domain_name: Option<String>,
        secret: SecretString,
    },
}

/// Effective OpenStack settings.
#[derive(Clone)]
pub struct OsAuth {
    /// Keystone v3 base, ending in `/v3`.
    pub auth_url: Url,
    pub method: OsMethod,
    pub region: Option<String>,
    pub interface: String,
    /// Where the settings came from (`env` or `clouds.yaml FILE cloud NAME`).
    pub source: String,
}

impl fmt::Debug for OsAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = match &self.method {
            OsMethod::Password { .. } => "password",
            OsMethod::AppCredential { .. } => "application credential",
        };
        f.debug_struct("OsAuth")
            .field("auth_url", &self.auth_url.as_str())
            .field("method", &m)
            .field("secret", &"[redacted]")
            .field("region", &self.region)
            .field("interface", &self.interface)
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

type Lookup = Box<dyn Fn(&str) -> Option<String>>;

/// A map of string settings (clouds.yaml `auth:` or the `OS_*` environment).
struct Settings {
    get: Lookup,
    describe: Box<dyn Fn(&str) -> String>,
}

fn build(s: &Settings, auth_type: Option<String>, source: String) -> anyhow::Result<OsAuth> {
    let g = |k: &str| (s.get)(k);
    let d = |k: &str| (s.describe)(k);
    let auth_url = g("auth_url").ok_or_else(|| usage(format!("{} is not set", d("auth_url"))))?;
    let auth_url = v3_url(&auth_url, &d("auth_url"))?;
    let app = match auth_type.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("password" | "v3password") => false,
        Some("v3applicationcredential" | "applicationcredential" | "application_credential") => {
            true
        }
        Some(other) => {
            return Err(usage(format!(
                "{} `{other}` is not supported (use password or v3applicationcredential)",
                d("auth_type")
            )));
        }
        None => {
            g("application_credential_id").is_some() || g("application_credential_name").is_some()
        }
    };
    let method = if app {
        let secret = g("application_credential_secret")
            .ok_or_else(|| usage(format!("{} is not set", d("application_credential_secret"))))?;
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
    } else {
        let password =
            g("password").ok_or_else(|| usage(format!("{} is not set", d("password"))))?;
        if g("username").is_none() && g("user_id").is_none() {
            return Err(usage(format!(
                "{} (or {}) is not set",
                d("username"),
                d("user_id")
            )));
        }
        if g("project_name").is_none() && g("project_id").is_none() {
            return Err(usage(format!(
                "{} (or {}) is not set: sec-takedown needs a project-scoped (admin) token",
                d("project_name"),
                d("project_id")
            )));
        }
        OsMethod::Password {
            user_name: g("username"),
            user_id: g("user_id"),
            user_domain_name: g("user_domain_name"),
            user_domain_id: g("user_domain_id"),
            password: SecretString::from(password),
            project_name: g("project_name"),
            project_id: g("project_id"),
            project_domain_name: g("project_domain_name"),
            project_domain_id: g("project_domain_id"),
        }
    };
    let interface = g("interface").unwrap_or_else(|| "public".into());
    let interface = interface.trim_end_matches("URL").to_ascii_lowercase();
    if !["public", "internal", "admin"].contains(&interface.as_str()) {
        return Err(usage(format!(
            "{} must be public, internal or admin, got `{interface}`",
            d("interface")
        )));
    }
    Ok(OsAuth {
        auth_url,
        method,
        region: g("region_name"),
        interface,
        source,
    })
}

/// The clouds.yaml files searched, in order.
fn clouds_yaml_paths() -> Vec<PathBuf> {
    if let Some(p) = env_nonempty(env::OS_CLIENT_CONFIG_FILE) {
        return vec![PathBuf::from(p)];
    }
    let mut v = vec![PathBuf::from("clouds.yaml")];
    if let Some(h) = env::user_config_dir() {
        v.push(h.join("openstack").join("clouds.yaml"));
    }
    v.push(PathBuf::from("/etc/openstack/clouds.yaml"));
    v
}

fn yaml_str(v: &serde_yaml_ng::Value) -> Option<String> {
    match v {
        serde_yaml_ng::Value::String(s) => Some(s.clone()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        serde_yaml_ng::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn from_clouds_yaml(cloud: &str) -> anyhow::Result<OsAuth> {
    let paths = clouds_yaml_paths();
    let Some(path) = paths.iter().find(|p| p.is_file()) else {
        return Err(usage(format!(
            "{}={cloud} but no clouds.yaml found (looked at {})",
            env::OS_CLOUD,
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let text = octo_core::config::load_yaml_text(path)?;
    let doc: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&text).map_err(|e| usage(format!("{}: {e}", path.display())))?;
    let entry = doc
        .get("clouds")
        .and_then(|c| c.get(cloud))
        .cloned()
        .ok_or_else(|| usage(format!("{}: no cloud named `{cloud}`", path.display())))?;
    let auth = entry.get("auth").cloned().unwrap_or_default();
    let auth_type = entry.get("auth_type").and_then(yaml_str);
    let e2 = entry.clone();
    let where_ = format!("{} (cloud `{cloud}`)", path.display());
    let w2 = where_.clone();
    let settings = Settings {
        get: Box::new(move |k| {
            let top = matches!(k, "region_name" | "interface");
            let v = if top { e2.get(k) } else { auth.get(k) };
            v.and_then(yaml_str).filter(|s| !s.trim().is_empty())
        }),
        describe: Box::new(move |k| {
            let top = matches!(k, "region_name" | "interface" | "auth_type");
            if top {
                format!("{w2}: `{k}`")
            } else {
                format!("{w2}: `auth.{k}`")
            }
        }),
    };
    build(&settings, auth_type, format!("clouds.yaml {where_}"))
}

fn env_name(k: &str) -> &'static str {
    match k {
        "auth_url" => env::OS_AUTH_URL,
        "auth_type" => env::OS_AUTH_TYPE,
        "username" => env::OS_USERNAME,
        "user_id" => env::OS_USER_ID,
        "password" => env::OS_PASSWORD,
        "user_domain_name" => env::OS_USER_DOMAIN_NAME,
        "user_domain_id" => env::OS_USER_DOMAIN_ID,
        "project_name" => env::OS_PROJECT_NAME,
        "project_id" => env::OS_PROJECT_ID,
        "project_domain_name" => env::OS_PROJECT_DOMAIN_NAME,
        "project_domain_id" => env::OS_PROJECT_DOMAIN_ID,
        "application_credential_id" => env::OS_APPLICATION_CREDENTIAL_ID,
        "application_credential_name" => env::OS_APPLICATION_CREDENTIAL_NAME,
        "application_credential_secret" => env::OS_APPLICATION_CREDENTIAL_SECRET,
        "region_name" => env::OS_REGION_NAME,
        "interface" => env::OS_INTERFACE,
        _ => "OS_?",
    }
}

/// OpenStack auth: `OS_CLOUD` (clouds.yaml) if set, else the `OS_*` environment.
pub fn os_auth() -> anyhow::Result<OsAuth> {
    if let Some(cloud) = env_nonempty(env::OS_CLOUD) {
        return from_clouds_yaml(&cloud);
    }
    let settings = Settings {
        get: Box::new(|k| env_nonempty(env_name(k))),
        describe: Box::new(|k| env_name(k).to_string()),
    };
    build(
        &settings,
        env_nonempty(env::OS_AUTH_TYPE),
        "environment".into(),
    )
}

/// FreshDesk API settings.
#[derive(Clone)]
pub struct FdConfig {
    /// `https://DOMAIN.freshdesk.com` or `FRESHDESK_URL`; the API is under `/api/v2`.
    pub base: Url,
    pub api_key: SecretString,
}

impl fmt::Debug for FdConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FdConfig")
            .field("base", &self.base.as_str())
            .field("api_key", &"[redacted]")
            .finish()
    }
}

/// FreshDesk settings from `FRESHDESK_URL` / `FRESHDESK_DOMAIN` and `FRESHDESK_API_KEY`.
pub fn freshdesk() -> anyhow::Result<FdConfig> {
    freshdesk_from(
        env_nonempty(env::FRESHDESK_URL),
        env_nonempty(env::FRESHDESK_DOMAIN),
        env_nonempty(env::FRESHDESK_API_KEY),
    )
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
            "FreshDesk is not configured: set {} (e.g. dhdnectar.freshdesk.com) or {}",
            env::FRESHDESK_DOMAIN,
            env::FRESHDESK_URL
        )));
    };
    let key = key.ok_or_else(|| usage(format!("{} is not set", env::FRESHDESK_API_KEY)))?;
    Ok(FdConfig {
        base,
        api_key: SecretString::from(key),
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
}

/// Read the `takedown:` section (and its templates) of the config file.
pub fn takedown(explicit: Option<&Path>) -> anyhow::Result<TakedownConfig> {
    let file: Option<ConfigFile> = load_config_file(explicit)?;
    let sec: TakedownSection = match &file {
        Some(f) => f.section("takedown")?.unwrap_or_default(),
        None => TakedownSection::default(),
    };
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
    let lock_reason = sec.lock_reason.unwrap_or_else(|| "security".into());
    if lock_reason.is_empty() || lock_reason.chars().count() > 255 {
        return Err(usage("takedown.lock_reason must be 1 to 255 characters"));
    }
    let portal_url = match &sec.portal_url {
        Some(u) => Some(parse_base_url(u, "takedown.portal_url")?),
        None => None,
    };
    Ok(TakedownConfig {
        group_id: sec.group_id.unwrap_or(6_000_208_874),
        email_config_id: sec.email_config_id.unwrap_or(6_000_071_619),
        status_open: sec.status_open.unwrap_or(2),
        status_relocked: sec.status_relocked.unwrap_or(6),
        status_resolved: sec.status_resolved.unwrap_or(4),
        priority: sec.priority.unwrap_or(4),
        manager_role: sec.manager_role.unwrap_or_else(|| "TenantManager".into()),
        portal_url,
        fallback_email: sec
            .fallback_email
            .unwrap_or_else(|| "no-reply@nectar.org.au".into()),
        lock_reason,
        cloud_name: sec
            .cloud_name
            .unwrap_or_else(|| "Nectar Research Cloud".into()),
        console_lines: sec.console_lines.unwrap_or(500),
        wait_timeout: std::time::Duration::from_secs(sec.wait_timeout_secs.unwrap_or(300)),
        poll_interval: std::time::Duration::from_millis(
            sec.poll_interval_ms.unwrap_or(500).max(50),
        ),
        templates,
        config_path: file.map(|f| f.path),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshdesk_domain_forms() {
        let k = || Some("k".to_string());
        let base = |d: &str| {
            freshdesk_from(None, Some(d.into()), k())
                .unwrap()
                .base
                .to_string()
        };
        assert_eq!(base("dhdnectar"), "https://dhdnectar.freshdesk.com/");
        assert_eq!(
            base("dhdnectar.freshdesk.com"),
            "https://dhdnectar.freshdesk.com/"
        );
        assert_eq!(base("https://x.freshdesk.com/"), "https://x.freshdesk.com/");
        let u = freshdesk_from(
            Some("http://127.0.0.1:9/".into()),
            Some("ignored".into()),
            k(),
        )
        .unwrap();
        assert_eq!(u.base.as_str(), "http://127.0.0.1:9/");
        assert!(format!("{u:?}").contains("[redacted]"));
        let e = freshdesk_from(None, None, k()).unwrap_err();
        assert_eq!(octo_core::exit::code_for(&e), octo_core::Exit::Usage);
        let e = freshdesk_from(None, Some("d".into()), None).unwrap_err();
        assert!(e.to_string().contains("FRESHDESK_API_KEY"));
    }

    #[test]
    fn auth_url_gets_v3_and_debug_redacts() {
        assert_eq!(v3_url("https://ks:5000", "x").unwrap().path(), "/v3");
        assert_eq!(
            v3_url("https://ks:5000/identity/v3/", "x").unwrap().path(),
            "/identity/v3"
        );
        let s = Settings {
            get: Box::new(|k| match k {
                "auth_url" => Some("https://ks/".into()),
                "application_credential_id" => Some("id".into()),
                "application_credential_secret" => Some("hush-secret".into()),
                _ => None,
            }),
            describe: Box::new(|k| k.to_string()),
        };
        let a = build(&s, None, "test".into()).unwrap();
        assert!(matches!(a.method, OsMethod::AppCredential { .. }));
        assert_eq!(a.interface, "public");
        assert!(!format!("{a:?}").contains("hush-secret"));
        let s = Settings {
            get: Box::new(|k| (k == "auth_url").then(|| "https://ks/".to_string())),
            describe: Box::new(|k| format!("OS_{}", k.to_uppercase())),
        };
        let e = build(&s, None, "test".into()).err().unwrap();
        assert!(e.to_string().contains("OS_PASSWORD is not set"), "{e}");
    }
}
