use super::*;

#[test]
fn retry_after_forms() {
    let mut h = HeaderMap::new();
    h.insert(RETRY_AFTER, "3".parse().unwrap());
    assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
    h.insert(
        RETRY_AFTER,
        "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
    );
    assert_eq!(retry_after(&h), Some(Duration::ZERO));
    h.insert(RETRY_AFTER, "soon".parse().unwrap());
    assert_eq!(retry_after(&h), None);
}

#[test]
fn backoff_is_capped_full_jitter() {
    let http = Http::new(HttpConfig {
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(800),
        ..Default::default()
    })
    .unwrap();
    for retry in 0..20 {
        let d = http.backoff(retry);
        assert!(d <= Duration::from_millis(800), "{d:?}");
    }
}

#[test]
fn budget_spends_and_refills_to_cap() {
    let http = Http::new(HttpConfig {
        retry_budget: 2,
        ..Default::default()
    })
    .unwrap();
    assert!(http.spend_retry());
    assert!(http.spend_retry());
    assert!(!http.spend_retry());
    http.earn();
    http.earn();
    http.earn();
    assert!(http.spend_retry());
    assert!(http.spend_retry());
    assert!(!http.spend_retry());
}

/// A server that accepts connections and never answers: every attempt times out, and the
/// whole sequence stops at the deadline instead of costing `timeout × max_attempts`.
#[tokio::test]
async fn a_stalled_service_costs_one_deadline_not_every_attempt() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    let http = Http::new(HttpConfig {
        timeout: Duration::from_millis(100),
        total_timeout: Duration::from_millis(350),
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        max_attempts: 50,
        ..Default::default()
    })
    .unwrap();
    let url = url::Url::parse(&format!("http://{addr}/v1/servers")).unwrap();
    let e = http.send(&Req::new(Method::GET, url)).await.unwrap_err();
    let text = e.to_string();
    assert!(text.starts_with("GET /v1/servers: "), "{text}");
    assert!(text.contains("deadline"), "{text}");
    let attempts = match e {
        HttpError::Deadline { attempts, .. } | HttpError::Transport { attempts, .. } => attempts,
        other => panic!("{other}"),
    };
    assert!((1..=4).contains(&attempts), "{attempts} attempts: {text}");
}

/// A server answering every connection with `response` (raw HTTP/1.1).
async fn canned(response: String) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let response = response.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let _ = sock.write_all(response.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn cross_host_redirects_are_refused_naming_both_hosts() {
    let body = r#"{"servers":[{"id":"evil"}],"count":1}"#;
    let other = canned(format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    ))
    .await;
    let api = canned(format!(
        "HTTP/1.1 302 Found\r\nlocation: http://{other}/v1/servers\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    ))
    .await;
    let http = Http::new(HttpConfig::default()).unwrap();
    let url = url::Url::parse(&format!("http://{api}/v1/servers")).unwrap();
    let e = http.send(&Req::new(Method::GET, url)).await.unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains(&format!(
            "redirect from {api} to another host, {other}, refused"
        )),
        "{text}"
    );
    assert!(
        matches!(e, HttpError::Transport { attempts: 1, .. }),
        "{text}"
    );
}

#[test]
fn hostile_limits_do_not_panic() {
    for (rps, in_flight) in [(1e-300, usize::MAX), (f64::MAX, 2305843009213693952)] {
        let http = Http::new(HttpConfig {
            max_rps: rps,
            max_in_flight: in_flight,
            ..Default::default()
        })
        .unwrap();
        assert!(http.limiter.is_some());
    }
}

#[test]
fn post_is_not_idempotent_by_default() {
    let u = url::Url::parse("http://h/x").unwrap();
    assert!(!Req::new(Method::POST, u.clone()).idempotent);
    assert!(Req::new(Method::PUT, u.clone()).idempotent);
    assert!(Req::new(Method::GET, u).idempotent);
}
