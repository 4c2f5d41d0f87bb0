//! How an answer goes back to Slack: a short one as a compact table in a message, a long one as
//! a file with exactly the records the CLI prints (JSON Lines).

use octo_core::output::{Format, Printer};

use crate::chat::{Answer, Collect};

/// At most this many table rows in a message; more become a file.
pub const MAX_ROWS: usize = 25;
/// At most this many characters of table in a message; more become a file.
pub const MAX_TABLE: usize = 3500;

/// A reply: a message, or a file with a comment.
#[derive(Debug, PartialEq)]
pub enum Reply {
    Message(String),
    File {
        filename: String,
        title: String,
        bytes: Vec<u8>,
        comment: String,
    },
}

/// Slack's three escapes for message text.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The rows as an aligned table (cells sanitized, cut at 60 characters).
pub fn table(rows: &[serde_json::Value], columns: &[&str]) -> anyhow::Result<String> {
    let sink = Collect::default();
    let mut p = Printer::new(
        Format::Table,
        columns.iter().map(|c| c.to_string()).collect(),
        Box::new(sink.clone()),
    );
    for r in rows {
        p.record(r)?;
    }
    p.finish()?;
    Ok(sink.text())
}

/// The reply to `answer`, for a request whose text was `asked`.
pub fn render(answer: &Answer, asked: &str) -> anyhow::Result<Reply> {
    let n = answer.records.len();
    let what = answer.what;
    if let Some((filename, bytes)) = &answer.file {
        let unit = match what {
            "firewall" => "edges",
            _ => "instances",
        };
        let mut comment = format!("`{}`: {n} {}", escape(asked), plural(unit, n));
        if let Some(note) = &answer.note {
            comment.push_str(&format!(" — {}", escape(note)));
        }
        return Ok(Reply::File {
            filename: filename.clone(),
            title: filename.clone(),
            bytes: bytes.clone(),
            comment,
        });
    }
    if answer.rows.is_empty() {
        return Ok(Reply::Message(format!(
            "`{}`: nothing found.",
            escape(asked)
        )));
    }
    let t = table(&answer.rows, answer.columns)?;
    if answer.rows.len() <= MAX_ROWS && t.len() <= MAX_TABLE {
        let head = match n {
            1 if answer.rows.len() > 1 => format!("`{}`:", escape(asked)),
            _ => format!("`{}`: {n} {}", escape(asked), plural(what, n)),
        };
        return Ok(Reply::Message(format!("{head}\n```\n{}```", escape(&t))));
    }
    let mut bytes = Vec::new();
    for r in &answer.records {
        bytes.extend_from_slice(r.to_string().as_bytes());
        bytes.push(b'\n');
    }
    Ok(Reply::File {
        filename: format!("{what}.jsonl"),
        title: format!("{what} ({n} records)"),
        bytes,
        comment: format!(
            "`{}`: {n} {} — too many for a message, here as JSON Lines (the records `halo-query {what}` prints).",
            escape(asked),
            plural(what, n)
        ),
    })
}

fn plural(what: &str, n: usize) -> String {
    let one = what.strip_suffix('s').unwrap_or(what);
    if n == 1 {
        one.to_string()
    } else {
        format!("{one}s")
    }
}
