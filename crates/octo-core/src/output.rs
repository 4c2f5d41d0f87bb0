//! Records out: `--format jsonl|json|csv|table` (`-o`), `--columns` (`-c`) and `--no-header`.
//! [`OutputArgs`] are the flags every tool that prints records shares; [`Printer`] is the one
//! writer that owns stdout, built by [`Printer::stdout`] (or [`Printer::stdout_with`] for a
//! command's own [`Defaults`]).
//!
//! - `jsonl`: one compact object per line, in the record's own key order (streamed).
//! - `json`: one pretty array of all records (streamed element by element; `[]` when none).
//! - `csv`: header, then rows; nested objects become dotted columns (`aws_ec2.ec2_instance_id`),
//!   arrays and other nested values compact JSON, null an empty cell. Without `--columns` the
//!   header is the union of all records' fields, so the records are held until [`Printer::finish`].
//! - `table`: aligned columns for a human, cells sanitized ([`crate::sanitize::for_terminal`]) and
//!   cut at 60 characters; held until [`Printer::finish`] so the columns line up.
//!
//! With `--columns`, every format shows exactly those fields, in that order (a missing field is
//! `null` / an empty cell). With [`Printer::set_flush_each`] (`--follow`) csv and table print each
//! record as it comes; without `--columns` their columns are then those of the first record.
//! `--no-header` leaves out the header line of csv and table.
//!
//! Terminal safety: when the sink is a terminal, text from outside cannot reach it raw in any
//! format — table and csv cells go through [`crate::sanitize::for_terminal`], json and jsonl
//! through [`crate::sanitize::json_for_terminal`] (escapes, so still valid JSON of the same
//! value). A pipe gets the bytes unchanged.
//!
//! A closed pipe (`tool | head -1`) turns into [`PipeClosed`], which exits 0 silently.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{self, BufWriter, IsTerminal, Write};

use serde_json::{Map, Value};

use crate::exit::PipeClosed;
use crate::records::lookup;
use crate::sanitize::{for_terminal, json_for_terminal};

/// An output format.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line (default when stdout is not a terminal)
    Jsonl,
    /// One pretty-printed JSON array of all records
    Json,
    /// Comma-separated values with a header row; nested fields as dotted names
    Csv,
    /// Aligned columns for reading (default on a terminal)
    Table,
}

/// The output flags every tool that prints records shares: `-o/--format`, `-c/--columns`,
/// `--no-header`. Global, so they may follow a subcommand.
///
/// `F` is the format's value type: [`Format`] for every tool but fw-graph, whose `--format` also
/// names its pictures (it turns the record formats back into a [`Format`]). A command whose
/// default differs from "table on a terminal, jsonl piped" says so with
/// `#[command(mut_arg("format", |a| a.help(…)))]`.
#[derive(clap::Args, Debug, Clone)]
pub struct OutputArgs<F = Format>
where
    F: clap::ValueEnum + Clone + Send + Sync + 'static,
{
    /// Output format [default: table when stdout is a terminal, jsonl when it is piped]
    #[arg(
        short = 'o',
        long = "format",
        value_enum,
        value_name = "FORMAT",
        global = true
    )]
    pub format: Option<F>,

    /// Only these fields, in this order, in every format: comma-separated field names, dotted
    /// for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)
    #[arg(
        short = 'c',
        long = "columns",
        value_delimiter = ',',
        value_name = "FIELDS",
        global = true
    )]
    pub columns: Vec<String>,

    /// csv and table: leave out the header line
    #[arg(long = "no-header", global = true)]
    pub no_header: bool,
}

impl<F> Default for OutputArgs<F>
where
    F: clap::ValueEnum + Clone + Send + Sync + 'static,
{
    fn default() -> Self {
        OutputArgs {
            format: None,
            columns: Vec::new(),
            no_header: false,
        }
    }
}

impl OutputArgs {
    /// These flags with `format` (e.g. a command that knows the format already).
    pub fn with_format(&self, format: Format) -> OutputArgs {
        OutputArgs {
            format: Some(format),
            ..self.clone()
        }
    }
}

/// What a command prints when the flags do not say: the format on a terminal and on a pipe, and
/// the columns of a table or csv without `--columns` (empty: the records' own fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Defaults<'a> {
    pub terminal: Format,
    pub piped: Format,
    pub table_columns: &'a [&'a str],
    pub csv_columns: &'a [&'a str],
}

impl Defaults<'static> {
    /// Table on a terminal, jsonl piped, the records' own fields.
    pub const RECORDS: Defaults<'static> = Defaults {
        terminal: Format::Table,
        piped: Format::Jsonl,
        table_columns: &[],
        csv_columns: &[],
    };
}

impl<'a> Defaults<'a> {
    /// A table (without `--columns`) shows these fields.
    pub fn table_columns(self, columns: &'a [&'a str]) -> Defaults<'a> {
        Defaults {
            table_columns: columns,
            ..self
        }
    }

    /// csv (without `--columns`) shows these fields.
    pub fn csv_columns(self, columns: &'a [&'a str]) -> Defaults<'a> {
        Defaults {
            csv_columns: columns,
            ..self
        }
    }

    /// The format on a terminal.
    pub fn terminal(self, format: Format) -> Defaults<'a> {
        Defaults {
            terminal: format,
            ..self
        }
    }

    /// The format on a pipe or file.
    pub fn piped(self, format: Format) -> Defaults<'a> {
        Defaults {
            piped: format,
            ..self
        }
    }
}

impl Default for Defaults<'static> {
    fn default() -> Self {
        Defaults::RECORDS
    }
}

