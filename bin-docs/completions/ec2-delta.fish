complete -c ec2-delta -l profile -d 'AWS named profile (~/.aws/config), as the AWS CLI\'s --profile; a profile with role_arn + source_profile (or credential_source) is assumed through its source [env: AWS_PROFILE]' -r
complete -c ec2-delta -l accounts -d 'Accounts to inventory besides the caller\'s own, `;`- or `,`-separated; each through --role-name [env: AWS_ACCOUNT_NUMBERS]' -r
complete -c ec2-delta -l role-name -d 'Role assumed in each of --accounts (arn:aws:iam::ACCOUNT:role/NAME) [env: AWS_ROLE_NAME]' -r
complete -c ec2-delta -l external-id -d 'ExternalId of the --role-name role, when its trust policy asks for one (2-1224 of letters, digits and +=,.@:/-_)' -r
complete -c ec2-delta -l role-session-name -d 'RoleSessionName of the --role-name sessions, shown in each account\'s CloudTrail (2-64 of letters, digits and +=,.@-_)' -r
complete -c ec2-delta -l duration -d 'Length of the --role-name sessions in seconds, 900-43200 (at most the role\'s maximum session duration; default STS\'s, one hour); renewed before they expire' -r
complete -c ec2-delta -l regions -d 'Regions: `all` (DescribeRegions, per account) or a comma list' -r
complete -c ec2-delta -l states -d 'Instance states that count: comma list of pending, running, shutting-down, stopping, stopped, terminated, or `all`' -r
complete -c ec2-delta -l concurrency -d 'Account × region inventories in flight at once (1-256)' -r
complete -c ec2-delta -l page-size -d 'DescribeInstances page size (5-1000)' -r
complete -c ec2-delta -l halo-servers -d 'Halo servers from this JSONL file (`-` = stdin; e.g. `halo-query servers --state all`) instead of the Halo API' -r -F
complete -c ec2-delta -l on-bad-record -d 'A bad input record (not JSON, not an object, a required field missing or of the wrong type): fail stops the run (exit 3); skip names each such line on stderr (source, line, reason), processes every good record and exits 4 at the end' -r -f -a "fail\t'Stop at the first bad record (exit 3, line and field named)'
skip\t'Name each bad record on stderr, go on with the next, exit 4 at the end'"
complete -c ec2-delta -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c ec2-delta -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c ec2-delta -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c ec2-delta -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c ec2-delta -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c ec2-delta -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c ec2-delta -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c ec2-delta -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ec2-delta -s o -l format -d 'Output format [default: table when stdout is a terminal, csv (as the original ec2-halo-delta printed) when it is piped or redirected]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c ec2-delta -l halo-profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c ec2-delta -l generate -d 'Print the man page (man) or a shell completion script (complete-bash, complete-zsh, complete-fish) and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c ec2-delta -l out-dir -d 'With --generate man: write TOOL.1 and one page per subcommand into DIR' -r -F
complete -c ec2-delta -l reverse -d 'List Halo servers on EC2 whose instance no longer exists in any scanned account/region'
complete -c ec2-delta -l no-header -d 'csv and table: leave out the header line'
complete -c ec2-delta -l fail-on-findings -d 'Exit 5 when any row is printed (a CI gate)'
complete -c ec2-delta -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c ec2-delta -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c ec2-delta -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ec2-delta -s V -l version -d 'Print version'
