//! `fw-graph --group` against every hostile knob of octo-sim (issue 15 item 2): it reads the
//! groups list and one firewall policy object, so each knob either fails the run naming the
//! endpoint or changes nothing in the picture — never a graph of less. Two runs per knob: the
//! knob on every answer (the groups list fails first), and the knob on the policy endpoint only
//! (the object reader's turn). One simulator per knob.

use octo_testkit::harness::{Keys, TestEnv, ok, stdout};
use octo_testkit::hostile::{Expect, Knob, check, common_expect, same, set_hostile};

/// What `knob` must do when it is on every answer (`scoped` false) or only on
/// `/v1/firewall_policies` (`scoped` true).
fn expectation(knob: Knob, scoped: bool) -> Expect {
    match common_expect(knob) {
        // a single object has no list, pages or items to break
        Some(_)
            if scoped
                && matches!(
                    knob,
                    Knob::NullList | Knob::PaginationNotObject | Knob::LoopingNext | Knob::BadItems
                ) =>
        {
            Expect::Exact
        }
        Some(e) => e,
        // the groups list fits one page; the order and times of groups draw nothing
        None => Expect::Exact,
    }
}

fn against(knob: Knob) {
    let env = TestEnv::with_sim(octo_sim::SimConfig::default());
    let url = env.sim().url();
    let run = || {
        env.run(
            "fw-graph",
            Keys::Read,
            &[
                "--timeout",
                "1",
                "--group",
                "Root/Prod/Web",
                "--format",
                "dot",
            ],
            "",
        )
    };
    set_hostile(&url, &[]);
    let clean = run();
    ok(&clean);
    let clean = stdout(&clean);
    assert!(clean.starts_with("digraph"), "{clean}");
    for (scope, endpoint) in [
        ("", "GET /v1/groups"),
        ("@/v1/firewall_policies", "GET /v1/firewall_policies/"),
    ] {
        set_hostile(&url, &[&format!("{knob}{scope}")]);
        let out = run();
        check(
            &out,
            expectation(knob, !scope.is_empty()),
            endpoint,
            &clean,
            &same,
            &format!("fw-graph --group under {knob}{scope}"),
        );
    }
}

octo_testkit::hostile_knob_tests!(against);
