//! Entry states and their transitions: claims before sending, outcomes
//! after.

use anyhow::{bail, Context};
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{now_text, Ledger, RunId};

/// The state of one (workflow, key) entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryState {
    /// Known but not claimed; may be sent.
    Planned,
    /// Claimed by a run that is sending it now, or that died while doing so.
    Sending,
    /// Enrolled, and `enrollment_id` is the server's id.
    Sent,
    /// Refused by the API with a reason; nothing was created, so a later
    /// run may send it again (for example after the data was fixed).
    Rejected,
    /// The request may or may not have created an enrollment. Never resent
    /// until a listing of the workflow shows it absent.
    Unknown,
    /// Reconciliation found more than one enrollment for the contact, so a
    /// person must decide which to keep. Never resent.
    NeedsReview,
    /// A DELETE for the enrollment is under way.
    Deleting,
    /// The enrollment was deleted. The entry stays as a tombstone so a later
    /// run does not silently enroll the contact again.
    Deleted,
}

impl EntryState {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryState::Planned => "planned",
            EntryState::Sending => "sending",
            EntryState::Sent => "sent",
            EntryState::Rejected => "rejected",
            EntryState::Unknown => "unknown",
            EntryState::NeedsReview => "needs_review",
            EntryState::Deleting => "deleting",
            EntryState::Deleted => "deleted",
        }
    }

    pub fn parse(text: &str) -> anyhow::Result<EntryState> {
        Ok(match text {
            "planned" => EntryState::Planned,
            "sending" => EntryState::Sending,
            "sent" => EntryState::Sent,
            "rejected" => EntryState::Rejected,
            "unknown" => EntryState::Unknown,
            "needs_review" => EntryState::NeedsReview,
            "deleting" => EntryState::Deleting,
            "deleted" => EntryState::Deleted,
            other => bail!("the ledger contains an entry in state {other:?}, which this version of drippulse does not know; upgrade drippulse"),
        })
    }
}

/// The binding of a workflow's entries: the key that identifies a
/// contact, and the API origin they were sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowBinding {
    /// `email`, or `column:<normalised column name>`.
    pub key_name: String,
    /// The origin URL, or `sandbox` for the built-in sandbox. `None` for
    /// workflows recorded before the ledger kept it.
    pub api_origin: Option<String>,
}

/// A contact ready to be claimed: its key and the JSON to send.
#[derive(Debug, Clone)]
pub struct PlannedContact {
    pub key: String,
    pub email: String,
    pub lead_ref: Option<String>,
    /// The contact object as JSON text, exactly as it will be sent.
    pub contact_json: String,
    /// The input name and line the contact was read from, for reports. It
    /// is not stored in the ledger.
    pub source: String,
    pub line: u64,
}

/// A contact this run has claimed and may send.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub entry_id: i64,
    pub contact: PlannedContact,
}

/// Contacts claimed in one transaction, cut into batches.
#[derive(Debug, Default)]
pub struct ClaimBatch {
    /// Batches of at most the requested size, each with its batch id.
    pub batches: Vec<(i64, Vec<Claimed>)>,
    /// The states of contacts that were not claimed because the ledger
    /// already has them in a state that forbids sending.
    pub held: Vec<EntryState>,
}

/// The claim: insert a new entry as `sending`, or take over an existing one
/// only while it is `planned` or `rejected`, or `deleted` when ?9 allows
/// re-enrolling (the compare-and-set). The RETURNING clause yields a row
/// only when this statement wrote one.
const CLAIM_SQL: &str = "
INSERT INTO entries
    (workflow_id, key, state, email, lead_ref, contact, run_id, batch_id, updated_at)
VALUES (?1, ?2, 'sending', ?3, ?4, ?5, ?6, ?7, ?8)
ON CONFLICT (workflow_id, key) DO UPDATE SET
    state = 'sending', email = excluded.email, lead_ref = excluded.lead_ref,
    contact = excluded.contact, run_id = excluded.run_id,
    batch_id = excluded.batch_id, enrollment_id = NULL, detail = NULL,
    updated_at = excluded.updated_at, adopted = 0
