//! `drippulse reconcile`: settle a workflow's contacts whose outcome is
//! unknown, without sending anything.

use std::time::Duration;

use anyhow::Context as _;
use serde_json::json;

use crate::cli::ReconcileArgs;
use crate::exit::ExitStatus;
use crate::ledger::{Ledger, LedgerLock, RunStart};
use crate::reconcile::reconcile;
use crate::settings::Context;

/// Reconciles under the ledger lock and reports what was settled.
pub fn run(ctx: &mut Context, args: &ReconcileArgs) -> anyhow::Result<ExitStatus> {
    let client = ctx.connect()?;
    let _lock = LedgerLock::acquire(&ctx.data_dir, Duration::from_secs(args.lock_wait))?;
    let mut ledger = Ledger::open(&ctx.ledger_path())?;
    if let Some(binding) = ledger.workflow_binding(&args.workflow)? {
        super::enroll::check_origin(&args.workflow, &binding, Some(&ctx.api_origin_label()))?;
    }
    let run_id = ledger.begin_run(&RunStart {
        command: "reconcile".to_string(),
        workflow_id: Some(args.workflow.clone()),
        inputs: Vec::new(),
    })?;
    let settle = super::enroll::settle_window(ctx, args.settle_secs);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let (recovered, report) = runtime.block_on(async {
        let recovered = ledger.recover_abandoned(run_id)?;
        let report = reconcile(&mut ledger, &client, &args.workflow, run_id, settle).await?;
        anyhow::Ok((recovered, report))
    })?;

    let status = if report.still_unknown > 0 {
        ExitStatus::Unknown
    } else {
        ExitStatus::Success
    };
    let summary = json!({
        "run_id": run_id.0,
        "workflow_id": args.workflow,
        "recovered": recovered,
        "checked": report.checked,
        "found": report.found,
        "needs_review": report.needs_review,
        "replanned": report.replanned,
        "still_unknown": report.still_unknown,
        "listing_error": report.listing_error,
    });
    ledger.finish_run(run_id, status.code(), &summary)?;

    if ctx.printer.is_json() {
        ctx.printer.json(&summary)?;
    } else if report.checked == 0 {
        ctx.printer.status(format!(
            "Nothing to reconcile in workflow {}.",
            args.workflow
        ));
    } else {
        ctx.printer.status(format!(
            "Reconciled {} contacts in workflow {}: {} found enrolled, {} found more than once (need review), {} absent and queued for the next enroll, {} still unknown.",
            report.checked, args.workflow, report.found, report.needs_review, report.replanned, report.still_unknown
        ));
        if let Some(error) = &report.listing_error {
            ctx.printer.warn(format!(
                "failed to list the workflow, so nothing was settled: {error}"
            ));
        } else if report.still_unknown > 0 {
            ctx.printer.status(format!(
                "  contacts absent from the list stay unknown until {}s after their failed send; run reconcile again later",
                settle.as_secs()
            ));
        }
    }
    Ok(status)
}
