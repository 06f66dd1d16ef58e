//! The local SQLite ledger: which contacts were sent to which workflow, in
//! what state, by which run.
//!
//! Every (workflow, key) pair has one row in `entries`. A contact is claimed
//! (`state = 'sending'`) in a committed, fully synced transaction before the
//! request that carries it is written, and the claim is a compare-and-set
//! on the row's state, so two overlapping runs can never both send one key.
//! No transaction stays open across network I/O.
//!
//! Schema versions live in `PRAGMA user_version` and are applied inside a
//! `BEGIN IMMEDIATE` transaction. A ledger written by a newer drippulse is
//! refused, never rewritten, and a corrupt one is reported, never recreated.

mod agents;
mod deletes;
mod entries;
mod inspect;
mod lock;
mod resolve;
mod runs;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use rusqlite::{Connection, OpenFlags};

pub use agents::AgentCall;
pub use deletes::EnrolledEntry;
pub use entries::{ClaimBatch, Claimed, EntryState, PlannedContact, WorkflowBinding};
pub use lock::{LedgerLock, LockHeld, LOCK_FILE};
pub use resolve::{Adoption, Resolution, UnknownEntry};
pub use runs::{RunId, RunStart};

/// The schema version this build writes.
const SCHEMA_VERSION: i64 = 2;

/// How long a writer waits for another process's transaction to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The file name of the ledger inside the data directory.
pub const LEDGER_FILE: &str = "ledger.sqlite3";

/// An open ledger.
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").field("path", &self.path).finish()
    }
}

impl Ledger {
    /// Opens the ledger at `path` for writing, creating it (mode 0600, since
    /// it holds personal data) and its directory if needed, and migrating
    /// the schema.
    pub fn open(path: &Path) -> anyhow::Result<Ledger> {
        if let Some(dir) = path.parent() {
            crate::fsutil::create_private_dir(dir)?;
        }
        crate::fsutil::touch_private_file(path)?;

        let conn = Connection::open(path)
            .with_context(|| format!("failed to open the ledger {}", path.display()))?;
        let mut ledger = Ledger {
            conn,
            path: path.to_path_buf(),
        };
        ledger.configure()?;
        ledger.migrate()?;
        Ok(ledger)
    }

    /// Opens an existing ledger without writing to it, for dry runs.
    /// Returns `None` when there is no ledger yet.
    pub fn open_read_only(path: &Path) -> anyhow::Result<Option<Ledger>> {
        if !path.exists() {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .with_context(|| format!("failed to open the ledger {}", path.display()))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let ledger = Ledger {
            conn,
            path: path.to_path_buf(),
        };
        let version = ledger.schema_version()?;
        if version > SCHEMA_VERSION {
            bail!(newer_schema_message(&ledger.path, version));
        }
        if version == 0 {
            // Created but never migrated: as good as empty.
            return Ok(None);
        }
        Ok(Some(ledger))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn configure(&mut self) -> anyhow::Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .with_context(|| {
                format!(
                    "failed to open the ledger {}: is it a SQLite database?",
                    self.path.display()
                )
            })?;
        if !mode.eq_ignore_ascii_case("wal") {
            bail!(
                "failed to switch the ledger {} to WAL mode (got {mode}); is the file on a network file system?",
                self.path.display()
            );
        }
        // SQLite's default page cache is about 2 MiB. A ledger of a million
        // contacts is hundreds of MiB, and claims insert keys in random
        // order, so a small cache rereads index pages from the kernel for
        // almost every insert. 32 MiB (the negative value is in KiB) keeps
        // the hot part of the key index in memory.
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768;")?;
        Ok(())
    }

    fn schema_version(&self) -> anyhow::Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))?)
    }

    /// Brings the schema to [`SCHEMA_VERSION`] inside one immediate
    /// transaction, so two processes starting at once cannot both migrate.
    fn migrate(&mut self) -> anyhow::Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if version > SCHEMA_VERSION {
            bail!(newer_schema_message(&self.path, version));
        }
        if version < 1 {
            tx.execute_batch(SCHEMA_V1)
                .context("failed to create the ledger schema")?;
        }
        if version < 2 {
            tx.execute_batch(SCHEMA_V2)
                .context("failed to migrate the ledger schema to version 2")?;
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        Ok(())
    }

    /// Runs SQLite's own consistency check; `Ok(())` when it reports "ok".
    pub fn integrity_check(&self) -> anyhow::Result<()> {
        let result: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
        if result != "ok" {
            bail!(
                "the ledger {} failed its integrity check: {result}",
                self.path.display()
            );
        }
        Ok(())
    }
}

fn newer_schema_message(path: &Path, version: i64) -> String {
    format!(
        "the ledger {} has schema version {version}, newer than this drippulse understands ({SCHEMA_VERSION}); upgrade drippulse instead of using this version",
        path.display()
    )
}

