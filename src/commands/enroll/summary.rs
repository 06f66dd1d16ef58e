//! The end-of-run summary: human text on stderr, or one JSON object on
//! stdout.

use serde_json::{json, Map, Value};

use std::path::Path;

use super::prepare::InputCounts;
use crate::ledger::{EntryState, Resolution, RunId};
use crate::output::Printer;
use crate::reconcile::ReconcileReport;

/// Counts of the second pass, in contacts.
#[derive(Debug, Clone, Default)]
pub struct RunCounts {
    pub already_enrolled: u64,
    /// Enrolled by this run (in a dry run: would be sent).
    pub sent: u64,
    /// Refused by the API, or not sent because retries ran out.
    pub failed: u64,
    /// Outcome unknown, from this run or held from an earlier one.
    pub unknown: u64,
    /// The part of `unknown` left by an earlier run.
    pub held_unknown: u64,
    /// Held back because reconciliation found several enrollments.
    pub needs_review: u64,
    /// Held back because their enrollment was deleted.
    pub deleted: u64,
    /// Claimed but never sent because the run stopped; back to `planned`.
    pub not_started: u64,
    /// The part of `failed` that is back in `planned` for the next run:
    /// retries ran out, or reconciliation proved it never arrived.
    pub requeued: u64,
    /// Bulk-enroll requests made.
    pub requests: u64,
}

