//! The steps of [`super::layout`], in order: which boxes and lines, the columns and their order,
//! the title band, the column grid, vertical positions, the lines' routes.

use anyhow::Result;

use super::{
    ANCHOR_STEP, ARROW, BOX_GAP, BoxRole, BoxStyle, COL_GAP, Columns, DETAIL_SIZE, Grid,
    HEADER_SIZE, Ink, LBox, Link, MARGIN, NAME_SIZE, Pending, RULE_SIZE, TITLE_SIZE, WORKLOAD_GAP,
    move_box, place_column, text_box,
};
use crate::graph::{Graph, NodeKind, Side};
use crate::model::{Action, Chain};

/// Box `n_nodes + e` is the rule box of edge `e`.
pub(super) fn rule_box(graph: &Graph, e: usize) -> usize {
    graph.nodes.len() + e
}

/// Which lines: each edge runs through its rule box (node → rule, rule → node with the arrow);
/// services link to the workload.
pub(super) fn pending_links(graph: &Graph) -> Vec<Pending> {
    let mut pending: Vec<Pending> = Vec::new();
    for (ei, e) in graph.edges.iter().enumerate() {
        let (a, b) = graph.segment(e);
        let dashed = !e.active;
        pending.push(Pending {
            from: a,
            to: rule_box(graph, ei),
            action: Some(e.action),
            dashed,
            arrow: false,
        });
        pending.push(Pending {
            from: rule_box(graph, ei),
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
    pending
}

/// The boxes of the nodes, then of the rules, at the origin; each tall enough for the line ends
/// on its busier side.
pub(super) fn content_boxes(graph: &Graph, pending: &[Pending]) -> Result<Vec<LBox>> {
    let total = graph.nodes.len() + graph.edges.len();
    let mut left_count = vec![0i32; total];
    let mut right_count = vec![0i32; total];
    for p in pending {
        right_count[p.from] += 1;
        left_count[p.to] += 1;
    }
    let min_h = |b: usize| ANCHOR_STEP * (left_count[b].max(right_count[b]) + 1);
    let mut boxes: Vec<LBox> = Vec::with_capacity(total);
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
            min_h(rule_box(graph, ei)),
        )?);
    }
    Ok(boxes)
}

/// The non-empty columns and the gap after each: more lines crossing a gap make it wider, so
/// crossings stay legible.
pub(super) fn columns(graph: &Graph, pending: &[Pending]) -> (Columns, Vec<i32>) {
    let mut cols: Columns = vec![
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
            .push(rule_box(graph, ei));
    }
    let col_index = |b: usize| cols.iter().position(|(_, items)| items.contains(&b));
    let mut crossing = [0i32; 7];
    for p in pending {
        if let Some(c) = col_index(p.from) {
            crossing[c] += 1;
        }
    }
    let gap_after: Vec<i32> = (0..cols.len())
        .map(|c| if c == 2 || c == 3 { WORKLOAD_GAP } else { COL_GAP } + (crossing[c] / 2).min(100))
        .collect();
    let keep: Vec<usize> = (0..cols.len()).filter(|&c| !cols[c].1.is_empty()).collect();
    let gap_after: Vec<i32> = keep.iter().map(|&c| gap_after[c]).collect();
    let cols: Columns = keep.iter().map(|&c| cols[c].clone()).collect();
    (cols, gap_after)
}

/// The boxes each box is linked to.
pub(super) fn neighbours(pending: &[Pending], total: usize) -> Vec<Vec<usize>> {
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); total];
    for p in pending {
        neighbours[p.from].push(p.to);
        neighbours[p.to].push(p.from);
    }
    neighbours
}

/// Columns left to right on even sweeps, right to left on odd ones.
pub(super) fn sweep_order(iter: usize, n: usize) -> Vec<usize> {
    if iter.is_multiple_of(2) {
        (0..n).collect()
    } else {
        (0..n).rev().collect()
    }
}

/// Each box's relative position in its column, in (0, 1).
pub(super) fn set_ranks(cols: &Columns, rank: &mut [f64]) {
    for (_, items) in cols {
        let n = items.len() as f64;
        for (r, &b) in items.iter().enumerate() {
            rank[b] = (r as f64 + 0.5) / n;
        }
    }
}

