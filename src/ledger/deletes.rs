//! Ledger operations of `delete`: finding a run's enrollments, and the
//! `deleting` → `deleted` tombstones that keep a later run from silently
//! enrolling the same people again.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{now_text, Ledger, RunId};

/// A ledger entry that points at a server enrollment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolledEntry {
    pub entry_id: i64,
    pub enrollment_id: String,
    pub email: String,
    pub adopted: bool,
}

impl Ledger {
    /// Returns the enrollments a run created in a workflow: entries it sent
    /// that are `sent` or still `deleting`. Adopted entries (found on the
    /// server, not created by drippulse) are left out unless asked for.
    pub fn entries_of_run(
        &self,
        workflow_id: &str,
        run_id: i64,
        include_adopted: bool,
    ) -> anyhow::Result<Vec<EnrolledEntry>> {
        let mut query = self.conn.prepare(
            "SELECT id, enrollment_id, email, adopted FROM entries
             WHERE workflow_id = ?1 AND run_id = ?2 AND enrollment_id IS NOT NULL
               AND state IN ('sent', 'deleting') AND (?3 OR adopted = 0)
             ORDER BY id",
        )?;
        let rows = query.query_map(params![workflow_id, run_id, include_adopted], |row| {
            Ok(EnrolledEntry {
                entry_id: row.get(0)?,
                enrollment_id: row.get(1)?,
                email: row.get(2)?,
                adopted: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns the workflow of a run: `None` when the ledger has no such
    /// run, `Some(None)` for a run without a workflow.
    pub fn run_workflow(&self, run_id: i64) -> anyhow::Result<Option<Option<String>>> {
        Ok(self
            .conn
            .query_row(
                "SELECT workflow_id FROM runs WHERE id = ?1",
                [run_id],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Returns the entry that holds an enrollment id, if any.
    pub fn entry_for_enrollment(
        &self,
        workflow_id: &str,
        enrollment_id: &str,
    ) -> anyhow::Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM entries WHERE workflow_id = ?1 AND enrollment_id = ?2",
                params![workflow_id, enrollment_id],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Records that a DELETE is about to be sent, durably, before it is
    /// sent. Entries in any state that holds the enrollment may move here.
    pub fn mark_deleting(&mut self, run_id: RunId, entry_ids: &[i64]) -> anyhow::Result<()> {
        self.set_delete_state(
            entry_ids,
            "deleting",
            &format!("delete requested by run {}", run_id.0),
            true,
        )
    }

    /// Returns the entry of a key: its id, state and enrollment id.
    pub fn entry_by_key(
        &self,
        workflow_id: &str,
        key: &str,
    ) -> anyhow::Result<Option<(i64, String, Option<String>)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, state, enrollment_id FROM entries WHERE workflow_id = ?1 AND key = ?2",
                params![workflow_id, key],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?)
    }

    /// Settles a key's entry after deletes from what is left on the server:
    /// `sent` with the one enrollment that remains, `needs_review` when
    /// several remain, `deleted` when none does.
    pub fn settle_after_delete(
        &mut self,
        run_id: RunId,
        entry_id: i64,
        remaining: &[String],
    ) -> anyhow::Result<()> {
        let (state, enrollment_id, detail) = match remaining {
            [] => ("deleted", None, format!("deleted by run {}", run_id.0)),
            [id] => (
                "sent",
                Some(id.as_str()),
                format!(
                    "another enrollment of this contact remains after run {} deleted some",
                    run_id.0
                ),
            ),
            ids => (
                "needs_review",
                None,
                format!(
                    "{} enrollments of this contact remain after run {}: {}",
                    ids.len(),
                    run_id.0,
                    ids.join(", ")
                ),
            ),
        };
        self.conn.execute(
            "UPDATE entries SET state = ?1, enrollment_id = COALESCE(?2, enrollment_id),
                 detail = ?3, updated_at = ?4
             WHERE id = ?5",
            params![state, enrollment_id, detail, now_text(), entry_id],
        )?;
        Ok(())
    }

    /// Records tombstones for enrollments the server removed or no longer had.
    pub fn mark_deleted(&mut self, run_id: RunId, entry_ids: &[i64]) -> anyhow::Result<()> {
        self.set_delete_state(
            entry_ids,
            "deleted",
            &format!("deleted by run {}", run_id.0),
            false,
        )
    }

    fn set_delete_state(
        &mut self,
        entry_ids: &[i64],
        state: &str,
        detail: &str,
        durable: bool,
    ) -> anyhow::Result<()> {
        let sync = if durable { "FULL" } else { "NORMAL" };
        self.conn
            .execute_batch(&format!("PRAGMA synchronous = {sync}"))?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = now_text();
        {
            let mut update = tx.prepare_cached(
                "UPDATE entries SET state = ?1, detail = ?2, updated_at = ?3 WHERE id = ?4",
            )?;
            for entry_id in entry_ids {
                update.execute(params![state, detail, now, entry_id])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records a tombstone for an enrollment the ledger had no entry for
    /// (enrolled by another tool), keyed by its email, so a later run does
    /// not enroll that person again. Does nothing if the key has an entry.
    pub fn insert_tombstone(
        &mut self,
        workflow_id: &str,
        key: &str,
        email: &str,
        enrollment_id: &str,
        run_id: RunId,
    ) -> anyhow::Result<()> {
        self.conn.execute(
            "INSERT INTO entries
                 (workflow_id, key, state, email, contact, run_id, enrollment_id, detail, updated_at, adopted)
             VALUES (?1, ?2, 'deleted', ?3, '{}', ?4, ?5, ?6, ?7, 1)
             ON CONFLICT (workflow_id, key) DO NOTHING",
            params![
                workflow_id,
                key,
                email,
                run_id.0,
                enrollment_id,
                format!("deleted by run {}; enrolled outside drippulse", run_id.0),
                now_text()
            ],
        )?;
        Ok(())
    }
}
