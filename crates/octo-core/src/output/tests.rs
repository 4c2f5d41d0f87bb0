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
    let cli =
        WithSub::try_parse_from(["t", "list", "-o", "csv", "--no-header", "-c", "a,b"]).unwrap();
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
