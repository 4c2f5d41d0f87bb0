//! The chat grammar: what a user writes after the mention, in a DM or after `/halo`, parsed
//! with clap into the same argument structs `halo-query` uses, and answered by the same
//! `octo_query` functions — the records of an answer are the records the CLI prints.

use chrono::{DateTime, Utc};
use clap::{Args, CommandFactory, Parser, Subcommand};
use octo_core::halo::HaloClient;
use octo_core::halo::api::FirewallPlatform;
use octo_core::output::{Format, Printer};
use octo_query::{EventsArgs, GroupArgs, ServerArgs, ServersArgs, columns};
use serde_json::{Value, json};

/// The commands, as Slack users type them.
#[derive(Debug, Parser)]
#[command(
    name = "halo",
    no_binary_name = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    color = clap::ColorChoice::Never,
    term_width = 100
)]
pub struct Chat {
    #[command(subcommand)]
    pub command: ChatCommand,
}

#[derive(Debug, Subcommand)]
pub enum ChatCommand {
    /// List the commands
    Help,
    /// List server groups
    Groups,
    /// Describe one group: facts, parent, policies, active issues by criticality
    Group(GroupArgs),
    /// List servers, of one group (name, path or id); --ip, --cve, --state as halo-query
    Servers(ChatServersArgs),
    /// Describe one server (id, hostname or IP): facts, EC2, issues, recent events
    Server(ServerArgs),
    /// Events of a window (default the last 24 hours): --critical, --since, --type, --group
    Events(EventsArgs),
    /// A group's firewall policy drawn as a PNG (fw-graph's picture), sent as a file
    Firewall(FirewallChatArgs),
    /// EC2 instances no Halo agent protects (ec2-delta's flags), sent as a CSV file
    #[command(name = "ec2-delta")]
    Ec2Delta(octo_ec2delta::DeltaArgs),
    /// Jobs queued and running, uptime, last error, enabled features and configuration
    Status,
}

/// `servers [GROUP]`: halo-query's `servers` flags plus the group as a word.
#[derive(Debug, Args)]
pub struct ChatServersArgs {
    /// Only servers in this group (name, full path or id)
    #[arg(value_name = "GROUP")]
    pub group: Option<String>,
    #[command(flatten)]
    pub servers: ServersArgs,
}

/// `firewall GROUP`: fw-graph's `--group`, `--platform` and `--all`.
#[derive(Debug, Args)]
pub struct FirewallChatArgs {
    /// The group (name, full path or id)
    #[arg(value_name = "GROUP")]
    pub group: String,
    /// Which of the group's policies
    #[arg(long, value_enum, default_value = "linux")]
    pub platform: FirewallPlatform,
    /// Draw inactive rules too
    #[arg(long)]
    pub all: bool,
}

impl ChatCommand {
    /// The command's name (audit records, job kinds).
    pub fn name(&self) -> &'static str {
        match self {
            ChatCommand::Help => "help",
            ChatCommand::Groups => "groups",
            ChatCommand::Group(_) => "group",
            ChatCommand::Servers(_) => "servers",
            ChatCommand::Server(_) => "server",
            ChatCommand::Events(_) => "events",
            ChatCommand::Firewall(_) => "firewall",
            ChatCommand::Ec2Delta(_) => "ec2-delta",
            ChatCommand::Status => "status",
        }
    }
}

/// What parsing a message gave.
#[derive(Debug)]
pub enum Parsed {
    Command(ChatCommand),
    /// `--help` of a command, or a usage error: the text to answer with.
    Help(String),
    Usage(String),
}

/// Parse a message's text (Slack's markup already in it: mentions, links, entities).
pub fn parse(text: &str) -> Parsed {
    let words = split_words(&clean(text));
    if words.is_empty() {
        return Parsed::Command(ChatCommand::Help);
    }
    match Chat::try_parse_from(&words) {
        Ok(c) => match c.command {
            ChatCommand::Events(e) if e.follow => {
                Parsed::Usage("`events --follow` does not end: not available in chat".into())
            }
            other => Parsed::Command(other),
        },
        Err(e) => {
            use clap::error::ErrorKind::*;
            let text = e.render().to_string();
            match e.kind() {
                DisplayHelp | DisplayHelpOnMissingArgumentOrSubcommand => Parsed::Help(text),
                _ => Parsed::Usage(text),
            }
        }
    }
}

/// The list of commands (`help`).
pub fn help() -> String {
    let mut cmd = Chat::command();
    let mut lines = vec!["Commands (mention me, DM me or use /halo):".to_string()];
    for sub in cmd.get_subcommands_mut() {
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        lines.push(format!("  {:<8} {about}", sub.get_name()));
    }
    lines.push("Add --help to a command for its flags, e.g. `servers --help`.".into());
    lines.join("\n")
}

