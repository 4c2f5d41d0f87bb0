//! Sanitizing strings that came from outside (hostnames, event messages, ticket text) before they
//! reach a terminal. Pipes get the raw bytes; only what a human will look at goes through here.
//!
//! Every control character is replaced by a visible escape, so an event message cannot move the
//! cursor, recolour the screen, retitle the window or hide text:
//!
//! - `\n`, `\r`, `\t` become the two characters `\n`, `\r`, `\t` (one table cell stays one line);
//! - other C0 controls and DEL become `\xNN` (ESC is `\x1b`, which also defuses every ESC
//!   sequence: what follows it is printed as plain text);
//! - C1 controls (U+0080–U+009F, e.g. the one-character CSI U+009B) become `\u{NN}`;
//! - Unicode bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can
//!   reorder what a terminal shows, become `\u{NNNN}`.
//!
//! JSON printed to a terminal goes through [`json_for_terminal`] instead: the same characters are
//! written as JSON escapes (`\u009b`), so the text stays valid JSON with the same value.
//! [`for_terminal_lines`] is for messages on stderr that are meant to span lines.
//!
//! Who calls these: [`crate::output::Printer`] (every format, when its sink is a terminal) and
//! [`crate::log`] (the error line, notes and tracing lines, when stderr is a terminal). Nothing
//! else should need to.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal as is.
fn is_unsafe(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Replace control and escape characters with visible escapes (see the module docs).
/// Returns the input unchanged (borrowed, no allocation) when it is already clean.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    let Some(first) = s.find(is_unsafe) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0}'..='\u{1f}' | '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Escape what must not reach a terminal in serialized JSON (`json` is serde_json output): every
/// unsafe character except the line breaks and tabs that are JSON's own whitespace becomes a
/// `\uXXXX` escape. serde_json already escapes C0 controls inside strings, so in practice this
/// escapes DEL, the C1 controls (U+009B is a one-character CSI) and the bidi overrides; as they can
/// only occur inside strings, the result is valid JSON that decodes to the same value.
pub fn json_for_terminal(json: &str) -> Cow<'_, str> {
    let unsafe_here = |c: char| is_unsafe(c) && !matches!(c, '\n' | '\r' | '\t');
    let Some(first) = json.find(unsafe_here) else {
        return Cow::Borrowed(json);
    };
    let mut out = String::with_capacity(json.len() + 8);
    out.push_str(&json[..first]);
    for c in json[first..].chars() {
        if unsafe_here(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`for_terminal`] line by line: the `\n` between lines is kept (a message written as several
/// lines stays readable), everything else unsafe is escaped, `\r` included (so no line can be
/// overwritten).
pub fn for_terminal_lines(s: &str) -> Cow<'_, str> {
    if !s.contains(|c: char| is_unsafe(c) && c != '\n') {
        return Cow::Borrowed(s);
    }
    let lines: Vec<Cow<'_, str>> = s.split('\n').map(for_terminal).collect();
    Cow::Owned(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        for s in [
            "",
            "web-01.example.com",
            "héllo wörld — ok…",
            "tab-free, quote \" and \\ backslash",
            "日本語",
        ] {
            assert!(
                matches!(for_terminal(s), Cow::Borrowed(b) if b == s),
                "{s:?}"
            );
        }
    }

    #[test]
    fn line_breaks_and_tabs_become_two_characters() {
        assert_eq!(for_terminal("a\nb"), "a\\nb");
        assert_eq!(for_terminal("a\r\nb"), "a\\r\\nb");
        assert_eq!(for_terminal("a\tb"), "a\\tb");
    }

    #[test]
    fn escape_sequences_are_defused() {
        assert_eq!(for_terminal("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
        // OSC window title, terminated by BEL
        assert_eq!(
            for_terminal("\x1b]0;pwned\x07host"),
            "\\x1b]0;pwned\\x07host"
        );
        // one-character CSI (C1)
        assert_eq!(for_terminal("x\u{9b}2Jy"), "x\\u{9b}2Jy");
    }

    #[test]
    fn other_controls_nul_del_and_c1() {
        assert_eq!(for_terminal("\0"), "\\x00");
        assert_eq!(for_terminal("a\x08b"), "a\\x08b");
        assert_eq!(for_terminal("\x7f"), "\\x7f");
        assert_eq!(for_terminal("\u{80}\u{9f}"), "\\u{80}\\u{9f}");
        // U+00A0 (no-break space) is printable and kept
        assert_eq!(for_terminal("a\u{a0}b"), "a\u{a0}b");
    }

    #[test]
    fn bidi_overrides_are_escaped() {
        assert_eq!(
            for_terminal("invoice\u{202e}fdp.exe"),
            "invoice\\u{202e}fdp.exe"
        );
        assert_eq!(for_terminal("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
    }

    #[test]
    fn text_around_escapes_is_kept_exactly() {
        assert_eq!(for_terminal("héllo\nwörld…\x1b"), "héllo\\nwörld…\\x1b");
    }

    #[test]
    fn json_escapes_keep_the_value() {
        // what serde_json leaves raw: DEL, C1 (incl. the one-character CSI), bidi overrides
        let v = serde_json::json!({"h\u{202e}k": "a\u{9b}2J\u{7f}\u{2066}b\u{1b}[31m", "n": 1});
        let text = serde_json::to_string(&v).unwrap();
        let safe = json_for_terminal(&text);
        assert_eq!(
            safe,
            r#"{"h\u202ek":"a\u009b2J\u007f\u2066b\u001b[31m","n":1}"#
        );
        assert_eq!(serde_json::from_str::<serde_json::Value>(&safe).unwrap(), v);
        assert!(!safe.contains(is_unsafe), "{safe}");
        // pretty JSON: its line breaks are structure and stay
        let pretty = serde_json::to_string_pretty(&v).unwrap();
        let safe = json_for_terminal(&pretty);
        assert_eq!(safe.lines().count(), pretty.lines().count());
        assert_eq!(serde_json::from_str::<serde_json::Value>(&safe).unwrap(), v);
        // clean JSON is borrowed
        let clean = r#"{"a":"é\n"}"#;
        assert!(matches!(json_for_terminal(clean), Cow::Borrowed(_)));
    }

    #[test]
    fn lines_keep_their_breaks_only() {
        assert_eq!(
            for_terminal_lines("first\nsecond \x1b[2J\r\nthird"),
            "first\nsecond \\x1b[2J\\r\nthird"
        );
        assert!(matches!(for_terminal_lines("a\nb"), Cow::Borrowed("a\nb")));
    }
}
