//! Reading JSON Lines: one JSON object per line, from stdin or a file.
//!
//! [`JsonlReader`] streams (one line in memory at a time), skips blank lines, and turns every bad
//! line into an [`InputError`] (exit 3) that names the source and the 1-based line number — never
//! a panic. Readers are tolerant: every field of a record is kept, unknown ones included.
//!
//! `--on-bad-record fail|skip` ([`BadRecordArgs`], one flag for every JSON Lines consumer): a
//! consumer hands each error of its record loop to [`BadRecords::handle`], which under `skip`
//! names the bad line on stderr and lets the loop go on; [`BadRecords::exit`] makes such a run
//! end with exit 4.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal};
use std::path::Path;

use anyhow::Context;
use serde_json::{Map, Value};

use crate::exit::{InputError, usage};

/// One input record: a JSON object and the 1-based line it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub line: u64,
    pub value: Map<String, Value>,
}

impl Record {
    /// A record from a JSON value read elsewhere (e.g. an API page), numbered `line`; `None`
    /// when the value is not an object.
    pub fn from_value(line: u64, v: Value) -> Option<Record> {
        match v {
            Value::Object(value) => Some(Record { line, value }),
            _ => None,
        }
    }

    /// The string at `field` (a top-level key or a dotted path, see [`Record::get_path`]);
    /// `None` when it is missing or not a string.
    pub fn get_str(&self, field: &str) -> Option<&str> {
        self.get_path(field).and_then(Value::as_str)
    }

    /// The non-empty string at `field`, or an [`InputError`] naming `source`, this record's line
    /// and the field (missing, null, empty, or another JSON type).
    pub fn require_str(&self, source: &str, field: &str) -> Result<&str, InputError> {
        let problem = match self.get_path(field) {
            Some(Value::String(s)) if !s.is_empty() => return Ok(s),
            Some(Value::String(_)) => "required field is empty".to_string(),
            Some(Value::Null) => "required field is null".to_string(),
            None => "required field is missing".to_string(),
            Some(other) => format!("expected a string, found {}", json_kind(other)),
        };
        Err(InputError {
            source_name: source.to_string(),
            line: self.line,
            field: Some(field.to_string()),
            message: problem,
        })
    }

    /// The value at a dotted path such as `aws_ec2.ec2_instance_id` (see [`lookup`]).
    pub fn get_path(&self, dotted: &str) -> Option<&Value> {
        lookup_in(&self.value, dotted)
    }
}

/// The value at a dotted path in `v`: `aws_ec2.ec2_instance_id` descends into objects, a numeric
/// segment indexes an array (`tags.0`). A key that itself contains dots (`"a.b": 1`) is found
/// too: at each level the whole remaining path is tried as a key before it is split.
pub fn lookup<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    match v {
        Value::Object(m) => lookup_in(m, dotted),
        Value::Array(items) => {
            let (head, rest) = match dotted.split_once('.') {
                Some((h, r)) => (h, Some(r)),
                None => (dotted, None),
            };
            if head.is_empty() || !head.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let item = items.get(head.parse::<usize>().ok()?)?;
            match rest {
                Some(rest) => lookup(item, rest),
                None => Some(item),
            }
        }
        _ => None,
    }
}

fn lookup_in<'a>(m: &'a Map<String, Value>, dotted: &str) -> Option<&'a Value> {
    if let Some(v) = m.get(dotted) {
        return Some(v);
    }
    dotted.match_indices('.').find_map(|(i, _)| {
        let child = m.get(&dotted[..i])?;
        lookup(child, &dotted[i + 1..])
    })
}

/// "a string", "an array" … for error messages about JSON input (shared by every tool).
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Streams [`Record`]s out of JSON Lines.
///
/// Blank and whitespace-only lines are skipped; `\r\n` line ends, a missing final newline and a
/// UTF-8 byte order mark on the first line are accepted. A bad line yields an `Err` and the
/// iterator goes on with the next line (callers usually stop at the first error with `?`); a read
/// error yields one `Err` and ends the iteration.
pub struct JsonlReader<R> {
    source: String,
    reader: R,
    line: u64,
    buf: Vec<u8>,
    done: bool,
}

/// Lines longer than this are read fine; the buffer is just not kept that large afterwards.
const KEEP_BUFFER: usize = 1 << 20;

