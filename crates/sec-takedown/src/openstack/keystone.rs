//! Keystone v3: the token request (password, application credential or token auth), when to
//! renew what it issued, and the endpoint of a service type in its catalog.

use super::*;

/// A token from Keystone: the secret, the token document and when to renew it.
pub(super) struct Issued {
    pub(super) secret: SecretString,
    pub(super) doc: Value,
    pub(super) renew_at: Option<Instant>,
}

/// When to renew a token Keystone just issued: its lifetime (`expires_at - issued_at`, both by
/// Keystone's clock, so a skewed local clock does not matter) minus half of it, at most ten
/// minutes.
pub(super) fn renew_at(doc: &Value, received: Instant) -> Option<Instant> {
    let t = |k: &str| doc[k].as_str().and_then(octo_core::time::parse_api);
    let expires = t("expires_at")?;
    let issued = t("issued_at").unwrap_or_else(chrono::Utc::now);
    let life = (expires - issued).to_std().ok()?;
    let margin = (life / 2).min(Duration::from_secs(600));
    Some(received + life - margin)
}

/// The Keystone request body for `auth` (secrets inside: never logged).
pub(super) fn auth_body(auth: &OsAuth) -> Value {
    let identity = match &auth.method {
        OsMethod::Password {
            user_name,
            user_id,
            user_domain_name,
            user_domain_id,
            password,
        } => {
            let mut user = json!({"password": password.expose_secret()});
            if let Some(id) = user_id {
                user["id"] = json!(id);
            } else {
                user["name"] = json!(user_name);
                user["domain"] = match user_domain_id {
                    Some(d) => json!({"id": d}),
                    None => json!({"name": user_domain_name.as_deref().unwrap_or("Default")}),
                };
            }
            json!({"methods": ["password"], "password": {"user": user}})
        }
        OsMethod::AppCredential {
            id,
            name,
            user_id,
            user_name,
            user_domain_name,
            secret,
        } => {
            let mut ac = json!({"secret": secret.expose_secret()});
            if let Some(id) = id {
                ac["id"] = json!(id);
            } else {
                ac["name"] = json!(name);
                ac["user"] = match user_id {
                    Some(u) => json!({"id": u}),
                    None => {
                        json!({"name": user_name, "domain": {"name": user_domain_name.as_deref().unwrap_or("Default")}})
                    }
                };
            }
            json!({"methods": ["application_credential"], "application_credential": ac})
        }
        OsMethod::Token { token } => {
            json!({"methods": ["token"], "token": {"id": token.expose_secret()}})
        }
    };
    let mut body = json!({"auth": {"identity": identity}});
    if let Some(sc) = &auth.scope {
        let project = match &sc.id {
            Some(id) => json!({"id": id}),
            None => json!({"name": sc.name, "domain": match &sc.domain_id {
                Some(d) => json!({"id": d}),
                None => json!({"name": sc.domain_name.as_deref().unwrap_or("Default")}),
            }}),
        };
        body["auth"]["scope"] = json!({ "project": project });
    }
    body
}

/// `scheme://host[:port]` of `url`: where a TLS failure happened (no userinfo, no path).
pub(super) fn origin(url: &url::Url) -> String {
    url.origin().ascii_serialization()
}

/// `POST /v3/auth/tokens`. A certificate the CA bundle does not vouch for is a configuration
/// error (exit 2) that names the bundle.
pub(super) async fn issue(http: &Http, auth: &OsAuth) -> anyhow::Result<Issued> {
    let url = join(&auth.auth_url, &["auth", "tokens"]);
    let mut req = Req::new(Method::POST, url.clone());
    req.headers
        .push(("content-type", "application/json".into()));
    req.body = Some(Bytes::from(serde_json::to_vec(&auth_body(auth))?));
    req.idempotent = true;
    let resp = match http.send(&req).await {
        Ok(r) => r,
        Err(e) => {
            let text = e.to_string();
            if octo_core::http::is_certificate_error(&text) {
                let trust = match &auth.cacert {
                    Some(p) => format!(
                        "the CA bundle {} ({})",
                        p.display(),
                        auth.cloud.describe("cacert")
                    ),
                    None => format!(
                        "the system's CAs (set {} or `cacert` in clouds.yaml for a private CA)",
                        octo_core::env::OS_CACERT
                    ),
                };
                return Err(usage(format!(
                    "Keystone: TLS: the certificate of {} is not trusted by {trust}: {text}",
                    origin(&url)
                )));
            }
            return Err(anyhow::Error::new(e).context("Keystone: requesting a token"));
        }
    };
    let received = Instant::now();
    if resp.status != StatusCode::CREATED && resp.status != StatusCode::OK {
        let hint = if resp.status == StatusCode::UNAUTHORIZED {
            format!(" — check the credentials from {}", auth.source)
        } else {
            String::new()
        };
        return Err(anyhow!(
            "Keystone POST {}: HTTP {}: {}{hint}",
            display_target(&url),
            resp.status.as_u16(),
            error_message(&resp.body)
        ));
    }
    let secret = resp
        .headers
        .get("x-subject-token")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| anyhow!("Keystone issued no X-Subject-Token header"))?
        .to_string();
    let v: Value = serde_json::from_slice(&resp.body).context("Keystone token response")?;
    let doc = v["token"].clone();
    Ok(Issued {
        secret: SecretString::from(secret),
        renew_at: renew_at(&doc, received),
        doc,
    })
}

pub(super) fn endpoint(catalog: &Value, ty: &str, auth: &OsAuth) -> anyhow::Result<Url> {
    let services = catalog.as_array().cloned().unwrap_or_default();
    for svc in services.iter().filter(|s| s["type"] == ty) {
        for ep in svc["endpoints"].as_array().into_iter().flatten() {
            if ep["interface"] != json!(auth.interface) {
                continue;
            }
            if let Some(r) = &auth.region
                && ep["region_id"].as_str() != Some(r)
                && ep["region"].as_str() != Some(r)
            {
                continue;
            }
            if let Some(u) = ep["url"].as_str() {
                let mut u = Url::parse(u).with_context(|| format!("catalog URL of {ty}: {u}"))?;
                let p = u.path().trim_end_matches('/').to_string();
                u.set_path(&p);
                return Ok(u);
            }
        }
    }
    Err(usage(format!(
        "the service catalog has no `{ty}` endpoint for interface {}{}",
        auth.interface,
        auth.region
            .as_ref()
            .map(|r| format!(" in region {r}"))
            .unwrap_or_default()
    )))
}
