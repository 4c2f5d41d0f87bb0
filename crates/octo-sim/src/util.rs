//! Small helpers shared by every simulated API: deterministic ids and randomness, query-string
//! handling, timestamps, JSON error responses and the list/pagination envelope.

use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::{Value, json};

/// SplitMix64 finaliser: a cheap, well-mixed 64-bit hash step.
pub(crate) fn mix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn str_hash(s: &str) -> u64 {
    s.bytes().fold(0xCBF2_9CE4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    })
}

/// A 32-char lowercase hex id derived from (seed, kind, index) — stable across runs and versions.
pub(crate) fn hex_id(seed: u64, kind: &str, idx: u64) -> String {
    let a = mix64(seed ^ mix64(str_hash(kind) ^ mix64(idx)));
    let b = mix64(a ^ 0x5851_F42D_4C95_7F2D);
    format!("{a:016x}{b:016x}")
}

/// Deterministic PRNG (SplitMix64). Our own so that worlds stay identical across `rand` versions,
/// and fast in debug builds (world generation of millions of events).
#[derive(Clone, Debug)]
pub(crate) struct Prng(u64);

impl Prng {
    pub(crate) fn new(seed: u64) -> Self {
        Prng(mix64(seed ^ 0xA076_1D64_78BD_642F))
    }
    pub(crate) fn derive(seed: u64, kind: &str, idx: u64) -> Self {
        Prng::new(seed ^ mix64(str_hash(kind) ^ mix64(idx)))
    }
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }
    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------------------------
// Query strings

/// Parsed query string. Repeating a key is not supported by Halo: only the last value counts
/// (the key keeps the position of its first occurrence, which matters for `pagination.next`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            if let Some(slot) = pairs.iter_mut().find(|(pk, _)| *pk == k) {
                slot.1 = v.into_owned();
            } else {
                pairs.push((k.into_owned(), v.into_owned()));
            }
        }
        Query { pairs }
    }
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// A comma list; `None` when the key is absent or holds no non-empty item.
    pub(crate) fn list(&self, key: &str) -> Option<Vec<String>> {
        let v = self.get(key)?;
        let items: Vec<String> = v
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if items.is_empty() { None } else { Some(items) }
    }
    /// `true|false` (case-insensitive); anything else → Err.
    pub(crate) fn bool(&self, key: &str) -> Result<Option<bool>, Response> {
        match self.get(key) {
            None | Some("") => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("invalid value for {key}: {v:?} (expected true or false)"),
            )),
        }
    }
    /// A timestamp parameter (`since`/`until`) in microseconds since the epoch.
    pub(crate) fn time_us(&self, key: &str) -> Result<Option<i64>, Response> {
        match self.get(key) {
            None | Some("") => Ok(None),
            Some(v) => parse_time(v)
                .map(|t| Some(t.timestamp_micros()))
                .ok_or_else(|| {
                    error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &format!("invalid timestamp for {key}: {v:?}"),
                    )
                }),
        }
    }
    /// Same query with `page` set (added at the end when absent) — used for `pagination.next`.
    pub(crate) fn with_page(&self, page: u32) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        let mut seen = false;
        for (k, v) in &self.pairs {
            if k == "page" {
                out.append_pair("page", &page.to_string());
                seen = true;
            } else {
                out.append_pair(k, v);
            }
        }
        if !seen {
            out.append_pair("page", &page.to_string());
        }
        out.finish()
    }
}

/// ISO-8601 timestamps as Halo accepts them: RFC 3339 (`Z` or offset), a naive date-time taken
/// as UTC, or a plain date `YYYY-MM-DD` (= 00:00:00.000Z of that day). A `+` that arrived
/// unencoded (and so decoded to a space) is tolerated.
pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim().replace(' ', "+");
    // octo-sim does not link octo-core (by design), so it parses times itself
    #[allow(clippy::disallowed_methods)]
    if let Ok(t) = DateTime::parse_from_rfc3339(&s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(Utc.from_utc_datetime(&t));
    }
    if let Ok(d) = NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
        return Some(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0)?));
    }
    None
}

/// Millisecond UTC timestamp as the API emits it: `2018-06-19T14:02:11.123Z`.
pub(crate) fn fmt_ms(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => String::new(),
    }
}

/// Parse a timestamp found in an object (e.g. an event's `created_at`) to epoch milliseconds.
pub(crate) fn parse_ms(s: &str) -> Option<i64> {
    parse_time(s).map(|t| t.timestamp_millis())
}

// ---------------------------------------------------------------------------------------------
// Responses

/// `{"error": "<message>"}` with the given status.
pub(crate) fn error(status: StatusCode, msg: &str) -> Response {
    (status, axum::Json(json!({ "error": msg }))).into_response()
}

pub(crate) fn not_found(what: &str) -> Response {
    error(StatusCode::NOT_FOUND, &format!("{what} not found"))
}

pub(crate) fn ok_json(v: Value) -> Response {
    // `Value: Display` is serde_json's own compiled (optimised) serializer, the same compact
    // bytes `axum::Json` would write; the generic path costs several times more in a debug build
    // and list pages are the simulator's hot path.
    (
        StatusCode::OK,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        v.to_string(),
    )
        .into_response()
}

/// Everything a handler needs to know about the request line for building list responses.
pub(crate) struct ReqCtx {
    /// Base URL for absolute links (`pagination.next`), no trailing slash.
    pub base: String,
    pub path: String,
    pub query: Query,
}

