//! history: every security ticket joined with what the notes recorded, and the counts.

mod common;

use common::*;
use serde_json::json;

#[test]
fn history_joins_tickets_and_notes_with_outcomes_and_counts() {
    let sim = spawn();
    let env = Env::new(&sim.url());
    let web = web01(&sim);
    let db = server_id(&sim, "db01", 1);
    let worker = server_id(&sim, "worker01", 2);
    ok(&env.run(&["lock", &web, "--apply"]));
    ok(&env.run(&["takedown", &db, "--apply", "--yes"]));
    ok(&env.run(&["lock", &worker, "--apply"]));
    ok(&env.run(&["unlock", &worker, "--apply"]));
    // history needs FreshDesk only
    let out = Env::new(&sim.url())
        .unset("OS_AUTH_URL")
        .unset("OS_PASSWORD")
        .run(&["history", "--since", "7d"]);
    ok(&out);
    let recs = jsonl(&out);
    let incidents: Vec<_> = recs
        .iter()
        .filter(|r| r["record"] == "sec-takedown.incident/v1")
        .collect();
    assert_eq!(incidents.len(), 3, "{recs:#?}");
    let by_instance = |id: &str| {
        incidents
            .iter()
            .find(|i| i["instance_id"] == json!(id))
            .unwrap_or_else(|| panic!("{id}: {recs:#?}"))
    };
    let w = by_instance(&web);
    assert_eq!(w["outcome"], "locked");
    assert_eq!(w["project_name"], "genomics-lab");
    assert_eq!(w["image_name"], "NeCTAR Ubuntu 22.04 LTS (Jammy) amd64");
    assert_eq!(w["flavor"], "m3.small");
    assert_eq!(w["owner_email"], "alice.nguyen@uni.example.edu");
    assert!(
        w["ticket_url"]
            .as_str()
            .unwrap()
            .starts_with("https://support.example.org/helpdesk/tickets/")
    );
    let d = by_instance(&db);
    assert_eq!(d["outcome"], "deleted");
    assert!(d["deleted_at"].is_string());
    assert_eq!(d["status"], 4);
    let k = by_instance(&worker);
    assert_eq!(k["outcome"], "unlocked");
    assert_eq!(k["project_name"], "astro-sim");
    let count = |by: &str, key: &str| {
        recs.iter()
            .find(|r| r["record"] == "sec-takedown.count/v1" && r["by"] == by && r["key"] == key)
            .map(|r| r["count"].clone())
    };
    assert_eq!(count("project", "genomics-lab"), Some(json!(2)));
    assert_eq!(count("project", "astro-sim"), Some(json!(1)));
    assert_eq!(
        count("image", "NeCTAR Ubuntu 22.04 LTS (Jammy) amd64"),
        Some(json!(2))
    );
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    assert_eq!(count("month", &month), Some(json!(3)));

    // the incidents, then the counts, each holding to the contract of its kind
    let kinds: Vec<&str> = recs.iter().map(|r| r["record"].as_str().unwrap()).collect();
    assert_eq!(kinds[..3], ["sec-takedown.incident/v1"; 3]);
    assert!(
        kinds[3..].iter().all(|k| *k == "sec-takedown.count/v1"),
        "{kinds:?}"
    );
    for r in &recs {
        octo_testkit::assert_tagged_record(r);
    }

    // --plot: PNG and SVG
    let png = env.path().join("weekly.png");
    let svg = env.path().join("weekly.svg");
    ok(&env.run(&["history", "--since", "30d", "--plot", png.to_str().unwrap()]));
    ok(&env.run(&["history", "--since", "30d", "--plot", svg.to_str().unwrap()]));
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 5000,
        "{} bytes",
        bytes.len()
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.contains("Security incidents per week")
            && text.contains("deleted")
            && text.contains("unlocked")
    );

    // a bad --since is a usage error
    let out = env.run(&["history", "--since", "last tuesday"]);
    assert_eq!(code(&out), 2);
}