impl<R: BufRead> JsonlReader<R> {
    /// `source_name` is what error messages call the input (`stdin`, a path).
    pub fn new(source_name: impl Into<String>, reader: R) -> Self {
        JsonlReader {
            source: source_name.into(),
            reader,
            line: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    /// The name errors use for this input (pass it to [`Record::require_str`]).
    pub fn source_name(&self) -> &str {
        &self.source
    }

    /// The number of the last line read (1-based; 0 before the first).
    pub fn line(&self) -> u64 {
        self.line
    }

    fn error(&self, line: u64, message: String) -> InputError {
        InputError {
            source_name: self.source.clone(),
            line,
            field: None,
            message,
        }
    }

    /// The text of the line in `self.buf` (line end, and a BOM on line 1, stripped); `None`
    /// for a blank line.
    fn line_text(&self) -> Option<Result<&str, InputError>> {
        let mut bytes = &self.buf[..];
        if let Some(rest) = bytes.strip_suffix(b"\n") {
            bytes = rest;
        }
        if let Some(rest) = bytes.strip_suffix(b"\r") {
            bytes = rest;
        }
        if self.line == 1
            && let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf")
        {
            bytes = rest;
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        Some(std::str::from_utf8(bytes).map_err(|e| {
            let msg = format!("invalid UTF-8 at column {}", e.valid_up_to() + 1);
            self.error(self.line, msg)
        }))
    }

    /// Read the next line into `self.buf`; `false` at the end (or after a read error, returned
    /// in `err`).
    fn read_line(&mut self) -> Result<bool, InputError> {
        if self.done {
            return Ok(false);
        }
        self.buf.clear();
        if self.buf.capacity() > KEEP_BUFFER {
            self.buf.shrink_to(64 * 1024);
        }
        match self.reader.read_until(b'\n', &mut self.buf) {
            Ok(0) => {
                self.done = true;
                Ok(false)
            }
            Ok(_) => {
                self.line += 1;
                Ok(true)
            }
            Err(e) => {
                self.done = true;
                Err(self.error(self.line + 1, format!("reading input: {e}")))
            }
        }
    }

    /// The next non-blank line as text with its number, without parsing it — for callers that
    /// look at a few fields first and build a [`Record`] ([`parse_record`]) only when they need
    /// one. Errors (bad UTF-8, read errors) are those of the iterator.
    pub fn next_text(&mut self) -> Option<Result<(u64, &str), InputError>> {
        loop {
            match self.read_line() {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => return Some(Err(e)),
            }
            if self.line_text().is_some() {
                break;
            }
        }
        let line = self.line;
        self.line_text().map(|r| r.map(|t| (line, t)))
    }
}

/// Parse one line of JSON Lines text into a [`Record`]; errors name `source` and `line`.
pub fn parse_record(source: &str, line: u64, text: &str) -> Result<Record, InputError> {
    let error = |message: String| InputError {
        source_name: source.to_string(),
        line,
        field: None,
        message,
    };
    match crate::json::parse(text.as_bytes()) {
        Ok(Value::Object(value)) => Ok(Record { line, value }),
        Ok(other) => Err(error(format!(
            "expected a JSON object, found {}",
            json_kind(&other)
        ))),
        Err(e) => Err(error(json_message(&e))),
    }
}

/// serde's message without its "at line 1 column N" suffix (always line 1 here), with the column.
fn json_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let msg = full.strip_suffix(&suffix).unwrap_or(&full);
    if e.column() > 0 {
        format!("invalid JSON: {msg} (column {})", e.column())
    } else {
        format!("invalid JSON: {msg}")
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<Record, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.read_line() {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => return Some(Err(e)),
            }
            match self.line_text() {
                None => continue,
                Some(Err(e)) => return Some(Err(e)),
                Some(Ok(text)) => return Some(parse_record(&self.source, self.line, text)),
            }
        }
    }
}

/// Open JSON Lines input: `None` or `-` is stdin (named `stdin` in errors), anything else a file
/// (named by its path).
///
/// When stdin is a terminal this is a usage error instead of a silent wait for input.
pub fn open(path: Option<&Path>) -> anyhow::Result<JsonlReader<Box<dyn BufRead>>> {
    match path {
        Some(p) if p.as_os_str() != "-" => {
            let file = File::open(p).with_context(|| format!("opening {}", p.display()))?;
            if file.metadata().is_ok_and(|m| m.is_dir()) {
                return Err(usage(format!(
                    "{} is a directory, expected a file of JSON records",
                    p.display()
                )));
            }
            let reader: Box<dyn BufRead> = Box::new(BufReader::with_capacity(64 * 1024, file));
            Ok(JsonlReader::new(p.display().to_string(), reader))
        }
        _ => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err(usage(
                    "expected JSON records on stdin (pipe them in, or pass a file)",
                ));
            }
            let reader: Box<dyn BufRead> = Box::new(stdin.lock());
            Ok(JsonlReader::new("stdin", reader))
        }
    }
}

