//! Everything known about one instance: server, flavor, image, addresses, security groups and
//! rules, project, owner, tenant managers, lock state, recent instance actions, takedown progress.

use octo_core::http::Method;
use serde_json::{Map, Value, json};

use crate::openstack::{Os, join};
use crate::template::html_escape;

/// Gathered facts; `json` is what `info` prints (record `sec-takedown.info/v1`).
#[derive(Debug, Clone)]
pub struct Info {
    pub json: Value,
    pub owner_email: Option<String>,
    pub owner_name: Option<String>,
    pub manager_emails: Vec<String>,
    pub project_name: String,
}

/// `ingress, IPv4, 22/tcp, remote_ip_prefix: 0.0.0.0/0` (icmp: `icmp (type:X, code:Y)`).
pub fn render_rule(r: &Value) -> String {
    let proto = r["protocol"].as_str();
    let (min, max) = (r["port_range_min"].as_i64(), r["port_range_max"].as_i64());
    let what = match proto {
        None => "any".to_string(),
        Some("icmp") => match (min, max) {
            (None, None) => "icmp".to_string(),
            _ => format!(
                "icmp (type:{}, code:{})",
                min.map_or("any".into(), |v| v.to_string()),
                max.map_or("any".into(), |v| v.to_string())
            ),
        },
        Some(p) => match (min, max) {
            (Some(a), Some(b)) if a == b => format!("{a}/{p}"),
            (Some(a), Some(b)) => format!("{a}:{b}/{p}"),
            _ => format!("any/{p}"),
        },
    };
    let mut s = format!(
        "{}, {}, {what}",
        r["direction"].as_str().unwrap_or("?"),
        r["ethertype"].as_str().unwrap_or("?")
    );
    if let Some(p) = r["remote_ip_prefix"].as_str() {
        s.push_str(&format!(", remote_ip_prefix: {p}"));
    }
    if let Some(g) = r["remote_group_id"].as_str() {
        s.push_str(&format!(", remote_group_id: {g}"));
    }
    s
}

