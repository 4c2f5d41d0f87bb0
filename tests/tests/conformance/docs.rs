//! --generate man|complete-*.

use crate::*;

#[test]
fn every_binary_generates_its_man_pages_and_completions_and_the_committed_pages_are_current() {
    let report = Report::new();
    let trees = trees();
    let bins: Vec<String> = trees.iter().map(|(b, _)| b.clone()).collect();
    let committed = committed_pages(&bins);
    std::thread::scope(|s| {
        for (bin, nodes) in &trees {
            let (report, bins, committed) = (&report, &bins, &committed);
            s.spawn(move || docs(bin, nodes, bins, committed, report));
        }
    });
    report.assert_clean("generated docs");
}

/// `bin-docs/man/*.1`: file name → (owning binary, bytes). A page belongs to the binary whose
/// name is the longest one it starts with (`NAME.1` or `NAME-…1`).
fn committed_pages(bins: &[String]) -> BTreeMap<String, (Option<String>, Vec<u8>)> {
    let dir = bins::workspace_root().join("bin-docs/man");
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let e = e.expect("dir entry");
        let file = e.file_name().to_string_lossy().into_owned();
        if let Some(stem) = file.strip_suffix(".1") {
            let owner = owner(stem, bins);
            out.insert(
                file,
                (owner, std::fs::read(e.path()).expect("reading a page")),
            );
        }
    }
    out
}

fn owner(stem: &str, bins: &[String]) -> Option<String> {
    bins.iter()
        .filter(|b| stem == b.as_str() || stem.starts_with(&format!("{b}-")))
        .max_by_key(|b| b.len())
        .cloned()
}

fn docs(
    bin: &str,
    nodes: &[Node],
    bins: &[String],
    committed: &BTreeMap<String, (Option<String>, Vec<u8>)>,
    report: &Report,
) {
    let program = bins::path(bin);
    let r = run::run(&program, &["--generate", "man"], &[]);
    report.check(
        r.code == 0 && is_roff(&r.out(), bin),
        bin,
        "--generate man exits 0 with a roff page (.TH NAME) on stdout",
        format!("{}, stdout {}", r.brief(), excerpt(&r.out(), 120)),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().to_str().expect("utf-8 temp path").to_string();
    let r = run::run(&program, &["--generate", "man", "--out-dir", &out_dir], &[]);
    let generated = pages_under(dir.path());
    let ours: BTreeMap<&String, &Vec<u8>> = committed
        .iter()
        .filter(|(_, (o, _))| o.as_deref() == Some(bin))
        .map(|(f, (_, b))| (f, b))
        .collect();
    if r.code != 0 || generated.is_empty() {
        report.fail(
            bin,
            "--generate man --out-dir DIR exits 0 and writes the pages",
            format!("{}, {} page(s) written", r.brief(), generated.len()),
        );
    } else {
        for node in nodes {
            if node.help.code == 0 {
                report.check(
                    generated.contains_key(&node.man_page()),
                    &node.name(),
                    "--generate man --out-dir writes a page per subcommand",
                    format!(
                        "no {} among {:?}",
                        node.man_page(),
                        generated.keys().collect::<Vec<_>>()
                    ),
                );
            }
        }
        for (file, bytes) in &generated {
            match ours.get(file) {
                None => report.fail(
                    bin,
                    "committed bin-docs/man is current",
                    format!("bin-docs/man/{file} is missing (run `make docs`)"),
                ),
                Some(c) if *c != bytes => report.fail(
                    bin,
                    "committed bin-docs/man is current",
                    format!("bin-docs/man/{file} differs from --generate man (run `make docs`)"),
                ),
                Some(_) => {}
            }
        }
        for file in ours.keys() {
            report.check(
                generated.contains_key(*file),
                bin,
                "committed bin-docs/man is current",
                format!("bin-docs/man/{file} is not generated any more (remove it)"),
            );
        }
    }
    // references NAME-SUB(1) must name a page that exists: of the generated pages, or the
    // committed ones when generation fails
    let pages: BTreeMap<String, Vec<u8>> = if generated.is_empty() {
        ours.iter()
            .map(|(f, b)| ((*f).clone(), (*b).clone()))
            .collect()
    } else {
        generated.clone()
    };
    let existing: BTreeSet<String> = pages
        .keys()
        .cloned()
        .chain(committed.keys().cloned())
        .collect();
    for (file, bytes) in &pages {
        for r in references(&String::from_utf8_lossy(bytes), bins) {
            report.check(
                existing.contains(&format!("{r}.1")),
                bin,
                "man pages reference only pages that exist",
                format!("{file} references {r}(1), which does not exist"),
            );
        }
    }
    for shell in ["bash", "zsh", "fish"] {
        let flag = format!("complete-{shell}");
        let r = run::run(&program, &["--generate", &flag], &[]);
        let ok = r.code == 0 && !r.out().trim().is_empty();
        report.check(
            ok,
            bin,
            &format!("--generate {flag} exits 0 with the script on stdout"),
            r.brief(),
        );
        if ok && shell == "bash" {
            let f = dir.path().join("completion.bash");
            std::fs::write(&f, &r.stdout).expect("writing the completion");
            let n = run::run(
                Path::new("/bin/bash"),
                &["-n", f.to_str().expect("utf-8")],
                &[],
            );
            report.check(
                n.code == 0,
                bin,
                "--generate complete-bash is valid bash (bash -n)",
                n.brief(),
            );
        }
    }
}

fn is_roff(text: &str, bin: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with(".TH ") && l[4..].trim_start().starts_with(bin))
}

/// Every `*.1` file under `dir` (any depth): file name → bytes.
fn pages_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if let Some(name) = p.file_name().and_then(|n| n.to_str())
                && name.ends_with(".1")
            {
                out.insert(name.to_string(), std::fs::read(&p).expect("reading a page"));
            }
        }
    }
    out
}

/// The `NAME(1)` references in a roff page whose NAME is a workspace binary or one of its
/// subcommand pages (`halo-query-events`).
fn references(roff: &str, bins: &[String]) -> BTreeSet<String> {
    let text = roff
        .replace("\\-", "-")
        .replace("\\fB", "")
        .replace("\\fR", "")
        .replace("\\fI", "")
        .replace("\\fP", "");
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("(1)") {
        let start = text[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .map_or(0, |p| p + 1);
        let name = &text[start..i];
        if owner(name, bins).is_some() {
            out.insert(name.to_string());
        }
    }
    out
}

#[test]
fn man_references_are_found() {
    let bins = args(&["halo-query", "quarantine"]);
    let r = references(
        ".SH SUBCOMMANDS\n.TP\nhalo\\-query\\-events(1)\nsee \\fBquarantine\\fR(1), ls(1)\n",
        &bins,
    );
    assert_eq!(
        r,
        BTreeSet::from(["halo-query-events".to_string(), "quarantine".to_string()])
    );
    assert_eq!(
        owner("halo-query-events", &bins).as_deref(),
        Some("halo-query")
    );
    assert_eq!(owner("octo-sim", &bins), None);
}
