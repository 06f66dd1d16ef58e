//! Command-line types, and nothing else: clap derives the parser, the help
//! text, the completions and the man page from these definitions.
//!
//! House rules: every flag's doc comment is its help, with a short first
//! line and then long help with an example where it helps. Every option
//! that takes a value has an uppercase value name. Options that configure
//! the environment have an env fallback, which `--help` shows. Validation that
//! clap cannot express happens in `settings`, before any work starts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ENROLL_AFTER_HELP: &str = "\
Examples:
  drippulse enroll --workflow wf_123 contacts.csv
  drippulse enroll --workflow wf_123 --dry-run contacts.csv
  export.sh | drippulse enroll --workflow wf_123 --format ndjson -
  drippulse enroll --workflow wf_123 --email ada@example.com --first-name Ada
  drippulse enroll --workflow wf_123 --key \"Signup ID\" signups.csv

Exit codes:
  0  every valid contact is enrolled, now or by an earlier run
  1  an error stopped the run (input, ledger, network, authentication)
  2  invalid command-line usage
  3  some contacts were refused by the API or could not be sent; rerun later
  4  some contacts' outcome is still unknown after reconciliation, or some
     were found enrolled more than once and need review
  5  another drippulse run is using the ledger (see --lock-wait)
  130  interrupted; rerun the same command to resume";

const AFTER_HELP: &str = "\
Environment:
  DRIPPULSE_API_KEY   the API key (adcrm_live_... or adcrm_test_...); never a flag,
                      so it stays out of `ps` and shell history
  DRIPPULSE_BASE_URL  the API origin, like --api-url
  DRIPPULSE_DATA_DIR  where the ledger lives, like --data-dir

Try it without an account:
  drippulse --sandbox enroll --workflow wf_demo examples/contacts.csv
";

/// Enroll contacts into DripPulse nurture workflows exactly once.
///
/// drippulse reads contacts from CSV, JSON or NDJSON, validates them, checks
/// a local SQLite ledger for contacts already sent, and sends the rest in
/// batched bulk-enroll calls. A rerun skips contacts already enrolled, two
/// overlapping runs cannot both send one contact, and a contact whose
/// outcome is unknown is never resent blindly.
#[derive(Debug, Parser)]
#[command(name = "drippulse", version, after_long_help = AFTER_HELP)]
#[command(propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options that apply to every subcommand.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// API origin, without the /api/v1 prefix.
    ///
    /// https is required except for loopback hosts (127.0.0.1, ::1, localhost).
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "DRIPPULSE_BASE_URL",
        default_value = "https://drippulse.io"
    )]
    pub api_url: String,

    /// Directory for the ledger (ledger.sqlite3) and rejects files.
    ///
    /// Defaults to the platform data directory, e.g. ~/.local/share/drippulse.
    #[arg(long, global = true, value_name = "DIR", env = "DRIPPULSE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Run against the built-in sandbox instead of a real server.
    ///
    /// The sandbox emulates the DripPulse API on a loopback port inside this
    /// process and keeps its enrollments in <data-dir>/sandbox.sqlite3, so
    /// repeated commands see the same state. No API key is needed.
    #[arg(long, global = true)]
    pub sandbox: bool,

    /// Output format: human text on stderr, or JSON on stdout.
    #[arg(long, global = true, value_name = "FORMAT", default_value = "human")]
    pub output: OutputFormat,

    /// Print only errors and the data itself.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more detail; repeat (-vv) for debug logs.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Never draw a progress bar, even on a terminal.
    #[arg(long, global = true)]
    pub no_progress: bool,

    /// Seconds to wait for each API response before giving up on it.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Tables and summaries for people, on stderr (data on stdout).
    Human,
    /// One JSON document on stdout, nothing else there.
    Json,
    /// CSV on stdout, for `list` and `ledger show`; cells that a spreadsheet
    /// would run as formulas are prefixed with '.
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Enroll(EnrollArgs),
    List(ListArgs),
    Reconcile(ReconcileArgs),
    Delete(DeleteArgs),
    ExecuteAgent(ExecuteAgentArgs),
    Ledger(LedgerArgs),
    Sandbox(SandboxArgs),
    Completions(CompletionsArgs),
    #[command(hide = true)]
    Man(ManArgs),
}

