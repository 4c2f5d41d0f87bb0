//! Cells of the csv and table formats: a record projected onto its columns, flattened to dotted
//! keys, quoted for CSV, clipped and measured for a table.

use super::*;

pub(super) fn to_strings(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| c.to_string()).collect()
}

/// The record as written by jsonl/json: itself, or with columns exactly those dotted names.
pub(super) fn project<'a>(columns: &[String], v: &'a Value) -> Cow<'a, Value> {
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
pub(super) fn as_object(v: &Value) -> Cow<'_, Value> {
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

pub(super) fn flatten_into(m: &Map<String, Value>, prefix: &str, out: &mut Vec<(String, Value)>) {
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
pub(super) fn csv_text(v: Option<&Value>) -> Cow<'_, str> {
    match v {
        None | Some(Value::Null) => Cow::Borrowed(""),
        Some(Value::String(s)) => Cow::Borrowed(s),
        Some(other) => Cow::Owned(other.to_string()),
    }
}

/// One csv line (RFC 4180 quoting, `\n` line end). A lone empty cell is written as `""` so the
/// line is not mistaken for a blank one.
pub(super) fn csv_line<'a>(cells: impl Iterator<Item = Cow<'a, str>>) -> String {
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
pub(super) fn table_keys(values: &[Value]) -> Vec<String> {
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

pub(super) fn header_cells(columns: &[String]) -> Vec<String> {
    columns.iter().map(|c| clip(&for_terminal(c))).collect()
}

pub(super) fn table_row(columns: &[String], v: &Value) -> Vec<String> {
    columns
        .iter()
        .map(|c| clip(&for_terminal(&csv_text(lookup(v, c)))))
        .collect()
}

/// Cut a cell to [`CELL_MAX`] characters, the last being `…`.
pub(super) fn clip(s: &str) -> String {
    match s.char_indices().nth(CELL_MAX) {
        None => s.to_string(),
        Some(_) => {
            let (cut, _) = s.char_indices().nth(CELL_MAX - 1).unwrap_or((s.len(), ' '));
            format!("{}…", &s[..cut])
        }
    }
}

pub(super) fn width(s: &str) -> usize {
    s.chars().count()
}

/// One table line: cells padded to their column's width, two spaces apart, no trailing spaces.
pub(super) fn table_line(cells: &[String], widths: &[usize]) -> String {
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
