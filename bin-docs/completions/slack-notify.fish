# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_slack_notify_global_optspecs
    string join \n channel= critical-only suppress= webhook-url= all-actions batch= api-url= max-rps= route= dry-run i/input= on-bad-record= config= o/format= c/columns= no-header v/verbose q/quiet log-format= color= generate= out-dir= h/help V/version
end

function __fish_slack_notify_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_slack_notify_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_slack_notify_using_subcommand
    set -l cmd (__fish_slack_notify_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c slack-notify -n "__fish_slack_notify_needs_command" -l channel -d 'Slack channel [env: SLACK_CHANNEL; config notify.channel; default `halo`]' -r
complete -c slack-notify -n "__fish_slack_notify_needs_command" -l suppress -d 'Event types never posted, comma-separated (added to notify.suppress_events)' -r
complete -c slack-notify -n "__fish_slack_notify_needs_command" -l webhook-url -d 'Post through this incoming webhook instead of chat.postMessage [env: SLACK_WEBHOOK_URL]' -r
complete -c slack-notify -n "__fish_slack_notify_needs_command" -l batch -d 'At most this many records per Slack message when they arrive in a burst (1-100) [config notify.batch; default 10]' -r
complete -c slack-notify -n "__fish_slack_notify_needs_command" -l api-url -d 'Slack Web API base URL [env: SLACK_API_URL; config notify.api_url; default https://slack.com/api]' -r
complete -c slack-notify -n "__fish_slack_notify_needs_command" -l max-rps -d 'Client-side limit of Slack requests per second, 0 = off [config notify.max_rps; default 0]' -r
complete -c slack-notify -n "__fish_slack_notify_needs_command" -l route -d 'Route each record to a channel by its key_name > vpc_id > aws_region > aws_account (YAML rules; first match wins, unmatched records go to the default channel)' -r -F
complete -c slack-notify -n "__fish_slack_notify_needs_command" -s i -l input -d 'Read records from this file instead of stdin (`-` = stdin)' -r -F
complete -c slack-notify -n "__fish_slack_notify_needs_command" -l on-bad-record -d 'A bad input record (not JSON, not an object, a required field missing or of the wrong type): fail stops the run (exit 3); skip names each such line on stderr (source, line, reason), processes every good record and exits 4 at the end' -r -f -a "fail\t'Stop at the first bad record (exit 3, line and field named)'
skip\t'Name each bad record on stderr, go on with the next, exit 4 at the end'"
complete -c slack-notify -n "__fish_slack_notify_needs_command" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG]' -r -F
complete -c slack-notify -n "__fish_slack_notify_needs_command" -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c slack-notify -n "__fish_slack_notify_needs_command" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c slack-notify -n "__fish_slack_notify_needs_command" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c slack-notify -n "__fish_slack_notify_needs_command" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c slack-notify -n "__fish_slack_notify_needs_command" -l generate -d 'Print the man page (man) or a shell completion script (complete-bash, complete-zsh, complete-fish) and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c slack-notify -n "__fish_slack_notify_needs_command" -l out-dir -d 'With --generate man: write TOOL.1 and one page per subcommand into DIR' -r -F
complete -c slack-notify -n "__fish_slack_notify_needs_command" -l critical-only -d 'Post only critical events (action records are always posted)'
complete -c slack-notify -n "__fish_slack_notify_needs_command" -l all-actions -d 'Also post action records whose status is `skipped` or `unchanged`'
complete -c slack-notify -n "__fish_slack_notify_needs_command" -l dry-run -d 'Do not post: print what would be posted'
complete -c slack-notify -n "__fish_slack_notify_needs_command" -l no-header -d 'csv and table: leave out the header line'
complete -c slack-notify -n "__fish_slack_notify_needs_command" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c slack-notify -n "__fish_slack_notify_needs_command" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c slack-notify -n "__fish_slack_notify_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c slack-notify -n "__fish_slack_notify_needs_command" -s V -l version -d 'Print version'
complete -c slack-notify -n "__fish_slack_notify_needs_command" -f -a "doctor" -d 'Check the Slack settings (each with its source; secrets redacted) and that Slack accepts the token (auth.test)'
complete -c slack-notify -n "__fish_slack_notify_using_subcommand doctor" -l api-url -d 'Slack Web API base URL [env: SLACK_API_URL; config notify.api_url; default https://slack.com/api]' -r
complete -c slack-notify -n "__fish_slack_notify_using_subcommand doctor" -l config -d 'Config file (octo.yml) [env: OCTO_CONFIG]' -r -F
complete -c slack-notify -n "__fish_slack_notify_using_subcommand doctor" -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c slack-notify -n "__fish_slack_notify_using_subcommand doctor" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c slack-notify -n "__fish_slack_notify_using_subcommand doctor" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c slack-notify -n "__fish_slack_notify_using_subcommand doctor" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c slack-notify -n "__fish_slack_notify_using_subcommand doctor" -l no-header -d 'csv and table: leave out the header line'
complete -c slack-notify -n "__fish_slack_notify_using_subcommand doctor" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c slack-notify -n "__fish_slack_notify_using_subcommand doctor" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c slack-notify -n "__fish_slack_notify_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
