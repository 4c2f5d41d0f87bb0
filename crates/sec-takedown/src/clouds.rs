//! OpenStack settings as openstackclient takes them: the cloud named by `--os-cloud` or
//! `OS_CLOUD` from clouds.yaml, with secure.yaml merged over it key by key, then each `OS_*`
//! variable overriding one field of it. Every field keeps where it came from
//! ([`octo_core::config::Source`]), for errors and `doctor`.
//!
//! Files are searched as os-client-config does: `$OS_CLIENT_CONFIG_FILE` (secure.yaml:
//! `$OS_CLIENT_SECURE_FILE`) first, then `clouds.{yaml,yml,json}` in the working directory,
//! `$XDG_CONFIG_HOME/openstack` (default `~/.config/openstack`) and `/etc/openstack`; the first
//! file that exists is read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use octo_core::config::Source;
use octo_core::env;
use octo_core::exit::usage;
use serde_yaml_ng::Value;

/// One field of the cloud: its clouds.yaml key (under `auth:` unless `top`) and its variable.
pub struct Field {
    pub key: &'static str,
    pub var: &'static str,
    pub top: bool,
}

const fn f(key: &'static str, var: &'static str, top: bool) -> Field {
    Field { key, var, top }
}

/// Every field sec-takedown reads, in `doctor` order.
pub const FIELDS: &[Field] = &[
    f("auth_type", env::OS_AUTH_TYPE, true),
    f("auth_url", env::OS_AUTH_URL, false),
    f("username", env::OS_USERNAME, false),
    f("user_id", env::OS_USER_ID, false),
    f("password", env::OS_PASSWORD, false),
    f("user_domain_name", env::OS_USER_DOMAIN_NAME, false),
    f("user_domain_id", env::OS_USER_DOMAIN_ID, false),
    f("project_name", env::OS_PROJECT_NAME, false),
    f("project_id", env::OS_PROJECT_ID, false),
    f("project_domain_name", env::OS_PROJECT_DOMAIN_NAME, false),
    f("project_domain_id", env::OS_PROJECT_DOMAIN_ID, false),
    f(
        "application_credential_id",
        env::OS_APPLICATION_CREDENTIAL_ID,
        false,
    ),
    f(
        "application_credential_name",
        env::OS_APPLICATION_CREDENTIAL_NAME,
        false,
    ),
    f(
        "application_credential_secret",
        env::OS_APPLICATION_CREDENTIAL_SECRET,
        false,
    ),
    f("token", env::OS_TOKEN, false),
    f("region_name", env::OS_REGION_NAME, true),
    f("interface", env::OS_INTERFACE, true),
    f("cacert", env::OS_CACERT, true),
];

/// Fields whose values are secrets (never printed).
pub fn is_secret(key: &str) -> bool {
    matches!(key, "password" | "application_credential_secret" | "token")
}

/// The field `key` (one of [`FIELDS`]).
pub fn field(key: &str) -> &'static Field {
    FIELDS.iter().find(|f| f.key == key).unwrap_or(&FIELDS[0])
}

/// A value and where it came from. `Debug` never shows a value: secrets live here.
#[derive(Clone)]
pub struct Val {
    pub value: String,
    pub source: Source,
}

impl std::fmt::Debug for Val {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Val")
            .field("value", &format_args!("({} bytes)", self.value.len()))
            .field("source", &self.source)
            .finish()
    }
}

/// The merged settings of one run.
#[derive(Clone, Debug, Default)]
pub struct Cloud {
    /// The cloud's name and where it was chosen (`flag --os-cloud`, `env OS_CLOUD`).
    pub name: Option<(String, Source)>,
    /// The clouds.yaml and secure.yaml read (when a cloud was named and they exist).
    pub files: Vec<PathBuf>,
    pub values: BTreeMap<&'static str, Val>,
}

impl Cloud {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(|v| v.value.as_str())
    }

    /// How to set a field that is missing: `OS_PASSWORD`, or with a cloud
    /// `OS_PASSWORD or auth.password of cloud `sim``.
    pub fn describe(&self, key: &str) -> String {
        let fl = field(key);
        if let Some(v) = self.values.get(key) {
            return v.source.to_string();
        }
        match &self.name {
            None => fl.var.to_string(),
            Some((name, _)) => format!(
                "{} (or `{}{}` of cloud `{name}`)",
                fl.var,
                if fl.top { "" } else { "auth." },
                fl.key
            ),
        }
    }
}

