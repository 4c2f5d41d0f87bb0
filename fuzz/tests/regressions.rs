//! Inputs the fuzz targets once failed on (and the issue-15 examples of each class), replayed
//! through the same properties: each stays fixed.

use std::net::IpAddr;

use octo_fuzz::targets::{clouds, config, ip, pages, policy, records, time};
use serde_json::json;

fn event(message: &str) -> ip::IpEvent {
    ip::IpEvent {
        record: json!({"type": "halo_login_failure", "message": message})
            .as_object()
            .cloned()
            .unwrap(),
    }
}

#[test]
fn ip_extraction_takes_whole_addresses_only() {
    ip::check_ip_event(&event("Failed password from ::ffff:1.2.3.4 port 22"));
    ip::check_ip_event(&event("version 1.2.3.4.5 installed"));
    ip::check_ip_event(&event("login from ::ffff:10.0.0.1, then 203.0.113.9."));
}

#[test]
fn a_mapped_network_covers_the_ipv4_address() {
    // found by fuzz_ipblock_cidr: `::ffff:10.0.0.0/104` contained ::ffff:10.0.0.1 but not
    // 10.0.0.1, the form every extracted address has, so never_block and zone entries written
    // as IPv4-mapped addresses did not apply
    for text in ["::ffff:10.0.0.0/104", "::ffff:1.2.3.4", "::/0"] {
        ip::check_cidr(&ip::CidrCase {
            text: text.into(),
            ip: IpAddr::from([10, 0, 0, 1]),
        });
        ip::check_cidr(&ip::CidrCase {
            text: text.into(),
            ip: IpAddr::from([1, 2, 3, 4]),
        });
    }
}

#[test]
fn block_for_past_the_calendar_is_an_error() {
    for text in ["100000000d", "99999999999999999999w", "1h30m", "0"] {
        ip::check_block_for(&ip::Duration { text: text.into() });
    }
}

#[test]
fn a_config_that_is_a_list_is_refused_naming_the_file() {
    config::check_config(&config::ConfigCase {
        yaml: "- quarantine:\n    enabled: yes\n".into(),
        env: Default::default(),
    });
    config::check_config(&config::ConfigCase {
        yaml: "\u{feff}halo:\n  api_url: 'http://k:Pw5ecretFuzz@[::1'\n".into(),
        env: Default::default(),
    });
}

#[test]
fn deep_yaml_is_refused_quickly() {
    config::check_deep(&config::DeepCase {
        yaml: format!("halo:\n  {}", "[".repeat(100_000)),
    });
}

#[test]
fn control_characters_in_a_policy_name_keep_the_svg_xml() {
    policy::check_policy(&policy::PolicyCase {
        bytes: json!({"firewall_policy": {"name": "a\u{1b}b\u{0}c\u{202e}", "firewall_rules": [
            {"position": 1, "chain": "INPUT", "action": "ACCEPT", "active": true,
             "firewall_source": {"type": "Group", "name": "x\u{7}y"}, "firewall_service": null}]}})
        .to_string()
        .into_bytes(),
        include_inactive: false,
        group_name: None,
    });
}

#[test]
fn pages_that_prove_nothing_are_refused_by_both_readers() {
    for body in [
        r#"{"events": null, "count": 420}"#,
        r#"{"events": [], "pagination": 5}"#,
        r#"{"events": [], "pagination": {"next": 7}}"#,
        r#"{"count": 1.5, "events": []}"#,
        "\u{feff}{\"events\": []}",
        r#"{"events": [], "pagination": {"next": "http://evil.example/v1/events?page=2"}}"#,
    ] {
        pages::check_page(&pages::PageCase {
            body: body.as_bytes().to_vec(),
        });
    }
}

#[test]
fn time_expressions_at_the_edges_of_the_calendar() {
    let max = chrono::DateTime::<chrono::Utc>::MAX_UTC;
    for expr in ["yesterday", "today", "999999999999w", "-24h", "9999-12-31"] {
        time::check_time(&time::TimeCase {
            expr: expr.into(),
            other: "now".into(),
            now: max,
            stamp: max,
        });
    }
}

#[test]
fn jsonl_with_bom_crlf_and_blank_lines() {
    records::check_jsonl(&records::Jsonl {
        bytes: b"\xef\xbb\xbf{\"a\":1}\r\n\n   \n{\"b\":[1.5e300]}\n".to_vec(),
        objects: Some(vec![
            json!({"a": 1}).as_object().cloned().unwrap(),
            json!({"b": [1.5e300]}).as_object().cloned().unwrap(),
        ]),
    });
}

