//! SQLite storage for the sandbox's enrollments and agent executions.
//!
//! Two `drippulse` processes may open the same state file at once, so the
//! database runs in WAL mode with a busy timeout and every write is a
//! `BEGIN IMMEDIATE` transaction. Ids carry 64 random bits, which keeps them
//! unique across processes without any coordination between them.

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use anyhow::{bail, Context};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use rand::Rng;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::{Map, Value};

/// How long a write waits for another process's transaction to finish
/// before it fails with `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema version this build writes, kept in `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA_V1: &str = "
    CREATE TABLE enrollments (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        id          TEXT NOT NULL UNIQUE,
        workflow_id TEXT NOT NULL,
        email       TEXT NOT NULL,
        email_lower TEXT NOT NULL,
        status      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        contact     TEXT NOT NULL
    );
    CREATE INDEX enrollments_by_workflow ON enrollments (workflow_id, seq);

    CREATE TABLE executions (
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        id              TEXT NOT NULL UNIQUE,
        agent_id        TEXT NOT NULL,
        idempotency_key TEXT,
        input           TEXT NOT NULL,
        execution       TEXT NOT NULL,
        UNIQUE (agent_id, idempotency_key)
    );
";

/// Fields that the sandbox sets on every enrollment. A contact field with
/// one of these names is left out of the enrollment object, because the
/// server's value must win.
const ENROLLMENT_FIELDS: [&str; 5] = ["id", "workflow_id", "email", "status", "created_at"];

const ENROLLMENT_COLUMNS: &str = "id, workflow_id, email, status, created_at, contact";

/// Status of every new enrollment. The sandbox never changes it.
const ACTIVE: &str = "active";

/// The sandbox's database connection, shared by all request handlers.
pub struct Store {
    conn: Mutex<Connection>,
}

/// Filters of an enrollment list, where `None` matches everything.
#[derive(Debug, Default)]
pub struct EnrollmentFilter {
    /// Email address, compared case-insensitively.
    pub email: Option<String>,
    pub status: Option<String>,
    /// Enrollments created less than this long ago are left out, as if the
    /// list lagged behind the writes.
    pub hide_newer_than: Option<Duration>,
}

/// One page of a list, 1-based.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub number: u64,
    pub size: u64,
}

impl Page {
    fn limit(self) -> i64 {
        i64::try_from(self.size).unwrap_or(i64::MAX)
    }

    fn offset(self) -> i64 {
        let skipped = self.number.saturating_sub(1).saturating_mul(self.size);
        i64::try_from(skipped).unwrap_or(i64::MAX)
    }
}

/// A page of items and the number of items that match across all pages.
pub struct Listing {
    pub items: Vec<Value>,
    pub total_count: u64,
    /// Matching items left out because they are newer than
    /// [`EnrollmentFilter::hide_newer_than`]. It is 0 without that filter.
    pub hidden_count: u64,
}

/// Outcome of a request to run an agent.
pub enum ExecutionOutcome {
    /// A new execution was stored.
    Created(Value),
    /// The agent already ran with this idempotency key and the same input,
    /// so the stored execution is returned unchanged.
    Replayed(Value),
    /// The agent already ran with this idempotency key and another input.
    KeyReused,
}

/// A new agent execution to store unless its idempotency key was seen.
pub struct NewExecution<'a> {
    pub id: &'a str,
    pub agent_id: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub input: &'a Value,
    /// The execution object as the API returns it.
    pub execution: &'a Value,
}

