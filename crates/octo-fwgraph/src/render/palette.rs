//! Colours shared by every format, as `#rrggbb`, so DOT, Mermaid and the drawings agree.

use crate::model::{Action, PeerKind};

/// Line and text colour of a rule's action: ACCEPT green, DROP red, REJECT orange.
pub fn action(a: Action) -> &'static str {
    match a {
        Action::Accept => "#1a7f37",
        Action::Drop => "#cf222e",
        Action::Reject => "#e07000",
    }
}

/// Light tint of an action, the fill of its rule box.
pub fn action_fill(a: Action) -> &'static str {
    match a {
        Action::Accept => "#dafbe1",
        Action::Drop => "#ffebe9",
        Action::Reject => "#fff1e0",
    }
}

/// The service–workload lines.
pub const NEUTRAL: &str = "#6e7781";
pub const TEXT: &str = "#1f2328";
pub const MUTED: &str = "#57606a";
pub const BORDER: &str = "#8c959f";
pub const SERVICE_FILL: &str = "#ffffff";
pub const WORKLOAD_FILL: &str = "#1f3a93";
pub const WORKLOAD_BORDER: &str = "#12245e";
pub const ON_DARK: &str = "#ffffff";
pub const INACTIVE_FILL: &str = "#f6f8fa";

/// Fill of a source/target box by kind.
pub fn peer_fill(k: &PeerKind) -> &'static str {
    match k {
        PeerKind::Zone => "#ddf4ff",
        PeerKind::Group => "#f0e6ff",
        PeerKind::UserGroup => "#fff8c5",
        PeerKind::Any => "#eaeef2",
        PeerKind::Other(_) => "#f6f8fa",
    }
}

/// `#rrggbb` → (r, g, b).
pub fn rgb(hex: &str) -> (u8, u8, u8) {
    let h = hex.trim_start_matches('#');
    let c = |i: usize| u8::from_str_radix(h.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
    (c(0), c(2), c(4))
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_hex() {
        assert_eq!(super::rgb("#1a7f37"), (0x1a, 0x7f, 0x37));
    }
}
