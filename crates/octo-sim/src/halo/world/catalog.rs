//! The fixed catalogue the world is generated from: the group tree, policy names, CSM rules, FIM
//! targets, the vulnerable-package list, operating systems and AWS accounts.

pub(crate) const DAY_MS: i64 = 86_400_000;

/// Seeded group tree: (name, parent index, tag, description).
pub(crate) const GROUP_DEFS: &[(&str, Option<usize>, &str, &str)] = &[
    ("Root", None, "", "Root group of the account"),
    ("Prod", Some(0), "prod", "Production workloads"),
    ("Web", Some(1), "prod-web", "Production web tier"),
    ("App", Some(1), "prod-app", "Production application tier"),
    ("DB", Some(1), "prod-db", "Production databases"),
    ("Dev", Some(0), "dev", "Development"),
    ("Web", Some(5), "dev-web", "Development web tier"),
    ("Build", Some(5), "dev-build", "CI build agents"),
    ("Corp", Some(0), "corp", "Corporate Windows servers"),
    (
        "Quarantine",
        Some(0),
        "quarantine",
        "Isolation group for compromised servers",
    ),
    ("q-test", Some(0), "q-test", "Quarantine trigger test group"),
];
pub(crate) const G_PROD_WEB: usize = 2;
pub(crate) const G_PROD_APP: usize = 3;
pub(crate) const G_PROD_DB: usize = 4;
pub(crate) const G_DEV_WEB: usize = 6;
pub(crate) const G_DEV_BUILD: usize = 7;
pub(crate) const G_CORP: usize = 8;
pub(crate) const G_QTEST: usize = 10;

/// Per group: (linux fw policy, windows fw policy, csm, windows csm, fim, windows fim, lids, special events)
pub(super) type GroupPolicies = (
    Option<usize>,
    Option<usize>,
    &'static [usize],
    &'static [usize],
    &'static [usize],
    &'static [usize],
    &'static [usize],
    usize,
);
pub(super) const GROUP_POLICIES: &[GroupPolicies] = &[
    (None, None, &[0], &[], &[], &[], &[], 0),
    (None, None, &[0], &[2], &[], &[], &[0], 0),
    (Some(0), Some(3), &[0, 1], &[2], &[0], &[1], &[0], 0),
    (Some(0), Some(3), &[0], &[2], &[0], &[1], &[0, 1], 0),
    (Some(1), None, &[0, 1], &[], &[0], &[], &[0], 0),
    (None, None, &[0], &[], &[], &[], &[], 0),
    (Some(0), None, &[0], &[], &[], &[], &[0], 0),
    (None, None, &[], &[], &[], &[], &[], 0),
    (None, Some(3), &[], &[2], &[], &[1], &[1], 0),
    (Some(2), Some(3), &[0], &[2], &[0], &[1], &[0, 1], 1),
    (Some(0), Some(3), &[0], &[2], &[0], &[1], &[0, 1], 0),
];

pub(super) const CSM_POLICIES: &[(&str, &str, &str)] = &[
    (
        "Core System Hardening (Linux)",
        "linux",
        "Baseline hardening checks for every Linux server",
    ),
    (
        "CIS Benchmark Ubuntu 20.04",
        "linux",
        "CIS level 1 server profile",
    ),
    (
        "Windows Server 2019 Baseline",
        "windows",
        "Microsoft security baseline",
    ),
];
pub(super) const FIM_POLICIES: &[(&str, &str, &str)] = &[
    (
        "Core System Files (Linux)",
        "linux",
        "/etc, /bin, /sbin, /usr/bin and boot files",
    ),
    (
        "Windows System Files",
        "windows",
        "System32 and registry run keys",
    ),
];
pub(super) const LIDS_POLICIES: &[(&str, &str, &str)] = &[
    (
        "Linux Auth Log Monitoring",
        "linux",
        "sshd and sudo failures from auth.log / secure",
    ),
    (
        "Windows Logon Failures",
        "windows",
        "Security event log 4625/4740",
    ),
];
pub(super) const SE_POLICIES: &[(&str, &str, &str)] = &[
    (
        "Default Special Events Policy",
        "",
        "Critical: firewall modified, daemon compromised, root accounts",
    ),
    ("Quarantine Special Events", "", "Everything critical"),
];

