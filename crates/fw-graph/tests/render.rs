//! Library-level tests: golden DOT/Mermaid/JSONL, SVG and PNG content, layout geometry.

mod common;

use std::collections::HashSet;
use std::io::Read;

use fw_graph::layout::{self, BoxRole};
use fw_graph::{Format, GraphOptions, RenderOptions, graph, model, render};
use serde_json::Value;

fn opts(format: Format, all: bool) -> RenderOptions {
    RenderOptions {
        format,
        include_inactive: all,
        group_name: all.then(|| "web-servers".to_string()),
    }
}

fn text(format: Format, all: bool) -> String {
    String::from_utf8(
        render(&common::fixture(), &opts(format, all))
            .unwrap()
            .bytes,
    )
    .unwrap()
}

#[test]
fn golden_dot() {
    common::assert_golden("policy.dot", &text(Format::Dot, false));
}

#[test]
fn golden_dot_all_with_group_name() {
    common::assert_golden("policy.all.dot", &text(Format::Dot, true));
}

#[test]
fn golden_mermaid() {
    common::assert_golden("policy.mmd", &text(Format::Mermaid, false));
}

#[test]
fn golden_mermaid_all_with_group_name() {
    common::assert_golden("policy.all.mmd", &text(Format::Mermaid, true));
}

#[test]
fn golden_jsonl() {
    common::assert_golden("policy.all.jsonl", &text(Format::Jsonl, true));
}

/// The fixture covers what the golden files are meant to lock.
#[test]
fn fixture_covers_every_case() {
    let p = model::parse_policy(&common::fixture()).unwrap();
    let kinds: HashSet<String> = p
        .rules
        .iter()
        .map(|r| r.peer.kind.api_name().to_string())
        .collect();
    for k in ["FirewallZone", "Group", "UserGroup", "any"] {
        assert!(kinds.contains(k), "no {k} peer");
    }
    let actions: HashSet<&str> = p.rules.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions.len(), 3);
    assert!(p.rules.iter().any(|r| !r.active));
    assert!(p.rules.iter().any(|r| r.service.is_none()));
    assert!(p.rules.iter().any(|r| r.chain == model::Chain::Output));
    let g = graph::build(&p, &GraphOptions::default());
    assert!(g.edges.iter().any(|e| e.count() > 1), "no duplicate rule");
}

/// Every record holds to the `fw-graph.edge.v1` contract.
#[test]
fn jsonl_matches_the_schema() {
    let recs: Vec<Value> = text(Format::Jsonl, true)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(recs.len(), 10);
    octo_testkit::assert_records(&recs, "fw-graph.edge.v1");
}

/// `<text …>CONTENT</text>` contents of an SVG, unescaped.
fn svg_texts(svg: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        let after = &rest[start..];
        let open_end = after.find('>').unwrap();
        let close = after.find("</text>").unwrap();
        let raw = after[open_end + 1..close].trim();
        out.push(
            raw.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        );
        rest = &after[close..];
    }
    out
}

/// Whether `svg` is well-formed XML 1.0: only XML characters, every token valid, every element
/// closed in order.
fn well_formed(svg: &str) -> Result<(), String> {
    if let Some(c) = svg.chars().find(|&c| {
        !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    }) {
        return Err(format!("not an XML character: {c:?}"));
    }
    let mut open: Vec<String> = Vec::new();
    for token in xmlparser::Tokenizer::from(svg) {
        match token.map_err(|e| e.to_string())? {
            xmlparser::Token::ElementStart { local, .. } => open.push(local.to_string()),
            xmlparser::Token::ElementEnd { end, .. } => match end {
                xmlparser::ElementEnd::Open => {}
                xmlparser::ElementEnd::Empty => {
                    open.pop();
                }
                xmlparser::ElementEnd::Close(_, name) => {
                    if open.pop().as_deref() != Some(name.as_str()) {
                        return Err(format!("</{name}> closes nothing open"));
                    }
                }
            },
            _ => {}
        }
    }
    match open.is_empty() {
        true => Ok(()),
        false => Err(format!("unclosed: {open:?}")),
    }
}

