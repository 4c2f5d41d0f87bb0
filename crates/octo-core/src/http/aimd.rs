//! Adaptive requests in flight (`--concurrency auto`): slow start, then additive increase and
//! multiplicative decrease, as a TCP congestion window or the AWS SDK's adaptive retry mode.
//!
//! The limit is the number of permits of the client's (fair, first come first served)
//! semaphore in circulation. A *window* is `limit` successful answers in a row: when the window
//! used the whole limit (`limit` requests were in flight at some point) and its mean latency
//! held (at most 1.5 times the fastest window's), the limit grows, up to the ceiling — doubling
//! (slow start) until the first 429 or the first window whose latency did not hold, by one
//! after that, so a run reaches its ceiling in a few windows and probes gently once it has
//! met a limit. A 429
//! to a request sent since the last decrease halves it (at least 1); 429s to requests sent
//! before that decrease were caused by the old limit and do not halve it again. Permits the
//! decrease cannot take back at once (they are in use) are taken back as they are returned.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

/// How one attempt ended, for the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// An answer other than 429, after `Duration`.
    Answered(Duration),
    /// 429 Too Many Requests.
    Throttled,
    /// No answer (connection failure, timeout): says nothing about the limit.
    Failed,
}

/// What the limit did during a run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LimitStats {
    /// Limit now.
    pub limit: usize,
    /// Highest limit reached since the first decrease (since the start when it never
    /// decreased): where the limit settled under a rate limit.
    pub peak: usize,
    /// Most requests in flight at once.
    pub max_in_flight: usize,
    /// Times the limit was halved.
    pub decreases: u64,
    /// The limit's mean over time, from the first request until now: the requests a run was
    /// allowed in flight on average, to hold its effective parallelism against.
    pub mean_limit: f64,
}

pub(crate) struct Aimd {
    ceiling: usize,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    limit: usize,
    /// Permits to take out of circulation as they are returned (after a decrease).
    debt: usize,
    in_flight: usize,
    max_in_flight: usize,
    peak: usize,
    decreases: u64,
    /// Doubling per window until the first 429 or the first window whose latency did not hold.
    slow_start: bool,
    /// Bumped by every decrease; requests carry the epoch they were sent in.
    epoch: u64,
    /// The current window: successes, their summed latency, whether the limit was all in use.
    successes: usize,
    latency: Duration,
    full: bool,
    /// Mean latency of the fastest window so far.
    baseline: Option<Duration>,
    /// The limit's integral over time (limit × seconds) up to `changed`, from `first`, the
    /// first request.
    limit_secs: f64,
    first: Option<Instant>,
    changed: Option<Instant>,
}

impl Aimd {
    /// A limit starting at `start` (the semaphore's permits), within `1..=ceiling`.
    pub(crate) fn new(start: usize, ceiling: usize) -> Aimd {
        let ceiling = ceiling.max(1);
        let limit = start.clamp(1, ceiling);
        Aimd {
            ceiling,
            state: Mutex::new(State {
                limit,
                debt: 0,
                in_flight: 0,
                max_in_flight: 0,
                peak: limit,
                decreases: 0,
                slow_start: true,
                epoch: 0,
                successes: 0,
                latency: Duration::ZERO,
                full: false,
                baseline: None,
                limit_secs: 0.0,
                first: None,
                changed: None,
            }),
        }
    }