impl ReqCtx {
    pub(crate) fn new(
        base_url: &str,
        use_host_header: bool,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Self {
        let base = if use_host_header {
            headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(|h| format!("http://{h}"))
                .unwrap_or_else(|| base_url.to_string())
        } else {
            base_url.to_string()
        };
        ReqCtx {
            base,
            path: uri.path().to_string(),
            query: Query::parse(uri.query()),
        }
    }
}

/// `page`/`per_page` after validation: page is 1-based and capped at the configured depth.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PageReq {
    pub page: u32,
    pub per_page: usize,
}

impl PageReq {
    pub(crate) fn offset(&self) -> usize {
        (self.page as usize - 1) * self.per_page
    }
}

pub(crate) const DEFAULT_PER_PAGE: usize = 10;
pub(crate) const MAX_PER_PAGE: usize = 100;

pub(crate) fn page_req(q: &Query, max_depth: u32) -> Result<PageReq, Response> {
    let page = match q.get("page") {
        None | Some("") => 1,
        Some(v) => match v.trim().parse::<u64>() {
            Ok(p) if p >= 1 => p,
            _ => {
                return Err(error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("invalid page: {v:?}"),
                ));
            }
        },
    };
    if page > u64::from(max_depth) {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "page {page} exceeds the maximum page depth of {max_depth}; narrow the query with since/until"
            ),
        ));
    }
    let per_page = match q.get("per_page") {
        None | Some("") => DEFAULT_PER_PAGE,
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) => n.clamp(1, MAX_PER_PAGE as i64) as usize,
            Err(_) => {
                return Err(error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("invalid per_page: {v:?}"),
                ));
            }
        },
    };
    Ok(PageReq {
        page: page as u32,
        per_page,
    })
}

/// The list envelope: `{"count": total, "<key>": items, "pagination": {"next": url}}`; on the
/// last page `pagination` is an empty object.
pub(crate) fn list_response(
    ctx: &ReqCtx,
    key: &str,
    count: usize,
    items: Vec<Value>,
    pr: PageReq,
) -> Response {
    let mut pagination = serde_json::Map::new();
    if pr.page as usize * pr.per_page < count {
        pagination.insert(
            "next".into(),
            Value::String(format!(
                "{}{}?{}",
                ctx.base,
                ctx.path,
                ctx.query.with_page(pr.page + 1)
            )),
        );
    }
    let mut body = serde_json::Map::new();
    body.insert("count".into(), json!(count));
    body.insert(key.into(), Value::Array(items));
    body.insert("pagination".into(), Value::Object(pagination));
    ok_json(Value::Object(body))
}

/// Paginate an already filtered, ordered list.
pub(crate) fn list_all(ctx: &ReqCtx, key: &str, all: Vec<Value>, pr: PageReq) -> Response {
    let count = all.len();
    let items: Vec<Value> = all
        .into_iter()
        .skip(pr.offset())
        .take(pr.per_page)
        .collect();
    list_response(ctx, key, count, items, pr)
}

/// Parse a request body as a JSON object wrapped in `root` (e.g. `{"server": {...}}`).
pub(crate) fn unwrap_body(
    body: &[u8],
    root: &str,
) -> Result<serde_json::Map<String, Value>, Response> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            &format!("request body is not valid JSON: {e}"),
        )
    })?;
    match v.get(root) {
        Some(Value::Object(m)) => Ok(m.clone()),
        _ => Err(error(
            StatusCode::BAD_REQUEST,
            &format!("request body must be an object wrapped in {root:?}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_hex_and_stable() {
        let a = hex_id(7, "event", 1);
        assert_eq!(a.len(), 32);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(a, hex_id(7, "event", 1));
        assert_ne!(a, hex_id(7, "event", 2));
        assert_ne!(a, hex_id(8, "event", 1));
    }

    #[test]
    fn query_last_value_wins_and_next_preserves_params() {
        let q = Query::parse(Some("type=a&per_page=5&type=b,c&page=2"));
        assert_eq!(q.get("type"), Some("b,c"));
        assert_eq!(q.list("type").unwrap(), vec!["b", "c"]);
        assert_eq!(q.with_page(3), "type=b%2Cc&per_page=5&page=3");
        let q = Query::parse(Some("since=2024-01-01"));
        assert_eq!(q.with_page(2), "since=2024-01-01&page=2");
    }

    #[test]
    fn time_formats() {
        assert_eq!(fmt_ms(0), "1970-01-01T00:00:00.000Z");
        let t = parse_time("2024-05-01T10:00:00.123Z").unwrap();
        assert_eq!(t.timestamp_millis() % 1000, 123);
        assert_eq!(
            parse_time("2024-05-01").unwrap(),
            parse_time("2024-05-01T00:00:00Z").unwrap()
        );
        assert_eq!(
            parse_time("2024-05-01T02:00:00 02:00").unwrap(),
            parse_time("2024-05-01T00:00:00Z").unwrap()
        );
        assert!(parse_time("yesterday").is_none());
        assert!(parse_time("2024-13-01").is_none());
    }

    #[test]
    fn prng_is_deterministic() {
        let mut a = Prng::new(1);
        let mut b = Prng::new(1);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        for _ in 0..1000 {
            assert!(a.below(7) < 7);
            let r = a.range(20, 400);
            assert!((20..=400).contains(&r));
        }
    }
}
