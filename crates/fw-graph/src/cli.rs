//! The command line: flags (also the source of the man page and completions) and the run that
//! reads a policy (file, stdin or the Halo API), renders it and writes it out.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{CommandFactory, Parser};
use octo_core::exit::{self, Exit};
use octo_core::log::LogArgs;

use crate::{Format, PolicyError, RenderOptions};

/// Draw a Halo firewall policy as a graph: sources → services → workload → services →
/// destinations, one edge per rule, coloured by action (ACCEPT green, DROP red, REJECT orange).
///
/// Reads a firewall policy object, as `halo-query firewall-policy` prints it (bare, or wrapped in
/// `{"firewall_policy": …}`), from a file or stdin, and renders it offline.
///
/// Examples:
///   fw-graph --group Root/Prod/Web -o web.png
///   halo-query firewall-policy --group Web | fw-graph --policy - --format mermaid
#[derive(Debug, Parser)]
#[command(name = "fw-graph", version = octo_core::VERSION, about, long_about)]
pub struct Cli {
    /// Firewall policy JSON file; `-` reads it from stdin
    #[arg(
        long,
        value_name = "FILE|-",
        required_unless_present = "group",
        conflicts_with = "group"
    )]
    pub policy: Option<PathBuf>,

    /// Fetch the policy of this Halo group (name, full path or id) from the API instead
    #[arg(long, value_name = "NAME|ID")]
    pub group: Option<String>,

    /// Which of the group's policies (with --group)
    #[arg(long, value_enum, default_value = "linux", requires = "group")]
    pub platform: octo_core::halo::api::FirewallPlatform,

    #[command(flatten)]
    pub halo: octo_core::config::HaloArgs,

    /// Output format [default: from the -o file extension]
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write to FILE (atomically: a temp file in the same directory, then renamed) instead of
    /// stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also draw inactive rules (dashed, marked "inactive")
    #[arg(long)]
    pub all: bool,

    /// Label the workload with this group name instead of the policy's name
    #[arg(long, value_name = "NAME")]
    pub group_name: Option<String>,

    #[command(flatten)]
    pub log: LogArgs,
}

/// The examples that end `fw-graph --help` and its man page (each line is checked to parse).
const AFTER_HELP: &str = "\
Examples:
  fw-graph --policy policy.json --format svg > web.svg
  halo-query firewall-policy --group Web | fw-graph --policy - --format mermaid
  fw-graph --group Root/Prod/Web --format dot | dot -Tpng > web.png
  fw-graph --policy policy.json --format jsonl --all | jq -c 'select(.action == \"DROP\")'";

/// The clap command: flags, `--generate` and examples (parsing, help, man pages, completions).
pub fn command() -> clap::Command {
    octo_core::docs::command(Cli::command(), &[("", AFTER_HELP)])
}

/// Entry point used by `main`.
pub fn run(args: Cli) -> anyhow::Result<Exit> {
    args.log.init();
    let output = args.output.filter(|p| p.as_os_str() != "-");
    let format = match (args.format, &output) {
        (Some(f), _) => f,
        (None, Some(path)) => format_from_extension(path).ok_or_else(|| {
            exit::usage(format!(
                "cannot tell the format from {}: give --format",
                path.display()
            ))
        })?,
        (None, None) => return Err(exit::usage("--format is required when writing to stdout")),
    };
    if output.is_none() && format.is_binary() && std::io::stdout().is_terminal() {
        return Err(exit::usage(
            "refusing to write PNG to a terminal: give -o FILE or redirect stdout",
        ));
    }

    let (doc, source, group_name) = match (&args.group, &args.policy) {
        (Some(group), _) => {
            let cfg = args.halo.resolve()?;
            let halo =
                octo_core::halo::HaloClient::new(&cfg, octo_core::halo::Access::Read, "fw-graph")?;
            let (g, policy) =
                octo_core::block_on(halo.group_firewall_policy(group, args.platform))?;
            let name = g
                .get("name")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string);
            (
                policy,
                format!("policy of group {group}"),
                args.group_name.or(name),
            )
        }
        (None, Some(path)) => {
            let (bytes, source) = read_input(path)?;
            (
                crate::read_policy_document(&bytes, &source)?,
                source,
                args.group_name,
            )
        }
        (None, None) => return Err(exit::usage("give --policy FILE|- or --group NAME|ID")),
    };
    let opts = RenderOptions {
        format,
        include_inactive: args.all,
        group_name,
    };
    let rendered =
        crate::render(&doc, &opts).map_err(|e| match e.downcast_ref::<PolicyError>() {
            Some(pe) => anyhow::Error::new(crate::policy_input_error(&source, pe)),
            None => e,
        })?;

    match output {
        Some(path) => write_atomically(&path, &rendered.bytes)?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&rendered.bytes)
                .context("writing to stdout")?;
            out.flush().context("writing to stdout")?;
        }
    }
    Ok(Exit::Success)
}

fn format_from_extension(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => Format::Png,
        "svg" => Format::Svg,
        "dot" | "gv" => Format::Dot,
        "mmd" | "mermaid" => Format::Mermaid,
        "jsonl" | "ndjson" => Format::Jsonl,
        _ => return None,
    })
}

/// The input bytes and the name errors use for them (`stdin` or the path).
fn read_input(path: &Path) -> anyhow::Result<(Vec<u8>, String)> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            return Err(exit::usage(
                "--policy -: stdin is a terminal; pipe a policy in or give a file",
            ));
        }
        stdin
            .lock()
            .read_to_end(&mut bytes)
            .context("reading stdin")?;
        return Ok((bytes, "stdin".into()));
    }
    match std::fs::read(path) {
        Ok(b) => Ok((b, path.display().to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(exit::usage(format!(
            "--policy {}: no such file",
            path.display()
        ))),
        Err(e) => Err(anyhow::Error::new(e).context(format!("reading {}", path.display()))),
    }
}

/// Write to a temp file in the target's directory, then rename over the target, so readers never
/// see a half-written file.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("-o {}: not a file name", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(anyhow::Error::new(e).context(format!("writing {}", path.display())));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_follows_the_extension() {
        assert_eq!(
            format_from_extension(Path::new("a/b.PNG")),
            Some(Format::Png)
        );
        assert_eq!(format_from_extension(Path::new("x.gv")), Some(Format::Dot));
        assert_eq!(
            format_from_extension(Path::new("x.mmd")),
            Some(Format::Mermaid)
        );
        assert_eq!(format_from_extension(Path::new("x")), None);
    }

    #[test]
    fn clap_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