/// The candidate files `stem.{yaml,yml,json}`: `$override_var` first, then the working
/// directory, the user's and the site's openstack directories.
pub fn search_path(stem: &str, override_var: &'static str) -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::new()];
    if let Some(h) = env::user_config_dir() {
        dirs.push(h.join("openstack"));
    }
    dirs.push(PathBuf::from("/etc/openstack"));
    let mut v: Vec<PathBuf> = env::path_nonempty(override_var).into_iter().collect();
    for d in dirs {
        for ext in ["yaml", "yml", "json"] {
            v.push(d.join(format!("{stem}.{ext}")));
        }
    }
    v
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
    .filter(|s| !s.trim().is_empty())
}

/// Merge the entry of `cloud` in `text` (the contents of the clouds.yaml or secure.yaml at
/// `path`) into `values`, over what is there; whether the file has that cloud. Public for the
/// fuzz targets (octo-fuzz).
pub fn merge_file(
    values: &mut BTreeMap<&'static str, Val>,
    text: &str,
    path: &Path,
    cloud: &str,
) -> anyhow::Result<bool> {
    let doc: Value =
        serde_yaml_ng::from_str(text).map_err(|e| usage(format!("{}: {e}", path.display())))?;
    match doc.get("clouds").and_then(|c| c.get(cloud)) {
        Some(entry) => {
            take(values, entry, path, cloud);
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Put the fields of one cloud entry into `values` (over what is there).
fn take(values: &mut BTreeMap<&'static str, Val>, entry: &Value, path: &Path, cloud: &str) {
    for fl in FIELDS {
        let v = if fl.top {
            entry.get(fl.key)
        } else {
            entry.get("auth").and_then(|a| a.get(fl.key))
        };
        if let Some(value) = v.and_then(scalar) {
            let key = format!(
                "clouds.{cloud}.{}{}",
                if fl.top { "" } else { "auth." },
                fl.key
            );
            values.insert(
                fl.key,
                Val {
                    value: value.trim().to_string(),
                    source: Source::File {
                        path: path.to_path_buf(),
                        key,
                    },
                },
            );
        }
    }
}

/// The settings: the named cloud's (flag `--os-cloud`, else `OS_CLOUD`) from clouds.yaml with
/// secure.yaml over it, then every `OS_*` variable that is set over those.
pub fn load(flag_cloud: Option<&str>) -> anyhow::Result<Cloud> {
    let name = match flag_cloud.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => Some((c.to_string(), Source::Flag("--os-cloud"))),
        None => env::var_nonempty(env::OS_CLOUD)
            .map(|c| (c.trim().to_string(), Source::Env(env::OS_CLOUD))),
    };
    let mut out = Cloud {
        name: name.clone(),
        ..Cloud::default()
    };
    if let Some((cloud, _)) = &name {
        let clouds = search_path("clouds", env::OS_CLIENT_CONFIG_FILE);
        let secure = search_path("secure", env::OS_CLIENT_SECURE_FILE);
        let mut found = false;
        for list in [&clouds, &secure] {
            let Some(path) = list.iter().find(|p| p.is_file()) else {
                continue;
            };
            out.files.push(path.clone());
            let text = octo_core::config::load_yaml_text(path)?;
            found |= merge_file(&mut out.values, &text, path, cloud)?;
        }
        if !found {
            let show = |v: &[PathBuf]| {
                v.iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let read = if out.files.is_empty() {
                "none of them exists".to_string()
            } else {
                format!("read {}", show(&out.files))
            };
            return Err(usage(format!(
                "cloud `{cloud}` ({}) is defined in no clouds.yaml or secure.yaml (searched {}; {}; {read})",
                name.as_ref().map(|n| n.1.to_string()).unwrap_or_default(),
                show(&clouds),
                show(&secure),
            )));
        }
    }
    for fl in FIELDS {
        if let Some(v) = env::var_nonempty(fl.var) {
            out.values.insert(
                fl.key,
                Val {
                    value: v.trim().to_string(),
                    source: Source::Env(fl.var),
                },
            );
        }
    }
    Ok(out)
}
