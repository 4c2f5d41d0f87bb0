//! The Halo API client.
//!
//! - Token: `POST /oauth/access_token?grant_type=client_credentials` with Basic auth, cached until
//!   shortly before `expires_in`; one refresh is shared by every request in flight (single-flight);
//!   a 401 on an API call refreshes once and replays the request.
//! - Lists: [`HaloClient::list`] streams the items of `GET` collection pages (`per_page=100`),
//!   following `pagination.next` re-based onto the configured base URL, one page in memory at a time.
//! - Events and scans: [`HaloClient::time_series`] reads a time window completely with a cursor on
//!   `created_at` instead of deep paging (see [`cursor`]).
//!
//! Objects are returned as `serde_json::Value`, exactly as the API sent them.

pub mod api;
pub mod cursor;
mod page;
pub use page::*;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use futures::stream::BoxStream;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::sync::Mutex;
use url::Url;

use crate::config::{ApiKey, HaloConfig};
use crate::exit::usage;
use crate::http::{Http, HttpConfig, Req, Response, display_target};

pub use cursor::Cursor;

/// Which key a client uses: the read-only key for reads, the read-write key only where a tool writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// An API error response (after retries), with a message that says what to do.
#[derive(Debug, thiserror::Error)]
#[error("{method} {target}: HTTP {status}{hint}: {body}")]
pub struct ApiError {
    pub method: Method,
    pub target: String,
    pub status: StatusCode,
    pub body: String,
    pub hint: String,
}

impl ApiError {
    pub fn is_not_found(&self) -> bool {
        self.status == StatusCode::NOT_FOUND
    }
}

/// Authentication failures: bad key pair, or a token the API keeps rejecting.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(
        "Halo rejected API key `{key_id}` (HTTP 401 from the token endpoint): check {id_var} and {secret_var}"
    )]
    BadKey {
        key_id: String,
        id_var: &'static str,
        secret_var: &'static str,
    },
    #[error("Halo keeps rejecting fresh tokens for {target} (HTTP 401 after re-authenticating)")]
    TokenRejected { target: String },
    #[error("token endpoint answered HTTP 200 without an access_token")]
    NoToken,
}

struct Token {
    value: SecretString,
    refresh_at: Instant,
    generation: u64,
}

struct Inner {
    http: Http,
    base: Url,
    key: ApiKey,
    access: Access,
    token: Mutex<Option<Token>>,
    generation: AtomicU64,
    /// List pages read by time series (progress display).
    pages: AtomicU64,
    /// Answers of [`HaloClient::get`], e.g. detail requests (progress display).
    gets: AtomicU64,
}

/// What the token endpoint said (for `doctor`).
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub scope: Option<String>,
    pub expires_in: Option<u64>,
    pub latency: Duration,
}

/// A Halo API client; cheap to clone, share it across tasks.
#[derive(Clone)]
pub struct HaloClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for HaloClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HaloClient")
            .field("base", &self.inner.base.as_str())
            .field("key", &self.inner.key)
            .field("access", &self.inner.access)
            .finish()
    }
}

impl HaloClient {
    /// Build a client with the key for `access`. A missing key is a configuration error (exit 2)
    /// that names the variables to set.
    pub fn new(cfg: &HaloConfig, access: Access, tool: &str) -> anyhow::Result<HaloClient> {
        Self::with_adaptive(cfg, access, tool, None)
    }

    /// [`HaloClient::new`] with the requests in flight adapted from `adaptive_start` up to
    /// `cfg.max_in_flight` (see [`HttpConfig::adaptive_start`]) when it is given.
    pub fn with_adaptive(
        cfg: &HaloConfig,
        access: Access,
        tool: &str,
        adaptive_start: Option<usize>,
    ) -> anyhow::Result<HaloClient> {
        let key = match access {
            Access::Read => cfg.read_key.clone().ok_or_else(|| {
                usage(format!(
                    "no Halo API key: set {} and {} (a read-only key is enough)",
                    crate::env::HALO_API_KEY,
                    crate::env::HALO_API_SECRET_KEY
                ))
            })?,
            Access::Write => cfg.write_key.clone().ok_or_else(|| {
                usage(format!(
                    "writing to Halo needs the full-access key: set {} and {}",
                    crate::env::HALO_API_KEY_RW,
                    crate::env::HALO_API_SECRET_KEY_RW
                ))
            })?,
        };
        let http = Http::new(HttpConfig {
            user_agent: format!("octobox-{tool}/{}", env!("CARGO_PKG_VERSION")),
            timeout: cfg.timeout,
            connect_timeout: cfg.connect_timeout,
            max_in_flight: cfg.max_in_flight,
            adaptive_start,
            max_rps: cfg.max_rps,
            total_timeout: cfg.timeout.saturating_mul(3),
            ..HttpConfig::default()
        })?;
        Ok(Self::with_http(http, cfg.base_url.clone(), key, access))
    }

