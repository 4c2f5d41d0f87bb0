//! The response tools' sections of octo.yml: loading one section (`quarantine:`, `ipblocker:`,
//! `notify:`) from the file found via `--config`, `OCTO_CONFIG` or the default location. Each
//! section's type lives in its tool; an OCTOBOX `octo_conf.yml` works unchanged. Unknown keys,
//! wrong types and unknown event types are configuration errors (exit 2) naming the key and line.

use octo_core::config::ConfigFile;
use octo_core::exit::usage;

/// `true`, for `#[serde(default = "octo_response::config::default_true")]`.
pub fn default_true() -> bool {
    true
}

/// Load one section from the config file found via `--config`, `OCTO_CONFIG` or the default
/// location. `what` is the section name used in messages.
pub fn load_section<T: serde::de::DeserializeOwned>(
    explicit: Option<&std::path::Path>,
    name: &str,
) -> anyhow::Result<(Option<T>, Option<std::path::PathBuf>)> {
    match octo_core::config::load_config_file(explicit)? {
        Some(f) => Ok((f.section::<T>(name)?, Some(f.path))),
        None => Ok((None, None)),
    }
}

/// Like [`load_section`], but the section must exist.
pub fn require_section<T: serde::de::DeserializeOwned>(
    explicit: Option<&std::path::Path>,
    name: &str,
) -> anyhow::Result<(T, std::path::PathBuf)> {
    let file = octo_core::config::load_config_file(explicit)?.ok_or_else(|| {
        usage(format!(
            "no config file: pass --config FILE or set OCTO_CONFIG (a `{name}:` section is needed)"
        ))
    })?;
    section_of(&file, name)
}

/// The section `name` of a loaded file, which must exist.
pub fn section_of<T: serde::de::DeserializeOwned>(
    file: &ConfigFile,
    name: &str,
) -> anyhow::Result<(T, std::path::PathBuf)> {
    match file.section::<T>(name)? {
        Some(s) => Ok((s, file.path.clone())),
        None => Err(usage(format!(
            "{}: no `{name}:` section",
            file.path.display()
        ))),
    }
}