/// Longest table cell, in characters (longer ones end in `…`).
const CELL_MAX: usize = 60;
/// Space between table columns.
const GAP: &str = "  ";

/// Writes records to stdout (or any sink) in one [`Format`]. Call [`Printer::finish`] at the end:
/// the buffered formats print there, and it flushes.
pub struct Printer {
    format: Format,
    /// `--columns` (cleaned); for streamed csv/table without them, the first record's fields.
    columns: Vec<String>,
    out: BufWriter<Box<dyn Write + Send>>,
    count: u64,
    flush_each: bool,
    /// The sink is a terminal: every format is sanitized (table always is).
    terminal: bool,
    /// `--no-header`: csv and table print no header line.
    no_header: bool,
    /// Decided at the first record: csv/table print row by row.
    streaming: Option<bool>,
    header_done: bool,
    scratch: Vec<u8>,
    // csv without columns: the union of flattened keys and the rows, until finish
    csv_keys: Vec<String>,
    csv_key_set: HashSet<String>,
    csv_rows: Vec<Vec<(String, Value)>>,
    // table: rows of cells (columns known) or records (columns decided at finish)
    table_rows: Vec<Vec<String>>,
    table_values: Vec<Value>,
    table_widths: Vec<usize>,
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Printer")
            .field("format", &self.format)
            .field("columns", &self.columns)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

/// Map a write error: a closed pipe becomes [`PipeClosed`] (exit 0, silent), anything else keeps
/// its cause under "writing output". For the few writers of stdout that are not a [`Printer`]
/// (a picture, a human report).
pub fn write_error(e: io::Error) -> anyhow::Error {
    if e.kind() == io::ErrorKind::BrokenPipe {
        anyhow::Error::new(PipeClosed)
    } else {
        anyhow::Error::new(e).context("writing output")
    }
}

impl Printer {
    /// The printer for stdout with the usual defaults ([`Defaults::RECORDS`]): `--format` if
    /// given, else table on a terminal and jsonl otherwise.
    pub fn stdout(args: &OutputArgs) -> Printer {
        Printer::stdout_with(args, Defaults::RECORDS)
    }

    /// The printer for stdout with a command's own defaults. Whether stdout is a terminal decides
    /// the default format and the sanitizing.
    pub fn stdout_with(args: &OutputArgs, defaults: Defaults<'_>) -> Printer {
        let stdout = io::stdout();
        let terminal = stdout.is_terminal();
        Printer::to_sink(args, defaults, Box::new(stdout), terminal)
    }

    /// A printer for any sink, with the flags and defaults of [`Printer::stdout_with`];
    /// `terminal` says whether a human's terminal is on the other end (tests say so here).
    pub fn to_sink(
        args: &OutputArgs,
        defaults: Defaults<'_>,
        out: Box<dyn Write + Send>,
        terminal: bool,
    ) -> Printer {
        let format = args.format.unwrap_or(if terminal {
            defaults.terminal
        } else {
            defaults.piped
        });
        let columns = match (args.columns.is_empty(), format) {
            (false, _) => args.columns.clone(),
            (true, Format::Table) => to_strings(defaults.table_columns),
            (true, Format::Csv) => to_strings(defaults.csv_columns),
            (true, _) => Vec::new(),
        };
        let mut p = Printer::new(format, columns, out);
        p.terminal = terminal;
        p.no_header = args.no_header;
        p
    }

    /// A printer writing to `out` (tests, files, other sinks). Column names are trimmed; empty and
    /// repeated ones are dropped.
    pub fn new(format: Format, columns: Vec<String>, out: Box<dyn Write + Send>) -> Printer {
        let mut seen = HashSet::new();
        let columns = columns
            .into_iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty() && seen.insert(c.clone()))
            .collect();
        Printer {
            format,
            columns,
            out: BufWriter::with_capacity(64 * 1024, out),
            count: 0,
            flush_each: false,
            terminal: false,
            no_header: false,
            streaming: None,
            header_done: false,
            scratch: Vec::new(),
            csv_keys: Vec::new(),
            csv_key_set: HashSet::new(),
            csv_rows: Vec::new(),
            table_rows: Vec::new(),
            table_values: Vec::new(),
            table_widths: Vec::new(),
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// Whether the sink is a terminal (what it prints is sanitized).
    pub fn is_terminal(&self) -> bool {
        self.terminal
    }

    /// Records printed so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Flush after every record (`--follow`). Set it before the first record: that is when csv
    /// and table decide to print row by row instead of holding the records until `finish`.
    pub fn set_flush_each(&mut self, on: bool) {
        self.flush_each = on;
    }

    /// Print one record (normally a JSON object; any other value is shown as a field `value` in
    /// csv and table).
    pub fn record(&mut self, v: &Value) -> anyhow::Result<()> {
        if self.streaming.is_none() {
            self.start(v);
        }
        match self.format {
            Format::Jsonl => {
                let v = project(&self.columns, v);
                self.scratch.clear();
                crate::json::write_compact(&mut self.scratch, &v);
                self.scratch.push(b'\n');
                self.write_json_scratch()?;
            }
            Format::Json => {
                let v = project(&self.columns, v);
                let pretty = serde_json::to_vec_pretty(&*v)?;
                self.scratch.clear();
                self.scratch
                    .extend_from_slice(if self.count == 0 { b"[\n" } else { b",\n" });
                for (i, line) in pretty.split(|b| *b == b'\n').enumerate() {
                    if i > 0 {
                        self.scratch.push(b'\n');
                    }
                    self.scratch.extend_from_slice(b"  ");
                    self.scratch.extend_from_slice(line);
                }
                self.write_json_scratch()?;
            }
            Format::Csv if self.columns.is_empty() => {
                let row = flatten(&as_object(v));
                for (k, _) in &row {
                    if self.csv_key_set.insert(k.clone()) {
                        self.csv_keys.push(k.clone());
                    }
                }
                self.csv_rows.push(row);
            }
            Format::Csv => {
                if !self.header_done {
                    self.csv_header()?;
                }
                let v = as_object(v);
                let line = csv_line(self.columns.iter().map(|c| self.csv_cell(lookup(&v, c))));
                self.out.write_all(line.as_bytes()).map_err(write_error)?;
            }
            Format::Table if self.columns.is_empty() => self.table_values.push(v.clone()),
            Format::Table => {
                let row = table_row(&self.columns, &as_object(v));
                if self.streaming == Some(true) {
                    self.table_stream_row(row)?;
                } else {
                    self.table_rows.push(row);
                }
            }
        }
        self.count += 1;
        if self.flush_each {
            self.flush()?;
        }
        Ok(())
    }

    /// Write the JSON text in `scratch`: as it is to a pipe, escaped for a terminal.
    fn write_json_scratch(&mut self) -> anyhow::Result<()> {
        if self.terminal {
            // serde_json wrote it: valid UTF-8
            let text = String::from_utf8_lossy(&self.scratch);
            let safe = json_for_terminal(&text);
            self.out.write_all(safe.as_bytes()).map_err(write_error)
        } else {
            self.out.write_all(&self.scratch).map_err(write_error)
        }
    }

    /// At the first record: decide whether csv/table stream, and if they do without `--columns`,
    /// take the first record's fields as the columns.
    fn start(&mut self, first: &Value) {
        let streaming = self.flush_each && matches!(self.format, Format::Csv | Format::Table);
        if streaming && self.columns.is_empty() {
            let first = as_object(first);
            self.columns = match self.format {
                Format::Csv => flatten(&first).into_iter().map(|(k, _)| k).collect(),
                _ => table_keys(std::slice::from_ref(&*first)),
            };
        }
        self.streaming = Some(streaming);
    }

    /// Flush what has been written so far to the sink.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        self.out.flush().map_err(write_error)
    }