WHERE entries.state IN ('planned', 'rejected') OR (?9 AND entries.state = 'deleted')
RETURNING id";

impl Ledger {
    /// Claims contacts pulled from `next` until `max_batches` batches of
    /// `batch_size` are full, `next` runs dry, or twice that many contacts
    /// were examined, in one durable transaction. The last bound keeps a
    /// rerun, where nearly every contact is held, from reading the whole
    /// input inside one transaction.
    ///
    /// The transaction commits with `synchronous = FULL` before this
    /// returns, so the claims are on disk before any request that carries
    /// them is written. Batch ids start at `first_batch_id`. With
    /// `re_enroll`, tombstones of deleted enrollments may be claimed too.
    #[allow(clippy::too_many_arguments)]
    pub fn claim(
        &mut self,
        workflow_id: &str,
        run_id: RunId,
        batch_size: usize,
        max_batches: usize,
        first_batch_id: i64,
        re_enroll: bool,
        next: &mut dyn FnMut() -> anyhow::Result<Option<PlannedContact>>,
    ) -> anyhow::Result<ClaimBatch> {
        self.conn.execute_batch("PRAGMA synchronous = FULL")?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("failed to start a ledger transaction")?;
        let now = now_text();
        let mut result = ClaimBatch::default();
        let mut current: Vec<Claimed> = Vec::with_capacity(batch_size);
        let mut batch_id = first_batch_id;

        {
            let mut claim = tx.prepare_cached(CLAIM_SQL)?;
            let mut state_of =
                tx.prepare_cached("SELECT state FROM entries WHERE workflow_id = ?1 AND key = ?2")?;

            let max_examined = batch_size
                .saturating_mul(max_batches)
                .saturating_mul(2)
                .max(1);
            let mut examined = 0;
            while result.batches.len() < max_batches && examined < max_examined {
                let Some(contact) = next()? else { break };
                examined += 1;
                let claimed: Option<i64> = claim
                    .query_row(
                        params![
                            workflow_id,
                            contact.key,
                            contact.email,
                            contact.lead_ref,
                            contact.contact_json,
                            run_id.0,
                            batch_id,
                            now,
                            re_enroll
                        ],
                        |row| row.get(0),
                    )
                    .optional()?;

                match claimed {
                    Some(entry_id) => {
                        current.push(Claimed { entry_id, contact });
                        if current.len() == batch_size {
                            result
                                .batches
                                .push((batch_id, std::mem::take(&mut current)));
                            batch_id += 1;
                        }
                    }
                    None => {
                        let state: String = state_of
                            .query_row(params![workflow_id, contact.key], |row| row.get(0))?;
                        result.held.push(EntryState::parse(&state)?);
                    }
                }
            }
        }
        if !current.is_empty() {
            result.batches.push((batch_id, current));
        }

        tx.commit()
            .context("failed to commit claims to the ledger")?;
        Ok(result)
    }

    /// Records enrollments the API confirmed: `(entry id, enrollment id)`.
    /// Only entries this run still has in `sending` change.
    pub fn record_sent(&mut self, run_id: RunId, sent: &[(i64, String)]) -> anyhow::Result<()> {
        self.with_outcome_tx(|tx, now| {
            let mut update = tx.prepare_cached(
                "UPDATE entries SET state = 'sent', enrollment_id = ?1, detail = NULL, updated_at = ?2
                 WHERE id = ?3 AND run_id = ?4 AND state = 'sending'",
            )?;
            for (entry_id, enrollment_id) in sent {
                update.execute(params![enrollment_id, now, entry_id, run_id.0])?;
            }
            Ok(())
        })
    }

