//! One HTTP client for every tool: rustls, timeouts, bounded concurrency, an optional rate limit,
//! and retries with full-jitter exponential backoff that honour `Retry-After`.
//!
//! Retry rules:
//! - 429 and connection errors where the request was never sent (connect failures) are retried for
//!   every method: the server did not act on the request.
//! - 500/502/503/504, timeouts and connections dropped mid-request are retried only for idempotent
//!   requests (GET, PUT, DELETE, and POSTs the caller marks idempotent, like the token request).
//! - At most `max_attempts` attempts per request, and a retry budget shared by all requests of the
//!   process: every retry spends a token, every success earns one back (up to the cap). During an
//!   outage the budget runs dry and requests fail after their first attempt instead of every request
//!   waiting through its full backoff.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};
/// Re-exported so tools need no direct reqwest dependency.
pub use reqwest::{Method, StatusCode};
use tokio::sync::{Mutex, Semaphore};

mod aimd;
pub use aimd::LimitStats;
use aimd::{Aimd, Held, Outcome};

/// Client settings.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub user_agent: String,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Longest `Retry-After` we wait; a longer one fails the request.
    pub max_retry_after: Duration,
    pub max_in_flight: usize,
    /// Adapt the requests in flight ([`aimd`](self)): start at this many and grow while latency
    /// holds, halve on 429, never above `max_in_flight`. `None`: always `max_in_flight`.
    pub adaptive_start: Option<usize>,
    /// Requests per second, 0 = unlimited.
    pub max_rps: f64,
    /// Size of the shared retry budget.
    pub retry_budget: u32,
    /// Deadline of one request with all its retries and waits; each attempt also stops at it.
    pub total_timeout: Duration,
    /// A private CA bundle (PEM): when set, only these roots are trusted (as `OS_CACERT`).
    pub ca_certs_pem: Option<Vec<u8>>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            user_agent: format!("octobox/{}", env!("CARGO_PKG_VERSION")),
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            max_attempts: 6,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(120),
            max_in_flight: 4,
            adaptive_start: None,
            max_rps: 0.0,
            retry_budget: 100,
            total_timeout: Duration::from_secs(180),
            ca_certs_pem: None,
        }
    }
}

/// A response whose body has been read completely.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub elapsed: Duration,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A request that failed after the retries it was allowed.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{method} {target}: {source_text} (after {attempts} attempt{s})", s = if *attempts == 1 { "" } else { "s" })]
    Transport {
        method: Method,
        target: String,
        source_text: String,
        attempts: u32,
    },
    #[error("{method} {target}: HTTP {status} (after {attempts} attempts; {why})")]
    GaveUp {
        method: Method,
        target: String,
        status: StatusCode,
        attempts: u32,
        why: &'static str,
    },
    #[error("{method} {target}: no answer within the {secs} s deadline for all attempts (after {attempts} attempt{s}; raise --timeout if the service is just slow)", s = if *attempts == 1 { "" } else { "s" })]
    Deadline {
        method: Method,
        target: String,
        secs: u64,
        attempts: u32,
    },
}

/// A request description that can be rebuilt for every attempt.
pub struct Req<'a> {
    pub method: Method,
    pub url: url::Url,
    pub headers: Vec<(&'static str, String)>,
    pub bearer: Option<&'a str>,
    pub basic: Option<(&'a str, &'a str)>,
    pub body: Option<Bytes>,
    /// Safe to repeat after a server error or a dropped connection.
    pub idempotent: bool,
}

impl<'a> Req<'a> {
    pub fn new(method: Method, url: url::Url) -> Self {
        let idempotent = method != Method::POST && method != Method::PATCH;
        Req {
            method,
            url,
            headers: Vec::new(),
            bearer: None,
            basic: None,
            body: None,
            idempotent,
        }
    }
}

/// Path and query of a URL without userinfo: what errors and logs show (a `name:secret@` that
/// ended up in the path is hidden too, [`crate::config::redact_userinfo_in_path`]).
pub fn display_target(url: &url::Url) -> String {
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    crate::config::redact_userinfo_in_path(&target).into_owned()
}

struct RateLimiter {
    interval: Duration,
    next: Mutex<Instant>,
}

impl RateLimiter {
    async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = if *next > now { *next } else { now };
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }
}

