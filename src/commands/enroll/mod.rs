//! `drippulse enroll`: read contacts, skip those the ledger already has,
//! and send the rest in batched bulk-enroll calls.

mod deliver;
mod prepare;
mod send;
mod summary;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context as _};

use crate::api::Client;
use crate::cli::{EnrollArgs, InputFormat};
use crate::exit::{status_for_error, usage, ExitStatus, Interrupted};
use crate::input::{self, EncodingChoice, Field, Format, KeySpec, ReadOptions, Source};
use crate::interrupt::Interrupt;
use crate::ledger::{EntryState, Ledger, LedgerLock, RunId, RunStart, WorkflowBinding};
use crate::output::Printer;
use crate::progress::{EnrollProgress, Reporter};
use crate::reconcile::{adopt_existing, reconcile, ReconcileReport};
use crate::settings::Context;
use prepare::{key_name, prepare, Inputs, Prepared, RejectsFile};
use send::{Ending, Sender};
use summary::{RunCounts, Summary};

/// The settle window against a real server: how long a contact whose
/// outcome is unknown must be absent from the list before it may be sent
/// again. An estimate of the list's worst delay, not a documented figure.
const DEFAULT_SETTLE: Duration = Duration::from_secs(300);

/// Distinct contacts looked up per ledger read in a dry run.
const DRY_RUN_CHUNK: usize = 500;

/// Runs `enroll` and returns the exit status.
pub fn run(ctx: &mut Context, args: &EnrollArgs) -> anyhow::Result<ExitStatus> {
    let options = read_options(args)?;
    let inputs = inputs(args, &options.key)?;
    let rejects = RejectsFile::new(rejects_path(ctx, args));

    let printer = ctx.printer.clone();
    let dry_run = args.dry_run;
    let mut show_mapping = |name: &str, mapping: &[(String, String)]| {
        for (column, field) in mapping {
            let line = format!("{name}: column {column:?} -> {field}");
            if dry_run {
                printer.status(line);
            } else {
                printer.detail(line);
            }
        }
    };
    let warn_printer = ctx.printer.clone();
    let mut show_warning = |message: &str| warn_printer.warn(message);
    let spool_dir = ctx.data_dir.join("tmp");
    let prepared = prepare(
        &inputs,
        &options,
        &spool_dir,
        rejects,
        &mut show_mapping,
        &mut show_warning,
    )?;
    if args.reading.strict && prepared.counts.rejected > 0 {
        return Err(strict_failure(&prepared));
    }

    if args.dry_run {
        return dry_run_report(ctx, args, &options.key, &prepared);
    }
    send_all(ctx, args, &options.key, prepared)
}

/// Builds the error that stops a `--strict` run with rejected rows. Nothing
/// has been sent, the ledger is untouched, and the rejects file is complete.
fn strict_failure(prepared: &Prepared) -> anyhow::Error {
    let count = prepared.counts.rejected;
    let rows = if count == 1 { "row was" } else { "rows were" };
    let path = prepared
        .rejects
        .written_path()
        .map(|path| format!(" (listed in {})", path.display()))
        .unwrap_or_default();
    anyhow::anyhow!(
        "{count} input {rows} rejected{path}, and --strict stops the run before anything is \
         sent; fix or remove those rows, or drop --strict to enroll the valid ones"
    )
}