/// Control characters in API names (policy, rule comment, zone, service) neither break the SVG
/// nor vanish: they are drawn as U+FFFD (line breaks and tabs as spaces).
#[test]
fn control_characters_in_names_keep_the_svg_well_formed() {
    let mut doc = common::fixture();
    let p = doc
        .get_mut("firewall_policy")
        .and_then(Value::as_object_mut)
        .expect("a firewall_policy");
    p.insert(
        "name".into(),
        "web\u{1b}[31m <red> & \u{0}\u{7}\tpolicy".into(),
    );
    let rule = &mut p["firewall_rules"][0];
    rule["firewall_source"]["name"] = "Off\u{8}ice\u{1f}".into();
    rule["firewall_service"]["name"] = "S\u{b}SH\u{7f}".into();
    let svg = String::from_utf8(render(&doc, &opts(Format::Svg, true)).unwrap().bytes).unwrap();
    well_formed(&svg).unwrap();
    let texts = svg_texts(&svg);
    assert!(
        texts
            .iter()
            .any(|t| t
                .starts_with("Firewall policy: web\u{FFFD}[31m <red> & \u{FFFD}\u{FFFD} policy")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("Off\u{FFFD}ice\u{FFFD}")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("S\u{FFFD}SH\u{FFFD}")),
        "{texts:?}"
    );
    // the check itself: it refuses what the fix prevents
    assert!(well_formed("<svg><text>a\u{1b}b</text></svg>").is_err());
    assert!(well_formed("<svg><text>a</svg>").is_err());
    assert!(well_formed("<svg><text>a &amp; b</text></svg>").is_ok());
}

#[test]
fn svg_has_every_label_as_text() {
    let svg = text(Format::Svg, true);
    assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
    assert!(svg.trim_end().ends_with("</svg>"));
    let texts: HashSet<String> = svg_texts(&svg).into_iter().collect();
    let g = graph::build(
        &model::parse_policy(&common::fixture()).unwrap(),
        &GraphOptions {
            include_inactive: true,
            group_name: Some("web-servers".into()),
        },
    );
    let mut expected: Vec<String> = g
        .nodes
        .iter()
        .flat_map(|n| n.lines().into_iter().map(String::from))
        .collect();
    expected.extend(g.edges.iter().map(|e| e.label()));
    expected.extend(
        [
            "ACCEPT",
            "DROP",
            "REJECT",
            "inactive",
            "sources",
            "INPUT rules",
            "OUTPUT rules",
            "destinations",
        ]
        .map(String::from),
    );
    expected.push("Firewall policy: Web tier FW (linux)".into());
    for e in &expected {
        assert!(
            texts.contains(e),
            "SVG has no <text> {e:?}; it has {texts:?}"
        );
    }
    assert!(texts.contains("ops \"on-call\""));
    assert!(texts.contains("ACCEPT #2 ×2"));
    assert!(texts.contains("ACCEPT #6 (inactive)"));
    // text names the embedded font first, then the generic family
    let n_text = svg.matches("<text").count();
    assert_eq!(
        svg.matches("font-family=\"DejaVu Sans, sans-serif\"")
            .count(),
        n_text
    );
    // colours of the three actions are used for lines
    for c in ["#1A7F37", "#CF222E", "#E07000"] {
        assert!(svg.to_ascii_uppercase().contains(c), "no {c}");
    }
}

/// Decode our own PNG: signature, IHDR, IDAT (zlib, Sub filter) back to RGB.
fn decode_png(png: &[u8]) -> (u32, u32, Vec<u8>) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    let mut at = 8;
    let (mut w, mut h) = (0u32, 0u32);
    let mut idat = Vec::new();
    let mut saw_end = false;
    while at < png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        let kind = &png[at + 4..at + 8];
        let data = &png[at + 8..at + 8 + len];
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        assert_eq!(
            crc.sum(),
            u32::from_be_bytes(png[at + 8 + len..at + 12 + len].try_into().unwrap()),
            "CRC"
        );
        match kind {
            b"IHDR" => {
                assert_eq!(at, 8, "IHDR first");
                w = u32::from_be_bytes(data[0..4].try_into().unwrap());
                h = u32::from_be_bytes(data[4..8].try_into().unwrap());
                assert_eq!(&data[8..], &[8, 2, 0, 0, 0]);
            }
            b"IDAT" => idat.extend_from_slice(data),
            b"IEND" => saw_end = true,
            _ => {}
        }
        at += 12 + len;
    }
    assert!(saw_end);
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .unwrap();
    let row = w as usize * 3;
    assert_eq!(raw.len(), (row + 1) * h as usize);
    let mut px = Vec::with_capacity(row * h as usize);
    for line in raw.chunks_exact(row + 1) {
        assert_eq!(line[0], 1, "Sub filter");
        let start = px.len();
        for i in 0..row {
            let left = if i >= 3 { px[start + i - 3] } else { 0u8 };
            px.push(line[i + 1].wrapping_add(left));
        }
    }
    (w, h, px)
}