/// Enroll contacts from files, standard input or flags into a workflow.
///
/// Reads every input first and stops before sending anything if a file
/// cannot be read. Invalid rows are written to a rejects CSV (its path is in
/// the summary) and do not stop the run. Contacts that the ledger already
/// records as enrolled in the workflow are skipped, so rerunning the same command is safe.
#[derive(Debug, Args)]
#[command(after_long_help = ENROLL_AFTER_HELP)]
pub struct EnrollArgs {
    /// Workflow to enroll the contacts into.
    #[arg(long, short = 'w', value_name = "ID", value_parser = parse_id)]
    pub workflow: String,

    /// Contact files to read; `-` or none reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Input format; by default taken from each file's extension (.csv, .tsv,
    /// .json, .ndjson, .jsonl), and CSV for standard input.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<InputFormat>,

    /// CSV delimiter, one character (use `\t` for tab); by default taken
    /// from an Excel `sep=X` first line, else detected from the header line
    /// among `,` `;` tab and `|`.
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,

    /// Take a field from a named column, overriding the built-in header
    /// aliases. FIELD is email, first_name, last_name, company_name or
    /// lead_ref. Repeatable.
    ///
    /// Example: --map email="Work Email" --map lead_ref=signup_id
    #[arg(long, value_name = "FIELD=COLUMN")]
    pub map: Vec<String>,

    /// Options for decoding and checking input files. Boxed so that the
    /// `Command` enum stays small, and flattened by clap into this command.
    #[command(flatten)]
    pub reading: Box<ReadingArgs>,

    /// Contact identity: `email` (compared case-insensitively) or
    /// a column name, such as a signup id, whose value is unique per contact.
    #[arg(long, value_name = "email|COLUMN", default_value = "email")]
    pub key: String,

    /// Send contacts again whose enrollment was deleted with `drippulse
    /// delete`; by default they are held back and counted in the summary.
    #[arg(long)]
    pub re_enroll: bool,

    /// Enroll one contact with this address instead of reading files.
    #[arg(long, value_name = "ADDR")]
    pub email: Option<String>,

    /// First name of the contact given with --email.
    #[arg(long, value_name = "NAME", requires = "email")]
    pub first_name: Option<String>,

    /// Last name of the contact given with --email.
    #[arg(long, value_name = "NAME", requires = "email")]
    pub last_name: Option<String>,

    /// Extra field of the contact given with --email. Repeatable.
    #[arg(long = "field", value_name = "KEY=VALUE", requires = "email")]
    pub fields: Vec<String>,

    /// Contacts per bulk-enroll call.
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub batch_size: u32,

    /// Bulk-enroll calls in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,

    /// File for rejected rows and duplicates; by default a new file under
    /// <data-dir>/rejects/ named after the workflow and the start time.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    /// Read, validate and check the ledger, then report what would be sent.
    /// Sends nothing and writes nothing to the ledger.
    #[arg(long)]
    pub dry_run: bool,

    /// Seconds to wait for another run that is using the ledger; by default
    /// a second run exits at once with code 5.
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    pub lock_wait: u64,

    /// Seconds a contact whose outcome is unknown must have been absent
    /// from the server's list before it is sent again; default 300, or with
    /// --sandbox the sandbox's list lag (0 unless a fault switch sets one).
    #[arg(long, value_name = "SECS")]
    pub settle_secs: Option<u64>,
}

