//! The one font fw-graph draws and measures with: DejaVu Sans, embedded in the binary so a
//! machine without any font package renders the same picture (licence in
//! `crates/fw-graph/assets/DejaVuSans.LICENSE`, where sec-takedown reads the font too).

use std::sync::OnceLock;

use anyhow::{Context, anyhow};
use plotters::style::{FontStyle, IntoFont, register_font};

static DEJAVU_SANS: &[u8] = include_bytes!("../../fw-graph/assets/DejaVuSans.ttf");

/// The family name the embedded font is registered under. SVG output writes it verbatim as the
/// `font-family` of every `<text>`: a CSS list, so a viewer uses DejaVu Sans when it has it (the
/// boxes were measured with it) and its own sans-serif otherwise.
pub const FAMILY: &str = "DejaVu Sans, sans-serif";

/// Register the embedded font with plotters, once per process. Every function that measures or
/// draws text calls this first.
pub fn ensure_registered() -> anyhow::Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok =
        *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok());
    if ok {
        Ok(())
    } else {
        Err(anyhow!(
            "the embedded font DejaVuSans.ttf could not be loaded"
        ))
    }
}

/// Width in pixels of `text` at `size` (plotters' font size, ≈ the line's pixel height).
pub fn text_width(text: &str, size: f64) -> anyhow::Result<i32> {
    ensure_registered()?;
    let (w, _) = (FAMILY, size)
        .into_font()
        .box_size(text)
        .map_err(|e| anyhow!("{e:?}"))
        .with_context(|| format!("measuring text {text:?}"))?;
    Ok(i32::try_from(w).unwrap_or(i32::MAX))
}

/// Horizontal glyph metrics read from the embedded font's `cmap`, `hhea` and `hmtx` tables.
///
/// plotters' ab_glyph backend draws each glyph's bitmap at the pen position, dropping the
/// glyph's left side bearing, so letters with a wide bearing (`r`, `P`, `.`, digits) crowd their
/// left neighbour. The PNG renderer draws one glyph at a time and adds the bearing from here.
struct Metrics {
    /// ascender − descender in font units: what a plotters font size of 1 px spans.
    height_units: f64,
    /// (first char, last char, id delta, id range offset position) per cmap format-4 segment.
    segments: Vec<(u32, u32, u16, usize)>,
    num_h_metrics: usize,
    hmtx: usize,
    num_glyphs_lsb: usize,
}

fn be_u16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
}
fn be_u32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *d.get(at)?,
        *d.get(at + 1)?,
        *d.get(at + 2)?,
        *d.get(at + 3)?,
    ]))
}

impl Metrics {
    fn parse(d: &[u8]) -> Option<Metrics> {
        let num_tables = usize::from(be_u16(d, 4)?);
        let table = |tag: &[u8; 4]| -> Option<(usize, usize)> {
            (0..num_tables).find_map(|i| {
                let rec = 12 + 16 * i;
                (d.get(rec..rec + 4)? == tag)
                    .then(|| Some((be_u32(d, rec + 8)? as usize, be_u32(d, rec + 12)? as usize)))?
            })
        };
        let (hhea, _) = table(b"hhea")?;
        let ascender = f64::from(be_u16(d, hhea + 4)? as i16);
        let descender = f64::from(be_u16(d, hhea + 6)? as i16);
        let num_h_metrics = usize::from(be_u16(d, hhea + 34)?);
        let (hmtx, hmtx_len) = table(b"hmtx")?;
        let (cmap, _) = table(b"cmap")?;
        let n_sub = usize::from(be_u16(d, cmap + 2)?);
        let sub = (0..n_sub).find_map(|i| {
            let rec = cmap + 4 + 8 * i;
            let (platform, encoding) = (be_u16(d, rec)?, be_u16(d, rec + 2)?);
            let off = cmap + be_u32(d, rec + 4)? as usize;
            ((platform == 3 && encoding == 1) || platform == 0)
                .then_some(off)
                .filter(|&o| be_u16(d, o) == Some(4))
        })?;
        let seg_count = usize::from(be_u16(d, sub + 6)? / 2);
        let ends = sub + 14;
        let starts = ends + 2 * seg_count + 2;
        let deltas = starts + 2 * seg_count;
        let ranges = deltas + 2 * seg_count;
        let mut segments = Vec::with_capacity(seg_count);
        for i in 0..seg_count {
            segments.push((
                u32::from(be_u16(d, starts + 2 * i)?),
                u32::from(be_u16(d, ends + 2 * i)?),
                be_u16(d, deltas + 2 * i)?,
                ranges + 2 * i,
            ));
        }
        let num_glyphs_lsb = num_h_metrics + hmtx_len.saturating_sub(4 * num_h_metrics) / 2;
        Some(Metrics {
            height_units: ascender - descender,
            segments,
            num_h_metrics,
            hmtx,
            num_glyphs_lsb,
        })
    }

