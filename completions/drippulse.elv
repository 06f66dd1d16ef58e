
use builtin;
use str;

set edit:completion:arg-completer[drippulse] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'drippulse'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'drippulse'= {
            cand --api-url 'API origin, without the /api/v1 prefix'
            cand --data-dir 'Directory for the ledger (ledger.sqlite3) and rejects files'
            cand --output 'Output format: human text on stderr, or JSON on stdout'
            cand --timeout 'Seconds to wait for each API response before giving up on it'
            cand --sandbox 'Run against the built-in sandbox instead of a real server'
            cand -q 'Print only errors and the data itself'
            cand --quiet 'Print only errors and the data itself'
            cand -v 'Print more detail; repeat (-vv) for debug logs'
            cand --verbose 'Print more detail; repeat (-vv) for debug logs'
            cand --no-progress 'Never draw a progress bar, even on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand enroll 'Enroll contacts from files, standard input or flags into a workflow'
            cand list 'List a workflow''s enrollments on the server'
            cand reconcile 'Settle contacts whose enrollment outcome is unknown, without sending'
            cand delete 'Delete enrollments: mistaken ones by id or email, or a whole earlier run'
            cand execute-agent 'Run a workflow agent once, even when the call is retried'
            cand ledger 'Inspect the local ledger: runs, entries, export, integrity'
            cand sandbox 'Run the built-in DripPulse API emulation'
            cand completions 'Print a shell completion script to stdout'
            cand man 'Print the man page (roff) to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'drippulse;enroll'= {
            cand -w 'Workflow to enroll the contacts into'
            cand --workflow 'Workflow to enroll the contacts into'
            cand --format 'Input format; by default taken from each file''s extension (.csv, .tsv, .json, .ndjson, .jsonl), and CSV for standard input'
            cand --delimiter 'CSV delimiter, one character (use `\t` for tab); by default taken from an Excel `sep=X` first line, else detected from the header line among `,` `;` tab and `|`'
            cand --map 'Take a field from a named column, overriding the built-in header aliases. FIELD is email, first_name, last_name, company_name or lead_ref. Repeatable'
            cand --encoding 'Text encoding of the input files: `auto`, `utf-8`, `windows-1252`, `utf-16le`, or another WHATWG label (`latin1` means Windows-1252)'
            cand --email-column 'Column (1-based) that contains the email address. It wins over header names, so it also settles two columns with the same email name'
            cand --map-file 'Read FIELD=COLUMN mappings from a file, one per line; lines starting with `#` are comments. --map flags win over the file''s entries'
            cand --key 'Contact identity: `email` (compared case-insensitively) or a column name, such as a signup id, whose value is unique per contact'
            cand --email 'Enroll one contact with this address instead of reading files'
            cand --first-name 'First name of the contact given with --email'
            cand --last-name 'Last name of the contact given with --email'
            cand --field 'Extra field of the contact given with --email. Repeatable'
            cand --batch-size 'Contacts per bulk-enroll call'
            cand --concurrency 'Bulk-enroll calls in flight at once'
            cand --rejects 'File for rejected rows and duplicates; by default a new file under <data-dir>/rejects/ named after the workflow and the start time'
            cand --lock-wait 'Seconds to wait for another run that is using the ledger; by default a second run exits at once with code 5'
            cand --settle-secs 'Seconds a contact whose outcome is unknown must have been absent from the server''s list before it is sent again; default 300, or with --sandbox the sandbox''s list lag (0 unless a fault switch sets one)'
            cand --api-url 'API origin, without the /api/v1 prefix'
            cand --data-dir 'Directory for the ledger (ledger.sqlite3) and rejects files'
            cand --output 'Output format: human text on stderr, or JSON on stdout'
            cand --timeout 'Seconds to wait for each API response before giving up on it'
            cand --no-header 'Read CSV files without a header row: every line is data, and the address is in column 1 or the column given with --email-column. Other columns are sent only when --map names them by number'
            cand --strict 'Stop before sending anything when any input row is rejected (exit 1); the rejects file still lists them. Duplicates do not count'
            cand --re-enroll 'Send contacts again whose enrollment was deleted with `drippulse delete`; by default they are held back and counted in the summary'
            cand --dry-run 'Read, validate and check the ledger, then report what would be sent. Sends nothing and writes nothing to the ledger'
            cand --sandbox 'Run against the built-in sandbox instead of a real server'
            cand -q 'Print only errors and the data itself'
            cand --quiet 'Print only errors and the data itself'
            cand -v 'Print more detail; repeat (-vv) for debug logs'
            cand --verbose 'Print more detail; repeat (-vv) for debug logs'
            cand --no-progress 'Never draw a progress bar, even on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'drippulse;list'= {
            cand -w 'Workflow whose enrollments to list'
            cand --workflow 'Workflow whose enrollments to list'
            cand --status 'Only enrollments with this status, e.g. active'
            cand --email 'Only enrollments of this address (compared case-insensitively)'
            cand --limit 'Stop after this many enrollments'
            cand --api-url 'API origin, without the /api/v1 prefix'
            cand --data-dir 'Directory for the ledger (ledger.sqlite3) and rejects files'
            cand --output 'Output format: human text on stderr, or JSON on stdout'
            cand --timeout 'Seconds to wait for each API response before giving up on it'
            cand --sandbox 'Run against the built-in sandbox instead of a real server'
            cand -q 'Print only errors and the data itself'
            cand --quiet 'Print only errors and the data itself'
            cand -v 'Print more detail; repeat (-vv) for debug logs'
            cand --verbose 'Print more detail; repeat (-vv) for debug logs'
            cand --no-progress 'Never draw a progress bar, even on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'drippulse;reconcile'= {
            cand -w 'Workflow whose unknown contacts to settle'
            cand --workflow 'Workflow whose unknown contacts to settle'
            cand --settle-secs 'Seconds a contact must have been absent from the list before it is queued again; default 300, or with --sandbox the sandbox''s list lag'
            cand --lock-wait 'Seconds to wait for another run that is using the ledger'
            cand --api-url 'API origin, without the /api/v1 prefix'
            cand --data-dir 'Directory for the ledger (ledger.sqlite3) and rejects files'
            cand --output 'Output format: human text on stderr, or JSON on stdout'
            cand --timeout 'Seconds to wait for each API response before giving up on it'
            cand --sandbox 'Run against the built-in sandbox instead of a real server'
            cand -q 'Print only errors and the data itself'
            cand --quiet 'Print only errors and the data itself'
            cand -v 'Print more detail; repeat (-vv) for debug logs'
            cand --verbose 'Print more detail; repeat (-vv) for debug logs'
            cand --no-progress 'Never draw a progress bar, even on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'drippulse;delete'= {
            cand -w 'Workflow to delete enrollments from'
            cand --workflow 'Workflow to delete enrollments from'
            cand --email 'Delete every enrollment of this address. Repeatable'
            cand --run 'Delete every enrollment that this earlier run created (see `drippulse ledger runs`)'
            cand --from 'Read enrollment ids or email addresses from a file: one per line, or a CSV with a column named id, enrollment_id or email'
            cand --expect-count 'The exact number of enrollments you expect to delete; required above 100'
            cand --lock-wait 'Seconds to wait for another run that is using the ledger'
            cand --api-url 'API origin, without the /api/v1 prefix'
            cand --data-dir 'Directory for the ledger (ledger.sqlite3) and rejects files'
            cand --output 'Output format: human text on stderr, or JSON on stdout'
            cand --timeout 'Seconds to wait for each API response before giving up on it'
            cand --include-adopted 'With --run, also delete enrollments the run found already on the server and adopted, which drippulse did not create'
            cand -y 'Delete without asking'
            cand --yes 'Delete without asking'
            cand --dry-run 'Show what would be deleted, then stop'
            cand --sandbox 'Run against the built-in sandbox instead of a real server'
            cand -q 'Print only errors and the data itself'
            cand --quiet 'Print only errors and the data itself'
            cand -v 'Print more detail; repeat (-vv) for debug logs'
            cand --verbose 'Print more detail; repeat (-vv) for debug logs'
            cand --no-progress 'Never draw a progress bar, even on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'drippulse;execute-agent'= {
            cand --input 'A JSON object to send as the payload; `-` reads standard input'
            cand --field 'A payload field as KEY=VALUE (a string). Repeatable'
            cand --idempotency-key 'The idempotency key to send, instead of the derived one'
            cand --api-url 'API origin, without the /api/v1 prefix'
            cand --data-dir 'Directory for the ledger (ledger.sqlite3) and rejects files'
            cand --output 'Output format: human text on stderr, or JSON on stdout'
            cand --timeout 'Seconds to wait for each API response before giving up on it'
            cand --new-run 'Run the agent again with the same payload, under a new key'
            cand --sandbox 'Run against the built-in sandbox instead of a real server'
            cand -q 'Print only errors and the data itself'
            cand --quiet 'Print only errors and the data itself'
            cand -v 'Print more detail; repeat (-vv) for debug logs'
            cand --verbose 'Print more detail; repeat (-vv) for debug logs'
            cand --no-progress 'Never draw a progress bar, even on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'drippulse;ledger'= {
            cand --api-url 'API origin, without the /api/v1 prefix'
            cand --data-dir 'Directory for the ledger (ledger.sqlite3) and rejects files'
            cand --output 'Output format: human text on stderr, or JSON on stdout'
            cand --timeout 'Seconds to wait for each API response before giving up on it'
            cand --sandbox 'Run against the built-in sandbox instead of a real server'
            cand -q 'Print only errors and the data itself'
            cand --quiet 'Print only errors and the data itself'
            cand -v 'Print more detail; repeat (-vv) for debug logs'
            cand --verbose 'Print more detail; repeat (-vv) for debug logs'
            cand --no-progress 'Never draw a progress bar, even on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand runs 'List every run: id, times, workflow, inputs and their SHA-256, counts, exit code'
            cand show 'Show the ledger''s entries for a workflow'
            cand export 'Write every entry to a file for spreadsheets, as CSV or JSON'
            cand check 'Check the ledger''s integrity and count its entries per state'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'drippulse;ledger;runs'= {
            cand --api-url 'API origin, without the /api/v1 prefix'
            cand --data-dir 'Directory for the ledger (ledger.sqlite3) and rejects files'
            cand --output 'Output format: human text on stderr, or JSON on stdout'
            cand --timeout 'Seconds to wait for each API response before giving up on it'
            cand --sandbox 'Run against the built-in sandbox instead of a real server'
            cand -q 'Print only errors and the data itself'
            cand --quiet 'Print only errors and the data itself'
            cand -v 'Print more detail; repeat (-vv) for debug logs'
            cand --verbose 'Print more detail; repeat (-vv) for debug logs'
            cand --no-progress 'Never draw a progress bar, even on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'drippulse;ledger;show'= {
            cand -w 'Workflow whose entries to show'
            cand --workflow 'Workflow whose entries to show'
            cand --state 'Only entries in this state: planned, sending, sent, rejected, unknown, needs_review, deleting or deleted'
            cand --email 'Only entries of this address (compared case-insensitively)'
            cand --api-url 'API origin, without the /api/v1 prefix'
            cand --data-dir 'Directory for the ledger (ledger.sqlite3) and rejects files'
            cand --output 'Output format: human text on stderr, or JSON on stdout'
            cand --timeout 'Seconds to wait for each API response before giving up on it'
            cand --sandbox 'Run against the built-in sandbox instead of a real server'
            cand -q 'Print only errors and the data itself'
            cand --quiet 'Print only errors and the data itself'
            cand -v 'Print more detail; repeat (-vv) for debug logs'
            cand --verbose 'Print more detail; repeat (-vv) for debug logs'
            cand --no-progress 'Never draw a progress bar, even on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'drippulse;ledger;export'= {
            cand --format 'File format; by default CSV, or JSON with `--output json`'
            cand -w 'Only entries of this workflow'
            cand --workflow 'Only entries of this workflow'
            cand --api-url 'API origin, without the /api/v1 prefix'
            cand --data-dir 'Directory for the ledger (ledger.sqlite3) and rejects files'
            cand --output 'Output format: human text on stderr, or JSON on stdout'
            cand --timeout 'Seconds to wait for each API response before giving up on it'
            cand --sandbox 'Run against the built-in sandbox instead of a real server'
            cand -q 'Print only errors and the data itself'
            cand --quiet 'Print only errors and the data itself'
            cand -v 'Print more detail; repeat (-vv) for debug logs'
            cand --verbose 'Print more detail; repeat (-vv) for debug logs'
            cand --no-progress 'Never draw a progress bar, even on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'drippulse;ledger;check'= {
            cand --api-url 'API origin, without the /api/v1 prefix'
            cand --data-dir 'Directory for the ledger (ledger.sqlite3) and rejects files'
            cand --output 'Output format: human text on stderr, or JSON on stdout'
            cand --timeout 'Seconds to wait for each API response before giving up on it'
            cand --sandbox 'Run against the built-in sandbox instead of a real server'
            cand -q 'Print only errors and the data itself'
            cand --quiet 'Print only errors and the data itself'
            cand -v 'Print more detail; repeat (-vv) for debug logs'
            cand --verbose 'Print more detail; repeat (-vv) for debug logs'
            cand --no-progress 'Never draw a progress bar, even on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'drippulse;ledger;help'= {
            cand runs 'List every run: id, times, workflow, inputs and their SHA-256, counts, exit code'
            cand show 'Show the ledger''s entries for a workflow'
            cand export 'Write every entry to a file for spreadsheets, as CSV or JSON'
            cand check 'Check the ledger''s integrity and count its entries per state'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'drippulse;ledger;help;runs'= {
        }
        &'drippulse;ledger;help;show'= {
        }
        &'drippulse;ledger;help;export'= {
        }
        &'drippulse;ledger;help;check'= {
        }
        &'drippulse;ledger;help;help'= {
        }
        &'drippulse;sandbox'= {
            cand --api-url 'API origin, without the /api/v1 prefix'
            cand --data-dir 'Directory for the ledger (ledger.sqlite3) and rejects files'
            cand --output 'Output format: human text on stderr, or JSON on stdout'
            cand --timeout 'Seconds to wait for each API response before giving up on it'
            cand --sandbox 'Run against the built-in sandbox instead of a real server'
            cand -q 'Print only errors and the data itself'
            cand --quiet 'Print only errors and the data itself'
            cand -v 'Print more detail; repeat (-vv) for debug logs'
            cand --verbose 'Print more detail; repeat (-vv) for debug logs'
            cand --no-progress 'Never draw a progress bar, even on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand serve 'Serve the emulated API until interrupted'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'drippulse;sandbox;serve'= {
            cand --addr 'Address to listen on; port 0 picks a free port'
            cand --state 'SQLite file that keeps the sandbox''s state between restarts; by default the state lives in memory'
            cand --rate-limit 'Requests per second allowed before returning 429 with Retry-After; 0 turns the limit off'
            cand --max-batch 'Maximum number of contacts in one bulk-enroll request. Larger requests get 413 and create nothing'
            cand --fault 'Fault to inject on purpose, as NAME=VALUE. Repeat it or separate entries with commas'
            cand --api-url 'API origin, without the /api/v1 prefix'
            cand --data-dir 'Directory for the ledger (ledger.sqlite3) and rejects files'
            cand --output 'Output format: human text on stderr, or JSON on stdout'
            cand --timeout 'Seconds to wait for each API response before giving up on it'
            cand --sandbox 'Run against the built-in sandbox instead of a real server'
            cand -q 'Print only errors and the data itself'
            cand --quiet 'Print only errors and the data itself'
            cand -v 'Print more detail; repeat (-vv) for debug logs'
            cand --verbose 'Print more detail; repeat (-vv) for debug logs'
            cand --no-progress 'Never draw a progress bar, even on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'drippulse;sandbox;help'= {
            cand serve 'Serve the emulated API until interrupted'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'drippulse;sandbox;help;serve'= {
        }
        &'drippulse;sandbox;help;help'= {
        }
        &'drippulse;completions'= {
            cand --api-url 'API origin, without the /api/v1 prefix'
            cand --data-dir 'Directory for the ledger (ledger.sqlite3) and rejects files'
            cand --output 'Output format: human text on stderr, or JSON on stdout'
            cand --timeout 'Seconds to wait for each API response before giving up on it'
            cand --sandbox 'Run against the built-in sandbox instead of a real server'
            cand -q 'Print only errors and the data itself'
            cand --quiet 'Print only errors and the data itself'
            cand -v 'Print more detail; repeat (-vv) for debug logs'
            cand --verbose 'Print more detail; repeat (-vv) for debug logs'
            cand --no-progress 'Never draw a progress bar, even on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'drippulse;man'= {
            cand --api-url 'API origin, without the /api/v1 prefix'
            cand --data-dir 'Directory for the ledger (ledger.sqlite3) and rejects files'
            cand --output 'Output format: human text on stderr, or JSON on stdout'
            cand --timeout 'Seconds to wait for each API response before giving up on it'
            cand --sandbox 'Run against the built-in sandbox instead of a real server'
            cand -q 'Print only errors and the data itself'
            cand --quiet 'Print only errors and the data itself'
            cand -v 'Print more detail; repeat (-vv) for debug logs'
            cand --verbose 'Print more detail; repeat (-vv) for debug logs'
            cand --no-progress 'Never draw a progress bar, even on a terminal'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'drippulse;help'= {
            cand enroll 'Enroll contacts from files, standard input or flags into a workflow'
            cand list 'List a workflow''s enrollments on the server'
            cand reconcile 'Settle contacts whose enrollment outcome is unknown, without sending'
            cand delete 'Delete enrollments: mistaken ones by id or email, or a whole earlier run'
            cand execute-agent 'Run a workflow agent once, even when the call is retried'
            cand ledger 'Inspect the local ledger: runs, entries, export, integrity'
            cand sandbox 'Run the built-in DripPulse API emulation'
            cand completions 'Print a shell completion script to stdout'
            cand man 'Print the man page (roff) to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'drippulse;help;enroll'= {
        }
        &'drippulse;help;list'= {
        }
        &'drippulse;help;reconcile'= {
        }
        &'drippulse;help;delete'= {
        }
        &'drippulse;help;execute-agent'= {
        }
        &'drippulse;help;ledger'= {
            cand runs 'List every run: id, times, workflow, inputs and their SHA-256, counts, exit code'
            cand show 'Show the ledger''s entries for a workflow'
            cand export 'Write every entry to a file for spreadsheets, as CSV or JSON'
            cand check 'Check the ledger''s integrity and count its entries per state'
        }
        &'drippulse;help;ledger;runs'= {
        }
        &'drippulse;help;ledger;show'= {
        }
        &'drippulse;help;ledger;export'= {
        }
        &'drippulse;help;ledger;check'= {
        }
        &'drippulse;help;sandbox'= {
            cand serve 'Serve the emulated API until interrupted'
        }
        &'drippulse;help;sandbox;serve'= {
        }
        &'drippulse;help;completions'= {
        }
        &'drippulse;help;man'= {
        }
        &'drippulse;help;help'= {
        }
    ]
    $completions[$command]
}