#[test]
fn a_route_channel_written_as_a_number_routes_by_its_digits() {
    // found by a 10-minute `make fuzz` (slack_route_files): the property expected only string
    // channels; the route file takes `channel: 2397308565` as that channel's name
    let doc = json!({"routes": [
        {"key_name": "012345678901", "channel": 2397308565u64},
        {"channel": "012345678901", "key_name": "012345678901"}
    ]});
    config::check_routes(&config::RouteCase {
        yaml: doc.to_string(),
        doc: Some(doc),
    });
}

#[test]
fn a_password_in_a_url_without_an_at_sign_is_not_shown() {
    // found by a 10-minute `make fuzz` (clouds_yaml): secure.yaml's auth_url with its `@`
    // percent-encoded and a broken host was echoed whole in the refusal
    clouds::check_clouds(&clouds::CloudsCase {
        cloud: "prod".into(),
        clouds: "clouds:\n  prod:\n    \n".into(),
        secure: Some(
            "clouds:\n  prod:\n    auth:\n      application_credential_name: true\n      \
             auth_url: HTTP://a%40b:Pw5ecretFuzz\u{fffd}ex ample/\\meg%zz2441456658\n      \
             project_id: private\n      application_credential_id: ' '\n      username: ' '\n      \
             user_domain_id: password\n"
                .into(),
        ),
    });
}

#[test]
fn a_password_in_the_path_of_a_url_that_parses_is_not_shown() {
    // found by a 10-minute `make fuzz` (clouds_yaml, seed 0x7838cd2600004000): `https://use://…://user:PASS@…`
    // parses with host `use` and `user:PASS@` in its path, which Debug printed whole
    clouds::check_clouds(&clouds::CloudsCase {
        cloud: "sim".into(),
        clouds: "clouds:\n  sim:\n    auth:\n      token: 8290408935590822342\n      \
                 project_name: v3token\n      user_id: v3token\n      \
                 auth_url: https://use://use://use://user:Pw5ecretFuzz@:]hkyhbeof/\n      \
                 username: internal\n"
            .into(),
        secure: None,
    });
}

#[test]
fn a_leap_second_is_the_instant_after_59() {
    // found by a 10-minute `make fuzz` (time_expressions, seed 0xe1fbe29d00004000): chrono takes
    // `23:59:60` as a leap second that prints back as `:60` but is not the instant it names
    let now = chrono::DateTime::<chrono::Utc>::MAX_UTC;
    for (expr, want) in [
        ("2024-06-01 23:59:60", "2024-06-02T00:00:00.000Z"),
        ("2024-06-01T23:59:60Z", "2024-06-02T00:00:00.000Z"),
        ("2016-12-31T23:59:60.5+00:00", "2017-01-01T00:00:00.500Z"),
    ] {
        time::check_time(&time::TimeCase {
            expr: expr.into(),
            other: String::new(),
            now,
            stamp: now,
        });
        let t = octo_core::time::parse_time(expr, now).unwrap();
        assert_eq!(octo_core::time::format_api(t), want, "{expr}");
        if expr.contains('T') {
            let api = octo_core::time::parse_api(expr).map(octo_core::time::format_api);
            assert_eq!(api.as_deref(), Some(want), "{expr} from the API");
        }
    }
}

#[test]
fn a_password_after_an_escaped_quote_in_a_refused_value_is_not_shown() {
    // found by a 10-minute `make fuzz` (octo_yml, seed 0x333cf07200004000): serde quotes the
    // refused string with `\"` inside, which ended the redacted part early, and the text before
    // `ftp://` hid the scheme
    config::check_config(&config::ConfigCase {
        yaml: "takedown:\n  portal_url:\u{fffd}\"ftp://a%40b:Pw5ecretFuzz".into(),
        env: [("HALO_CONCURRENCY".to_string(), String::new())].into(),
    });
}

#[test]
fn a_number_out_of_range_in_a_skipped_event_is_a_bad_line() {
    // found by a 10-minute `make fuzz` (response_event_source, seed 0xf23e88ae00004000): the
    // fast path that skips events of other types without building a record ignored a number
    // no JSON reader can hold, where the full path names the line
    for number in ["-9223372036854775833720368547758080", "1e400"] {
        let line = format!(
            "{{\"name\":-{},\"type\":\"not_watched\"}}\n",
            number.repeat(50).trim_start_matches('-')
        );
        records::check_events(&records::Events {
            jsonl: records::Jsonl {
                bytes: format!("   \n{line}").into_bytes(),
                objects: None,
            },
            types: vec!["halo_login_failure".into()],
            only_critical: false,
            groups: None,
        });
    }
}
