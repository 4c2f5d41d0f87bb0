//! PNG via plotters' bitmap backend, encoded here (zlib via flate2) so the bytes stay in memory.

use std::io::Write;

use anyhow::{Context, anyhow};
use flate2::Crc;
use flate2::write::ZlibEncoder;
use plotters::prelude::*;

use crate::layout::Layout;
use crate::render::draw;

/// plotters' ab_glyph text drawn with a top anchor at `y` has its baseline at `y + size / 2`.
fn baseline_offset(size: f64) -> i32 {
    (size / 2.0).round() as i32
}

/// Draw the layout into an RGB buffer: `(width, height, pixels)`, 3 bytes a pixel, row by row.
pub fn pixels(layout: &Layout) -> anyhow::Result<(u32, u32, Vec<u8>)> {
    let (w, h) = (layout.width.max(1) as u32, layout.height.max(1) as u32);
    let mut buf = vec![255u8; (w as usize) * (h as usize) * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        draw::draw(
            &root,
            layout,
            draw::TextMode {
                baseline_offset,
                per_glyph: true,
                size_scale: 1.0,
            },
        )
        .map_err(|e| anyhow!("drawing PNG: {e}"))?;
        root.present().map_err(|e| anyhow!("drawing PNG: {e}"))?;
    }
    Ok((w, h, buf))
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut crc = Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

/// Encode 8-bit RGB pixels as a PNG (every row with the "Sub" filter).
pub fn encode(w: u32, h: u32, rgb: &[u8]) -> anyhow::Result<Vec<u8>> {
    let row = w as usize * 3;
    anyhow::ensure!(
        rgb.len() == row * h as usize,
        "pixel buffer does not match {w}×{h}"
    );
    let mut z = ZlibEncoder::new(
        Vec::with_capacity(rgb.len() / 8),
        flate2::Compression::default(),
    );
    let mut filtered = vec![0u8; row + 1];
    for line in rgb.chunks_exact(row) {
        filtered[0] = 1; // Sub
        for i in 0..row {
            let left = if i >= 3 { line[i - 3] } else { 0 };
            filtered[i + 1] = line[i].wrapping_sub(left);
        }
        z.write_all(&filtered).context("compressing PNG")?;
    }
    let idat = z.finish().context("compressing PNG")?;
    let mut out = Vec::with_capacity(idat.len() + 64);
    out.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit, truecolour, deflate, adaptive filters, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    Ok(out)
}

pub fn render(layout: &Layout) -> anyhow::Result<Vec<u8>> {
    let (w, h, px) = pixels(layout)?;
    encode(w, h, &px)
}
