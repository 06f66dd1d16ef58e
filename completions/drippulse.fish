# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_drippulse_global_optspecs
    string join \n api-url= data-dir= sandbox output= q/quiet v/verbose no-progress timeout= h/help V/version
end

function __fish_drippulse_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_drippulse_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_drippulse_using_subcommand
    set -l cmd (__fish_drippulse_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c drippulse -n "__fish_drippulse_needs_command" -l api-url -d 'API origin, without the /api/v1 prefix' -r
complete -c drippulse -n "__fish_drippulse_needs_command" -l data-dir -d 'Directory for the ledger (ledger.sqlite3) and rejects files' -r -F
complete -c drippulse -n "__fish_drippulse_needs_command" -l output -d 'Output format: human text on stderr, or JSON on stdout' -r -f -a "human\t'Tables and summaries for people, on stderr (data on stdout)'
json\t'One JSON document on stdout, nothing else there'
csv\t'CSV on stdout, for `list` and `ledger show`; cells that a spreadsheet would run as formulas are prefixed with \''"
complete -c drippulse -n "__fish_drippulse_needs_command" -l timeout -d 'Seconds to wait for each API response before giving up on it' -r
complete -c drippulse -n "__fish_drippulse_needs_command" -l sandbox -d 'Run against the built-in sandbox instead of a real server'
complete -c drippulse -n "__fish_drippulse_needs_command" -s q -l quiet -d 'Print only errors and the data itself'
complete -c drippulse -n "__fish_drippulse_needs_command" -s v -l verbose -d 'Print more detail; repeat (-vv) for debug logs'
complete -c drippulse -n "__fish_drippulse_needs_command" -l no-progress -d 'Never draw a progress bar, even on a terminal'
complete -c drippulse -n "__fish_drippulse_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c drippulse -n "__fish_drippulse_needs_command" -s V -l version -d 'Print version'
complete -c drippulse -n "__fish_drippulse_needs_command" -f -a "enroll" -d 'Enroll contacts from files, standard input or flags into a workflow'
complete -c drippulse -n "__fish_drippulse_needs_command" -f -a "list" -d 'List a workflow\'s enrollments on the server'
complete -c drippulse -n "__fish_drippulse_needs_command" -f -a "reconcile" -d 'Settle contacts whose enrollment outcome is unknown, without sending'
complete -c drippulse -n "__fish_drippulse_needs_command" -f -a "delete" -d 'Delete enrollments: mistaken ones by id or email, or a whole earlier run'
complete -c drippulse -n "__fish_drippulse_needs_command" -f -a "execute-agent" -d 'Run a workflow agent once, even when the call is retried'
complete -c drippulse -n "__fish_drippulse_needs_command" -f -a "ledger" -d 'Inspect the local ledger: runs, entries, export, integrity'
complete -c drippulse -n "__fish_drippulse_needs_command" -f -a "sandbox" -d 'Run the built-in DripPulse API emulation'
complete -c drippulse -n "__fish_drippulse_needs_command" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c drippulse -n "__fish_drippulse_needs_command" -f -a "man" -d 'Print the man page (roff) to stdout'
complete -c drippulse -n "__fish_drippulse_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -s w -l workflow -d 'Workflow to enroll the contacts into' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l format -d 'Input format; by default taken from each file\'s extension (.csv, .tsv, .json, .ndjson, .jsonl), and CSV for standard input' -r -f -a "csv\t'Comma-, semicolon- or tab-separated values with a header row'
json\t'A JSON array of contact objects'
ndjson\t'One JSON contact object per line'"
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l delimiter -d 'CSV delimiter, one character (use `\\t` for tab); by default taken from an Excel `sep=X` first line, else detected from the header line among `,` `;` tab and `|`' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l map -d 'Take a field from a named column, overriding the built-in header aliases. FIELD is email, first_name, last_name, company_name or lead_ref. Repeatable' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l encoding -d 'Text encoding of the input files: `auto`, `utf-8`, `windows-1252`, `utf-16le`, or another WHATWG label (`latin1` means Windows-1252)' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l email-column -d 'Column (1-based) that contains the email address. It wins over header names, so it also settles two columns with the same email name' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l map-file -d 'Read FIELD=COLUMN mappings from a file, one per line; lines starting with `#` are comments. --map flags win over the file\'s entries' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l key -d 'Contact identity: `email` (compared case-insensitively) or a column name, such as a signup id, whose value is unique per contact' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l email -d 'Enroll one contact with this address instead of reading files' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l first-name -d 'First name of the contact given with --email' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l last-name -d 'Last name of the contact given with --email' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l field -d 'Extra field of the contact given with --email. Repeatable' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l batch-size -d 'Contacts per bulk-enroll call' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l concurrency -d 'Bulk-enroll calls in flight at once' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l rejects -d 'File for rejected rows and duplicates; by default a new file under <data-dir>/rejects/ named after the workflow and the start time' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l lock-wait -d 'Seconds to wait for another run that is using the ledger; by default a second run exits at once with code 5' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l settle-secs -d 'Seconds a contact whose outcome is unknown must have been absent from the server\'s list before it is sent again; default 300, or with --sandbox the sandbox\'s list lag (0 unless a fault switch sets one)' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l api-url -d 'API origin, without the /api/v1 prefix' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l data-dir -d 'Directory for the ledger (ledger.sqlite3) and rejects files' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l output -d 'Output format: human text on stderr, or JSON on stdout' -r -f -a "human\t'Tables and summaries for people, on stderr (data on stdout)'
json\t'One JSON document on stdout, nothing else there'
csv\t'CSV on stdout, for `list` and `ledger show`; cells that a spreadsheet would run as formulas are prefixed with \''"
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l timeout -d 'Seconds to wait for each API response before giving up on it' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l no-header -d 'Read CSV files without a header row: every line is data, and the address is in column 1 or the column given with --email-column. Other columns are sent only when --map names them by number'
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l strict -d 'Stop before sending anything when any input row is rejected (exit 1); the rejects file still lists them. Duplicates do not count'
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l re-enroll -d 'Send contacts again whose enrollment was deleted with `drippulse delete`; by default they are held back and counted in the summary'
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l dry-run -d 'Read, validate and check the ledger, then report what would be sent. Sends nothing and writes nothing to the ledger'
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l sandbox -d 'Run against the built-in sandbox instead of a real server'
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -s q -l quiet -d 'Print only errors and the data itself'
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -s v -l verbose -d 'Print more detail; repeat (-vv) for debug logs'
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -l no-progress -d 'Never draw a progress bar, even on a terminal'
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c drippulse -n "__fish_drippulse_using_subcommand enroll" -s V -l version -d 'Print version'
complete -c drippulse -n "__fish_drippulse_using_subcommand list" -s w -l workflow -d 'Workflow whose enrollments to list' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand list" -l status -d 'Only enrollments with this status, e.g. active' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand list" -l email -d 'Only enrollments of this address (compared case-insensitively)' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand list" -l limit -d 'Stop after this many enrollments' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand list" -l api-url -d 'API origin, without the /api/v1 prefix' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand list" -l data-dir -d 'Directory for the ledger (ledger.sqlite3) and rejects files' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand list" -l output -d 'Output format: human text on stderr, or JSON on stdout' -r -f -a "human\t'Tables and summaries for people, on stderr (data on stdout)'
json\t'One JSON document on stdout, nothing else there'
csv\t'CSV on stdout, for `list` and `ledger show`; cells that a spreadsheet would run as formulas are prefixed with \''"
complete -c drippulse -n "__fish_drippulse_using_subcommand list" -l timeout -d 'Seconds to wait for each API response before giving up on it' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand list" -l sandbox -d 'Run against the built-in sandbox instead of a real server'
complete -c drippulse -n "__fish_drippulse_using_subcommand list" -s q -l quiet -d 'Print only errors and the data itself'
complete -c drippulse -n "__fish_drippulse_using_subcommand list" -s v -l verbose -d 'Print more detail; repeat (-vv) for debug logs'
complete -c drippulse -n "__fish_drippulse_using_subcommand list" -l no-progress -d 'Never draw a progress bar, even on a terminal'
complete -c drippulse -n "__fish_drippulse_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c drippulse -n "__fish_drippulse_using_subcommand list" -s V -l version -d 'Print version'
complete -c drippulse -n "__fish_drippulse_using_subcommand reconcile" -s w -l workflow -d 'Workflow whose unknown contacts to settle' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand reconcile" -l settle-secs -d 'Seconds a contact must have been absent from the list before it is queued again; default 300, or with --sandbox the sandbox\'s list lag' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand reconcile" -l lock-wait -d 'Seconds to wait for another run that is using the ledger' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand reconcile" -l api-url -d 'API origin, without the /api/v1 prefix' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand reconcile" -l data-dir -d 'Directory for the ledger (ledger.sqlite3) and rejects files' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand reconcile" -l output -d 'Output format: human text on stderr, or JSON on stdout' -r -f -a "human\t'Tables and summaries for people, on stderr (data on stdout)'
json\t'One JSON document on stdout, nothing else there'
csv\t'CSV on stdout, for `list` and `ledger show`; cells that a spreadsheet would run as formulas are prefixed with \''"
complete -c drippulse -n "__fish_drippulse_using_subcommand reconcile" -l timeout -d 'Seconds to wait for each API response before giving up on it' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand reconcile" -l sandbox -d 'Run against the built-in sandbox instead of a real server'
complete -c drippulse -n "__fish_drippulse_using_subcommand reconcile" -s q -l quiet -d 'Print only errors and the data itself'
complete -c drippulse -n "__fish_drippulse_using_subcommand reconcile" -s v -l verbose -d 'Print more detail; repeat (-vv) for debug logs'
complete -c drippulse -n "__fish_drippulse_using_subcommand reconcile" -l no-progress -d 'Never draw a progress bar, even on a terminal'
complete -c drippulse -n "__fish_drippulse_using_subcommand reconcile" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c drippulse -n "__fish_drippulse_using_subcommand reconcile" -s V -l version -d 'Print version'
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -s w -l workflow -d 'Workflow to delete enrollments from' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -l email -d 'Delete every enrollment of this address. Repeatable' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -l run -d 'Delete every enrollment that this earlier run created (see `drippulse ledger runs`)' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -l from -d 'Read enrollment ids or email addresses from a file: one per line, or a CSV with a column named id, enrollment_id or email' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -l expect-count -d 'The exact number of enrollments you expect to delete; required above 100' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -l lock-wait -d 'Seconds to wait for another run that is using the ledger' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -l api-url -d 'API origin, without the /api/v1 prefix' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -l data-dir -d 'Directory for the ledger (ledger.sqlite3) and rejects files' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -l output -d 'Output format: human text on stderr, or JSON on stdout' -r -f -a "human\t'Tables and summaries for people, on stderr (data on stdout)'
json\t'One JSON document on stdout, nothing else there'
csv\t'CSV on stdout, for `list` and `ledger show`; cells that a spreadsheet would run as formulas are prefixed with \''"
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -l timeout -d 'Seconds to wait for each API response before giving up on it' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -l include-adopted -d 'With --run, also delete enrollments the run found already on the server and adopted, which drippulse did not create'
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -s y -l yes -d 'Delete without asking'
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -l dry-run -d 'Show what would be deleted, then stop'
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -l sandbox -d 'Run against the built-in sandbox instead of a real server'
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -s q -l quiet -d 'Print only errors and the data itself'
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -s v -l verbose -d 'Print more detail; repeat (-vv) for debug logs'
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -l no-progress -d 'Never draw a progress bar, even on a terminal'
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c drippulse -n "__fish_drippulse_using_subcommand delete" -s V -l version -d 'Print version'
complete -c drippulse -n "__fish_drippulse_using_subcommand execute-agent" -l input -d 'A JSON object to send as the payload; `-` reads standard input' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand execute-agent" -l field -d 'A payload field as KEY=VALUE (a string). Repeatable' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand execute-agent" -l idempotency-key -d 'The idempotency key to send, instead of the derived one' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand execute-agent" -l api-url -d 'API origin, without the /api/v1 prefix' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand execute-agent" -l data-dir -d 'Directory for the ledger (ledger.sqlite3) and rejects files' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand execute-agent" -l output -d 'Output format: human text on stderr, or JSON on stdout' -r -f -a "human\t'Tables and summaries for people, on stderr (data on stdout)'
json\t'One JSON document on stdout, nothing else there'
csv\t'CSV on stdout, for `list` and `ledger show`; cells that a spreadsheet would run as formulas are prefixed with \''"
complete -c drippulse -n "__fish_drippulse_using_subcommand execute-agent" -l timeout -d 'Seconds to wait for each API response before giving up on it' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand execute-agent" -l new-run -d 'Run the agent again with the same payload, under a new key'
complete -c drippulse -n "__fish_drippulse_using_subcommand execute-agent" -l sandbox -d 'Run against the built-in sandbox instead of a real server'
complete -c drippulse -n "__fish_drippulse_using_subcommand execute-agent" -s q -l quiet -d 'Print only errors and the data itself'
complete -c drippulse -n "__fish_drippulse_using_subcommand execute-agent" -s v -l verbose -d 'Print more detail; repeat (-vv) for debug logs'
complete -c drippulse -n "__fish_drippulse_using_subcommand execute-agent" -l no-progress -d 'Never draw a progress bar, even on a terminal'
complete -c drippulse -n "__fish_drippulse_using_subcommand execute-agent" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c drippulse -n "__fish_drippulse_using_subcommand execute-agent" -s V -l version -d 'Print version'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and not __fish_seen_subcommand_from runs show export check help" -l api-url -d 'API origin, without the /api/v1 prefix' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and not __fish_seen_subcommand_from runs show export check help" -l data-dir -d 'Directory for the ledger (ledger.sqlite3) and rejects files' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and not __fish_seen_subcommand_from runs show export check help" -l output -d 'Output format: human text on stderr, or JSON on stdout' -r -f -a "human\t'Tables and summaries for people, on stderr (data on stdout)'
json\t'One JSON document on stdout, nothing else there'
csv\t'CSV on stdout, for `list` and `ledger show`; cells that a spreadsheet would run as formulas are prefixed with \''"
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and not __fish_seen_subcommand_from runs show export check help" -l timeout -d 'Seconds to wait for each API response before giving up on it' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and not __fish_seen_subcommand_from runs show export check help" -l sandbox -d 'Run against the built-in sandbox instead of a real server'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and not __fish_seen_subcommand_from runs show export check help" -s q -l quiet -d 'Print only errors and the data itself'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and not __fish_seen_subcommand_from runs show export check help" -s v -l verbose -d 'Print more detail; repeat (-vv) for debug logs'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and not __fish_seen_subcommand_from runs show export check help" -l no-progress -d 'Never draw a progress bar, even on a terminal'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and not __fish_seen_subcommand_from runs show export check help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and not __fish_seen_subcommand_from runs show export check help" -s V -l version -d 'Print version'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and not __fish_seen_subcommand_from runs show export check help" -f -a "runs" -d 'List every run: id, times, workflow, inputs and their SHA-256, counts, exit code'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and not __fish_seen_subcommand_from runs show export check help" -f -a "show" -d 'Show the ledger\'s entries for a workflow'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and not __fish_seen_subcommand_from runs show export check help" -f -a "export" -d 'Write every entry to a file for spreadsheets, as CSV or JSON'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and not __fish_seen_subcommand_from runs show export check help" -f -a "check" -d 'Check the ledger\'s integrity and count its entries per state'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and not __fish_seen_subcommand_from runs show export check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from runs" -l api-url -d 'API origin, without the /api/v1 prefix' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from runs" -l data-dir -d 'Directory for the ledger (ledger.sqlite3) and rejects files' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from runs" -l output -d 'Output format: human text on stderr, or JSON on stdout' -r -f -a "human\t'Tables and summaries for people, on stderr (data on stdout)'
json\t'One JSON document on stdout, nothing else there'
csv\t'CSV on stdout, for `list` and `ledger show`; cells that a spreadsheet would run as formulas are prefixed with \''"
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from runs" -l timeout -d 'Seconds to wait for each API response before giving up on it' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from runs" -l sandbox -d 'Run against the built-in sandbox instead of a real server'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from runs" -s q -l quiet -d 'Print only errors and the data itself'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from runs" -s v -l verbose -d 'Print more detail; repeat (-vv) for debug logs'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from runs" -l no-progress -d 'Never draw a progress bar, even on a terminal'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from runs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from runs" -s V -l version -d 'Print version'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from show" -s w -l workflow -d 'Workflow whose entries to show' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from show" -l state -d 'Only entries in this state: planned, sending, sent, rejected, unknown, needs_review, deleting or deleted' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from show" -l email -d 'Only entries of this address (compared case-insensitively)' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from show" -l api-url -d 'API origin, without the /api/v1 prefix' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from show" -l data-dir -d 'Directory for the ledger (ledger.sqlite3) and rejects files' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from show" -l output -d 'Output format: human text on stderr, or JSON on stdout' -r -f -a "human\t'Tables and summaries for people, on stderr (data on stdout)'
json\t'One JSON document on stdout, nothing else there'
csv\t'CSV on stdout, for `list` and `ledger show`; cells that a spreadsheet would run as formulas are prefixed with \''"
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from show" -l timeout -d 'Seconds to wait for each API response before giving up on it' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from show" -l sandbox -d 'Run against the built-in sandbox instead of a real server'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only errors and the data itself'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print more detail; repeat (-vv) for debug logs'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from show" -l no-progress -d 'Never draw a progress bar, even on a terminal'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from export" -l format -d 'File format; by default CSV, or JSON with `--output json`' -r -f -a "csv\t''
json\t''"
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from export" -s w -l workflow -d 'Only entries of this workflow' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from export" -l api-url -d 'API origin, without the /api/v1 prefix' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from export" -l data-dir -d 'Directory for the ledger (ledger.sqlite3) and rejects files' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from export" -l output -d 'Output format: human text on stderr, or JSON on stdout' -r -f -a "human\t'Tables and summaries for people, on stderr (data on stdout)'
json\t'One JSON document on stdout, nothing else there'
csv\t'CSV on stdout, for `list` and `ledger show`; cells that a spreadsheet would run as formulas are prefixed with \''"
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from export" -l timeout -d 'Seconds to wait for each API response before giving up on it' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from export" -l sandbox -d 'Run against the built-in sandbox instead of a real server'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print only errors and the data itself'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from export" -s v -l verbose -d 'Print more detail; repeat (-vv) for debug logs'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from export" -l no-progress -d 'Never draw a progress bar, even on a terminal'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from check" -l api-url -d 'API origin, without the /api/v1 prefix' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from check" -l data-dir -d 'Directory for the ledger (ledger.sqlite3) and rejects files' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from check" -l output -d 'Output format: human text on stderr, or JSON on stdout' -r -f -a "human\t'Tables and summaries for people, on stderr (data on stdout)'
json\t'One JSON document on stdout, nothing else there'
csv\t'CSV on stdout, for `list` and `ledger show`; cells that a spreadsheet would run as formulas are prefixed with \''"
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from check" -l timeout -d 'Seconds to wait for each API response before giving up on it' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from check" -l sandbox -d 'Run against the built-in sandbox instead of a real server'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print only errors and the data itself'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from check" -s v -l verbose -d 'Print more detail; repeat (-vv) for debug logs'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from check" -l no-progress -d 'Never draw a progress bar, even on a terminal'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "runs" -d 'List every run: id, times, workflow, inputs and their SHA-256, counts, exit code'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show the ledger\'s entries for a workflow'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write every entry to a file for spreadsheets, as CSV or JSON'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check the ledger\'s integrity and count its entries per state'
complete -c drippulse -n "__fish_drippulse_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and not __fish_seen_subcommand_from serve help" -l api-url -d 'API origin, without the /api/v1 prefix' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and not __fish_seen_subcommand_from serve help" -l data-dir -d 'Directory for the ledger (ledger.sqlite3) and rejects files' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and not __fish_seen_subcommand_from serve help" -l output -d 'Output format: human text on stderr, or JSON on stdout' -r -f -a "human\t'Tables and summaries for people, on stderr (data on stdout)'
json\t'One JSON document on stdout, nothing else there'
csv\t'CSV on stdout, for `list` and `ledger show`; cells that a spreadsheet would run as formulas are prefixed with \''"
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and not __fish_seen_subcommand_from serve help" -l timeout -d 'Seconds to wait for each API response before giving up on it' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and not __fish_seen_subcommand_from serve help" -l sandbox -d 'Run against the built-in sandbox instead of a real server'
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and not __fish_seen_subcommand_from serve help" -s q -l quiet -d 'Print only errors and the data itself'
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and not __fish_seen_subcommand_from serve help" -s v -l verbose -d 'Print more detail; repeat (-vv) for debug logs'
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and not __fish_seen_subcommand_from serve help" -l no-progress -d 'Never draw a progress bar, even on a terminal'
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and not __fish_seen_subcommand_from serve help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and not __fish_seen_subcommand_from serve help" -s V -l version -d 'Print version'
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and not __fish_seen_subcommand_from serve help" -f -a "serve" -d 'Serve the emulated API until interrupted'
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and not __fish_seen_subcommand_from serve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l addr -d 'Address to listen on; port 0 picks a free port' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l state -d 'SQLite file that keeps the sandbox\'s state between restarts; by default the state lives in memory' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l rate-limit -d 'Requests per second allowed before returning 429 with Retry-After; 0 turns the limit off' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l max-batch -d 'Maximum number of contacts in one bulk-enroll request. Larger requests get 413 and create nothing' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l fault -d 'Fault to inject on purpose, as NAME=VALUE. Repeat it or separate entries with commas' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l api-url -d 'API origin, without the /api/v1 prefix' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l data-dir -d 'Directory for the ledger (ledger.sqlite3) and rejects files' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l output -d 'Output format: human text on stderr, or JSON on stdout' -r -f -a "human\t'Tables and summaries for people, on stderr (data on stdout)'
json\t'One JSON document on stdout, nothing else there'
csv\t'CSV on stdout, for `list` and `ledger show`; cells that a spreadsheet would run as formulas are prefixed with \''"
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l timeout -d 'Seconds to wait for each API response before giving up on it' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l sandbox -d 'Run against the built-in sandbox instead of a real server'
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -s q -l quiet -d 'Print only errors and the data itself'
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -s v -l verbose -d 'Print more detail; repeat (-vv) for debug logs'
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l no-progress -d 'Never draw a progress bar, even on a terminal'
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -s V -l version -d 'Print version'
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Serve the emulated API until interrupted'
complete -c drippulse -n "__fish_drippulse_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c drippulse -n "__fish_drippulse_using_subcommand completions" -l api-url -d 'API origin, without the /api/v1 prefix' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand completions" -l data-dir -d 'Directory for the ledger (ledger.sqlite3) and rejects files' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand completions" -l output -d 'Output format: human text on stderr, or JSON on stdout' -r -f -a "human\t'Tables and summaries for people, on stderr (data on stdout)'
json\t'One JSON document on stdout, nothing else there'
csv\t'CSV on stdout, for `list` and `ledger show`; cells that a spreadsheet would run as formulas are prefixed with \''"
complete -c drippulse -n "__fish_drippulse_using_subcommand completions" -l timeout -d 'Seconds to wait for each API response before giving up on it' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand completions" -l sandbox -d 'Run against the built-in sandbox instead of a real server'
complete -c drippulse -n "__fish_drippulse_using_subcommand completions" -s q -l quiet -d 'Print only errors and the data itself'
complete -c drippulse -n "__fish_drippulse_using_subcommand completions" -s v -l verbose -d 'Print more detail; repeat (-vv) for debug logs'
complete -c drippulse -n "__fish_drippulse_using_subcommand completions" -l no-progress -d 'Never draw a progress bar, even on a terminal'
complete -c drippulse -n "__fish_drippulse_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c drippulse -n "__fish_drippulse_using_subcommand completions" -s V -l version -d 'Print version'
complete -c drippulse -n "__fish_drippulse_using_subcommand man" -l api-url -d 'API origin, without the /api/v1 prefix' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand man" -l data-dir -d 'Directory for the ledger (ledger.sqlite3) and rejects files' -r -F
complete -c drippulse -n "__fish_drippulse_using_subcommand man" -l output -d 'Output format: human text on stderr, or JSON on stdout' -r -f -a "human\t'Tables and summaries for people, on stderr (data on stdout)'
json\t'One JSON document on stdout, nothing else there'
csv\t'CSV on stdout, for `list` and `ledger show`; cells that a spreadsheet would run as formulas are prefixed with \''"
complete -c drippulse -n "__fish_drippulse_using_subcommand man" -l timeout -d 'Seconds to wait for each API response before giving up on it' -r
complete -c drippulse -n "__fish_drippulse_using_subcommand man" -l sandbox -d 'Run against the built-in sandbox instead of a real server'
complete -c drippulse -n "__fish_drippulse_using_subcommand man" -s q -l quiet -d 'Print only errors and the data itself'
complete -c drippulse -n "__fish_drippulse_using_subcommand man" -s v -l verbose -d 'Print more detail; repeat (-vv) for debug logs'
complete -c drippulse -n "__fish_drippulse_using_subcommand man" -l no-progress -d 'Never draw a progress bar, even on a terminal'
complete -c drippulse -n "__fish_drippulse_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c drippulse -n "__fish_drippulse_using_subcommand man" -s V -l version -d 'Print version'
complete -c drippulse -n "__fish_drippulse_using_subcommand help; and not __fish_seen_subcommand_from enroll list reconcile delete execute-agent ledger sandbox completions man help" -f -a "enroll" -d 'Enroll contacts from files, standard input or flags into a workflow'
complete -c drippulse -n "__fish_drippulse_using_subcommand help; and not __fish_seen_subcommand_from enroll list reconcile delete execute-agent ledger sandbox completions man help" -f -a "list" -d 'List a workflow\'s enrollments on the server'
complete -c drippulse -n "__fish_drippulse_using_subcommand help; and not __fish_seen_subcommand_from enroll list reconcile delete execute-agent ledger sandbox completions man help" -f -a "reconcile" -d 'Settle contacts whose enrollment outcome is unknown, without sending'
complete -c drippulse -n "__fish_drippulse_using_subcommand help; and not __fish_seen_subcommand_from enroll list reconcile delete execute-agent ledger sandbox completions man help" -f -a "delete" -d 'Delete enrollments: mistaken ones by id or email, or a whole earlier run'
complete -c drippulse -n "__fish_drippulse_using_subcommand help; and not __fish_seen_subcommand_from enroll list reconcile delete execute-agent ledger sandbox completions man help" -f -a "execute-agent" -d 'Run a workflow agent once, even when the call is retried'
complete -c drippulse -n "__fish_drippulse_using_subcommand help; and not __fish_seen_subcommand_from enroll list reconcile delete execute-agent ledger sandbox completions man help" -f -a "ledger" -d 'Inspect the local ledger: runs, entries, export, integrity'
complete -c drippulse -n "__fish_drippulse_using_subcommand help; and not __fish_seen_subcommand_from enroll list reconcile delete execute-agent ledger sandbox completions man help" -f -a "sandbox" -d 'Run the built-in DripPulse API emulation'
complete -c drippulse -n "__fish_drippulse_using_subcommand help; and not __fish_seen_subcommand_from enroll list reconcile delete execute-agent ledger sandbox completions man help" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c drippulse -n "__fish_drippulse_using_subcommand help; and not __fish_seen_subcommand_from enroll list reconcile delete execute-agent ledger sandbox completions man help" -f -a "man" -d 'Print the man page (roff) to stdout'
complete -c drippulse -n "__fish_drippulse_using_subcommand help; and not __fish_seen_subcommand_from enroll list reconcile delete execute-agent ledger sandbox completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c drippulse -n "__fish_drippulse_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "runs" -d 'List every run: id, times, workflow, inputs and their SHA-256, counts, exit code'
complete -c drippulse -n "__fish_drippulse_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "show" -d 'Show the ledger\'s entries for a workflow'
complete -c drippulse -n "__fish_drippulse_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "export" -d 'Write every entry to a file for spreadsheets, as CSV or JSON'
complete -c drippulse -n "__fish_drippulse_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "check" -d 'Check the ledger\'s integrity and count its entries per state'
complete -c drippulse -n "__fish_drippulse_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "serve" -d 'Serve the emulated API until interrupted'
