//! The in-flight rate limit (`Faults::max_in_flight`, `--max-in-flight`): an API that answers
//! `429 Too Many Requests` (no `Retry-After`) to a request arriving while N others are being
//! served, as a per-client concurrency quota does. What it saw is in `/_sim/state` →
//! `in_flight`: requests being served now, the most served at once, the most that arrived at
//! once (refused ones included), and how many were refused.

use std::sync::Mutex;

use serde_json::{Value, json};

#[derive(Debug, Default)]
pub(crate) struct InFlight {
    state: Mutex<Counts>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    now: u64,
    max_served: u64,
    max_arrived: u64,
    refused: u64,
}

/// A request being served; dropped when its answer is ready.
pub(crate) struct Serving<'a>(&'a InFlight);

impl InFlight {
    /// A request arrives: served (counted until the guard drops), or refused when `limit` (not 0)
    /// requests are already being served.
    pub(crate) fn arrive(&self, limit: u32) -> Option<Serving<'_>> {
        let mut c = self.state.lock().unwrap_or_else(|e| e.into_inner());
        c.max_arrived = c.max_arrived.max(c.now + 1);
        if limit > 0 && c.now >= u64::from(limit) {
            c.refused += 1;
            return None;
        }
        c.now += 1;
        c.max_served = c.max_served.max(c.now);
        Some(Serving(self))
    }

    pub(crate) fn reset(&self) {
        let mut c = self.state.lock().unwrap_or_else(|e| e.into_inner());
        *c = Counts {
            now: c.now,
            ..Counts::default()
        };
    }

    pub(crate) fn json(&self) -> Value {
        let c = *self.state.lock().unwrap_or_else(|e| e.into_inner());
        json!({
            "now": c.now,
            "max_served": c.max_served,
            "max_arrived": c.max_arrived,
            "refused": c.refused,
        })
    }
}

impl Drop for Serving<'_> {
    fn drop(&mut self) {
        let mut c = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        c.now = c.now.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_above_the_limit_and_counts() {
        let f = InFlight::default();
        let a = f.arrive(2).unwrap();
        let b = f.arrive(2).unwrap();
        assert!(f.arrive(2).is_none());
        drop(a);
        let c = f.arrive(2).unwrap();
        assert_eq!(
            f.json(),
            json!({"now": 2, "max_served": 2, "max_arrived": 3, "refused": 1})
        );
        drop((b, c));
        assert!(f.arrive(0).is_some(), "0: no limit");
        f.reset();
        assert_eq!(f.json()["refused"], 0);
    }
}
