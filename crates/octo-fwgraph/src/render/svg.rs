//! SVG via plotters. Text stays text (`<text font-family="sans-serif">`): the viewer's font draws
//! it; the embedded font only sized the boxes, which have room to spare.

use anyhow::anyhow;
use plotters::prelude::*;

use crate::layout::Layout;
use crate::render::draw;

/// plotters' SVG text with a top anchor has its baseline 0.76 em below `y`, and its em is the
/// font size / 1.24.
fn baseline_offset(size: f64) -> i32 {
    (0.76 * size / 1.24).round() as i32
}

/// The layout measured with ab_glyph, whose em is the font size / 1.164 for DejaVu Sans (ascent −
/// descent = 1.164 em); plotters' SVG writes font-size = size / 1.24. Scale up so the viewer draws
/// the same em.
const SIZE_SCALE: f64 = 1.24 / 1.164;

pub fn render(layout: &Layout) -> anyhow::Result<String> {
    let mut out = String::new();
    {
        let size = (layout.width.max(1) as u32, layout.height.max(1) as u32);
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw::draw(
            &root,
            layout,
            draw::TextMode {
                baseline_offset,
                per_glyph: false,
                size_scale: SIZE_SCALE,
            },
        )
        .map_err(|e| anyhow!("drawing SVG: {e}"))?;
        root.present().map_err(|e| anyhow!("drawing SVG: {e}"))?;
    }
    Ok(out)
}