/// Flags of `enroll` that shape how input files are read.
#[derive(Debug, Args)]
pub struct ReadingArgs {
    /// Text encoding of the input files: `auto`, `utf-8`, `windows-1252`,
    /// `utf-16le`, or another WHATWG label (`latin1` means Windows-1252).
    ///
    /// `auto` reads UTF-8, and a file that is not valid UTF-8 and has no
    /// UTF-8 characters at all as Windows-1252, with a warning. A file with
    /// a byte-order mark is read in the encoding the mark names. `utf-8`
    /// makes any other byte an error.
    #[arg(long, value_name = "LABEL", default_value = "auto")]
    pub encoding: String,

    /// Read CSV files without a header row: every line is data, and the
    /// address is in column 1 or the column given with --email-column.
    /// Other columns are sent only when --map names them by number.
    #[arg(long)]
    pub no_header: bool,

    /// Column (1-based) that contains the email address. It wins over header
    /// names, so it also settles two columns with the same email name.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub email_column: Option<u32>,

    /// Read FIELD=COLUMN mappings from a file, one per line; lines starting
    /// with `#` are comments. --map flags win over the file's entries.
    #[arg(long, value_name = "FILE")]
    pub map_file: Option<PathBuf>,

    /// Stop before sending anything when any input row is rejected (exit
    /// 1); the rejects file still lists them. Duplicates do not count.
    #[arg(long)]
    pub strict: bool,
}

/// Contact file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// Comma-, semicolon- or tab-separated values with a header row.
    Csv,
    /// A JSON array of contact objects.
    Json,
    /// One JSON contact object per line.
    Ndjson,
}

/// List a workflow's enrollments on the server.
///
/// Prints a table (id, email, status, created_at) on stdout, with
/// `--output json` a JSON array of the enrollment objects as the API returns
/// them, or with `--output csv` the same columns as the table.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Workflow whose enrollments to list.
    #[arg(long, short = 'w', value_name = "ID", value_parser = parse_id)]
    pub workflow: String,

    /// Only enrollments with this status, e.g. active.
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,

    /// Only enrollments of this address (compared case-insensitively).
    #[arg(long, value_name = "ADDR")]
    pub email: Option<String>,

    /// Stop after this many enrollments.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

/// Delete enrollments: mistaken ones by id or email, or a whole earlier run.
///
/// Shows what it will delete first: the count and the first rows. On a
/// terminal it prompts for confirmation; elsewhere it needs --yes. More than
/// 100 enrollments also need --expect-count with the exact number, so a
/// typo cannot wipe a workflow. The ledger keeps a tombstone for each, so
/// a later `enroll` does not silently enroll those people again (see
/// `enroll --re-enroll`).
#[derive(Debug, Args)]
#[command(
    after_long_help = "Examples:\n  drippulse delete --workflow wf_123 enr_4f2a9c\n  drippulse delete --workflow wf_123 --email test@example.com --yes\n  drippulse delete --workflow wf_123 --run 42 --dry-run\n  drippulse delete --workflow wf_123 --run 42 --yes --expect-count 2300\n\nExit codes:\n  0  every target is gone (deleted now, or already gone)\n  1  an error stopped the command\n  2  invalid usage, or confirmation missing (--yes)\n  3  some enrollments could not be deleted; rerun to retry them\n  5  another drippulse run is using the ledger"
)]
pub struct DeleteArgs {
    /// Workflow to delete enrollments from.
    #[arg(long, short = 'w', value_name = "ID", value_parser = parse_id)]
    pub workflow: String,

    /// Enrollment ids to delete.
    #[arg(value_name = "ENROLLMENT_ID", value_parser = parse_id)]
    pub ids: Vec<String>,

    /// Delete every enrollment of this address. Repeatable.
    #[arg(long, value_name = "ADDR")]
    pub email: Vec<String>,

    /// Delete every enrollment that this earlier run created (see
    /// `drippulse ledger runs`).
    #[arg(long, value_name = "RUN_ID")]
    pub run: Option<i64>,

    /// With --run, also delete enrollments the run found already on the
    /// server and adopted, which drippulse did not create.
    #[arg(long, requires = "run")]
    pub include_adopted: bool,

