//! `drippulse enroll`: read contacts, skip those the ledger already holds,
//! and send the rest in batched bulk-enroll calls.

mod deliver;
mod prepare;
mod summary;

use std::cell::Cell;
use std::collections::VecDeque;
use std::path::PathBuf;

use anyhow::{bail, Context as _};
use tokio::task::JoinSet;

use crate::cli::{EnrollArgs, InputFormat};
use crate::exit::ExitStatus;
use crate::input::{
    self, Field, Format, KeySpec, Location, ReadOptions, Reject, RejectReason, Source,
};
use crate::ledger::{Claimed, EntryState, Ledger, RunStart};
use crate::progress::{EnrollProgress, Reporter};
use crate::settings::Context;
use deliver::{deliver, ContactOutcome, Delivery};
use prepare::{key_name, prepare, Inputs, Prepared, RejectsFile};
use summary::{RunCounts, Summary};

/// The one column of API refusals in the rejects file: the contact as sent.
const CONTACT_COLUMN: &str = "contact";

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
    let spool_dir = ctx.data_dir.join("tmp");
    let prepared = prepare(&inputs, &options, &spool_dir, rejects, &mut show_mapping)?;

    if args.dry_run {
        return dry_run_report(ctx, args, &prepared);
    }
    send_all(ctx, args, &options.key, prepared)
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
        Some(text) if text.len() == 1 && text.is_ascii() => Some(text.as_bytes()[0]),
        Some(text) => bail!(
            "invalid --delimiter {text:?}: give one ASCII character, such as ';' or '\\t' for tab"
        ),
    };

    let mut column_map = Vec::new();
    for pair in &args.map {
        let (field, column) = pair.split_once('=').with_context(|| {
            format!("invalid --map {pair:?}: expected FIELD=COLUMN, such as email=\"Work Email\"")
        })?;
        let field = match field.trim().to_ascii_lowercase().as_str() {
            "email" => Field::Email,
            "first_name" => Field::FirstName,
            "last_name" => Field::LastName,
            "company_name" | "company" => Field::CompanyName,
            "lead_ref" => Field::LeadRef,
            other => bail!(
                "invalid --map {pair:?}: unknown field {other:?}; use email, first_name, last_name, company_name or lead_ref"
            ),
        };
        if column.trim().is_empty() {
            bail!("invalid --map {pair:?}: the column name is empty");
        }
        column_map.push((field, column.trim().to_string()));
    }

    let key = match args.key.trim() {
        "" => bail!("invalid --key: give `email` or a column name"),
        k if k.eq_ignore_ascii_case("email") => KeySpec::Email,
        column => KeySpec::Column(column.to_string()),
    };

    Ok(ReadOptions {
        format,
        delimiter,
        column_map,
        key,
    })
}

