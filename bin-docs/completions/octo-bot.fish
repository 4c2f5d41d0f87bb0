# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_octo_bot_global_optspecs
    string join \n api-url= max-rps= max-in-flight= timeout= config= profile= o/format= c/columns= no-header v/verbose q/quiet log-format= color= generate= out-dir= h/help V/version
end

function __fish_octo_bot_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_octo_bot_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_octo_bot_using_subcommand
    set -l cmd (__fish_octo_bot_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c octo-bot -n "__fish_octo_bot_needs_command" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c octo-bot -n "__fish_octo_bot_needs_command" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c octo-bot -n "__fish_octo_bot_needs_command" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c octo-bot -n "__fish_octo_bot_needs_command" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c octo-bot -n "__fish_octo_bot_needs_command" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c octo-bot -n "__fish_octo_bot_needs_command" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c octo-bot -n "__fish_octo_bot_needs_command" -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c octo-bot -n "__fish_octo_bot_needs_command" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c octo-bot -n "__fish_octo_bot_needs_command" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c octo-bot -n "__fish_octo_bot_needs_command" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c octo-bot -n "__fish_octo_bot_needs_command" -l generate -d 'Print the man page (man) or a shell completion script (complete-bash, complete-zsh, complete-fish) and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c octo-bot -n "__fish_octo_bot_needs_command" -l out-dir -d 'With --generate man: write TOOL.1 and one page per subcommand into DIR' -r -F
complete -c octo-bot -n "__fish_octo_bot_needs_command" -l no-header -d 'csv and table: leave out the header line'
complete -c octo-bot -n "__fish_octo_bot_needs_command" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c octo-bot -n "__fish_octo_bot_needs_command" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c octo-bot -n "__fish_octo_bot_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c octo-bot -n "__fish_octo_bot_needs_command" -s V -l version -d 'Print version'
complete -c octo-bot -n "__fish_octo_bot_needs_command" -f -a "serve" -d 'Connect to Slack in Socket Mode and answer until SIGTERM; one audit record per request'
complete -c octo-bot -n "__fish_octo_bot_needs_command" -f -a "ask" -d 'Answer one chat command here (no Slack): the records the bot would send'
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -l channel -d 'Channel id (C…) whose members are answered [env: SLACK_CHANNEL; octo.yml bot.channel]' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -l slack-api-url -d 'Slack Web API base URL [env: SLACK_API_URL; octo.yml bot.api_url; default https://slack.com/api]' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -l members-ttl -d 'Seconds the channel\'s member list is kept before it is fetched again' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -l shutdown-grace -d 'Seconds running requests may take to finish after SIGTERM before they are cancelled' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -l max-queue -d 'Requests of one kind that may wait for the one running; more are told to retry' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -l no-header -d 'csv and table: leave out the header line'
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c octo-bot -n "__fish_octo_bot_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c octo-bot -n "__fish_octo_bot_using_subcommand ask" -l api-url -d 'Halo API base URL, e.g. http://127.0.0.1:PORT for octo-sim [env: HALO_API_URL] (default https://$HALO_API_HOSTNAME:$HALO_API_PORT, i.e. https://api.cloudpassage.com:443)' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand ask" -l max-rps -d 'Client-side request rate limit in requests per second, 0 = off [env: HALO_MAX_RPS]' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand ask" -l max-in-flight -d 'Halo requests in flight at once, 1-256 (default 4) [env: HALO_CONCURRENCY]' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand ask" -l timeout -d 'Deadline of each Halo request in seconds, 1-86400 (default 60); all retries of one request together get three times as long [env: HALO_TIMEOUT; octo.yml halo.timeout_secs]' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand ask" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c octo-bot -n "__fish_octo_bot_using_subcommand ask" -l profile -d 'Named Halo profile: the settings of halo.profiles.NAME in octo.yml override those of halo: [env: HALO_PROFILE]' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand ask" -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c octo-bot -n "__fish_octo_bot_using_subcommand ask" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c octo-bot -n "__fish_octo_bot_using_subcommand ask" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c octo-bot -n "__fish_octo_bot_using_subcommand ask" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c octo-bot -n "__fish_octo_bot_using_subcommand ask" -l no-header -d 'csv and table: leave out the header line'
complete -c octo-bot -n "__fish_octo_bot_using_subcommand ask" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c octo-bot -n "__fish_octo_bot_using_subcommand ask" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c octo-bot -n "__fish_octo_bot_using_subcommand ask" -s h -l help -d 'Print help (see more with \'--help\')'