    /// Read enrollment ids or email addresses from a file: one per line, or
    /// a CSV with a column named id, enrollment_id or email.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,

    /// Delete without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Show what would be deleted, then stop.
    #[arg(long)]
    pub dry_run: bool,

    /// The exact number of enrollments you expect to delete; required above 100.
    #[arg(long, value_name = "N")]
    pub expect_count: Option<usize>,

    /// Seconds to wait for another run that is using the ledger.
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    pub lock_wait: u64,
}

/// Run a workflow agent once, even when the call is retried.
///
/// The call carries an idempotency key: --idempotency-key, or else one
/// derived from the agent id and the payload, so running the same command
/// again replays the stored outcome instead of running the agent twice.
/// The key is recorded in the ledger before the first attempt.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Examples:\n  drippulse execute-agent agt_7 --field lead_ref=lead_123 --field plan=pro\n  drippulse execute-agent agt_7 --input payload.json\n  drippulse execute-agent agt_7 --input payload.json --new-run\n\nExit codes:\n  0  the execution succeeded\n  1  an error stopped the call (for example a key reused with another payload)\n  3  the agent ran and reported failure"
)]
pub struct ExecuteAgentArgs {
    /// The agent to run.
    #[arg(value_name = "AGENT_ID", value_parser = parse_id)]
    pub agent: String,

    /// A JSON object to send as the payload; `-` reads standard input.
    #[arg(long, value_name = "FILE", conflicts_with = "fields")]
    pub input: Option<PathBuf>,

    /// A payload field as KEY=VALUE (a string). Repeatable.
    #[arg(long = "field", value_name = "KEY=VALUE")]
    pub fields: Vec<String>,

    /// The idempotency key to send, instead of the derived one.
    #[arg(long, value_name = "KEY", conflicts_with = "new_run")]
    pub idempotency_key: Option<String>,

    /// Run the agent again with the same payload, under a new key.
    #[arg(long)]
    pub new_run: bool,
}

/// Inspect the local ledger: runs, entries, export, integrity.
#[derive(Debug, Args)]
pub struct LedgerArgs {
    #[command(subcommand)]
    pub command: LedgerCommand,
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    Runs(LedgerRunsArgs),
    Show(LedgerShowArgs),
    Export(LedgerExportArgs),
    Check(LedgerCheckArgs),
}

/// List every run: id, times, workflow, inputs and their SHA-256, counts,
/// exit code.
#[derive(Debug, Args)]
pub struct LedgerRunsArgs {}

/// Show the ledger's entries for a workflow.
#[derive(Debug, Args)]
pub struct LedgerShowArgs {
    /// Workflow whose entries to show.
    #[arg(long, short = 'w', value_name = "ID", value_parser = parse_id)]
    pub workflow: String,

    /// Only entries in this state: planned, sending, sent, rejected,
    /// unknown, needs_review, deleting or deleted.
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,

    /// Only entries of this address (compared case-insensitively).
    #[arg(long, value_name = "ADDR")]
    pub email: Option<String>,
}

/// Write every entry to a file for spreadsheets, as CSV or JSON.
///
/// Cells that start with =, +, -, @, tab or CR are prefixed with ' so a
/// spreadsheet does not run them as formulas. The file is created readable
/// by its owner only, since it contains personal data.
#[derive(Debug, Args)]
pub struct LedgerExportArgs {
    /// File to write; `-` writes to standard output.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// File format; by default CSV, or JSON with `--output json`.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<ExportFormat>,

    /// Only entries of this workflow.
    #[arg(long, short = 'w', value_name = "ID", value_parser = parse_id)]
    pub workflow: Option<String>,
}

/// Export file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// Check the ledger's integrity and count its entries per state.
#[derive(Debug, Args)]
pub struct LedgerCheckArgs {}

