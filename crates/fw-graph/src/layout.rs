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
//! geometrically.

use anyhow::Result;

use crate::font;
use crate::graph::{Graph, NodeKind, Side};
use crate::model::{Action, Chain, PeerKind};

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

/// A box at the origin holding `lines` stacked and centred, padded, at least `min_h` tall.
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
        let w = font::text_width(text, *size)?;
        let h = line_height(*size);
        labels.push(Label {
            text: text.clone(),
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

struct Pending {
    from: usize,
    to: usize,
    action: Option<Action>,
    dashed: bool,
    arrow: bool,
}

/// Lay out a graph.
pub fn layout(graph: &Graph) -> Result<Layout> {
    font::ensure_registered()?;
    let mut boxes: Vec<LBox> = Vec::new();

    // --- which boxes, and which lines between them ---------------------------------------------
    let n_nodes = graph.nodes.len();
    let mut pending: Vec<Pending> = Vec::new();
    // node index -> box index; boxes 0..n_nodes are the nodes, then one per edge
    let rule_box = |e: usize| n_nodes + e;
    for (ei, e) in graph.edges.iter().enumerate() {
        let (a, b) = graph.segment(e);
        let dashed = !e.active;
        pending.push(Pending {
            from: a,
            to: rule_box(ei),
            action: Some(e.action),
            dashed,
            arrow: false,
        });
        pending.push(Pending {
            from: rule_box(ei),
            to: b,
            action: Some(e.action),
            dashed,
            arrow: true,
        });
    }
    for (a, b) in graph.service_links() {
        pending.push(Pending {
            from: a,
            to: b,
            action: None,
            dashed: false,
            arrow: true,
        });
    }
    let total = n_nodes + graph.edges.len();
    let mut left_count = vec![0i32; total];
    let mut right_count = vec![0i32; total];
    for p in &pending {
        right_count[p.from] += 1;
        left_count[p.to] += 1;
    }
    let min_h = |b: usize| ANCHOR_STEP * (left_count[b].max(right_count[b]) + 1);

    for (i, n) in graph.nodes.iter().enumerate() {
        let (style, title_ink, detail_ink, title_size) = match &n.kind {
            NodeKind::Peer(k) => (BoxStyle::Peer(k.clone()), Ink::Text, Ink::Muted, NAME_SIZE),
            NodeKind::Service => (BoxStyle::Service, Ink::Text, Ink::Muted, NAME_SIZE),
            NodeKind::Workload => (
                BoxStyle::Workload,
                Ink::OnDark,
                Ink::OnDark,
                NAME_SIZE + 2.0,
            ),
        };
        let mut lines = vec![(n.title.clone(), title_size, title_ink)];
        lines.extend(
            n.detail
                .iter()
                .map(|d| (d.clone(), DETAIL_SIZE, detail_ink)),
        );
        let pad = if n.kind == NodeKind::Workload {
            (16, 10)
        } else {
            (12, 6)
        };
        boxes.push(text_box(BoxRole::Node(i), style, &lines, pad, min_h(i))?);
    }
    for (ei, e) in graph.edges.iter().enumerate() {
        let lines = [(e.label(), RULE_SIZE, Ink::Action(e.action))];
        let style = BoxStyle::Rule {
            action: e.action,
            active: e.active,
        };
        boxes.push(text_box(
            BoxRole::Rule(ei),
            style,
            &lines,
            (8, 3),
            min_h(rule_box(ei)),
        )?);
    }

    // --- columns -------------------------------------------------------------------------------
    let mut cols: Vec<(&str, Vec<usize>)> = vec![
        ("sources", Vec::new()),
        ("INPUT rules", Vec::new()),
        ("services", Vec::new()),
        ("workload", vec![graph.workload]),
        ("services", Vec::new()),
        ("OUTPUT rules", Vec::new()),
        ("destinations", Vec::new()),
    ];
    for (i, n) in graph.nodes.iter().enumerate() {
        let c = match (&n.kind, n.side) {
            (NodeKind::Workload, _) | (_, Side::Center) => continue,
            (NodeKind::Peer(_), Side::In) => 0,
            (NodeKind::Service, Side::In) => 2,
            (NodeKind::Service, Side::Out) => 4,
            (NodeKind::Peer(_), Side::Out) => 6,
        };
        cols[c].1.push(i);
    }
    for (ei, e) in graph.edges.iter().enumerate() {
        cols[if e.chain == Chain::Input { 1 } else { 5 }]
            .1
            .push(rule_box(ei));
    }
    // lines crossing each gap: more lines, wider gap (so crossings stay legible)
    let col_index = |b: usize| cols.iter().position(|(_, items)| items.contains(&b));
    let mut crossing = [0i32; 7];
    for p in &pending {
        if let Some(c) = col_index(p.from) {
            crossing[c] += 1;
        }
    }
    let gap_after: Vec<i32> = (0..cols.len())
        .map(|c| if c == 2 || c == 3 { WORKLOAD_GAP } else { COL_GAP } + (crossing[c] / 2).min(100))
        .collect();
    let keep: Vec<usize> = (0..cols.len()).filter(|&c| !cols[c].1.is_empty()).collect();
    let gap_after: Vec<i32> = keep.iter().map(|&c| gap_after[c]).collect();
    let mut cols: Vec<(&str, Vec<usize>)> = keep.iter().map(|&c| cols[c].clone()).collect();

    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); total];
    for p in &pending {
        neighbours[p.from].push(p.to);
        neighbours[p.to].push(p.from);
    }

    // --- order within columns: barycenter sweeps -----------------------------------------------
    let mut rank = vec![0.5f64; total];
    let set_ranks = |cols: &[(&str, Vec<usize>)], rank: &mut Vec<f64>| {
        for (_, items) in cols {
            let n = items.len() as f64;
            for (r, &b) in items.iter().enumerate() {
                rank[b] = (r as f64 + 0.5) / n;
            }
        }
    };
    set_ranks(&cols, &mut rank);
    let sweep_order = |iter: usize, n: usize| -> Vec<usize> {
        if iter.is_multiple_of(2) {
            (0..n).collect()
        } else {
            (0..n).rev().collect()
        }
    };
    for iter in 0..8 {
        for c in sweep_order(iter, cols.len()) {
            let mut keyed: Vec<(f64, f64, usize)> = cols[c]
                .1
                .iter()
                .map(|&b| {
                    let nb = &neighbours[b];
                    let bary = if nb.is_empty() {
                        rank[b]
                    } else {
                        nb.iter().map(|&n| rank[n]).sum::<f64>() / nb.len() as f64
                    };
                    (bary, rank[b], b)
                })
                .collect();
            keyed.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1)));
            cols[c].1 = keyed.into_iter().map(|k| k.2).collect();
            set_ranks(&cols, &mut rank);
        }
    }

    // --- top band: title, legend, column headers -----------------------------------------------
    let mut band: Vec<LBox> = Vec::new();
    let mut title = format!("Firewall policy: {}", graph.policy_name);
    if let Some(p) = &graph.platform {
        title.push_str(&format!(" ({p})"));
    }
    let rules_drawn: usize = graph.edges.iter().map(|e| e.count()).sum();
    let mut summary = format!(
        "{rules_drawn} rule{} drawn as {} edge{}",
        if rules_drawn == 1 { "" } else { "s" },
        graph.edges.len(),
        if graph.edges.len() == 1 { "" } else { "s" }
    );
    if graph.omitted_inactive > 0 {
        summary.push_str(&format!(
            " · {} inactive rule{} not shown (--all draws {})",
            graph.omitted_inactive,
            if graph.omitted_inactive == 1 { "" } else { "s" },
            if graph.omitted_inactive == 1 {
                "it"
            } else {
                "them"
            }
        ));
    }
    let mut title_box = text_box(
        BoxRole::Title,
        BoxStyle::Plain,
        &[
            (title, TITLE_SIZE, Ink::Text),
            (summary, DETAIL_SIZE, Ink::Muted),
        ],
        (0, 0),
        0,
    )?;
    // left-align the title lines
    for l in &mut title_box.labels {
        l.rect.x = 0;
    }
    move_box(&mut title_box, MARGIN, MARGIN);
    let mut y = title_box.rect.bottom() + 10;
    band.push(title_box);

    let mut legend: Vec<(String, Option<Action>, bool)> =
        [Action::Accept, Action::Drop, Action::Reject]
            .into_iter()
            .map(|a| (a.as_str().to_string(), Some(a), false))
            .collect();
    if graph.edges.iter().any(|e| !e.active) {
        legend.push(("inactive".into(), None, true));
    }
    let mut x = MARGIN;
    let mut legend_h = 0;
    for (text, action, dashed) in legend {
        let mut b = text_box(
            BoxRole::Legend,
            BoxStyle::Swatch { action, dashed },
            &[(text, HEADER_SIZE, action.map_or(Ink::Text, Ink::Action))],
            (0, 2),
            0,
        )?;
        // room for the line sample on the left
        b.rect.w += 34;
        for l in &mut b.labels {
            l.rect.x = 34;
        }
        move_box(&mut b, x, y);
        x = b.rect.right() + 22;
        legend_h = legend_h.max(b.rect.h);
        band.push(b);
    }
    y += legend_h + 16;

    // column x positions, headers
    let mut headers: Vec<LBox> = Vec::new();
    for (name, _) in &cols {
        headers.push(text_box(
            BoxRole::Header,
            BoxStyle::Plain,
            &[(name.to_string(), HEADER_SIZE, Ink::Muted)],
            (0, 0),
            0,
        )?);
    }
    let mut col_x = Vec::with_capacity(cols.len());
    let mut col_w = Vec::with_capacity(cols.len());
    let mut x = MARGIN;
    for (c, (_, items)) in cols.iter().enumerate() {
        let w = items
            .iter()
            .map(|&b| boxes[b].rect.w)
            .chain([headers[c].rect.w])
            .max()
            .unwrap_or(0);
        col_x.push(x);
        col_w.push(w);
        x += w + gap_after[c];
    }
    let content_right =
        col_x.last().copied().unwrap_or(MARGIN) + col_w.last().copied().unwrap_or(0);
    let header_h = headers.iter().map(|h| h.rect.h).max().unwrap_or(0);
    for (c, h) in headers.iter_mut().enumerate() {
        let hx = col_x[c] + (col_w[c] - h.rect.w) / 2;
        move_box(h, hx, y);
    }
    let content_top = y + header_h + 8;

    // --- vertical placement --------------------------------------------------------------------
    let gapf = BOX_GAP;
    let stacked = |items: &[usize]| -> f64 {
        items
            .iter()
            .map(|&b| f64::from(boxes[b].rect.h))
            .sum::<f64>()
            + gapf * (items.len().saturating_sub(1)) as f64
    };
    let content_h = cols
        .iter()
        .map(|(_, items)| stacked(items))
        .fold(0.0, f64::max)
        .ceil();
    let mut center = vec![0.0f64; total];
    for (_, items) in &cols {
        let mut t = (content_h - stacked(items)) / 2.0;
        for &b in items {
            let h = f64::from(boxes[b].rect.h);
            center[b] = t + h / 2.0;
            t += h + gapf;
        }
    }
    for iter in 0..12 {
        for c in sweep_order(iter, cols.len()) {
            let items = &cols[c].1;
            let desired: Vec<f64> = items
                .iter()
                .map(|&b| {
                    let nb = &neighbours[b];
                    if nb.is_empty() {
                        center[b]
                    } else {
                        nb.iter().map(|&n| center[n]).sum::<f64>() / nb.len() as f64
                    }
                })
                .collect();
            let heights: Vec<f64> = items.iter().map(|&b| f64::from(boxes[b].rect.h)).collect();
            let tops = place_column(&desired, &heights, gapf, content_h);
            for (k, &b) in items.iter().enumerate() {
                center[b] = tops[k] + heights[k] / 2.0;
            }
        }
    }
    for (c, (_, items)) in cols.iter().enumerate() {
        // integer tops, keeping the gap after rounding
        let mut floor = i32::MIN;
        for &b in items {
            let h = boxes[b].rect.h;
            let top = ((center[b] - f64::from(h) / 2.0).round() as i32).max(floor);
            let bx = col_x[c] + (col_w[c] - boxes[b].rect.w) / 2;
            move_box(&mut boxes[b], bx, content_top + top);
            floor = top + h + BOX_GAP as i32;
        }
    }
    let content_bottom = cols
        .iter()
        .flat_map(|(_, items)| items.iter().map(|&b| boxes[b].rect.bottom()))
        .max()
        .unwrap_or(content_top);

    // --- links: anchors spread along box sides, ordered by the other end -----------------------
    let col_of = {
        let mut v = vec![0usize; total];
        for (c, (_, items)) in cols.iter().enumerate() {
            for &b in items {
                v[b] = c;
            }
        }
        v
    };
    let mut from_y = vec![0i32; pending.len()];
    let mut to_y = vec![0i32; pending.len()];
    for b in 0..total {
        let r = boxes[b].rect;
        let mut out: Vec<usize> = (0..pending.len())
            .filter(|&p| pending[p].from == b)
            .collect();
        out.sort_by(|&p, &q| {
            boxes[pending[p].to]
                .rect
                .center_y()
                .total_cmp(&boxes[pending[q].to].rect.center_y())
        });
        for (k, &p) in out.iter().enumerate() {
            from_y[p] = r.y + r.h * (k as i32 + 1) / (out.len() as i32 + 1);
        }
        let mut inc: Vec<usize> = (0..pending.len()).filter(|&p| pending[p].to == b).collect();
        inc.sort_by(|&p, &q| {
            boxes[pending[p].from]
                .rect
                .center_y()
                .total_cmp(&boxes[pending[q].from].rect.center_y())
        });
        for (k, &p) in inc.iter().enumerate() {
            to_y[p] = r.y + r.h * (k as i32 + 1) / (inc.len() as i32 + 1);
        }
    }
    let mut links = Vec::with_capacity(pending.len());
    for (p, pl) in pending.iter().enumerate() {
        let (a, b) = (&boxes[pl.from].rect, &boxes[pl.to].rect);
        let (ca, cb) = (col_of[pl.from], col_of[pl.to]);
        let x0 = a.right();
        let x1 = col_x[ca] + col_w[ca];
        let x2 = col_x[cb];
        let x3 = b.x - if pl.arrow { ARROW } else { 0 };
        let (y0, y1) = (from_y[p], to_y[p]);
        let mut points = vec![(x0, y0)];
        if x1 > x0 {
            points.push((x1, y0));
        }
        let dx = f64::from(x2 - x1);
        const STEPS: i32 = 24;
        for s in 1..=STEPS {
            let t = f64::from(s) / f64::from(STEPS);
            let u = 1.0 - t;
            let (p0, p1, p2, p3) = (
                f64::from(x1),
                f64::from(x1) + dx * 0.5,
                f64::from(x2) - dx * 0.5,
                f64::from(x2),
            );
            let bx = u * u * u * p0 + 3.0 * u * u * t * p1 + 3.0 * u * t * t * p2 + t * t * t * p3;
            let (q0, q3) = (f64::from(y0), f64::from(y1));
            let by = u * u * u * q0 + 3.0 * u * u * t * q0 + 3.0 * u * t * t * q3 + t * t * t * q3;
            points.push((bx.round() as i32, by.round() as i32));
        }
        if x3 > x2 {
            points.push((x3, y1));
        }
        links.push(Link {
            points,
            action: pl.action,
            dashed: pl.dashed,
            arrow: pl.arrow.then_some((b.x, y1)),
        });
    }

    let band_right = band
        .iter()
        .chain(headers.iter())
        .map(|b| b.rect.right())
        .max()
        .unwrap_or(0);
    let width = content_right.max(band_right) + MARGIN;
    let height = content_bottom.max(content_top) + MARGIN;
    let mut all = band;
    all.extend(headers);
    all.extend(boxes);
    Ok(Layout {
        width,
        height,
        boxes: all,
        links,
    })
}

#[cfg(test)]
mod tests;