/// Builds the reader options from the flags, rejecting bad values early.
fn read_options(args: &EnrollArgs) -> anyhow::Result<ReadOptions> {
    let format = args.format.map(|format| match format {
        InputFormat::Csv => Format::Csv,
        InputFormat::Json => Format::Json,
        InputFormat::Ndjson => Format::Ndjson,
    });

    let delimiter = match args.delimiter.as_deref() {
        None => None,
        Some("\\t" | "tab" | "\t") => Some(b'\t'),
        Some("\"") => {
            return Err(usage(
                "invalid --delimiter '\"': the double quote encloses fields in CSV and cannot separate them",
            ))
        }
        Some(text) if text.len() == 1 && text.is_ascii() => Some(text.as_bytes()[0]),
        Some(text) => return Err(usage(format!(
            "invalid --delimiter {text:?}: give one ASCII character, such as ';' or '\\t' for tab"
        ))),
    };

    // The mapping file's entries come first, so --map flags, read later,
    // win for the same field.
    let mut column_map = Vec::new();
    if let Some(path) = &args.reading.map_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("failed to read the mapping file {}", path.display()))?;
        let pairs = input::parse_map_file(&text)
            .map_err(|message| usage(format!("{}, {message}", path.display())))?;
        column_map.extend(pairs);
    }
    for pair in &args.map {
        let mapping = input::parse_map_pair(pair)
            .map_err(|message| usage(message.replacen("invalid mapping", "invalid --map", 1)))?;
        column_map.push(mapping);
    }

    let encoding = EncodingChoice::from_label(&args.reading.encoding).ok_or_else(|| {
        usage(format!(
            "invalid --encoding {:?}: give auto, utf-8, windows-1252, utf-16le, utf-16be or \
             another WHATWG encoding label",
            args.reading.encoding
        ))
    })?;
    let email_column = args.reading.email_column.map(|number| number as usize);
    let maps_email = args
        .map
        .iter()
        .any(|pair| input::parse_map_pair(pair).is_ok_and(|(field, _)| field == Field::Email));
    if email_column.is_some() && maps_email {
        return Err(usage(
            "--email-column and --map email=... both choose the email column; keep one of them",
        ));
    }

    let key = match args.key.trim() {
        "" => return Err(usage("invalid --key: give `email` or a column name")),
        k if k.eq_ignore_ascii_case("email") => KeySpec::Email,
        column => KeySpec::Column(column.to_string()),
    };

    Ok(ReadOptions {
        format,
        delimiter,
        column_map,
        key,
        encoding,
        no_header: args.reading.no_header,
        email_column,
    })
}

fn inputs(args: &EnrollArgs, key: &KeySpec) -> anyhow::Result<Inputs> {
    if let Some(email) = &args.email {
        if !args.files.is_empty() {
            return Err(usage("--email enrolls one contact and cannot be combined with input files; drop one of them"));
        }
        let mut fields = Vec::new();
        for pair in &args.fields {
            let (name, value) = pair.split_once('=').ok_or_else(|| {
                usage(format!(
                    "invalid --field {pair:?}: expected KEY=VALUE, such as plan=pro"
                ))
            })?;
            if name.trim().eq_ignore_ascii_case("email") {
                return Err(usage(
                    "--field email=... is not how the address is set; use --email ADDR",
                ));
            }
            if name.trim().is_empty() {
                return Err(usage(format!("invalid --field {pair:?}: the key is empty")));
            }
            fields.push((name.trim().to_string(), value.to_string()));
        }
        let record = input::contact_from_flags(
            email,
            args.first_name.as_deref(),
            args.last_name.as_deref(),
            &fields,
            key,
        );
        // One contact typed on the command line: a bad value is a usage
        // error, not a row for the rejects file.
        if let input::Record::Reject(reject) = &record {
            return Err(usage(format!("invalid --email: {}", reject.message)));
        }
        return Ok(Inputs::Flags(record));
    }

    let mut sources = Vec::new();
    let mut stdin_seen = false;
    for path in &args.files {
        if path.as_os_str() == "-" {
            if stdin_seen {
                return Err(usage("standard input (-) is named twice; name it once"));
            }
            stdin_seen = true;
            sources.push(Source::Stdin);
        } else {
            sources.push(Source::File(path.clone()));
        }
    }
    if sources.is_empty() {
        if std::io::stdin().is_terminal() {
            return Err(usage(
                "no contacts to read: name a file, pipe contacts into standard input, or give one contact with --email (use - to type them into the terminal)",
            ));
        }
        sources.push(Source::Stdin);
    }
    if let Some(rejects) = &args.rejects {
        for path in &args.files {
            if same_file(path, rejects) {
                return Err(usage(format!(
                    "--rejects {} is also an input file; writing rejects there would overwrite it, so choose another path",
                    rejects.display()
                )));
            }
        }
    }
    Ok(Inputs::Sources(sources))
}

