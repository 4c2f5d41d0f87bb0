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
            },
        )
        .map_err(|e| anyhow!("drawing SVG: {e}"))?;
        root.present().map_err(|e| anyhow!("drawing SVG: {e}"))?;
    }
    Ok(out)
}
