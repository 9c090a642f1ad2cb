# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_atom_sync_global_optspecs
    string join \n data-dir= database-url= lance-uri= v/verbose q/quiet log-format= h/help V/version
end

function __fish_atom_sync_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_atom_sync_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_atom_sync_using_subcommand
    set -l cmd (__fish_atom_sync_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c atom-sync -n "__fish_atom_sync_needs_command" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l lance-uri -d 'LanceDB location [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_needs_command" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -s h -l help -d 'Print help'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -s V -l version -d 'Print version'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "backfill" -d 'Create a backfill job for a tenant and run it to the end'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "status" -d 'Show jobs as a table, or one job\'s story'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "resume" -d 'Continue a failed, paused or interrupted job from its checkpoint'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "completions" -d 'Print shell completions (the committed ones live in completions/)'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l tenant -d 'The tenant whose memories receive the mail' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l source -d 'Where the mail comes from: mbox:PATH, maildir:PATH or eml:PATH' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l mailbox -d 'Mailbox name recorded in the ledger [default: the export\'s file or folder name]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l chunk-size -d 'Messages per chunk: one source page, one embedding batch, one transaction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l max-body-bytes -d 'Cap on the text body handed to extraction and embedding, in bytes' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l heartbeat -d 'How often the heartbeat is renewed while the job runs' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l lance-uri -d 'LanceDB location [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -s h -l help -d 'Print help'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l tenant -d 'Only this tenant\'s jobs' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l state -d 'Only jobs in this state' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l limit -d 'At most this many jobs, newest first' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l lance-uri -d 'LanceDB location [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l json -d 'One JSON document on stdout instead of a table'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -s h -l help -d 'Print help'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l stale-after -d 'A `running` job counts as interrupted when its heartbeat is older than this (or at once when its owner was a process on this host that is gone)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l heartbeat -d 'How often the heartbeat is renewed while the job runs' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l lance-uri -d 'LanceDB location [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -s h -l help -d 'Print help'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l lance-uri -d 'LanceDB location [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -s h -l help -d 'Print help'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill status resume completions help" -f -a "backfill" -d 'Create a backfill job for a tenant and run it to the end'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill status resume completions help" -f -a "status" -d 'Show jobs as a table, or one job\'s story'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill status resume completions help" -f -a "resume" -d 'Continue a failed, paused or interrupted job from its checkpoint'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill status resume completions help" -f -a "completions" -d 'Print shell completions (the committed ones live in completions/)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill status resume completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