/// `--on-bad-record`: what a stream consumer does with a bad input record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OnBadRecord {
    /// Stop at the first bad record (exit 3, line and field named)
    #[default]
    Fail,
    /// Name each bad record on stderr, go on with the next, exit 4 at the end
    Skip,
}

/// The `--on-bad-record` flag every JSON Lines consumer shares (`#[command(flatten)]`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BadRecordArgs {
    /// A bad input record (not JSON, not an object, a required field missing or of the wrong
    /// type): fail stops the run (exit 3); skip names each such line on stderr (source, line,
    /// reason), processes every good record and exits 4 at the end
    #[arg(long, value_enum, default_value_t = OnBadRecord::Fail, value_name = "POLICY")]
    pub on_bad_record: OnBadRecord,
}

impl BadRecordArgs {
    /// A fresh [`BadRecords`] for one run.
    pub fn tracker(&self) -> BadRecords {
        BadRecords::new(self.on_bad_record)
    }
}

/// Applies `--on-bad-record` in a consumer's loop: [`BadRecords::handle`] each error; at the end
/// [`BadRecords::exit`] turns a run that skipped records into exit 4.
#[derive(Debug, Default)]
pub struct BadRecords {
    policy: OnBadRecord,
    skipped: u64,
}

impl BadRecords {
    pub fn new(policy: OnBadRecord) -> BadRecords {
        BadRecords { policy, skipped: 0 }
    }

    /// An error of the record loop: a bad record ([`InputError`] anywhere in the chain) is
    /// skipped under `skip` — named on stderr, sanitized, then `Ok(())` so the loop goes on;
    /// anything else (and every error under `fail`) is returned.
    pub fn handle(&mut self, err: anyhow::Error) -> anyhow::Result<()> {
        if self.policy != OnBadRecord::Skip {
            return Err(err);
        }
        let Some(bad) = err.chain().find_map(|c| c.downcast_ref::<InputError>()) else {
            return Err(err);
        };
        self.skipped += 1;
        let text = format!("skipped bad record: {bad}");
        tracing::warn!("{}", crate::sanitize::for_terminal(&text));
        Ok(())
    }

