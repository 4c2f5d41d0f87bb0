//! One test per fuzz target: briefly under `cargo nextest run` (`make test`), for `FUZZ_SECONDS`
//! each under `make fuzz`. A failure names the input; turn it into a case of regressions.rs.

use octo_fuzz::fuzz;
use octo_fuzz::targets::{clouds, config, ec2, ip, pages, policy, records, slack, time};

#[test]
fn fuzz_jsonl_records() {
    fuzz("jsonl_records", records::gen_jsonl, records::check_jsonl);
}

#[test]
fn fuzz_response_event_source() {
    fuzz(
        "response_event_source",
        records::gen_events,
        records::check_events,
    );
}

#[test]
fn fuzz_ipblock_extract_ip() {
    fuzz("ipblock_extract_ip", ip::gen_ip_event, ip::check_ip_event);
}

#[test]
fn fuzz_ipblock_cidr() {
    fuzz("ipblock_cidr", ip::gen_cidr, ip::check_cidr);
}

#[test]
fn fuzz_ipblock_block_for() {
    fuzz("ipblock_block_for", ip::gen_block_for, ip::check_block_for);
}

#[test]
fn fuzz_ipblock_zone() {
    fuzz("ipblock_zone", ip::gen_zone, ip::check_zone);
}

#[test]
fn fuzz_time_expressions() {
    fuzz("time_expressions", time::gen_time, time::check_time);
}

#[test]
fn fuzz_octo_yml() {
    fuzz("octo_yml", config::gen_config, config::check_config);
}

#[test]
fn fuzz_clouds_yaml() {
    fuzz("clouds_yaml", clouds::gen_clouds, clouds::check_clouds);
}

#[test]
fn fuzz_yaml_nesting() {
    fuzz("yaml_nesting", config::gen_deep, config::check_deep);
}

#[test]
fn fuzz_slack_route_files() {
    fuzz(
        "slack_route_files",
        config::gen_routes,
        config::check_routes,
    );
}

#[test]
fn fuzz_slack_messages() {
    fuzz("slack_messages", slack::gen_slack, slack::check_slack);
}

#[test]
fn fuzz_fw_graph_policy() {
    fuzz("fw_graph_policy", policy::gen_policy, policy::check_policy);
}

#[test]
fn fuzz_halo_pages() {
    fuzz("halo_pages", pages::gen_page, pages::check_page);
}

#[test]
fn fuzz_ec2_delta_inputs() {
    fuzz("ec2_delta_inputs", ec2::gen_ec2, ec2::check_ec2);
}
