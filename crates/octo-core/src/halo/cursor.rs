//! Reading `/v1/events` and `/v1/scans` over a time window completely, without deep paging.
//!
//! The API caps page depth, so a busy day cannot be read by following `pagination.next` alone.
//! Instead: query `since=<cursor>&sort_by=created_at.asc&per_page=100`, follow `next` for at most
//! [`PAGES_PER_QUERY`] pages, then start a new query at the last `created_at` seen. `since` is
//! inclusive, so the new query returns again the items at that timestamp: the ids already seen at
//! exactly the cursor timestamp are dropped. Many items sharing one timestamp are handled as long
//! as fewer than `PAGES_PER_QUERY × 100` share it (an error says so otherwise, never a silent loss).
//! `until` is applied client-side as exclusive (`created_at < until`) whatever the server does.

use std::collections::HashSet;

use anyhow::Context;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::stream::BoxStream;
use reqwest::Method;
use serde_json::Value;
use serde_json::value::RawValue;

use super::{Completeness, HaloClient, list_url, next_link};
use crate::http::display_target;
use crate::time::{format_api, parse_api};

/// Pages followed per query before the cursor moves (well under the API's page-depth cap).
pub const PAGES_PER_QUERY: u32 = 50;

/// Pages of one query requested ahead of the one being read, as the SDK's `TimeSeries` fetches
/// pages `1..N` of a query together: one busy time series is then not one request at a time.
pub const PAGES_AHEAD: u32 = 4;

/// The `page` parameter of a list URL.
fn page_number(url: &url::Url) -> Option<u32> {
    url.query_pairs()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
}

/// The last page of a query whose first page (`url`) counts `count` items: `count ÷ per_page`
/// rounded up, at least 1; [`PAGES_PER_QUERY`] when either is unknown.
fn last_page(url: &url::Url, count: Option<&Value>) -> u32 {
    let per_page = url
        .query_pairs()
        .find(|(k, _)| k == "per_page")
        .and_then(|(_, v)| v.parse::<u64>().ok())
        .filter(|n| *n > 0);
    match (count.and_then(Value::as_u64), per_page) {
        (Some(c), Some(p)) => u32::try_from(c.div_ceil(p).max(1)).unwrap_or(u32::MAX),
        _ => PAGES_PER_QUERY,
    }
}

/// `url` with its `page` parameter set to `n` (the other parameters kept, in order).
fn with_page(url: &url::Url, n: u32) -> url::Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut out = url.clone();
    {
        let mut q = out.query_pairs_mut();
        q.clear();
        for (k, v) in &pairs {
            if k == "page" {
                q.append_pair(k, &n.to_string());
            } else {
                q.append_pair(k, v);
            }
        }
    }
    out
}

/// Position in a time series: the last `created_at` delivered and the ids delivered at exactly
/// that timestamp. Clone it to resume (e.g. `--follow` polling).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub since: DateTime<Utc>,
    pub seen_at_since: HashSet<String>,
}

impl Cursor {
    pub fn new(since: DateTime<Utc>) -> Cursor {
        Cursor {
            since,
            seen_at_since: HashSet::new(),
        }
    }

    /// Whether an item at `ts` with `id` was already delivered.
    pub fn seen(&self, ts: DateTime<Utc>, id: &str) -> bool {
        ts < self.since || (ts == self.since && self.seen_at_since.contains(id))
    }

    /// Record a delivered item.
    pub fn observe(&mut self, ts: DateTime<Utc>, id: &str) {
        if ts > self.since {
            self.since = ts;
            self.seen_at_since.clear();
        }
        if ts == self.since {
            self.seen_at_since.insert(id.to_string());
        }
    }
}

/// `created_at` and `id` of an item, or an error naming what is missing.
pub fn stamp(item: &Value, target: &str) -> anyhow::Result<(DateTime<Utc>, String)> {
    let id = item
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow::anyhow!("GET {target}: an item has no string `id`"))?;
    let ts = item
        .get("created_at")
        .and_then(Value::as_str)
        .and_then(parse_api)
        .ok_or_else(|| anyhow::anyhow!("GET {target}: item {id} has no valid `created_at`"))?;
    Ok((ts, id.to_string()))
}