    /// How many records were skipped.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The exit of a run that otherwise ended with `exit`: [`Exit::Partial`] (4) when records
    /// were skipped and the run had nothing worse to report.
    pub fn exit(&self, exit: crate::exit::Exit) -> crate::exit::Exit {
        use crate::exit::Exit;
        match exit {
            Exit::Success if self.skipped > 0 => {
                tracing::warn!("{} bad record(s) skipped", self.skipped);
                Exit::Partial
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::{Exit, code_for};
    use serde_json::json;
    use std::io::{Cursor, Read};

    fn read_all(input: &[u8]) -> Vec<Result<Record, InputError>> {
        JsonlReader::new("in.jsonl", Cursor::new(input.to_vec())).collect()
    }

    fn lines_and_values(input: &[u8]) -> Vec<(u64, Value)> {
        read_all(input)
            .into_iter()
            .map(|r| {
                let r = r.unwrap();
                (r.line, Value::Object(r.value))
            })
            .collect()
    }

    fn only_error(input: &[u8]) -> InputError {
        let mut all = read_all(input);
        assert_eq!(all.len(), 1, "{all:?}");
        all.pop().unwrap().unwrap_err()
    }

    #[test]
    fn reads_objects_with_line_numbers_skipping_blank_lines() {
        let got = lines_and_values(b"{\"a\":1}\n\n   \t\n{\"b\":{\"c\":2}}\n");
        assert_eq!(got, vec![(1, json!({"a": 1})), (4, json!({"b": {"c": 2}}))]);
    }

    #[test]
    fn crlf_missing_final_newline_and_bom() {
        let got = lines_and_values(b"\xef\xbb\xbf{\"a\":1}\r\n\r\n{\"a\":2}");
        assert_eq!(got, vec![(1, json!({"a": 1})), (3, json!({"a": 2}))]);
        assert!(read_all(b"").is_empty());
        assert!(read_all(b"\n\n \r\n").is_empty());
    }

    #[test]
    fn key_order_is_preserved() {
        let r = read_all(b"{\"z\":1,\"a\":2,\"m\":3}\n")
            .pop()
            .unwrap()
            .unwrap();
        assert_eq!(r.value.keys().collect::<Vec<_>>(), ["z", "a", "m"]);
    }

    #[test]
    fn not_json_names_source_line_and_column() {
        let all = read_all(b"{\"a\":1}\n{\"a\":\n{\"a\":3}\n");
        assert_eq!(all.len(), 3);
        let e = all[1].clone().unwrap_err();
        assert_eq!(
            (e.source_name.as_str(), e.line, e.field.as_deref()),
            ("in.jsonl", 2, None)
        );
        assert_eq!(
            e.to_string(),
            "in.jsonl:2: invalid JSON: EOF while parsing a value (column 5)"
        );
        // the reader goes on after a bad line
        assert_eq!(all[2].as_ref().unwrap().line, 3);
        let e = only_error(b"{\"a\":1} trailing\n");
        assert_eq!(
            e.to_string(),
            "in.jsonl:1: invalid JSON: trailing characters (column 9)"
        );
        let e = only_error(b"\n\noops\n");
        assert_eq!(e.line, 3);
        assert!(
            e.message.starts_with("invalid JSON: expected value"),
            "{}",
            e.message
        );
    }

    #[test]
    fn json_that_is_not_an_object() {
        for (input, found) in [
            (&b"[1,2]"[..], "an array"),
            (b"42", "a number"),
            (b"\"s\"", "a string"),
            (b"null", "null"),
        ] {
            let e = only_error(input);
            assert_eq!(e.message, format!("expected a JSON object, found {found}"));
        }
        let e = anyhow::Error::new(only_error(b"[]"));
        assert_eq!(code_for(&e), Exit::BadInput);
    }

    #[test]
    fn invalid_utf8_is_an_error_not_a_panic() {
        let all = read_all(b"{\"a\":\"ok\"}\n{\"a\":\"\xff\xfe\"}\n{\"a\":\"ok\"}\n");
        assert_eq!(all.len(), 3);
        let e = all[1].clone().unwrap_err();
        assert_eq!(e.to_string(), "in.jsonl:2: invalid UTF-8 at column 7");
        assert!(all[2].is_ok());
    }

    #[test]
    fn very_long_lines() {
        let big = "x".repeat(5 << 20);
        let input = format!("{{\"big\":\"{big}\"}}\n{{\"small\":1}}\n");
        let got = lines_and_values(input.as_bytes());
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1["big"].as_str().unwrap().len(), 5 << 20);
        assert_eq!(got[1], (2, json!({"small": 1})));
    }

    /// Hands out one line, then fails: the first record must come out before the failing read
    /// (the reader streams), the error comes once, and the iteration ends.
    struct OneLineThenFail(bool);
    impl Read for OneLineThenFail {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if std::mem::replace(&mut self.0, true) {
                return Err(std::io::Error::other("disk on fire"));
            }
            let line = b"{\"a\":1}\n";
            buf[..line.len()].copy_from_slice(line);
            Ok(line.len())
        }
    }

    #[test]
    fn streams_and_reports_read_errors_once() {
        let mut r = JsonlReader::new("pipe", BufReader::new(OneLineThenFail(false)));
        assert_eq!(r.next().unwrap().unwrap().line, 1);
        let e = r.next().unwrap().unwrap_err();
        assert_eq!(e.to_string(), "pipe:2: reading input: disk on fire");
        assert!(r.next().is_none());
    }

    #[test]
    fn get_str_get_path_and_require_str() {
        let r = read_all(
            br#"{"server_id":"s1","n":3,"empty":"","nil":null,"aws_ec2":{"ec2_instance_id":"i-1","tags":[{"k":"v"}]},"a.b":"dotted"}"#,
        )
        .pop()
        .unwrap()
        .unwrap();
        assert_eq!(r.get_str("server_id"), Some("s1"));
        assert_eq!(r.get_str("n"), None);
        assert_eq!(r.get_str("absent"), None);
        assert_eq!(r.get_str("aws_ec2.ec2_instance_id"), Some("i-1"));
        assert_eq!(r.get_path("aws_ec2.tags.0.k"), Some(&json!("v")));
        assert_eq!(r.get_path("aws_ec2.tags.1"), None);
        assert_eq!(r.get_path("aws_ec2.tags.x"), None);
        assert_eq!(
            r.get_path("aws_ec2"),
            Some(&json!({"ec2_instance_id":"i-1","tags":[{"k":"v"}]}))
        );
        assert_eq!(r.get_path("a.b"), Some(&json!("dotted")));
        assert_eq!(r.get_path("server_id.x"), None);

        assert_eq!(r.require_str("stdin", "server_id"), Ok("s1"));
        assert_eq!(r.require_str("stdin", "aws_ec2.ec2_instance_id"), Ok("i-1"));
        let err = |f: &str| r.require_str("stdin", f).unwrap_err().to_string();
        assert_eq!(
            err("absent"),
            "stdin:1: field `absent`: required field is missing"
        );
        assert_eq!(
            err("n"),
            "stdin:1: field `n`: expected a string, found a number"
        );
        assert_eq!(
            err("empty"),
            "stdin:1: field `empty`: required field is empty"
        );
        assert_eq!(err("nil"), "stdin:1: field `nil`: required field is null");
    }

    #[test]
    fn lookup_through_arrays_and_dotted_keys() {
        let v = json!({"a": {"b.c": {"d": 1}}, "xs": [[10, 20]]});
        assert_eq!(lookup(&v, "a.b.c.d"), Some(&json!(1)));
        assert_eq!(lookup(&v, "xs.0.1"), Some(&json!(20)));
        assert_eq!(lookup(&v, "xs.+0"), None);
        assert_eq!(lookup(&json!(5), "a"), None);
    }

    #[test]
    fn open_a_file_and_name_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.jsonl");
        std::fs::write(&path, "{\"a\":1}\nnope\n").unwrap();
        let mut r = open(Some(&path)).unwrap();
        assert_eq!(r.source_name(), path.display().to_string());
        assert!(r.next().unwrap().is_ok());
        let e = r.next().unwrap().unwrap_err();
        assert_eq!(e.source_name, path.display().to_string());
        assert_eq!(e.line, 2);

        let missing = dir.path().join("missing.jsonl");
        let e = open(Some(&missing)).err().unwrap();
        assert!(
            format!("{e:#}").starts_with(&format!("opening {}: ", missing.display())),
            "{e:#}"
        );
        let e = open(Some(dir.path())).err().unwrap();
        assert_eq!(code_for(&e), Exit::Usage);
        assert!(e.to_string().contains("is a directory"), "{e}");
    }

