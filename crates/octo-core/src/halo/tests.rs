use super::*;
use crate::config::ApiKey;

fn client(base: &str) -> HaloClient {
    HaloClient::with_http(
        Http::new(HttpConfig::default()).unwrap(),
        crate::config::parse_base_url(base, "x").unwrap(),
        ApiKey {
            id: "k".into(),
            secret: SecretString::from("s".to_string()),
            id_var: "A",
            secret_var: "B",
        },
        Access::Read,
    )
}

#[test]
fn next_links_are_rebased_onto_our_base() {
    let c = client("http://127.0.0.1:9999");
    let u = c
        .rebase("https://api.cloudpassage.com/v1/events?page=2&per_page=100")
        .unwrap();
    assert_eq!(
        u.as_str(),
        "http://127.0.0.1:9999/v1/events?page=2&per_page=100"
    );
    let c = client("https://proxy.example/halo/");
    let u = c
        .rebase("https://api.cloudpassage.com/v1/servers?page=3")
        .unwrap();
    assert_eq!(u.as_str(), "https://proxy.example/halo/v1/servers?page=3");
    let u = c
        .rebase("https://proxy.example/halo/v1/servers?page=3")
        .unwrap();
    assert_eq!(u.as_str(), "https://proxy.example/halo/v1/servers?page=3");
}

#[test]
fn huge_token_lifetimes_are_capped() {
    let now = Instant::now();
    assert_eq!(
        refresh_at(now, Some(1 << 63)),
        now + MAX_TOKEN_TTL - Duration::from_secs(60)
    );
    assert_eq!(
        refresh_at(now, Some(u64::MAX)),
        refresh_at(now, Some(86_400))
    );
    assert_eq!(refresh_at(now, None), now + Duration::from_secs(900 - 60));
    assert_eq!(refresh_at(now, Some(8)), now + Duration::from_secs(6));
}

#[test]
fn list_url_encodes_and_adds_per_page() {
    assert_eq!(
        list_url(
            "/v1/servers",
            &[
                ("state", "active,missing".into()),
                ("hostname", "a b".into())
            ]
        ),
        "/v1/servers?state=active%2Cmissing&hostname=a+b&per_page=100"
    );
}
