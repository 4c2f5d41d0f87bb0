//! YAML as every tool reads it (octo.yml, clouds.yaml, route files): read once per process,
//! size and depth capped before parsing, a UTF-8 BOM dropped, YAML 1.1 booleans where OCTOBOX
//! files use them.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::exit::usage;

/// Largest YAML file any tool reads (config, clouds.yaml, route files): 1 MiB.
pub const MAX_YAML_BYTES: usize = 1 << 20;
/// Deepest nesting of YAML collections accepted (flow brackets or block indentation levels).
pub const MAX_YAML_DEPTH: usize = 64;

/// Refuse a YAML text that is too big or too deeply nested, before parsing it (the parser's time
/// grows with the square of the depth). A rough count of flow brackets and block indentation
/// levels (quoted text is not told apart), far above what any real config file nests.
pub fn check_yaml_shape(text: &str) -> Result<(), String> {
    if text.len() > MAX_YAML_BYTES {
        return Err(format!(
            "the file is {} bytes; the limit is {MAX_YAML_BYTES}",
            text.len()
        ));
    }
    let too_deep = |line: usize| {
        Err(format!(
            "line {line}: nested more than {MAX_YAML_DEPTH} levels deep"
        ))
    };
    let mut flow = 0usize;
    // Indentation columns of the enclosing block levels.
    let mut indents: Vec<usize> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let body = line.trim_start_matches([' ', '-']);
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if flow == 0 {
            let col = line.len() - body.len();
            while indents.last().is_some_and(|&c| c >= col) {
                indents.pop();
            }
            indents.push(col);
            // every `- ` on the line opens one more level
            let dashes = line[..col].matches('-').count();
            if indents.len() + dashes > MAX_YAML_DEPTH {
                return too_deep(n + 1);
            }
        }
        for c in body.chars() {
            match c {
                '[' | '{' => {
                    flow += 1;
                    if flow + indents.len() > MAX_YAML_DEPTH {
                        return too_deep(n + 1);
                    }
                }
                ']' | '}' => flow = flow.saturating_sub(1),
                _ => {}
            }
        }
    }
    Ok(())
}

/// Read a config file (octo.yml, clouds.yaml, a route or policy file) at most once per process and
/// return its text: `--config <(...)` is a pipe that can be read only once, and every part of a
/// tool that wants the file gets the same text. A file over [`MAX_YAML_BYTES`] is refused.
pub fn read_config_text(path: &Path) -> std::io::Result<String> {
    use std::collections::HashMap;
    use std::io::Read;
    use std::sync::{Mutex, OnceLock};
    static READ: OnceLock<Mutex<HashMap<PathBuf, String>>> = OnceLock::new();
    let cache = READ.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(text) = cache.get(path) {
        return Ok(text.clone());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_YAML_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() > MAX_YAML_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than the limit of {MAX_YAML_BYTES} bytes"),
        ));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))?;
    cache.insert(path.to_path_buf(), text.clone());
    Ok(text)
}

/// The one loader of YAML files (octo.yml, clouds.yaml, route files): read once
/// ([`read_config_text`]), a UTF-8 BOM dropped, size and depth checked ([`check_yaml_shape`]).
/// Errors are usage errors naming the file.
pub fn load_yaml_text(path: &Path) -> anyhow::Result<String> {
    let text = read_config_text(path)
        .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    check_yaml_shape(&text).map_err(|e| usage(format!("{}: {e}", path.display())))?;
    Ok(text)
}

/// `deserialize_with` for booleans of OCTOBOX-compatible files: YAML 1.2 `true`/`false`, and the
/// YAML 1.1 words the original tools' files use (`yes`/`no`, `on`/`off`, `y`/`n`, any case).
pub fn yaml11_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a boolean (true/false, yes/no, on/off)")
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<bool, E> {
            match v.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "on" => Ok(true),
                "false" | "no" | "n" | "off" => Ok(false),
                _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
            }
        }
    }
    d.deserialize_any(V)
}