    pub fn with_http(http: Http, base: Url, key: ApiKey, access: Access) -> HaloClient {
        HaloClient {
            inner: Arc::new(Inner {
                http,
                base,
                key,
                access,
                token: Mutex::new(None),
                generation: AtomicU64::new(0),
                pages: AtomicU64::new(0),
                gets: AtomicU64::new(0),
            }),
        }
    }

    /// How many pages of time series ([`HaloClient::time_series`]) this client has read.
    pub fn pages_read(&self) -> u64 {
        self.inner.pages.load(Ordering::Relaxed)
    }

    /// How many [`HaloClient::get`] requests (detail requests) this client has had answered.
    pub fn gets_answered(&self) -> u64 {
        self.inner.gets.load(Ordering::Relaxed)
    }

    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    pub fn http(&self) -> &Http {
        &self.inner.http
    }

    pub fn access(&self) -> Access {
        self.inner.access
    }

    /// The API key this client uses (its secret never prints).
    pub fn key(&self) -> &ApiKey {
        &self.inner.key
    }

    /// Join an API path (`/v1/servers?state=active`) onto the base URL, keeping any base path prefix.
    pub fn url(&self, path_and_query: &str) -> anyhow::Result<Url> {
        let base = &self.inner.base;
        let prefix = base.path().trim_end_matches('/');
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_and_query, None),
        };
        let mut u = base.clone();
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        u.set_path(&format!("{prefix}{path}"));
        u.set_query(query);
        Ok(u)
    }

    /// Re-base a `pagination.next` URL (absolute, on whatever host the API thinks it has) onto our
    /// configured base URL.
    pub fn rebase(&self, next: &str) -> anyhow::Result<Url> {
        let parsed = Url::parse(next)
            .or_else(|_| self.url(next))
            .with_context(|| format!("bad pagination.next URL `{next}`"))?;
        let prefix = self.inner.base.path().trim_end_matches('/');
        let path = parsed.path();
        let path = if !prefix.is_empty() && path.starts_with(prefix) {
            &path[prefix.len()..]
        } else {
            path
        };
        match parsed.query() {
            Some(q) => self.url(&format!("{path}?{q}")),
            None => self.url(path),
        }
    }

    async fn fetch_token(&self) -> anyhow::Result<(Token, TokenInfo)> {
        let url = self.url("/oauth/access_token?grant_type=client_credentials")?;
        let key = &self.inner.key;
        let mut req = Req::new(Method::POST, url);
        req.basic = Some((&key.id, key.secret.expose_secret()));
        // Asking for a token has no side effect: safe to retry like a GET.
        req.idempotent = true;
        let resp = self
            .inner
            .http
            .send(&req)
            .await
            .context("requesting a Halo API token")?;
        if resp.status == StatusCode::UNAUTHORIZED || resp.status == StatusCode::FORBIDDEN {
            return Err(AuthError::BadKey {
                key_id: key.id.clone(),
                id_var: key.id_var,
                secret_var: key.secret_var,
            }
            .into());
        }
        if !resp.status.is_success() {
            return Err(self
                .api_error(&Method::POST, "/oauth/access_token", &resp)
                .into());
        }
        let v: Value = serde_json::from_slice(&resp.body)
            .context("token endpoint answered with invalid JSON")?;
        let value = v
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or(AuthError::NoToken)?;
        let expires_in = v.get("expires_in").and_then(Value::as_u64);
        let generation = self.inner.generation.fetch_add(1, Ordering::AcqRel) + 1;
        Ok((
            Token {
                value: SecretString::from(value.to_string()),
                refresh_at: refresh_at(Instant::now(), expires_in),
                generation,
            },
            TokenInfo {
                scope: v.get("scope").and_then(Value::as_str).map(str::to_string),
                expires_in,
                latency: resp.elapsed,
            },
        ))
    }

    /// A valid token (single-flight: concurrent callers wait for the one refresh).
    async fn token(&self) -> anyhow::Result<(SecretString, u64)> {
        let mut guard = self.inner.token.lock().await;
        if let Some(t) = guard.as_ref()
            && Instant::now() < t.refresh_at
        {
            return Ok((t.value.clone(), t.generation));
        }
        let (t, _) = self.fetch_token().await?;
        let out = (t.value.clone(), t.generation);
        *guard = Some(t);
        Ok(out)
    }

    /// Drop the cached token if it is still the one that was rejected (so N concurrent 401s cause
    /// one refresh, not N).
    async fn invalidate(&self, generation: u64) {
        let mut guard = self.inner.token.lock().await;
        if guard.as_ref().is_some_and(|t| t.generation == generation) {
            *guard = None;
        }
    }

    /// Ask for a fresh token and report what the endpoint said (for `doctor`).
    pub async fn check_token(&self) -> anyhow::Result<TokenInfo> {
        let (t, info) = self.fetch_token().await?;
        *self.inner.token.lock().await = Some(t);
        Ok(info)
    }

    fn api_error(&self, method: &Method, target: &str, resp: &Response) -> ApiError {
        let body = page::shorten(resp.text(), 500);
        let hint = match resp.status.as_u16() {
            403 if self.inner.access == Access::Read => {
                " (forbidden: the read-only key cannot do this)".to_string()
            }
            403 => format!(
                " (forbidden: check the permissions of key `{}`)",
                self.inner.key.id
            ),
            404 => " (not found)".to_string(),
            422 => " (the API rejected a parameter)".to_string(),
            _ => String::new(),
        };
        ApiError {
            method: method.clone(),
            target: target.to_string(),
            status: resp.status,
            body: body.trim().to_string(),
            hint,
        }
    }

    /// One API call at a full URL: bearer token, 401 → refresh once and replay; non-2xx → ApiError.
    pub async fn call_url(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> anyhow::Result<Response> {
        let target = display_target(&url);
        let body_bytes =
            body.map(|b| Bytes::from(serde_json::to_vec(b).expect("JSON values serialize")));
        let mut replayed = false;
        loop {
            let (token, generation) = self.token().await?;
            let mut req = Req::new(method.clone(), url.clone());
            req.bearer = Some(token.expose_secret());
            req.headers.push(("Accept", "application/json".into()));
            if let Some(b) = &body_bytes {
                req.headers
                    .push(("Content-Type", "application/json".into()));
                req.body = Some(b.clone());
            }
            let resp = self.inner.http.send(&req).await?;
            if resp.status == StatusCode::UNAUTHORIZED {
                self.invalidate(generation).await;
                if replayed {
                    return Err(AuthError::TokenRejected { target }.into());
                }
                replayed = true;
                tracing::debug!(%target, "401: refreshing the token and replaying once");
                continue;
            }
            if !resp.status.is_success() {
                return Err(self.api_error(&method, &target, &resp).into());
            }
            return Ok(resp);
        }
    }

    /// One API call; `path_and_query` is relative to the base URL. Returns the JSON body
    /// (`Value::Null` for an empty body, e.g. 204).
    pub async fn call(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<Value> {
        let url = self.url(path_and_query)?;
        let resp = self.call_url(method.clone(), url, body).await?;
        parse_body(&method, path_and_query, &resp.body)
    }

    pub async fn get(&self, path_and_query: &str) -> anyhow::Result<Value> {
        let v = self.call(Method::GET, path_and_query, None).await?;
        self.inner.gets.fetch_add(1, Ordering::Relaxed);
        Ok(v)
    }

    /// GET that maps 404 to `None`.
    pub async fn get_opt(&self, path_and_query: &str) -> anyhow::Result<Option<Value>> {
        not_found_as_none(self.get(path_and_query).await)
    }

    /// GET one object wrapped in `key` (`{"server": {...}}`); 404 → `None`. An answer without
    /// the wrapper, or whose object has a non-string `id`, is an error naming the endpoint
    /// (never the raw body passed on as the object).
    pub async fn get_object_opt(&self, path: &str, key: &str) -> anyhow::Result<Option<Value>> {
        let Some(mut v) = self.get_opt(path).await? else {
            return Ok(None);
        };
        let target = path.split('?').next().unwrap_or(path);
        match v.get_mut(key).map(Value::take) {
            Some(obj @ Value::Object(_)) => {
                check_item(&obj, &format!("`{key}`"), target)?;
                Ok(Some(obj))
            }
            _ => anyhow::bail!("GET {target}: the response has no `{key}` object"),
        }
    }

    /// [`HaloClient::list_all`] of a collection that may not exist: a 404 on it → `None`.
    pub async fn list_all_opt(
        &self,
        path: &str,
        params: &[(&str, String)],
        key: &str,
    ) -> anyhow::Result<Option<Vec<Value>>> {
        not_found_as_none(self.list_all(path, params, key).await)
    }

    pub async fn put(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.call(Method::POST, path, Some(body)).await
    }

    /// Stream every item of a paginated collection: `GET path?params&per_page=100`, items under
    /// `key`, following `pagination.next`. One page is held at a time.
    pub fn list(
        &self,
        path: &str,
        params: &[(&str, String)],
        key: &str,
    ) -> BoxStream<'static, anyhow::Result<Value>> {
        let this = self.clone();
        let key = key.to_string();
        let first = list_url(path, params);
        fn path_of(first: &str) -> String {
            first.split('?').next().unwrap_or(first).to_string()
        }
        Box::pin(async_stream::try_stream! {
            let mut url = this.url(&first)?;
            let mut proof = Completeness::new(&path_of(&first));
            loop {
                let target = display_target(&url);
                proof.requesting(&url)?;
                let resp = this.call_url(Method::GET, url.clone(), None).await?;
                let page = read_list_page(&resp.body, &key, &target)?;
                proof.announced(page.count.as_ref(), &target)?;
                for (i, item) in page.items.into_iter().enumerate() {
                    check_item(&item, &format!("item {} of `{key}`", i + 1), &target)?;
                    proof.read(1);
                    yield item;
                }
                match page.next? {
                    Some(next) => url = this.rebase(&next)?,
                    None => break,
                }
            }
            proof.finish()?;
        })
    }

    /// Collect a whole list (for small collections such as groups or zones).
    pub async fn list_all(
        &self,
        path: &str,
        params: &[(&str, String)],
        key: &str,
    ) -> anyhow::Result<Vec<Value>> {
        use futures::TryStreamExt;
        self.list(path, params, key).try_collect().await
    }
}

/// Longest a token is cached, whatever `expires_in` says (a day).
const MAX_TOKEN_TTL: Duration = Duration::from_secs(86_400);

/// When to refresh a token that lives `expires_in` seconds (900 when absent or not a whole
/// number >= 0): a little early, 60 s or a quarter of a short lifetime; never later than a day.
fn refresh_at(now: Instant, expires_in: Option<u64>) -> Instant {
    let ttl = Duration::from_secs(expires_in.unwrap_or(900)).min(MAX_TOKEN_TTL);
    let margin = Duration::from_secs(60).min(ttl / 4);
    now.checked_add(ttl - margin).unwrap_or(now)
}

/// Errors a follower should survive: the service failing after retries, not a bad key or input.
pub fn is_transient(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.is::<crate::http::HttpError>())
        || e.chain()
            .filter_map(|c| c.downcast_ref::<ApiError>())
            .any(|a| a.status.is_server_error() || a.status.as_u16() == 429)
}

/// A 404 from the API as `None`; any other outcome as it is.
fn not_found_as_none<T>(result: anyhow::Result<T>) -> anyhow::Result<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e)
            if e.downcast_ref::<ApiError>()
                .is_some_and(ApiError::is_not_found) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests;
