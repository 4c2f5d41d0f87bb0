//! Fault injection: latency, 429 with `Retry-After`, 5xx, and dropped connections.
//!
//! Faults apply to every simulated API route (including token endpoints) and never to `/_sim/*`.
//! The hostile knobs ([`crate::hostile`]) are set here too, with the same start and run-time
//! mechanism.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::hostile::Hostile;
use crate::util::Prng;

/// Fault knobs. Probabilities are per request, in `0.0..=1.0`, checked in this order: drop,
/// 429, 5xx. `latency_ms` is added to every API request first.
///
/// `max_in_a_row` bounds how often the *same* request (method and URL) is faulted in a row: the
/// next repetition after that many faults is answered normally. A client that retries at least
/// `max_in_a_row + 1` times therefore always gets through, so a test that compares output under
/// faults with ground truth is deterministic instead of failing once in a few hundred runs when
/// random faults happen to line up. 0 = no bound (an outage).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Sleep this long before answering.
    pub latency_ms: u64,
    /// Share of requests answered `429 Too Many Requests` with `Retry-After: retry_after_secs`.
    pub rate_429: f64,
    /// Value of the `Retry-After` header on injected 429s (seconds).
    pub retry_after_secs: u64,
    /// Share of requests answered 500, 502 or 503 (chosen at random).
    pub rate_5xx: f64,
    /// Share of requests whose connection is dropped without any response.
    pub drop_rate: f64,
    /// Most faults in a row for one request (method + URL); 0 = unbounded. Default 3.
    pub max_in_a_row: u32,
    /// Most API requests served at once; one arriving while this many are being served is
    /// answered 429 without `Retry-After` ([`crate::inflight`]). 0 = no limit.
    pub max_in_flight: u32,
    /// Hostile mode: mutated Halo answers, one entry per knob (`"null-list@/v1/events"`);
    /// see [`crate::hostile::HELP`]. Empty = the normal answers.
    pub hostile: Vec<Hostile>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency_ms: 0,
            rate_429: 0.0,
            retry_after_secs: 0,
            rate_5xx: 0.0,
            drop_rate: 0.0,
            max_in_a_row: 3,
            max_in_flight: 0,
            hostile: Vec::new(),
        }
    }
}

/// What to do with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    None,
    Drop,
    TooMany { retry_after: u64 },
    Status(u16),
}

/// The state behind fault decisions: streaks per request and a random sequence seeded by the
/// world's seed, restarted whenever the faults are set. The n-th faultable request of a run always
/// gets the n-th draw, so a run that makes the same requests meets the same number of faults
/// (which requests they hit depends only on the order requests arrive in).
pub struct FaultDraws {
    pub(crate) streaks: HashMap<String, u32>,
    pub(crate) rng: Prng,
}

impl FaultDraws {
    pub fn new(seed: u64) -> FaultDraws {
        FaultDraws {
            streaks: HashMap::new(),
            rng: Prng::derive(seed, "faults", 0),
        }
    }
}

impl Faults {
    pub(crate) fn decide(&self, rng: &mut Prng) -> Fault {
        if self.drop_rate <= 0.0 && self.rate_429 <= 0.0 && self.rate_5xx <= 0.0 {
            return Fault::None;
        }
        if self.drop_rate > 0.0 && rng.chance(self.drop_rate) {
            return Fault::Drop;
        }
        if self.rate_429 > 0.0 && rng.chance(self.rate_429) {
            return Fault::TooMany {
                retry_after: self.retry_after_secs,
            };
        }
        if self.rate_5xx > 0.0 && rng.chance(self.rate_5xx) {
            return Fault::Status(*rng.pick(&[500u16, 502, 503]));
        }
        Fault::None
    }
}

/// Payload of the unwind used to abort a connection task without a response (see
/// `lib.rs::api_layer`). Resuming an unwind does not run the panic hook, so nothing is printed.
pub(crate) struct DropConnection;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certain_faults() {
        let mut rng = FaultDraws::new(1).rng;
        let f = Faults {
            rate_429: 1.0,
            retry_after_secs: 3,
            ..Faults::default()
        };
        assert_eq!(f.decide(&mut rng), Fault::TooMany { retry_after: 3 });
        let f = Faults {
            rate_5xx: 1.0,
            ..Faults::default()
        };
        assert!(matches!(f.decide(&mut rng), Fault::Status(500 | 502 | 503)));
        let f = Faults {
            drop_rate: 1.0,
            ..Faults::default()
        };
        assert_eq!(f.decide(&mut rng), Fault::Drop);
        assert_eq!(Faults::default().decide(&mut rng), Fault::None);
    }

    #[test]
    fn a_seed_gives_the_same_draws() {
        let f = Faults {
            rate_429: 0.2,
            rate_5xx: 0.2,
            ..Faults::default()
        };
        let run = |seed| {
            let mut d = FaultDraws::new(seed);
            (0..200).map(|_| f.decide(&mut d.rng)).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let faulted = run(7).iter().filter(|d| **d != Fault::None).count();
        assert!((40..=120).contains(&faulted), "{faulted} of 200");
    }

    #[test]
    fn partial_json_fills_defaults() {
        let f: Faults = serde_json::from_str(r#"{"rate_429": 0.5}"#).unwrap();
        assert_eq!(f.rate_429, 0.5);
        assert_eq!(f.latency_ms, 0);
        assert_eq!(f.max_in_a_row, 3);
    }
}