/// Formats a count with its noun, adding "s" unless the count is one.
fn plural(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

impl RunCounts {
    /// Moves the contacts a closing reconciliation settled out of
    /// `unknown`. Only entries in `this_run` count: the others were held
    /// from earlier runs and were reconciled before sending.
    pub fn absorb_reconciliation(&mut self, report: &ReconcileReport, this_run: &[i64]) {
        let this_run: std::collections::HashSet<i64> = this_run.iter().copied().collect();
        for (entry_id, resolution) in &report.resolved {
            if !this_run.contains(entry_id) {
                continue;
            }
            self.unknown = self.unknown.saturating_sub(1);
            match resolution {
                Resolution::Found(_) => self.sent += 1,
                Resolution::Ambiguous(_) => self.needs_review += 1,
                // Proved never created: it waits in `planned` for the next run.
                Resolution::Absent => {
                    self.failed += 1;
                    self.requeued += 1;
                }
            }
        }
    }

    /// Counts a contact the ledger holds in a state that forbids sending it.
    pub fn count_held(&mut self, state: EntryState) {
        match state {
            EntryState::Sent => self.already_enrolled += 1,
            EntryState::NeedsReview => self.needs_review += 1,
            EntryState::Deleting | EntryState::Deleted => self.deleted += 1,
            EntryState::Sending | EntryState::Unknown => {
                self.unknown += 1;
                self.held_unknown += 1;
            }
            // Claimable states are never held.
            EntryState::Planned | EntryState::Rejected => {}
        }
    }
}

pub struct Summary {
    value: Map<String, Value>,
    dry_run: bool,
}

impl Summary {
    pub fn new(
        run_id: Option<RunId>,
        workflow_id: &str,
        input: &InputCounts,
        rejects_path: Option<&Path>,
        counts: RunCounts,
        dry_run: bool,
    ) -> Summary {
        let rejects_path = rejects_path.map(|path| Value::String(path.display().to_string()));
        let mut value = Map::new();
        value.insert(
            "run_id".into(),
            run_id.map_or(Value::Null, |id| json!(id.0)),
        );
        value.insert("workflow_id".into(), json!(workflow_id));
        value.insert("read".into(), json!(input.read));
        value.insert("valid".into(), json!(input.valid));
        value.insert("rejected".into(), json!(input.rejected));
        value.insert(
            "duplicates_in_input".into(),
            json!(input.duplicates_in_input),
        );
        value.insert("already_enrolled".into(), json!(counts.already_enrolled));
        if dry_run {
            value.insert("would_send".into(), json!(counts.sent));
        } else {
            value.insert("sent".into(), json!(counts.sent));
        }
        value.insert("failed".into(), json!(counts.failed));
        value.insert("unknown".into(), json!(counts.unknown));
        value.insert("requeued".into(), json!(counts.requeued));
        value.insert("needs_review".into(), json!(counts.needs_review));
        value.insert("held_deleted".into(), json!(counts.deleted));
        value.insert("rejects_path".into(), rejects_path.unwrap_or(Value::Null));
        value.insert("blank_lines".into(), json!(input.blank));
        value.insert("non_data_lines".into(), json!(input.non_data));
        value.insert(
            "rejected_by_reason".into(),
            Value::Object(
                input
                    .rejected_by_reason
                    .iter()
                    .map(|(code, n)| (code.to_string(), json!(n)))
                    .collect(),
            ),
        );
        if !dry_run {
            value.insert("requests".into(), json!(counts.requests));
        }
        value.insert("dry_run".into(), json!(dry_run));
        Summary { value, dry_run }
    }

    pub fn to_json(&self) -> Value {
        Value::Object(self.value.clone())
    }

    fn count(&self, name: &str) -> u64 {
        self.value.get(name).and_then(Value::as_u64).unwrap_or(0)
    }

    /// Prints the summary: JSON on stdout with `--output json`, else text
    /// on stderr.
    pub fn print(&self, printer: &Printer) -> std::io::Result<()> {
        if printer.is_json() {
            return printer.json(&self.to_json());
        }

        let workflow = self
            .value
            .get("workflow_id")
            .and_then(Value::as_str)
            .unwrap_or("");
        let run = self
            .value
            .get("run_id")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let headline = if self.dry_run {
            format!(
                "Dry run: would send {} to workflow {workflow}; nothing was sent.",
                plural(self.count("would_send"), "contact")
            )
        } else if self.count("sent") == 0
            && self.count("already_enrolled") > 0
            && self.count("failed") + self.count("unknown") == 0
        {
            format!(
                "Nothing to send: {} already enrolled in workflow {workflow} (run {run}).",
                plural(self.count("already_enrolled"), "contact")
            )
        } else if self.count("sent") == 0 {
            format!("Sent nothing to workflow {workflow} (run {run}).")
        } else {
            format!(
                "Enrolled {} into workflow {workflow} (run {run}).",
                plural(self.count("sent"), "contact")
            )
        };
        printer.status(headline);
        if self.count("read") == 0 {
            printer
                .warn("the input has no contacts: check that the file has rows below its header");
        }
        printer.status(format!(
            "  read {}: {} valid, {} rejected, {} in input",
            plural(self.count("read"), "row"),
            self.count("valid"),
            self.count("rejected"),
            plural(self.count("duplicates_in_input"), "duplicate"),
        ));
        let requeued = match self.count("requeued") {
            0 => String::new(),
            n => format!(" ({n} queued for the next run)"),
        };
        printer.status(format!(
            "  already enrolled {}, {} {}, failed {}{requeued}, unknown {}",
            self.count("already_enrolled"),
            if self.dry_run { "would send" } else { "sent" },
            self.count(if self.dry_run { "would_send" } else { "sent" }),
            self.count("failed"),
            self.count("unknown"),
        ));
        if self.count("needs_review") > 0 {
            printer.warn(format!(
                "{} contacts were found enrolled more than once and are held for review; see `drippulse list --workflow {workflow}`",
                self.count("needs_review")
            ));
        }
        if self.count("held_deleted") > 0 {
            printer.status(format!(
                "  held back {} contacts whose enrollment was deleted earlier",
                self.count("held_deleted")
            ));
        }
        if let Some(Value::Object(reasons)) = self.value.get("rejected_by_reason") {
            if !reasons.is_empty() {
                let list: Vec<String> = reasons
                    .iter()
                    .map(|(code, n)| format!("{code} {n}"))
                    .collect();
                printer.status(format!("  rejected by reason: {}", list.join(", ")));
            }
        }
        if let Some(path) = self.value.get("rejects_path").and_then(Value::as_str) {
            printer.status(format!("  rejects and duplicates written to {path}"));
        }
        if self.count("unknown") > 0 {
            printer.warn(format!(
                "{} contacts have an unknown outcome: they may or may not be enrolled, and drippulse will not resend them blindly; check `drippulse list --workflow {workflow}`",
                self.count("unknown")
            ));
        }
        Ok(())
    }
}