    /// Print what the format holds back (the json array's end, buffered csv and table), then flush.
    pub fn finish(mut self) -> anyhow::Result<()> {
        match self.format {
            Format::Jsonl => {}
            Format::Json => {
                let end: &[u8] = if self.count == 0 { b"[]\n" } else { b"\n]\n" };
                self.out.write_all(end).map_err(write_error)?;
            }
            Format::Csv if !self.columns.is_empty() => {
                if !self.header_done {
                    self.csv_header()?;
                }
            }
            Format::Csv => self.csv_finish()?,
            Format::Table => self.table_finish()?,
        }
        self.flush()
    }

    fn csv_cell<'a>(&self, v: Option<&'a Value>) -> Cow<'a, str> {
        let cell = csv_text(v);
        match (self.terminal, cell) {
            (true, Cow::Borrowed(s)) => for_terminal(s),
            (true, Cow::Owned(s)) => Cow::Owned(for_terminal(&s).into_owned()),
            (false, cell) => cell,
        }
    }

    fn csv_header(&mut self) -> anyhow::Result<()> {
        if self.no_header {
            self.header_done = true;
            return Ok(());
        }
        let line = csv_line(self.columns.iter().map(|c| self.sanitize_if_terminal(c)));
        self.header_done = true;
        self.out.write_all(line.as_bytes()).map_err(write_error)
    }

    fn sanitize_if_terminal<'a>(&self, s: &'a str) -> Cow<'a, str> {
        if self.terminal {
            for_terminal(s)
        } else {
            Cow::Borrowed(s)
        }
    }

    fn csv_finish(&mut self) -> anyhow::Result<()> {
        if self.csv_keys.is_empty() {
            return Ok(());
        }
        if !self.no_header {
            let header = csv_line(self.csv_keys.iter().map(|k| self.sanitize_if_terminal(k)));
            self.out.write_all(header.as_bytes()).map_err(write_error)?;
        }
        let rows = std::mem::take(&mut self.csv_rows);
        for row in &rows {
            let line = csv_line(self.csv_keys.iter().map(|k| {
                // first occurrence wins when a dotted key and a nested path collide
                let v = row.iter().find(|(rk, _)| rk == k).map(|(_, v)| v);
                self.csv_cell(v)
            }));
            self.out.write_all(line.as_bytes()).map_err(write_error)?;
        }
        Ok(())
    }

    fn table_finish(&mut self) -> anyhow::Result<()> {
        if self.streaming == Some(true) {
            if !self.header_done && !self.columns.is_empty() && !self.no_header {
                let header = header_cells(&self.columns);
                self.table_widths = header.iter().map(|c| width(c)).collect();
                self.table_stream_line(header)?;
            }
            return Ok(());
        }
        if self.columns.is_empty() {
            if self.table_values.is_empty() {
                return Ok(());
            }
            self.columns = table_keys(&self.table_values);
            let values = std::mem::take(&mut self.table_values);
            self.table_rows = values
                .iter()
                .map(|v| table_row(&self.columns, &as_object(v)))
                .collect();
        }
        let header = (!self.no_header).then(|| header_cells(&self.columns));
        let mut widths: Vec<usize> = match &header {
            Some(h) => h.iter().map(|c| width(c)).collect(),
            None => vec![0; self.columns.len()],
        };
        for row in &self.table_rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        let mut text = header.map_or_else(String::new, |h| table_line(&h, &widths));
        for row in &self.table_rows {
            text.push_str(&table_line(row, &widths));
        }
        self.out.write_all(text.as_bytes()).map_err(write_error)
    }

    /// `--follow` table: the header with the first row, columns as wide as the header and that
    /// row, growing (for later rows) when a cell does not fit.
    fn table_stream_row(&mut self, row: Vec<String>) -> anyhow::Result<()> {
        if !self.header_done {
            let header = header_cells(&self.columns);
            self.table_widths = header
                .iter()
                .zip(&row)
                .map(|(h, c)| if self.no_header { 0 } else { width(h) }.max(width(c)))
                .collect();
            if !self.no_header {
                self.table_stream_line(header)?;
            }
        }
        self.table_stream_line(row)
    }

    fn table_stream_line(&mut self, cells: Vec<String>) -> anyhow::Result<()> {
        let line = table_line(&cells, &self.table_widths);
        for (w, cell) in self.table_widths.iter_mut().zip(&cells) {
            *w = (*w).max(width(cell));
        }
        self.header_done = true;
        self.out.write_all(line.as_bytes()).map_err(write_error)
    }
}

