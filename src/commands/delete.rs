//! `drippulse delete`: remove mistaken enrollments by id, by email, by an
//! earlier run, or from a file, and keep the ledger in step.
//!
//! Targets are resolved against the server's list first, so the preview
//! shows what exists. Each DELETE is preceded by a durable `deleting`
//! record, and a 2xx or 404 leaves a `deleted` tombstone that keeps a later
//! `enroll` from silently enrolling the person again.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use anyhow::Context as _;
use serde_json::{json, Value};

use crate::api::{id_string, Client, Deleted, ListFilters};
use crate::cli::DeleteArgs;
use crate::exit::{usage, ExitStatus};
use crate::ledger::{Ledger, LedgerLock, RunId, RunStart};
use crate::settings::Context;
use crate::text::escape_control;

/// Targets above this count need `--expect-count`.
const EXPECT_COUNT_ABOVE: usize = 100;

/// Rows shown in the preview.
const PREVIEW_ROWS: usize = 10;

/// One enrollment to delete.
#[derive(Debug, Clone)]
struct Target {
    enrollment_id: String,
    email: String,
    created_at: String,
    /// The ledger entry that records this enrollment, if any.
    entry_id: Option<i64>,
}

/// Resolves the targets, previews them, confirms, and deletes.
pub fn run(ctx: &mut Context, args: &DeleteArgs) -> anyhow::Result<ExitStatus> {
    let file_targets = match &args.from {
        Some(path) => read_target_file(path)?,
        None => Vec::new(),
    };
    if args.ids.is_empty() && args.email.is_empty() && args.run.is_none() && file_targets.is_empty()
    {
        return Err(usage(
            "nothing to delete: give enrollment ids, --email ADDR, --run RUN_ID or --from FILE",
        ));
    }

    let client = ctx.connect()?;
    let _lock = LedgerLock::acquire(&ctx.data_dir, Duration::from_secs(args.lock_wait))?;
    let mut ledger = Ledger::open(&ctx.ledger_path())?;
    if let Some(binding) = ledger.workflow_binding(&args.workflow)? {
        super::enroll::check_origin(&args.workflow, &binding, Some(&ctx.api_origin_label()))?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;

    let listing = runtime
        .block_on(client.list_enrollments(&args.workflow, &ListFilters::default()))
        .with_context(|| {
            format!(
                "failed to list the enrollments of workflow {:?}",
                args.workflow
            )
        })?;
    let (targets, missing) = resolve_targets(&ledger, args, &file_targets, &listing)?;
    let live = live_by_email(&listing);

    print_preview(ctx, args, &targets, &missing);
    if targets.is_empty() {
        let summary = summary_json(args, None, &[], &[], &missing, &[]);
        if ctx.printer.is_json() {
            ctx.printer.json(&summary)?;
        }
        return Ok(ExitStatus::Success);
    }
    if args.dry_run {
        ctx.printer.status("Dry run: nothing was deleted.");
        if ctx.printer.is_json() {
            let preview: Vec<Value> = targets.iter().map(target_json).collect();
            ctx.printer
                .json(&json!({ "dry_run": true, "would_delete": preview }))?;
        }
        return Ok(ExitStatus::Success);
    }
    confirm(args, targets.len())?;

    let run_id = ledger.begin_run(&RunStart {
        command: "delete".to_string(),
        workflow_id: Some(args.workflow.clone()),
        inputs: Vec::new(),
    })?;
    let outcome = runtime.block_on(delete_all(
        &client,
        &mut ledger,
        &args.workflow,
        run_id,
        &targets,
        &live,
    ));
    let (removed, gone, failed) = match outcome {
        Ok(result) => result,
        Err(error) => {
            let _ = ledger.finish_run(run_id, 1, &Value::Null);
            return Err(error);
        }
    };

    let status = if failed.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Incomplete
    };
    let summary = summary_json(args, Some(run_id), &removed, &gone, &[], &failed);
    ledger.finish_run(run_id, status.code(), &summary)?;

    if ctx.printer.is_json() {
        ctx.printer.json(&summary)?;
    } else {
        ctx.printer.status(format!(
            "Deleted {} enrollments from workflow {} (run {}); {} were already gone, {} failed.",
            removed.len(),
            escape_control(&args.workflow),
            run_id.0,
            gone.len(),
            failed.len()
        ));
        for (target, error) in &failed {
            ctx.printer.warn(format!(
                "failed to delete {}: {error}",
                target.enrollment_id
            ));
        }
        if !failed.is_empty() {
            ctx.printer
                .status("  rerun the same command to retry the ones that failed");
        }
    }
    Ok(status)
}

