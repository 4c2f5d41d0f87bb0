//! The loop every target runs in: generate an input from random bytes, check the property, and
//! fail naming the input — on a panic, on a case slower than [`CASE_LIMIT`], or on a hang.
//!
//! `make fuzz` (`FUZZ_SECONDS` set): each target explores fresh random seeds for that many
//! seconds (at least [`MIN_CASES`] cases), and a case slower than [`CASE_LIMIT`] or a hang fails.
//! `make test` (`FUZZ_SECONDS` unset): each target runs the same [`MIN_CASES`] seeds on every run
//! (derived from its name, sizes growing from 8 bytes to [`MAX_ENTROPY`]) with no clock involved,
//! so the suite is deterministic; exploring is `make fuzz`'s job, and what it finds becomes a
//! regression case. `ARBTEST_SEED` replays one case (the seed a failure printed). Inputs are
//! bounded by [`MAX_ENTROPY`] random bytes and [`MAX_INPUT`] bytes of text.

use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use arbitrary::Unstructured;
use octo_core::env;

/// Cases each target runs at least, whatever the time budget.
pub const MIN_CASES: u64 = 200;
/// Random bytes one case gets at most.
pub const MAX_ENTROPY: u32 = 16 * 1024;
/// Largest text input a generator makes (after mutation).
pub const MAX_INPUT: usize = 256 * 1024;
/// Slowest a single case may be: every input is size-capped, so a case this slow is a hang in
/// the making (a parser quadratic in its input), not a loaded machine.
pub const CASE_LIMIT: Duration = Duration::from_secs(10);
/// Budget of one arbtest run: input sizes start small again at each run.
const SLICE: Duration = Duration::from_secs(2);

/// The time budget of each target: `FUZZ_SECONDS`; `None` = the fixed seeds of `make test`.
pub fn budget() -> Option<Duration> {
    let s = env::var_nonempty(env::FUZZ_SECONDS)?;
    match s.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 86_400.0 => {
            Some(Duration::from_secs_f64(secs))
        }
        _ => panic!("FUZZ_SECONDS must be a number of seconds (0-86400], got `{s}`"),
    }
}

/// The `i`-th fixed seed of target `name`: arbtest's layout (size in the low 32 bits, the
/// generator's state in the high 32, never 0), sizes growing geometrically to [`MAX_ENTROPY`].
pub fn fixed_seed(name: &str, i: u64) -> u64 {
    let state = name.bytes().fold(
        0xCBF2_9CE4_8422_2325_u64 ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3),
    );
    let state = (state ^ (state >> 32)) as u32 | 1;
    let growth = (MAX_ENTROPY as f64 / 8.0).powf(i as f64 / (MIN_CASES - 1) as f64);
    let size = ((8.0 * growth) as u32).clamp(8, MAX_ENTROPY);
    (u64::from(state) << 32) | u64::from(size)
}

/// Run target `name`: `generate` makes an input from random bytes, `check` panics when the
/// property does not hold. Fails with the input's `Debug` text.
pub fn fuzz<T, G, C>(name: &'static str, generate: G, check: C)
where
    T: Debug + Clone + Send + 'static,
    G: Fn(&mut Unstructured<'_>) -> arbitrary::Result<T> + Send + 'static,
    C: Fn(&T) + Send + 'static,
{
    let Some(budget) = budget() else {
        if env::is_set(env::ARBTEST_SEED) {
            arbtest::arbtest(property(name, &generate, &check, None)).run();
            return;
        }
        for i in 0..MIN_CASES {
            arbtest::arbtest(property(name, &generate, &check, None))
                .seed(fixed_seed(name, i))
                .run();
        }
        return;
    };
    let current: Arc<Mutex<Option<T>>> = Arc::new(Mutex::new(None));
    let cases = Arc::new(AtomicU64::new(0));
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let worker = {
        let current = current.clone();
        let cases = cases.clone();
        std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let result = catch_unwind(AssertUnwindSafe(|| {
                    run_cases(name, budget, &generate, &check, &current, &cases)
                }));
                let _ = done_tx.send(());
                if let Err(p) = result {
                    resume_unwind(p);
                }
            })
            .expect("spawn the fuzz worker")
    };
    // The worker reports when done; if it does not, a case hangs.
    let patience = budget + CASE_LIMIT * 3;
    match done_rx.recv_timeout(patience) {
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(p) = worker.join() {
                resume_unwind(p);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            let input = current
                .lock()
                .map(|c| format!("{:?}", *c))
                .unwrap_or_default();
            panic!(
                "{name}: no answer after {patience:?} ({} cases done): a case hangs on input {input}",
                cases.load(Ordering::Relaxed)
            );
        }
    }
}

