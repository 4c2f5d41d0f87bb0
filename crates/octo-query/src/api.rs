//! `firewall-policy` and `api` (any call, `--paginate` for lists).

use octo_core::exit::usage;
use octo_core::halo::HaloClient;
use octo_core::output::Printer;
use serde_json::Value;

use crate::{ApiArgs, FirewallArgs, emit_stream};

pub async fn firewall_policy(halo: &HaloClient, a: &FirewallArgs) -> anyhow::Result<Value> {
    match (&a.id, &a.group) {
        (Some(id), _) => halo.firewall_policy(id).await,
        (None, Some(g)) => Ok(halo.group_firewall_policy(g, a.platform).await?.1),
        (None, None) => Err(usage("firewall-policy needs --group or --id")),
    }
}

pub async fn api(halo: &HaloClient, a: &ApiArgs, out: &mut Printer) -> anyhow::Result<()> {
    let method: octo_core::http::Method = a
        .method
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| usage(format!("invalid HTTP method `{}`", a.method)))?;
    if !matches!(method.as_str(), "GET" | "PUT" | "POST" | "DELETE") {
        return Err(usage(format!(
            "unsupported method `{}`: use GET, PUT, POST or DELETE",
            a.method
        )));
    }
    if !a.path.starts_with('/') {
        return Err(usage(format!("PATH must start with `/`, got `{}`", a.path)));
    }
    let body: Option<Value> = match &a.data {
        Some(d) => Some(
            serde_json::from_str(d).map_err(|e| usage(format!("--data is not valid JSON: {e}")))?,
        ),
        None => None,
    };
    if a.paginate {
        if method.as_str() != "GET" {
            return Err(usage("--paginate works only with GET"));
        }
        let first = halo.get(&a.path).await?;
        let key = first
            .as_object()
            .and_then(|o| {
                o.iter()
                    .find(|(k, v)| v.is_array() && *k != "pagination")
                    .map(|(k, _)| k.clone())
            })
            .ok_or_else(|| {
                anyhow::anyhow!("GET {}: the response has no list to paginate", a.path)
            })?;
        let path = a.path.split('?').next().unwrap_or(&a.path).to_string();
        let params: Vec<(String, String)> = url_params(&a.path);
        let params: Vec<(&str, String)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        return emit_stream(out, halo.list(&path, &params, &key)).await;
    }
    let v = halo.call(method, &a.path, body.as_ref()).await?;
    if !v.is_null() {
        out.record(&v)?;
    }
    Ok(())
}

fn url_params(path: &str) -> Vec<(String, String)> {
    match path.split_once('?') {
        Some((_, q)) => url::form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .filter(|(k, _)| k != "page")
            .collect(),
        None => Vec::new(),
    }
}