/// Groups the listed enrollment ids by lower-cased email.
fn live_by_email(listing: &[Value]) -> HashMap<String, Vec<String>> {
    let mut live: HashMap<String, Vec<String>> = HashMap::new();
    for enrollment in listing {
        let (Some(id), Some(email)) = (
            enrollment.get("id").map(id_string),
            enrollment.get("email").and_then(Value::as_str),
        ) else {
            continue;
        };
        live.entry(email.trim().to_lowercase())
            .or_default()
            .push(id);
    }
    live
}

/// Finds the enrollments the arguments name. Returns them, and the ids
/// that were asked for by id but are not on the server (already gone).
fn resolve_targets(
    ledger: &Ledger,
    args: &DeleteArgs,
    file_targets: &[String],
    listing: &[Value],
) -> anyhow::Result<(Vec<Target>, Vec<String>)> {
    let mut by_id: HashMap<String, &Value> = HashMap::new();
    let mut by_email: HashMap<String, Vec<&Value>> = HashMap::new();
    for enrollment in listing {
        let Some(id) = enrollment.get("id").map(id_string) else {
            continue;
        };
        if let Some(email) = enrollment.get("email").and_then(Value::as_str) {
            by_email
                .entry(email.trim().to_lowercase())
                .or_default()
                .push(enrollment);
        }
        by_id.insert(id, enrollment);
    }

    let mut wanted_ids: Vec<String> = args.ids.clone();
    let mut wanted_emails: Vec<String> = args.email.clone();
    for item in file_targets {
        if item.contains('@') {
            wanted_emails.push(item.clone());
        } else {
            // The same check as ids on the command line: `..` would make
            // the DELETE address the whole enrollment list.
            let id = crate::cli::parse_id(item)
                .map_err(|why| usage(format!("invalid id {item:?} in --from: {why}")))?;
            wanted_ids.push(id);
        }
    }
    if let Some(run) = args.run {
        match ledger.run_workflow(run)? {
            None => {
                return Err(usage(format!(
                    "run {run} is not in the ledger; see `drippulse ledger runs` for the runs it has"
                )))
            }
            Some(Some(workflow)) if workflow != args.workflow => {
                return Err(usage(format!(
                    "run {run} enrolled into workflow {workflow:?}, not {:?}; pass --workflow {workflow:?}",
                    args.workflow
                )))
            }
            Some(_) => {}
        }
        for entry in ledger.entries_of_run(&args.workflow, run, args.include_adopted)? {
            wanted_ids.push(entry.enrollment_id);
        }
    }

    let mut seen = HashSet::new();
    let mut targets = Vec::new();
    let mut missing = Vec::new();
    for id in &wanted_ids {
        match by_id.get(id) {
            Some(enrollment) => {
                add_target(ledger, &args.workflow, enrollment, &mut seen, &mut targets)?
            }
            // Not in the list: its DELETE still goes out, because the list
            // may lag, and a 404 then reports it as already gone.
            None if seen.insert(id.clone()) => {
                missing.push(id.clone());
                targets.push(Target {
                    entry_id: ledger.entry_for_enrollment(&args.workflow, id)?,
                    enrollment_id: id.clone(),
                    email: String::new(),
                    created_at: String::new(),
                });
            }
            None => {}
        }
    }
    for email in &wanted_emails {
        for enrollment in by_email
            .get(&email.trim().to_lowercase())
            .into_iter()
            .flatten()
        {
            add_target(ledger, &args.workflow, enrollment, &mut seen, &mut targets)?;
        }
    }
    Ok((targets, missing))
}