/// Order within columns: barycenter sweeps (each box towards the mean rank of its neighbours).
pub(super) fn order_columns(cols: &mut Columns, neighbours: &[Vec<usize>]) {
    let mut rank = vec![0.5f64; neighbours.len()];
    set_ranks(cols, &mut rank);
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
            set_ranks(cols, &mut rank);
        }
    }
}

/// The top band: title with a summary line, then the legend. Returns its boxes and the y below it.
pub(super) fn top_band(graph: &Graph) -> Result<(Vec<LBox>, i32)> {
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
    Ok((band, y))
}

/// Column x positions and widths (the widest box or header), headers centred over their
/// column at `y`.
pub(super) fn grid(cols: &Columns, boxes: &[LBox], gap_after: &[i32], y: i32) -> Result<Grid> {
    let mut headers: Vec<LBox> = Vec::new();
    for (name, _) in cols {
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
    Ok(Grid {
        headers,
        col_x,
        col_w,
        content_top: y + header_h + 8,
        content_right,
    })
}

/// Vertical placement: columns stacked and centred, then each box pulled towards its
/// neighbours (keeping the gap), then moved to whole pixels. Returns the content's bottom.
pub(super) fn place_vertically(
    cols: &Columns,
    boxes: &mut [LBox],
    neighbours: &[Vec<usize>],
    grid: &Grid,
) -> i32 {
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
    let mut center = vec![0.0f64; boxes.len()];
    for (_, items) in cols {
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
            let bx = grid.col_x[c] + (grid.col_w[c] - boxes[b].rect.w) / 2;
            move_box(&mut boxes[b], bx, grid.content_top + top);
            floor = top + h + BOX_GAP as i32;
        }
    }
    cols.iter()
        .flat_map(|(_, items)| items.iter().map(|&b| boxes[b].rect.bottom()))
        .max()
        .unwrap_or(grid.content_top)
}

/// Where each line leaves and enters its boxes: the ends spread along the box's side, ordered
/// by where the other end is. Returns (from y, to y) per line.
pub(super) fn anchors(pending: &[Pending], boxes: &[LBox]) -> (Vec<i32>, Vec<i32>) {
    let mut from_y = vec![0i32; pending.len()];
    let mut to_y = vec![0i32; pending.len()];
    for (b, bx) in boxes.iter().enumerate() {
        let r = bx.rect;
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
    (from_y, to_y)
}

/// The lines' routes: a stub to the column's edge, an S-curve across the gap, a stub to the box
/// (leaving room for the arrow head).
pub(super) fn route_links(
    pending: &[Pending],
    boxes: &[LBox],
    cols: &Columns,
    grid: &Grid,
) -> Vec<Link> {
    let col_of = {
        let mut v = vec![0usize; boxes.len()];
        for (c, (_, items)) in cols.iter().enumerate() {
            for &b in items {
                v[b] = c;
            }
        }
        v
    };
    let (from_y, to_y) = anchors(pending, boxes);
    let mut links = Vec::with_capacity(pending.len());
    for (p, pl) in pending.iter().enumerate() {
        let (a, b) = (&boxes[pl.from].rect, &boxes[pl.to].rect);
        let (ca, cb) = (col_of[pl.from], col_of[pl.to]);
        let x0 = a.right();
        let x1 = grid.col_x[ca] + grid.col_w[ca];
        let x2 = grid.col_x[cb];
        let x3 = b.x - if pl.arrow { ARROW } else { 0 };
        let (y0, y1) = (from_y[p], to_y[p]);
        let mut points = vec![(x0, y0)];
        if x1 > x0 {
            points.push((x1, y0));
        }
        points.extend(s_curve((x1, y0), (x2, y1)));
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
    links
}

/// A cubic Bézier from `(x1, y0)` to `(x2, y1)` leaving and arriving horizontally, as 24 points
/// (the start excluded).
pub(super) fn s_curve((x1, y0): (i32, i32), (x2, y1): (i32, i32)) -> Vec<(i32, i32)> {
    let dx = f64::from(x2 - x1);
    const STEPS: i32 = 24;
    (1..=STEPS)
        .map(|s| {
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
            (bx.round() as i32, by.round() as i32)
        })
        .collect()
}
