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

mod halo;
mod process;
mod yaml;
pub use halo::*;
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

/// The section `name` of `text` read as a file `octo.yml`, or the error as a tool prints it
/// (`{:#}`): for the tests of each tool's section.
#[doc(hidden)]
pub fn section_of<T: serde::de::DeserializeOwned>(
    text: &str,
    name: &str,
) -> Result<Option<T>, String> {
    ConfigFile::parse("octo.yml".into(), text.to_string())
        .and_then(|f| f.section(name))
        .map_err(|e| format!("{e:#}"))
}

/// A serde message with the URL passwords hidden in the strings it quotes (`invalid type:
/// string "https://k:PASS@h", expected …`): a value in the wrong place is echoed by the parser.
pub fn redact_quoted_strings(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(i) = rest.find("string \"") {
        let from = i + "string \"".len();
        out.push_str(&rest[..from]);
        // serde quotes the string as Rust's Debug does: `\"` inside is not its end
        let (quoted, after) = match closing_quote(&rest[from..]) {
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

/// Where a Debug-quoted string (after its opening `"`) ends: the first `"` not escaped.
fn closing_quote(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
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

/// Slack's Web API, for the tools that post (slack-notify, octo-bot), when nothing else is set.
pub const SLACK_API_URL_DEFAULT: &str = "https://slack.com/api";

/// A Slack API base URL setting, checked as [`parse_base_url`] checks it (for [`resolve_checked`]).
pub fn check_slack_api_url(v: String) -> Result<String, String> {
    parse_base_url(&v, "Slack API URL")
        .map(|u| u.to_string())
        .map_err(|e| format!("{e:#}"))
}

/// The Slack API base URL of slack-notify and octo-bot: `flag` (name, value) > `SLACK_API_URL` >
/// `file` (the tool's `api_url` key) > [`SLACK_API_URL_DEFAULT`], checked by
/// [`check_slack_api_url`] wherever it came from.
pub fn resolve_slack_api_url(
    lookup: Lookup<'_>,
    flag: (&'static str, Option<String>),
    file: (Option<&ConfigFile>, &str, Option<String>),
) -> anyhow::Result<Setting<Url>> {
    let s = resolve_checked(
        lookup,
        flag,
        Some(env::SLACK_API_URL),
        file,
        SLACK_API_URL_DEFAULT.to_string(),
        check_slack_api_url,
    )?;
    Ok(Setting {
        value: Url::parse(&s.value).map_err(|e| usage(format!("{e}")))?,
        source: s.source,
    })
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

/// Hide user:password in a URL (for proxies given as `http://user:pw@host:port`).
pub fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("redacted");
            let _ = u.set_password(None);
            u.to_string()
        }
        // A URL with an authority and no userinfo: an `@` in its path or query is not a secret,
        // unless it ends a `name:secret@` (`https://h://u:PASS@x` parses with host `h` and the
        // password in its path; found by make fuzz): then the text rule hides it.
        Ok(u) if !u.cannot_be_a_base() => {
            let after_host = &u[url::Position::AfterPort..];
            if matches!(
                redact_userinfo_in_path(after_host),
                std::borrow::Cow::Owned(_)
            ) {
                redact_url_text(raw)
            } else {
                u.to_string()
            }
        }
        // `k:secret@host` parses as a scheme `k` with an opaque path: no userinfo to clear, so
        // the text rule applies, as to any text that is not a URL.
        _ => redact_url_text(raw),
    }
}

/// A URL's path and query with every `name:secret@` in a segment (a password that ended up
/// outside the authority: `https://h://u:PASS@x` parses with host `h`) as `redacted@`.
/// Allocates only when there is something to hide (every request's error target passes here).
pub fn redact_userinfo_in_path(text: &str) -> std::borrow::Cow<'_, str> {
    let hides = |segment: &str| matches!((segment.find(':'), segment.rfind('@')), (Some(c), Some(a)) if c < a);
    if !text.contains('@') || !text.split('/').any(hides) {
        return std::borrow::Cow::Borrowed(text);
    }
    let shown: Vec<String> = text
        .split('/')
        .map(|segment| match segment.rfind('@') {
            Some(a) if hides(segment) => format!("redacted{}", &segment[a..]),
            _ => segment.to_string(),
        })
        .collect();
    std::borrow::Cow::Owned(shown.join("/"))
}

/// The text of a URL with everything between its scheme (`…://`, when there is one) and its last
/// `@` replaced by `redacted`, without parsing it: for messages about URLs that do not parse
/// (`http://k:PASS@[::1` → `http://redacted@[::1`). Where a broken URL's authority ends cannot be
/// known (`ftp://a:x//b:PASS@h`, `https//u:PASS@h`), so this hides too much rather than too little.
/// Every message that echoes a URL a user gave goes through here (or [`redact_url`]).
pub fn redact_url_text(raw: &str) -> String {
    let is_scheme_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.');
    // The scheme is the run of scheme characters right before the first `://` (from its first
    // letter); text before it (`portal_url:"ftp://…` in a YAML value) is hidden like a URL
    // without a scheme, as it may be the rest of a broken authority.
    let Some(sep) = raw.find("://") else {
        return redact_authority_text("", raw);
    };
    let run = raw[..sep]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_scheme_char(*c))
        .last()
        .map_or(sep, |(i, _)| i);
    let start = raw[run..sep]
        .find(|c: char| c.is_ascii_alphabetic())
        .map_or(sep, |i| run + i);
    let head = if start == 0 {
        String::new()
    } else {
        redact_authority_text("", &raw[..start])
    };
    head + &redact_authority_text(&raw[start..sep + 3], &raw[sep + 3..])
}

/// `scheme` (`https://`, or empty) then `rest` with everything up to its last `@` hidden, or,
/// without an `@`, what follows a `:` of the authority that is not a port.
fn redact_authority_text(scheme: &str, rest: &str) -> String {
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
        _ => format!("{scheme}{rest}"),
    }
}

#[cfg(test)]
mod tests;