/// What a client has sent so far (every clone of it counted together): cheap atomics, read with
/// [`Http::stats`].
#[derive(Debug, Default)]
struct Counters {
    /// Attempts sent (each retry is one more request).
    requests: AtomicU64,
    /// Attempts that were retries of a request already sent.
    retries: AtomicU64,
    /// Answers `429 Too Many Requests`.
    throttled: AtomicU64,
    /// Sum of the attempts' durations (sending to the end of the body, or the failure), µs.
    busy_us: AtomicU64,
}

/// A snapshot of a client's request accounting.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HttpStats {
    /// Requests sent, retries included.
    pub requests: u64,
    /// Of those, retries.
    pub retries: u64,
    /// Answers 429.
    pub throttled: u64,
    /// Time the requests took, summed.
    pub busy: Duration,
    /// With an adaptive limit: what it did.
    pub adaptive: Option<LimitStats>,
    /// Requests allowed in flight, on average over time: the fixed limit, or the adaptive
    /// limit's [`LimitStats::mean_limit`].
    pub mean_limit: f64,
}

impl HttpStats {
    /// Mean time of one request.
    pub fn mean_latency(&self) -> Duration {
        if self.requests == 0 {
            Duration::ZERO
        } else {
            self.busy / u32::try_from(self.requests).unwrap_or(u32::MAX)
        }
    }

    /// Requests really in flight on average over `wall`: requests × mean latency ÷ wall time.
    pub fn parallelism(&self, wall: Duration) -> f64 {
        if wall.is_zero() {
            0.0
        } else {
            self.busy.as_secs_f64() / wall.as_secs_f64()
        }
    }

    /// Wall time against its bound, requests × mean latency ÷ requests allowed in flight (the
    /// mean limit): 1.0 when every allowed request was in flight all the time, 2.0 when half
    /// were on average.
    pub fn over_bound(&self, wall: Duration) -> f64 {
        let p = self.parallelism(wall);
        if p == 0.0 { 0.0 } else { self.mean_limit / p }
    }
}

/// Shared HTTP client; cheap to clone.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    cfg: Arc<HttpConfig>,
    sem: Arc<Semaphore>,
    limiter: Option<Arc<RateLimiter>>,
    /// Retry budget in thousandths of a token.
    budget: Arc<AtomicU64>,
    counters: Arc<Counters>,
    aimd: Option<Arc<Aimd>>,
}

const MILLI: u64 = 1000;

/// Make ring the process's rustls crypto provider, unless one is installed already. Every TLS
/// client of ours (reqwest here, octo-bot's WebSocket) takes its provider from the process:
/// reqwest is built with `rustls-no-provider`, so the tools that do not talk to AWS link no
/// aws-lc. Cheap and idempotent; called by [`Http::new`].
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another thread's install is fine: that provider serves.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