pub(crate) const CSM_RULES: &[&str] = &[
    "Ensure SSH root login is disabled",
    "Ensure SSH PasswordAuthentication is disabled",
    "Ensure permissions on /etc/shadow are configured",
    "Ensure auditd service is enabled",
    "Ensure no world writable files exist",
    "Ensure password expiration is 365 days or less",
    "Ensure IP forwarding is disabled",
    "Ensure telnet server is not installed",
    "Ensure NTP is configured",
    "Ensure core dumps are restricted",
];
pub(crate) const FIM_TARGETS: &[&str] = &[
    "/etc/*",
    "/etc/ssh/sshd_config",
    "/usr/bin/*",
    "/usr/sbin/*",
    "/bin/*",
    "/etc/cron.d/*",
    "/root/.ssh/authorized_keys",
    "C:\\Windows\\System32\\drivers\\etc\\hosts",
];
pub(crate) const FIM_FILES: &[&str] = &[
    "/etc/passwd",
    "/etc/shadow",
    "/etc/group",
    "/etc/sudoers",
    "/etc/hosts",
    "/usr/bin/ssh",
    "/usr/sbin/sshd",
    "/etc/cron.d/backup",
];

/// Vulnerable package catalogue: (name, version, vendor, [(cve, cvss)], windows?)
pub(crate) type Vuln = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, f64)],
    bool,
);
pub(crate) const VULNS: &[Vuln] = &[
    (
        "openssl",
        "1.0.2k",
        "openssl",
        &[("CVE-2016-2108", 9.8), ("CVE-2016-2105", 7.5)],
        false,
    ),
    ("bash", "4.2.46", "gnu", &[("CVE-2014-6271", 9.8)], false),
    ("glibc", "2.17", "gnu", &[("CVE-2015-0235", 9.8)], false),
    (
        "sudo",
        "1.8.23",
        "sudo_project",
        &[("CVE-2021-3156", 7.8)],
        false,
    ),
    (
        "polkit",
        "0.112",
        "polkit_project",
        &[("CVE-2021-4034", 7.8)],
        false,
    ),
    (
        "openssh",
        "7.4p1",
        "openbsd",
        &[("CVE-2018-15473", 5.3), ("CVE-2016-10009", 7.3)],
        false,
    ),
    (
        "curl",
        "7.29.0",
        "haxx",
        &[("CVE-2023-38545", 9.8), ("CVE-2023-38546", 3.7)],
        false,
    ),
    (
        "log4j",
        "2.14.1",
        "apache",
        &[("CVE-2021-44228", 10.0)],
        false,
    ),
    ("zlib", "1.2.7", "zlib", &[("CVE-2018-25032", 7.5)], false),
    ("less", "458", "gnu", &[("CVE-2022-46663", 4.3)], false),
    (
        "Microsoft Windows SMBv1",
        "10.0.14393",
        "microsoft",
        &[("CVE-2017-0144", 8.1)],
        true,
    ),
    (
        "Microsoft .NET Framework",
        "4.7.2",
        "microsoft",
        &[("CVE-2020-0646", 9.8)],
        true,
    ),
    (
        "Mozilla Firefox",
        "91.0",
        "mozilla",
        &[("CVE-2022-26485", 8.8)],
        true,
    ),
    ("7-Zip", "16.04", "7-zip", &[("CVE-2016-2334", 7.8)], true),
];
pub(super) const GOOD_PACKAGES: &[(&str, &str)] = &[
    ("coreutils", "8.32"),
    ("tar", "1.34"),
    ("rsync", "3.2.3"),
    ("ca-certificates", "2023.2.60"),
    ("tzdata", "2024a"),
];

/// Linux distributions: (platform, platform_version, os_version)
pub(super) const LINUX: &[(&str, &str, &str)] = &[
    ("ubuntu", "20.04", "5.4.0-1045-aws"),
    ("ubuntu", "22.04", "5.15.0-1019-aws"),
    ("centos", "7.9.2009", "3.10.0-1160.el7.x86_64"),
    ("rhel", "8.6", "4.18.0-372.9.1.el8.x86_64"),
    ("debian", "11", "5.10.0-21-amd64"),
    ("amazon", "2", "4.14.320-242.534.amzn2.x86_64"),
    ("oracle", "8.7", "5.15.0-6.80.3.1.el8uek.x86_64"),
];
pub(super) const WINDOWS: &[(&str, &str, &str)] = &[
    (
        "windows",
        "10.0.17763",
        "Microsoft Windows Server 2019 Datacenter",
    ),
    (
        "windows",
        "6.3.9600",
        "Microsoft Windows Server 2012 R2 Standard",
    ),
];

pub(crate) const AWS_ACCOUNTS: &[(&str, &[&str])] = &[
    ("123456789012", &["us-east-1", "us-west-2"]),
    ("210987654321", &["us-east-1", "eu-west-1", "us-west-2"]),
];
