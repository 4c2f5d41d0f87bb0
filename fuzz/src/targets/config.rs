//! YAML the tools read: octo.yml / OCTOBOX octo_conf.yml (the loader and every tool's section),
//! the Halo settings resolved with the environment (URLs with credentials), slack-notify route
//! files, and nesting deep enough to make a YAML parser slow.

use std::collections::BTreeMap;
use std::path::Path;

use arbitrary::{Result, Unstructured};
use octo_core::config::{ConfigFile, HaloArgs, HaloFileSection, Source, check_yaml_shape};
use serde_json::{Map, Value, json};

use crate::input::{self, Shape};

/// The name config files get in these targets (errors must name it).
pub const CONFIG_PATH: &str = "fuzz-octo.yml";
/// The name route files get.
pub const ROUTES_PATH: &str = "fuzz-routes.yml";

/// YAML pieces that stress a parser: anchors and aliases, tags, merge keys, complex keys,
/// document markers, flow collections.
pub const YAML_TOKENS: &[&str] = &[
    "&a ",
    "*a",
    "<<: *a\n",
    "!!str ",
    "!!binary ",
    "!custom ",
    "? ",
    "---\n",
    "...\n",
    "[",
    "]",
    "{",
    "}",
    "- ",
    "  ",
    "\n  ",
    ": ",
    "|\n  ",
    ">-\n  ",
    "%YAML 1.1\n",
    "\"\\u0000\"",
];

const SECTION_KEYS: &[(&str, &[&str])] = &[
    (
        "halo",
        &[
            "api_url",
            "hostname",
            "port",
            "max_rps",
            "max_in_flight",
            "timeout_secs",
        ],
    ),
    (
        "quarantine",
        &[
            "enabled",
            "trigger_group_names",
            "quarantine_group_name",
            "trigger_events",
            "trigger_only_on_critical",
            "max_moves_per_run",
        ],
    ),
    (
        "ipblocker",
        &[
            "enabled",
            "ip_zone_name",
            "trigger_events",
            "trigger_only_on_critical",
            "block_for",
            "never_block",
            "max_zone_entries",
        ],
    ),
    ("notify", &["channel", "suppress_events", "critical_only"]),
    (
        "takedown",
        &[
            "group_id",
            "email_config_id",
            "priority",
            "manager_role",
            "portal_url",
            "fallback_email",
            "lock_reason",
            "cloud_name",
            "console_lines",
            "wait_timeout_secs",
            "poll_interval_ms",
            "templates",
        ],
    ),
];

const VALUE_WORDS: &[&str] = &[
    "lids_rule_failed",
    "sca_rule_failed",
    "Lids_Rule_Failed",
    "Quarantine",
    "q-test",
    "1h",
    "100000000d",
    "0",
    "never",
    "10.0.0.0/8",
    "::ffff:10.0.0.0/104",
    "2001:db8::/129",
    "yes",
    "no",
    "on",
    "off",
    "Yes",
    "maybe",
    "http://",
    "https://",
    "127.0.0.1",
    "[::1",
    "api.example",
    ":443",
    "/v1",
    "#halo",
    "1e-300",
    "1e300",
];

/// A password that must never be printed, whatever else happens.
pub const SECRET: &str = "Pw5ecretFuzz";

/// A URL with the password in its userinfo (sometimes broken after the userinfo).
pub(crate) fn url_with_secret(u: &mut Unstructured<'_>) -> Result<String> {
    let scheme = input::pick(u, &["http://", "https://", "ftp://", "HTTP://", ""])?;
    let user = input::pick(u, &["k", "user", "", "a%40b"])?;
    let host = input::pick(
        u,
        &[
            "[::1",
            "[::1]",
            "127.0.0.1:8080",
            "host:99999",
            "h@x",
            "",
            "ex ample",
            "api.example/v1?x=1",
        ],
    )?;
    let rest = input::text(u, &["/", ":", "?", "#", "[", "]", "%zz"])?;
    Ok(format!("{scheme}{user}:{SECRET}@{host}{rest}"))
}

/// A config document, the environment it is resolved with, and a route file.
#[derive(Debug, Clone)]
pub struct ConfigCase {
    pub yaml: String,
    pub env: BTreeMap<String, String>,
}

fn section_value(u: &mut Unstructured<'_>, keys: &[&str]) -> Result<Value> {
    let mut m = Map::new();
    for _ in 0..u.int_in_range(0..=keys.len() + 1)? {
        let key = if u.ratio(1, 10)? {
            input::text(u, &[])?
        } else {
            input::pick(u, keys)?.to_string()
        };
        let v = match u.int_in_range(0..=6)? {
            0 => json!(input::pick(u, VALUE_WORDS)?),
            1 => json!([input::pick(u, VALUE_WORDS)?, input::pick(u, VALUE_WORDS)?]),
            2 => input::number(u)?,
            3 => json!(u.arbitrary::<bool>()?),
            4 if matches!(key.as_str(), "api_url" | "portal_url") => json!(url_with_secret(u)?),
            _ => input::json(
                u,
                Shape {
                    keys,
                    words: VALUE_WORDS,
                },
                1,
            )?,
        };
        m.insert(key, v);
    }
    Ok(Value::Object(m))
}

