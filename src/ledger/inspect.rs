//! Read-only views of the ledger for `drippulse ledger`.

use rusqlite::params;
use serde_json::{json, Value};

use super::Ledger;

impl Ledger {
    /// Returns every run, newest first, as JSON objects.
    pub fn runs(&self) -> anyhow::Result<Vec<Value>> {
        let mut query = self.conn.prepare(
            "SELECT id, command, workflow_id, pid, host, version, started_at, ended_at,
                    exit_code, inputs, summary
             FROM runs ORDER BY id DESC",
        )?;
        let rows = query.query_map([], |row| {
            let inputs: String = row.get(9)?;
            let summary: Option<String> = row.get(10)?;
            Ok(json!({
                "run_id": row.get::<_, i64>(0)?,
                "command": row.get::<_, String>(1)?,
                "workflow_id": row.get::<_, Option<String>>(2)?,
                "pid": row.get::<_, i64>(3)?,
                "host": row.get::<_, String>(4)?,
                "version": row.get::<_, String>(5)?,
                "started_at": row.get::<_, String>(6)?,
                "ended_at": row.get::<_, Option<String>>(7)?,
                "exit_code": row.get::<_, Option<i64>>(8)?,
                "inputs": serde_json::from_str::<Value>(&inputs).unwrap_or(Value::Null),
                "summary": summary
                    .and_then(|text| serde_json::from_str::<Value>(&text).ok())
                    .unwrap_or(Value::Null),
            }))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns entries as JSON objects, filtered by workflow, state and
    /// email (case-insensitive), in the order they were first recorded.
    pub fn entries_json(
        &self,
        workflow_id: Option<&str>,
        state: Option<&str>,
        email: Option<&str>,
    ) -> anyhow::Result<Vec<Value>> {
        let mut query = self.conn.prepare(
            "SELECT id, workflow_id, key, state, email, lead_ref, run_id, batch_id,
                    enrollment_id, adopted, detail, updated_at
             FROM entries
             WHERE (?1 IS NULL OR workflow_id = ?1) AND (?2 IS NULL OR state = ?2)
               AND (?3 IS NULL OR lower(email) = lower(?3))
             ORDER BY id",
        )?;
        let rows = query.query_map(params![workflow_id, state, email], |row| {
            Ok(json!({
                "entry_id": row.get::<_, i64>(0)?,
                "workflow_id": row.get::<_, String>(1)?,
                "key": row.get::<_, String>(2)?,
                "state": row.get::<_, String>(3)?,
                "email": row.get::<_, String>(4)?,
                "lead_ref": row.get::<_, Option<String>>(5)?,
                "run_id": row.get::<_, i64>(6)?,
                "batch_id": row.get::<_, Option<i64>>(7)?,
                "enrollment_id": row.get::<_, Option<String>>(8)?,
                "adopted": row.get::<_, bool>(9)?,
                "detail": row.get::<_, Option<String>>(10)?,
                "updated_at": row.get::<_, String>(11)?,
            }))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Counts entries per workflow and state.
    pub fn state_counts(&self) -> anyhow::Result<Vec<(String, String, u64)>> {
        let mut query = self.conn.prepare(
            "SELECT workflow_id, state, count(*) FROM entries
             GROUP BY workflow_id, state ORDER BY workflow_id, state",
        )?;
        let rows = query.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns earlier enroll runs of a workflow that read an input with
    /// this SHA-256: (run id, start time, summary).
    pub fn earlier_imports(
        &self,
        workflow_id: &str,
        sha256: &str,
    ) -> anyhow::Result<Vec<(i64, String, Option<String>)>> {
        let mut query = self.conn.prepare(
            "SELECT runs.id, runs.started_at, runs.summary FROM runs, json_each(runs.inputs) AS input
             WHERE runs.command = 'enroll' AND runs.workflow_id = ?1
               AND json_extract(input.value, '$.sha256') = ?2
             ORDER BY runs.id",
        )?;
        let rows = query.query_map(params![workflow_id, sha256], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
