use super::*;

#[test]
fn base_url_checks() {
    assert_eq!(
        parse_base_url("http://127.0.0.1:5/", "x").unwrap().as_str(),
        "http://127.0.0.1:5/"
    );
    assert_eq!(
        parse_base_url("https://h/prefix/", "x").unwrap().path(),
        "/prefix"
    );
    assert!(parse_base_url("ftp://h", "x").is_err());
    let e = parse_base_url("https://k:s@h", "x")
        .unwrap_err()
        .to_string();
    assert!(!e.contains(":s@"), "{e}");
}

#[test]
fn debug_redacts_secret() {
    let k = ApiKey {
        id: "kid".into(),
        secret: SecretString::from("topsecret".to_string()),
        id_var: "A",
        secret_var: "B",
    };
    let d = format!("{k:?}");
    assert!(d.contains("kid") && !d.contains("topsecret"), "{d}");
}

fn file(yaml: &str) -> (Option<ConfigFile>, Source) {
    let path = PathBuf::from("/etc/octo.yml");
    (
        Some(ConfigFile::parse(path, yaml.to_string()).unwrap()),
        Source::Flag("--config"),
    )
}

fn lookup(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

#[test]
fn each_setting_flag_over_env_over_file_over_default() {
    let yaml =
        "halo:\n  max_in_flight: 3\n  max_rps: 2.5\n  api_url: http://file:1\n  timeout_secs: 9\n";
    let env = lookup(&[
        ("HALO_CONCURRENCY", "7"),
        ("HALO_MAX_RPS", "1.5"),
        ("HALO_API_URL", "http://env:2"),
    ]);
    let flags = HaloArgs {
        api_url: Some("http://flag:3".into()),
        max_rps: Some(0.5),
        max_in_flight: Some(11),
        timeout: None,
        config: None,
        profile: None,
    };
    // flag
    let c = flags.resolve_from(file(yaml), &env).unwrap();
    assert_eq!((c.max_in_flight, c.max_rps), (11, 0.5));
    assert_eq!(c.base_url.as_str(), "http://flag:3/");
    assert_eq!(
        c.source("max_in_flight").to_string(),
        "flag --max-in-flight"
    );
    assert_eq!(c.source("api_url").to_string(), "flag --api-url");
    // env
    let c = HaloArgs::default().resolve_from(file(yaml), &env).unwrap();
    assert_eq!((c.max_in_flight, c.max_rps), (7, 1.5));
    assert_eq!(c.base_url.as_str(), "http://env:2/");
    assert_eq!(
        c.source("max_in_flight").to_string(),
        "env HALO_CONCURRENCY"
    );
    assert_eq!(c.source("max_rps").to_string(), "env HALO_MAX_RPS");
    // file
    let c = HaloArgs::default()
        .resolve_from(file(yaml), &lookup(&[]))
        .unwrap();
    assert_eq!(
        (c.max_in_flight, c.max_rps, c.timeout.as_secs()),
        (3, 2.5, 9)
    );
    assert_eq!(c.base_url.as_str(), "http://file:1/");
    assert_eq!(
        c.source("max_in_flight").to_string(),
        "file /etc/octo.yml:halo.max_in_flight"
    );
    assert_eq!(
        c.source("api_url").to_string(),
        "file /etc/octo.yml:halo.api_url"
    );
    assert_eq!(c.source("config_file").to_string(), "flag --config");
    // default
    let c = HaloArgs::default()
        .resolve_from((None, Source::Default), &lookup(&[]))
        .unwrap();
    assert_eq!(
        (c.max_in_flight, c.max_rps, c.timeout.as_secs()),
        (4, 0.0, 60)
    );
    assert_eq!(c.base_url.as_str(), "https://api.cloudpassage.com/");
    for name in [
        "api_url",
        "max_in_flight",
        "max_rps",
        "timeout_secs",
        "read_key",
        "proxy",
    ] {
        assert_eq!(c.source(name), &Source::Default, "{name}");
    }
}

#[test]
fn bad_values_name_their_source() {
    let e = HaloArgs::default()
        .resolve_from(
            (None, Source::Default),
            &lookup(&[("HALO_CONCURRENCY", "many")]),
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "HALO_CONCURRENCY must be a valid value for --max-in-flight, got `many`"
    );
    let e = HaloArgs::default()
        .resolve_from(file("halo:\n  max_in_flight: 0\n"), &lookup(&[]))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "file /etc/octo.yml:halo.max_in_flight: 0 is out of range: must be between 1 and 256"
    );
    let e = HaloArgs::default()
        .resolve_from(
            (None, Source::Default),
            &lookup(&[("HALO_MAX_RPS", "1e-300")]),
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "env HALO_MAX_RPS: 1e-300 is out of range: requests per second must be 0 (off) or between 0.000278 and 10000"
    );
    let e = HaloArgs::default()
        .resolve_from(
            file("halo:\n  max_in_flight: 2305843009213693952\n"),
            &lookup(&[]),
        )
        .unwrap_err();
    assert!(e.to_string().contains("out of range"), "{e}");
    let e = HaloArgs::default()
        .resolve_from(file("halo:\n  timeout_secs: 0\n"), &lookup(&[]))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "file /etc/octo.yml:halo.timeout_secs: 0 is out of range: a timeout must be between 1 and 86400 seconds"
    );
    let c = HaloArgs::default()
        .resolve_from((None, Source::Default), &lookup(&[("HALO_TIMEOUT", "7")]))
        .unwrap();
    assert_eq!(c.timeout, Duration::from_secs(7));
    assert_eq!(c.source("timeout_secs").to_string(), "env HALO_TIMEOUT");
}