impl Store {
    /// Opens the state file at `path`, creating it with mode 0600 when it is
    /// missing, or an in-memory database when `path` is `None`.
    pub fn open(path: Option<&Path>) -> anyhow::Result<Store> {
        let mut conn = match path {
            Some(path) => open_file(path)
                .with_context(|| format!("failed to open sandbox state {}", path.display()))?,
            None => {
                Connection::open_in_memory().context("failed to open in-memory sandbox state")?
            }
        };

        migrate(&mut conn).context("failed to prepare the sandbox state schema")?;

        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    /// Stores one new enrollment per contact, in order, and returns their
    /// ids. Every contact must already have a string `email`.
    pub fn insert_enrollments(
        &self,
        workflow_id: &str,
        contacts: &[Map<String, Value>],
    ) -> anyhow::Result<Vec<String>> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("failed to begin enrollment transaction")?;

        let created_at = now_rfc3339();
        let mut ids = Vec::with_capacity(contacts.len());
        {
            let mut insert = tx.prepare(
                "INSERT INTO enrollments
                     (id, workflow_id, email, email_lower, status, created_at, contact)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for contact in contacts {
                let email = contact
                    .get("email")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let id = new_id("enr");
                insert
                    .execute(params![
                        id,
                        workflow_id,
                        email,
                        email.to_lowercase(),
                        ACTIVE,
                        created_at,
                        serde_json::to_string(contact)?,
                    ])
                    .context("failed to insert enrollment")?;
                ids.push(id);
            }
        }

        tx.commit().context("failed to commit enrollments")?;
        Ok(ids)
    }

    /// Lists a workflow's enrollments that match `filter`, oldest first.
    pub fn list_enrollments(
        &self,
        workflow_id: &str,
        filter: &EnrollmentFilter,
        page: Page,
    ) -> anyhow::Result<Listing> {
        // One read transaction, so the count and the page see the same rows
        // while another process writes.
        let mut conn = self.lock();
        let conn = conn
            .transaction()
            .context("failed to begin read transaction")?;
        let email_lower = filter.email.as_deref().map(str::to_lowercase);
        let cutoff = filter.hide_newer_than.map(cutoff_before);
        let matches = "workflow_id = ?1
                       AND (?2 IS NULL OR email_lower = ?2)
                       AND (?3 IS NULL OR status = ?3)";
        // `created_at` is RFC 3339 in UTC with a fixed width, so comparing
        // the strings compares the times.
        let visible = format!("{matches} AND (?4 IS NULL OR created_at <= ?4)");

        let total_count: i64 = conn
            .query_row(
                &format!("SELECT COUNT(*) FROM enrollments WHERE {visible}"),
                params![workflow_id, email_lower, filter.status, cutoff],
                |row| row.get(0),
            )
            .context("failed to count enrollments")?;

        let hidden_count: i64 = match cutoff {
            None => 0,
            Some(_) => {
                let matching_count: i64 = conn
                    .query_row(
                        &format!("SELECT COUNT(*) FROM enrollments WHERE {matches}"),
                        params![workflow_id, email_lower, filter.status],
                        |row| row.get(0),
                    )
                    .context("failed to count enrollments")?;
                matching_count - total_count
            }
        };

        let mut select = conn.prepare(&format!(
            "SELECT {ENROLLMENT_COLUMNS} FROM enrollments WHERE {visible}
             ORDER BY seq LIMIT ?5 OFFSET ?6"
        ))?;
        let rows = select.query_map(
            params![
                workflow_id,
                email_lower,
                filter.status,
                cutoff,
                page.limit(),
                page.offset()
            ],
            read_enrollment_row,
        )?;
        let items = rows
            .map(|row| enrollment_object(row?))
            .collect::<anyhow::Result<Vec<_>>>()
            .context("failed to read enrollments")?;

        Ok(Listing {
            items,
            total_count: u64::try_from(total_count).unwrap_or_default(),
            hidden_count: u64::try_from(hidden_count).unwrap_or_default(),
        })
    }

    /// Finds one enrollment of a workflow by id.
    pub fn get_enrollment(&self, workflow_id: &str, id: &str) -> anyhow::Result<Option<Value>> {
        let conn = self.lock();
        let row = conn
            .query_row(
                &format!(
                    "SELECT {ENROLLMENT_COLUMNS} FROM enrollments
                     WHERE workflow_id = ?1 AND id = ?2"
                ),
                params![workflow_id, id],
                read_enrollment_row,
            )
            .optional()
            .context("failed to read enrollment")?;
        row.map(enrollment_object).transpose()
    }

    /// Deletes one enrollment of a workflow and returns whether it existed.
    pub fn delete_enrollment(&self, workflow_id: &str, id: &str) -> anyhow::Result<bool> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("failed to begin delete transaction")?;
        let deleted = tx
            .execute(
                "DELETE FROM enrollments WHERE workflow_id = ?1 AND id = ?2",
                params![workflow_id, id],
            )
            .context("failed to delete enrollment")?;
        tx.commit().context("failed to commit delete")?;
        Ok(deleted > 0)
    }

    /// Stores `new` unless the agent already has an execution with the same
    /// idempotency key. The lookup and the insert share one transaction, so
    /// two processes that race with one key still create one execution.
    pub fn insert_execution(&self, new: &NewExecution<'_>) -> anyhow::Result<ExecutionOutcome> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("failed to begin execution transaction")?;

        if let Some(key) = new.idempotency_key {
            let stored: Option<(String, String)> = tx
                .query_row(
                    "SELECT input, execution FROM executions
                     WHERE agent_id = ?1 AND idempotency_key = ?2",
                    params![new.agent_id, key],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .context("failed to look up idempotency key")?;
            if let Some((input, execution)) = stored {
                let input: Value = serde_json::from_str(&input)?;
                if input != *new.input {
                    return Ok(ExecutionOutcome::KeyReused);
                }
                return Ok(ExecutionOutcome::Replayed(serde_json::from_str(
                    &execution,
                )?));
            }
        }

        tx.execute(
            "INSERT INTO executions (id, agent_id, idempotency_key, input, execution)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                new.id,
                new.agent_id,
                new.idempotency_key,
                serde_json::to_string(new.input)?,
                serde_json::to_string(new.execution)?,
            ],
        )
        .context("failed to insert execution")?;
        tx.commit().context("failed to commit execution")?;

        Ok(ExecutionOutcome::Created(new.execution.clone()))
    }

