complete -c fw-graph -l policy -d 'Firewall policy JSON file; `-` reads it from stdin' -r -F
complete -c fw-graph -l group -d 'Fetch the policy of this Halo group (name, full path or id) from the API instead' -r
complete -c fw-graph -l platform -d 'Which of the group\'s policies (with --group)' -r -f -a "linux\t''
windows\t''"
complete -c fw-graph -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c fw-graph -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c fw-graph -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c fw-graph -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c fw-graph -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c fw-graph -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c fw-graph -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c fw-graph -l out -d 'Write to FILE (atomically: a temp file in the same directory, then renamed) instead of stdout; the format follows its extension (.png .svg .dot/.gv .mmd .jsonl .json .csv) unless --format says' -r -F
complete -c fw-graph -l group-name -d 'Label the workload with this group name instead of the policy\'s name' -r
complete -c fw-graph -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c fw-graph -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c fw-graph -s o -l format -d 'Output format: a picture (png, svg, dot, mermaid) or the edges as fw-graph.edge/v1 records (jsonl, json, csv, table) [default: from the --out file\'s extension; on stdout table when it is a terminal, jsonl when it is piped]' -r -f -a "png\t'PNG image (needs --out unless stdout is redirected)'
svg\t'SVG image'
dot\t'Graphviz DOT text'
mermaid\t'Mermaid flowchart text'
jsonl\t'One fw-graph.edge/v1 JSON record per edge (default when stdout is piped)'
json\t'The edge records as one JSON array'
csv\t'The edge records as CSV'
table\t'The edge records as a table (default on a terminal)'"
complete -c fw-graph -l generate -d 'Print the man page (man) or a shell completion script (complete-bash, complete-zsh, complete-fish) and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c fw-graph -l out-dir -d 'With --generate man: write TOOL.1 and one page per subcommand into DIR' -r -F
complete -c fw-graph -l no-header -d 'csv and table: leave out the header line'
complete -c fw-graph -l all -d 'Also draw inactive rules (dashed, marked "inactive")'
complete -c fw-graph -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c fw-graph -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c fw-graph -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fw-graph -s V -l version -d 'Print version'