fn inputs(args: &EnrollArgs, key: &KeySpec) -> anyhow::Result<Inputs> {
    if let Some(email) = &args.email {
        if !args.files.is_empty() {
            bail!("--email enrolls one contact and cannot be combined with input files; drop one of them");
        }
        let mut fields = Vec::new();
        for pair in &args.fields {
            let (name, value) = pair.split_once('=').with_context(|| {
                format!("invalid --field {pair:?}: expected KEY=VALUE, such as plan=pro")
            })?;
            if name.trim().is_empty() {
                bail!("invalid --field {pair:?}: the key is empty");
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
        return Ok(Inputs::Flags(record));
    }

    let mut sources = Vec::new();
    let mut stdin_seen = false;
    for path in &args.files {
        if path.as_os_str() == "-" {
            if stdin_seen {
                bail!("standard input (-) is named twice; name it once");
            }
            stdin_seen = true;
            sources.push(Source::Stdin);
        } else {
            sources.push(Source::File(path.clone()));
        }
    }
    if sources.is_empty() {
        sources.push(Source::Stdin);
    }
    Ok(Inputs::Sources(sources))
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
    prepared: &Prepared,
) -> anyhow::Result<ExitStatus> {
    let mut counts = RunCounts::default();
    let mut ledger = Ledger::open_read_only(&ctx.ledger_path())?;

    if let Some(ledger) = &mut ledger {
        if let Some(existing) = ledger.workflow_key(&args.workflow)? {
            check_key_matches(&args.workflow, &existing, &key_name_of(args))?;
        }
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

fn key_name_of(args: &EnrollArgs) -> String {
    match args.key.trim() {
        k if k.eq_ignore_ascii_case("email") => key_name(&KeySpec::Email),
        column => key_name(&KeySpec::Column(column.to_string())),
    }
}

/// Refuses a run whose `--key` differs from the one the workflow's entries
/// were recorded under: every contact would look new and be sent again.
fn check_key_matches(workflow: &str, existing: &str, requested: &str) -> anyhow::Result<()> {
    if existing == requested {
        return Ok(());
    }
    let flag = existing.strip_prefix("column:").unwrap_or(existing);
    bail!(
        "the ledger's entries for workflow {workflow:?} are keyed by {existing:?}, not {requested:?}; rerun with --key {flag:?}, because a different key would make every contact look new and enroll it again"
    )
}

/// The second pass: claim, send, record, summarise.
fn send_all(
    ctx: &mut Context,
    args: &EnrollArgs,
    key: &KeySpec,
    prepared: Prepared,
) -> anyhow::Result<ExitStatus> {
    let client = ctx.connect()?;
    let mut ledger = Ledger::open(&ctx.ledger_path())?;
    let key_name = key_name(key);
    if let Some(existing) = ledger.workflow_key(&args.workflow)? {
        check_key_matches(&args.workflow, &existing, &key_name)?;
    }

    let run_id = ledger.begin_run(&RunStart {
        command: "enroll".to_string(),
        workflow_id: Some(args.workflow.clone()),
        inputs: prepared.inputs.clone(),
    })?;
    ledger.register_workflow(&args.workflow, &key_name, run_id)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let mut reporter = Reporter::new(ctx.printer.progress_mode(), prepared.distinct);
    let Prepared {
        counts: input_counts,
        distinct: _,
        spool,
        inputs: _,
        mut rejects,
    } = prepared;
    let mut sender = Sender {
        ledger: &mut ledger,
        rejects: &mut rejects,
        workflow_id: &args.workflow,
        run_id,
        counts: RunCounts::default(),
        progress: EnrollProgress::default(),
        fatal: None,
    };
    let result = runtime.block_on(sender.run(
        client,
        &spool,
        args.batch_size as usize,
        args.concurrency as usize,
        &mut reporter,
    ));
    reporter.finish();
    let counts = sender.counts.clone();
    let fatal = sender.fatal.take();
    result?;
    rejects.finish()?;

    let status = if fatal.is_some() {
        ExitStatus::Failure
    } else if counts.failed > 0 || counts.unknown > 0 {
        ExitStatus::Incomplete
    } else {
        ExitStatus::Success
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

    if let Some(message) = fatal {
        bail!("{message}");
    }
    Ok(status)
}

/// The send loop's state.
struct Sender<'a> {
    ledger: &'a mut Ledger,
    /// Contacts the API refuses are added to the run's rejects file.
    rejects: &'a mut RejectsFile,
    workflow_id: &'a str,
    run_id: crate::ledger::RunId,
    counts: RunCounts,
    progress: EnrollProgress,
    fatal: Option<String>,
}

impl Sender<'_> {
    /// Claims batches ahead of sending (up to `concurrency` per durable
    /// claim transaction) and keeps `concurrency` calls in flight.
    async fn run(
        &mut self,
        client: crate::api::Client,
        spool: &prepare::Spool,
        batch_size: usize,
        concurrency: usize,
        reporter: &mut Reporter,
    ) -> anyhow::Result<()> {
        let mut reader = spool.reader()?;
        let exhausted = Cell::new(false);
        let mut queue: VecDeque<(i64, Vec<Claimed>)> = VecDeque::new();
        let mut in_flight: JoinSet<Delivery> = JoinSet::new();
        let mut next_batch_id = 1;

        loop {
            let stopping = self.fatal.is_some();
            if queue.is_empty() && !exhausted.get() && !stopping {
                let mut next = || match reader.next_contact()? {
                    Some(contact) => Ok(Some(contact)),
                    None => {
                        exhausted.set(true);
                        Ok(None)
                    }
                };
                let claim = self.ledger.claim(
                    self.workflow_id,
                    self.run_id,
                    batch_size,
                    concurrency,
                    next_batch_id,
                    &mut next,
                )?;
                for held in &claim.held {
                    self.counts.count_held(held.state);
                    match held.state {
                        EntryState::Sent => self.progress.skipped += 1,
                        _ => self.progress.unknown += 1,
                    }
                    self.progress.processed += 1;
                }
                if let Some((last, _)) = claim.batches.last() {
                    next_batch_id = last + 1;
                }
                queue.extend(claim.batches);
                reporter.update(&self.progress);
            }

            if stopping {
                // Give back what was claimed but never sent.
                let unsent: Vec<(i64, String)> = queue
                    .drain(..)
                    .flat_map(|(_, batch)| batch)
                    .map(|c| (c.entry_id, "not sent: the run stopped".to_string()))
                    .collect();
                if !unsent.is_empty() {
                    self.ledger
                        .record_outcome(self.run_id, EntryState::Planned, &unsent)?;
                }
            }

            while in_flight.len() < concurrency {
                let Some((_, batch)) = queue.pop_front() else {
                    break;
                };
                in_flight.spawn(deliver(client.clone(), self.workflow_id.to_string(), batch));
            }

            let Some(joined) = in_flight.join_next().await else {
                if queue.is_empty() && (exhausted.get() || self.fatal.is_some()) {
                    break;
                }
                continue;
            };
            let delivery = joined.context("a send task failed")?;
            self.apply(delivery)?;
            reporter.update(&self.progress);
        }
        Ok(())
    }

    /// Records one batch's outcomes in the ledger and the counts.
    fn apply(&mut self, delivery: Delivery) -> anyhow::Result<()> {
        let mut sent = Vec::new();
        let mut rejected = Vec::new();
        let mut unknown = Vec::new();
        let mut not_sent = Vec::new();

        for (claimed, outcome) in delivery.outcomes {
            self.progress.processed += 1;
            match outcome {
                ContactOutcome::Sent(id) => {
                    self.counts.sent += 1;
                    self.progress.sent += 1;
                    sent.push((claimed.entry_id, id));
                }
                ContactOutcome::Rejected(reason) => {
                    self.counts.failed += 1;
                    self.progress.failed += 1;
                    self.rejects.write(
                        &api_reject(&claimed, &reason),
                        &[CONTACT_COLUMN.to_string()],
                    )?;
                    rejected.push((claimed.entry_id, reason));
                }
                ContactOutcome::Unknown(reason) => {
                    self.counts.unknown += 1;
                    self.progress.unknown += 1;
                    unknown.push((claimed.entry_id, reason));
                }
                ContactOutcome::NotSent(reason) => {
                    self.counts.failed += 1;
                    self.progress.failed += 1;
                    not_sent.push((claimed.entry_id, reason));
                }
            }
        }

        self.ledger.record_sent(self.run_id, &sent)?;
        self.ledger
            .record_outcome(self.run_id, EntryState::Rejected, &rejected)?;
        self.ledger
            .record_outcome(self.run_id, EntryState::Unknown, &unknown)?;
        self.ledger
            .record_outcome(self.run_id, EntryState::Planned, &not_sent)?;
        self.counts.requests += u64::from(delivery.requests);
        if self.fatal.is_none() {
            self.fatal = delivery.fatal;
        }
        Ok(())
    }
}

/// The rejects-file row of a contact the API refused.
fn api_reject(claimed: &Claimed, reason: &str) -> Reject {
    Reject {
        location: Location {
            source: claimed.contact.source.clone(),
            line: claimed.contact.line,
        },
        reason: RejectReason::ApiRejected,
        message: reason.to_string(),
        cells: vec![claimed.contact.contact_json.clone()],
    }
}
