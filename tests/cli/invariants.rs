//! The exactly-once invariants that every fault, crash, overlap and soak
//! test checks after its scenario. They read the server through the
//! sandbox's own HTTP routes and the ledger through a read-only SQLite
//! connection, never through the binary under test.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use serde_json::Value;

use crate::harness::{World, TEST_KEY};

/// How many offending keys or ids a failure message lists.
const SHOWN: usize = 10;

/// One ledger entry, with the columns the invariants read.
#[derive(Debug, Clone)]
pub struct LedgerEntry {
    pub key: String,
    pub email: String,
    pub state: String,
    pub enrollment_id: Option<String>,
}

/// Opens the world's ledger read-only, so a check cannot change what the
/// next run of the binary finds.
pub fn open_ledger(world: &World) -> Connection {
    let path = world.ledger_path();
    Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap_or_else(|e| {
        panic!(
            "failed to open the ledger {} read-only: {e}",
            path.display()
        )
    })
}

/// Returns the workflow's ledger entries.
pub fn ledger_entries(world: &World, workflow: &str) -> Vec<LedgerEntry> {
    let conn = open_ledger(world);
    let mut query = conn
        .prepare(
            "SELECT key, email, state, enrollment_id FROM entries
             WHERE workflow_id = ?1 ORDER BY id",
        )
        .expect("prepare the ledger query");
    let rows = query
        .query_map([workflow], |row| {
            Ok(LedgerEntry {
                key: row.get(0)?,
                email: row.get(1)?,
                state: row.get(2)?,
                enrollment_id: row.get(3)?,
            })
        })
        .expect("query the ledger");
    rows.collect::<Result<_, _>>().expect("read ledger entries")
}

/// Returns the ledger's states, in the order they were entered, of the
/// entry with `key`, from the `events` log.
pub fn state_history(world: &World, workflow: &str, key: &str) -> Vec<String> {
    let conn = open_ledger(world);
    let mut query = conn
        .prepare(
            "SELECT events.to_state FROM events
             JOIN entries ON entries.id = events.entry_id
             WHERE entries.workflow_id = ?1 AND entries.key = ?2
             ORDER BY events.id",
        )
        .expect("prepare the events query");
    let rows = query
        .query_map([workflow, key], |row| row.get(0))
        .expect("query the events");
    rows.collect::<Result<_, _>>().expect("read events")
}

/// Returns the first lines of `PRAGMA integrity_check` on the ledger.
pub fn ledger_integrity(world: &World) -> String {
    let conn = open_ledger(world);
    let mut query = conn
        .prepare("PRAGMA integrity_check")
        .expect("prepare the integrity check");
    let lines: Vec<String> = query
        .query_map([], |row| row.get(0))
        .expect("run the integrity check")
        .collect::<Result<_, _>>()
        .expect("read the integrity check");
    lines.join("\n")
}

/// Checks every invariant after a scenario whose final enroll run exited
/// 0. `expected` contains the input's distinct valid emails in lower case.
/// `context` starts every failure message, so a soak failure names its
/// seed.
pub fn check_invariants(world: &World, workflow: &str, expected: &[String], context: &str) {
    let enrollments = world.sandbox().enrollments(workflow);
    let entries = ledger_entries(world, workflow);

    check_integrity(world, context);
    check_no_duplicates(&enrollments, context);
    check_agreement(&enrollments, &entries, context);
    check_no_limbo(&entries, context);
    check_everyone_enrolled(&enrollments, &entries, expected, context);
    check_key_not_stored(world, context);
}

/// INV-6: SQLite's own consistency check passes.
pub fn check_integrity(world: &World, context: &str) {
    let result = ledger_integrity(world);
    assert_eq!(
        result, "ok",
        "{context}: INV-6 the ledger failed PRAGMA integrity_check"
    );
}

