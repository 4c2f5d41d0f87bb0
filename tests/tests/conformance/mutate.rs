//! Mutations: a plan by default, action only with --apply.

use crate::*;

struct Mutation {
    command: &'static str,
    /// What the world needs first (not under test; a failure is reported as a set-up failure).
    setup: Option<Setup>,
    plan: Vec<String>,
    apply: Vec<String>,
}

enum Setup {
    /// Run the same binary with these arguments.
    Run(Vec<String>),
    /// A block of ours in ipblock's zone that expired long ago.
    ExpiredBlock,
}

fn mutation(command: &'static str, plan: &[&str], extra: &[&str]) -> Mutation {
    let plan = args(plan);
    Mutation {
        command,
        setup: None,
        apply: with(&plan, extra),
        plan,
    }
}

impl Mutation {
    fn after(mut self, setup: Setup) -> Mutation {
        self.setup = Some(setup);
        self
    }
}

/// The mutating commands, in the order they run against one world per binary (a step may need
/// the state an earlier one left).
fn mutations(bin: &str, w: &World) -> Vec<Mutation> {
    let events = w.events.display().to_string();
    match bin {
        "quarantine" => vec![
            mutation("quarantine", &["-i", &events], &["--apply"]),
            mutation(
                "quarantine release",
                &[
                    "release",
                    "--server",
                    &w.hostile_id,
                    "--to-group",
                    "Root/q-test",
                ],
                &["--apply"],
            ),
        ],
        "ipblock" => vec![
            mutation("ipblock", &["-i", &events], &["--apply"]),
            mutation(
                "ipblock unblock",
                &["unblock", world::OFFENDER_IP],
                &["--apply"],
            ),
            mutation("ipblock expire", &["expire"], &["--apply"]).after(Setup::ExpiredBlock),
        ],
        "sec-takedown" => {
            let ids = w.active_instances();
            assert!(ids.len() >= 3, "octo-sim has fewer than 3 ACTIVE instances");
            vec![
                mutation("sec-takedown lock", &["lock", &ids[0]], &["--apply"]),
                mutation("sec-takedown unlock", &["unlock", &ids[0]], &["--apply"]),
                // delete needs the ticket that lock opens
                mutation(
                    "sec-takedown delete",
                    &["delete", &ids[1]],
                    &["--apply", "--yes"],
                )
                .after(Setup::Run(args(&["lock", &ids[1], "--apply"]))),
                mutation(
                    "sec-takedown takedown",
                    &["takedown", &ids[2]],
                    &["--apply", "--yes"],
                ),
            ]
        }
        _ => Vec::new(),
    }
}

/// Before `ipblock expire`: a block of ours in the zone that expired long ago (written through
/// `halo-query api` with the full-access key).
fn plant_expired_block(w: &World, report: &Report) {
    let zone = w.zone("halo-ipblocker");
    let ip = "198.51.100.9";
    let body = serde_json::json!({"firewall_zone": {
        "ip_address": format!("{},{ip}", zone["ip_address"].as_str().unwrap_or("")),
        "description": format!("{}\noctobox-ipblock: {ip} until 2020-01-01T00:00:00Z",
            zone["description"].as_str().unwrap_or("")),
    }});
    let path = format!(
        "/v1/firewall_zones/{}",
        zone["id"].as_str().expect("zone id")
    );
    let r = run::run(
        &bins::path("halo-query"),
        &["api", "PUT", &path, "--data", &body.to_string()],
        &w.env,
    );
    report.check(
        r.code == 0,
        "ipblock expire",
        "set-up: plant an expired block with `halo-query api PUT`",
        r.brief(),
    );
}

#[test]
fn every_mutating_command_plans_by_default_and_acts_only_with_apply() {
    let report = Report::new();
    let trees = trees();
    // every command that offers --apply is in the table, and keeps --dry-run as an alias
    let table_bins = ["quarantine", "ipblock", "sec-takedown"];
    let probe = World::new(false);
    let listed: BTreeSet<&str> = table_bins
        .iter()
        .flat_map(|b| mutations(b, &probe))
        .map(|m| m.command)
        .collect();
    drop(probe);
    for (bin, nodes) in &trees {
        for node in nodes.iter().filter(|n| n.runnable) {
            let name = node.name();
            let offers = help::option_section(&node.help_text(), "--apply").is_some();
            if offers {
                report.check(
                    listed.contains(name.as_str()),
                    &name,
                    "every command with --apply is in the mutation table",
                    "add it to mutations() in tests/tests/conformance.rs",
                );
            }
            if offers || listed.contains(name.as_str()) {
                let r = run::output(run::command(
                    &bins::path(bin),
                    &with(&node.sub_args(), &["--dry-run", "--help"]),
                    &[],
                ));
                report.check(
                    r.code == 0,
                    &name,
                    "--dry-run stays accepted (a no-op alias of the default plan)",
                    r.brief(),
                );
            }
        }
    }
    std::thread::scope(|s| {
        for bin in table_bins {
            let report = &report;
            s.spawn(move || {
                let w = World::new(false);
                for m in mutations(bin, &w) {
                    match &m.setup {
                        None => {}
                        Some(Setup::ExpiredBlock) => plant_expired_block(&w, report),
                        Some(Setup::Run(a)) => {
                            let r = run::output(run::command(&bins::path(bin), a, &w.env));
                            report.check(
                                r.code == 0,
                                m.command,
                                &format!("set-up: `{bin} {}`", a.join(" ")),
                                r.brief(),
                            );
                        }
                    }
                    mutate(bin, &w, &m, report);
                }
            });
        }
    });
    report.assert_clean("plan by default, --apply to act");
}

fn mutate(bin: &str, w: &World, m: &Mutation, report: &Report) {
    let program = bins::path(bin);
    let workdir = w.workdir(&m.command.replace(' ', "-"));
    let go = |a: &[String]| {
        let mut c = run::command(&program, a, &w.env);
        c.current_dir(&workdir);
        run::output(c)
    };
    let before = w.mutations();
    let r = go(&m.plan);
    let after = w.mutations();
    let shown = format!("`{bin} {}`", m.plan.join(" "));
    report.check(
        after == before,
        m.command,
        "without --apply: zero mutating calls",
        format!(
            "{shown} made {}: {:?}",
            after - before,
            w.mutations_since(before)
        ),
    );
    report.check(
        r.code == 0,
        m.command,
        "without --apply: exits 0",
        format!("{shown}: {}", r.brief()),
    );
    let planned = r
        .out()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .any(|v| v["status"] == "planned");
    report.check(
        planned,
        m.command,
        "without --apply: prints its plan (`planned` records)",
        format!("{shown}: stdout {}", excerpt(&r.out(), 200)),
    );
    check_secrets(report, bin, m.command, &shown, &r.all());
    let before = w.mutations();
    let r = go(&m.apply);
    let after = w.mutations();
    let shown = format!("`{bin} {}`", m.apply.join(" "));
    report.check(
        after > before,
        m.command,
        "with --apply: acts (mutating calls made)",
        format!("{shown} made none: {}", r.brief()),
    );
    report.check(
        r.code == 0,
        m.command,
        "with --apply: exits 0",
        format!("{shown}: {}", r.brief()),
    );
    check_secrets(report, bin, m.command, &shown, &r.all());
}
