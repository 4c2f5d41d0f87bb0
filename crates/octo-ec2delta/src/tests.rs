use super::*;

#[test]
fn progress_names_the_failed_pairs() {
    assert_eq!(pairs_message(&[]), "account/region pairs");
    let f = |n: usize| -> Vec<String> { (1..=n).map(|i| format!("a/r{i}")).collect() };
    assert_eq!(
        pairs_message(&f(2)),
        "account/region pairs, 2 failed: a/r1, a/r2"
    );
    assert_eq!(
        pairs_message(&f(5)),
        "account/region pairs, 5 failed (last a/r5)"
    );
}

#[test]
fn accounts_split_dedupe_and_validate() {
    assert_eq!(
        parse_accounts(" 111111111111; 222222222222,111111111111;").unwrap(),
        ["111111111111", "222222222222"]
    );
    let e = parse_accounts("12345").unwrap_err();
    assert!(format!("{e}").contains("`12345`"), "{e}");
}

#[test]
fn regions_and_states() {
    assert_eq!(parse_regions("all").unwrap(), None);
    assert_eq!(
        parse_regions("eu-west-1, us-east-1,eu-west-1").unwrap(),
        Some(vec!["eu-west-1".to_string(), "us-east-1".to_string()])
    );
    assert!(parse_regions("EU_WEST").is_err());
    assert!(parse_regions(",").is_err());
    assert_eq!(
        parse_ec2_states("running,pending")
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        ["pending", "running"]
    );
    assert_eq!(parse_ec2_states("all").unwrap().len(), 6);
    let e = parse_ec2_states("runing").unwrap_err();
    assert!(format!("{e}").contains("`runing`"), "{e}");
}

fn row(id: &str, acct: &str, region: &str, state: &str) -> Value {
    json!({"instance_id": id, "aws_account": acct, "aws_region": region, "state": state})
}

#[test]
fn delta_filters_states_and_protected_and_sorts() {
    let mut inv = Inventory::default();
    for r in [
        row("i-3", "222222222222", "eu-west-1", "running"),
        row("i-1", "111111111111", "us-east-1", "running"),
        row("i-2", "111111111111", "eu-west-1", "stopped"),
        row("i-4", "111111111111", "eu-west-1", "running"),
        row("i-5", "111111111111", "eu-west-1", "pending"),
    ] {
        inv.instances
            .insert(r["instance_id"].as_str().unwrap().into(), r);
    }
    let halo = vec![
        json!({"id": "s1", "aws_ec2": {"ec2_instance_id": "i-4"}}),
        json!({"id": "s2"}),
    ];
    let states = parse_ec2_states("running,pending").unwrap();
    let ids: Vec<_> = delta(&inv, &halo, &states)
        .iter()
        .map(|r| r["instance_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["i-5", "i-1", "i-3"]);
}

#[test]
fn reverse_only_for_scanned_pairs() {
    let mut inv = Inventory::default();
    inv.instances.insert(
        "i-1".into(),
        row("i-1", "111111111111", "us-east-1", "running"),
    );
    inv.instances.insert(
        "i-2".into(),
        row("i-2", "111111111111", "us-east-1", "terminated"),
    );
    inv.scanned
        .insert(("111111111111".into(), "us-east-1".into()));
    let s = |id: &str, iid: &str, region: &str| json!({"id": id, "aws_ec2": {"ec2_instance_id": iid, "ec2_account_id": "111111111111", "ec2_region": region}});
    let halo = vec![
        s("a", "i-1", "us-east-1"),
        s("b", "i-2", "us-east-1"),
        s("c", "i-9", "us-east-1"),
        s("d", "i-8", "eu-west-1"),
    ];
    let ids: Vec<_> = reverse(&inv, &halo)
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(ids, [json!("b"), json!("c")]);
}