#[test]
fn png_is_valid_non_trivial_and_draws_every_label() {
    let rendered = render(&common::fixture(), &opts(Format::Png, true)).unwrap();
    let (w, h, px) = decode_png(&rendered.bytes);
    let g = graph::build(
        &model::parse_policy(&common::fixture()).unwrap(),
        &GraphOptions {
            include_inactive: true,
            group_name: Some("web-servers".into()),
        },
    );
    let l = layout::layout(&g).unwrap();
    assert_eq!(
        (w as i32, h as i32),
        (l.width, l.height),
        "IHDR size is the layout's"
    );
    assert!(w > 600 && h > 250, "{w}×{h}");
    // what we encoded is what plotters drew
    assert_eq!(
        fw_graph::render::png::pixels(&l).unwrap(),
        (w, h, px.clone())
    );
    let colours: HashSet<&[u8]> = px.chunks_exact(3).collect();
    assert!(
        colours.len() > 200,
        "only {} distinct colours",
        colours.len()
    );
    for c in [[0x1a, 0x7f, 0x37], [0xcf, 0x22, 0x2e], [0xe0, 0x70, 0x00]] {
        assert!(colours.contains(&c[..]), "action colour {c:?} not drawn");
    }
    // every label's box holds ink: pixels clearly darker than any fill behind text
    let at = |x: i32, y: i32| -> [u8; 3] {
        let i = (y as usize * w as usize + x as usize) * 3;
        [px[i], px[i + 1], px[i + 2]]
    };
    for b in &l.boxes {
        for label in &b.labels {
            let r = label.rect;
            let bg = at(b.rect.x + 2, b.rect.y + 2);
            let differs = (r.y..r.bottom())
                .flat_map(|y| (r.x..r.right()).map(move |x| (x, y)))
                .filter(|&(x, y)| {
                    let p = at(x, y);
                    (0..3)
                        .map(|k| (i32::from(p[k]) - i32::from(bg[k])).abs())
                        .sum::<i32>()
                        > 120
                })
                .count();
            let need = (r.w as usize).max(4);
            assert!(
                differs >= need,
                "label {:?} drew {differs} ink pixels",
                label.text
            );
        }
    }
}

#[test]
fn fixture_layout_is_clean() {
    let g = graph::build(
        &model::parse_policy(&common::fixture()).unwrap(),
        &GraphOptions {
            include_inactive: true,
            group_name: None,
        },
    );
    let l = layout::layout(&g).unwrap();
    layout::check(&l).unwrap();
    let rules = l
        .boxes
        .iter()
        .filter(|b| matches!(b.role, BoxRole::Rule(_)))
        .count();
    assert_eq!(rules, g.edges.len());
}

#[test]
fn a_200_rule_policy_lays_out_without_overlaps() {
    let v = common::big_policy(200);
    let p = model::parse_policy(&v).unwrap();
    assert_eq!(p.rules.len(), 200);
    for all in [false, true] {
        let g = graph::build(
            &p,
            &GraphOptions {
                include_inactive: all,
                group_name: None,
            },
        );
        assert!(g.edges.len() > 100, "{}", g.edges.len());
        assert!(g.edges.iter().any(|e| e.count() > 1));
        let l = layout::layout(&g).unwrap();
        assert_eq!(layout::overlapping_boxes(&l), Vec::<(usize, usize)>::new());
        layout::check(&l).unwrap();
        // every node and rule has its box
        let nodes = l
            .boxes
            .iter()
            .filter(|b| matches!(b.role, BoxRole::Node(_)))
            .count();
        let rules = l
            .boxes
            .iter()
            .filter(|b| matches!(b.role, BoxRole::Rule(_)))
            .count();
        assert_eq!((nodes, rules), (g.nodes.len(), g.edges.len()));
        // a line ends on each side of every rule box
        assert_eq!(l.links.len(), 2 * g.edges.len() + g.service_links().len());
    }
    // and it renders
    let svg = render(
        &v,
        &RenderOptions {
            format: Format::Svg,
            include_inactive: true,
            group_name: None,
        },
    )
    .unwrap();
    assert!(svg.bytes.len() > 50_000);
}

#[test]
fn small_policies_render_too() {
    let one = serde_json::json!({"name": "tiny", "firewall_rules": [
        {"chain": "INPUT", "action": "ACCEPT", "active": true, "position": 1, "firewall_source": null, "firewall_service": null}
    ]});
    let empty = serde_json::json!({"name": "empty", "firewall_rules": []});
    let output_only = serde_json::json!({"name": "out", "firewall_rules": [
        {"chain": "OUTPUT", "action": "REJECT", "active": true, "position": 1, "firewall_target": null, "firewall_service": {"protocol": "ICMP"}}
    ]});
    for v in [one, empty, output_only] {
        for f in [
            Format::Png,
            Format::Svg,
            Format::Dot,
            Format::Mermaid,
            Format::Jsonl,
        ] {
            let r = render(
                &v,
                &RenderOptions {
                    format: f,
                    include_inactive: false,
                    group_name: None,
                },
            )
            .unwrap();
            if f != Format::Jsonl || v["name"] != "empty" {
                assert!(!r.bytes.is_empty(), "{f:?} of {}", v["name"]);
            }
        }
        let g = graph::build(&model::parse_policy(&v).unwrap(), &GraphOptions::default());
        layout::check(&layout::layout(&g).unwrap()).unwrap();
    }
}
