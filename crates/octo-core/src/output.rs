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

mod cells;
pub use cells::flatten;
use cells::*;

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

#[cfg(test)]
mod tests;
