//! sec-takedown's OpenStack credentials: a clouds.yaml and a secure.yaml (as openstackclient
//! reads them) merged for one cloud, then turned into Keystone settings. Every refusal names its
//! file or field; no message and no `Debug` shows a password, a secret or a URL's password.

use std::collections::BTreeMap;
use std::path::Path;

use arbitrary::{Result, Unstructured};
use serde_json::{Map, Value, json};

use super::config::{SECRET, YAML_TOKENS, leaks, url_with_secret};
use crate::input::{self, Shape};

pub const CLOUDS_PATH: &str = "fuzz-clouds.yaml";
pub const SECURE_PATH: &str = "fuzz-secure.yaml";

const AUTH_KEYS: &[&str] = &[
    "auth_url",
    "username",
    "user_id",
    "password",
    "user_domain_name",
    "user_domain_id",
    "project_name",
    "project_id",
    "project_domain_name",
    "project_domain_id",
    "application_credential_id",
    "application_credential_name",
    "application_credential_secret",
    "token",
];
const TOP_KEYS: &[&str] = &["auth_type", "region_name", "interface", "cacert", "auth"];
const WORDS: &[&str] = &[
    "password",
    "v3password",
    "v3applicationcredential",
    "token",
    "v3token",
    "kerberos",
    "public",
    "internal",
    "admin",
    "private",
    "RegionOne",
    "Default",
    "admin",
    "secops",
    "http://127.0.0.1:5000/v3",
    "https://keystone.example:5000",
    "http://[::1",
    "/identity",
    "",
    " ",
    "0",
];

/// The two files and the cloud asked for.
#[derive(Debug, Clone)]
pub struct CloudsCase {
    pub cloud: String,
    pub clouds: String,
    pub secure: Option<String>,
}

fn entry(u: &mut Unstructured<'_>) -> Result<Value> {
    let mut auth = Map::new();
    for _ in 0..u.int_in_range(0..=AUTH_KEYS.len())? {
        let key = input::pick(u, AUTH_KEYS)?;
        let v = match u.int_in_range(0..=7)? {
            0 | 1 if matches!(key, "password" | "application_credential_secret" | "token") => {
                json!(SECRET)
            }
            2 if key == "auth_url" => json!(url_with_secret(u)?),
            3 => input::number(u)?,
            4 => json!([input::pick(u, WORDS)?]),
            5 => json!(u.arbitrary::<bool>()?),
            _ => json!(input::pick(u, WORDS)?),
        };
        auth.insert(key.to_string(), v);
    }
    let mut m = Map::new();
    m.insert("auth".into(), Value::Object(auth));
    for _ in 0..u.int_in_range(0..=3)? {
        let key = input::pick(u, TOP_KEYS)?;
        let v = if u.ratio(1, 4)? {
            input::json(
                u,
                Shape {
                    keys: AUTH_KEYS,
                    words: WORDS,
                },
                1,
            )?
        } else {
            json!(input::pick(u, WORDS)?)
        };
        m.insert(key.to_string(), v);
    }
    Ok(Value::Object(m))
}

fn file(u: &mut Unstructured<'_>, cloud: &str) -> Result<String> {
    let doc = match u.int_in_range(0..=9)? {
        0 => json!([cloud]),
        1 => json!({"clouds": input::pick(u, WORDS)?}),
        2 => json!({"clouds": {"other": entry(u)?}}),
        _ => json!({"clouds": {cloud: entry(u)?}}),
    };
    let mut yaml = input::yaml(u, &doc, YAML_TOKENS)?;
    if u.ratio(1, 10)? {
        yaml.insert(0, '\u{feff}');
    }
    Ok(yaml)
}

pub fn gen_clouds(u: &mut Unstructured<'_>) -> Result<CloudsCase> {
    let cloud = input::pick(u, &["sim", "prod", "a b", "0"])?.to_string();
    let clouds = file(u, &cloud)?;
    let secure = if u.ratio(1, 2)? {
        Some(file(u, &cloud)?)
    } else {
        None
    };
    Ok(CloudsCase {
        cloud,
        clouds,
        secure,
    })
}

fn assert_quiet(what: &str, text: &str) {
    assert!(!leaks(text), "a secret ({SECRET}) in {what}: {text}");
}

/// The files merge (or are refused naming the file), the merged cloud becomes Keystone settings
/// (or a refusal naming the field and where to set it), and nothing shows a secret.
pub fn check_clouds(c: &CloudsCase) {
    use octo_core::config::check_yaml_shape;
    use sec_takedown::clouds::{Cloud, merge_file};
    let mut cloud = Cloud {
        name: Some((
            c.cloud.clone(),
            octo_core::config::Source::Flag("--os-cloud"),
        )),
        ..Cloud::default()
    };
    let mut values = BTreeMap::new();
    let mut found = false;
    for (path, text) in [
        (CLOUDS_PATH, Some(&c.clouds)),
        (SECURE_PATH, c.secure.as_ref()),
    ] {
        let Some(text) = text else { continue };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let merged = check_yaml_shape(text)
            .map_err(|e| anyhow::anyhow!("{path}: {e}"))
            .and_then(|()| merge_file(&mut values, text, Path::new(path), &c.cloud));
        match merged {
            Ok(f) => found |= f,
            Err(e) => {
                let msg = format!("{e:#}");
                assert!(
                    msg.starts_with(&format!("{path}: ")),
                    "the file is not named: {msg}"
                );
                assert_quiet("a file's error", &msg);
                return;
            }
        }
    }
    cloud.values = values;
    assert_quiet("the cloud's Debug", &format!("{cloud:?}"));
    if !found {
        return;
    }
    match sec_takedown::config::build(&cloud) {
        Ok(auth) => {
            assert_quiet("the settings' Debug", &format!("{auth:?}"));
            assert!(auth.auth_url.path().ends_with("/v3"), "{}", auth.auth_url);
            assert!(matches!(
                auth.interface.as_str(),
                "public" | "internal" | "admin"
            ));
        }
        Err(e) => assert_quiet("a refusal", &format!("{e:#}")),
    }
}
