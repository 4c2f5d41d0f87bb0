//! `history --plot FILE.png|FILE.svg`: incidents per week, stacked by outcome, drawn with plotters.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::anyhow;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use serde_json::Value;

/// The font the chart is drawn with: DejaVu Sans, embedded so a machine without fonts renders the
/// same picture. The file is fw-graph's asset (licence next to it); a shared copy in octo-core
/// would be the cleaner home once a third tool draws text.
static DEJAVU_SANS: &[u8] = include_bytes!("../../fw-graph/assets/DejaVuSans.ttf");
const FAMILY: &str = "DejaVu Sans";

fn font() -> anyhow::Result<()> {
    static OK: OnceLock<bool> = OnceLock::new();
    if *OK.get_or_init(|| register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok()) {
        Ok(())
    } else {
        Err(anyhow!("the embedded font could not be loaded"))
    }
}

/// Outcomes in stacking order, with their colours.
const OUTCOMES: [(&str, RGBColor); 5] = [
    ("deleted", RGBColor(200, 50, 50)),
    ("locked", RGBColor(230, 150, 30)),
    ("unlocked", RGBColor(60, 140, 60)),
    ("resolved", RGBColor(70, 110, 180)),
    ("open", RGBColor(150, 150, 150)),
];

fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// Counts per week (from the Monday of `since` to the week of `now`) and outcome.
pub fn weekly(
    incidents: &[Value],
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> (NaiveDate, Vec<[u32; 5]>) {
    let start = monday(since.date_naive());
    let weeks = ((monday(now.date_naive()) - start).num_days() / 7 + 1).max(1) as usize;
    let mut counts = vec![[0u32; 5]; weeks];
    for i in incidents {
        let Some(created) = i["created_at"]
            .as_str()
            .and_then(octo_core::time::parse_api)
        else {
            continue;
        };
        let w = (created.date_naive() - start).num_days() / 7;
        let o = OUTCOMES
            .iter()
            .position(|(n, _)| i["outcome"] == *n)
            .unwrap_or(OUTCOMES.len() - 1);
        if let Some(row) = usize::try_from(w).ok().and_then(|w| counts.get_mut(w)) {
            row[o] += 1;
        }
    }
    (start, counts)
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    start: NaiveDate,
    counts: &[[u32; 5]],
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("drawing the chart: {e:?}");
    root.fill(&WHITE).map_err(err)?;
    let max = counts
        .iter()
        .map(|c| c.iter().sum::<u32>())
        .max()
        .unwrap_or(0)
        .max(1);
    let n = counts.len();
    let mut chart = ChartBuilder::on(&root)
        .caption("Security incidents per week, by outcome", (FAMILY, 22))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(40)
        .build_cartesian_2d(0f64..n as f64, 0f64..f64::from(max + 1))
        .map_err(err)?;
    let label_every = n.div_ceil(12).max(1);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(12) + 1)
        .x_label_formatter(&|x| {
            let w = x.floor() as i64;
            if w < 0 || w as usize >= n || !(w as usize).is_multiple_of(label_every) {
                String::new()
            } else {
                (start + Duration::days(7 * w))
                    .format("%Y-%m-%d")
                    .to_string()
            }
        })
        .y_labels((max as usize + 2).min(11))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .y_desc("incidents")
        .x_desc("week starting")
        .label_style((FAMILY, 13))
        .draw()
        .map_err(err)?;
    for (o, (name, colour)) in OUTCOMES.iter().enumerate() {
        let bars = counts
            .iter()
            .enumerate()
            .filter(|(_, c)| c[o] > 0)
            .map(|(w, c)| {
                let below: u32 = c[..o].iter().sum();
                let x = w as f64;
                Rectangle::new(
                    [
                        (x + 0.1, f64::from(below)),
                        (x + 0.9, f64::from(below + c[o])),
                    ],
                    colour.filled(),
                )
            });
        let colour = *colour;
        chart
            .draw_series(bars)
            .map_err(err)?
            .label(*name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font((FAMILY, 13))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

/// Write the chart to `path`: SVG when it ends in `.svg`, else PNG.
pub fn plot(
    path: &Path,
    incidents: &[Value],
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    font()?;
    let (start, counts) = weekly(incidents, since, now);
    let size = (960u32, 480u32);
    let svg = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if svg {
        draw(
            SVGBackend::new(path, size).into_drawing_area(),
            start,
            &counts,
        )
    } else {
        draw(
            BitMapBackend::new(path, size).into_drawing_area(),
            start,
            &counts,
        )
    }
    .map_err(|e| anyhow!("{}: {e:#}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn weekly_buckets_by_monday_and_outcome() {
        let since = octo_core::time::parse_api("2026-11-04T10:00:00Z").unwrap();
        let now = octo_core::time::parse_api("2026-11-20T10:00:00Z").unwrap();
        let inc = [
            json!({"created_at": "2026-11-02T01:00:00Z", "outcome": "deleted"}),
            json!({"created_at": "2026-11-09T01:00:00Z", "outcome": "locked"}),
            json!({"created_at": "2026-11-15T23:00:00Z", "outcome": "locked"}),
            json!({"created_at": "2026-11-19T01:00:00Z", "outcome": "weird"}),
        ];
        let (start, c) = weekly(&inc, since, now);
        assert_eq!(start.to_string(), "2026-11-02");
        assert_eq!(c, vec![[1, 0, 0, 0, 0], [0, 2, 0, 0, 0], [0, 0, 0, 0, 1]]);
    }
}