    fn glyph(&self, d: &[u8], c: char) -> Option<usize> {
        let c = u32::from(c);
        let &(start, _, delta, range_pos) = self.segments.iter().find(|s| c >= s.0 && c <= s.1)?;
        let range = usize::from(be_u16(d, range_pos)?);
        let id = if range == 0 {
            (c as u16).wrapping_add(delta)
        } else {
            let at = range_pos + range + 2 * (c - start) as usize;
            match be_u16(d, at)? {
                0 => 0,
                g => g.wrapping_add(delta),
            }
        };
        Some(usize::from(id))
    }

    fn lsb_units(&self, d: &[u8], c: char) -> Option<i16> {
        let g = self.glyph(d, c)?;
        if g >= self.num_glyphs_lsb {
            return None;
        }
        let at = if g < self.num_h_metrics {
            self.hmtx + 4 * g + 2
        } else {
            self.hmtx + 4 * self.num_h_metrics + 2 * (g - self.num_h_metrics)
        };
        be_u16(d, at).map(|v| v as i16)
    }
}

fn metrics() -> Option<&'static Metrics> {
    static M: OnceLock<Option<Metrics>> = OnceLock::new();
    M.get_or_init(|| Metrics::parse(DEJAVU_SANS)).as_ref()
}

/// The left side bearing of `c` at `size`, in whole pixels as ab_glyph rounds a glyph's bounds
/// (0 for unknown characters).
pub fn left_bearing(c: char, size: f64) -> i32 {
    metrics()
        .and_then(|m| Some(f64::from(m.lsb_units(DEJAVU_SANS, c)?) * size / m.height_units))
        .map_or(0, |px| px.floor() as i32)
}

/// Where each character of `text` starts (pen position, pixels from the text's left edge),
/// kerning included, as plotters measures the whole string.
pub fn pen_positions(text: &str, size: f64) -> anyhow::Result<Vec<(char, i32)>> {
    let mut out = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let upto = &text[..i + c.len_utf8()];
        let pen = text_width(upto, size)? - text_width(&text[i..i + c.len_utf8()], size)?;
        out.push((c, pen));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_with_the_embedded_font() {
        let short = text_width("ab", 14.0).unwrap();
        let long = text_width("abababab", 14.0).unwrap();
        assert!(short > 5 && long > 3 * short, "{short} {long}");
        assert!(text_width("WWW", 14.0).unwrap() > text_width("iii", 14.0).unwrap());
        assert_eq!(text_width("", 14.0).unwrap(), 0);
    }

    #[test]
    fn reads_glyph_bearings_from_the_font() {
        let m = metrics().expect("the embedded font parses");
        assert!(m.height_units > 2000.0);
        // DejaVu Sans: 'T' sits almost on its origin, 'r' and '.' have a wide left bearing
        assert!(left_bearing('T', 40.0).abs() <= 1);
        assert!(left_bearing('r', 40.0) >= 2, "{}", left_bearing('r', 40.0));
        assert!(left_bearing('.', 40.0) >= 3, "{}", left_bearing('.', 40.0));
        assert_eq!(left_bearing('\u{10FFFF}', 40.0), 0);
        let pens = pen_positions("ab", 20.0).unwrap();
        assert_eq!(pens[0], ('a', 0));
        assert!(pens[1].1 > 5);
    }
}