    #[test]
    fn bad_records_fail_by_default_and_skip_counts_to_exit_4() {
        use crate::exit::Exit;
        let bad = || anyhow::Error::new(only_error(b"{\"a\":"));
        let mut fail = BadRecords::new(OnBadRecord::Fail);
        let e = fail.handle(bad()).unwrap_err();
        assert_eq!(code_for(&e), Exit::BadInput);
        assert_eq!(fail.exit(Exit::Success), Exit::Success);

        let mut skip = BadRecords::new(OnBadRecord::Skip);
        assert_eq!(skip.exit(Exit::Success), Exit::Success);
        skip.handle(bad()).unwrap();
        skip.handle(bad().context("while reading events")).unwrap();
        assert_eq!(skip.skipped(), 2);
        // not a bad record: an API or I/O failure still ends the run
        let other = skip
            .handle(anyhow::anyhow!("GET /v1/events: 500"))
            .unwrap_err();
        assert_eq!(code_for(&other), Exit::Failure);
        assert_eq!(skip.exit(Exit::Success), Exit::Partial);
        assert_eq!(skip.exit(Exit::Partial), Exit::Partial);
        assert_eq!(skip.exit(Exit::Interrupted), Exit::Interrupted);
        assert_eq!(BadRecordArgs::default().on_bad_record, OnBadRecord::Fail);
    }
}