/// `records` printed with these flags and defaults as for a pipe (no sanitizing beyond a
/// table's), into memory: for a file written in one go (e.g. atomically).
pub fn to_vec(
    args: &OutputArgs,
    defaults: Defaults<'_>,
    records: &[Value],
) -> anyhow::Result<Vec<u8>> {
    let sink = MemSink::default();
    let mut p = Printer::to_sink(args, defaults, Box::new(sink.clone()), false);
    for r in records {
        p.record(r)?;
    }
    p.finish()?;
    Ok(sink.take())
}

/// A sink whose bytes are read back after the printer is gone.
#[derive(Clone, Default)]
struct MemSink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl MemSink {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Write for MemSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn to_strings(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| c.to_string()).collect()
}

/// The record as written by jsonl/json: itself, or with columns exactly those dotted names.
fn project<'a>(columns: &[String], v: &'a Value) -> Cow<'a, Value> {
    if columns.is_empty() {
        return Cow::Borrowed(v);
    }
    let map: Map<String, Value> = columns
        .iter()
        .map(|c| (c.clone(), lookup(v, c).cloned().unwrap_or(Value::Null)))
        .collect();
    Cow::Owned(Value::Object(map))
}

/// A record as an object for csv/table: a non-object becomes `{"value": v}`.
fn as_object(v: &Value) -> Cow<'_, Value> {
    if v.is_object() {
        Cow::Borrowed(v)
    } else {
        let mut m = Map::new();
        m.insert("value".to_string(), v.clone());
        Cow::Owned(Value::Object(m))
    }
}

/// Flatten nested objects into dotted names, in key order: `{"a":{"b":1},"c":[1]}` →
/// `[("a.b", 1), ("c", [1])]`. Arrays, scalars and empty objects are leaves. A value that is not
/// an object flattens to one pair with an empty name.
pub fn flatten(v: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    match v {
        Value::Object(m) => flatten_into(m, "", &mut out),
        other => out.push((String::new(), other.clone())),
    }
    out
}

fn flatten_into(m: &Map<String, Value>, prefix: &str, out: &mut Vec<(String, Value)>) {
    for (k, v) in m {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(inner) if !inner.is_empty() => flatten_into(inner, &key, out),
            _ => out.push((key, v.clone())),
        }
    }
}

/// A csv cell: null or missing empty, strings as they are, anything else as compact JSON.
fn csv_text(v: Option<&Value>) -> Cow<'_, str> {
    match v {
        None | Some(Value::Null) => Cow::Borrowed(""),
        Some(Value::String(s)) => Cow::Borrowed(s),
        Some(other) => Cow::Owned(other.to_string()),
    }
}

/// One csv line (RFC 4180 quoting, `\n` line end). A lone empty cell is written as `""` so the
/// line is not mistaken for a blank one.
fn csv_line<'a>(cells: impl Iterator<Item = Cow<'a, str>>) -> String {
    let cells: Vec<Cow<'a, str>> = cells.collect();
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        let lone_empty = cells.len() == 1 && cell.is_empty();
        if lone_empty || cell.contains([',', '"', '\n', '\r']) {
            line.push('"');
            line.push_str(&cell.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(cell);
        }
    }
    line.push('\n');
    line
}

/// Default table columns: the union of top-level fields holding a scalar, in first-seen order;
/// failing that (only nested fields), the union of flattened names.
fn table_keys(values: &[Value]) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut keys = Vec::new();
    for v in values {
        if let Value::Object(m) = &*as_object(v) {
            for (k, field) in m {
                if !field.is_object() && !field.is_array() && seen.insert(k.clone()) {
                    keys.push(k.clone());
                }
            }
        }
    }
    if keys.is_empty() {
        for v in values {
            for (k, _) in flatten(&as_object(v)) {
                if seen.insert(k.clone()) {
                    keys.push(k);
                }
            }
        }
    }
    keys
}

fn header_cells(columns: &[String]) -> Vec<String> {
    columns.iter().map(|c| clip(&for_terminal(c))).collect()
}

fn table_row(columns: &[String], v: &Value) -> Vec<String> {
    columns
        .iter()
        .map(|c| clip(&for_terminal(&csv_text(lookup(v, c)))))
        .collect()
}