/// INV-1: the server has at most one enrollment per email.
fn check_no_duplicates(enrollments: &[Value], context: &str) {
    let duplicated: Vec<(String, usize)> = count_per_email(enrollments)
        .into_iter()
        .filter(|(_, count)| *count > 1)
        .collect();
    assert!(
        duplicated.is_empty(),
        "{context}: INV-1 {} emails are enrolled more than once, such as {:?}",
        duplicated.len(),
        first(&duplicated)
    );
}

/// INV-2: every `sent` entry has an enrollment id that the server holds
/// for the same email, and every server enrollment belongs to exactly one
/// ledger entry.
fn check_agreement(enrollments: &[Value], entries: &[LedgerEntry], context: &str) {
    let server_email_by_id: HashMap<String, String> = enrollments
        .iter()
        .map(|enrollment| (enrollment_id(enrollment), enrollment_email(enrollment)))
        .collect();

    let sent: Vec<&LedgerEntry> = entries.iter().filter(|e| e.state == "sent").collect();
    let without_id: Vec<&str> = sent
        .iter()
        .filter(|e| e.enrollment_id.is_none())
        .map(|e| e.key.as_str())
        .collect();
    assert!(
        without_id.is_empty(),
        "{context}: INV-2 {} sent entries have no enrollment id, such as {:?}",
        without_id.len(),
        first(&without_id)
    );

    let unknown_to_server: Vec<(&str, &str)> = sent
        .iter()
        .filter_map(|e| Some((e.key.as_str(), e.enrollment_id.as_deref()?)))
        .filter(|(_, id)| !server_email_by_id.contains_key(*id))
        .collect();
    assert!(
        unknown_to_server.is_empty(),
        "{context}: INV-2 {} sent entries name an enrollment id the server does not hold, such as {:?}",
        unknown_to_server.len(),
        first(&unknown_to_server)
    );

    let other_email: Vec<(&str, &str)> = sent
        .iter()
        .filter_map(|e| {
            let id = e.enrollment_id.as_deref()?;
            let server_email = server_email_by_id.get(id)?;
            (*server_email != e.email.to_lowercase()).then_some((e.key.as_str(), id))
        })
        .collect();
    assert!(
        other_email.is_empty(),
        "{context}: INV-2 {} sent entries name an enrollment of another email, such as {:?}",
        other_email.len(),
        first(&other_email)
    );

    let mut entries_per_id: HashMap<&str, usize> = HashMap::new();
    for id in entries.iter().filter_map(|e| e.enrollment_id.as_deref()) {
        *entries_per_id.entry(id).or_default() += 1;
    }
    let unmatched: Vec<(String, usize)> = server_email_by_id
        .keys()
        .map(|id| {
            (
                id.clone(),
                entries_per_id.get(id.as_str()).copied().unwrap_or(0),
            )
        })
        .filter(|(_, count)| *count != 1)
        .collect();
    assert!(
        unmatched.is_empty(),
        "{context}: INV-2 {} server enrollments do not map to exactly one ledger entry, such as (id, entries) {:?}",
        unmatched.len(),
        first(&unmatched)
    );
}

/// INV-3: after a clean run no entry is `sending` or `unknown`.
fn check_no_limbo(entries: &[LedgerEntry], context: &str) {
    for state in ["sending", "unknown"] {
        let stuck: Vec<&str> = entries
            .iter()
            .filter(|e| e.state == state)
            .map(|e| e.key.as_str())
            .collect();
        assert!(
            stuck.is_empty(),
            "{context}: INV-3 {} entries are still {state} after a clean run, such as {:?}",
            stuck.len(),
            first(&stuck)
        );
    }
}