/// Slack's markup back to what the user typed: mentions dropped, `<url|label>` → label,
/// `<url>` → url (without `mailto:`), `&lt;` `&gt;` `&amp;` decoded.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('>') else {
            out.push_str(&rest[i..]);
            rest = "";
            break;
        };
        let inner = &rest[i + 1..i + j];
        rest = &rest[i + j + 1..];
        if inner.starts_with('@') || inner.starts_with('!') {
            continue;
        }
        let shown = match inner.split_once('|') {
            Some((_, label)) => label,
            None => inner
                .strip_prefix("mailto:")
                .or_else(|| inner.strip_prefix("http://"))
                .or_else(|| inner.strip_prefix("https://"))
                .unwrap_or(inner),
        };
        out.push_str(shown.strip_prefix('#').unwrap_or(shown));
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// Words, with "double", 'single' and “smart” quotes grouping.
pub fn split_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q || (q == '“' && c == '”') => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'' | '“') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// A query's answer: the records the CLI prints, and the rows a table in Slack shows.
#[derive(Debug)]
pub struct Answer {
    /// `servers`, `group` …: names the file and the message.
    pub what: &'static str,
    pub records: Vec<Value>,
    pub rows: Vec<Value>,
    pub columns: &'static [&'static str],
    /// A file to send instead of a table: file name and bytes (`firewall`'s PNG, `ec2-delta`'s
    /// CSV).
    pub file: Option<(String, Vec<u8>)>,
    /// What the file's comment adds (`ec2-delta`: accounts or regions that could not be read).
    pub note: Option<String>,
}

/// Run a query command (not `help`/`status`) with `halo`.
pub async fn answer(
    halo: &HaloClient,
    cmd: &ChatCommand,
    now: DateTime<Utc>,
) -> anyhow::Result<Answer> {
    let sink = Collect::default();
    let mut out = Printer::new(Format::Jsonl, Vec::new(), Box::new(sink.clone()));
    let what = cmd.name();
    match cmd {
        ChatCommand::Firewall(a) => return firewall(halo, a).await,
        ChatCommand::Ec2Delta(a) => return ec2_delta(halo, a).await,
        _ => {}
    }
    let (columns, one): (&'static [&'static str], Option<Value>) = match cmd {
        ChatCommand::Groups => {
            octo_query::queries::groups(halo, &mut out).await?;
            (columns::GROUPS, None)
        }
        ChatCommand::Group(a) => {
            let rec = octo_query::group::describe(halo, &a.target).await?;
            (columns::GROUP, Some(rec))
        }
        ChatCommand::Servers(a) => {
            let mut args = ServersArgs {
                groups: a.servers.groups.clone(),
                state: a.servers.state.clone(),
                ip: a.servers.ip,
                cve: a.servers.cve.clone(),
            };
            args.groups.extend(a.group.clone());
            octo_query::servers::servers(halo, &args, &mut out).await?;
            (columns::SERVERS, None)
        }
        ChatCommand::Server(a) => {
            let rec = octo_query::servers::describe_server(halo, a, now).await?;
            (SERVER_FIELDS, Some(rec))
        }
        ChatCommand::Events(a) => {
            octo_query::window::events(halo, a, now, &mut out).await?;
            (columns::EVENTS, None)
        }
        ChatCommand::Help
        | ChatCommand::Status
        | ChatCommand::Firewall(_)
        | ChatCommand::Ec2Delta(_) => {
            anyhow::bail!("{what} is answered by the bot itself, not a query")
        }
    };
    out.finish()?;
    let records = match one {
        Some(rec) => vec![rec],
        None => sink.records()?,
    };
    let rows = match (cmd, records.first()) {
        (ChatCommand::Group(_), Some(rec)) => octo_query::group::table_rows(rec),
        (ChatCommand::Server(_), Some(rec)) => server_rows(rec),
        _ => records.clone(),
    };
    Ok(Answer {
        what,
        records,
        rows,
        columns,
        file: None,
        note: None,
    })
}

/// `firewall GROUP`: the policy drawn as fw-graph draws it (`--group G --format png`); the
/// records are its edges (`fw-graph.edge/v1`).
async fn firewall(halo: &HaloClient, a: &FirewallChatArgs) -> anyhow::Result<Answer> {
    let (group, policy) = halo.group_firewall_policy(&a.group, a.platform).await?;
    let name = group["name"].as_str().map(str::to_string);
    let opts = octo_fwgraph::RenderOptions {
        format: octo_fwgraph::Format::Png,
        include_inactive: a.all,
        group_name: name.clone(),
    };
    let graph = octo_fwgraph::build(&policy, &opts)?;
    let png = octo_fwgraph::render_graph(&graph, octo_fwgraph::Format::Png)?.bytes;
    let records = octo_fwgraph::render::jsonl::records(&graph);
    let slug: String = name
        .unwrap_or_else(|| a.group.clone())
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok(Answer {
        what: "firewall",
        rows: records.clone(),
        records,
        columns: octo_fwgraph::EDGE_COLUMNS,
        file: Some((format!("firewall-{slug}.png"), png)),
        note: None,
    })
}