/// Settle contacts whose enrollment outcome is unknown, without sending.
///
/// A contact becomes unknown when its bulk-enroll call timed out, lost its
/// connection, got a 5xx, or got a success reply whose counts did not match.
/// Reconcile lists the workflow's enrollments and matches each such contact
/// by lead_ref, else by email. A contact found once counts as enrolled, and
/// one found more than once needs review. One still absent after the settle
/// window is sent by the next enroll. `enroll` does this itself before
/// sending.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Exit codes:\n  0  nothing is left unknown\n  1  an error stopped the run\n  4  some contacts are still unknown; run reconcile again later\n  5  another drippulse run is using the ledger"
)]
pub struct ReconcileArgs {
    /// Workflow whose unknown contacts to settle.
    #[arg(long, short = 'w', value_name = "ID", value_parser = parse_id)]
    pub workflow: String,

    /// Seconds a contact must have been absent from the list before it is
    /// queued again; default 300, or with --sandbox the sandbox's list lag.
    #[arg(long, value_name = "SECS")]
    pub settle_secs: Option<u64>,

    /// Seconds to wait for another run that is using the ledger.
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    pub lock_wait: u64,
}

/// Run the built-in DripPulse API emulation.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    #[command(subcommand)]
    pub command: SandboxCommand,
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    Serve(SandboxServeArgs),
}

/// Serve the emulated API until interrupted.
///
/// The first line on stdout is `listening on http://HOST:PORT`, so scripts
/// and tests can find the port when --addr requests port 0. It accepts API
/// keys that start with adcrm_test_ and returns 401 for any other.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Example:\n  drippulse sandbox serve --addr 127.0.0.1:8787 --rate-limit 5"
)]
pub struct SandboxServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:0")]
    pub addr: std::net::SocketAddr,

    /// SQLite file that keeps the sandbox's state between restarts; by
    /// default the state lives in memory.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Requests per second allowed before returning 429 with Retry-After;
    /// 0 turns the limit off.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub rate_limit: u32,

    /// Maximum number of contacts in one bulk-enroll request. Larger
    /// requests get 413 and create nothing.
    #[arg(
        long,
        value_name = "N",
        default_value_t = crate::sandbox::DEFAULT_MAX_BATCH,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..)
    )]
    pub max_batch: usize,

    /// Fault to inject on purpose, as NAME=VALUE. Repeat it or separate
    /// entries with commas.
    ///
    /// Each of error-before-commit, error-after-commit, drop-after-commit,
    /// hang-after-commit, legacy-created-count-zero, rate-limit and
    /// rate-limit-no-header takes the probability (0 to 1) that one
    /// bulk-enroll call meets it. A call meets at most one of them, so their
    /// probabilities must add up to at most 1. latency-ms delays every
    /// bulk-enroll reply and list-lag-ms hides new enrollments from the list
    /// for that many milliseconds. seed=N makes the random choices
    /// reproducible.
    ///
    /// Example: --fault drop-after-commit=0.1 --fault seed=7
    #[arg(
        long = "fault",
        value_name = "NAME=VALUE",
        env = "DRIPPULSE_SANDBOX_FAULTS",
        value_delimiter = ','
    )]
    pub faults: Vec<String>,
}

/// Print a shell completion script to stdout.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Example (bash):\n  drippulse completions bash > ~/.local/share/bash-completion/completions/drippulse"
)]
pub struct CompletionsArgs {
    /// Shell to generate the script for.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// Print the man page (roff) to stdout.
#[derive(Debug, Args)]
pub struct ManArgs {}

/// Checks an id of a workflow, enrollment or agent. Ids are opaque, but an
/// empty one, one with surrounding spaces or control characters, or `.` and
/// `..` (which URLs resolve as paths) cannot be a real id and would reach
/// another endpoint.
pub fn parse_id(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Err("the id is empty".to_string());
    }
    if text.trim() != text {
        return Err(format!("{text:?} has spaces around it; remove them"));
    }
    if text.chars().any(char::is_control) {
        return Err("the id contains control characters".to_string());
    }
    if text == "." || text == ".." {
        return Err(format!("{text:?} is not an id"));
    }
    Ok(text.to_string())
}
