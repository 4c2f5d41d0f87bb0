//! Scans: list (without findings), get one, one finding's detail.

use super::*;

// ---------------------------------------------------------------------------------------------
// Scans

fn list_form(scan: &Value) -> Value {
    let mut v = scan.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("findings");
    }
    v
}

pub(super) async fn list_scans(
    State(sh): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let c = ctx(&sh, &uri, &headers);
    let pr = tri!(page_req(&c.query, sh.cfg.max_page_depth));
    let since = tri!(c.query.time_us("since"));
    let until = tri!(c.query.time_us("until"));
    let desc = match c.query.get("sort_by").map(str::trim) {
        None | Some("") | Some("created_at.asc") | Some("created_at") => false,
        Some("created_at.desc") => true,
        Some(o) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("invalid sort_by {o:?}"),
            );
        }
    };
    let servers = c.query.list("server_id");
    let modules: Option<Vec<String>> = list_lc(&c, "module").map(|m| {
        m.into_iter()
            .map(|x| match x.as_str() {
                "csm" => "sca".to_string(),
                "sva" => "svm".to_string(),
                _ => x,
            })
            .collect()
    });
    let statuses = list_lc(&c, "status");
    let st = sh.halo();
    let has =
        |list: &Option<Vec<String>>, val: String| list.as_ref().is_none_or(|l| l.contains(&val));
    let mut all: Vec<Value> = st
        .base
        .scans
        .iter()
        .filter(|sc| {
            since.is_none_or(|t| sc.ts * 1000 >= t)
                && until.is_none_or(|t| sc.ts * 1000 <= t)
                && has(&servers, s(&sc.full, "server_id"))
                && has(&modules, s(&sc.full, "module"))
                && has(&statuses, s(&sc.full, "status"))
        })
        .map(|sc| list_form(&sc.full))
        .collect();
    if desc {
        all.reverse();
    }
    list_all(&c, "scans", all, pr)
}

fn find_scan<'a>(st: &'a crate::halo::HaloState, id: &str) -> Option<&'a Value> {
    st.base
        .scans
        .iter()
        .map(|sc| &sc.full)
        .find(|v| s(v, "id") == id)
        .or_else(|| st.base.svm.values().find(|v| s(v, "id") == id))
}

pub(super) async fn get_scan(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let st = sh.halo();
    match find_scan(&st, &id) {
        Some(v) => wrap("scan", v.clone()),
        None => not_found("scan"),
    }
}

pub(super) async fn get_finding(
    State(sh): State<Arc<Shared>>,
    Path((id, fid)): Path<(String, String)>,
) -> Response {
    let st = sh.halo();
    let Some(scan) = find_scan(&st, &id) else {
        return not_found("scan");
    };
    match scan["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| s(f, "id") == fid)
    {
        Some(f) => wrap("findings", finding_detail(st.base.seed, scan, f)),
        None => not_found("finding"),
    }
}