    /// The permits the semaphore starts with.
    pub(crate) fn start(&self) -> usize {
        self.lock().limit
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A request holding a permit is sent: returns its epoch.
    pub(crate) fn sent(&self) -> u64 {
        let mut s = self.lock();
        if s.first.is_none() {
            let now = Instant::now();
            (s.first, s.changed) = (Some(now), Some(now));
        }
        s.in_flight += 1;
        s.max_in_flight = s.max_in_flight.max(s.in_flight);
        if s.in_flight >= s.limit {
            s.full = true;
        }
        s.epoch
    }

    /// The request sent in `epoch` ended with `outcome`; its permit goes back (or out of
    /// circulation after a decrease).
    pub(crate) fn done(
        &self,
        sem: &Semaphore,
        epoch: u64,
        outcome: Outcome,
        permit: SemaphorePermit<'_>,
    ) {
        let mut s = self.lock();
        s.in_flight = s.in_flight.saturating_sub(1);
        match outcome {
            Outcome::Throttled if epoch == s.epoch => {
                let new = (s.limit / 2).max(1);
                let cut = s.limit - new;
                s.set_limit(new, Instant::now());
                s.epoch += 1;
                s.decreases += 1;
                s.slow_start = false;
                if s.decreases == 1 {
                    s.peak = new;
                }
                s.reset_window();
                let taken = sem.forget_permits(cut);
                s.debt += cut - taken;
                tracing::debug!(limit = new, "429: requests in flight halved");
            }
            // Answers to requests sent before the last decrease say nothing about the new limit.
            Outcome::Throttled | Outcome::Failed => {}
            Outcome::Answered(_) if epoch != s.epoch => {}
            Outcome::Answered(latency) => {
                s.successes += 1;
                s.latency += latency;
                if s.successes >= s.limit {
                    let mean = s.latency / u32::try_from(s.successes).unwrap_or(u32::MAX);
                    let baseline = s.baseline.map_or(mean, |b| b.min(mean));
                    s.baseline = Some(baseline);
                    // Latency up by half or more: the added requests mostly queue (at the
                    // server, or for our own CPU) instead of being served side by side — a
                    // doubling then buys less than a third more throughput, and every request
                    // in flight holds a connection and its buffers (issue 17: against a
                    // simulator answering at once, 64 in flight took 9.5 ms → 45 ms a window
                    // and 9 MB more than 32 for no gain).
                    let holds = mean.saturating_mul(2) <= baseline.saturating_mul(3);
                    tracing::debug!(
                        limit = s.limit,
                        full = s.full,
                        ?mean,
                        ?baseline,
                        holds,
                        "window"
                    );
                    if !holds {
                        s.slow_start = false;
                    }
                    if s.full && holds && s.limit < self.ceiling {
                        let step = if s.slow_start { s.limit } else { 1 };
                        let new = (s.limit + step).min(self.ceiling);
                        let mut grow = new - s.limit;
                        s.set_limit(new, Instant::now());
                        s.peak = s.peak.max(s.limit);
                        // permits still owed by a decrease are forgiven before new ones are added
                        let forgiven = grow.min(s.debt);
                        s.debt -= forgiven;
                        grow -= forgiven;
                        if grow > 0 {
                            sem.add_permits(grow);
                        }
                    }
                    s.reset_window();
                }
            }
        }
        if s.debt > 0 {
            s.debt -= 1;
            permit.forget();
        }
    }

    pub(crate) fn stats(&self) -> LimitStats {
        let s = self.lock();
        LimitStats {
            limit: s.limit,
            peak: s.peak,
            max_in_flight: s.max_in_flight,
            decreases: s.decreases,
            mean_limit: s.mean_limit(Instant::now()),
        }
    }
}

/// A permit of the client's semaphore, held while one attempt is in flight; dropped (also when
/// the request is cancelled), it goes back through the adaptive limit when there is one.
pub(crate) struct Held<'a> {
    aimd: Option<(&'a Aimd, u64)>,
    sem: &'a Semaphore,
    permit: Option<SemaphorePermit<'a>>,
    outcome: Outcome,
}

impl<'a> Held<'a> {
    pub(crate) fn new(aimd: Option<&'a Aimd>, sem: &'a Semaphore, p: SemaphorePermit<'a>) -> Self {
        Held {
            aimd: aimd.map(|a| (a, a.sent())),
            sem,
            permit: Some(p),
            outcome: Outcome::Failed,
        }
    }

    /// How the attempt ended (the default: no answer).
    pub(crate) fn ended(&mut self, outcome: Outcome) {
        self.outcome = outcome;
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if let (Some((a, epoch)), Some(p)) = (self.aimd, self.permit.take()) {
            a.done(self.sem, epoch, self.outcome, p);
        }
    }
}

impl State {
    /// The limit's integral up to `now`.
    fn limit_secs(&self, now: Instant) -> f64 {
        let since = self.changed.map_or(0.0, |c| (now - c).as_secs_f64());
        self.limit_secs + self.limit as f64 * since
    }

    fn set_limit(&mut self, new: usize, now: Instant) {
        self.limit_secs = self.limit_secs(now);
        self.changed = self.changed.map(|_| now);
        self.limit = new;
    }

    /// The limit's mean over time since the first request (the limit itself before it, or
    /// when no time has passed).
    fn mean_limit(&self, now: Instant) -> f64 {
        match self.first.map(|f| (now - f).as_secs_f64()) {
            Some(secs) if secs > 0.0 => self.limit_secs(now) / secs,
            _ => self.limit as f64,
        }
    }