pub fn gen_config(u: &mut Unstructured<'_>) -> Result<ConfigCase> {
    let mut doc = Map::new();
    for _ in 0..u.int_in_range(0..=4)? {
        let (name, keys) = *u.choose(SECTION_KEYS)?;
        doc.insert(name.to_string(), section_value(u, keys)?);
    }
    let doc = match u.int_in_range(0..=9)? {
        0 => json!([doc]),
        1 => json!(input::text(u, VALUE_WORDS)?),
        _ => Value::Object(doc),
    };
    let mut yaml = input::yaml(u, &doc, YAML_TOKENS)?;
    if u.ratio(1, 10)? {
        yaml.insert(0, '\u{feff}');
    }
    let mut env = BTreeMap::new();
    for var in [
        "HALO_API_URL",
        "HALO_API_HOSTNAME",
        "HALO_API_PORT",
        "HALO_MAX_RPS",
        "HALO_CONCURRENCY",
        "HALO_TIMEOUT",
        "HTTPS_PROXY",
        "HALO_API_KEY",
        "HALO_API_SECRET_KEY",
    ] {
        if u.ratio(1, 5)? {
            let v = match u.int_in_range(0..=2)? {
                0 if matches!(var, "HALO_API_URL" | "HTTPS_PROXY") => url_with_secret(u)?,
                _ => input::text(u, VALUE_WORDS)?,
            };
            env.insert(var.to_string(), v);
        }
    }
    Ok(ConfigCase { yaml, env })
}

/// Whether `s` shows [`SECRET`] where `raw` had it as a URL password.
///
/// A YAML error may name a key it refuses (`unknown field `…``, `duplicate entry with key "…"`):
/// when the mutated text put the password where a key goes, naming that key is not a leak of a
/// value, so those quotations are left out of the check.
pub(crate) fn leaks(s: &str) -> bool {
    let mut rest = s.to_string();
    for (open, close) in [
        ("unknown field `", '`'),
        ("duplicate entry with key \"", '"'),
    ] {
        while let Some(i) = rest.find(open) {
            let from = i + open.len();
            let to = rest[from..].find(close).map_or(rest.len(), |j| from + j);
            rest.replace_range(i..to, "");
        }
    }
    rest.contains(SECRET)
}

/// A config file loads or is refused with a message naming the file; so does each tool's section
/// (an OCTOBOX file works unchanged); the Halo settings resolved from file and environment are in
/// range, and no message and no `doctor` report shows a URL's password.
pub fn check_config(c: &ConfigCase) {
    let path = Path::new(CONFIG_PATH);
    let prefix = format!("{CONFIG_PATH}: ");
    let file = match ConfigFile::parse(path.to_path_buf(), c.yaml.clone()) {
        Ok(f) => f,
        Err(e) => {
            let msg = format!("{e:#}");
            assert!(
                msg.starts_with(&prefix),
                "error does not name the file: {msg}"
            );
            assert!(!leaks(&msg), "password printed: {msg}");
            return;
        }
    };
    let named = |r: anyhow::Result<()>| {
        if let Err(e) = r {
            let msg = format!("{e:#}");
            assert!(
                msg.starts_with(&prefix),
                "error does not name the file: {msg}"
            );
            assert!(!leaks(&msg), "password printed: {msg}");
        }
    };
    named(file.section::<HaloFileSection>("halo").map(drop));
    named(
        file.section::<quarantine::rules::QuarantineRules>("quarantine")
            .map(drop),
    );
    named(
        file.section::<ipblock::rules::IpblockerRules>("ipblocker")
            .map(drop),
    );
    named(
        file.section::<slack_notify::rules::NotifyRules>("notify")
            .map(drop),
    );
    named(
        file.section::<sec_takedown::config::TakedownSection>("takedown")
            .map(drop),
    );

    let env = c.env.clone();
    let lookup = move |k: &str| env.get(k).filter(|v| !v.trim().is_empty()).cloned();
    match HaloArgs::default().resolve_from((Some(file), Source::Flag("--config")), &lookup) {
        Ok(cfg) => {
            assert!(cfg.max_rps.is_finite() && cfg.max_rps >= 0.0);
            assert!((1..=256).contains(&cfg.max_in_flight));
            assert!((1..=86_400).contains(&cfg.timeout.as_secs()));
            assert!(matches!(cfg.base_url.scheme(), "http" | "https"));
            let report = cfg.report().to_string();
            assert!(!leaks(&report), "password in the doctor report: {report}");
            let debug = format!("{cfg:?}");
            assert!(!leaks(&debug), "password in the config's Debug: {debug}");
        }
        Err(e) => {
            let msg = format!("{e:#}");
            assert!(!leaks(&msg), "password printed: {msg}");
        }
    }
}