#[test]
fn report_shows_every_source_and_no_secret() {
    let env = lookup(&[
        ("HALO_API_KEY", "kid"),
        ("HALO_API_SECRET_KEY", "topsecret"),
        ("HTTPS_PROXY", "http://u:pw@proxy:8080"),
    ]);
    let c = HaloArgs::default()
        .resolve_from(file("halo:\n  max_in_flight: 2\n"), &env)
        .unwrap();
    let r = c.report();
    let text = r.to_string();
    assert!(
        !text.contains("topsecret") && !text.contains("pw@"),
        "{text}"
    );
    // Debug (logs, panics) hides them too: found by octo-fuzz, the proxy password showed
    let debug = format!("{c:?}");
    assert!(
        !debug.contains("topsecret") && !debug.contains("pw@") && !debug.contains(":pw"),
        "{debug}"
    );
    assert!(debug.contains("http://redacted@proxy:8080/"), "{debug}");
    let s = &r["settings"];
    assert_eq!(
        s["max_in_flight"],
        json!({"value": 2, "source": "file /etc/octo.yml:halo.max_in_flight"})
    );
    assert_eq!(
        s["read_key"],
        json!({"value": "kid (secret redacted)", "source": "env HALO_API_KEY"})
    );
    assert_eq!(s["write_key"], json!({"value": null, "source": "default"}));
    assert_eq!(
        s["proxy"],
        json!({"value": "http://redacted@proxy:8080/", "source": "env HTTPS_PROXY"})
    );
    assert_eq!(
        s["config_file"],
        json!({"value": "/etc/octo.yml", "source": "flag --config"})
    );
    assert_eq!(s["profile"], json!({"value": null, "source": "default"}));
    assert_eq!(s.as_object().unwrap().len(), 9);
}

#[test]
fn unparseable_urls_never_show_their_password() {
    for raw in [
        "http://k:PASS@[::1",
        "http://k:PASS@host:99999/x",
        "ftp://k:PASS@h/",
        "https://k:PASS@h/?q=1",
    ] {
        let e = parse_base_url(raw, "Halo API URL").unwrap_err().to_string();
        assert!(!e.contains("PASS"), "{e}");
    }
    assert_eq!(
        parse_base_url("http://k:PASS@[::1", "Halo API URL")
            .unwrap_err()
            .to_string(),
        "invalid Halo API URL `http://redacted@[::1`: invalid IPv6 address"
    );
    // a URL that does not parse: everything up to its last `@` is hidden
    assert_eq!(redact_url_text("http://a@b@h/p@q"), "http://redacted@q");
    assert_eq!(redact_url_text("h:1/x"), "h:1/x");
    assert_eq!(redact_url("http://u:pw@[::1"), "http://redacted@[::1");
}

#[test]
fn config_text_bom_depth_and_yaml11_booleans() {
    let f = ConfigFile::parse(
        "/x.yml".into(),
        "\u{feff}halo:\n  max_in_flight: 3\n".into(),
    )
    .unwrap();
    assert_eq!(f.doc["halo"]["max_in_flight"], 3);
    let deep = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let e = ConfigFile::parse("/x.yml".into(), deep)
        .unwrap_err()
        .to_string();
    assert_eq!(e, "/x.yml: line 1: nested more than 64 levels deep");
    let mut block = String::new();
    for i in 0..100 {
        block.push_str(&format!("{}k{i}:\n", " ".repeat(i)));
    }
    let e = ConfigFile::parse("/x.yml".into(), block)
        .unwrap_err()
        .to_string();
    assert!(e.contains("nested more than 64"), "{e}");
    let e = ConfigFile::parse("/x.yml".into(), "a: 1\n".repeat(300_000))
        .unwrap_err()
        .to_string();
    assert!(e.contains("the limit is 1048576"), "{e}");
    #[derive(Debug, Deserialize)]
    struct S {
        #[serde(deserialize_with = "yaml11_bool")]
        a: bool,
        #[serde(deserialize_with = "yaml11_bool")]
        b: bool,
        #[serde(deserialize_with = "yaml11_bool")]
        c: bool,
    }
    let f = ConfigFile::parse(
        "/x.yml".into(),
        "s:\n  a: yes\n  b: Off\n  c: true\n".into(),
    )
    .unwrap();
    let s: S = f.section("s").unwrap().unwrap();
    assert_eq!((s.a, s.b, s.c), (true, false, true));
    let f =
        ConfigFile::parse("/x.yml".into(), "s:\n  a: maybe\n  b: no\n  c: no\n".into()).unwrap();
    let e = f.section::<S>("s").unwrap_err().to_string();
    assert!(e.contains("maybe") && e.contains("line 2"), "{e}");
    let e = ConfigFile::parse("/x.yml".into(), "- notify\n- halo\n".into())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "/x.yml: a config file is a mapping of sections (halo:, quarantine:, ipblocker:, notify: …), not a list"
    );
}

