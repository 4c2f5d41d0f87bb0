//! Layered left-to-right layout for the PNG and SVG drawings.
//!
//! Columns, left to right (empty ones are left out):
//!
//! ```text
//! sources | INPUT rules | services | workload | services | OUTPUT rules | destinations
//! ```
//!
//! Every rule (after collapsing duplicates) gets its own small box in a "rules" column that
//! carries its action, position and count, so no text ever sits on a line: all text lives in
//! boxes, boxes are stacked in columns without overlap, and lines run only in the gaps between
//! adjacent columns. Box sizes come from text measured with the embedded font.
//!
//! Order within a column reduces crossings (barycenter sweeps); vertical positions pull each box
//! towards its neighbours while keeping a minimum gap. [`check`] verifies the result
//! geometrically. [`layout`] names its steps; they live in `layout/steps.rs`.

use anyhow::Result;

use crate::font;
use crate::graph::Graph;
use crate::model::{Action, PeerKind};

const MARGIN: i32 = 24;
const BOX_GAP: f64 = 10.0;
const COL_GAP: i32 = 64;
const WORKLOAD_GAP: i32 = 84;
/// Minimum vertical distance between two line ends on the same side of a box.
const ANCHOR_STEP: i32 = 7;
const ARROW: i32 = 8;

// Font sizes are even whole pixels: plotters' ab_glyph backend truncates `size / 2 + glyph top`
// towards zero, which shifts glyphs by a pixel unevenly (dots float above the baseline) unless
// `size / 2` is whole.
const TITLE_SIZE: f64 = 20.0;
const NAME_SIZE: f64 = 16.0;
const DETAIL_SIZE: f64 = 12.0;
const RULE_SIZE: f64 = 12.0;
const HEADER_SIZE: f64 = 12.0;

/// An axis-aligned rectangle in pixels; `x`, `y` is the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

impl Rect {
    pub fn right(&self) -> i32 {
        self.x + self.w
    }
    pub fn bottom(&self) -> i32 {
        self.y + self.h
    }
    pub fn center_y(&self) -> f64 {
        f64::from(self.y) + f64::from(self.h) / 2.0
    }
    /// Whether the interiors intersect (touching edges do not count).
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }
    pub fn contains(&self, o: &Rect) -> bool {
        o.x >= self.x && o.y >= self.y && o.right() <= self.right() && o.bottom() <= self.bottom()
    }
}

/// Text colour role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ink {
    Text,
    Muted,
    OnDark,
    Action(Action),
}

/// One line of text, horizontally centred on `center_x`, occupying `rect`.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub text: String,
    pub size: f64,
    pub ink: Ink,
    /// The line's box: measured text width × line height.
    pub rect: Rect,
}

impl Label {
    pub fn center_x(&self) -> i32 {
        self.rect.x + self.rect.w / 2
    }
    /// The y of the text baseline inside the line box.
    pub fn baseline(&self) -> i32 {
        // DejaVu Sans: ascent ≈ 0.80 of the font size; half the 0.2 leading above it.
        self.rect.y + (0.1 * self.size + 0.8 * self.size).round() as i32
    }
}

/// How a box is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoxStyle {
    Peer(PeerKind),
    Service,
    Workload,
    Rule {
        action: Action,
        active: bool,
    },
    /// Text only, no frame (title, headers).
    Plain,
    /// A legend entry: a line sample in the left part of the box, then the label.
    Swatch {
        action: Option<Action>,
        dashed: bool,
    },
}

/// What a box stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoxRole {
    /// A graph node (index into `Graph::nodes`).
    Node(usize),
    /// A rule edge (index into `Graph::edges`).
    Rule(usize),
    Title,
    Legend,
    Header,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LBox {
    pub role: BoxRole,
    pub style: BoxStyle,
    pub rect: Rect,
    pub labels: Vec<Label>,
}

/// A line between two boxes: a horizontal stub, an S-curve across the gap, a stub.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub points: Vec<(i32, i32)>,
    /// `None`: the neutral service–workload line.
    pub action: Option<Action>,
    pub dashed: bool,
    /// The tip of an arrowhead pointing right, when the link ends at a node.
    pub arrow: Option<(i32, i32)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub width: i32,
    pub height: i32,
    pub boxes: Vec<LBox>,
    pub links: Vec<Link>,
}

impl Layout {
    /// Every text line drawn, in drawing order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.boxes
            .iter()
            .flat_map(|b| b.labels.iter().map(|l| l.text.as_str()))
    }
}

/// Pairs of boxes (indices into `Layout::boxes`) whose interiors intersect. Empty for every
/// layout this module makes.
pub fn overlapping_boxes(layout: &Layout) -> Vec<(usize, usize)> {
    let mut idx: Vec<usize> = (0..layout.boxes.len()).collect();
    idx.sort_by_key(|&i| layout.boxes[i].rect.x);
    let mut out = Vec::new();
    // sweep on x: only boxes whose x-ranges intersect can overlap
    for (a_pos, &a) in idx.iter().enumerate() {
        let ra = layout.boxes[a].rect;
        for &b in &idx[a_pos + 1..] {
            let rb = layout.boxes[b].rect;
            if rb.x >= ra.right() {
                break;
            }
            if ra.overlaps(&rb) {
                out.push((a.min(b), a.max(b)));
            }
        }
    }
    out.sort_unstable();
    out
}