/// Cut a cell to [`CELL_MAX`] characters, the last being `…`.
fn clip(s: &str) -> String {
    match s.char_indices().nth(CELL_MAX) {
        None => s.to_string(),
        Some(_) => {
            let (cut, _) = s.char_indices().nth(CELL_MAX - 1).unwrap_or((s.len(), ' '));
            format!("{}…", &s[..cut])
        }
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// One table line: cells padded to their column's width, two spaces apart, no trailing spaces.
fn table_line(cells: &[String], widths: &[usize]) -> String {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push_str(GAP);
        }
        let w = widths.get(i).copied().unwrap_or(0);
        let _ = write!(line, "{cell:<w$}");
    }
    let trimmed = line.trim_end_matches(' ').len();
    line.truncate(trimmed);
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::{Exit, code_for};
    use clap::{CommandFactory, Parser};
    use serde_json::json;

    type Shared = MemSink;
    impl MemSink {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    fn cols(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| s.to_string()).collect()
    }

    fn print(format: Format, columns: &[&str], records: &[Value]) -> String {
        let sink = Shared::default();
        let mut p = Printer::new(format, cols(columns), Box::new(sink.clone()));
        for r in records {
            p.record(r).unwrap();
        }
        assert_eq!(p.count(), records.len() as u64);
        p.finish().unwrap();
        sink.text()
    }

    fn servers() -> Vec<Value> {
        vec![
            json!({"id": "s1", "hostname": "web-01", "aws_ec2": {"ec2_instance_id": "i-1", "ec2_region": "us-east-1"}, "tags": ["a", "b"], "up": true}),
            json!({"id": "s2", "hostname": "db, \"primary\"\nrack 2", "kernel": 5.4, "aws_ec2": null}),
        ]
    }

    #[test]
    fn jsonl_keeps_records_and_key_order() {
        let out = print(Format::Jsonl, &[], &servers());
        assert_eq!(
            out,
            concat!(
                r#"{"id":"s1","hostname":"web-01","aws_ec2":{"ec2_instance_id":"i-1","ec2_region":"us-east-1"},"tags":["a","b"],"up":true}"#,
                "\n",
                r#"{"id":"s2","hostname":"db, \"primary\"\nrack 2","kernel":5.4,"aws_ec2":null}"#,
                "\n"
            )
        );
        assert_eq!(print(Format::Jsonl, &[], &[]), "");
    }

    #[test]
    fn jsonl_with_columns_projects_dotted_names() {
        let out = print(
            Format::Jsonl,
            &["aws_ec2.ec2_instance_id", "id", "missing"],
            &servers(),
        );
        assert_eq!(
            out,
            concat!(
                r#"{"aws_ec2.ec2_instance_id":"i-1","id":"s1","missing":null}"#,
                "\n",
                r#"{"aws_ec2.ec2_instance_id":null,"id":"s2","missing":null}"#,
                "\n"
            )
        );
    }

    #[test]
    fn json_is_one_pretty_array() {
        let records = servers();
        let out = print(Format::Json, &[], &records);
        assert_eq!(out, serde_json::to_string_pretty(&records).unwrap() + "\n");
        assert!(out.starts_with("[\n  {\n    \"id\": \"s1\",\n"), "{out}");
        assert_eq!(print(Format::Json, &[], &[]), "[]\n");
        assert_eq!(print(Format::Json, &[], &[json!({})]), "[\n  {}\n]\n");
        let out = print(Format::Json, &["id", "aws_ec2.ec2_region"], &records);
        assert_eq!(
            out,
            "[\n  {\n    \"id\": \"s1\",\n    \"aws_ec2.ec2_region\": \"us-east-1\"\n  },\n  \
             {\n    \"id\": \"s2\",\n    \"aws_ec2.ec2_region\": null\n  }\n]\n"
        );
    }

    #[test]
    fn csv_flattens_the_union_of_fields_and_quotes() {
        let out = print(Format::Csv, &[], &servers());
        assert_eq!(
            out,
            "id,hostname,aws_ec2.ec2_instance_id,aws_ec2.ec2_region,tags,up,kernel,aws_ec2\n\
             s1,web-01,i-1,us-east-1,\"[\"\"a\"\",\"\"b\"\"]\",true,,\n\
             s2,\"db, \"\"primary\"\"\nrack 2\",,,,,5.4,\n"
        );
        assert_eq!(print(Format::Csv, &[], &[]), "");
    }

    #[test]
    fn csv_with_columns_streams_and_fills_missing() {
        let out = print(
            Format::Csv,
            &["hostname", "aws_ec2.ec2_instance_id", "aws_ec2", "tags"],
            &servers(),
        );
        assert_eq!(
            out,
            "hostname,aws_ec2.ec2_instance_id,aws_ec2,tags\n\
             web-01,i-1,\"{\"\"ec2_instance_id\"\":\"\"i-1\"\",\"\"ec2_region\"\":\"\"us-east-1\"\"}\",\"[\"\"a\"\",\"\"b\"\"]\"\n\
             \"db, \"\"primary\"\"\nrack 2\",,,\n"
        );
        // header even without records; a lone empty cell is quoted
        assert_eq!(print(Format::Csv, &["a"], &[]), "a\n");
        assert_eq!(print(Format::Csv, &["a"], &[json!({"b": 1})]), "a\n\"\"\n");
        // trimmed, deduplicated, empty names dropped
        assert_eq!(
            print(Format::Csv, &[" id", "", "id"], &servers()),
            "id\ns1\ns2\n"
        );
    }

    #[test]
    fn csv_cells_with_crlf_and_leading_quotes() {
        let out = print(
            Format::Csv,
            &[],
            &[json!({"m": "a\r\nb", "q": "\"x", "n": -1, "e": {}})],
        );
        assert_eq!(out, "m,q,n,e\n\"a\r\nb\",\"\"\"x\",-1,{}\n");
    }

    #[test]
    fn table_aligns_sanitizes_and_truncates() {
        let long = "x".repeat(70);
        let records = vec![
            json!({"id": "s1", "hostname": "web-01\x1b[31m", "note": long, "aws_ec2": {"id": "i-1"}}),
            json!({"id": "s22", "hostname": "é", "note": "a\tb", "extra": 1}),
        ];
        let out = print(Format::Table, &[], &records);
        let cut = format!("{}…", "x".repeat(59));
        let expected = format!(
            "id   hostname        note{pad}  extra\n\
             s1   web-01\\x1b[31m  {cut}\n\
             s22  é               a\\tb{pad2}  1\n",
            pad = " ".repeat(56),
            pad2 = " ".repeat(56),
        );
        assert_eq!(out, expected);
        // the header is as wide as its column; by characters, not bytes
        assert_eq!(width(&cut), 60);
    }

    #[test]
    fn table_with_columns_and_empty_tables() {
        let out = print(
            Format::Table,
            &["aws_ec2.ec2_instance_id", "hostname"],
            &servers(),
        );
        assert_eq!(
            out,
            "aws_ec2.ec2_instance_id  hostname\n\
             i-1                      web-01\n\
             \x20                        db, \"primary\"\\nrack 2\n"
        );
        assert_eq!(print(Format::Table, &[], &[]), "");
        assert_eq!(print(Format::Table, &["id", "name"], &[]), "id  name\n");
        // only nested fields: fall back to flattened names; non-objects are a `value` column
        assert_eq!(
            print(Format::Table, &[], &[json!({"a": {"b": 1}})]),
            "a.b\n1\n"
        );
        assert_eq!(
            print(Format::Table, &[], &[json!(3), json!("x")]),
            "value\n3\nx\n"
        );
    }

    #[test]
    fn follow_mode_streams_csv_and_table_rows() {
        let sink = Shared::default();
        let mut p = Printer::new(Format::Table, vec![], Box::new(sink.clone()));
        p.set_flush_each(true);
        p.record(&json!({"id": "s1", "n": 1, "nested": {"x": 1}}))
            .unwrap();
        assert_eq!(sink.text(), "id  n\ns1  1\n");
        p.record(&json!({"id": "longer", "other": 2})).unwrap();
        assert_eq!(sink.text(), "id  n\ns1  1\nlonger\n");
        p.finish().unwrap();

        let sink = Shared::default();
        let mut p = Printer::new(Format::Csv, vec![], Box::new(sink.clone()));
        p.set_flush_each(true);
        p.record(&json!({"id": "s1", "a": {"b": 2}})).unwrap();
        assert_eq!(sink.text(), "id,a.b\ns1,2\n");
        p.record(&json!({"a": {"b": 3}, "id": "s2", "new": 1}))
            .unwrap();
        assert_eq!(sink.text(), "id,a.b\ns1,2\ns2,3\n");

        let sink = Shared::default();
        let mut p = Printer::new(Format::Jsonl, vec![], Box::new(sink.clone()));
        p.set_flush_each(true);
        p.record(&json!({"a": 1})).unwrap();
        assert_eq!(sink.text(), "{\"a\":1}\n");
    }

    #[test]
    fn buffered_formats_print_at_finish() {
        let sink = Shared::default();
        let mut p = Printer::new(Format::Jsonl, vec![], Box::new(sink.clone()));
        p.record(&json!({"a": 1})).unwrap();
        assert_eq!(sink.text(), "", "jsonl is buffered until a flush");
        p.flush().unwrap();
        assert_eq!(sink.text(), "{\"a\":1}\n");
        assert_eq!(p.format(), Format::Jsonl);
    }

    #[test]
    fn flatten_names_and_leaves() {
        let v = json!({"a": {"b": {"c": 1}, "d": [1, {"e": 2}]}, "f": null, "g": {}});
        assert_eq!(
            flatten(&v),
            vec![
                ("a.b.c".to_string(), json!(1)),
                ("a.d".to_string(), json!([1, {"e": 2}])),
                ("f".to_string(), json!(null)),
                ("g".to_string(), json!({})),
            ]
        );
        assert_eq!(flatten(&json!(5)), vec![(String::new(), json!(5))]);
        assert!(flatten(&json!({})).is_empty());
    }

    /// Fails every write and flush with `kind`.
    struct Failing(io::ErrorKind);
    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(self.0))
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::from(self.0))
        }
    }

    #[test]
    fn broken_pipe_is_pipe_closed_other_errors_are_failures() {
        for format in [Format::Jsonl, Format::Json, Format::Csv, Format::Table] {
            let mut p = Printer::new(format, vec![], Box::new(Failing(io::ErrorKind::BrokenPipe)));
            p.record(&json!({"a": 1})).unwrap();
            let e = p.finish().unwrap_err();
            assert!(e.is::<PipeClosed>(), "{format:?}: {e:#}");
            assert_eq!(code_for(&e), Exit::Success);
        }
        let mut p = Printer::new(
            Format::Jsonl,
            vec![],
            Box::new(Failing(io::ErrorKind::BrokenPipe)),
        );
        p.set_flush_each(true);
        let e = p.record(&json!({"a": 1})).unwrap_err();
        assert!(e.is::<PipeClosed>(), "{e:#}");

        let p = Printer::new(
            Format::Json,
            vec![],
            Box::new(Failing(io::ErrorKind::PermissionDenied)),
        );
        let e = p.finish().unwrap_err();
        assert_eq!(code_for(&e), Exit::Failure);
        assert!(format!("{e:#}").starts_with("writing output: "), "{e:#}");
    }

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        output: OutputArgs,
    }

    #[test]
    fn printer_can_move_to_another_thread() {
        fn is_send<T: Send>() {}
        is_send::<Printer>();
    }

    #[test]
    fn flags() {
        let cli = Cli::try_parse_from([
            "t",
            "-o",
            "csv",
            "-c",
            "id,aws_ec2.ec2_instance_id",
            "--columns",
            "x",
        ])
        .unwrap();
        assert_eq!(cli.output.format, Some(Format::Csv));
        assert_eq!(cli.output.columns, ["id", "aws_ec2.ec2_instance_id", "x"]);
        let cli = Cli::try_parse_from(["t", "--format", "table"]).unwrap();
        assert_eq!(cli.output.format, Some(Format::Table));
        assert!(Cli::try_parse_from(["t", "-o", "yaml"]).is_err());
        let cli = Cli::try_parse_from(["t"]).unwrap();
        assert_eq!((cli.output.format, cli.output.columns.len()), (None, 0));
        assert!(!cli.output.no_header);
        let cli = Cli::try_parse_from(["t", "--no-header"]).unwrap();
        assert!(cli.output.no_header);
    }

    /// Print `records` through [`Printer::to_sink`] with these flags, to a "terminal" or a pipe.
    fn print_to(
        args: &OutputArgs,
        defaults: Defaults<'_>,
        terminal: bool,
        records: &[Value],
    ) -> String {
        let sink = Shared::default();
        let mut p = Printer::to_sink(args, defaults, Box::new(sink.clone()), terminal);
        assert_eq!(p.is_terminal(), terminal);
        for r in records {
            p.record(r).unwrap();
        }
        p.finish().unwrap();
        sink.text()
    }

    fn args(format: Option<Format>, columns: &[&str], no_header: bool) -> OutputArgs {
        OutputArgs {
            format,
            columns: cols(columns),
            no_header,
        }
    }

    /// A hostile record: an escape sequence, a one-character CSI, a bidi override, a newline.
    fn hostile() -> Value {
        json!({"id": "s1", "hostname": "web\u{1b}]0;owned\u{7}\u{9b}2J\u{202e}gpj.exe", "msg": "a\nb"})
    }

    /// No raw control, C1 or bidi character (a newline between lines is fine).
    fn assert_terminal_safe(text: &str) {
        let bad = text.chars().find(|&c| {
            c != '\n'
                && matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        });
        assert_eq!(bad, None, "raw {bad:?} in {text:?}");
    }

    #[test]
    fn a_terminal_never_gets_raw_control_characters_in_any_format() {
        let rec = hostile();
        for format in [Format::Jsonl, Format::Json, Format::Csv, Format::Table] {
            let out = print_to(
                &args(Some(format), &[], false),
                Defaults::RECORDS,
                true,
                std::slice::from_ref(&rec),
            );
            assert_terminal_safe(&out);
        }
        // json stays valid JSON with the very same value
        let out = print_to(
            &args(Some(Format::Jsonl), &[], false),
            Defaults::RECORDS,
            true,
            std::slice::from_ref(&rec),
        );
        assert_eq!(
            out,
            "{\"id\":\"s1\",\"hostname\":\"web\\u001b]0;owned\\u0007\\u009b2J\\u202egpj.exe\",\"msg\":\"a\\nb\"}\n"
        );
        assert_eq!(serde_json::from_str::<Value>(out.trim_end()).unwrap(), rec);
        let out = print_to(
            &args(Some(Format::Json), &[], false),
            Defaults::RECORDS,
            true,
            std::slice::from_ref(&rec),
        );
        assert_eq!(
            serde_json::from_str::<Value>(&out).unwrap(),
            json!([rec.clone()])
        );
        // csv: the cells are escaped visibly (one line per record)
        let out = print_to(
            &args(Some(Format::Csv), &[], false),
            Defaults::RECORDS,
            true,
            std::slice::from_ref(&rec),
        );
        assert_eq!(
            out,
            "id,hostname,msg\ns1,web\\x1b]0;owned\\x07\\u{9b}2J\\u{202e}gpj.exe,a\\nb\n"
        );
        // the default on a terminal is a table
        let out = print_to(&OutputArgs::default(), Defaults::RECORDS, true, &[rec]);
        assert_eq!(
            out,
            "id  hostname                                    msg\n\
             s1  web\\x1b]0;owned\\x07\\u{9b}2J\\u{202e}gpj.exe  a\\nb\n"
        );
    }

    #[test]
    fn a_pipe_gets_the_raw_bytes_in_every_format() {
        let rec = hostile();
        let raw_json = serde_json::to_string(&rec).unwrap();
        for (format, expected) in [
            (Format::Jsonl, format!("{raw_json}\n")),
            (
                Format::Json,
                serde_json::to_string_pretty(&json!([rec.clone()])).unwrap() + "\n",
            ),
            (
                Format::Csv,
                "id,hostname,msg\ns1,web\u{1b}]0;owned\u{7}\u{9b}2J\u{202e}gpj.exe,\"a\nb\"\n"
                    .to_string(),
            ),
        ] {
            let out = print_to(
                &args(Some(format), &[], false),
                Defaults::RECORDS,
                false,
                std::slice::from_ref(&rec),
            );
            assert_eq!(out, expected, "{format:?}");
            assert_eq!(
                out,
                print(format, &[], std::slice::from_ref(&rec)),
                "{format:?}: same as Printer::new"
            );
        }
        // the default on a pipe is jsonl, byte for byte serde_json's
        let out = print_to(
            &OutputArgs::default(),
            Defaults::RECORDS,
            false,
            std::slice::from_ref(&rec),
        );
        assert_eq!(out, format!("{raw_json}\n"));
        // a table is for reading wherever it goes: always sanitized
        let out = print_to(
            &args(Some(Format::Table), &[], false),
            Defaults::RECORDS,
            false,
            &[rec],
        );
        assert_terminal_safe(&out);
    }

    #[test]
    fn no_header_for_csv_and_table() {
        let recs = servers();
        let out = print_to(
            &args(Some(Format::Csv), &["id", "hostname"], true),
            Defaults::RECORDS,
            false,
            &recs,
        );
        assert_eq!(out, "s1,web-01\ns2,\"db, \"\"primary\"\"\nrack 2\"\n");
        let out = print_to(
            &args(Some(Format::Csv), &[], true),
            Defaults::RECORDS,
            false,
            &recs[..1],
        );
        assert_eq!(
            out,
            "s1,web-01,i-1,us-east-1,\"[\"\"a\"\",\"\"b\"\"]\",true\n"
        );
        // widths come from the rows alone
        let out = print_to(
            &args(Some(Format::Table), &["id", "aws_ec2.ec2_region"], true),
            Defaults::RECORDS,
            true,
            &recs,
        );
        assert_eq!(out, "s1  us-east-1\ns2\n");
        let out = print_to(
            &args(Some(Format::Table), &["id"], true),
            Defaults::RECORDS,
            true,
            &[],
        );
        assert_eq!(out, "");
        // jsonl and json have no header to leave out
        let out = print_to(
            &args(Some(Format::Jsonl), &["id"], true),
            Defaults::RECORDS,
            false,
            &recs[..1],
        );
        assert_eq!(out, "{\"id\":\"s1\"}\n");
        // streamed (--follow) table and csv
        for (format, expected) in [
            (Format::Table, "s1  1\nlonger  2\n"),
            (Format::Csv, "s1,1\nlonger,2\n"),
        ] {
            let sink = Shared::default();
            let mut p = Printer::to_sink(
                &args(Some(format), &[], true),
                Defaults::RECORDS,
                Box::new(sink.clone()),
                true,
            );
            p.set_flush_each(true);
            p.record(&json!({"id": "s1", "n": 1})).unwrap();
            p.record(&json!({"id": "longer", "n": 2})).unwrap();
            p.finish().unwrap();
            assert_eq!(sink.text(), expected, "{format:?}");
        }
    }

    #[test]
    fn defaults_pick_format_and_columns() {
        let recs = servers();
        let d = Defaults::RECORDS
            .piped(Format::Csv)
            .terminal(Format::Json)
            .table_columns(&["hostname"])
            .csv_columns(&["id"]);
        assert_eq!(
            print_to(&OutputArgs::default(), d, false, &recs),
            "id\ns1\ns2\n"
        );
        assert_eq!(
            print_to(&OutputArgs::default(), d, true, &recs[..1]),
            "[\n  {\n    \"id\": \"s1\",\n    \"hostname\": \"web-01\",\n    \"aws_ec2\": {\n      \"ec2_instance_id\": \"i-1\",\n      \"ec2_region\": \"us-east-1\"\n    },\n    \"tags\": [\n      \"a\",\n      \"b\"\n    ],\n    \"up\": true\n  }\n]\n"
        );
        assert_eq!(
            print_to(&args(Some(Format::Table), &[], false), d, true, &recs),
            "hostname\nweb-01\ndb, \"primary\"\\nrack 2\n"
        );
        // -c wins over the defaults; json and jsonl never get default columns
        assert_eq!(
            print_to(&args(Some(Format::Table), &["id"], false), d, true, &recs),
            "id\ns1\ns2\n"
        );
        assert_eq!(
            print_to(&args(Some(Format::Jsonl), &[], false), d, false, &recs[..1]),
            print(Format::Jsonl, &[], &recs[..1])
        );
        assert_eq!(Defaults::default(), Defaults::RECORDS);
        assert_eq!(
            to_vec(&args(Some(Format::Csv), &[], true), d, &recs).unwrap(),
            b"s1\ns2\n"
        );
        assert_eq!(
            to_vec(&OutputArgs::default(), d, &recs).unwrap(),
            b"id\ns1\ns2\n"
        );
        assert_eq!(
            OutputArgs::default().with_format(Format::Csv).format,
            Some(Format::Csv)
        );
    }

    #[derive(Parser, Debug)]
    struct WithSub {
        #[command(flatten)]
        output: OutputArgs,
        #[command(subcommand)]
        cmd: Option<Sub>,
    }

    #[derive(clap::Subcommand, Debug)]
    enum Sub {
        List,
    }

    #[test]
    fn flags_may_follow_a_subcommand() {
        let cli = WithSub::try_parse_from(["t", "list", "-o", "csv", "--no-header", "-c", "a,b"])
            .unwrap();
        assert_eq!(cli.output.format, Some(Format::Csv));
        assert!(cli.output.no_header);
        assert_eq!(cli.output.columns, ["a", "b"]);
        assert!(matches!(cli.cmd, Some(Sub::List)));
        WithSub::command().debug_assert();
    }

    /// A tool's own format type (fw-graph: pictures and records).
    #[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
    enum Picture {
        Svg,
        Jsonl,
    }

    #[derive(Parser, Debug)]
    struct PictureCli {
        #[command(flatten)]
        output: OutputArgs<Picture>,
    }

    #[test]
    fn the_format_type_may_be_a_tools_own() {
        let cli = PictureCli::try_parse_from(["t", "-o", "svg", "-c", "x"]).unwrap();
        assert_eq!(cli.output.format, Some(Picture::Svg));
        assert!(PictureCli::try_parse_from(["t", "-o", "csv"]).is_err());
        assert_eq!(OutputArgs::<Picture>::default().format, None);
    }
}
