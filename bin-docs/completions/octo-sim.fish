# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_octo_sim_global_optspecs
    string join \n generate= out-dir= h/help V/version
end

function __fish_octo_sim_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_octo_sim_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_octo_sim_using_subcommand
    set -l cmd (__fish_octo_sim_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c octo-sim -n "__fish_octo_sim_needs_command" -l generate -d 'Print the man page (man) or a shell completion script (complete-bash, complete-zsh, complete-fish) and exit' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''"
complete -c octo-sim -n "__fish_octo_sim_needs_command" -l out-dir -d 'With --generate man: write TOOL.1 and one page per subcommand into DIR' -r -F
complete -c octo-sim -n "__fish_octo_sim_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c octo-sim -n "__fish_octo_sim_needs_command" -s V -l version -d 'Print version'
complete -c octo-sim -n "__fish_octo_sim_needs_command" -f -a "serve" -d 'Serve until SIGINT/SIGTERM; the first line on stdout is the base URL'
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l port -d 'Port to listen on (0 = any free port)' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l host -d 'Address to bind' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l seed -d 'World seed: same seed and day → same ids and content' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l servers -d 'Number of seeded servers' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l events-per-day -d 'Generated events per UTC day' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l scans-per-day -d 'Generated scans per UTC day' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l days -d 'History days including today' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l token-ttl -d 'Access-token lifetime in seconds (expires_in)' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l max-page-depth -d 'Highest page number served; deeper pages get 422' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l latency-ms -d 'Added latency per API request, ms' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l rate-429 -d 'Share of API requests answered 429 with Retry-After (0.0-1.0)' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l retry-after -d 'Retry-After seconds on injected 429s' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l rate-5xx -d 'Share of API requests answered 500/502/503 (0.0-1.0)' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l drop-rate -d 'Share of API requests whose connection is dropped without a response (0.0-1.0)' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l nova-max-microversion -d 'Highest Nova microversion served and advertised by GET /compute/v2.1 (below 2.73 a lock takes no reason; above it → 406)' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l keystone-token-ttl -d 'Lifetime of Keystone tokens in seconds (a short one tests a client\'s token renewal)' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l max-faults-in-a-row -d 'Most faults in a row for the same request (method + URL), 0 = unbounded (an outage)' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l max-in-flight -d 'Most API requests served at once: one more is answered 429 (no Retry-After); 0 = no limit' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -l hostile -d 'Hostile mode: mutate Halo answers (KNOB or KNOB@PATH, comma-separated; see --help)' -r
complete -c octo-sim -n "__fish_octo_sim_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
