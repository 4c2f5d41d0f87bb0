//! The command line: flags (also the source of the man page and completions) and the run that
//! reads a policy (file, stdin or the Halo API), renders it and writes it out.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{CommandFactory, Parser};
use octo_core::exit::{self, Exit};
use octo_core::log::LogArgs;
use octo_core::output::{self, Defaults, OutputArgs, Printer};

use crate::{Format, PolicyError, RenderOptions};

/// Draw a Halo firewall policy as a graph: sources → services → workload → services →
/// destinations, one edge per rule, coloured by action (ACCEPT green, DROP red, REJECT orange).
///
/// Reads a firewall policy object, as `halo-query firewall-policy` prints it (bare, or wrapped in
/// `{"firewall_policy": …}`), from a file or stdin, and renders it offline.
///
/// Examples:
///   fw-graph --group Root/Prod/Web --out web.png
///   halo-query firewall-policy --group Web | fw-graph --policy - -o mermaid
///   fw-graph --policy web.json              # the edges as a table (jsonl when piped)
#[derive(Debug, Parser)]
#[command(name = "fw-graph", version = octo_core::VERSION, about, long_about)]
#[command(mut_arg("format", |a| a.help(FORMAT_HELP)))]
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

    /// -o/--format (a picture or the edge records), -c, --no-header
    #[command(flatten)]
    pub output: OutputArgs<Format>,

    /// Write to FILE (atomically: a temp file in the same directory, then renamed) instead of
    /// stdout; the format follows its extension (.png .svg .dot/.gv .mmd .jsonl .json .csv)
    /// unless --format says
    #[arg(long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Also draw inactive rules (dashed, marked "inactive")
    #[arg(long)]
    pub all: bool,

    /// Label the workload with this group name instead of the policy's name
    #[arg(long, value_name = "NAME")]
    pub group_name: Option<String>,

    #[command(flatten)]
    pub log: LogArgs,
}

const FORMAT_HELP: &str = "Output format: a picture (png, svg, dot, mermaid) or the edges as \
     fw-graph.edge/v1 records (jsonl, json, csv, table) [default: from the --out file's \
     extension; on stdout table when it is a terminal, jsonl when it is piped]";

/// The examples that end `fw-graph --help` and its man page (each line is checked to parse).
const AFTER_HELP: &str = "\
Examples:
  fw-graph --policy policy.json --out web.svg
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
    let out_path = args.out.clone().filter(|p| p.as_os_str() != "-");
    let stdout_tty = std::io::stdout().is_terminal();
    let format = match (args.output.format, &out_path) {
        (Some(f), _) => f,
        (None, Some(path)) => format_from_extension(path).ok_or_else(|| {
            exit::usage(format!(
                "cannot tell the format from {}: give --format",
                path.display()
            ))
        })?,
        (None, None) if stdout_tty => Format::Table,
        (None, None) => Format::Jsonl,
    };
    if format.records().is_none() && (!args.output.columns.is_empty() || args.output.no_header) {
        return Err(exit::usage(
            "--columns and --no-header are for the edge records (jsonl, json, csv, table), \
             not for a picture",
        ));
    }
    if out_path.is_none() && format.is_binary() && stdout_tty {
        return Err(exit::usage(
            "refusing to write PNG to a terminal: give --out FILE or redirect stdout",
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
    let input_error = |e: anyhow::Error| match e.downcast_ref::<PolicyError>() {
        Some(pe) => anyhow::Error::new(crate::policy_input_error(&source, pe)),
        None => e,
    };
    if let Some(records_format) = format.records() {
        // the edges as records, through the one printer (flags, terminal safety, closed pipe)
        let graph = crate::build(&doc, &opts).map_err(input_error)?;
        let records = crate::render::jsonl::records(&graph);
        let flags = OutputArgs {
            format: Some(records_format),
            columns: args.output.columns.clone(),
            no_header: args.output.no_header,
        };
        let defaults = Defaults::RECORDS.table_columns(crate::EDGE_COLUMNS);
        match &out_path {
            Some(path) => write_atomically(path, &output::to_vec(&flags, defaults, &records)?)?,
            None => {
                let mut p = Printer::stdout_with(&flags, defaults);
                for r in &records {
                    p.record(r)?;
                }
                p.finish()?;
            }
        }
        return Ok(Exit::Success);
    }
    let rendered = crate::render(&doc, &opts).map_err(input_error)?;
    match out_path {
        Some(path) => write_atomically(&path, &rendered.bytes)?,
        None => {
            // text pictures (DOT, Mermaid, SVG) carry policy, rule and zone names from the API:
            // a terminal gets them sanitized; PNG never reaches one (refused above)
            let bytes = if stdout_tty && !format.is_binary() {
                let text = String::from_utf8_lossy(&rendered.bytes);
                octo_core::sanitize::for_terminal_lines(&text)
                    .into_owned()
                    .into_bytes()
            } else {
                rendered.bytes
            };
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)
                .and_then(|()| out.flush())
                .map_err(octo_core::output::write_error)?;
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
        "json" => Format::Json,
        "csv" => Format::Csv,
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
        .with_context(|| format!("--out {}: not a file name", path.display()))?;
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
        assert_eq!(
            format_from_extension(Path::new("edges.csv")),
            Some(Format::Csv)
        );
        assert_eq!(
            format_from_extension(Path::new("edges.json")),
            Some(Format::Json)
        );
    }

    #[test]
    fn clap_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
