//! The exporters' progress line on stderr.

use std::sync::Arc;

use octo_core::halo::HaloClient;

/// The exporters' progress: records, pages, detail requests (with an enrich step, e.g.
/// scan-export's scan and finding details), MB and rates, on the [`octo_core::progress`] spinner;
/// notes above it (or plain lines unless quiet). Cheap to clone: the clones share the counters.
#[derive(Clone)]
pub struct Progress(Arc<ProgressInner>);

struct ProgressInner {
    shown: octo_core::progress::Progress,
    quiet: bool,
    records: std::sync::atomic::AtomicU64,
    bytes: std::sync::atomic::AtomicU64,
    started: std::time::Instant,
    /// When the message was last rewritten (ms since `started`).
    shown_at_ms: std::sync::atomic::AtomicU64,
    /// Whose pages (and detail requests) to count.
    halo: Option<HaloClient>,
    /// Whether records are enriched by detail requests.
    details: bool,
}

impl Progress {
    pub fn new(show_bar: bool, quiet: bool, halo: Option<HaloClient>) -> Progress {
        Progress(Arc::new(ProgressInner {
            shown: octo_core::progress::Progress::spinner_if(show_bar, "starting"),
            quiet,
            records: Default::default(),
            bytes: Default::default(),
            started: std::time::Instant::now(),
            shown_at_ms: Default::default(),
            halo,
            details: false,
        }))
    }

    /// Also show the detail requests answered so far (jobs with an enrich step).
    pub(crate) fn with_details(mut self, on: bool) -> Progress {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.details = on;
        }
        self
    }

    pub(crate) fn record(&self, bytes: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        let p = &self.0;
        let n = p.records.fetch_add(1, Relaxed) + 1;
        let b = p.bytes.fetch_add(bytes as u64, Relaxed) + bytes as u64;
        if !p.shown.is_visible() {
            return;
        }
        // a few times a second, whatever the rate (scans with details come slowly)
        let now = p.started.elapsed().as_millis() as u64;
        let last = p.shown_at_ms.load(Relaxed);
        if (n == 1 || now >= last + 100)
            && p.shown_at_ms
                .compare_exchange(last, now, Relaxed, Relaxed)
                .is_ok()
        {
            p.shown.set_message(self.message(n, b));
        }
    }

    fn message(&self, n: u64, b: u64) -> String {
        let p = &self.0;
        let secs = p.started.elapsed().as_secs_f64().max(0.001);
        let pages = p.halo.as_ref().map_or(0, HaloClient::pages_read);
        let details = match (&p.halo, p.details) {
            (Some(h), true) => format!(", {} detail requests", h.gets_answered()),
            _ => String::new(),
        };
        format!(
            "{n} records, {pages} pages{details}, {:.1} MB ({:.0} records/s, {:.1} MB/s)",
            b as f64 / 1e6,
            n as f64 / secs,
            b as f64 / 1e6 / secs
        )
    }

    /// The run's one summary line (`-v`): records, requests (retries, 429s), wall time, the
    /// requests really in flight on average (requests × mean latency ÷ wall time), the requests
    /// allowed in flight on average (the limit's mean over time), and the wall time against its
    /// bound (requests × mean latency ÷ allowed).
    pub fn summary(&self) -> String {
        use std::sync::atomic::Ordering::Relaxed;
        let p = &self.0;
        let wall = p.started.elapsed();
        let st = p
            .halo
            .as_ref()
            .map(|h| h.http().stats())
            .unwrap_or_default();
        format!(
            "done: {} records, {} requests ({} retries, {} answered 429), {:.2} s, mean latency {} ms, effective parallelism {:.1} of {:.1} allowed on average ({:.2}x the bound)",
            p.records.load(Relaxed),
            st.requests,
            st.retries,
            st.throttled,
            wall.as_secs_f64(),
            st.mean_latency().as_millis(),
            st.parallelism(wall),
            st.mean_limit,
            st.over_bound(wall)
        ) + &match st.adaptive {
            Some(l) => format!(
                "; concurrency auto: {} now, peak {}, halved {} times, most in flight {}",
                l.limit, l.peak, l.decreases, l.max_in_flight
            ),
            None => String::new(),
        }
    }

    pub fn note(&self, msg: impl std::fmt::Display) {
        self.0.shown.note(self.0.quiet, msg);
    }

    pub fn finish(&self) {
        self.0.shown.finish();
    }
}