/// Geometric sanity of a layout: no two boxes overlap, every label lies inside its box (so no two
/// labels overlap either), every box lies inside the canvas.
pub fn check(layout: &Layout) -> std::result::Result<(), String> {
    if let Some(&(a, b)) = overlapping_boxes(layout).first() {
        let (ra, rb) = (&layout.boxes[a], &layout.boxes[b]);
        return Err(format!(
            "boxes {a} {:?} {:?} and {b} {:?} {:?} overlap",
            ra.role, ra.rect, rb.role, rb.rect
        ));
    }
    let canvas = Rect {
        x: 0,
        y: 0,
        w: layout.width,
        h: layout.height,
    };
    for (i, b) in layout.boxes.iter().enumerate() {
        if !canvas.contains(&b.rect) {
            return Err(format!(
                "box {i} {:?} {:?} outside the {}×{} canvas",
                b.role, b.rect, layout.width, layout.height
            ));
        }
        for l in &b.labels {
            if !b.rect.contains(&l.rect) {
                return Err(format!(
                    "label {:?} {:?} outside its box {i} {:?}",
                    l.text, l.rect, b.rect
                ));
            }
        }
        for (j, l) in b.labels.iter().enumerate() {
            for m in &b.labels[j + 1..] {
                if l.rect.overlaps(&m.rect) {
                    return Err(format!("labels {:?} and {:?} overlap", l.text, m.text));
                }
            }
        }
    }
    Ok(())
}

fn line_height(size: f64) -> i32 {
    (size * 1.2).ceil() as i32
}

/// Text as it can be drawn: names come from the API, and a control character in one would be
/// invisible in a PNG and make an SVG invalid XML (XML 1.0 has no way to write most of them, not
/// even escaped). Line breaks and tabs become spaces, other control characters U+FFFD.
fn drawable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => ' ',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// A box at the origin holding `lines` stacked and centred, padded, at least `min_h` tall; each
/// line [`drawable`].
fn text_box(
    role: BoxRole,
    style: BoxStyle,
    lines: &[(String, f64, Ink)],
    pad: (i32, i32),
    min_h: i32,
) -> Result<LBox> {
    let mut labels = Vec::with_capacity(lines.len());
    let mut text_w = 0;
    let mut text_h = 0;
    for (text, size, ink) in lines {
        let text = drawable(text).into_owned();
        let w = font::text_width(&text, *size)?;
        let h = line_height(*size);
        labels.push(Label {
            text,
            size: *size,
            ink: *ink,
            rect: Rect {
                x: 0,
                y: text_h,
                w,
                h,
            },
        });
        text_w = text_w.max(w);
        text_h += h;
    }
    let w = text_w + 2 * pad.0;
    let h = (text_h + 2 * pad.1).max(min_h);
    let top = (h - text_h) / 2;
    for l in &mut labels {
        l.rect.x = (w - l.rect.w) / 2;
        l.rect.y += top;
    }
    Ok(LBox {
        role,
        style,
        rect: Rect { x: 0, y: 0, w, h },
        labels,
    })
}

fn move_box(b: &mut LBox, x: i32, y: i32) {
    let (dx, dy) = (x - b.rect.x, y - b.rect.y);
    b.rect.x = x;
    b.rect.y = y;
    for l in &mut b.labels {
        l.rect.x += dx;
        l.rect.y += dy;
    }
}

/// Place the items of one column (in the given order) as close as possible to their desired
/// centres, at least `gap` apart, within `[0, height]`. Returns each item's top. The column's
/// stacked height must not exceed `height`.
fn place_column(desired: &[f64], heights: &[f64], gap: f64, height: f64) -> Vec<f64> {
    let n = desired.len();
    let mut top = vec![0.0; n];
    for i in 0..n {
        let want = desired[i] - heights[i] / 2.0;
        let floor = if i == 0 {
            0.0
        } else {
            top[i - 1] + heights[i - 1] + gap
        };
        top[i] = want.max(floor);
    }
    for i in (0..n).rev() {
        let ceil = if i + 1 == n { height } else { top[i + 1] - gap };
        top[i] = top[i].min(ceil - heights[i]);
    }
    top
}

/// A line to draw, between two boxes (indices into the content boxes).
struct Pending {
    from: usize,
    to: usize,
    action: Option<Action>,
    dashed: bool,
    arrow: bool,
}

/// The columns, left to right: header and the boxes in it, top to bottom.
type Columns = Vec<(&'static str, Vec<usize>)>;

/// Where the columns are: their headers, left edges and widths, and the content's extent.
struct Grid {
    headers: Vec<LBox>,
    col_x: Vec<i32>,
    col_w: Vec<i32>,
    content_top: i32,
    content_right: i32,
}

/// Lay out a graph: the boxes and lines, their columns and order, the title band, the column
/// grid, vertical positions, then the lines' routes.
pub fn layout(graph: &Graph) -> Result<Layout> {
    use steps::*;
    font::ensure_registered()?;
    let pending = pending_links(graph);
    let mut boxes = content_boxes(graph, &pending)?;
    let (mut cols, gap_after) = columns(graph, &pending);
    let neighbours = neighbours(&pending, boxes.len());
    order_columns(&mut cols, &neighbours);
    let (band, y) = top_band(graph)?;
    let grid = grid(&cols, &boxes, &gap_after, y)?;
    let content_bottom = place_vertically(&cols, &mut boxes, &neighbours, &grid);
    let links = route_links(&pending, &boxes, &cols, &grid);

    let band_right = band
        .iter()
        .chain(grid.headers.iter())
        .map(|b| b.rect.right())
        .max()
        .unwrap_or(0);
    let width = grid.content_right.max(band_right) + MARGIN;
    let height = content_bottom.max(grid.content_top) + MARGIN;
    let mut all = band;
    all.extend(grid.headers);
    all.extend(boxes);
    Ok(Layout {
        width,
        height,
        boxes: all,
        links,
    })
}

mod steps;

#[cfg(test)]
mod tests;
