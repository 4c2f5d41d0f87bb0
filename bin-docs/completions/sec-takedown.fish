# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_sec_takedown_global_optspecs
    string join \n config= os-cloud= o/format= c/columns= no-header v/verbose q/quiet log-format= color= generate= out-dir= h/help V/version
end

function __fish_sec_takedown_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_sec_takedown_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_sec_takedown_using_subcommand
    set -l cmd (__fish_sec_takedown_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -l config -d 'Config file (octo.yml, section `takedown:`) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -l os-cloud -d 'Cloud of clouds.yaml (+ secure.yaml) to use; OS_* variables override its fields one by one [env: OS_CLOUD]' -r
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -l generate -d 'Print the man page (man) or a shell completion script (complete-bash, complete-zsh, complete-fish) and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -l out-dir -d 'With --generate man: write TOOL.1 and one page per subcommand into DIR' -r -F
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -l no-header -d 'csv and table: leave out the header line'
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -s V -l version -d 'Print version'
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -f -a "info" -d 'Instance, flavor, image, addresses, security groups, project, owner, tenant managers, lock state, recent actions and takedown progress'
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -f -a "lock" -d 'Pause (if ACTIVE), lock with reason `security`, open the FreshDesk ticket (outbound email to the owner, CC tenant managers), add the instance details as a private note'
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -f -a "unlock" -d 'Unpause, unlock, reply on the ticket and resolve it'
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -f -a "delete" -d 'Capture evidence (console log note, optional snapshot), then delete, wait until gone, reply and resolve. Nothing is deleted when evidence capture fails, unless --force'
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -f -a "history" -d 'The incidents so far: every FreshDesk ticket tagged `security`, joined with what the notes recorded (instance, project, image, flavor, owner, outcome), then counts by project, image and month'
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -f -a "doctor" -d 'Every OpenStack, FreshDesk and takedown setting with its value (secrets redacted) and its source, then whether Keystone, Nova and FreshDesk answer (exit 1 if not, 2 when a setting is unusable)'
complete -c sec-takedown -n "__fish_sec_takedown_needs_command" -f -a "takedown" -d 'The big red button: lock, ticket, note, evidence, (snapshot), delete, reply, resolve — each finished step recorded on the instance and noted on the ticket'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand info" -l ip -d 'Find the server by a fixed or floating IP address, across all projects' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand info" -l config -d 'Config file (octo.yml, section `takedown:`) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand info" -l os-cloud -d 'Cloud of clouds.yaml (+ secure.yaml) to use; OS_* variables override its fields one by one [env: OS_CLOUD]' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand info" -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand info" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand info" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand info" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand info" -l no-header -d 'csv and table: leave out the header line'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand info" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand info" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand lock" -l ip -d 'Find the server by a fixed or floating IP address, across all projects' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand lock" -l cc -d 'Extra address to CC on the ticket (repeatable)' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand lock" -l config -d 'Config file (octo.yml, section `takedown:`) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand lock" -l os-cloud -d 'Cloud of clouds.yaml (+ secure.yaml) to use; OS_* variables override its fields one by one [env: OS_CLOUD]' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand lock" -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand lock" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand lock" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand lock" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand lock" -l apply -d 'Act: carry out the plan. Without it the plan is printed (`planned` records) and nothing is changed'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand lock" -l dry-run -d 'Only print the plan: the default, kept for old scripts'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand lock" -l no-header -d 'csv and table: leave out the header line'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand lock" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand lock" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand lock" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand unlock" -l ip -d 'Find the server by a fixed or floating IP address, across all projects' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand unlock" -l config -d 'Config file (octo.yml, section `takedown:`) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand unlock" -l os-cloud -d 'Cloud of clouds.yaml (+ secure.yaml) to use; OS_* variables override its fields one by one [env: OS_CLOUD]' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand unlock" -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand unlock" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand unlock" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand unlock" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand unlock" -l apply -d 'Act: carry out the plan. Without it the plan is printed (`planned` records) and nothing is changed'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand unlock" -l dry-run -d 'Only print the plan: the default, kept for old scripts'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand unlock" -l no-header -d 'csv and table: leave out the header line'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand unlock" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand unlock" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand unlock" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand delete" -l ip -d 'Find the server by a fixed or floating IP address, across all projects' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand delete" -l config -d 'Config file (octo.yml, section `takedown:`) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand delete" -l os-cloud -d 'Cloud of clouds.yaml (+ secure.yaml) to use; OS_* variables override its fields one by one [env: OS_CLOUD]' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand delete" -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand delete" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand delete" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand delete" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand delete" -l yes -d 'Confirm the destructive step (instance delete) with --apply; without it a terminal asks for the server id, a pipe refuses (exit 2)'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand delete" -l snapshot -d 'Also snapshot the instance (createImage) and note the image id before deleting'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand delete" -l force -d 'Delete even when evidence capture failed'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand delete" -l apply -d 'Act: carry out the plan. Without it the plan is printed (`planned` records) and nothing is changed'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand delete" -l dry-run -d 'Only print the plan: the default, kept for old scripts'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand delete" -l no-header -d 'csv and table: leave out the header line'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand delete" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand delete" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand history" -l since -d 'Tickets created since (RFC 3339, YYYY-MM-DD, or a duration ago such as 90d)' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand history" -l plot -d 'Also draw incidents per week by outcome into this file (.png, or .svg)' -r -F
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand history" -l config -d 'Config file (octo.yml, section `takedown:`) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand history" -l os-cloud -d 'Cloud of clouds.yaml (+ secure.yaml) to use; OS_* variables override its fields one by one [env: OS_CLOUD]' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand history" -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand history" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand history" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand history" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand history" -l no-counts -d 'Only the incident records, no counts'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand history" -l no-header -d 'csv and table: leave out the header line'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand history" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand history" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand doctor" -l config -d 'Config file (octo.yml, section `takedown:`) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand doctor" -l os-cloud -d 'Cloud of clouds.yaml (+ secure.yaml) to use; OS_* variables override its fields one by one [env: OS_CLOUD]' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand doctor" -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand doctor" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand doctor" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand doctor" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand doctor" -l no-header -d 'csv and table: leave out the header line'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand doctor" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand doctor" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -l ip -d 'Find the server by a fixed or floating IP address, across all projects' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -l cc -d 'Extra address to CC on the ticket (repeatable)' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -l config -d 'Config file (octo.yml, section `takedown:`) [env: OCTO_CONFIG; default $XDG_CONFIG_HOME/octobox/octo.yml]' -r -F
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -l os-cloud -d 'Cloud of clouds.yaml (+ secure.yaml) to use; OS_* variables override its fields one by one [env: OS_CLOUD]' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -s o -l format -d 'Output format [default: table when stdout is a terminal, jsonl when it is piped]' -r -f -a "jsonl\t'One JSON object per line (default when stdout is not a terminal)'
json\t'One pretty-printed JSON array of all records'
csv\t'Comma-separated values with a header row; nested fields as dotted names'
table\t'Aligned columns for reading (default on a terminal)'"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -s c -l columns -d 'Only these fields, in this order, in every format: comma-separated field names, dotted for nested fields (e.g. -c server_id,hostname,aws_ec2.ec2_instance_id)' -r
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -l color -d 'Colour on stderr: auto honours NO_COLOR and whether stderr is a terminal' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -l yes -d 'Confirm the destructive step (instance delete) with --apply; without it a terminal asks for the server id, a pipe refuses (exit 2)'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -l no-delete -d 'Stop after the evidence: keep the instance paused and locked'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -l snapshot -d 'Also snapshot the instance before deleting'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -l force -d 'Delete even when evidence capture failed'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -l apply -d 'Act: carry out the plan. Without it the plan is printed (`planned` records) and nothing is changed'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -l dry-run -d 'Only print the plan: the default, kept for old scripts'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -l no-header -d 'csv and table: leave out the header line'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c sec-takedown -n "__fish_sec_takedown_using_subcommand takedown" -s h -l help -d 'Print help (see more with \'--help\')'