impl HaloClient {
    /// Every item of `path` (list key `key`) with `start ≤ created_at < until`, ascending, each
    /// once, as the API sent it ([`RawItem`]: consumers that pass records through, such as
    /// exports, never parse it into a `Value` and back; [`values`] parses them). `params` are
    /// extra filters (`type`, `critical`, `server_id` …). With `until = None` the stream ends
    /// when the API has nothing newer.
    ///
    /// Up to `ahead` pages of a query (at least 1; [`PAGES_AHEAD`] as the SDK) are read ahead
    /// of the one being handed out. Pages past the last one the first page's `count` announces
    /// are not requested ahead (a `next` link beyond it is still followed), so a query costs
    /// its pages and no more.
    pub fn time_series(
        &self,
        path: &str,
        key: &str,
        params: &[(&str, String)],
        start: Cursor,
        until: Option<DateTime<Utc>>,
        ahead: u32,
    ) -> BoxStream<'static, anyhow::Result<RawItem>> {
        let ahead_pages = ahead.max(1);
        let this = self.clone();
        let path = path.to_string();
        let key = key.to_string();
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        Box::pin(async_stream::try_stream! {
            let mut cursor = start;
            'queries: loop {
                let mut q: Vec<(&str, String)> = params.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                q.push(("since", format_api(cursor.since)));
                if let Some(u) = until {
                    q.push(("until", format_api(u)));
                }
                q.push(("sort_by", "created_at.asc".to_string()));
                let query_start = cursor.clone();
                let mut url = this.url(&list_url(&path, &q))?;
                let mut pages = 0u32;
                let mut delivered = 0u64;
                // The next pages of this query (up to PAGES_AHEAD), already being fetched and
                // split by tasks of their own while the current page is handed out; the HTTP
                // client's in-flight limit bounds how many are really on the wire.
                let mut ahead: std::collections::VecDeque<Prefetch> = Default::default();
                let mut queued = 1u32;
                // What this query must prove: no page twice, `count` items read, ascending order.
                let mut proof = Completeness::new(&path);
                let mut last_ts: Option<DateTime<Utc>> = None;
                // An item at or after `until` was read: the window ends with this page.
                let mut past_until = false;
                // The last page the query's first answer announces (`count` ÷ `per_page`).
                let mut announced_last = PAGES_PER_QUERY;
                loop {
                    let page = match ahead.pop_front() {
                        Some(p) => {
                            url = p.url.clone();
                            proof.requesting(&url)?;
                            p.page().await?
                        }
                        None => {
                            proof.requesting(&url)?;
                            fetch_page(&this, url.clone(), key.clone()).await?
                        }
                    };
                    let target = display_target(&url);
                    proof.announced(page.count.as_ref(), &target)?;
                    pages += 1;
                    if pages == 1 {
                        announced_last = last_page(&url, page.count.as_ref());
                    }
                    let next = page.next.as_deref();
                    let next_url = match next {
                        Some(n) if pages < PAGES_PER_QUERY => Some(this.rebase(n)?),
                        _ => None,
                    };
                    match &next_url {
                        None => ahead.clear(),
                        // `page=N` links: the following pages of the same query are known.
                        Some(u) if page_number(u) == Some(pages + 1) => {
                            let last = (pages + ahead_pages)
                                .min(PAGES_PER_QUERY)
                                .min(announced_last.max(pages + 1));
                            for n in queued.max(pages).saturating_add(1)..=last {
                                ahead.push_back(Prefetch::start(&this, with_page(u, n), key.clone()));
                                queued = n;
                            }
                        }
                        // Any other kind of link: follow it, one at a time.
                        Some(u) => {
                            ahead.clear();
                            ahead.push_back(Prefetch::start(&this, u.clone(), key.clone()));
                            queued = u32::MAX;
                        }
                    }
                    for raw in page.items {
                        let (ts, id) = raw_stamp(&raw, &target)?;
                        // The cursor relies on ascending order: an item older than the one before
                        // it would be taken for already delivered (and the items between lost).
                        if let Some(prev) = last_ts.filter(|p| ts < *p) {
                            Err(anyhow::anyhow!(
                                "GET {target}: items out of order: {id} has created_at {} after an item of {}; cannot prove the window was read completely",
                                format_api(ts),
                                format_api(prev)
                            ))?;
                        }
                        last_ts = Some(ts);
                        proof.read(1);
                        if until.is_some_and(|u| ts >= u) {
                            // Sorted ascending: nothing after this belongs to the window. The
                            // rest of the page is still held to the order (a page sent newest
                            // first must fail, not end the window early).
                            past_until = true;
                        }
                        if past_until {
                            continue;
                        }
                        if cursor.seen(ts, &id) {
                            continue;
                        }
                        cursor.observe(ts, &id);
                        delivered += 1;
                        yield RawItem { created_at: ts, id, json: raw };
                    }
                    if past_until {
                        break 'queries;
                    }
                    match (page.next.as_deref(), next_url) {
                        (None, _) => {
                            proof.finish()?;
                            break 'queries;
                        }
                        (Some(_), None) => break,
                        (Some(_), Some(u)) => {
                            if ahead.is_empty() {
                                url = u;
                            }
                        }
                    }
                }
                if delivered == 0 {
                    Err(anyhow::anyhow!(
                        "cannot advance past {}: more than {} items of {path} share that created_at",
                        format_api(query_start.since),
                        PAGES_PER_QUERY * 100
                    ))?;
                }
            }
        })
    }
}

