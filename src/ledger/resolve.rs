//! Ledger operations of reconciliation and adoption: reading `unknown`
//! entries and settling them from what the server's list shows.

use std::collections::HashSet;

use rusqlite::{params, TransactionBehavior};

use super::{now_text, EntryState, Ledger, RunId};

/// An entry whose outcome is unknown.
#[derive(Debug, Clone)]
pub struct UnknownEntry {
    pub entry_id: i64,
    pub key: String,
    pub email: String,
    pub lead_ref: Option<String>,
    /// When the entry became `unknown` (RFC 3339), the start of its settle window.
    pub since: String,
    /// Whether the entry is `needs_review` rather than `unknown`. Such an
    /// entry is settled only when exactly one enrollment of it remains.
    pub needs_review: bool,
}

/// How reconciliation settles one `unknown` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Found exactly once: enrolled with this id.
    Found(String),
    /// Found more than once; the detail lists the ids.
    Ambiguous(String),
    /// Absent from a complete listing after the settle window: may be sent.
    Absent,
}

/// A server enrollment to adopt as `sent` for a workflow the ledger has
/// not seen before.
#[derive(Debug, Clone)]
pub struct Adoption {
    pub key: String,
    pub email: String,
    pub lead_ref: Option<String>,
    pub contact_json: String,
    pub enrollment_id: String,
}

impl Ledger {
    /// Returns the workflow's entries in state `unknown` or `needs_review`.
    pub fn unknown_entries(&self, workflow_id: &str) -> anyhow::Result<Vec<UnknownEntry>> {
        let mut query = self.conn.prepare(
            "SELECT id, key, email, lead_ref, updated_at, state = 'needs_review' FROM entries
             WHERE workflow_id = ?1 AND state IN ('unknown', 'needs_review') ORDER BY id",
        )?;
        let rows = query.query_map([workflow_id], |row| {
            Ok(UnknownEntry {
                entry_id: row.get(0)?,
                key: row.get(1)?,
                email: row.get(2)?,
                lead_ref: row.get(3)?,
                since: row.get(4)?,
                needs_review: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns the enrollment ids the ledger already assigns to entries of
    /// the workflow, so reconciliation never gives one id to two entries.
    pub fn known_enrollment_ids(&self, workflow_id: &str) -> anyhow::Result<HashSet<String>> {
        let mut query = self.conn.prepare(
            "SELECT enrollment_id FROM entries
             WHERE workflow_id = ?1 AND enrollment_id IS NOT NULL",
        )?;
        let rows = query.query_map([workflow_id], |row| row.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Applies resolutions to entries that are still `unknown` (a
    /// compare-and-set, so a concurrent change wins over a stale listing).
    pub fn apply_resolutions(
        &mut self,
        run_id: RunId,
        resolutions: &[(i64, Resolution)],
    ) -> anyhow::Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = now_text();
        {
            let mut update = tx.prepare_cached(
                "UPDATE entries SET state = ?1, enrollment_id = COALESCE(?2, enrollment_id),
                     detail = ?3, updated_at = ?4
                 WHERE id = ?5 AND state IN ('unknown', 'needs_review')",
            )?;
            for (entry_id, resolution) in resolutions {
                let (state, enrollment_id, detail) = match resolution {
                    Resolution::Found(id) => (
                        EntryState::Sent,
                        Some(id.as_str()),
                        format!("found on the server by run {}", run_id.0),
                    ),
                    Resolution::Ambiguous(ids) => (
                        EntryState::NeedsReview,
                        None,
                        format!(
                            "found more than once on the server by run {}: {ids}",
                            run_id.0
                        ),
                    ),
                    Resolution::Absent => (
                        EntryState::Planned,
                        None,
                        format!(
                            "absent from the server's complete list, checked by run {}",
                            run_id.0
                        ),
                    ),
                };
                update.execute(params![
                    state.as_str(),
                    enrollment_id,
                    detail,
                    now,
                    entry_id
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Returns whether the ledger has ever recorded the workflow.
    pub fn knows_workflow(&self, workflow_id: &str) -> anyhow::Result<bool> {
        Ok(self.workflow_binding(workflow_id)?.is_some())
    }

    /// Records enrollments found on the server as `sent` and adopted.
    /// Entries that already exist are left alone. Returns how many were added.
    pub fn adopt(
        &mut self,
        workflow_id: &str,
        run_id: RunId,
        adoptions: &[Adoption],
    ) -> anyhow::Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = now_text();
        let mut added = 0;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO entries
                     (workflow_id, key, state, email, lead_ref, contact, run_id,
                      enrollment_id, detail, updated_at, adopted)
                 VALUES (?1, ?2, 'sent', ?3, ?4, ?5, ?6, ?7,
                         'already enrolled on the server before drippulse first sent to this workflow', ?8, 1)
                 ON CONFLICT (workflow_id, key) DO NOTHING",
            )?;
            for adoption in adoptions {
                added += insert.execute(params![
                    workflow_id,
                    adoption.key,
                    adoption.email,
                    adoption.lead_ref,
                    adoption.contact_json,
                    run_id.0,
                    adoption.enrollment_id,
                    now
                ])?;
            }
        }
        tx.commit()?;
        Ok(added)
    }
}