/// Adds one server enrollment to the targets, once.
fn add_target(
    ledger: &Ledger,
    workflow_id: &str,
    enrollment: &Value,
    seen: &mut HashSet<String>,
    targets: &mut Vec<Target>,
) -> anyhow::Result<()> {
    let id = enrollment.get("id").map(id_string).unwrap_or_default();
    if !seen.insert(id.clone()) {
        return Ok(());
    }
    let field = |name: &str| {
        enrollment
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    targets.push(Target {
        entry_id: ledger.entry_for_enrollment(workflow_id, &id)?,
        enrollment_id: id,
        email: field("email"),
        created_at: field("created_at"),
    });
    Ok(())
}

/// Reads ids or addresses from a file: one per line, or a CSV with a
/// column named `id`, `enrollment_id` or `email`.
fn read_target_file(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("failed to open --from {}", path.display()))?;
    let mut lines = std::io::BufReader::new(file).lines();
    let Some(first) = lines.next().transpose()? else {
        return Ok(Vec::new());
    };
    let first = first.trim_start_matches('\u{feff}').to_string();

    if first.contains(',') || first.contains(';') || first.contains('\t') {
        let delimiter = crate::input::detect_delimiter(first.as_bytes());
        let rest: Vec<String> = lines.collect::<Result<_, _>>()?;
        let text = std::iter::once(first)
            .chain(rest)
            .collect::<Vec<_>>()
            .join("\n");
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = reader.headers()?.clone();
        // Ids name exactly one enrollment, so they win over addresses when
        // a file (such as a ledger export) has both.
        let named = |wanted: &[&str]| {
            headers
                .iter()
                .position(|h| wanted.contains(&h.trim().to_ascii_lowercase().as_str()))
        };
        let column = named(&["enrollment_id", "id"])
            .or_else(|| named(&["email"]))
            .ok_or_else(|| {
                usage(format!(
                    "--from {}: no column named id, enrollment_id or email; columns are: {}",
                    path.display(),
                    headers.iter().collect::<Vec<_>>().join(", ")
                ))
            })?;
        let mut items = Vec::new();
        for record in reader.records() {
            let record =
                record.with_context(|| format!("failed to read --from {}", path.display()))?;
            if let Some(value) = record.get(column).map(str::trim).filter(|v| !v.is_empty()) {
                items.push(value.to_string());
            }
        }
        return Ok(items);
    }

    let mut items = Vec::new();
    for line in std::iter::once(Ok(first)).chain(lines) {
        let line = line?;
        let line = line.trim();
        if !line.is_empty() && !line.starts_with('#') {
            items.push(line.to_string());
        }
    }
    // A one-column file may start with its column name.
    if items.first().is_some_and(|first| {
        ["id", "enrollment_id", "email"].contains(&first.to_ascii_lowercase().as_str())
    }) {
        items.remove(0);
    }
    Ok(items)
}