/// One item of a time series as the API sent it, with its `created_at` and `id`.
#[derive(Debug)]
pub struct RawItem {
    pub created_at: DateTime<Utc>,
    pub id: String,
    pub json: Box<RawValue>,
}

impl RawItem {
    /// The item as a JSON value.
    pub fn value(&self) -> anyhow::Result<Value> {
        crate::json::parse(self.json.get().as_bytes()).with_context(|| {
            format!(
                "item {} (created_at {})",
                self.id,
                format_api(self.created_at)
            )
        })
    }

    /// The item as one line of JSON (no newline): the API's own text, unless that spans lines
    /// (a pretty-printing server), then compacted.
    pub fn line(&self) -> anyhow::Result<std::borrow::Cow<'_, str>> {
        let text = self.json.get();
        if text.contains(['\n', '\r']) {
            let mut out = Vec::with_capacity(text.len());
            crate::json::write_compact(&mut out, &self.value()?);
            Ok(std::borrow::Cow::Owned(
                String::from_utf8(out).expect("serde_json writes UTF-8"),
            ))
        } else {
            Ok(std::borrow::Cow::Borrowed(text))
        }
    }
}

/// A time series' items parsed into JSON values (for consumers that look into them).
pub fn values(
    items: BoxStream<'static, anyhow::Result<RawItem>>,
) -> BoxStream<'static, anyhow::Result<Value>> {
    items.map(|item| item.and_then(|i| i.value())).boxed()
}

/// A list page split into its items (unparsed) and the link to the next page. Public for the
/// fuzz targets (octo-fuzz).
#[doc(hidden)]
pub struct RawPage {
    pub items: Vec<Box<RawValue>>,
    pub next: Option<String>,
    pub count: Option<Value>,
}

/// GET one page of list `key` and split it.
async fn fetch_page(halo: &HaloClient, url: url::Url, key: String) -> anyhow::Result<RawPage> {
    let target = display_target(&url);
    let resp = halo.call_url(Method::GET, url, None).await?;
    let page = split_page(&resp.body, &key, &target)?;
    halo.inner
        .pages
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok(page)
}

