# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_atom_sync_global_optspecs
    string join \n data-dir= database-url= lance-uri= lance-s3-endpoint= lance-storage-option= v/verbose q/quiet log-format= db-statement-timeout= db-lock-timeout= db-idle-in-transaction-timeout= graph-tenant-id= graph-client-id= graph-client-secret= graph-url= login-url= graph-timeout= graph-max-in-flight= graph-request-budget= graph-max-retries= graph-retry-base= llm-base-url= llm-model= llm-concurrency= llm-timeout= llm-key-name= llm-operator-key llm-requests-per-minute= llm-tokens-per-minute= llm-max-retries= llm-retry-base= embed-batch-size= h/help V/version
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
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_needs_command" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -s V -l version -d 'Print version'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "backfill" -d 'Create a backfill job for a tenant and run it to the end'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "sync" -d 'Bring Graph mailboxes up to date: new, changed and deleted mail since the last sync'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "status" -d 'Show jobs as a table, or one job\'s story'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "resume" -d 'Continue a failed, paused or interrupted job from its checkpoint'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "worker" -d 'Claim and run pending jobs until stopped (SIGTERM / Ctrl-C) or, with --once, drained'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "reap" -d 'Re-queue jobs whose owner went silent (for cron); fail them after --max-attempts'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "pause" -d 'Pause a job: at once if pending, within one heartbeat if running'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "cancel" -d 'Cancel a job: at once if pending, within one heartbeat if running'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "verify" -d 'Check that a tenant\'s memories are complete and consistent; --repair fixes them'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "search" -d 'Find the messages nearest to a query in a tenant\'s vector memory'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "graph" -d 'Show an entity of a tenant\'s graph: aliases, edges and the messages behind them'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "compact" -d 'Merge the vector table\'s small files and drop old versions (for cron)'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "purge" -d 'Remove a tenant, or one of its mailboxes, from both memories (offboarding, privacy requests)'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "connect" -d 'A tenant\'s own Microsoft 365 connection (directory, app, secret or certificate), sealed'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "keys" -d 'Tenants\' own provider keys (BYOK), encrypted at rest'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "embedder" -d 'Which model computes a tenant\'s vectors: the local one, or an OpenAI-compatible one'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "doctor" -d 'Check this machine against the fleet: database, TLS, schema, vectors, master key, Graph, LLM keys'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "migrate" -d 'Bring the store\'s schema up to date (Postgres: once per upgrade, before restarting workers)'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "completions" -d 'Print shell completions (the committed ones live in completions/)'
complete -c atom-sync -n "__fish_atom_sync_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l tenant -d 'The tenant whose memories receive the mail' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l source -d 'Where the mail comes from: graph (Microsoft Graph; with --mailbox or --all-mailboxes), mbox:PATH, maildir:PATH or eml:PATH' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l mailbox -d 'Graph: a user id or principal name, one job each (repeatable). Exports: the mailbox name recorded in the ledger [default: the export\'s file or folder name]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l mailboxes-from -d 'Graph: the mailboxes listed in FILE, one per line (blank lines and # comments ignored), with any --mailbox' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l exclude -d 'Graph: leave this mailbox out (repeatable; with --all-mailboxes or a list)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l folder -d 'Graph: only these folders (ids or well-known names such as inbox, sentitems, archive; repeatable) [default: every folder]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l since -d 'Graph: only mail received within this span before now (e.g. 90d) [default: the whole history]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l from -d 'Graph: only mail received at or after this time (2026-01-31 or RFC 3339)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l to -d 'Graph: only mail received before this time [default: now, fixed when the job is created]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l window -d 'Graph: no longer used (the listing seeks to where mail is, whatever its spread); accepted so old command lines still run' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l order -d 'Graph: which mail comes first; newest-first makes a tenant\'s memory useful within minutes of starting a full history' -r -f -a "oldest-first\t''
newest-first\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l chunk-size -d 'Messages per chunk: one source page (Graph `$top`, at most 1000; repeated 504s halve it down to 25), one embedding batch, one transaction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l max-body-bytes -d 'Cap on the text body handed to extraction and embedding, in bytes' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l max-llm-tokens -d 'Tokens after which the job\'s LLM extraction pauses (vectors and rules go on); re-run with a higher cap to finish, memoised answers cost nothing' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l heartbeat -d 'How often the heartbeat is renewed while the job runs' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l max-attempts -d 'A job that fails for a reason that may pass (database, Graph or provider unreachable) is retried until it has failed this often (rescues by the reaper count too)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l retry-backoff -d 'The first wait before such a retry; it doubles with each failure, up to 30 minutes' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l llm-input-price -d 'For --dry-run: the model\'s price per million input tokens, in dollars' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l llm-output-price -d 'For --dry-run: the model\'s price per million output tokens, in dollars' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l all-mailboxes -d 'Graph: every account of the directory that has a mailbox (shared mailboxes too; guests and accounts without one are skipped and listed), one job each'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l detach -d 'Only enqueue the job(s) (for `atom-sync worker`s) and print their ids'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l json -d 'One JSON document on stdout when done: the jobs as `status --json` shows them (with --dry-run: the estimate)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l dry-run -d 'Read the source and print what the backfill would cost (messages, LLM tokens, dollars); write nothing'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand backfill" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l tenant -d 'The tenant whose memories are brought up to date' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l mailbox -d 'A user id or principal name, one job each (repeatable)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l mailboxes-from -d 'Graph: the mailboxes listed in FILE, one per line (blank lines and # comments ignored), with any --mailbox' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l exclude -d 'Graph: leave this mailbox out (repeatable; with --all-mailboxes or a list)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l folder -d 'Graph: only these folders (ids or well-known names such as inbox, sentitems, archive; repeatable) [default: every folder]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l chunk-size -d 'Messages per chunk (Graph\'s odata.maxpagesize, at most 1000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l max-body-bytes -d 'Cap on the text body handed to extraction and embedding, in bytes' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l max-llm-tokens -d 'Tokens after which the job\'s LLM extraction pauses (vectors and rules go on); re-run with a higher cap to finish, memoised answers cost nothing' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l heartbeat -d 'How often the heartbeat is renewed while the job runs' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l max-attempts -d 'A job that fails for a reason that may pass (database, Graph or provider unreachable) is retried until it has failed this often (rescues by the reaper count too)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l retry-backoff -d 'The first wait before such a retry; it doubles with each failure, up to 30 minutes' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l all-mailboxes -d 'Graph: every account of the directory that has a mailbox (shared mailboxes too; guests and accounts without one are skipped and listed), one job each'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l detach -d 'Only enqueue the job(s) (for `atom-sync worker`s) and print their ids'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l json -d 'One JSON document on stdout when done: the jobs as `status --json` shows them (with --dry-run: the estimate)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l tenant -d 'Only this tenant\'s jobs' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l state -d 'Only jobs in this state' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l limit -d 'At most this many jobs, newest first' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l watch -d 'Redraw the table every interval until interrupted' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l stale-after -d 'Mark running jobs whose heartbeat is older than this as stale' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l wedged-after -d 'Mark running jobs that committed no chunk for this long as wedged' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l json -d 'One JSON document on stdout instead of a table'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l metrics -d 'Prometheus text-format metrics (jobs by state, stale and wedged jobs, messages per tenant) instead of a table'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l tenant -d 'Every unfinished job of this tenant (failed, paused, cancelled, stale)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l stale-after -d 'A `running` job counts as interrupted when its heartbeat is older than this (or at once when its owner was a process on this host that is gone)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l heartbeat -d 'How often the heartbeat is renewed while the job runs' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l max-attempts -d 'A job that fails for a reason that may pass (database, Graph or provider unreachable) is retried until it has failed this often (rescues by the reaper count too)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l retry-backoff -d 'The first wait before such a retry; it doubles with each failure, up to 30 minutes' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l rerun -d 'Re-run a completed job\'s whole range (an incident re-run; idempotent)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l detach -d 'Only re-queue, for `atom-sync worker`s to pick up'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l json -d 'One JSON document on stdout when done: the jobs as `status --json` shows them'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand resume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l tenant -d 'Only this tenant\'s jobs [default: every tenant]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l concurrency -d 'Jobs run at once by this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l poll -d 'How often an idle worker looks for pending jobs' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l heartbeat -d 'How often the heartbeat is renewed while the job runs' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l max-attempts -d 'A job that fails for a reason that may pass (database, Graph or provider unreachable) is retried until it has failed this often (rescues by the reaper count too)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l retry-backoff -d 'The first wait before such a retry; it doubles with each failure, up to 30 minutes' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l once -d 'Drain the pending jobs, then exit (instead of polling forever)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand worker" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l stale-after -d 'A running job whose heartbeat is older than this has lost its owner' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l no-progress-for -d 'Also reap jobs that beat but committed no chunk for this long (wedged)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l max-attempts -d 'Fail a job for good instead of re-queueing it once it was claimed this often' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l tenant -d 'Only this tenant\'s jobs' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l metrics-file -d 'After reaping, write Prometheus metrics to this file (atomically), e.g. for node_exporter\'s textfile collector' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l dry-run -d 'Show what would be done; change nothing'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l json -d 'One JSON document on stdout'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -s y -l yes -d 'Do not ask for confirmation on a terminal'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand reap" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l json -d 'One JSON document on stdout: the job as `status --json` shows it'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand pause" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l json -d 'One JSON document on stdout: the job as `status --json` shows it'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand cancel" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l tenant -d 'The tenant to verify' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l mailbox -d 'Only this mailbox' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l job -d 'Only this job (id or prefix): its mailbox, counters and source' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l against-source -d 'Also compare the ledger with the message ids the source holds now'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l repair -d 'Fix what can be fixed in place (re-embed, drop orphans, recount), then verify again'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l json -d 'One JSON document on stdout'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l tenant -d 'The tenant whose memory is searched' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l mailbox -d 'Only this mailbox' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l from -d 'Only messages sent on or after this date (YYYY-MM-DD or RFC 3339)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l to -d 'Only messages sent before this date (YYYY-MM-DD or RFC 3339)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -s n -l limit -d 'How many results' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l mode -d 'hybrid: words and meaning, fused by rank (best on the search benchmark); text: by words (BM25 over subject and body); vector: by meaning (the tenant\'s embedder)' -r -f -a "vector\t''
text\t''
hybrid\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l json -d 'One JSON document on stdout'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand search" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l tenant -d 'The tenant whose graph is read' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l entity -d 'A name, an alias, an email address or a node key (e.g. org:enron.com)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l limit -d 'Edges shown per entity, heaviest first' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l json -d 'One JSON document on stdout'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand graph" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l json -d 'One JSON document on stdout'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand compact" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l tenant -d 'The tenant to remove: its jobs, ledger, graph, memoised answers, vectors (every embedder\'s table), keys, connection and embedder choice' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l mailbox -d 'Only this mailbox: its jobs, ledger rows and delta links, and the vectors, graph support and memoised answers of messages no other mailbox holds' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l dry-run -d 'Show what would be removed; change nothing'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -s y -l yes -d 'Do not ask (required when there is no terminal to ask on)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l json -d 'One JSON document on stdout'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand purge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l tenant -d 'The tenant to connect (with --list: only its connection)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l directory -d 'The customer\'s directory: its Entra tenant id (or primary domain)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l client-id -d 'The application (client) id of the app registration the customer consented to' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l connection-graph-url -d 'The customer\'s Graph, for a national cloud (https://graph.microsoft.us/v1.0, …); the login host and token scope follow it [default: --graph-url]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l certificate -d 'Sign in with a certificate instead of a client secret: pipe a PEM holding the RSA private key and the certificate on stdin'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l list -d 'List connections (never their secrets)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l remove -d 'Remove the tenant\'s connection (its jobs then use the default credentials, if any)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l json -d 'Print JSON'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand connect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -f -a "set" -d 'Store a tenant\'s key (read from a hidden prompt, or from stdin when piped)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -f -a "list" -d 'Show tenants, providers and masked keys'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -f -a "remove" -d 'Delete a tenant\'s key'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and not __fish_seen_subcommand_from set list remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l tenant -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l provider -d 'e.g. openai (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l name -d 'The key\'s name, e.g. OPENAI_API_KEY (case does not matter) [default: PROVIDER_api_key]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l json -d 'Say what was stored as one JSON document on stdout (the key masked)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l tenant -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l json
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l tenant -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l provider -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l name -d 'The key\'s name (case does not matter) [default: PROVIDER_api_key]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l json -d 'Say what was removed as one JSON document on stdout'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "set" -d 'Store a tenant\'s key (read from a hidden prompt, or from stdin when piped)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "list" -d 'Show tenants, providers and masked keys'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Delete a tenant\'s key'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -f -a "set" -d 'Choose a tenant\'s embedder, from its next job on'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -f -a "show" -d 'Show tenants\' embedders and their vector tables'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and not __fish_seen_subcommand_from set show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l tenant -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l dimensions -d 'The vectors\' dimension, for openai models (sent with each request; names the table)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l json -d 'Say what was chosen as one JSON document on stdout'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l tenant -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l json
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from help" -f -a "set" -d 'Choose a tenant\'s embedder, from its next job on'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show tenants\' embedders and their vector tables'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand embedder; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l json -d 'Print {"ok", "checks": [{"check", "target", "status", "detail"}]}'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l json -d 'Print {"backend", "before", "after", "applied"} as JSON'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l data-dir -d 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]' -r -F
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l database-url -d 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l lance-uri -d 'LanceDB location: a directory, or s3://BUCKET/PATH shared by a fleet [default: lance/ inside the data dir]' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l lance-s3-endpoint -d 'An S3-compatible endpoint for an s3:// LanceDB location (MinIO, Ceph, R2, …); credentials and region from the standard AWS environment' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l lance-storage-option -d 'A LanceDB storage option for the LanceDB location, KEY=VALUE (repeatable; e.g. aws_region=eu-west-1)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l log-format -d 'Log line format on stderr' -r -f -a "text\t''
json\t''"
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l db-statement-timeout -d 'Postgres: longest a statement may run before the server cancels it' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l db-lock-timeout -d 'Postgres: longest a statement waits for a lock' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l db-idle-in-transaction-timeout -d 'Postgres: longest a transaction may sit idle before the server ends its session' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l graph-tenant-id -d 'Directory (tenant) id of the Entra app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l graph-client-id -d 'Application (client) id of the app registration' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l graph-client-secret -d 'Client secret of the app (prefer the environment: flags show in `ps`)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l graph-url -d 'Graph API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l login-url -d 'Microsoft identity platform base URL (tokens)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l graph-timeout -d 'Connect and total timeout of every Graph call' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l graph-max-in-flight -d 'Graph requests in flight per mailbox, across this process' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l graph-request-budget -d 'Requests per mailbox per 10 minutes, across this process (Microsoft allows 10,000)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l graph-max-retries -d 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l graph-retry-base -d 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l llm-base-url -d 'OpenAI-compatible API base URL' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l llm-model -d 'Chat model for extraction' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l llm-concurrency -d 'LLM requests in flight per job' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l llm-timeout -d 'Timeout of one LLM or embedding request' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l llm-key-name -d 'Which of a tenant\'s keys to use (case does not matter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l llm-requests-per-minute -d 'Chat requests per minute this process sends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l llm-tokens-per-minute -d 'Chat tokens per minute this process spends per key (default: no limit)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l llm-max-retries -d 'Retries of a failed LLM or embedding call (429, 5xx, timeouts) before it fails for good' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l llm-retry-base -d 'First backoff between LLM or embedding retries (doubles each time, with jitter)' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l embed-batch-size -d 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder' -r
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -s v -l verbose -d 'More log output (-v debug, -vv trace)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -s q -l quiet -d 'Only errors'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -l llm-operator-key -d 'Use the operator\'s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "backfill" -d 'Create a backfill job for a tenant and run it to the end'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "sync" -d 'Bring Graph mailboxes up to date: new, changed and deleted mail since the last sync'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "status" -d 'Show jobs as a table, or one job\'s story'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "resume" -d 'Continue a failed, paused or interrupted job from its checkpoint'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "worker" -d 'Claim and run pending jobs until stopped (SIGTERM / Ctrl-C) or, with --once, drained'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "reap" -d 'Re-queue jobs whose owner went silent (for cron); fail them after --max-attempts'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "pause" -d 'Pause a job: at once if pending, within one heartbeat if running'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "cancel" -d 'Cancel a job: at once if pending, within one heartbeat if running'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "verify" -d 'Check that a tenant\'s memories are complete and consistent; --repair fixes them'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "search" -d 'Find the messages nearest to a query in a tenant\'s vector memory'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "graph" -d 'Show an entity of a tenant\'s graph: aliases, edges and the messages behind them'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "compact" -d 'Merge the vector table\'s small files and drop old versions (for cron)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "purge" -d 'Remove a tenant, or one of its mailboxes, from both memories (offboarding, privacy requests)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "connect" -d 'A tenant\'s own Microsoft 365 connection (directory, app, secret or certificate), sealed'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "keys" -d 'Tenants\' own provider keys (BYOK), encrypted at rest'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "embedder" -d 'Which model computes a tenant\'s vectors: the local one, or an OpenAI-compatible one'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "doctor" -d 'Check this machine against the fleet: database, TLS, schema, vectors, master key, Graph, LLM keys'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "migrate" -d 'Bring the store\'s schema up to date (Postgres: once per upgrade, before restarting workers)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "completions" -d 'Print shell completions (the committed ones live in completions/)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and not __fish_seen_subcommand_from backfill sync status resume worker reap pause cancel verify search graph compact purge connect keys embedder doctor migrate completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "set" -d 'Store a tenant\'s key (read from a hidden prompt, or from stdin when piped)'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "list" -d 'Show tenants, providers and masked keys'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "remove" -d 'Delete a tenant\'s key'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and __fish_seen_subcommand_from embedder" -f -a "set" -d 'Choose a tenant\'s embedder, from its next job on'
complete -c atom-sync -n "__fish_atom_sync_using_subcommand help; and __fish_seen_subcommand_from embedder" -f -a "show" -d 'Show tenants\' embedders and their vector tables'