fn print_preview(ctx: &Context, args: &DeleteArgs, targets: &[Target], missing: &[String]) {
    if !missing.is_empty() {
        ctx.printer.status(format!(
            "{} requested ids are not in the list of workflow {}, probably already gone: {}",
            missing.len(),
            escape_control(&args.workflow),
            missing
                .iter()
                .map(|id| escape_control(id).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if targets.is_empty() {
        ctx.printer.status("Nothing to delete.");
        return;
    }
    ctx.printer.status(format!(
        "Will delete {} enrollments from workflow {}:",
        targets.len(),
        escape_control(&args.workflow)
    ));
    for target in targets.iter().take(PREVIEW_ROWS) {
        ctx.printer.status(format!(
            "  {}  {}  {}",
            escape_control(&target.enrollment_id),
            escape_control(&target.email),
            escape_control(&target.created_at)
        ));
    }
    if targets.len() > PREVIEW_ROWS {
        ctx.printer
            .status(format!("  ... and {} more", targets.len() - PREVIEW_ROWS));
    }
}

/// Checks --expect-count, then prompts on a terminal or requires --yes.
fn confirm(args: &DeleteArgs, count: usize) -> anyhow::Result<()> {
    if count > EXPECT_COUNT_ABOVE && args.expect_count != Some(count) {
        return Err(usage(match args.expect_count {
            Some(expected) => format!(
                "--expect-count {expected} does not match the {count} enrollments found; nothing was deleted"
            ),
            None => format!(
                "deleting {count} enrollments needs --expect-count {count}, so that a mistake cannot empty a workflow"
            ),
        }));
    }
    if args.yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(usage(
            "refusing to delete without confirmation: not on a terminal; pass --yes to confirm",
        ));
    }
    eprint!("Delete these {count} enrollments? [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(usage("not confirmed; nothing was deleted"))
    }
}

/// Deletes each target: `deleting` is committed before its DELETE, and
/// afterwards each affected contact's entry is settled from what is left.
///
/// In a workflow keyed by email, one person's entry may stand for several
/// server enrollments, such as duplicates or an entry whose outcome was
/// unknown. So the entry follows the person, not the deleted id. It
/// becomes `sent` with the one enrollment that remains, `needs_review` if
/// several remain, and a `deleted` tombstone only when none does. In a
/// workflow keyed by a column the entry of each deleted id becomes a
/// tombstone.
async fn delete_all(
    client: &Client,
    ledger: &mut Ledger,
    workflow_id: &str,
    run_id: RunId,
    targets: &[Target],
    live: &HashMap<String, Vec<String>>,
) -> anyhow::Result<(Vec<Target>, Vec<Target>, Vec<(Target, String)>)> {
    let key_is_email = ledger
        .workflow_binding(workflow_id)?
        .is_none_or(|binding| binding.key_name == "email");
    let mut removed = Vec::new();
    let mut gone = Vec::new();
    let mut failed = Vec::new();
    let mut deleted_ids: HashSet<String> = HashSet::new();

    for target in targets {
        let key = target.email.trim().to_lowercase();
        if let Some(entry_id) = target.entry_id {
            ledger.mark_deleting(run_id, &[entry_id])?;
        } else if key_is_email && !key.is_empty() {
            // An entry without an enrollment id (unknown, needs review)
            // may stand for this enrollment too.
            if let Some((entry_id, _, None)) = ledger.entry_by_key(workflow_id, &key)? {
                ledger.mark_deleting(run_id, &[entry_id])?;
            }
        }

        match client
            .delete_enrollment(workflow_id, &target.enrollment_id)
            .await
        {
            Ok(result) => {
                deleted_ids.insert(target.enrollment_id.clone());
                if !key_is_email {
                    if let Some(entry_id) = target.entry_id {
                        ledger.mark_deleted(run_id, &[entry_id])?;
                    }
                }
                match result {
                    Deleted::Removed => removed.push(target.clone()),
                    Deleted::AlreadyGone => gone.push(target.clone()),
                }
            }
            // The entry stays `deleting`: held back from enroll, and retried
            // by the next delete of the same target.
            Err(error) => failed.push((target.clone(), error.to_string())),
        }
    }

    if key_is_email {
        settle_people(
            ledger,
            workflow_id,
            run_id,
            targets,
            &failed,
            &deleted_ids,
            live,
        )?;
    }
    Ok((removed, gone, failed))
}

/// Settles the entry of each person whose enrollments were deleted, from
/// the enrollments of theirs that remain on the server.
fn settle_people(
    ledger: &mut Ledger,
    workflow_id: &str,
    run_id: RunId,
    targets: &[Target],
    failed: &[(Target, String)],
    deleted_ids: &HashSet<String>,
    live: &HashMap<String, Vec<String>>,
) -> anyhow::Result<()> {
    let failed_ids: HashSet<&str> = failed
        .iter()
        .map(|(t, _)| t.enrollment_id.as_str())
        .collect();
    let mut settled_entries = HashSet::new();
    let mut tombstoned_keys = HashSet::new();
    for target in targets {
        let key = target.email.trim().to_lowercase();
        let entry = match target.entry_id {
            Some(entry_id) if key.is_empty() => Some(entry_id),
            _ if key.is_empty() => None,
            _ => ledger.entry_by_key(workflow_id, &key)?.map(|(id, _, _)| id),
        };
        if failed_ids.contains(target.enrollment_id.as_str()) {
            continue;
        }
        let remaining: Vec<String> = live
            .get(&key)
            .into_iter()
            .flatten()
            .filter(|id| !deleted_ids.contains(*id))
            .cloned()
            .collect();
        match entry {
            Some(entry_id) if settled_entries.insert(entry_id) => {
                ledger.settle_after_delete(run_id, entry_id, &remaining)?;
            }
            // Enrolled outside drippulse: a tombstone keeps a later import
            // from enrolling the person again.
            None if !key.is_empty()
                && remaining.is_empty()
                && tombstoned_keys.insert(key.clone()) =>
            {
                ledger.insert_tombstone(
                    workflow_id,
                    &key,
                    &target.email,
                    &target.enrollment_id,
                    run_id,
                )?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn target_json(target: &Target) -> Value {
    json!({
        "id": target.enrollment_id,
        "email": target.email,
        "created_at": target.created_at,
    })
}

fn summary_json(
    args: &DeleteArgs,
    run_id: Option<RunId>,
    removed: &[Target],
    gone: &[Target],
    missing: &[String],
    failed: &[(Target, String)],
) -> Value {
    let mut already_gone: Vec<Value> = gone.iter().map(|t| json!(t.enrollment_id)).collect();
    already_gone.extend(missing.iter().map(|id| json!(id)));
    json!({
        "run_id": run_id.map(|id| id.0),
        "workflow_id": args.workflow,
        "deleted": removed.len(),
        "already_gone": already_gone.len(),
        "failed": failed.len(),
        "deleted_ids": removed.iter().map(|t| json!(t.enrollment_id)).collect::<Vec<_>>(),
        "already_gone_ids": already_gone,
        "failures": failed
            .iter()
            .map(|(t, error)| json!({ "id": t.enrollment_id, "error": error }))
            .collect::<Vec<_>>(),
    })
}