/// Split one page of list `key` (what the time-series reader does with every page it gets).
#[doc(hidden)]
pub fn split_page(body: &[u8], key: &str, target: &str) -> anyhow::Result<RawPage> {
    let invalid = || format!("GET {target}: the API answered with invalid JSON");
    let mut top: std::collections::BTreeMap<String, Box<RawValue>> =
        if body.iter().all(u8::is_ascii_whitespace) {
            Default::default()
        } else {
            serde_json::from_slice(body).with_context(invalid)?
        };
    let count: Option<Value> = match top.get("count") {
        Some(c) => Some(serde_json::from_str(c.get()).with_context(invalid)?),
        None => None,
    };
    let counted = count.as_ref().and_then(Value::as_u64);
    let items = match top.remove(key) {
        Some(raw) if raw.get() == "null" && counted.unwrap_or(0) == 0 => Vec::new(),
        Some(raw) if raw.get() == "null" => anyhow::bail!(
            "GET {target}: `{key}` is null although the API counts {} items",
            counted.unwrap_or(0)
        ),
        Some(raw) if raw.get().starts_with('[') => {
            serde_json::from_str(raw.get()).with_context(invalid)?
        }
        Some(_) => anyhow::bail!("GET {target}: `{key}` is not a list"),
        None if counted == Some(0) => Vec::new(),
        None => anyhow::bail!("GET {target}: response has no `{key}` list"),
    };
    let pagination: Option<Value> = match top.get("pagination") {
        Some(p) => Some(serde_json::from_str(p.get()).with_context(invalid)?),
        None => None,
    };
    let next = next_link(pagination.as_ref(), target)?;
    Ok(RawPage { items, next, count })
}

/// `created_at` and `id` of an unparsed item, or an error naming what is missing.
#[doc(hidden)]
pub fn raw_stamp(raw: &RawValue, target: &str) -> anyhow::Result<(DateTime<Utc>, String)> {
    #[derive(serde::Deserialize)]
    struct Stamp {
        id: Option<Value>,
        created_at: Option<Value>,
    }
    let st: Stamp = serde_json::from_str(raw.get())
        .map_err(|_| anyhow::anyhow!("GET {target}: an item has no string `id`"))?;
    let id = match st.id {
        Some(Value::String(id)) => id,
        _ => anyhow::bail!("GET {target}: an item has no string `id`"),
    };
    let ts = match &st.created_at {
        Some(Value::String(t)) => parse_api(t),
        _ => None,
    }
    .ok_or_else(|| anyhow::anyhow!("GET {target}: item {id} has no valid `created_at`"))?;
    Ok((ts, id))
}

/// A page fetched (and split) by a task of its own; dropped unread (the window ended, the
/// consumer went away), the request is cancelled.
struct Prefetch {
    url: url::Url,
    task: tokio::task::JoinHandle<anyhow::Result<RawPage>>,
}

impl Prefetch {
    fn start(halo: &HaloClient, url: url::Url, key: String) -> Prefetch {
        let (halo, u) = (halo.clone(), url.clone());
        Prefetch {
            url,
            task: tokio::spawn(async move { fetch_page(&halo, u, key).await }),
        }
    }