    /// Lists an agent's executions, oldest first, optionally only those
    /// with one idempotency key.
    pub fn list_executions(
        &self,
        agent_id: &str,
        idempotency_key: Option<&str>,
        page: Page,
    ) -> anyhow::Result<Listing> {
        let mut conn = self.lock();
        let conn = conn
            .transaction()
            .context("failed to begin read transaction")?;
        let matches = "agent_id = ?1 AND (?2 IS NULL OR idempotency_key = ?2)";

        let total_count: i64 = conn
            .query_row(
                &format!("SELECT COUNT(*) FROM executions WHERE {matches}"),
                params![agent_id, idempotency_key],
                |row| row.get(0),
            )
            .context("failed to count executions")?;

        let mut select = conn.prepare(&format!(
            "SELECT execution FROM executions WHERE {matches}
             ORDER BY seq LIMIT ?3 OFFSET ?4"
        ))?;
        let rows = select.query_map(
            params![agent_id, idempotency_key, page.limit(), page.offset()],
            |row| row.get::<_, String>(0),
        )?;
        let items = rows
            .map(|row| Ok(serde_json::from_str(&row?)?))
            .collect::<anyhow::Result<Vec<Value>>>()
            .context("failed to read executions")?;

        Ok(Listing {
            items,
            total_count: u64::try_from(total_count).unwrap_or_default(),
            hidden_count: 0,
        })
    }

    /// Locks the connection. A handler that panicked while holding the lock
    /// cannot leave a transaction open (rusqlite rolls it back on drop), so
    /// a poisoned lock is still safe to use.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Creates an id such as `enr_3f9c0a7d12b4e865`: the prefix and 16 random
/// hex digits.
pub fn new_id(prefix: &str) -> String {
    let bits: u64 = rand::thread_rng().gen();
    format!("{prefix}_{bits:016x}")
}

/// Formats the current time as RFC 3339 in UTC with milliseconds.
pub fn now_rfc3339() -> String {
    rfc3339(Utc::now())
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Returns the latest `created_at` that is at least `age` old. An age too
/// large for the clock gives the earliest time, which leaves out every row.
fn cutoff_before(age: Duration) -> String {
    let cutoff = TimeDelta::from_std(age)
        .ok()
        .and_then(|age| Utc::now().checked_sub_signed(age))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    rfc3339(cutoff)
}

fn open_file(path: &Path) -> anyhow::Result<Connection> {
    create_private_file(path)?;
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;

    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        bail!("journal mode is {mode:?}, expected \"wal\"");
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(conn)
}

/// Creates the state file readable only by its owner, because it contains
/// contacts' personal data. SQLite gives the `-wal` and `-shm` files the
/// same mode. An existing file keeps its mode.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop)
}

/// Brings the schema to `SCHEMA_VERSION` inside a write transaction, so two
/// processes that open a new file at once do not both create it.
fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version > SCHEMA_VERSION {
        bail!(
            "the state file has schema version {version}, but this build reads at most \
             version {SCHEMA_VERSION}: use a newer drippulse or another state file"
        );
    }
    if version < 1 {
        tx.execute_batch(SCHEMA_V1)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

struct EnrollmentRow {
    id: String,
    workflow_id: String,
    email: String,
    status: String,
    created_at: String,
    contact: String,
}

fn read_enrollment_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<EnrollmentRow> {
    Ok(EnrollmentRow {
        id: row.get(0)?,
        workflow_id: row.get(1)?,
        email: row.get(2)?,
        status: row.get(3)?,
        created_at: row.get(4)?,
        contact: row.get(5)?,
    })
}

/// Builds the API's enrollment object: the server's fields first, then the
/// contact's other fields as they were sent.
fn enrollment_object(row: EnrollmentRow) -> anyhow::Result<Value> {
    let contact: Map<String, Value> = serde_json::from_str(&row.contact)?;

    let mut object = Map::new();
    object.insert("id".into(), row.id.into());
    object.insert("workflow_id".into(), row.workflow_id.into());
    object.insert("email".into(), row.email.into());
    object.insert("status".into(), row.status.into());
    object.insert("created_at".into(), row.created_at.into());
    for (field, value) in contact {
        if !ENROLLMENT_FIELDS.contains(&field.as_str()) {
            object.insert(field, value);
        }
    }
    Ok(Value::Object(object))
}