/// INV-7: every expected email is enrolled exactly once, its ledger entry
/// is `sent`, and the server has no other enrollment.
fn check_everyone_enrolled(
    enrollments: &[Value],
    entries: &[LedgerEntry],
    expected: &[String],
    context: &str,
) {
    let per_email = count_per_email(enrollments);
    let not_once: Vec<(&str, usize)> = expected
        .iter()
        .map(|email| (email.as_str(), per_email.get(email).copied().unwrap_or(0)))
        .filter(|(_, count)| *count != 1)
        .collect();
    assert!(
        not_once.is_empty(),
        "{context}: INV-7 {} of {} expected emails are not enrolled exactly once, such as (email, enrollments) {:?}",
        not_once.len(),
        expected.len(),
        first(&not_once)
    );

    let state_by_key: HashMap<&str, &str> = entries
        .iter()
        .map(|e| (e.key.as_str(), e.state.as_str()))
        .collect();
    let not_sent: Vec<(&str, &str)> = expected
        .iter()
        .map(|email| {
            let state = state_by_key
                .get(email.as_str())
                .copied()
                .unwrap_or("missing");
            (email.as_str(), state)
        })
        .filter(|(_, state)| *state != "sent")
        .collect();
    assert!(
        not_sent.is_empty(),
        "{context}: INV-7 {} expected emails have no sent ledger entry, such as (email, state) {:?}",
        not_sent.len(),
        first(&not_sent)
    );

    assert_eq!(
        enrollments.len(),
        expected.len(),
        "{context}: INV-7 the server holds a different number of enrollments than the input has distinct valid emails"
    );
}

/// INV-5: the API key appears in no file of the world: the ledger and its
/// WAL, the lock file, rejects files, the input spool and the sandbox's
/// state file. The harness already checks stdout and stderr of every run.
fn check_key_not_stored(world: &World, context: &str) {
    let leaking: Vec<PathBuf> = files_under(world.dir.path())
        .into_iter()
        .filter(|path| std::fs::read(path).is_ok_and(|bytes| contains(&bytes, TEST_KEY.as_bytes())))
        .collect();
    assert!(
        leaking.is_empty(),
        "{context}: INV-5 the API key is stored in {leaking:?}"
    );
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(listing) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in listing.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Counts a workflow's enrollments per lower-cased email.
pub fn count_per_email(enrollments: &[Value]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for enrollment in enrollments {
        *counts.entry(enrollment_email(enrollment)).or_default() += 1;
    }
    counts
}

fn enrollment_id(enrollment: &Value) -> String {
    match &enrollment["id"] {
        Value::String(id) => id.clone(),
        other => other.to_string(),
    }
}

fn enrollment_email(enrollment: &Value) -> String {
    enrollment["email"]
        .as_str()
        .unwrap_or_default()
        .trim()
        .to_lowercase()
}

fn first<T: Clone>(items: &[T]) -> Vec<T> {
    items.iter().take(SHOWN).cloned().collect()
}

#[cfg(test)]
mod tests {
    //! The checks must fail on the states they exist to catch.

    use serde_json::json;

    use super::check_invariants;
    use crate::harness::{enroll_until_done, write_contacts, World};

    const WORKFLOW: &str = "wf_checks";

    /// Enrolls 10 contacts cleanly, then creates `contact` once more on
    /// the server behind the ledger's back.
    fn enrolled_world_with_extra(contact: serde_json::Value) -> (World, Vec<String>) {
        let world = World::with_sandbox_state(&[]);
        let (csv, emails) = write_contacts(world.path("contacts.csv"), "check", 10);
        enroll_until_done(&world, WORKFLOW, &csv, &[], 1, "clean run");
        check_invariants(&world, WORKFLOW, &emails, "before the extra enrollment");

        let status = world.sandbox().post_json(
            &format!("/api/v1/workflows/{WORKFLOW}/enrollments/bulk"),
            &json!({ "contacts": [contact] }),
        );
        assert!(status.contains(" 201 "), "extra enrollment: {status}");
        (world, emails)
    }

    #[test]
    #[should_panic(expected = "INV-1")]
    fn invariants_catch_duplicate_enrollment() {
        let (world, emails) = enrolled_world_with_extra(json!({ "email": "check1@example.com" }));
        check_invariants(&world, WORKFLOW, &emails, "duplicate");
    }

    #[test]
    #[should_panic(expected = "INV-2")]
    fn invariants_catch_unrecorded_enrollment() {
        let (world, emails) = enrolled_world_with_extra(json!({ "email": "stranger@example.com" }));
        check_invariants(&world, WORKFLOW, &emails, "unrecorded");
    }
}