impl Http {
    pub fn new(cfg: HttpConfig) -> anyhow::Result<Http> {
        install_crypto_provider();
        #[allow(clippy::disallowed_methods)] // the one place that builds a reqwest client
        let mut builder = reqwest::Client::builder();
        if let Some(pem) = &cfg.ca_certs_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| crate::exit::usage(format!("the CA bundle is not PEM: {e}")))?;
            if certs.is_empty() {
                return Err(crate::exit::usage("the CA bundle holds no certificate"));
            }
            builder = builder.tls_certs_only(certs);
        }
        let client = builder
            .user_agent(cfg.user_agent.clone())
            .timeout(cfg.timeout)
            .connect_timeout(cfg.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::custom(same_host_redirects))
            .build()?;
        // The callers validate these (crate::validate); clamp anyway so no value can panic here.
        let limiter = (cfg.max_rps > 0.0).then(|| {
            Arc::new(RateLimiter {
                interval: Duration::try_from_secs_f64(1.0 / cfg.max_rps)
                    .unwrap_or(Duration::from_secs(3600))
                    .min(Duration::from_secs(3600)),
                next: Mutex::new(Instant::now()),
            })
        });
        let permits = cfg.max_in_flight.clamp(1, Semaphore::MAX_PERMITS);
        let aimd = cfg
            .adaptive_start
            .map(|start| Arc::new(Aimd::new(start, permits)));
        let permits = aimd.as_ref().map_or(permits, |a| a.start());
        Ok(Http {
            client,
            aimd,
            sem: Arc::new(Semaphore::new(permits)),
            limiter,
            budget: Arc::new(AtomicU64::new(u64::from(cfg.retry_budget) * MILLI)),
            counters: Arc::default(),
            cfg: Arc::new(cfg),
        })
    }

    pub fn config(&self) -> &HttpConfig {
        &self.cfg
    }

    /// Requests, retries, 429s and time spent so far, by this client and all its clones.
    pub fn stats(&self) -> HttpStats {
        let c = &self.counters;
        let adaptive = self.aimd.as_ref().map(|a| a.stats());
        HttpStats {
            requests: c.requests.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            throttled: c.throttled.load(Ordering::Relaxed),
            busy: Duration::from_micros(c.busy_us.load(Ordering::Relaxed)),
            adaptive,
            mean_limit: adaptive.map_or(self.cfg.max_in_flight as f64, |a| a.mean_limit),
        }
    }

    fn spend_retry(&self) -> bool {
        self.budget
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |b| {
                b.checked_sub(MILLI)
            })
            .is_ok()
    }

    fn earn(&self) {
        let cap = u64::from(self.cfg.retry_budget) * MILLI;
        let _ = self
            .budget
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |b| {
                Some((b + MILLI).min(cap))
            });
    }

    fn backoff(&self, retry: u32) -> Duration {
        let exp = self.cfg.base_delay.saturating_mul(1u32 << retry.min(16));
        let cap = exp.min(self.cfg.max_delay);
        let ms = cap.as_millis() as u64;
        Duration::from_millis(rand::rng().random_range(0..=ms.max(1)))
    }

    /// Send with retries; returns the final response (any status, including 4xx/5xx after the
    /// retries ran out are reported as [`HttpError::GaveUp`] only for retryable statuses).
    pub async fn send(&self, req: &Req<'_>) -> Result<Response, HttpError> {
        let target = display_target(&req.url);
        let deadline = Instant::now()
            .checked_add(self.cfg.total_timeout)
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400));
        let out_of_time = |attempts: u32| HttpError::Deadline {
            method: req.method.clone(),
            target: target.clone(),
            secs: self.cfg.total_timeout.as_secs(),
            attempts,
        };
        let mut attempt: u32 = 0;
        let c = &self.counters;
        loop {
            attempt += 1;
            if let Some(l) = &self.limiter {
                l.wait().await;
            }
            let result = {
                let permit = self.sem.acquire().await.expect("semaphore never closed");
                let started = Instant::now();
                let Some(left) = deadline
                    .checked_duration_since(started)
                    .filter(|d| !d.is_zero())
                else {
                    return Err(out_of_time(attempt - 1));
                };
                let mut held = Held::new(self.aimd.as_deref(), &self.sem, permit);
                c.requests.fetch_add(1, Ordering::Relaxed);
                if attempt > 1 {
                    c.retries.fetch_add(1, Ordering::Relaxed);
                }
                let mut b = self
                    .client
                    .request(req.method.clone(), req.url.clone())
                    .timeout(left.min(self.cfg.timeout));
                for (k, v) in &req.headers {
                    b = b.header(*k, v);
                }
                if let Some(t) = req.bearer {
                    b = b.bearer_auth(t);
                }
                if let Some((u, p)) = req.basic {
                    b = b.basic_auth(u, Some(p));
                }
                if let Some(body) = &req.body {
                    b = b.body(body.clone());
                }
                let result = match b.send().await {
                    Ok(resp) => {
                        let status = resp.status();
                        let headers = resp.headers().clone();
                        match resp.bytes().await {
                            Ok(body) => Ok(Response {
                                status,
                                headers,
                                body,
                                elapsed: started.elapsed(),
                            }),
                            Err(e) => Err(e),
                        }
                    }
                    Err(e) => Err(e),
                };
                let took = started.elapsed();
                let us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
                c.busy_us.fetch_add(us, Ordering::Relaxed);
                held.ended(match &result {
                    Ok(r) if r.status == StatusCode::TOO_MANY_REQUESTS => Outcome::Throttled,
                    Ok(_) => Outcome::Answered(took),
                    Err(_) => Outcome::Failed,
                });
                drop(held);
                result
            };

            match result {
                Ok(resp) => {
                    let s = resp.status;
                    if s == StatusCode::TOO_MANY_REQUESTS {
                        c.throttled.fetch_add(1, Ordering::Relaxed);
                    }
                    let retryable = s == StatusCode::TOO_MANY_REQUESTS
                        || (req.idempotent && matches!(s.as_u16(), 500 | 502 | 503 | 504));
                    if !retryable {
                        self.earn();
                        return Ok(resp);
                    }
                    if attempt >= self.cfg.max_attempts {
                        return Err(HttpError::GaveUp {
                            method: req.method.clone(),
                            target,
                            status: s,
                            attempts: attempt,
                            why: "retries exhausted",
                        });
                    }
                    let delay = match retry_after(&resp.headers) {
                        Some(d) if d > self.cfg.max_retry_after => {
                            return Err(HttpError::GaveUp {
                                method: req.method.clone(),
                                target,
                                status: s,
                                attempts: attempt,
                                why: "Retry-After longer than we wait",
                            });
                        }
                        Some(d) => d,
                        None => self.backoff(attempt - 1),
                    };
                    if !self.spend_retry() {
                        return Err(HttpError::GaveUp {
                            method: req.method.clone(),
                            target,
                            status: s,
                            attempts: attempt,
                            why: "retry budget exhausted: the service is failing too often",
                        });
                    }
                    if Instant::now() + delay >= deadline {
                        return Err(out_of_time(attempt));
                    }
                    tracing::debug!(%target, status = s.as_u16(), ?delay, attempt, "retrying");
                    tokio::time::sleep(delay).await;
                }
                Err(e) => {
                    let never_sent = e.is_connect();
                    let text = describe_reqwest(&e);
                    // A refused redirect is an answer, not a failure to get one; a certificate
                    // the trusted roots do not vouch for will not be vouched for next time.
                    let retryable = !e.is_redirect()
                        && !is_certificate_error(&text)
                        && (never_sent || req.idempotent);
                    if !retryable || attempt >= self.cfg.max_attempts || !self.spend_retry() {
                        return Err(HttpError::Transport {
                            method: req.method.clone(),
                            target,
                            source_text: text,
                            attempts: attempt,
                        });
                    }
                    let delay = self.backoff(attempt - 1);
                    if Instant::now() + delay >= deadline {
                        return Err(HttpError::Transport {
                            method: req.method.clone(),
                            target,
                            source_text: format!(
                                "{text}; no time left for another attempt within the {} s deadline",
                                self.cfg.total_timeout.as_secs()
                            ),
                            attempts: attempt,
                        });
                    }
                    tracing::debug!(%target, error = %text, ?delay, attempt, "retrying");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }
}

/// Redirects are followed only on the host (and port) first asked, at most 5: a body from another
/// host is never taken for the service's answer. The error names both hosts.
fn same_host_redirects(attempt: reqwest::redirect::Attempt<'_>) -> reqwest::redirect::Action {
    let host = |u: &url::Url| {
        format!(
            "{}:{}",
            u.host_str().unwrap_or(""),
            u.port_or_known_default().unwrap_or(0)
        )
    };
    let Some(first) = attempt.previous().first() else {
        return attempt.follow();
    };
    let (from, to) = (host(first), host(attempt.url()));
    if from != to || first.scheme() != attempt.url().scheme() {
        let msg = format!("redirect from {from} to another host, {to}, refused");
        return attempt.error(msg);
    }
    if attempt.previous().len() > 5 {
        return attempt.error("more than 5 redirects");
    }
    attempt.follow()
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(h: &HeaderMap) -> Option<Duration> {
    let v = h.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let now = chrono::Utc::now();
    Some(
        (when.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

/// Whether a transport error (as [`describe_reqwest`] tells it) is a TLS certificate the trusted
/// roots refuse: a configuration problem, not a passing one.
pub fn is_certificate_error(text: &str) -> bool {
    text.contains("invalid peer certificate") || text.contains("certificate verify failed")
}

/// A short, secret-free description of a reqwest error with its cause chain (no URL: the caller
/// names the target).
fn describe_reqwest(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "connection broken while reading the response"
    } else if e.is_redirect() {
        "bad redirect"
    } else if e.is_request() {
        "request failed"
    } else {
        "HTTP error"
    };
    let mut causes = Vec::new();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let t = s.to_string();
        if !causes.contains(&t) {
            causes.push(t);
        }
        src = s.source();
    }
    if causes.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {}", causes.join(": "))
    }
}

#[cfg(test)]
mod tests;