/// The first schema. Timestamps are RFC 3339 UTC text.
const SCHEMA_V1: &str = "
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    command       TEXT NOT NULL,
    workflow_id   TEXT,
    pid           INTEGER NOT NULL,
    host          TEXT NOT NULL,
    version       TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    ended_at      TEXT,
    exit_code     INTEGER,
    inputs        TEXT NOT NULL,   -- JSON array of {name, sha256}
    summary       TEXT             -- JSON object of counts, set at the end
);

-- The key each workflow's entries use, so that a run with another --key
-- cannot silently resend everyone under new keys.
CREATE TABLE workflows (
    workflow_id   TEXT PRIMARY KEY,
    key_name      TEXT NOT NULL,
    first_run_id  INTEGER NOT NULL REFERENCES runs(id),
    created_at    TEXT NOT NULL
);

CREATE TABLE entries (
    id             INTEGER PRIMARY KEY,
    workflow_id    TEXT NOT NULL,
    key            TEXT NOT NULL,
    state          TEXT NOT NULL,  -- planned, sending, sent, rejected, unknown
    email          TEXT NOT NULL,
    lead_ref       TEXT,
    contact        TEXT NOT NULL,  -- the JSON object sent to the API
    run_id         INTEGER NOT NULL REFERENCES runs(id),
    batch_id       INTEGER,
    enrollment_id  TEXT,
    detail         TEXT,
    updated_at     TEXT NOT NULL,
    UNIQUE (workflow_id, key)
);
";

/// Version 2: an append-only event log of every state change, written by
/// triggers so no code path can change a state without a record, a flag
/// for entries adopted from the server instead of sent by drippulse, the
/// API origin of each workflow, and agent calls by idempotency key.
/// Rows of version 1 keep their states; they get one `migrated` event each.
const SCHEMA_V2: &str = "
ALTER TABLE entries ADD COLUMN adopted INTEGER NOT NULL DEFAULT 0;

-- The API origin a workflow's entries were sent to, so that a run against
-- another server (staging, the sandbox) cannot mistake them for its own.
-- NULL for workflows first recorded by version 1.
ALTER TABLE workflows ADD COLUMN api_origin TEXT;

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    entry_id    INTEGER NOT NULL,
    from_state  TEXT,            -- NULL when the entry was created
    to_state    TEXT NOT NULL,
    run_id      INTEGER,
    at          TEXT NOT NULL,
    detail      TEXT
);
CREATE INDEX events_entry ON events (entry_id);

CREATE TRIGGER entries_created AFTER INSERT ON entries
BEGIN
    INSERT INTO events (entry_id, from_state, to_state, run_id, at, detail)
    VALUES (new.id, NULL, new.state, new.run_id, new.updated_at, new.detail);
END;

CREATE TRIGGER entries_state_changed AFTER UPDATE OF state ON entries
WHEN old.state IS NOT new.state
BEGIN
    INSERT INTO events (entry_id, from_state, to_state, run_id, at, detail)
    VALUES (new.id, old.state, new.state, new.run_id, new.updated_at, new.detail);
END;

INSERT INTO events (entry_id, from_state, to_state, run_id, at, detail)
SELECT id, NULL, state, run_id, updated_at, 'migrated from schema version 1' FROM entries;

