# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_halo_query_global_optspecs
    string join \n api-url= max-rps= max-in-flight= timeout= config= profile= c/columns= no-header v/verbose q/quiet log-format= color= o/format= generate= out-dir= h/help V/version
end

function __fish_halo_query_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_halo_query_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_halo_query_using_subcommand
    set -l cmd (__fish_halo_query_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c halo-query -n "__fish_halo_query_needs_command" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c halo-query -n "__fish_halo_query_needs_command" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c halo-query -n "__fish_halo_query_needs_command" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c halo-query -n "__fish_halo_query_needs_command" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c halo-query -n "__fish_halo_query_needs_command" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c halo-query -n "__fish_halo_query_needs_command" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c halo-query -n "__fish_halo_query_needs_command" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c halo-query -n "__fish_halo_query_needs_command" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c halo-query -n "__fish_halo_query_needs_command" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c halo-query -n "__fish_halo_query_needs_command" -s o -l format -d 'Output format [default: table when stdout is a terminal (json for `server`, `firewall-policy` and `api`, which print one object), jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c halo-query -n "__fish_halo_query_needs_command" -l generate -d 'Print the man page (man) or a shell completion script (complete-bash, complete-zsh, complete-fish) and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c halo-query -n "__fish_halo_query_needs_command" -l out-dir -d 'With --generate man: write TOOL.1 and one page per subcommand into DIR' -r -F
complete -c halo-query -n "__fish_halo_query_needs_command" -l no-header -d 'csv and table: leave out the header line'
complete -c halo-query -n "__fish_halo_query_needs_command" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c halo-query -n "__fish_halo_query_needs_command" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c halo-query -n "__fish_halo_query_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c halo-query -n "__fish_halo_query_needs_command" -s V -l version -d 'Print version'
complete -c halo-query -n "__fish_halo_query_needs_command" -f -a "groups" -d 'List server groups (with group_path and server_counts)'
complete -c halo-query -n "__fish_halo_query_needs_command" -f -a "group" -d 'Describe one group: facts, parent, policy names and active issues by criticality (including child groups), as one JSON object'
complete -c halo-query -n "__fish_halo_query_needs_command" -f -a "servers" -d 'List servers: all, in groups, by state, by IP address, or with a vulnerable package for a CVE'
complete -c halo-query -n "__fish_halo_query_needs_command" -f -a "server" -d 'Describe one server: facts, EC2 metadata, issues and recent events, as one JSON object'
complete -c halo-query -n "__fish_halo_query_needs_command" -f -a "events" -d 'List events in a time window (default: the last 24 hours), or follow new ones'
complete -c halo-query -n "__fish_halo_query_needs_command" -f -a "scans" -d 'List scans in a time window (default: the last 24 hours)'
complete -c halo-query -n "__fish_halo_query_needs_command" -f -a "issues" -d 'List issues (v3)'
complete -c halo-query -n "__fish_halo_query_needs_command" -f -a "firewall-policy" -d 'Print a group\'s firewall policy with its rules (input for fw-graph)'
complete -c halo-query -n "__fish_halo_query_needs_command" -f -a "zones" -d 'List firewall IP zones'
complete -c halo-query -n "__fish_halo_query_needs_command" -f -a "api" -d 'Raw API call: METHOD PATH [--data JSON]; --paginate streams the items of a GET list'
complete -c halo-query -n "__fish_halo_query_needs_command" -f -a "doctor" -d 'Check configuration, credentials and API reachability (secrets redacted)'
complete -c halo-query -n "__fish_halo_query_using_subcommand groups" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand groups" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand groups" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand groups" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand groups" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c halo-query -n "__fish_halo_query_using_subcommand groups" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand groups" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand groups" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand groups" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand groups" -s o -l format -d 'Output format [default: table when stdout is a terminal (json for `server`, `firewall-policy` and `api`, which print one object), jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c halo-query -n "__fish_halo_query_using_subcommand groups" -l no-header -d 'csv and table: leave out the header line'
complete -c halo-query -n "__fish_halo_query_using_subcommand groups" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c halo-query -n "__fish_halo_query_using_subcommand groups" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c halo-query -n "__fish_halo_query_using_subcommand groups" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c halo-query -n "__fish_halo_query_using_subcommand group" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand group" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand group" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand group" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand group" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c halo-query -n "__fish_halo_query_using_subcommand group" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand group" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand group" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand group" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand group" -s o -l format -d 'Output format [default: table when stdout is a terminal (json for `server`, `firewall-policy` and `api`, which print one object), jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c halo-query -n "__fish_halo_query_using_subcommand group" -l no-header -d 'csv and table: leave out the header line'
complete -c halo-query -n "__fish_halo_query_using_subcommand group" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c halo-query -n "__fish_halo_query_using_subcommand group" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c halo-query -n "__fish_halo_query_using_subcommand group" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -l group -d 'Only servers in this group (name, full path or id); repeatable' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -l state -d 'States to list: comma list of active, missing, deactivated, retired, or all' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -l ip -d 'Only servers with this connecting, primary or interface IP address' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -l cve -d 'Only servers with a vulnerable package for this CVE (CVE-YYYY-NNNN)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -s o -l format -d 'Output format [default: table when stdout is a terminal (json for `server`, `firewall-policy` and `api`, which print one object), jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -l no-header -d 'csv and table: leave out the header line'
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c halo-query -n "__fish_halo_query_using_subcommand servers" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c halo-query -n "__fish_halo_query_using_subcommand server" -l events-since -d 'Recent events since (RFC 3339, YYYY-MM-DD, or relative like 7d)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand server" -l events-limit -d 'At most this many recent events (newest first)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand server" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand server" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand server" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand server" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand server" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c halo-query -n "__fish_halo_query_using_subcommand server" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand server" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand server" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand server" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand server" -s o -l format -d 'Output format [default: table when stdout is a terminal (json for `server`, `firewall-policy` and `api`, which print one object), jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c halo-query -n "__fish_halo_query_using_subcommand server" -l no-header -d 'csv and table: leave out the header line'
complete -c halo-query -n "__fish_halo_query_using_subcommand server" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c halo-query -n "__fish_halo_query_using_subcommand server" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c halo-query -n "__fish_halo_query_using_subcommand server" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l date -d 'One whole UTC day: YYYY-MM-DD, today or yesterday (same as --since DAY --until DAY+1)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l since -d 'Start of the time window (inclusive, UTC). Accepts RFC 3339 (2024-06-01T12:00:00Z or with an offset), YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS, now, today, yesterday, or a duration ago: 24h, 90m, 30s, 7d, 2w, 1h30m (a leading minus is optional: -24h)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l until -d 'End of the time window (exclusive, UTC); same forms as --since' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l type -d 'Event types, comma-separated (e.g. lids_rule_failed,daemon_compromised)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l server -d 'Only events of this server id' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l group -d 'Only events of servers in this group (name, path or id)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l poll-interval -d 'Seconds between polls with --follow (0.1-86400)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -s o -l format -d 'Output format [default: table when stdout is a terminal (json for `server`, `firewall-policy` and `api`, which print one object), jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l critical -d 'Only critical events'
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l follow -d 'Keep polling for new events after the window, never repeating one, until interrupted. Without --since/--date it starts after the newest existing event'
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -l no-header -d 'csv and table: leave out the header line'
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c halo-query -n "__fish_halo_query_using_subcommand events" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -l date -d 'One whole UTC day: YYYY-MM-DD, today or yesterday (same as --since DAY --until DAY+1)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -l since -d 'Start of the time window (inclusive, UTC). Accepts RFC 3339 (2024-06-01T12:00:00Z or with an offset), YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS, now, today, yesterday, or a duration ago: 24h, 90m, 30s, 7d, 2w, 1h30m (a leading minus is optional: -24h)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -l until -d 'End of the time window (exclusive, UTC); same forms as --since' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -l module -d 'Modules, comma-separated: sca (csm), svm (sva), sam, fim, sv' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -l status -d 'Statuses, comma-separated (queued, pending, running, completed_clean, completed_with_errors, failed)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -l server -d 'Only scans of this server id' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -s o -l format -d 'Output format [default: table when stdout is a terminal (json for `server`, `firewall-policy` and `api`, which print one object), jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -l no-header -d 'csv and table: leave out the header line'
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c halo-query -n "__fish_halo_query_using_subcommand scans" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -l server -d 'Only issues of this server id' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -l group -d 'Only issues of servers in this group (name, path or id)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -l status -d 'Issue status: active or resolved' -r -f -a "active\t''
resolved\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -l type -d 'Issue types, comma-separated (sva, csm, fim, lids, sam, fw, agent)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -s o -l format -d 'Output format [default: table when stdout is a terminal (json for `server`, `firewall-policy` and `api`, which print one object), jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -l descendants -d 'Include the group\'s child groups (with --group)'
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -l critical -d 'Only critical issues'
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -l no-header -d 'csv and table: leave out the header line'
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c halo-query -n "__fish_halo_query_using_subcommand issues" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -l group -d 'The group (name, path or id) whose firewall policy to print' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -l id -d 'A firewall policy id instead of a group' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -l platform -d 'Which of the group\'s policies' -r -f -a "linux\t''
windows\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -s o -l format -d 'Output format [default: table when stdout is a terminal (json for `server`, `firewall-policy` and `api`, which print one object), jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -l no-header -d 'csv and table: leave out the header line'
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c halo-query -n "__fish_halo_query_using_subcommand firewall-policy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c halo-query -n "__fish_halo_query_using_subcommand zones" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand zones" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand zones" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand zones" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand zones" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c halo-query -n "__fish_halo_query_using_subcommand zones" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand zones" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand zones" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand zones" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand zones" -s o -l format -d 'Output format [default: table when stdout is a terminal (json for `server`, `firewall-policy` and `api`, which print one object), jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c halo-query -n "__fish_halo_query_using_subcommand zones" -l no-header -d 'csv and table: leave out the header line'
complete -c halo-query -n "__fish_halo_query_using_subcommand zones" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c halo-query -n "__fish_halo_query_using_subcommand zones" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c halo-query -n "__fish_halo_query_using_subcommand zones" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c halo-query -n "__fish_halo_query_using_subcommand api" -l data -d 'JSON request body' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand api" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand api" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand api" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand api" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand api" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c halo-query -n "__fish_halo_query_using_subcommand api" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand api" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand api" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand api" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand api" -s o -l format -d 'Output format [default: table when stdout is a terminal (json for `server`, `firewall-policy` and `api`, which print one object), jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c halo-query -n "__fish_halo_query_using_subcommand api" -l paginate -d 'For a GET list: follow pagination and print each item as a record'
complete -c halo-query -n "__fish_halo_query_using_subcommand api" -l no-header -d 'csv and table: leave out the header line'
complete -c halo-query -n "__fish_halo_query_using_subcommand api" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c halo-query -n "__fish_halo_query_using_subcommand api" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c halo-query -n "__fish_halo_query_using_subcommand api" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c halo-query -n "__fish_halo_query_using_subcommand doctor" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand doctor" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand doctor" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand doctor" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand doctor" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c halo-query -n "__fish_halo_query_using_subcommand doctor" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand doctor" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c halo-query -n "__fish_halo_query_using_subcommand doctor" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand doctor" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c halo-query -n "__fish_halo_query_using_subcommand doctor" -s o -l format -d 'Output format [default: table when stdout is a terminal (json for `server`, `firewall-policy` and `api`, which print one object), jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c halo-query -n "__fish_halo_query_using_subcommand doctor" -l no-header -d 'csv and table: leave out the header line'
complete -c halo-query -n "__fish_halo_query_using_subcommand doctor" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c halo-query -n "__fish_halo_query_using_subcommand doctor" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c halo-query -n "__fish_halo_query_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
