
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
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('backfill', 'backfill', [CompletionResultType]::ParameterValue, 'Create a backfill job for a tenant and run it to the end')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show jobs as a table, or one job''s story')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Continue a failed, paused or interrupted job from its checkpoint')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions (the committed ones live in completions/)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'atom-sync;backfill' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'The tenant whose memories receive the mail')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Where the mail comes from: mbox:PATH, maildir:PATH or eml:PATH')
            [CompletionResult]::new('--mailbox', '--mailbox', [CompletionResultType]::ParameterName, 'Mailbox name recorded in the ledger [default: the export''s file or folder name]')
            [CompletionResult]::new('--chunk-size', '--chunk-size', [CompletionResultType]::ParameterName, 'Messages per chunk: one source page, one embedding batch, one transaction')
            [CompletionResult]::new('--max-body-bytes', '--max-body-bytes', [CompletionResultType]::ParameterName, 'Cap on the text body handed to extraction and embedding, in bytes')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'How often the heartbeat is renewed while the job runs')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;status' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Only this tenant''s jobs')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Only jobs in this state')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many jobs, newest first')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON document on stdout instead of a table')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;resume' {
            [CompletionResult]::new('--stale-after', '--stale-after', [CompletionResultType]::ParameterName, 'A `running` job counts as interrupted when its heartbeat is older than this (or at once when its owner was a process on this host that is gone)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'How often the heartbeat is renewed while the job runs')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;completions' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data dir of the embedded default (SQLite file + LanceDB dir) [default: $XDG_DATA_HOME/atom-sync]')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Use Postgres instead of the embedded SQLite (postgres://user@host/db)')
            [CompletionResult]::new('--lance-uri', '--lance-uri', [CompletionResultType]::ParameterName, 'LanceDB location [default: lance/ inside the data dir]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'atom-sync;help' {
            [CompletionResult]::new('backfill', 'backfill', [CompletionResultType]::ParameterValue, 'Create a backfill job for a tenant and run it to the end')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show jobs as a table, or one job''s story')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Continue a failed, paused or interrupted job from its checkpoint')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions (the committed ones live in completions/)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'atom-sync;help;backfill' {
            break
        }
        'atom-sync;help;status' {
            break
        }
        'atom-sync;help;resume' {
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
