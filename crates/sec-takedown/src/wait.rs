//! The two ways sec-takedown waits for OpenStack and FreshDesk, each written once:
//!
//! - [`poll_until`]: ask again every interval until the answer is ready or the deadline passes
//!   (a server reaching a state, a 409 "state is moving" clearing). Only answers the HTTP client
//!   does not retry itself (409, a state not reached yet) are polled here, so nothing is retried
//!   twice over.
//! - [`create_checked`]: create something with a POST that is not idempotent (a ticket, a
//!   conversation, a snapshot image): look for it first, create it, and only when the outcome is
//!   unknown (a dropped connection, a 5xx) look again before another attempt — so it is never
//!   created twice.

use std::time::{Duration, Instant};

/// One answer of a [`poll_until`] probe.
pub enum Poll<T, W> {
    /// Done: the value.
    Ready(T),
    /// Not yet: what was seen (returned when the deadline passes).
    Pending(W),
}

/// Probe, and while the answer is [`Poll::Pending`] wait `interval` and probe again until
/// `deadline`. `Ok(Ok(value))` when ready; `Ok(Err(last))` with the last pending answer when the
/// deadline passed; `Err` as soon as the probe fails. `what` names the wait in logs.
pub async fn poll_until<T, W>(
    what: &str,
    deadline: Instant,
    interval: Duration,
    mut probe: impl AsyncFnMut() -> anyhow::Result<Poll<T, W>>,
) -> anyhow::Result<Result<T, W>> {
    loop {
        match probe().await? {
            Poll::Ready(v) => return Ok(Ok(v)),
            Poll::Pending(w) => {
                if Instant::now() >= deadline {
                    return Ok(Err(w));
                }
                tracing::debug!(what, ?interval, "not yet; polling again");
                tokio::time::sleep(interval).await;
            }
        }
    }
}

/// The outcome of one creating request of [`create_checked`].
pub enum Attempt<T> {
    /// Created: the new object.
    Created(T),
    /// Unknown whether it was created (a dropped connection, a 5xx): look before trying again.
    Unknown(String),
    /// Refused for now (a 409 while the state is moving): wait the interval, then look again.
    Busy(String),
    /// Refused: give up.
    Failed(String),
}

/// Attempts at creating one object before giving up.
pub const CREATE_ATTEMPTS: u32 = 6;

/// Create one object with a request that is not idempotent, at most [`CREATE_ATTEMPTS`] times:
/// before each attempt and after the last one `find` looks for it (an attempt whose outcome was
/// unknown may have created it). `Ok(Ok(obj))` when found or created; `Ok(Err(why))` with the last
/// reason when every attempt failed or one was refused.
pub async fn create_checked<T>(
    interval: Duration,
    mut find: impl AsyncFnMut() -> anyhow::Result<Option<T>>,
    mut create: impl AsyncFnMut() -> anyhow::Result<Attempt<T>>,
) -> anyhow::Result<Result<T, String>> {
    let mut last = String::from("no attempt");
    for _ in 0..CREATE_ATTEMPTS {
        if let Some(found) = find().await? {
            return Ok(Ok(found));
        }
        match create().await? {
            Attempt::Created(v) => return Ok(Ok(v)),
            Attempt::Unknown(why) => {
                tracing::info!(%why, "outcome unknown; looking for the object before trying again");
                last = why;
            }
            Attempt::Busy(why) => {
                last = why;
                tokio::time::sleep(interval).await;
            }
            Attempt::Failed(why) => return Ok(Err(why)),
        }
    }
    // the last attempt may have created it after all
    Ok(find().await?.ok_or(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn poll_until_returns_the_ready_value_or_the_last_pending_one() {
        let mut n = 0;
        let r = run(poll_until(
            "test",
            Instant::now() + Duration::from_secs(3600),
            Duration::from_millis(1),
            async || {
                n += 1;
                Ok(if n == 3 {
                    Poll::Ready(n)
                } else {
                    Poll::Pending(n)
                })
            },
        ))
        .unwrap();
        assert_eq!(r, Ok(3));
        let mut n = 0;
        let r = run(poll_until(
            "test",
            Instant::now(),
            Duration::from_millis(1),
            async || {
                n += 1;
                Ok(Poll::<(), _>::Pending(n))
            },
        ))
        .unwrap();
        assert_eq!(
            r,
            Err(1),
            "a passed deadline: one probe, its answer returned"
        );
        let e = run(poll_until(
            "test",
            Instant::now(),
            Duration::from_millis(1),
            async || -> anyhow::Result<Poll<(), ()>> { anyhow::bail!("probe failed") },
        ))
        .unwrap_err();
        assert_eq!(e.to_string(), "probe failed");
    }

    #[test]
    fn create_checked_looks_before_every_attempt_and_gives_up_with_the_last_reason() {
        let (mut finds, mut creates) = (0, 0);
        let r = run(create_checked(
            Duration::from_millis(1),
            async || {
                finds += 1;
                Ok((finds == 3).then_some("found"))
            },
            async || {
                creates += 1;
                Ok(Attempt::Unknown(format!("dropped {creates}")))
            },
        ))
        .unwrap();
        assert_eq!((r, finds, creates), (Ok("found"), 3, 2));
        let (mut finds, mut creates) = (0, 0);
        let r = run(create_checked(
            Duration::from_millis(1),
            async || {
                finds += 1;
                Ok(None::<&str>)
            },
            async || {
                creates += 1;
                Ok(if creates == 1 {
                    Attempt::Busy("409".into())
                } else {
                    Attempt::Unknown(format!("502 #{creates}"))
                })
            },
        ))
        .unwrap();
        assert_eq!((r, finds, creates), (Err("502 #6".to_string()), 7, 6));
        let r = run(create_checked(
            Duration::from_millis(1),
            async || Ok(None::<&str>),
            async || Ok(Attempt::Failed("403".into())),
        ))
        .unwrap();
        assert_eq!(r, Err("403".to_string()));
    }
}