fn run_cases<T, G, C>(
    name: &str,
    budget: Duration,
    generate: &G,
    check: &C,
    current: &Mutex<Option<T>>,
    cases: &AtomicU64,
) where
    T: Debug + Clone,
    G: Fn(&mut Unstructured<'_>) -> arbitrary::Result<T>,
    C: Fn(&T),
{
    let mut property = |u: &mut Unstructured<'_>| -> arbitrary::Result<()> {
        property(name, generate, check, Some(current))(u)?;
        cases.fetch_add(1, Ordering::Relaxed);
        Ok(())
    };
    if env::is_set(env::ARBTEST_SEED) {
        // arbtest reads the seed itself and runs that one case
        arbtest::arbtest(&mut property).run();
        return;
    }
    let start = Instant::now();
    while start.elapsed() < budget || cases.load(Ordering::Relaxed) < MIN_CASES {
        let left = budget.saturating_sub(start.elapsed());
        arbtest::arbtest(&mut property)
            .size_min(8)
            .size_max(MAX_ENTROPY)
            .budget(left.clamp(Duration::from_millis(100), SLICE))
            .run();
    }
}

/// The message of a caught panic.
fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".into()
    }
}

/// One case: generate, check, and fail naming the input. With `current` (exploring under
/// `make fuzz`), the input is kept for the hang report and a case slower than [`CASE_LIMIT`]
/// fails; the fixed seeds of `make test` involve no clock.
fn property<'a, T, G, C>(
    name: &'a str,
    generate: &'a G,
    check: &'a C,
    current: Option<&'a Mutex<Option<T>>>,
) -> impl FnMut(&mut Unstructured<'_>) -> arbitrary::Result<()> + 'a
where
    T: Debug + Clone,
    G: Fn(&mut Unstructured<'_>) -> arbitrary::Result<T>,
    C: Fn(&T),
{
    move |u| {
        let input = generate(u)?;
        if let Some(Ok(mut c)) = current.map(Mutex::lock) {
            *c = Some(input.clone());
        }
        let start = Instant::now();
        if let Err(p) = catch_unwind(AssertUnwindSafe(|| check(&input))) {
            panic!(
                "{name}: the property failed ({}) on input {input:?}",
                panic_text(&*p)
            );
        }
        if current.is_some() {
            let took = start.elapsed();
            assert!(
                took < CASE_LIMIT,
                "{name}: one case took {took:?} (limit {CASE_LIMIT:?}) on input {input:?}"
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static CHECKED: AtomicU64 = AtomicU64::new(0);

    #[test]
    fn the_fixed_seeds_check_every_case_and_the_same_inputs_each_run() {
        if env::is_set(env::FUZZ_SECONDS) || env::is_set(env::ARBTEST_SEED) {
            return; // exploring: the count below is that of `make test`
        }
        let seen = Arc::new(Mutex::new(Vec::new()));
        let kept = seen.clone();
        fuzz(
            "self-test",
            // the input is the entropy the seed gave the case
            |u| Ok(u.len()),
            move |entropy| {
                CHECKED.fetch_add(1, Ordering::Relaxed);
                kept.lock().unwrap().push(*entropy);
            },
        );
        assert_eq!(CHECKED.load(Ordering::Relaxed), MIN_CASES);
        let sizes = seen.lock().unwrap().clone();
        assert_eq!(
            (sizes[0], sizes.iter().max()),
            (8, Some(&(MAX_ENTROPY as usize))),
            "inputs grow"
        );
        assert_eq!(fixed_seed("self-test", 7), fixed_seed("self-test", 7));
        assert_ne!(fixed_seed("self-test", 7), fixed_seed("other", 7));
        assert_eq!(fixed_seed("x", MIN_CASES - 1) as u32, MAX_ENTROPY);
    }

    #[test]
    #[should_panic(expected = "self-test: the property failed (no) on input")]
    fn a_failing_property_names_the_input() {
        if env::is_set(env::FUZZ_SECONDS) || env::is_set(env::ARBTEST_SEED) {
            panic!("self-test: the property failed (no) on input (skipped while exploring)");
        }
        fuzz("self-test", |u| u.arbitrary::<u8>(), |_| panic!("no"));
    }
}
