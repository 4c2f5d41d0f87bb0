//! The loop every target runs in: generate an input from random bytes, check the property, and
//! fail naming the input — on a panic, on a case slower than [`CASE_LIMIT`], or on a hang.
//!
//! Time: `FUZZ_SECONDS` per target when set (`make fuzz`), else [`BRIEF`] (`make test`), and at
//! least [`MIN_CASES`] cases either way. `ARBTEST_SEED` replays one case (the seed a failure
//! printed). Inputs are bounded by [`MAX_ENTROPY`] random bytes and [`MAX_INPUT`] bytes of text.

use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use arbitrary::Unstructured;
use octo_core::env;

/// How long each target runs when `FUZZ_SECONDS` is not set.
pub const BRIEF: Duration = Duration::from_millis(800);
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

/// The time budget of each target: `FUZZ_SECONDS`, else [`BRIEF`].
pub fn budget() -> Duration {
    match env::var_nonempty(env::FUZZ_SECONDS) {
        Some(s) => match s.trim().parse::<f64>() {
            Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 86_400.0 => {
                Duration::from_secs_f64(secs)
            }
            _ => panic!("FUZZ_SECONDS must be a number of seconds (0-86400], got `{s}`"),
        },
        None => BRIEF,
    }
}

/// Run target `name`: `generate` makes an input from random bytes, `check` panics when the
/// property does not hold. Fails with the input's `Debug` text.
pub fn fuzz<T, G, C>(name: &'static str, generate: G, check: C)
where
    T: Debug + Clone + Send + 'static,
    G: Fn(&mut Unstructured<'_>) -> arbitrary::Result<T> + Send + 'static,
    C: Fn(&T) + Send + 'static,
{
    let budget = budget();
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
        let input = generate(u)?;
        if let Ok(mut c) = current.lock() {
            *c = Some(input.clone());
        }
        let start = Instant::now();
        if let Err(p) = catch_unwind(AssertUnwindSafe(|| check(&input))) {
            panic!(
                "{name}: the property failed ({}) on input {input:?}",
                panic_text(&*p)
            );
        }
        let took = start.elapsed();
        assert!(
            took < CASE_LIMIT,
            "{name}: one case took {took:?} (limit {CASE_LIMIT:?}) on input {input:?}"
        );
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
