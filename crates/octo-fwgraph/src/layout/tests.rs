use super::*;

#[test]
fn rect_overlap_is_strict() {
    let a = Rect {
        x: 0,
        y: 0,
        w: 10,
        h: 10,
    };
    assert!(a.overlaps(&Rect {
        x: 9,
        y: 9,
        w: 5,
        h: 5
    }));
    assert!(!a.overlaps(&Rect {
        x: 10,
        y: 0,
        w: 5,
        h: 5
    }));
    assert!(!a.overlaps(&Rect {
        x: 0,
        y: 10,
        w: 5,
        h: 5
    }));
    assert!(a.contains(&Rect {
        x: 0,
        y: 0,
        w: 10,
        h: 10
    }));
}

#[test]
fn place_column_keeps_order_gap_and_bounds() {
    let tops = place_column(&[50.0, 50.0, 50.0], &[20.0, 20.0, 20.0], 10.0, 100.0);
    assert_eq!(tops, vec![20.0, 50.0, 80.0]);
    let tops = place_column(&[0.0, 0.0], &[40.0, 40.0], 10.0, 90.0);
    assert_eq!(tops, vec![0.0, 50.0]);
}

#[test]
fn overlap_finder_reports_pairs() {
    let b = |x, y| LBox {
        role: BoxRole::Header,
        style: BoxStyle::Plain,
        rect: Rect { x, y, w: 10, h: 10 },
        labels: Vec::new(),
    };
    let l = Layout {
        width: 100,
        height: 100,
        boxes: vec![b(0, 0), b(20, 0), b(5, 5), b(0, 10)],
        links: Vec::new(),
    };
    assert_eq!(overlapping_boxes(&l), vec![(0, 2), (2, 3)]);
    assert!(check(&l).is_err());
}