/// Returns whether two paths name the same existing file.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn rejects_path(ctx: &Context, args: &EnrollArgs) -> PathBuf {
    if let Some(path) = &args.rejects {
        return path.clone();
    }
    let workflow: String = args
        .workflow
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    ctx.data_dir
        .join("rejects")
        .join(format!("{workflow}-{stamp}-{}.csv", std::process::id()))
}

/// Reports what a real run would do, without sending or writing the ledger.
fn dry_run_report(
    ctx: &Context,
    args: &EnrollArgs,
    key: &KeySpec,
    prepared: &Prepared,
) -> anyhow::Result<ExitStatus> {
    let mut counts = RunCounts::default();
    let mut ledger = Ledger::open_read_only(&ctx.ledger_path())?;

    if let Some(ledger) = &mut ledger {
        if let Some(existing) = ledger.workflow_binding(&args.workflow)? {
            check_binding(&args.workflow, &existing, &binding_for(ctx, key))?;
        }
        warn_repeated_imports(&ctx.printer, ledger, &args.workflow, &prepared.inputs)?;
    }

    let mut reader = prepared.spool.reader()?;
    let mut chunk = Vec::with_capacity(DRY_RUN_CHUNK);
    loop {
        chunk.clear();
        while chunk.len() < DRY_RUN_CHUNK {
            match reader.next_contact()? {
                Some(contact) => chunk.push(contact.key),
                None => break,
            }
        }
        if chunk.is_empty() {
            break;
        }
        let states = match &mut ledger {
            Some(ledger) => ledger.states_of(&args.workflow, &chunk)?,
            None => vec![None; chunk.len()],
        };
        for state in states {
            match state {
                None | Some(EntryState::Planned | EntryState::Rejected) => counts.sent += 1,
                Some(EntryState::Deleted) if args.re_enroll => counts.sent += 1,
                Some(state) => counts.count_held(state),
            }
        }
    }

    let summary = Summary::new(
        None,
        &args.workflow,
        &prepared.counts,
        prepared.rejects.written_path(),
        counts,
        true,
    );
    summary.print(&ctx.printer)?;
    Ok(ExitStatus::Success)
}

/// Warns when an input with the same SHA-256 was already imported into the
/// workflow, and reports what the ledger did with it, so an operator who
/// runs yesterday's file again can see that enrolled contacts are skipped.
fn warn_repeated_imports(
    printer: &Printer,
    ledger: &Ledger,
    workflow_id: &str,
    inputs: &[(String, String)],
) -> anyhow::Result<()> {
    for (name, sha256) in inputs {
        if sha256.is_empty() {
            continue;
        }
        let earlier = ledger.earlier_imports(workflow_id, sha256)?;
        let others = earlier.len().saturating_sub(1);
        // The latest earlier import shows what the ledger did. Older ones
        // are only counted.
        if let Some((run_id, started_at, summary)) = earlier.into_iter().last() {
            let also = match others {
                0 => String::new(),
                n => format!(" and {n} earlier runs"),
            };
            let counts = summary
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                .map(|summary| {
                    format!(
                        " (sent {}, already enrolled {})",
                        summary["sent"], summary["already_enrolled"]
                    )
                })
                .unwrap_or_default();
            printer.warn(format!(
                "{name} was already imported into workflow {workflow_id} by run {run_id} at {started_at}{counts}{also}; contacts the ledger has as enrolled are skipped, not sent again"
            ));
        }
    }
    Ok(())
}

/// Returns the binding a run would record for a workflow it sends to.
fn binding_for(ctx: &Context, key: &KeySpec) -> WorkflowBinding {
    WorkflowBinding {
        key_name: key_name(key),
        api_origin: Some(ctx.api_origin_label()),
    }
}

