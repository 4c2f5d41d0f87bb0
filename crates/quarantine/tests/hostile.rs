//! `quarantine --from-halo` against every hostile knob of octo-sim (issue 15 item 2): it fails
//! naming the endpoint, or plans exactly what it plans without the knob — never exit 0 with a
//! plan made from less. Each knob unscoped (the group lookup is hit first) and scoped to
//! `/v1/events` (the event reader itself). One simulator per knob.

use octo_testkit::harness::{Keys, TestEnv, ok, stdout};
use octo_testkit::hostile::{Expect, Knob, check, common_expect, same, set_hostile};

const CONF: &str = "quarantine:
  enabled: true
  trigger_group_names: [q-test]
  quarantine_group_name: Quarantine
  trigger_events: [lids_rule_failed, daemon_compromised]
  trigger_only_on_critical: false
";

fn against(knob: Knob) {
    let env = TestEnv::with_sim(octo_sim::SimConfig {
        now: Some(octo_testkit::harness::anchor()),
        events_per_day: 2000,
        days: 1,
        ..Default::default()
    });
    let url = env.sim().url();
    let conf = env.file("octo.yml", CONF);
    let args = [
        "--config",
        conf.to_str().unwrap(),
        "--timeout",
        "1",
        "--from-halo",
        "--since",
        "2026-11-20T00:00:00Z",
    ];
    set_hostile(&url, &[]);
    let clean = env.run("quarantine", Keys::Read, &args, "");
    ok(&clean);
    let clean = stdout(&clean);
    assert!(
        clean.contains("\"planned\""),
        "the clean run plans nothing:\n{clean}"
    );
    for (scope, endpoint) in [("", "GET /v1/groups"), ("@/v1/events", "GET /v1/events")] {
        let expect = common_expect(knob).unwrap_or(match knob {
            Knob::MissingNext => Expect::FailOrExact,
            _ => Expect::Fail,
        });
        let expect = match (knob, scope) {
            // the event reader never sees the token answer
            (Knob::HugeExpiresIn | Knob::NegativeExpiresIn, _) => Expect::Exact,
            // the group list is one page, in no particular order, and has no created_at
            (Knob::MissingNext | Knob::BackwardsCreatedAt | Knob::BadCreatedAt, "") => {
                Expect::FailOrExact
            }
            _ => expect,
        };
        // an unscoped time knob reaches the events after the group lookup
        let endpoint = match (knob, scope) {
            (Knob::MissingNext | Knob::BackwardsCreatedAt | Knob::BadCreatedAt, "") => {
                "GET /v1/events"
            }
            _ => endpoint,
        };
        set_hostile(&url, &[&format!("{knob}{scope}")]);
        let out = env.run("quarantine", Keys::Read, &args, "");
        check(
            &out,
            expect,
            endpoint,
            &clean,
            &same,
            &format!("quarantine --from-halo under {knob}{scope}"),
        );
    }
}

octo_testkit::hostile_knob_tests!(against);

/// A config value with an escape sequence, echoed in an error, reaches a terminal escaped
/// (issue 15: config values were echoed to stderr with a raw ESC); a pipe gets the raw text.
#[test]
fn a_config_value_with_an_escape_reaches_a_terminal_escaped() {
    let env = TestEnv::response();
    let conf = env.file(
        "octo.yml",
        &CONF.replace(
            "quarantine_group_name: Quarantine",
            "quarantine_group_name: \"Quar\\e[31mantine\"",
        ),
    );
    let args = ["--config", conf.to_str().unwrap(), "--input", "/dev/null"];
    let run =
        octo_testkit::harness::on_terminal(env.std_command("quarantine", Keys::Read).args(args));
    let text = run.terminal_text();
    assert_eq!(run.code, 2, "{text}");
    assert!(
        text.contains("no Halo group has the id, name or path `Quar\\x1b[31mantine`"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "a raw ESC on the terminal: {text:?}"
    );
    let piped = env.run("quarantine", Keys::Read, &args, "");
    assert!(octo_testkit::harness::stderr(&piped).contains("`Quar\u{1b}[31mantine`"));
}
