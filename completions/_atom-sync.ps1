
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'atom-sync' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'atom-sync'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'atom-sync' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('backfill', 'backfill', [CompletionResultType]::ParameterValue, 'Create a backfill job for a tenant and run it to the end')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Bring Graph mailboxes up to date: new, changed and deleted mail since the last sync')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show jobs as a table, or one job''s story')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Continue a failed, paused or interrupted job from its checkpoint')
            [CompletionResult]::new('worker', 'worker', [CompletionResultType]::ParameterValue, 'Claim and run pending jobs until stopped (SIGTERM / Ctrl-C) or, with --once, drained')
            [CompletionResult]::new('reap', 'reap', [CompletionResultType]::ParameterValue, 'Re-queue jobs whose owner went silent (for cron); fail them after --max-attempts')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Pause a job: at once if pending, within one heartbeat if running')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a job: at once if pending, within one heartbeat if running')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that a tenant''s memories are complete and consistent; --repair fixes them')
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Find the messages nearest to a query in a tenant''s vector memory')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'Show an entity of a tenant''s graph: aliases, edges and the messages behind them')
            [CompletionResult]::new('compact', 'compact', [CompletionResultType]::ParameterValue, 'Merge the vector table''s small files and drop old versions (for cron)')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Tenants'' own provider keys (BYOK), encrypted at rest')
            [CompletionResult]::new('embedder', 'embedder', [CompletionResultType]::ParameterValue, 'Which model computes a tenant''s vectors: the local one, or an OpenAI-compatible one')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions (the committed ones live in completions/)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'atom-sync;backfill' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'The tenant whose memories receive the mail')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Where the mail comes from: graph (Microsoft Graph; with --mailbox or --all-mailboxes), mbox:PATH, maildir:PATH or eml:PATH')
            [CompletionResult]::new('--mailbox', '--mailbox', [CompletionResultType]::ParameterName, 'Graph: a user id or principal name, one job each (repeatable). Exports: the mailbox name recorded in the ledger [default: the export''s file or folder name]')
            [CompletionResult]::new('--folder', '--folder', [CompletionResultType]::ParameterName, 'Graph: only these folders (ids or well-known names such as inbox, sentitems, archive; repeatable) [default: every folder]')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Graph: only mail received within this span before now (e.g. 90d) [default: the whole history]')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Graph: only mail received at or after this time (2026-01-31 or RFC 3339)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Graph: only mail received before this time [default: now, fixed when the job is created]')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'Graph: the span of received time one listing query covers')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Messages per chunk: one source page (Graph `$top`, at most 1000; repeated 504s halve it down to 25), one embedding batch, one transaction')
            [CompletionResult]::new('--max-body-bytes', '--max-body-bytes', [CompletionResultType]::ParameterName, 'Cap on the text body handed to extraction and embedding, in bytes')
            [CompletionResult]::new('--max-llm-tokens', '--max-llm-tokens', [CompletionResultType]::ParameterName, 'Tokens after which the job''s LLM extraction pauses (vectors and rules go on); re-run with a higher cap to finish, memoised answers cost nothing')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'How often the heartbeat is renewed while the job runs')
            [CompletionResult]::new('--llm-input-price', '--llm-input-price', [CompletionResultType]::ParameterName, 'For --dry-run: the model''s price per million input tokens, in dollars')
            [CompletionResult]::new('--llm-output-price', '--llm-output-price', [CompletionResultType]::ParameterName, 'For --dry-run: the model''s price per million output tokens, in dollars')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('--all-mailboxes', '--all-mailboxes', [CompletionResultType]::ParameterName, 'Graph: every user that has a mailbox (listed from /users), one job each')
            [CompletionResult]::new('--detach', '--detach', [CompletionResultType]::ParameterName, 'Only enqueue the job(s) (for `atom-sync worker`s) and print their ids')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Read the source and print what the backfill would cost (messages, LLM tokens, dollars); write nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;sync' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'The tenant whose memories are brought up to date')
            [CompletionResult]::new('--mailbox', '--mailbox', [CompletionResultType]::ParameterName, 'A user id or principal name, one job each (repeatable)')
            [CompletionResult]::new('--folder', '--folder', [CompletionResultType]::ParameterName, 'Graph: only these folders (ids or well-known names such as inbox, sentitems, archive; repeatable) [default: every folder]')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Messages per chunk (Graph''s odata.maxpagesize, at most 1000)')
            [CompletionResult]::new('--max-body-bytes', '--max-body-bytes', [CompletionResultType]::ParameterName, 'Cap on the text body handed to extraction and embedding, in bytes')
            [CompletionResult]::new('--max-llm-tokens', '--max-llm-tokens', [CompletionResultType]::ParameterName, 'Tokens after which the job''s LLM extraction pauses (vectors and rules go on); re-run with a higher cap to finish, memoised answers cost nothing')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'How often the heartbeat is renewed while the job runs')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('--all-mailboxes', '--all-mailboxes', [CompletionResultType]::ParameterName, 'Graph: every user that has a mailbox (listed from /users), one job each')
            [CompletionResult]::new('--detach', '--detach', [CompletionResultType]::ParameterName, 'Only enqueue the job(s) (for `atom-sync worker`s) and print their ids')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;status' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Only this tenant''s jobs')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Only jobs in this state')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many jobs, newest first')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Redraw the table every interval until interrupted')
            [CompletionResult]::new('--stale-after', '--stale-after', [CompletionResultType]::ParameterName, 'Mark running jobs whose heartbeat is older than this as stale')
            [CompletionResult]::new('--wedged-after', '--wedged-after', [CompletionResultType]::ParameterName, 'Mark running jobs that committed no chunk for this long as wedged')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON document on stdout instead of a table')
            [CompletionResult]::new('--metrics', '--metrics', [CompletionResultType]::ParameterName, 'Prometheus text-format metrics (jobs by state, stale and wedged jobs, messages per tenant) instead of a table')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;resume' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Every unfinished job of this tenant (failed, paused, cancelled, stale)')
            [CompletionResult]::new('--stale-after', '--stale-after', [CompletionResultType]::ParameterName, 'A `running` job counts as interrupted when its heartbeat is older than this (or at once when its owner was a process on this host that is gone)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'How often the heartbeat is renewed while the job runs')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('--rerun', '--rerun', [CompletionResultType]::ParameterName, 'Re-run a completed job''s whole range (an incident re-run; idempotent)')
            [CompletionResult]::new('--detach', '--detach', [CompletionResultType]::ParameterName, 'Only re-queue, for `atom-sync worker`s to pick up')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;worker' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Only this tenant''s jobs [default: every tenant]')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Jobs run at once by this process')
            [CompletionResult]::new('--poll', '--poll', [CompletionResultType]::ParameterName, 'How often an idle worker looks for pending jobs')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'How often the heartbeat is renewed while the job runs')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'Drain the pending jobs, then exit (instead of polling forever)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;reap' {
            [CompletionResult]::new('--stale-after', '--stale-after', [CompletionResultType]::ParameterName, 'A running job whose heartbeat is older than this has lost its owner')
            [CompletionResult]::new('--no-progress-for', '--no-progress-for', [CompletionResultType]::ParameterName, 'Also reap jobs that beat but committed no chunk for this long (wedged)')
            [CompletionResult]::new('--max-attempts', '--max-attempts', [CompletionResultType]::ParameterName, 'Fail a job for good instead of re-queueing it once it was claimed this often')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Only this tenant''s jobs')
            [CompletionResult]::new('--metrics-file', '--metrics-file', [CompletionResultType]::ParameterName, 'After reaping, write Prometheus metrics to this file (atomically), e.g. for node_exporter''s textfile collector')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be done; change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON document on stdout')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation on a terminal')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation on a terminal')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;pause' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;cancel' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;verify' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'The tenant to verify')
            [CompletionResult]::new('--mailbox', '--mailbox', [CompletionResultType]::ParameterName, 'Only this mailbox')
            [CompletionResult]::new('--job', '--job', [CompletionResultType]::ParameterName, 'Only this job (id or prefix): its mailbox, counters and source')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('--against-source', '--against-source', [CompletionResultType]::ParameterName, 'Also compare the ledger with the message ids the source holds now')
            [CompletionResult]::new('--repair', '--repair', [CompletionResultType]::ParameterName, 'Fix what can be fixed in place (re-embed, drop orphans, recount), then verify again')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON document on stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;search' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'The tenant whose memory is searched')
            [CompletionResult]::new('--mailbox', '--mailbox', [CompletionResultType]::ParameterName, 'Only this mailbox')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Only messages sent on or after this date (YYYY-MM-DD or RFC 3339)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Only messages sent before this date (YYYY-MM-DD or RFC 3339)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many results')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many results')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'vector: by meaning (the tenant''s embedder); text: by words (BM25 over subject and body); hybrid: both, fused by rank')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON document on stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;graph' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'The tenant whose graph is read')
            [CompletionResult]::new('--entity', '--entity', [CompletionResultType]::ParameterName, 'A name, an alias, an email address or a node key (e.g. org:enron.com)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Edges shown per entity, heaviest first')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON document on stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;compact' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON document on stdout')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;keys' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a tenant''s key (read from a hidden prompt, or from stdin when piped)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show tenants, providers and masked keys')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a tenant''s key')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'atom-sync;keys;set' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'tenant')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'e.g. openai (case does not matter)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The key''s name, e.g. OPENAI_API_KEY (case does not matter) [default: PROVIDER_api_key]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;keys;list' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'tenant')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;keys;remove' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'tenant')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'provider')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The key''s name (case does not matter) [default: PROVIDER_api_key]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;keys;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a tenant''s key (read from a hidden prompt, or from stdin when piped)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show tenants, providers and masked keys')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a tenant''s key')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'atom-sync;keys;help;set' {
            break
        }
        'atom-sync;keys;help;list' {
            break
        }
        'atom-sync;keys;help;remove' {
            break
        }
        'atom-sync;keys;help;help' {
            break
        }
        'atom-sync;embedder' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Choose a tenant''s embedder, from its next job on')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show tenants'' embedders and their vector tables')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'atom-sync;embedder;set' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'tenant')
            [CompletionResult]::new('--dimensions', '--dimensions', [CompletionResultType]::ParameterName, 'The vectors'' dimension, for openai models (sent with each request; names the table)')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;embedder;show' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'tenant')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;embedder;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Choose a tenant''s embedder, from its next job on')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show tenants'' embedders and their vector tables')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'atom-sync;embedder;help;set' {
            break
        }
        'atom-sync;embedder;help;show' {
            break
        }
        'atom-sync;embedder;help;help' {
            break
        }
        'atom-sync;completions' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--graph-tenant-id', '--graph-tenant-id', [CompletionResultType]::ParameterName, 'Directory (tenant) id of the Entra app registration')
            [CompletionResult]::new('--graph-client-id', '--graph-client-id', [CompletionResultType]::ParameterName, 'Application (client) id of the app registration')
            [CompletionResult]::new('--graph-client-secret', '--graph-client-secret', [CompletionResultType]::ParameterName, 'Client secret of the app (prefer the environment: flags show in `ps`)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Graph API base URL')
            [CompletionResult]::new('--login-url', '--login-url', [CompletionResultType]::ParameterName, 'Microsoft identity platform base URL (tokens)')
            [CompletionResult]::new('--graph-timeout', '--graph-timeout', [CompletionResultType]::ParameterName, 'Connect and total timeout of every Graph call')
            [CompletionResult]::new('--graph-max-in-flight', '--graph-max-in-flight', [CompletionResultType]::ParameterName, 'Graph requests in flight per mailbox, across this process')
            [CompletionResult]::new('--graph-max-retries', '--graph-max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed Graph call (429, 5xx, timeouts) before the job fails')
            [CompletionResult]::new('--graph-retry-base', '--graph-retry-base', [CompletionResultType]::ParameterName, 'First backoff between retries (doubles each time, with jitter) when Graph sends no Retry-After')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible API base URL')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Chat model for extraction')
            [CompletionResult]::new('--llm-concurrency', '--llm-concurrency', [CompletionResultType]::ParameterName, 'LLM requests in flight per job')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Timeout of one LLM or embedding request')
            [CompletionResult]::new('--llm-key-name', '--llm-key-name', [CompletionResultType]::ParameterName, 'Which of a tenant''s keys to use (case does not matter)')
            [CompletionResult]::new('--llm-requests-per-minute', '--llm-requests-per-minute', [CompletionResultType]::ParameterName, 'Chat requests per minute this process sends per key (default: no limit)')
            [CompletionResult]::new('--llm-tokens-per-minute', '--llm-tokens-per-minute', [CompletionResultType]::ParameterName, 'Chat tokens per minute this process spends per key (default: no limit)')
            [CompletionResult]::new('--embed-batch-size', '--embed-batch-size', [CompletionResultType]::ParameterName, 'Inputs per embedding request, for tenants with an OpenAI-compatible embedder')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--llm-operator-key', '--llm-operator-key', [CompletionResultType]::ParameterName, 'Use the operator''s key in ATOM_SYNC_LLM_API_KEY for tenants without a key of their own')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;help' {
            [CompletionResult]::new('backfill', 'backfill', [CompletionResultType]::ParameterValue, 'Create a backfill job for a tenant and run it to the end')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Bring Graph mailboxes up to date: new, changed and deleted mail since the last sync')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show jobs as a table, or one job''s story')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Continue a failed, paused or interrupted job from its checkpoint')
            [CompletionResult]::new('worker', 'worker', [CompletionResultType]::ParameterValue, 'Claim and run pending jobs until stopped (SIGTERM / Ctrl-C) or, with --once, drained')
            [CompletionResult]::new('reap', 'reap', [CompletionResultType]::ParameterValue, 'Re-queue jobs whose owner went silent (for cron); fail them after --max-attempts')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Pause a job: at once if pending, within one heartbeat if running')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a job: at once if pending, within one heartbeat if running')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that a tenant''s memories are complete and consistent; --repair fixes them')
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Find the messages nearest to a query in a tenant''s vector memory')
            [CompletionResult]::new('graph', 'graph', [CompletionResultType]::ParameterValue, 'Show an entity of a tenant''s graph: aliases, edges and the messages behind them')
            [CompletionResult]::new('compact', 'compact', [CompletionResultType]::ParameterValue, 'Merge the vector table''s small files and drop old versions (for cron)')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Tenants'' own provider keys (BYOK), encrypted at rest')
            [CompletionResult]::new('embedder', 'embedder', [CompletionResultType]::ParameterValue, 'Which model computes a tenant''s vectors: the local one, or an OpenAI-compatible one')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions (the committed ones live in completions/)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'atom-sync;help;backfill' {
            break
        }
        'atom-sync;help;sync' {
            break
        }
        'atom-sync;help;status' {
            break
        }
        'atom-sync;help;resume' {
            break
        }
        'atom-sync;help;worker' {
            break
        }
        'atom-sync;help;reap' {
            break
        }
        'atom-sync;help;pause' {
            break
        }
        'atom-sync;help;cancel' {
            break
        }
        'atom-sync;help;verify' {
            break
        }
        'atom-sync;help;search' {
            break
        }
        'atom-sync;help;graph' {
            break
        }
        'atom-sync;help;compact' {
            break
        }
        'atom-sync;help;keys' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a tenant''s key (read from a hidden prompt, or from stdin when piped)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show tenants, providers and masked keys')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a tenant''s key')
            break
        }
        'atom-sync;help;keys;set' {
            break
        }
        'atom-sync;help;keys;list' {
            break
        }
        'atom-sync;help;keys;remove' {
            break
        }
        'atom-sync;help;embedder' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Choose a tenant''s embedder, from its next job on')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show tenants'' embedders and their vector tables')
            break
        }
        'atom-sync;help;embedder;set' {
            break
        }
        'atom-sync;help;embedder;show' {
            break
        }
        'atom-sync;help;completions' {
            break
        }
        'atom-sync;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