    async fn page(mut self) -> anyhow::Result<RawPage> {
        match (&mut self.task).await {
            Ok(r) => r,
            Err(e) => Err(anyhow::anyhow!("page fetch task failed: {e}")),
        }
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_item_kept_raw_names_itself_when_it_does_not_parse() {
        let item = RawItem {
            created_at: Utc.with_ymd_and_hms(2026, 11, 19, 1, 2, 3).unwrap(),
            id: "e1".into(),
            json: RawValue::from_string(r#"{"id":"e1","n":1e400}"#.into()).unwrap(),
        };
        assert_eq!(item.line().unwrap(), r#"{"id":"e1","n":1e400}"#);
        let e = format!("{:#}", item.value().unwrap_err());
        assert!(
            e.starts_with("item e1 (created_at 2026-11-19T01:02:03.000Z): "),
            "{e}"
        );
    }

    #[test]
    fn page_links_are_numbered_and_renumbered() {
        let u = url::Url::parse(
            "http://127.0.0.1:1/v1/events?page=2&per_page=100&since=2026-11-30T00:00:00.000Z&sort_by=created_at.asc",
        )
        .unwrap();
        assert_eq!(page_number(&u), Some(2));
        let v = with_page(&u, 7);
        assert_eq!(page_number(&v), Some(7));
        let pairs: Vec<(String, String)> =
            v.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
        assert_eq!(
            pairs,
            [
                ("page", "7"),
                ("per_page", "100"),
                ("since", "2026-11-30T00:00:00.000Z"),
                ("sort_by", "created_at.asc")
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        let cursor_link = url::Url::parse("http://127.0.0.1:1/v1/events?cursor=abc").unwrap();
        assert_eq!(page_number(&cursor_link), None);
        let count = |n: u64| Some(serde_json::json!(n));
        assert_eq!(last_page(&u, count(1001).as_ref()), 11);
        assert_eq!(last_page(&u, count(1000).as_ref()), 10);
        assert_eq!(last_page(&u, count(0).as_ref()), 1);
        assert_eq!(last_page(&u, None), PAGES_PER_QUERY);
        assert_eq!(last_page(&cursor_link, count(5).as_ref()), PAGES_PER_QUERY);
    }

    #[test]
    fn pages_that_cannot_prove_completeness_are_errors() {
        let t = "/v1/events?page=1";
        let e = split_page(br#"{"count": 420, "events": null}"#, "events", t)
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "GET /v1/events?page=1: `events` is null although the API counts 420 items"
        );
        assert!(split_page(br#"{"count": 0, "events": null}"#, "events", t).is_ok());
        let e = split_page(br#"{"events": [], "pagination": {"next": 2}}"#, "events", t)
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "GET /v1/events?page=1: malformed `pagination.next` (2): cannot tell whether more pages follow"
        );
        let e = split_page(br#"{"events": [], "pagination": "page2"}"#, "events", t)
            .err()
            .unwrap();
        assert!(e.to_string().contains("malformed `pagination`"), "{e}");
        let p = split_page(
            br#"{"count": 3, "events": [], "pagination": {}}"#,
            "events",
            t,
        )
        .unwrap();
        assert_eq!((p.next, p.count), (None, Some(serde_json::json!(3))));
    }

    #[test]
    fn completeness_catches_loops_and_short_reads() {
        let mut c = Completeness::new("/v1/servers");
        let u = url::Url::parse("http://h/v1/servers?page=2").unwrap();
        c.requesting(&u).unwrap();
        assert_eq!(
            c.requesting(&u).unwrap_err().to_string(),
            "GET /v1/servers: pagination.next points back at a page already read (/v1/servers?page=2); stopping instead of looping"
        );
        c.announced(Some(&serde_json::json!(420)), "/v1/servers?page=1")
            .unwrap();
        c.announced(Some(&serde_json::json!(5)), "/v1/servers?page=2")
            .unwrap();
        c.read(100);
        assert_eq!(
            c.finish().unwrap_err().to_string(),
            "GET /v1/servers: the API announced 420 items but its pages ended after 100; refusing an incomplete result"
        );
        c.read(320);
        c.finish().unwrap();
        let e = c
            .announced(Some(&serde_json::json!("many")), "/v1/servers?page=3")
            .unwrap_err();
        assert!(
            e.to_string().contains("`count` is not a whole number"),
            "{e}"
        );
    }

    #[test]
    fn cursor_dedupes_only_at_its_timestamp() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let t1 = t0 + chrono::Duration::milliseconds(1);
        let mut c = Cursor::new(t0);
        assert!(!c.seen(t0, "a"));
        c.observe(t0, "a");
        assert!(c.seen(t0, "a"));
        assert!(!c.seen(t0, "b"));
        c.observe(t1, "b");
        assert_eq!(c.since, t1);
        assert!(c.seen(t0, "zzz"), "anything before the cursor is behind us");
        assert!(c.seen(t1, "b"));
        assert!(!c.seen(t1, "c"));
    }
}
