complete -c event-export -l date -d 'One whole UTC day: YYYY-MM-DD, today or yesterday (same as --since DAY --until DAY+1)' -r
complete -c event-export -l since -d 'Start of the time window (inclusive, UTC). Accepts RFC 3339 (2024-06-01T12:00:00Z or with an offset), YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS, now, today, yesterday, or a duration ago: 24h, 90m, 30s, 7d, 2w, 1h30m (a leading minus is optional: -24h)' -r
complete -c event-export -l until -d 'End of the time window (exclusive, UTC); same forms as --since' -r
complete -c event-export -l to -d 'Destination: a directory, s3://bucket/prefix, or - (the records on stdout: JSON Lines when piped, see --format) [default: s3://$EVENTS_S3_BUCKET or s3://$SCANS_S3_BUCKET]' -r
complete -c event-export -l layout -d 'Object layout: hive (dt=YYYY-MM-DD/part-*.jsonl.gz + _manifest.json) or legacy (the original archivers\' Halo-Events_<date>_<n>.gz names)' -r -f -a "hive\t'PREFIX/KIND/dt=YYYY-MM-DD/part-HHNNN.jsonl.gz + _manifest.json (Athena/Glue, Hive-style)'
legacy\t'The original archivers\' names at the prefix root: Halo-Events_<date>_<n>.gz'"
complete -c event-export -l concurrency -d 'Requests in flight to Halo, shared by all hourly slices, pages and details: auto starts at 16, doubles after each round of answers while latency holds until the first 429, then adds one per round, halves on a 429, never above 64; a number is fixed (1-256). --max-in-flight, HALO_CONCURRENCY or halo.max_in_flight in octo.yml, when set, fix the requests instead' -r
complete -c event-export -l part-records -d 'Records per part file (hive layout)' -r
complete -c event-export -l s3-part-mib -d 'S3 multipart part size in MiB (at least 5)' -r
complete -c event-export -l shards -d 'Cut the window into N equal shards and export one of them (--shard-index, or $JOB_COMPLETION_INDEX in a Kubernetes Indexed Job); each shard writes its own manifest' -r
complete -c event-export -l shard-index -d 'Which shard to export, 0-based [env: JOB_COMPLETION_INDEX]' -r
complete -c event-export -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c event-export -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c event-export -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c event-export -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c event-export -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c event-export -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c event-export -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c event-export -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c event-export -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c event-export -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c event-export -l generate -d 'Print the man page (man) or a shell completion script (complete-bash, complete-zsh, complete-fish) and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c event-export -l out-dir -d 'With --generate man: write TOOL.1 and one page per subcommand into DIR' -r -F
complete -c event-export -l force -d 'Export again even when a manifest says the window is done (replaces it)'
complete -c event-export -l check -d 'Export nothing: check that the window (every shard, with --shards) has consistent manifests whose parts all exist; exit 1 naming what is missing'
complete -c event-export -l no-header -d 'csv and table: leave out the header line'
complete -c event-export -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c event-export -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c event-export -s h -l help -d 'Print help (see more with \'--help\')'
complete -c event-export -s V -l version -d 'Print version'