/// Refuses a run whose key or API origin differs from what the workflow's
/// entries were recorded with. With another key every contact would look
/// new and be enrolled again; with another server the entries describe
/// enrollments that server does not have.
fn check_binding(
    workflow: &str,
    existing: &WorkflowBinding,
    requested: &WorkflowBinding,
) -> anyhow::Result<()> {
    if existing.key_name != requested.key_name {
        let flag = existing
            .key_name
            .strip_prefix("column:")
            .unwrap_or(&existing.key_name);
        bail!(
            "the ledger's entries for workflow {workflow:?} are keyed by {:?}, not {:?}; rerun with --key {flag:?}, because a different key would make every contact look new and enroll it again",
            existing.key_name,
            requested.key_name
        );
    }
    check_origin(workflow, existing, requested.api_origin.as_deref())
}

/// Refuses a run against another server than the one a workflow's entries
/// were sent to.
pub fn check_origin(
    workflow: &str,
    existing: &WorkflowBinding,
    current: Option<&str>,
) -> anyhow::Result<()> {
    if let (Some(recorded), Some(current)) = (existing.api_origin.as_deref(), current) {
        if recorded != current {
            bail!(
                "the ledger's entries for workflow {workflow:?} were sent to {recorded}, but this run targets {current}; use a separate --data-dir for each server, so one server's enrollments are never taken for another's"
            );
        }
    }
    Ok(())
}

/// Runs the second pass under the ledger lock: recover what a dead run
/// left, adopt a new workflow's existing enrollments, reconcile unknown
/// contacts, send, reconcile again, and summarise.
fn send_all(
    ctx: &mut Context,
    args: &EnrollArgs,
    key: &KeySpec,
    prepared: Prepared,
) -> anyhow::Result<ExitStatus> {
    let client = ctx.connect()?;
    let _lock = LedgerLock::acquire(&ctx.data_dir, Duration::from_secs(args.lock_wait))?;
    let mut ledger = Ledger::open(&ctx.ledger_path())?;
    let binding = binding_for(ctx, key);
    if let Some(existing) = ledger.workflow_binding(&args.workflow)? {
        check_binding(&args.workflow, &existing, &binding)?;
    }

    let Prepared {
        counts: input_counts,
        distinct,
        spool,
        inputs,
        mut rejects,
    } = prepared;
    warn_repeated_imports(&ctx.printer, &ledger, &args.workflow, &inputs)?;
    let run_id = ledger.begin_run(&RunStart {
        command: "enroll".to_string(),
        workflow_id: Some(args.workflow.clone()),
        inputs,
    })?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let settle = settle_window(ctx, args.settle_secs);
    let printer = ctx.printer.clone();

    let outcome = runtime.block_on(async {
        let interrupt = Interrupt::install();
        prepare_ledger(
            &mut ledger,
            &client,
            &args.workflow,
            run_id,
            key,
            &binding,
            settle,
            &printer,
        )
        .await?;

        let mut reporter = Reporter::new(printer.progress_mode(), distinct);
        let mut sender = Sender {
            ledger: &mut ledger,
            rejects: &mut rejects,
            workflow_id: &args.workflow,
            run_id,
            counts: RunCounts::default(),
            progress: EnrollProgress::default(),
            unknown_entries: Vec::new(),
            request_timeout: ctx.timeout(),
            re_enroll: args.re_enroll,
        };
        let ending = sender
            .run(
                client.clone(),
                &spool,
                args.batch_size as usize,
                args.concurrency as usize,
                &mut reporter,
                &interrupt,
            )
            .await;
        reporter.finish();
        let ending = ending?;
        let mut counts = sender.counts;
        let unknown_entries = sender.unknown_entries;

        // Settle what this run left unknown while the server is fresh in
        // mind: a reply lost after the enrollment was created is found now.
        if ending == Ending::Complete && !unknown_entries.is_empty() {
            let report = reconcile(&mut ledger, &client, &args.workflow, run_id, settle).await?;
            counts.absorb_reconciliation(&report, &unknown_entries);
            describe_reconciliation(&printer, &report, "after sending");
        }
        anyhow::Ok((ending, counts))
    });

    let (ending, counts) = match outcome {
        Ok(result) => result,
        Err(error) => {
            let _ = ledger.finish_run(
                run_id,
                status_for_error(&error).code(),
                &serde_json::Value::Null,
            );
            return Err(error);
        }
    };
    rejects.finish()?;

    let status = match &ending {
        Ending::Fatal(_) => ExitStatus::Failure,
        Ending::Interrupted { .. } => ExitStatus::Interrupted,
        Ending::Complete if counts.failed > 0 => ExitStatus::Incomplete,
        Ending::Complete if counts.unknown > 0 || counts.needs_review > 0 => ExitStatus::Unknown,
        Ending::Complete => ExitStatus::Success,
    };
    let summary = Summary::new(
        Some(run_id),
        &args.workflow,
        &input_counts,
        rejects.written_path(),
        counts,
        false,
    );
    ledger.finish_run(run_id, status.code(), &summary.to_json())?;
    summary.print(&ctx.printer)?;

    match ending {
        Ending::Fatal(message) => bail!("{message}"),
        Ending::Interrupted { abandoned } => {
            let detail = if abandoned > 0 {
                format!("{abandoned} requests did not finish in time, and the next run checks their contacts against the server; ")
            } else {
                String::new()
            };
            Err(Interrupted(format!(
                "{detail}rerun the same command to enroll the remaining contacts"
            ))
            .into())
        }
        Ending::Complete => Ok(status),
    }
}