    /// Moves entries this run has in `sending` to `state` with a reason:
    /// `unknown` after an ambiguous failure, `rejected` after a refusal,
    /// `planned` when the request was certainly not applied.
    pub fn record_outcome(
        &mut self,
        run_id: RunId,
        state: EntryState,
        entries: &[(i64, String)],
    ) -> anyhow::Result<()> {
        self.with_outcome_tx(|tx, now| {
            let mut update = tx.prepare_cached(
                "UPDATE entries SET state = ?1, detail = ?2, updated_at = ?3
                 WHERE id = ?4 AND run_id = ?5 AND state = 'sending'",
            )?;
            for (entry_id, detail) in entries {
                update.execute(params![state.as_str(), detail, now, entry_id, run_id.0])?;
            }
            Ok(())
        })
    }

    /// Outcomes are written without an fsync each (`synchronous = NORMAL` in
    /// WAL mode): losing one in a power cut leaves the entry `sending`, which
    /// the next run treats as unknown, so safety never depends on them.
    fn with_outcome_tx(
        &mut self,
        write: impl FnOnce(&rusqlite::Transaction<'_>, &str) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        self.conn.execute_batch("PRAGMA synchronous = NORMAL")?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("failed to start a ledger transaction")?;
        write(&tx, &now_text())?;
        crate::crash::point("in-outcome-commit");
        tx.commit()
            .context("failed to record outcomes in the ledger")?;
        Ok(())
    }

    /// Looks up the states of `keys` in one read transaction, for dry runs.
    pub fn states_of(
        &mut self,
        workflow_id: &str,
        keys: &[String],
    ) -> anyhow::Result<Vec<Option<EntryState>>> {
        let tx = self.conn.transaction()?;
        let mut states = Vec::with_capacity(keys.len());
        {
            let mut lookup =
                tx.prepare_cached("SELECT state FROM entries WHERE workflow_id = ?1 AND key = ?2")?;
            for key in keys {
                let state: Option<String> = lookup
                    .query_row(params![workflow_id, key], |row| row.get(0))
                    .optional()?;
                states.push(state.as_deref().map(EntryState::parse).transpose()?);
            }
        }
        tx.finish()?;
        Ok(states)
    }

    /// Turns entries left `sending` into `unknown`. Call it only while
    /// holding the ledger lock: then no live run owns a `sending` entry, so
    /// each one belongs to a run that died between its claim and its
    /// outcome, and its request may or may not have reached the server.
    /// Returns how many entries changed.
    pub fn recover_abandoned(&mut self, run_id: RunId) -> anyhow::Result<usize> {
        let changed = self.conn.execute(
            "UPDATE entries SET state = 'unknown', updated_at = ?2,
                 detail = 'left sending by run ' || run_id
                          || ', which ended without recording an outcome; found by run ' || ?1
             WHERE state = 'sending'",
            params![run_id.0, now_text()],
        )?;
        Ok(changed)
    }

    /// Returns what a workflow's entries are bound to, if the ledger has
    /// recorded the workflow.
    pub fn workflow_binding(&self, workflow_id: &str) -> anyhow::Result<Option<WorkflowBinding>> {
        Ok(self
            .conn
            .query_row(
                "SELECT key_name, api_origin FROM workflows WHERE workflow_id = ?1",
                [workflow_id],
                |row| {
                    Ok(WorkflowBinding {
                        key_name: row.get(0)?,
                        api_origin: row.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Records the key name and API origin of a workflow the first time a
    /// run sends to it.
    pub fn register_workflow(
        &mut self,
        workflow_id: &str,
        binding: &WorkflowBinding,
        run_id: RunId,
    ) -> anyhow::Result<()> {
        self.conn.execute(
            "INSERT INTO workflows (workflow_id, key_name, api_origin, first_run_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (workflow_id) DO NOTHING",
            params![
                workflow_id,
                binding.key_name,
                binding.api_origin,
                run_id.0,
                now_text()
            ],
        )?;
        Ok(())
    }

    /// Counts a workflow's entries per state, for tests and `ledger check`.
    pub fn count_states(&self, workflow_id: &str) -> anyhow::Result<Vec<(String, u64)>> {
        let mut query = self.conn.prepare(
            "SELECT state, count(*) FROM entries WHERE workflow_id = ?1 GROUP BY state ORDER BY state",
        )?;
        let rows = query.query_map([workflow_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
