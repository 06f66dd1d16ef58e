//! One row per run, so that operators can see what each run did.

use rusqlite::params;
use serde_json::Value;

use super::{now_text, Ledger};

/// The ledger's id of a run; printed as `run_id` in summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunId(pub i64);

/// What is known about a run when it starts.
#[derive(Debug, Clone)]
pub struct RunStart {
    pub command: String,
    pub workflow_id: Option<String>,
    /// Each input's display name and SHA-256 (hex).
    pub inputs: Vec<(String, String)>,
}

impl Ledger {
    /// Inserts the run's row and returns its id.
    pub fn begin_run(&mut self, start: &RunStart) -> anyhow::Result<RunId> {
        let inputs: Vec<Value> = start
            .inputs
            .iter()
            .map(|(name, sha256)| serde_json::json!({ "name": name, "sha256": sha256 }))
            .collect();
        self.conn.execute(
            "INSERT INTO runs (command, workflow_id, pid, host, version, started_at, inputs)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                start.command,
                start.workflow_id,
                std::process::id(),
                host_name(),
                env!("CARGO_PKG_VERSION"),
                now_text(),
                Value::Array(inputs).to_string(),
            ],
        )?;
        Ok(RunId(self.conn.last_insert_rowid()))
    }

    /// Records how a run ended, with its summary counts.
    pub fn finish_run(
        &mut self,
        run_id: RunId,
        exit_code: i32,
        summary: &Value,
    ) -> anyhow::Result<()> {
        self.conn.execute(
            "UPDATE runs SET ended_at = ?1, exit_code = ?2, summary = ?3 WHERE id = ?4",
            params![now_text(), exit_code, summary.to_string(), run_id.0],
        )?;
        Ok(())
    }
}

/// The machine's host name, for telling runs on shared ledgers apart.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}
