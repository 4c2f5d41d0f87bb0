//! Drawing a [`Layout`] on any plotters backend (bitmap for PNG, SVG).

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::font;
use crate::layout::{BoxStyle, Ink, Label, Layout, Rect};
use crate::render::palette;

/// Where a backend puts the baseline of text drawn with a top anchor at `y`: the renderer asks
/// for `y = baseline - offset(size)`.
pub(crate) type BaselineOffset = fn(f64) -> i32;

fn colour(hex: &str) -> RGBColor {
    let (r, g, b) = palette::rgb(hex);
    RGBColor(r, g, b)
}

fn ink(i: Ink) -> RGBColor {
    match i {
        Ink::Text => colour(palette::TEXT),
        Ink::Muted => colour(palette::MUTED),
        Ink::OnDark => colour(palette::ON_DARK),
        Ink::Action(a) => colour(palette::action(a)),
    }
}

fn dashed_rect<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &Rect,
    c: RGBColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let pts = vec![
        (r.x, r.y),
        (r.right(), r.y),
        (r.right(), r.bottom()),
        (r.x, r.bottom()),
        (r.x, r.y),
    ];
    root.draw(&DashedPathElement::new(pts, 4, 3, c.stroke_width(1)))
}

/// How a backend's text is placed.
#[derive(Clone, Copy)]
pub(crate) struct TextMode {
    /// Turn a baseline y into the y plotters wants for a top-anchored text.
    pub baseline_offset: BaselineOffset,
    /// Draw glyph by glyph with the font's bearings (bitmap), or whole strings (SVG).
    pub per_glyph: bool,
    /// Factor on the font size handed to the backend, so that every backend draws the em size
    /// the layout measured with.
    pub size_scale: f64,
}

fn text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    l: &Label,
    mode: TextMode,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let c = ink(l.ink);
    if !mode.per_glyph {
        let size = l.size * mode.size_scale;
        let y = l.baseline() - (mode.baseline_offset)(size);
        let style = TextStyle::from((font::FAMILY, size).into_font())
            .color(&c)
            .pos(Pos::new(HPos::Center, VPos::Top));
        return root.draw(&Text::new(l.text.as_str(), (l.center_x(), y), style));
    }
    let y = l.baseline() - (mode.baseline_offset)(l.size);
    let style = TextStyle::from((font::FAMILY, l.size).into_font())
        .color(&c)
        .pos(Pos::new(HPos::Left, VPos::Top));
    // the label box was measured with the same font: start at its left edge
    let pens = font::pen_positions(&l.text, l.size).unwrap_or_default();
    let mut buf = [0u8; 4];
    for (ch, pen) in pens {
        if ch.is_whitespace() {
            continue;
        }
        let x = l.rect.x + pen + font::left_bearing(ch, l.size);
        root.draw(&Text::new(
            &*ch.encode_utf8(&mut buf),
            (x, y),
            style.clone(),
        ))?;
    }
    Ok(())
}

/// Draw the whole layout: background, lines, boxes, then text (later draws cover earlier ones).
pub(crate) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &Layout,
    mode: TextMode,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    for link in &layout.links {
        let c = colour(link.action.map_or(palette::NEUTRAL, palette::action));
        let width = if link.action.is_some() { 2 } else { 1 };
        if link.dashed {
            root.draw(&DashedPathElement::new(
                link.points.clone(),
                6,
                4,
                c.stroke_width(width),
            ))?;
        } else {
            root.draw(&PathElement::new(
                link.points.clone(),
                c.stroke_width(width),
            ))?;
        }
        if let Some((x, y)) = link.arrow {
            let len = 8;
            let half = 4;
            let head = vec![(x, y), (x - len, y - half), (x - len, y + half)];
            root.draw(&Polygon::new(head, c.filled()))?;
        }
    }
    for b in &layout.boxes {
        let r = b.rect;
        let corners = [(r.x, r.y), (r.right(), r.bottom())];
        match &b.style {
            BoxStyle::Plain => {}
            BoxStyle::Swatch { action, dashed } => {
                let c = colour(action.map_or(palette::MUTED, palette::action));
                let y = r.y + r.h / 2;
                let pts = vec![(r.x + 2, y), (r.x + 28, y)];
                if *dashed {
                    root.draw(&DashedPathElement::new(pts, 5, 3, c.stroke_width(2)))?;
                } else {
                    root.draw(&PathElement::new(pts, c.stroke_width(3)))?;
                }
            }
            BoxStyle::Rule { action, active } => {
                let c = colour(palette::action(*action));
                if *active {
                    root.draw(&Rectangle::new(
                        corners,
                        colour(palette::action_fill(*action)).filled(),
                    ))?;
                    root.draw(&Rectangle::new(corners, c.stroke_width(1)))?;
                } else {
                    root.draw(&Rectangle::new(
                        corners,
                        colour(palette::INACTIVE_FILL).filled(),
                    ))?;
                    dashed_rect(root, &r, c)?;
                }
            }
            BoxStyle::Peer(kind) => {
                root.draw(&Rectangle::new(
                    corners,
                    colour(palette::peer_fill(kind)).filled(),
                ))?;
                root.draw(&Rectangle::new(
                    corners,
                    colour(palette::BORDER).stroke_width(1),
                ))?;
            }
            BoxStyle::Service => {
                root.draw(&Rectangle::new(
                    corners,
                    colour(palette::SERVICE_FILL).filled(),
                ))?;
                root.draw(&Rectangle::new(
                    corners,
                    colour(palette::BORDER).stroke_width(1),
                ))?;
            }
            BoxStyle::Workload => {
                root.draw(&Rectangle::new(
                    corners,
                    colour(palette::WORKLOAD_FILL).filled(),
                ))?;
                root.draw(&Rectangle::new(
                    corners,
                    colour(palette::WORKLOAD_BORDER).stroke_width(2),
                ))?;
            }
        }
        for l in &b.labels {
            text(root, l, mode)?;
        }
    }
    Ok(())
}