#[test]
fn a_config_file_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("octo.yml");
    std::fs::write(&p, "halo:\n  max_rps: 2\n").unwrap();
    let first = read_config_text(&p).unwrap();
    // a pipe (`--config <(...)`) is empty the second time: the second reader must not care
    std::fs::write(&p, "").unwrap();
    assert_eq!(read_config_text(&p).unwrap(), first);
}

#[test]
fn proxy_credentials_hidden() {
    assert_eq!(
        redact_url("http://u:pw@proxy:8080"),
        "http://redacted@proxy:8080/"
    );
}

#[test]
fn a_proxy_without_a_scheme_is_redacted_too() {
    // found by octo-fuzz (fuzz_octo_yml): `k:secret@` parses as scheme `k` with an opaque path
    assert_eq!(redact_url("k:Pw5ecretFuzz@"), "redacted@");
    assert_eq!(
        redact_url("k:Pw5ecretFuzz@proxy:3128"),
        "redacted@proxy:3128"
    );
    assert_eq!(
        redact_url("http://u:pw@proxy:3128"),
        "http://redacted@proxy:3128/"
    );
    assert_eq!(redact_url("http://proxy/a@b"), "http://proxy/a@b");
    // found by a 10-minute make fuzz (clouds_yaml): `https://h://u:PASS@x` parses, with host `h`
    // and the password in the path
    assert_eq!(
        redact_url("https://use://use://user:Pw5ecretFuzz@:]hkyhbeof/v3"),
        "https://redacted@:]hkyhbeof/v3"
    );
    assert_eq!(redact_url("https://h/v3/a:b/c@d"), "https://h/v3/a:b/c@d");
    // found by octo-fuzz (fuzz_clouds_yaml): a mistyped scheme hid the authority from the rule
    assert_eq!(
        redact_url("https\u{fffd}//a%40b:Pw5ecretFuzz@[::1"),
        "redacted@[::1"
    );
    assert_eq!(redact_url("https//u:Pw5ecretFuzz@h/p?q=a@b"), "redacted@b");
    assert_eq!(
        redact_url("ftp://a%40b:Pw5//a%40b:Pw5ecretFuzz@api.example/v1"),
        "ftp://redacted@api.example/v1"
    );
    // found by a 10-minute `make fuzz` (fuzz_clouds_yaml): no `@` at all (encoded as %40), yet a
    // password after the `:` of an authority that does not parse
    assert_eq!(
        redact_url_text("HTTP://a%40b:Pw5ecretFuzz\u{fffd}ex ample/\\meg%zz2441456658"),
        "HTTP://a%40b:redacted/\\meg%zz2441456658"
    );
    assert_eq!(redact_url_text("http://h:Pw5ecret"), "http://h:redacted");
    // ports, IPv6 hosts and plain hosts stay as written
    assert_eq!(redact_url_text("http://h:8080/x y"), "http://h:8080/x y");
    assert_eq!(redact_url_text("http://[::1]:99999"), "http://[::1]:99999");
    assert_eq!(redact_url_text("http://[::1/x"), "http://[::1/x");
    assert_eq!(redact_url_text("not a url"), "not a url");
    // found by octo-fuzz (fuzz_octo_yml): a section that is a string is echoed by serde
    assert_eq!(
        redact_quoted_strings(
            "halo: invalid type: string \"://a:Pw5ecretFuzz@[::1]\", expected struct X at line 2"
        ),
        "halo: invalid type: string \"://redacted@[::1]\", expected struct X at line 2"
    );
    assert_eq!(
        redact_quoted_strings("string \"u:p@h"),
        "string \"redacted@h"
    );
    // found by a 10-minute `make fuzz` (octo_yml): an escaped quote inside the quoted string,
    // and text before the scheme
    assert_eq!(
        redact_quoted_strings(
            "takedown: invalid type: string \"portal_url:\u{fffd}\\\"ftp://a%40b:Pw5ecretFuzz\", expected struct T"
        ),
        "takedown: invalid type: string \"portal_url:redacted\\\"ftp://a%40b:redacted\", expected struct T"
    );
    assert_eq!(
        redact_url_text("see https://u:Pw5ecret@h/x"),
        "see https://redacted@h/x"
    );
    assert_eq!(redact_url_text("x\"://h:Pw5ecret"), "x\"://h:redacted");
    assert_eq!(redact_url_text("1ftp://h:Pw5ecret"), "1ftp://h:redacted");
    // `://` after the userinfo is no scheme
    assert_eq!(
        redact_url("user:Pw5ecretFuzz@[::1]x://"),
        "redacted@[::1]x://"
    );
    // a URL that parses keeps an `@` of its path
    assert_eq!(redact_url("http://h/a@b?c=d@e"), "http://h/a@b?c=d@e");
}
