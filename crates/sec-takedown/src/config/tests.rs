use super::*;

#[test]
fn freshdesk_domain_forms() {
    let k = || Some("k".to_string());
    let base = |d: &str| {
        freshdesk_from(None, Some(d.into()), k())
            .unwrap()
            .base
            .to_string()
    };
    assert_eq!(base("dhdnectar"), "https://dhdnectar.freshdesk.com/");
    assert_eq!(
        base("dhdnectar.freshdesk.com"),
        "https://dhdnectar.freshdesk.com/"
    );
    assert_eq!(base("https://x.freshdesk.com/"), "https://x.freshdesk.com/");
    let u = freshdesk_from(
        Some("http://127.0.0.1:9/".into()),
        Some("ignored".into()),
        k(),
    )
    .unwrap();
    assert_eq!(u.base.as_str(), "http://127.0.0.1:9/");
    assert!(format!("{u:?}").contains("[redacted]"));
    let e = freshdesk_from(None, None, k()).unwrap_err();
    assert_eq!(octo_core::exit::code_for(&e), octo_core::Exit::Usage);
    let e = freshdesk_from(None, Some("d".into()), None).unwrap_err();
    assert!(e.to_string().contains("FRESHDESK_API_KEY"));
}

fn cloud(pairs: &[(&'static str, &str)]) -> Cloud {
    let mut c = Cloud::default();
    for (k, v) in pairs {
        c.values.insert(
            k,
            clouds::Val {
                value: v.to_string(),
                source: Source::Env(clouds::field(k).var),
            },
        );
    }
    c
}

#[test]
fn auth_url_gets_v3_and_debug_redacts() {
    assert_eq!(v3_url("https://ks:5000", "x").unwrap().path(), "/v3");
    assert_eq!(
        v3_url("https://ks:5000/identity/v3/", "x").unwrap().path(),
        "/identity/v3"
    );
    let a = build(&cloud(&[
        ("auth_url", "https://ks/"),
        ("application_credential_id", "id"),
        ("application_credential_secret", "hush-secret"),
    ]))
    .unwrap();
    assert!(matches!(a.method, OsMethod::AppCredential { .. }));
    assert_eq!(a.interface, "public");
    assert!(!format!("{a:?}").contains("hush-secret"));
    let e = build(&cloud(&[("auth_url", "https://ks/")])).err().unwrap();
    assert!(e.to_string().contains("OS_PASSWORD is not set"), "{e}");
    // a token without an auth_type is token auth, scoped like a password
    let a = build(&cloud(&[
        ("auth_url", "https://ks/"),
        ("token", "gAAAA-tok"),
        ("project_name", "admin"),
    ]))
    .unwrap();
    assert_eq!(a.method.name(), "token");
    assert_eq!(a.scope.unwrap().name.as_deref(), Some("admin"));
    let e = build(&cloud(&[
        ("auth_url", "https://ks/"),
        ("auth_type", "v3token"),
        ("project_name", "admin"),
    ]))
    .err()
    .unwrap();
    assert_eq!(e.to_string(), "OS_TOKEN is not set");
    let e = build(&cloud(&[
        ("auth_url", "https://ks/"),
        ("auth_type", "saml2"),
    ]))
    .err()
    .unwrap();
    assert!(
        e.to_string()
            .starts_with("env OS_AUTH_TYPE: auth_type `saml2`"),
        "{e}"
    );
}