/// `ec2-delta [FLAGS]`: ec2-delta's engine with the bot's Halo client; the rows as the CSV
/// `ec2-delta` prints when piped (its columns, a header), and as records for `ask`.
async fn ec2_delta(halo: &HaloClient, a: &octo_ec2delta::DeltaArgs) -> anyhow::Result<Answer> {
    // A task of its own (owned arguments): the inventory runs apart from the socket loop.
    let (args, client) = (a.clone(), halo.clone());
    let report = tokio::spawn(async move {
        octo_ec2delta::report(&args, octo_ec2delta::live_halo_servers(&client)).await
    })
    .await
    .map_err(|e| anyhow::anyhow!("the ec2-delta task failed: {e}"))??;
    let sink = Collect::default();
    let mut csv = Printer::new(
        Format::Csv,
        report.columns.iter().map(|c| c.to_string()).collect(),
        Box::new(sink.clone()),
    );
    for r in &report.rows {
        csv.record(r)?;
    }
    csv.finish()?;
    let note = (!report.failures.is_empty()).then(|| {
        let names: Vec<String> = report.failures.iter().map(|f| f.to_string()).collect();
        format!(
            "{} account/region pair(s) could not be read, their instances are not in the file: {}",
            names.len(),
            names.join("; ")
        )
    });
    let what = if a.reverse {
        "orphaned-servers"
    } else {
        "ec2-delta"
    };
    Ok(Answer {
        what: "ec2-delta",
        records: report.rows.clone(),
        rows: report.rows,
        columns: report.columns,
        file: Some((format!("{what}.csv"), sink.text().into_bytes())),
        note,
    })
}

const SERVER_FIELDS: &[&str] = &["field", "value"];

/// `server`'s record as field/value rows: the facts people ask for, then counts.
fn server_rows(rec: &Value) -> Vec<Value> {
    const FIELDS: &[&str] = &[
        "id",
        "hostname",
        "state",
        "group_path",
        "connecting_ip_address",
        "primary_ip_address",
        "platform",
        "platform_version",
        "last_state_change",
        "aws_ec2.ec2_instance_id",
        "aws_ec2.ec2_account_id",
        "aws_ec2.ec2_region",
    ];
    let flat = octo_core::output::flatten(&rec["server"]);
    let mut rows: Vec<Value> = FIELDS
        .iter()
        .filter_map(|f| {
            flat.iter()
                .find(|(k, _)| k == f)
                .map(|(k, v)| json!({"field": k, "value": v}))
        })
        .collect();
    let issues = rec["issues"].as_array().map_or(0, Vec::len);
    let events = rec["events"].as_array().map_or(0, Vec::len);
    rows.push(json!({"field": "issues", "value": issues}));
    rows.push(json!({"field": format!("events since {}", rec["events_since"].as_str().unwrap_or("")), "value": events}));
    rows
}

/// A sink the JSONL printer writes into, read back as records.
#[derive(Clone, Default)]
pub struct Collect(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Collect {
    pub fn records(&self) -> anyhow::Result<Vec<Value>> {
        let buf = self.0.lock().unwrap_or_else(|e| e.into_inner());
        buf.split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| Ok(serde_json::from_slice(l)?))
            .collect()
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

impl std::io::Write for Collect {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_markup_is_undone() {
        assert_eq!(
            clean("<@USIMBOT01> server <http://web-1.example.com|web-1.example.com>"),
            "server web-1.example.com"
        );
        assert_eq!(clean("servers &lt;x&gt; &amp;"), "servers <x> &");
        assert_eq!(clean("group <#C123|secops>"), "group secops");
    }

    #[test]
    fn words_group_quotes() {
        assert_eq!(
            split_words(r#"group "Root/Prod/Web"  servers 'a b' “c d”"#),
            vec!["group", "Root/Prod/Web", "servers", "a b", "c d"]
        );
        assert_eq!(split_words(r#"x """#), vec!["x", ""]);
    }

    #[test]
    fn commands_parse_with_the_cli_structs() {
        let Parsed::Command(ChatCommand::Servers(a)) =
            parse("<@U1> servers Root/Prod --state all --cve cve-2014-6271")
        else {
            panic!("servers parses")
        };
        assert_eq!(a.group.as_deref(), Some("Root/Prod"));
        assert_eq!(a.servers.state, "all");
        assert_eq!(a.servers.cve.as_deref(), Some("CVE-2014-6271"));
        assert!(matches!(parse(""), Parsed::Command(ChatCommand::Help)));
        assert!(matches!(parse("events --follow"), Parsed::Usage(_)));
        assert!(matches!(parse("servers --help"), Parsed::Help(_)));
        let Parsed::Usage(u) = parse("reboot everything") else {
            panic!("unknown command is a usage error")
        };
        assert!(u.contains("unrecognized subcommand 'reboot'"), "{u}");
    }
}