    fn reset_window(&mut self) {
        self.successes = 0;
        self.latency = Duration::ZERO;
        self.full = self.in_flight >= self.limit;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(10);

    /// Send `n` requests one after another (each holding a permit while in flight), all answered.
    fn answer(a: &Aimd, sem: &Semaphore, n: usize) {
        for _ in 0..n {
            let p = sem.try_acquire().unwrap();
            let e = a.sent();
            a.done(sem, e, Outcome::Answered(MS), p);
        }
    }

    /// Send `limit` requests at once (the window is full), all answered after `lat`.
    fn full_window(a: &Aimd, sem: &Semaphore, lat: Duration) {
        let limit = a.stats().limit;
        let held: Vec<_> = (0..limit)
            .map(|_| (sem.try_acquire().unwrap(), a.sent()))
            .collect();
        assert!(sem.try_acquire().is_err(), "the limit is all in use");
        for (p, e) in held {
            a.done(sem, e, Outcome::Answered(lat), p);
        }
    }

    #[test]
    fn doubles_per_full_window_until_a_429_then_grows_by_one_and_halves_once_per_burst() {
        let sem = Semaphore::new(4);
        let a = Aimd::new(4, 12);
        assert_eq!(a.start(), 4);
        // a window that never used the limit: no growth
        answer(&a, &sem, 8);
        assert_eq!(a.stats().limit, 4);
        // slow start: four at once, answered → 8; eight at once → 12 (the ceiling, not 16)
        full_window(&a, &sem, MS);
        assert_eq!((a.stats().limit, sem.available_permits()), (8, 8));
        full_window(&a, &sem, MS);
        assert_eq!((a.stats().limit, sem.available_permits()), (12, 12));
        // twelve in flight, three answered 429: halved once (to 6), not three times
        let held: Vec<_> = (0..12)
            .map(|_| (sem.try_acquire().unwrap(), a.sent()))
            .collect();
        for (i, (p, e)) in held.into_iter().enumerate() {
            let o = if i < 3 {
                Outcome::Throttled
            } else {
                Outcome::Answered(MS)
            };
            a.done(&sem, e, o, p);
        }
        let st = a.stats();
        assert_eq!(
            (st.limit, st.peak, st.decreases, st.max_in_flight),
            (6, 6, 1, 12)
        );
        // the permits in use when it halved were taken back as they came home
        assert_eq!(sem.available_permits(), 6);
        // after a 429: one more per full window, no more doubling
        full_window(&a, &sem, MS);
        assert_eq!((a.stats().limit, sem.available_permits()), (7, 7));
        full_window(&a, &sem, MS);
        let st = a.stats();
        assert_eq!((st.limit, st.peak, sem.available_permits()), (8, 8, 8));
    }

    #[test]
    fn latency_that_does_not_hold_stops_growth_and_the_ceiling_caps_it() {
        let sem = Semaphore::new(1);
        let a = Aimd::new(1, 5);
        full_window(&a, &sem, MS);
        assert_eq!(a.stats().limit, 2, "slow start: 1 → 2");
        full_window(&a, &sem, MS * 3 / 2 + Duration::from_micros(1));
        assert_eq!(
            a.stats().limit,
            2,
            "latency up by more than half: no growth"
        );
        // slow start ended with it: one more per window from here; half again still holds
        full_window(&a, &sem, MS * 3 / 2);
        assert_eq!(a.stats().limit, 3);
        full_window(&a, &sem, MS);
        assert_eq!(a.stats().limit, 4);
        full_window(&a, &sem, MS);
        full_window(&a, &sem, MS);
        full_window(&a, &sem, MS);
        assert_eq!(a.stats().limit, 5, "ceiling");
        assert_eq!(sem.available_permits(), 5);
    }

    #[test]
    fn the_mean_limit_weighs_each_limit_by_how_long_it_held() {
        let a = Aimd::new(16, 64);
        assert_eq!(
            a.stats().mean_limit,
            16.0,
            "before the first request: the limit"
        );
        let t0 = Instant::now();
        let mut s = a.lock();
        (s.first, s.changed) = (Some(t0), Some(t0));
        let sec = Duration::from_secs(1);
        assert_eq!(s.mean_limit(t0), 16.0, "no time passed: the limit");
        s.set_limit(32, t0 + sec);
        assert_eq!(s.mean_limit(t0 + 2 * sec), 24.0);
        s.set_limit(8, t0 + 2 * sec);
        // 16 for 1 s, 32 for 1 s, 8 for 2 s
        assert_eq!(s.mean_limit(t0 + 4 * sec), 16.0);
        assert_eq!(s.limit_secs(t0 + 4 * sec), 64.0);
    }
}