/// Returns the settle window: `--settle-secs`, else five minutes against a real
/// server. The built-in sandbox lists every enrollment at once unless its
/// `list-lag-ms` switch delays them, so there the window is that delay
/// plus a second. Call it after `Context::connect`, which starts the sandbox.
pub fn settle_window(ctx: &Context, settle_secs: Option<u64>) -> Duration {
    match settle_secs {
        Some(secs) => Duration::from_secs(secs),
        None if ctx.is_sandbox() && ctx.sandbox_list_lag().is_zero() => Duration::ZERO,
        None if ctx.is_sandbox() => ctx.sandbox_list_lag() + Duration::from_secs(1),
        None => DEFAULT_SETTLE,
    }
}

/// The steps before sending: recover entries a dead run left `sending`,
/// adopt the existing enrollments of a workflow the ledger has never
/// seen, and reconcile `unknown` entries.
#[allow(clippy::too_many_arguments)]
async fn prepare_ledger(
    ledger: &mut Ledger,
    client: &Client,
    workflow_id: &str,
    run_id: RunId,
    key: &KeySpec,
    binding: &WorkflowBinding,
    settle: Duration,
    printer: &Printer,
) -> anyhow::Result<()> {
    let recovered = ledger.recover_abandoned(run_id)?;
    if recovered > 0 {
        printer.warn(format!(
            "{recovered} contacts were left mid-send by a run that ended early; checking them against the server"
        ));
    }

    if !ledger.knows_workflow(workflow_id)? {
        let adopted = adopt_existing(ledger, client, workflow_id, run_id, key).await?;
        if adopted > 0 {
            printer.status(format!(
                "Workflow {workflow_id} already has {adopted} enrollments drippulse did not send; they count as already enrolled."
            ));
        }
        ledger.register_workflow(workflow_id, binding, run_id)?;
    }

    let report = reconcile(ledger, client, workflow_id, run_id, settle).await?;
    describe_reconciliation(printer, &report, "before sending");
    Ok(())
}

/// Tells the user what a reconciliation settled and what it could not.
fn describe_reconciliation(printer: &Printer, report: &ReconcileReport, when: &str) {
    if report.checked == 0 {
        return;
    }
    printer.status(format!(
        "Reconciled {} contacts with an unknown outcome {when}: {} found enrolled, {} found more than once, {} absent and queued again, {} still unknown.",
        report.checked, report.found, report.needs_review, report.replanned, report.still_unknown
    ));
    if let Some(error) = &report.listing_error {
        printer.warn(format!(
            "failed to list the workflow, so nothing was settled: {error}"
        ));
    }
    if report.still_unknown > 0 && report.listing_error.is_none() {
        printer.detail(
            "contacts absent from the list stay unknown until their settle window (--settle-secs) has passed",
        );
    }
}