-- Agent executions by idempotency key, recorded before the first attempt
-- so that a retry after a crash replays the same key.
CREATE TABLE agent_calls (
    id               INTEGER PRIMARY KEY,
    agent_id         TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    payload_sha256   TEXT NOT NULL,
    state            TEXT NOT NULL,   -- pending, succeeded, failed
    execution_id     TEXT,
    status           TEXT,
    execution        TEXT,            -- the server's execution object, as JSON
    run_id           INTEGER NOT NULL REFERENCES runs(id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (agent_id, idempotency_key)
);
";

/// The current time as RFC 3339 UTC text with millisecond precision.
/// Reconciliation's settle window is measured from these times, so they
/// must not be cut to whole seconds: that would end the window up to a
/// second early and let a contact the list does not show yet be resent.
pub fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(key: &str) -> PlannedContact {
        PlannedContact {
            key: key.to_string(),
            email: format!("{key}@example.com"),
            lead_ref: None,
            contact_json: format!(r#"{{"email":"{key}@example.com"}}"#),
            source: "test".to_string(),
            line: 1,
        }
    }

    fn start(ledger: &mut Ledger) -> RunId {
        ledger
            .begin_run(&RunStart {
                command: "test".into(),
                workflow_id: Some("wf".into()),
                inputs: Vec::new(),
            })
            .unwrap()
    }

    /// Claims `keys` in one batch and returns the claimed keys.
    fn claim_keys(ledger: &mut Ledger, run: RunId, keys: &[&str]) -> ClaimBatch {
        let mut pending: Vec<PlannedContact> = keys.iter().rev().map(|k| contact(k)).collect();
        let mut next = || Ok(pending.pop());
        ledger
            .claim("wf", run, 100, 10, 1, false, &mut next)
            .unwrap()
    }

    #[test]
    fn migrate_v1_keeps_rows_and_logs_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LEDGER_FILE);
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA_V1).unwrap();
            conn.execute_batch(
                "INSERT INTO runs (command, pid, host, version, started_at, inputs)
                     VALUES ('enroll', 1, 'h', '0.1.0', '2026-01-01T00:00:00Z', '[]');
                 INSERT INTO entries (workflow_id, key, state, email, contact, run_id, enrollment_id, updated_at)
                     VALUES ('wf', 'ada@example.com', 'sent', 'ada@example.com', '{}', 1, 'e1', '2026-01-01T00:00:00Z');
                 PRAGMA user_version = 1;",
            )
            .unwrap();
        }

        let ledger = Ledger::open(&path).unwrap();
        assert_eq!(ledger.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(
            ledger.count_states("wf").unwrap(),
            vec![("sent".to_string(), 1)]
        );
        let (adopted, events): (i64, i64) = ledger
            .conn
            .query_row(
                "SELECT (SELECT adopted FROM entries), (SELECT count(*) FROM events WHERE detail LIKE 'migrated%')",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!(adopted, 0);
        assert_eq!(events, 1);
        ledger.integrity_check().unwrap();
    }

    #[test]
    fn newer_schema_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LEDGER_FILE);
        Connection::open(&path)
            .unwrap()
            .execute_batch("PRAGMA user_version = 99;")
            .unwrap();
        let error = Ledger::open(&path).unwrap_err().to_string();
        assert!(error.contains("schema version 99"), "{error}");
        let version: i64 = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, 99);
    }

    #[test]
    fn claim_is_compare_and_set_across_connections() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LEDGER_FILE);
        let mut first = Ledger::open(&path).unwrap();
        let mut second = Ledger::open(&path).unwrap();
        let run_a = start(&mut first);
        let run_b = start(&mut second);

        let a = claim_keys(&mut first, run_a, &["a", "b"]);
        let b = claim_keys(&mut second, run_b, &["b", "c"]);

        let claimed_a: Vec<&str> = a.batches[0]
            .1
            .iter()
            .map(|c| c.contact.key.as_str())
            .collect();
        let claimed_b: Vec<&str> = b.batches[0]
            .1
            .iter()
            .map(|c| c.contact.key.as_str())
            .collect();
        assert_eq!(claimed_a, ["a", "b"]);
        assert_eq!(claimed_b, ["c"], "b is already claimed by the first run");
        assert_eq!(b.held.len(), 1);
        assert_eq!(b.held[0], EntryState::Sending);
    }

    #[test]
    fn claim_events_record_each_transition() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(&dir.path().join(LEDGER_FILE)).unwrap();
        let run = start(&mut ledger);
        let claim = claim_keys(&mut ledger, run, &["a"]);
        let entry_id = claim.batches[0].1[0].entry_id;
        ledger.record_sent(run, &[(entry_id, "e1".into())]).unwrap();

        let mut query = ledger
            .conn
            .prepare("SELECT coalesce(from_state, '-'), to_state FROM events WHERE entry_id = ?1 ORDER BY id")
            .unwrap();
        let events: Vec<(String, String)> = query
            .query_map([entry_id], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            events,
            [
                ("-".to_string(), "sending".to_string()),
                ("sending".to_string(), "sent".to_string())
            ]
        );
    }

    #[test]
    fn recovery_turns_sending_into_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(&dir.path().join(LEDGER_FILE)).unwrap();
        let dead = start(&mut ledger);
        claim_keys(&mut ledger, dead, &["a", "b"]);
        let next = start(&mut ledger);
        assert_eq!(ledger.recover_abandoned(next).unwrap(), 2);
        assert_eq!(
            ledger.count_states("wf").unwrap(),
            vec![("unknown".to_string(), 2)]
        );
        assert!(
            claim_keys(&mut ledger, next, &["a"]).batches.is_empty(),
            "unknown is never claimed"
        );
    }

    #[test]
    fn lock_second_holder_is_refused_with_pid() {
        let dir = tempfile::tempdir().unwrap();
        let held = LedgerLock::acquire(dir.path(), std::time::Duration::ZERO).unwrap();
        let error =
            LedgerLock::acquire(dir.path(), std::time::Duration::from_millis(250)).unwrap_err();
        let lock_error = error.downcast_ref::<LockHeld>().expect("a LockHeld error");
        assert_eq!(lock_error.holder, std::process::id().to_string());
        drop(held);
        assert!(LedgerLock::acquire(dir.path(), std::time::Duration::ZERO).is_ok());
    }
}