async fn get_opt(os: &Os, service: &'static str, url: url::Url) -> anyhow::Result<Option<Value>> {
    match os.call(service, Method::GET, url, None, true).await? {
        Ok(r) => Ok(Some(r.body)),
        Err(e) if e.status.as_u16() == 404 => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Look everything up. `manager_role` is the Keystone role whose holders are CC'd.
pub async fn gather(os: &Os, srv: &Value, manager_role: &str) -> anyhow::Result<Info> {
    let id = srv["id"].as_str().unwrap_or_default();
    let project_id = srv["tenant_id"].as_str().unwrap_or_default();
    let user_id = srv["user_id"].as_str().unwrap_or_default();

    let project = get_opt(
        os,
        "Keystone",
        join(&os.identity, &["projects", project_id]),
    )
    .await?
    .map(|v| v["project"].clone());
    let owner = get_opt(os, "Keystone", join(&os.identity, &["users", user_id]))
        .await?
        .map(|v| v["user"].clone());

    // tenant managers: role id by name, effective assignments (group grants expanded)
    let mut roles_url = join(&os.identity, &["roles"]);
    roles_url
        .query_pairs_mut()
        .append_pair("name", manager_role);
    let roles = os.get("Keystone", roles_url).await?;
    let mut managers = Vec::new();
    if let Some(role_id) = roles["roles"]
        .as_array()
        .and_then(|r| r.first())
        .and_then(|r| r["id"].as_str())
    {
        let mut u = join(&os.identity, &["role_assignments"]);
        u.set_query(Some(&format!(
            "scope.project.id={}&role.id={}&effective&include_names=true",
            url::form_urlencoded::byte_serialize(project_id.as_bytes()).collect::<String>(),
            url::form_urlencoded::byte_serialize(role_id.as_bytes()).collect::<String>()
        )));
        let ra = os.get("Keystone", u).await?;
        let mut seen = Vec::new();
        for a in ra["role_assignments"].as_array().into_iter().flatten() {
            let Some(uid) = a["user"]["id"].as_str() else {
                continue;
            };
            if seen.iter().any(|s| s == uid) {
                continue;
            }
            seen.push(uid.to_string());
            let user = get_opt(os, "Keystone", join(&os.identity, &["users", uid])).await?;
            let user = user.map(|u| u["user"].clone()).unwrap_or(Value::Null);
            managers.push(
                json!({"id": uid, "name": user["name"].as_str().or(a["user"]["name"].as_str()),
                "email": user["email"], "enabled": user["enabled"]}),
            );
        }
    } else {
        tracing::warn!(
            role = manager_role,
            "no such Keystone role: no tenant managers to CC"
        );
    }

    // image (boot from volume: image is "")
    let image = match srv["image"]["id"].as_str() {
        None => json!({"boot_from_volume": true}),
        Some(iid) => match get_opt(os, "Glance", join(&os.image, &["images", iid])).await? {
            Some(img) => json!({"id": iid, "name": img["name"], "status": img["status"],
                "nectar_build": img.get("nectar_build").cloned().unwrap_or(Value::Null),
                "visibility": img["visibility"], "owner": img["owner"]}),
            None => json!({"id": iid, "name": null, "error": "Image not found"}),
        },
    };

    // addresses
    let mut addresses = Vec::new();
    if let Some(m) = srv["addresses"].as_object() {
        for (net, list) in m {
            for a in list.as_array().into_iter().flatten() {
                addresses.push(
                    json!({"network": net, "addr": a["addr"], "version": a["version"],
                    "type": a["OS-EXT-IPS:type"], "mac": a["OS-EXT-IPS-MAC:mac_addr"]}),
                );
            }
        }
    }

    // ports and security groups (neutron)
    let mut pu = join(&os.network, &["ports"]);
    pu.query_pairs_mut().append_pair("device_id", id);
    let ports = os.get("Neutron", pu).await?["ports"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut sg_ids: Vec<String> = Vec::new();
    for p in &ports {
        for s in p["security_groups"].as_array().into_iter().flatten() {
            if let Some(s) = s.as_str()
                && !sg_ids.iter().any(|x| x == s)
            {
                sg_ids.push(s.to_string());
            }
        }
    }
    let mut security_groups = Vec::new();
    if !sg_ids.is_empty() {
        let mut su = join(&os.network, &["security-groups"]);
        {
            let mut q = su.query_pairs_mut();
            for s in &sg_ids {
                q.append_pair("id", s);
            }
        }
        let sgs = os.get("Neutron", su).await?;
        for sg in sgs["security_groups"].as_array().into_iter().flatten() {
            let rules: Vec<String> = sg["security_group_rules"]
                .as_array()
                .into_iter()
                .flatten()
                .map(render_rule)
                .collect();
            security_groups.push(json!({"id": sg["id"], "name": sg["name"], "rules": rules}));
        }
    }
    let ports_out: Vec<Value> = ports
        .iter()
        .map(|p| json!({"id": p["id"], "mac_address": p["mac_address"], "admin_state_up": p["admin_state_up"],
            "port_security_enabled": p["port_security_enabled"],
            "fixed_ips": p["fixed_ips"].as_array().into_iter().flatten().map(|f| f["ip_address"].clone()).collect::<Vec<_>>()}))
        .collect();

    // recent instance actions
    let actions = get_opt(os, "Nova", os.server_url(id, &["os-instance-actions"])).await?;
    let actions: Vec<Value> = actions
        .and_then(|a| a["instanceActions"].as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .take(20)
        .map(|a| {
            json!({"action": a["action"], "start_time": a["start_time"], "user_id": a["user_id"],
            "request_id": a["request_id"], "message": a["message"]})
        })
        .collect();

    let flavor = &srv["flavor"];
    let md = srv["metadata"].as_object().cloned().unwrap_or_default();
    let project_name = project
        .as_ref()
        .and_then(|p| p["name"].as_str())
        .unwrap_or(project_id)
        .to_string();
    let owner_email = owner
        .as_ref()
        .and_then(|u| u["email"].as_str())
        .map(String::from);
    let owner_name = owner
        .as_ref()
        .and_then(|u| {
            u["full_name"]
                .as_str()
                .or(u["email"].as_str())
                .or(u["name"].as_str())
        })
        .map(String::from);
    let mut manager_emails: Vec<String> = Vec::new();
    for m in &managers {
        if let Some(e) = m["email"].as_str()
            && !manager_emails.iter().any(|x| x.eq_ignore_ascii_case(e))
        {
            manager_emails.push(e.to_string());
        }
    }
    let takedown = json!({
        "ticket_url": md.get("security_ticket"),
        "step": md.get("security_takedown_step"),
        "at": md.get("security_takedown_at"),
        "by": md.get("security_takedown_by"),
        "snapshot": md.get("security_snapshot"),
    });
    let json = json!({
        "record": "sec-takedown.info/v1",
        "server": {
            "id": id, "name": srv["name"], "status": srv["status"],
            "vm_state": srv["OS-EXT-STS:vm_state"], "task_state": srv["OS-EXT-STS:task_state"],
            "locked": srv["locked"], "locked_reason": srv["locked_reason"],
            "created": srv["created"], "updated": srv["updated"],
            "launched_at": srv["OS-SRV-USG:launched_at"],
            "availability_zone": srv["OS-EXT-AZ:availability_zone"],
            "host": srv["OS-EXT-SRV-ATTR:host"], "key_name": srv["key_name"],
            "metadata": md,
        },
        "flavor": {"name": flavor["original_name"], "vcpus": flavor["vcpus"], "ram_mb": flavor["ram"],
                   "disk_gb": flavor["disk"], "ephemeral_gb": flavor["ephemeral"], "swap_mb": flavor["swap"]},
        "image": image,
        "addresses": addresses,
        "ports": ports_out,
        "security_groups": security_groups,
        "project": {"id": project_id, "name": project.as_ref().map(|p| p["name"].clone()),
                    "description": project.as_ref().map(|p| p["description"].clone())},
        "owner": {"id": user_id, "name": owner.as_ref().map(|u| u["name"].clone()),
                  "full_name": owner.as_ref().and_then(|u| u.get("full_name").cloned()),
                  "email": owner_email},
        "managers": managers,
        "manager_role": manager_role,
        "instance_actions": actions,
        "takedown": takedown,
    });
    Ok(Info {
        json,
        owner_email,
        owner_name,
        manager_emails,
        project_name,
    })
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Rows `(field, value)` for a human: one per scalar, nested as dotted names; lists of strings
/// joined.
pub fn rows(v: &Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&p, x, out);
                }
            }
            Value::Array(a) if a.iter().all(|x| !x.is_object()) => {
                out.push((
                    prefix.to_string(),
                    a.iter().map(cell).collect::<Vec<_>>().join(", "),
                ));
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(&format!("{prefix}.{i}"), x, out);
                }
            }
            other => out.push((prefix.to_string(), cell(other))),
        }
    }
    let mut out = Vec::new();
    walk("", v, &mut out);
    out
}

