//! `--concurrency N|auto`: the requests the exporters keep in flight. A number is fixed (checked
//! by [`octo_core::validate::in_flight`]); `auto` (the default) starts at
//! [`AUTO_START`] and adapts within `1..=`[`AUTO_CEILING`] — twice as many after every window of
//! answers whose latency held until the first 429 (slow start), then one more per window, half
//! as many after a 429 (see `octo_core::http`'s adaptive limit).

/// Where `--concurrency auto` starts: the fixed default of earlier versions.
pub const AUTO_START: usize = 16;
/// The most requests in flight `--concurrency auto` grows to.
pub const AUTO_CEILING: usize = 64;

/// Requests in flight: adaptive, or a fixed number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concurrency {
    Auto,
    Fixed(usize),
}

impl Concurrency {
    /// The most requests in flight it allows.
    pub fn ceiling(self) -> usize {
        match self {
            Concurrency::Auto => AUTO_CEILING,
            Concurrency::Fixed(n) => n,
        }
    }
}

impl std::fmt::Display for Concurrency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Concurrency::Auto => f.write_str("auto"),
            Concurrency::Fixed(n) => write!(f, "{n}"),
        }
    }
}

/// clap value parser of `--concurrency`: `auto` or a number in range.
pub fn parse(raw: &str) -> Result<Concurrency, String> {
    if raw.trim().eq_ignore_ascii_case("auto") {
        return Ok(Concurrency::Auto);
    }
    octo_core::validate::in_flight(raw)
        .map(Concurrency::Fixed)
        .map_err(|e| format!("{e} (or auto)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_or_a_number_in_range() {
        assert_eq!(parse("auto"), Ok(Concurrency::Auto));
        assert_eq!(parse(" AUTO "), Ok(Concurrency::Auto));
        assert_eq!(parse("8"), Ok(Concurrency::Fixed(8)));
        assert_eq!(
            parse("0").unwrap_err(),
            "0 is out of range: must be between 1 and 256 (or auto)"
        );
        assert!(parse("257").unwrap_err().contains("out of range"));
        assert!(parse("many").is_err());
        assert_eq!(Concurrency::Auto.ceiling(), 64);
        assert_eq!(Concurrency::Fixed(3).to_string(), "3");
    }
}
