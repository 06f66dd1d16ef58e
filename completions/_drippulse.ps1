
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'drippulse' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'drippulse'
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
        'drippulse' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API origin, without the /api/v1 prefix')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory for the ledger (ledger.sqlite3) and rejects files')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: human text on stderr, or JSON on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API response before giving up on it')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Run against the built-in sandbox instead of a real server')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('enroll', 'enroll', [CompletionResultType]::ParameterValue, 'Enroll contacts from files, standard input or flags into a workflow')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List a workflow''s enrollments on the server')
            [CompletionResult]::new('reconcile', 'reconcile', [CompletionResultType]::ParameterValue, 'Settle contacts whose enrollment outcome is unknown, without sending')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete enrollments: mistaken ones by id or email, or a whole earlier run')
            [CompletionResult]::new('execute-agent', 'execute-agent', [CompletionResultType]::ParameterValue, 'Run a workflow agent once, even when the call is retried')
            [CompletionResult]::new('ledger', 'ledger', [CompletionResultType]::ParameterValue, 'Inspect the local ledger: runs, entries, export, integrity')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'Run the built-in DripPulse API emulation')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff) to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'drippulse;enroll' {
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Workflow to enroll the contacts into')
            [CompletionResult]::new('--workflow', '--workflow', [CompletionResultType]::ParameterName, 'Workflow to enroll the contacts into')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Input format; by default taken from each file''s extension (.csv, .tsv, .json, .ndjson, .jsonl), and CSV for standard input')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV delimiter, one character (use `\t` for tab); by default taken from an Excel `sep=X` first line, else detected from the header line among `,` `;` tab and `|`')
            [CompletionResult]::new('--map', '--map', [CompletionResultType]::ParameterName, 'Take a field from a named column, overriding the built-in header aliases. FIELD is email, first_name, last_name, company_name or lead_ref. Repeatable')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'Text encoding of the input files: `auto`, `utf-8`, `windows-1252`, `utf-16le`, or another WHATWG label (`latin1` means Windows-1252)')
            [CompletionResult]::new('--email-column', '--email-column', [CompletionResultType]::ParameterName, 'Column (1-based) that contains the email address. It wins over header names, so it also settles two columns with the same email name')
            [CompletionResult]::new('--map-file', '--map-file', [CompletionResultType]::ParameterName, 'Read FIELD=COLUMN mappings from a file, one per line; lines starting with `#` are comments. --map flags win over the file''s entries')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Contact identity: `email` (compared case-insensitively) or a column name, such as a signup id, whose value is unique per contact')
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'Enroll one contact with this address instead of reading files')
            [CompletionResult]::new('--first-name', '--first-name', [CompletionResultType]::ParameterName, 'First name of the contact given with --email')
            [CompletionResult]::new('--last-name', '--last-name', [CompletionResultType]::ParameterName, 'Last name of the contact given with --email')
            [CompletionResult]::new('--field', '--field', [CompletionResultType]::ParameterName, 'Extra field of the contact given with --email. Repeatable')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Contacts per bulk-enroll call')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Bulk-enroll calls in flight at once')
            [CompletionResult]::new('--rejects', '--rejects', [CompletionResultType]::ParameterName, 'File for rejected rows and duplicates; by default a new file under <data-dir>/rejects/ named after the workflow and the start time')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'Seconds to wait for another run that is using the ledger; by default a second run exits at once with code 5')
            [CompletionResult]::new('--settle-secs', '--settle-secs', [CompletionResultType]::ParameterName, 'Seconds a contact whose outcome is unknown must have been absent from the server''s list before it is sent again; default 300, or with --sandbox the sandbox''s list lag (0 unless a fault switch sets one)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API origin, without the /api/v1 prefix')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory for the ledger (ledger.sqlite3) and rejects files')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: human text on stderr, or JSON on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API response before giving up on it')
            [CompletionResult]::new('--no-header', '--no-header', [CompletionResultType]::ParameterName, 'Read CSV files without a header row: every line is data, and the address is in column 1 or the column given with --email-column. Other columns are sent only when --map names them by number')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Stop before sending anything when any input row is rejected (exit 1); the rejects file still lists them. Duplicates do not count')
            [CompletionResult]::new('--re-enroll', '--re-enroll', [CompletionResultType]::ParameterName, 'Send contacts again whose enrollment was deleted with `drippulse delete`; by default they are held back and counted in the summary')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Read, validate and check the ledger, then report what would be sent. Sends nothing and writes nothing to the ledger')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Run against the built-in sandbox instead of a real server')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'drippulse;list' {
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Workflow whose enrollments to list')
            [CompletionResult]::new('--workflow', '--workflow', [CompletionResultType]::ParameterName, 'Workflow whose enrollments to list')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only enrollments with this status, e.g. active')
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'Only enrollments of this address (compared case-insensitively)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Stop after this many enrollments')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API origin, without the /api/v1 prefix')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory for the ledger (ledger.sqlite3) and rejects files')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: human text on stderr, or JSON on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API response before giving up on it')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Run against the built-in sandbox instead of a real server')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'drippulse;reconcile' {
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Workflow whose unknown contacts to settle')
            [CompletionResult]::new('--workflow', '--workflow', [CompletionResultType]::ParameterName, 'Workflow whose unknown contacts to settle')
            [CompletionResult]::new('--settle-secs', '--settle-secs', [CompletionResultType]::ParameterName, 'Seconds a contact must have been absent from the list before it is queued again; default 300, or with --sandbox the sandbox''s list lag')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'Seconds to wait for another run that is using the ledger')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API origin, without the /api/v1 prefix')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory for the ledger (ledger.sqlite3) and rejects files')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: human text on stderr, or JSON on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API response before giving up on it')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Run against the built-in sandbox instead of a real server')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'drippulse;delete' {
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Workflow to delete enrollments from')
            [CompletionResult]::new('--workflow', '--workflow', [CompletionResultType]::ParameterName, 'Workflow to delete enrollments from')
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'Delete every enrollment of this address. Repeatable')
            [CompletionResult]::new('--run', '--run', [CompletionResultType]::ParameterName, 'Delete every enrollment that this earlier run created (see `drippulse ledger runs`)')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Read enrollment ids or email addresses from a file: one per line, or a CSV with a column named id, enrollment_id or email')
            [CompletionResult]::new('--expect-count', '--expect-count', [CompletionResultType]::ParameterName, 'The exact number of enrollments you expect to delete; required above 100')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'Seconds to wait for another run that is using the ledger')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API origin, without the /api/v1 prefix')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory for the ledger (ledger.sqlite3) and rejects files')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: human text on stderr, or JSON on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API response before giving up on it')
            [CompletionResult]::new('--include-adopted', '--include-adopted', [CompletionResultType]::ParameterName, 'With --run, also delete enrollments the run found already on the server and adopted, which drippulse did not create')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Delete without asking')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Delete without asking')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be deleted, then stop')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Run against the built-in sandbox instead of a real server')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'drippulse;execute-agent' {
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'A JSON object to send as the payload; `-` reads standard input')
            [CompletionResult]::new('--field', '--field', [CompletionResultType]::ParameterName, 'A payload field as KEY=VALUE (a string). Repeatable')
            [CompletionResult]::new('--idempotency-key', '--idempotency-key', [CompletionResultType]::ParameterName, 'The idempotency key to send, instead of the derived one')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API origin, without the /api/v1 prefix')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory for the ledger (ledger.sqlite3) and rejects files')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: human text on stderr, or JSON on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API response before giving up on it')
            [CompletionResult]::new('--new-run', '--new-run', [CompletionResultType]::ParameterName, 'Run the agent again with the same payload, under a new key')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Run against the built-in sandbox instead of a real server')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'drippulse;ledger' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API origin, without the /api/v1 prefix')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory for the ledger (ledger.sqlite3) and rejects files')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: human text on stderr, or JSON on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API response before giving up on it')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Run against the built-in sandbox instead of a real server')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'List every run: id, times, workflow, inputs and their SHA-256, counts, exit code')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the ledger''s entries for a workflow')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write every entry to a file for spreadsheets, as CSV or JSON')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the ledger''s integrity and count its entries per state')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'drippulse;ledger;runs' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API origin, without the /api/v1 prefix')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory for the ledger (ledger.sqlite3) and rejects files')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: human text on stderr, or JSON on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API response before giving up on it')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Run against the built-in sandbox instead of a real server')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'drippulse;ledger;show' {
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Workflow whose entries to show')
            [CompletionResult]::new('--workflow', '--workflow', [CompletionResultType]::ParameterName, 'Workflow whose entries to show')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Only entries in this state: planned, sending, sent, rejected, unknown, needs_review, deleting or deleted')
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'Only entries of this address (compared case-insensitively)')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API origin, without the /api/v1 prefix')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory for the ledger (ledger.sqlite3) and rejects files')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: human text on stderr, or JSON on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API response before giving up on it')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Run against the built-in sandbox instead of a real server')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'drippulse;ledger;export' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'File format; by default CSV, or JSON with `--output json`')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Only entries of this workflow')
            [CompletionResult]::new('--workflow', '--workflow', [CompletionResultType]::ParameterName, 'Only entries of this workflow')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API origin, without the /api/v1 prefix')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory for the ledger (ledger.sqlite3) and rejects files')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: human text on stderr, or JSON on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API response before giving up on it')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Run against the built-in sandbox instead of a real server')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'drippulse;ledger;check' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API origin, without the /api/v1 prefix')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory for the ledger (ledger.sqlite3) and rejects files')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: human text on stderr, or JSON on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API response before giving up on it')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Run against the built-in sandbox instead of a real server')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'drippulse;ledger;help' {
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'List every run: id, times, workflow, inputs and their SHA-256, counts, exit code')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the ledger''s entries for a workflow')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write every entry to a file for spreadsheets, as CSV or JSON')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the ledger''s integrity and count its entries per state')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'drippulse;ledger;help;runs' {
            break
        }
        'drippulse;ledger;help;show' {
            break
        }
        'drippulse;ledger;help;export' {
            break
        }
        'drippulse;ledger;help;check' {
            break
        }
        'drippulse;ledger;help;help' {
            break
        }
        'drippulse;sandbox' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API origin, without the /api/v1 prefix')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory for the ledger (ledger.sqlite3) and rejects files')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: human text on stderr, or JSON on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API response before giving up on it')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Run against the built-in sandbox instead of a real server')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the emulated API until interrupted')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'drippulse;sandbox;serve' {
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Address to listen on; port 0 picks a free port')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'SQLite file that keeps the sandbox''s state between restarts; by default the state lives in memory')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Requests per second allowed before returning 429 with Retry-After; 0 turns the limit off')
            [CompletionResult]::new('--max-batch', '--max-batch', [CompletionResultType]::ParameterName, 'Maximum number of contacts in one bulk-enroll request. Larger requests get 413 and create nothing')
            [CompletionResult]::new('--fault', '--fault', [CompletionResultType]::ParameterName, 'Fault to inject on purpose, as NAME=VALUE. Repeat it or separate entries with commas')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API origin, without the /api/v1 prefix')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory for the ledger (ledger.sqlite3) and rejects files')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: human text on stderr, or JSON on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API response before giving up on it')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Run against the built-in sandbox instead of a real server')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'drippulse;sandbox;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the emulated API until interrupted')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'drippulse;sandbox;help;serve' {
            break
        }
        'drippulse;sandbox;help;help' {
            break
        }
        'drippulse;completions' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API origin, without the /api/v1 prefix')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory for the ledger (ledger.sqlite3) and rejects files')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: human text on stderr, or JSON on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API response before giving up on it')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Run against the built-in sandbox instead of a real server')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'drippulse;man' {
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'API origin, without the /api/v1 prefix')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory for the ledger (ledger.sqlite3) and rejects files')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: human text on stderr, or JSON on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API response before giving up on it')
            [CompletionResult]::new('--sandbox', '--sandbox', [CompletionResultType]::ParameterName, 'Run against the built-in sandbox instead of a real server')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the data itself')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail; repeat (-vv) for debug logs')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw a progress bar, even on a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'drippulse;help' {
            [CompletionResult]::new('enroll', 'enroll', [CompletionResultType]::ParameterValue, 'Enroll contacts from files, standard input or flags into a workflow')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List a workflow''s enrollments on the server')
            [CompletionResult]::new('reconcile', 'reconcile', [CompletionResultType]::ParameterValue, 'Settle contacts whose enrollment outcome is unknown, without sending')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete enrollments: mistaken ones by id or email, or a whole earlier run')
            [CompletionResult]::new('execute-agent', 'execute-agent', [CompletionResultType]::ParameterValue, 'Run a workflow agent once, even when the call is retried')
            [CompletionResult]::new('ledger', 'ledger', [CompletionResultType]::ParameterValue, 'Inspect the local ledger: runs, entries, export, integrity')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'Run the built-in DripPulse API emulation')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff) to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'drippulse;help;enroll' {
            break
        }
        'drippulse;help;list' {
            break
        }
        'drippulse;help;reconcile' {
            break
        }
        'drippulse;help;delete' {
            break
        }
        'drippulse;help;execute-agent' {
            break
        }
        'drippulse;help;ledger' {
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'List every run: id, times, workflow, inputs and their SHA-256, counts, exit code')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the ledger''s entries for a workflow')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write every entry to a file for spreadsheets, as CSV or JSON')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the ledger''s integrity and count its entries per state')
            break
        }
        'drippulse;help;ledger;runs' {
            break
        }
        'drippulse;help;ledger;show' {
            break
        }
        'drippulse;help;ledger;export' {
            break
        }
        'drippulse;help;ledger;check' {
            break
        }
        'drippulse;help;sandbox' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the emulated API until interrupted')
            break
        }
        'drippulse;help;sandbox;serve' {
            break
        }
        'drippulse;help;completions' {
            break
        }
        'drippulse;help;man' {
            break
        }
        'drippulse;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
