//! Agent calls by idempotency key, recorded before the first attempt so a
//! rerun after a crash or timeout replays the same key.

use rusqlite::{params, OptionalExtension};

use super::{now_text, Ledger, RunId};

/// A recorded agent call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentCall {
    pub payload_sha256: String,
    /// `pending`, `succeeded` or `failed`.
    pub state: String,
    pub execution_id: Option<String>,
    pub status: Option<String>,
    /// The execution object the server returned, as JSON text.
    pub execution: Option<String>,
}

impl Ledger {
    pub fn agent_call(&self, agent_id: &str, key: &str) -> anyhow::Result<Option<AgentCall>> {
        Ok(self
            .conn
            .query_row(
                "SELECT payload_sha256, state, execution_id, status, execution FROM agent_calls
                 WHERE agent_id = ?1 AND idempotency_key = ?2",
                params![agent_id, key],
                |row| {
                    Ok(AgentCall {
                        payload_sha256: row.get(0)?,
                        state: row.get(1)?,
                        execution_id: row.get(2)?,
                        status: row.get(3)?,
                        execution: row.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Records a call as pending before its first attempt, durably. An
    /// existing record of the same key is left as it is.
    pub fn record_agent_call(
        &mut self,
        agent_id: &str,
        key: &str,
        payload_sha256: &str,
        run_id: RunId,
    ) -> anyhow::Result<()> {
        self.conn.execute_batch("PRAGMA synchronous = FULL")?;
        let now = now_text();
        self.conn.execute(
            "INSERT INTO agent_calls
                 (agent_id, idempotency_key, payload_sha256, state, run_id, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?5)
             ON CONFLICT (agent_id, idempotency_key) DO NOTHING",
            params![agent_id, key, payload_sha256, run_id.0, now],
        )?;
        Ok(())
    }

    /// Records the execution the server returned for a call.
    pub fn finish_agent_call(
        &mut self,
        agent_id: &str,
        key: &str,
        state: &str,
        execution_id: Option<&str>,
        status: Option<&str>,
        execution: &str,
    ) -> anyhow::Result<()> {
        self.conn.execute(
            "UPDATE agent_calls SET state = ?1, execution_id = ?2, status = ?3, execution = ?4,
                 updated_at = ?5
             WHERE agent_id = ?6 AND idempotency_key = ?7",
            params![
                state,
                execution_id,
                status,
                execution,
                now_text(),
                agent_id,
                key
            ],
        )?;
        Ok(())
    }
}
