//! One page of a Halo list: its URL, its items checked one by one, the link to the next page,
//! and the completeness check that proves a list was read whole (or fails naming the endpoint).

use super::*;

/// `path?k=v&…&per_page=100` (values percent-encoded).
pub fn list_url(path: &str, params: &[(&str, String)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        q.append_pair(k, v);
    }
    if !params.iter().any(|(k, _)| *k == "per_page") {
        q.append_pair("per_page", "100");
    }
    format!("{path}?{}", q.finish())
}

pub(super) fn parse_body(method: &Method, target: &str, body: &[u8]) -> anyhow::Result<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    crate::json::parse(body)
        .with_context(|| format!("{method} {target}: the API answered with invalid JSON"))
}

/// One page of a list as [`HaloClient::list`] reads it: its `count` (a whole number or absent),
/// its items under `key`, and its `next` link — an error the reader reports after the page's
/// items. Public for the fuzz targets (octo-fuzz), which hold it to the time-series reader's.
#[doc(hidden)]
pub struct ListPage {
    pub count: Option<Value>,
    pub items: Vec<Value>,
    pub next: anyhow::Result<Option<String>>,
}

#[doc(hidden)]
pub fn read_list_page(body: &[u8], key: &str, target: &str) -> anyhow::Result<ListPage> {
    let mut page: Value = parse_body(&Method::GET, target, body)?;
    let count = page.get("count").cloned();
    Completeness::new(target).announced(count.as_ref(), target)?;
    let items = take_items(&mut page, key, target)?;
    Ok(ListPage {
        count,
        items,
        next: next_link(page.get("pagination"), target),
    })
}

pub(super) fn take_items(page: &mut Value, key: &str, target: &str) -> anyhow::Result<Vec<Value>> {
    let count = page.get("count").and_then(Value::as_u64);
    match page.get_mut(key).map(Value::take) {
        Some(Value::Array(items)) => Ok(items),
        Some(Value::Null) if count.unwrap_or(0) == 0 => Ok(Vec::new()),
        Some(Value::Null) => anyhow::bail!(
            "GET {target}: `{key}` is null although the API counts {} items",
            count.unwrap_or(0)
        ),
        None if count == Some(0) => Ok(Vec::new()),
        None => anyhow::bail!("GET {target}: response has no `{key}` list"),
        Some(_) => anyhow::bail!("GET {target}: `{key}` is not a list"),
    }
}

/// What every Halo object read from the API must be: a JSON object whose `id`, when it has one,
/// is a string (every Halo object's id is). Anything else (a `null` or number list item, fields
/// of the wrong type) is an error naming `what` and the endpoint, not a record to print.
pub(crate) fn check_item(item: &Value, what: &str, target: &str) -> anyhow::Result<()> {
    let Some(obj) = item.as_object() else {
        anyhow::bail!(
            "GET {target}: {what} is not an object but `{}`",
            short_json(item)
        );
    };
    match obj.get("id") {
        None | Some(Value::String(_)) => Ok(()),
        Some(other) => anyhow::bail!(
            "GET {target}: {what} has an `id` that is not a string (`{}`): the answer is not Halo's",
            short_json(other)
        ),
    }
}

/// A JSON value shortened for an error message.
pub(super) fn short_json(v: &Value) -> String {
    shorten(v.to_string(), 60)
}

/// `t` cut to at most `max` bytes (at a character boundary) and marked `…` when it was longer.
pub(super) fn shorten(mut t: String, max: usize) -> String {
    if t.len() > max {
        let mut cut = max;
        while !t.is_char_boundary(cut) {
            cut -= 1;
        }
        t.truncate(cut);
        t.push('…');
    }
    t
}

/// The `next` link of a page's `pagination` (absent, `null`, `{}` or an empty `next`: last page).
/// Anything else that is not a link is an error: the reader could not tell whether it is done.
pub(crate) fn next_link(
    pagination: Option<&Value>,
    target: &str,
) -> anyhow::Result<Option<String>> {
    let next = match pagination {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(p)) => p.get("next"),
        Some(other) => anyhow::bail!(
            "GET {target}: malformed `pagination` ({}): cannot tell whether more pages follow",
            short_json(other)
        ),
    };
    match next {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => anyhow::bail!(
            "GET {target}: malformed `pagination.next` ({}): cannot tell whether more pages follow",
            short_json(other)
        ),
    }
}

/// What a list reader must prove before it may end: no page requested twice (a looping `next`),
/// and at least the `count` its first page announced read. Fails naming the endpoint.
pub(crate) struct Completeness {
    endpoint: String,
    count: Option<u64>,
    read: u64,
    pages: std::collections::HashSet<String>,
}

impl Completeness {
    pub(crate) fn new(endpoint: &str) -> Completeness {
        Completeness {
            endpoint: endpoint.to_string(),
            count: None,
            read: 0,
            pages: Default::default(),
        }
    }

    /// Before requesting `url`: a page already requested means the pagination loops.
    pub(crate) fn requesting(&mut self, url: &Url) -> anyhow::Result<()> {
        if !self.pages.insert(url.as_str().to_string()) {
            anyhow::bail!(
                "GET {}: pagination.next points back at a page already read ({}); stopping instead of looping",
                self.endpoint,
                &display_target(url)
            );
        }
        Ok(())
    }

    /// The first page's `count` is the one to reach; later pages may not lower it.
    pub(crate) fn announced(&mut self, count: Option<&Value>, target: &str) -> anyhow::Result<()> {
        match count {
            None | Some(Value::Null) => {}
            Some(c) => match c.as_u64() {
                Some(n) => {
                    self.count.get_or_insert(n);
                }
                None => anyhow::bail!(
                    "GET {target}: `count` is not a whole number ({})",
                    short_json(c)
                ),
            },
        }
        Ok(())
    }

    pub(crate) fn read(&mut self, n: u64) {
        self.read += n;
    }

    /// At the last page: fewer items than announced is an error.
    pub(crate) fn finish(&self) -> anyhow::Result<()> {
        match self.count {
            Some(count) if self.read < count => anyhow::bail!(
                "GET {}: the API announced {count} items but its pages ended after {}; refusing an incomplete result",
                self.endpoint,
                self.read
            ),
            _ => Ok(()),
        }
    }
}