/// A slack-notify route file.
#[derive(Debug, Clone)]
pub struct RouteCase {
    pub yaml: String,
    /// The document before mutation, when the text is exactly it.
    pub doc: Option<Value>,
}

const ROUTE_KEYS: &[&str] = &["key_name", "vpc_id", "aws_region", "aws_account", "channel"];

pub fn gen_routes(u: &mut Unstructured<'_>) -> Result<RouteCase> {
    let mut routes = Vec::new();
    for _ in 0..u.int_in_range(0..=4)? {
        let mut rule = Map::new();
        for _ in 0..u.int_in_range(1..=3)? {
            let k = input::pick(u, ROUTE_KEYS)?;
            let v = match u.int_in_range(0..=3)? {
                0 => json!(u.arbitrary::<u32>()?),
                1 => json!(input::text(u, &[])?),
                _ => json!(input::pick(
                    u,
                    &[
                        "ops",
                        "#ops",
                        "net-team",
                        "eu-west-1",
                        "012345678901",
                        " ",
                        "a b",
                        "#"
                    ]
                )?),
            };
            rule.insert(k.to_string(), v);
        }
        routes.push(Value::Object(rule));
    }
    let mut doc = Map::new();
    doc.insert("routes".into(), Value::Array(routes));
    if u.arbitrary()? {
        doc.insert(
            "default".into(),
            json!(input::pick(u, &["halo", "", "#", "a b"])?),
        );
    }
    if u.ratio(1, 10)? {
        doc.insert(input::text(u, &[])?, json!(1));
    }
    let doc = Value::Object(doc);
    let text = if u.arbitrary()? {
        serde_yaml_ng::to_string(&doc).unwrap_or_default()
    } else {
        doc.to_string()
    };
    Ok(if u.ratio(1, 2)? {
        RouteCase {
            yaml: input::mutate_text(u, &text, YAML_TOKENS)?,
            doc: None,
        }
    } else {
        RouteCase {
            yaml: text,
            doc: Some(doc),
        }
    })
}

/// A route file read as `--route` reads it (BOM dropped, shape checked, then parsed) loads or is
/// refused naming the file; a valid file routes a record carrying its first `key_name` rule's
/// value to that rule's channel.
pub fn check_routes(c: &RouteCase) {
    let path = Path::new(ROUTES_PATH);
    let text = c.yaml.strip_prefix('\u{feff}').unwrap_or(&c.yaml);
    if check_yaml_shape(text).is_err() {
        return;
    }
    let routes = match slack_notify::route::Routes::parse(path, text) {
        Ok(r) => r,
        Err(e) => {
            let msg = format!("{e:#}");
            assert!(
                msg.starts_with(&format!("{ROUTES_PATH}: ")),
                "error does not name the file: {msg}"
            );
            return;
        }
    };
    let Some(doc) = &c.doc else { return };
    let first = doc["routes"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|r| {
            let v = r.get("key_name")?.as_str()?;
            // a channel written as a YAML integer is its digits (`channel: 2397308565`); other
            // non-string channels have no one text to expect
            let channel = match &r["channel"] {
                Value::String(s) => Some(s.trim().to_string()),
                Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
                _ => None,
            };
            Some((v.trim().to_string(), channel))
        });
    if let Some((value, Some(channel))) = first {
        let mut rec = Map::new();
        rec.insert("key_name".into(), json!(value));
        assert_eq!(routes.channel_for(&rec), Some(channel.as_str()));
    }
}

/// Text nested deep in one of the ways YAML nests.
#[derive(Debug, Clone)]
pub struct DeepCase {
    pub yaml: String,
}

pub fn gen_deep(u: &mut Unstructured<'_>) -> Result<DeepCase> {
    let open = input::pick(
        u,
        &["[", "{a: ", "- ", "a:\n", "? ", "[{", "&x [", "!!seq ["],
    )?;
    let times = *u.choose(&[10usize, 63, 64, 65, 1000, 100_000])?;
    let mut yaml = String::from("halo:\n  ");
    let mut indent = String::from("  ");
    for _ in 0..times {
        if yaml.len() > crate::harness::MAX_INPUT {
            break;
        }
        yaml.push_str(open);
        if open.ends_with('\n') {
            indent.push_str("  ");
            yaml.push_str(&indent);
        }
    }
    yaml.push_str(&input::text(u, YAML_TOKENS)?);
    Ok(DeepCase { yaml })
}

/// Deep nesting is refused before parsing (naming the file and line) or parsed quickly — the
/// harness fails any case slower than its limit.
pub fn check_deep(c: &DeepCase) {
    if let Err(e) = ConfigFile::parse(CONFIG_PATH.into(), c.yaml.clone()) {
        let msg = format!("{e:#}");
        assert!(msg.starts_with(&format!("{CONFIG_PATH}: ")), "{msg}");
    }
    if check_yaml_shape(&c.yaml).is_ok() {
        let _ = slack_notify::route::Routes::parse(Path::new(ROUTES_PATH), &c.yaml);
    }
}
