//! Every listing command of halo-query against every hostile knob of octo-sim (issue 15 item 2),
//! through the real binary: non-zero exit with a message naming the endpoint, or exactly the
//! output of the same command without the knob — never exit 0 with less. One simulator per knob;
//! the knob is turned on through `PUT /_sim/faults` after the clean run.

mod common;

use common::*;
use octo_sim::SimConfig;
use octo_testkit::hostile::{
    Expect, Knob, check, common_expect, same, set_hostile, sorted, without_created_at,
};

/// What a command reads, which decides what the order and time knobs do to it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reads {
    /// a time series read by `created_at` (events, scans): order and times are load-bearing
    TimeSeries,
    /// at least one list (pages, count, next)
    List,
    /// only a single wrapped object (the knob scoped to it)
    Object,
}

struct Cmd {
    name: &'static str,
    args: Vec<String>,
    reads: Reads,
    /// what the failure message must name
    endpoint: String,
    /// the knob's scope (`@/path`), `""` = unscoped
    scope: String,
}

fn cmd(name: &'static str, args: &[&str], reads: Reads, endpoint: &str, scope: &str) -> Cmd {
    Cmd {
        name,
        args: args.iter().map(|s| s.to_string()).collect(),
        reads,
        endpoint: endpoint.to_string(),
        scope: scope.to_string(),
    }
}

fn commands(server_id: &str) -> Vec<Cmd> {
    let window = [
        "--since",
        "2026-11-19T00:00:00Z",
        "--until",
        "2026-11-20T00:00:00Z",
    ];
    let with = |c: &'static str| [&[c][..], &window[..]].concat();
    let server = [
        "server",
        server_id,
        "--events-limit",
        "0",
        "--events-since",
        "2026-11-19T00:00:00Z",
    ];
    use Reads::*;
    vec![
        cmd("groups", &["groups"], List, "GET /v1/groups", ""),
        cmd(
            "servers",
            &["servers", "--state", "all"],
            List,
            "GET /v1/servers",
            "",
        ),
        cmd("events", &with("events"), TimeSeries, "GET /v1/events", ""),
        cmd("scans", &with("scans"), TimeSeries, "GET /v1/scans", ""),
        cmd("issues", &["issues"], List, "GET /v3/issues", ""),
        cmd("zones", &["zones"], List, "GET /v1/firewall_zones", ""),
        cmd(
            "api --paginate",
            &["api", "GET", "/v1/servers", "--paginate"],
            List,
            "GET /v1/servers",
            "",
        ),
        cmd(
            "group",
            &["group", "Root/Prod/Web"],
            List,
            "GET /v1/groups",
            "",
        ),
        cmd(
            "firewall-policy",
            &["firewall-policy", "--group", "Root/Prod/Web"],
            List,
            "GET /v1/groups",
            "",
        ),
        cmd(
            "firewall-policy (policy endpoint only)",
            &["firewall-policy", "--group", "Root/Prod/Web"],
            Object,
            "GET /v1/firewall_policies/",
            "@/v1/firewall_policies",
        ),
        cmd(
            "server",
            &server,
            List,
            &format!("GET /v1/servers/{server_id}"),
            "",
        ),
        cmd(
            "server (its issues only)",
            &server,
            List,
            &format!("GET /v1/servers/{server_id}/issues"),
            &format!("@/v1/servers/{server_id}/issues"),
        ),
    ]
}

/// What `knob` must do to `c`, whose clean output is `clean`, and how to compare.
fn expectation(knob: Knob, c: &Cmd, clean: &str) -> (Expect, fn(&str) -> String) {
    if let Some(e) = common_expect(knob) {
        let object_only = c.reads == Reads::Object
            && matches!(
                knob,
                Knob::NullList | Knob::PaginationNotObject | Knob::LoopingNext | Knob::BadItems
            );
        return (if object_only { Expect::Exact } else { e }, same);
    }
    match (knob, c.reads) {
        (Knob::MissingNext, Reads::Object) => (Expect::Exact, same),
        // one page of 100 holds the whole answer: nothing is missing
        (Knob::MissingNext, _) if clean.lines().count() <= 100 => (Expect::Exact, same),
        (Knob::MissingNext, _) => (Expect::Fail, same),
        (_, Reads::TimeSeries) => (Expect::Fail, same),
        (Knob::BackwardsCreatedAt, _) => (Expect::Exact, sorted),
        (Knob::BadCreatedAt, _) => (Expect::Exact, without_created_at),
        _ => unreachable!("{knob}"),
    }
}

fn against(knob: Knob) {
    let sim = spawn(SimConfig {
        now: Some(anchor()),
        servers: 120,
        events_per_day: 300,
        scans_per_day: 150,
        days: 3,
        ..Default::default()
    });
    let url = sim.url();
    let first = jsonl(&run(&url, &["servers", "--state", "all"]));
    let server_id = first[0]["id"].as_str().unwrap().to_string();
    let run = |c: &Cmd| {
        let mut args = vec!["--timeout", "1"];
        args.extend(c.args.iter().map(String::as_str));
        run(&url, &args)
    };
    let commands = commands(&server_id);
    // `commands[i]` for each `i` in `which`, side by side: under `stall` each one waits out its
    // whole deadline, so one after another would cost their sum.
    let side_by_side = |which: &[usize]| -> Vec<std::process::Output> {
        std::thread::scope(|s| {
            let handles: Vec<_> = (which.iter())
                .map(|&i| {
                    let c = &commands[i];
                    s.spawn(move || run(c))
                })
                .collect();
            (handles.into_iter())
                .map(|h| h.join().expect("a command's thread"))
                .collect()
        })
    };
    set_hostile(&url, &[]);
    let all: Vec<usize> = (0..commands.len()).collect();
    let clean: Vec<String> = (side_by_side(&all).iter().zip(&commands))
        .map(|(out, c)| {
            ok(out);
            let text = stdout(out);
            assert!(!text.is_empty(), "{}: no output without the knob", c.name);
            text
        })
        .collect();
    // the knob once per scope, over the commands of that scope
    let mut scopes: Vec<&str> = commands.iter().map(|c| c.scope.as_str()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    for scope in scopes {
        set_hostile(&url, &[&format!("{knob}{scope}")]);
        let which: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&i| commands[i].scope == scope)
            .collect();
        for (&i, out) in which.iter().zip(side_by_side(&which)) {
            let c = &commands[i];
            let (expect, normalize) = expectation(knob, c, &clean[i]);
            check(
                &out,
                expect,
                &c.endpoint,
                &clean[i],
                &normalize,
                &format!("halo-query {} under {knob}{}", c.name, c.scope),
            );
        }
    }
}

octo_testkit::hostile_knob_tests!(against);
