# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ipblock_global_optspecs
    string join \n i/input= from-halo since= follow cursor-file= poll-interval= on-bad-record= apply dry-run api-url= max-rps= max-in-flight= timeout= config= profile= o/format= c/columns= no-header v/verbose q/quiet log-format= color= generate= out-dir= h/help V/version
end

function __fish_ipblock_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ipblock_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ipblock_using_subcommand
    set -l cmd (__fish_ipblock_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ipblock -n "__fish_ipblock_needs_command" -s i -l input -d 'Read events from this JSON Lines file instead of stdin (`-` = stdin)' -r -F
complete -c ipblock -n "__fish_ipblock_needs_command" -l since -d 'With --from-halo: first event time (RFC 3339, YYYY-MM-DD, yesterday, -2h …; default -1h)' -r
complete -c ipblock -n "__fish_ipblock_needs_command" -l cursor-file -d 'With --from-halo: resume after the last event handled by an earlier run, and record progress here (JSON, written atomically); if the file does not exist, start at --since' -r -F
complete -c ipblock -n "__fish_ipblock_needs_command" -l poll-interval -d 'Seconds between polls with --follow' -r
complete -c ipblock -n "__fish_ipblock_needs_command" -l on-bad-record -d 'A bad input record (not JSON, not an object, a required field missing or of the wrong type): fail stops the run (exit 3); skip names each such line on stderr (source, line, reason), processes every good record and exits 4 at the end' -r -f -a "fail\t'Stop at the first bad record (exit 3, line and field named)'
skip\t'Name each bad record on stderr, go on with the next, exit 4 at the end'"
complete -c ipblock -n "__fish_ipblock_needs_command" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c ipblock -n "__fish_ipblock_needs_command" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c ipblock -n "__fish_ipblock_needs_command" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c ipblock -n "__fish_ipblock_needs_command" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c ipblock -n "__fish_ipblock_needs_command" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c ipblock -n "__fish_ipblock_needs_command" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c ipblock -n "__fish_ipblock_needs_command" -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c ipblock -n "__fish_ipblock_needs_command" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c ipblock -n "__fish_ipblock_needs_command" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c ipblock -n "__fish_ipblock_needs_command" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ipblock -n "__fish_ipblock_needs_command" -l generate -d 'Print the man page (man) or a shell completion script (complete-bash, complete-zsh, complete-fish) and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c ipblock -n "__fish_ipblock_needs_command" -l out-dir -d 'With --generate man: write TOOL.1 and one page per subcommand into DIR' -r -F
complete -c ipblock -n "__fish_ipblock_needs_command" -l from-halo -d 'Read matching events from the Halo API (`/v1/events`) instead of stdin'
complete -c ipblock -n "__fish_ipblock_needs_command" -l follow -d 'With --from-halo: keep polling for new events until interrupted'
complete -c ipblock -n "__fish_ipblock_needs_command" -l apply -d 'Act: carry out the plan. Without it the plan is printed (`planned` records) and nothing is changed'
complete -c ipblock -n "__fish_ipblock_needs_command" -l dry-run -d 'Only print the plan: the default, kept for old scripts'
complete -c ipblock -n "__fish_ipblock_needs_command" -l no-header -d 'csv and table: leave out the header line'
complete -c ipblock -n "__fish_ipblock_needs_command" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c ipblock -n "__fish_ipblock_needs_command" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c ipblock -n "__fish_ipblock_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ipblock -n "__fish_ipblock_needs_command" -s V -l version -d 'Print version'
complete -c ipblock -n "__fish_ipblock_needs_command" -f -a "expire" -d 'Remove the blocks we added whose time is up (never entries we did not add)'
complete -c ipblock -n "__fish_ipblock_needs_command" -f -a "unblock" -d 'Remove addresses from the zone (and their expiry records)'
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -l at -d 'Treat blocks due by this time as expired: +DURATION ahead (e.g. +2h), or a time as for --since (RFC 3339, YYYY-MM-DD …); default now. Only without --apply: shows what will expire by then' -r
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -l apply -d 'Act: carry out the plan. Without it the plan is printed (`planned` records) and nothing is changed'
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -l dry-run -d 'Only print the plan: the default, kept for old scripts'
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -l no-header -d 'csv and table: leave out the header line'
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c ipblock -n "__fish_ipblock_using_subcommand expire" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ipblock -n "__fish_ipblock_using_subcommand unblock" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c ipblock -n "__fish_ipblock_using_subcommand unblock" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c ipblock -n "__fish_ipblock_using_subcommand unblock" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c ipblock -n "__fish_ipblock_using_subcommand unblock" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c ipblock -n "__fish_ipblock_using_subcommand unblock" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c ipblock -n "__fish_ipblock_using_subcommand unblock" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c ipblock -n "__fish_ipblock_using_subcommand unblock" -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c ipblock -n "__fish_ipblock_using_subcommand unblock" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c ipblock -n "__fish_ipblock_using_subcommand unblock" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c ipblock -n "__fish_ipblock_using_subcommand unblock" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c ipblock -n "__fish_ipblock_using_subcommand unblock" -l apply -d 'Act: carry out the plan. Without it the plan is printed (`planned` records) and nothing is changed'
complete -c ipblock -n "__fish_ipblock_using_subcommand unblock" -l dry-run -d 'Only print the plan: the default, kept for old scripts'
complete -c ipblock -n "__fish_ipblock_using_subcommand unblock" -l no-header -d 'csv and table: leave out the header line'
complete -c ipblock -n "__fish_ipblock_using_subcommand unblock" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c ipblock -n "__fish_ipblock_using_subcommand unblock" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c ipblock -n "__fish_ipblock_using_subcommand unblock" -s h -l help -d 'Print help (see more with \'--help\')'
