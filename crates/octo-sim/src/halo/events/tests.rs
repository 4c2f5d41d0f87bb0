use super::*;

#[test]
fn ev_is_compact() {
    assert!(std::mem::size_of::<Ev>() <= 24);
}

#[test]
fn generation_is_sorted_deterministic_and_has_boundaries_and_bursts() {
    let day = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
    let now = day_start_ms(day) + 3 * DAY_MS - 1;
    let a = generate(42, day, 3, now, 5000, 0.1, 60);
    let b = generate(42, day, 3, now, 5000, 0.1, 60);
    assert_eq!(a.len(), 15_000);
    assert_eq!(a, b);
    assert!(a.windows(2).all(|w| w[0].ts <= w[1].ts));
    for d in 0..3 {
        let d0 = day_start_ms(day) + d * DAY_MS;
        assert!(a.iter().any(|e| e.ts == d0));
        assert!(a.iter().any(|e| e.ts == d0 + DAY_MS - 1));
    }
    // a burst: >= 20 events sharing one timestamp
    let mut run = 1;
    let mut best = 1;
    for w in a.windows(2) {
        run = if w[0].ts == w[1].ts { run + 1 } else { 1 };
        best = best.max(run);
    }
    assert!(best >= 20, "longest run {best}");
    // truncation at now keeps the prefix identical
    let c = generate(42, day, 3, now - DAY_MS / 2, 5000, 0.1, 60);
    assert_eq!(&a[..c.len()], &c[..]);
    let crit = a.iter().filter(|e| e.crit).count() as f64 / a.len() as f64;
    assert!((0.08..0.25).contains(&crit), "critical share {crit}");
}