/// The private note: an HTML table of the instance details, then one of its security groups.
pub fn html(info: &Info, preface: &str) -> String {
    let v = &info.json;
    let mut main = Map::new();
    for (k, val) in rows(
        &json!({"server": v["server"], "flavor": v["flavor"], "image": v["image"],
                                 "project": v["project"], "owner": v["owner"]}),
    ) {
        main.insert(k, Value::String(val));
    }
    for a in v["addresses"].as_array().into_iter().flatten() {
        let k = format!("{} network", a["network"].as_str().unwrap_or("?"));
        let prev = main.get(&k).and_then(Value::as_str).map(String::from);
        let addr = cell(&a["addr"]);
        main.insert(
            k,
            Value::String(match prev {
                Some(p) => format!("{p}, {addr}"),
                None => addr,
            }),
        );
    }
    let managers: Vec<String> = v["managers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| format!("{} <{}>", cell(&m["name"]), cell(&m["email"])))
        .collect();
    main.insert("managers".into(), Value::String(managers.join(", ")));
    let table = |rows: Vec<(String, String)>| {
        let mut t = String::from("<table border=\"1\" style=\"border-collapse: collapse\">");
        for (k, val) in rows {
            t.push_str(&format!(
                "<tr><th align=\"left\">{}</th><td>{}</td></tr>",
                html_escape(&k),
                html_escape(&val)
            ));
        }
        t.push_str("</table>");
        t
    };
    let main_rows: Vec<(String, String)> = main.into_iter().map(|(k, v)| (k, cell(&v))).collect();
    let mut sg_rows = Vec::new();
    for sg in v["security_groups"].as_array().into_iter().flatten() {
        let rules: Vec<String> = sg["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .map(cell)
            .collect();
        sg_rows.push((
            format!("{} ({})", cell(&sg["name"]), cell(&sg["id"])),
            rules.join("; "),
        ));
    }
    let actions: Vec<(String, String)> = v["instance_actions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            (
                cell(&a["start_time"]),
                format!(
                    "{} by {} ({})",
                    cell(&a["action"]),
                    cell(&a["user_id"]),
                    cell(&a["request_id"])
                ),
            )
        })
        .collect();
    format!(
        "{preface}<br/><br/>{}<br/><br/>{}<br/><br/>{}",
        table(main_rows),
        table(sg_rows),
        table(actions)
    )
}
