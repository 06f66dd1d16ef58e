//! Two `enroll` processes started at the same moment on one data directory
//! and one sandbox: the ledger lock lets one send at a time, and the server
//! ends with one enrollment per contact.

use crate::harness::{write_contacts, Started, World};
use crate::invariants::check_invariants;

const WORKFLOW: &str = "wf_overlap";

/// Starts two identical `enroll` runs of `csv` back to back, without
/// waiting between them, with `flags` after the workflow.
fn start_two(world: &World, csv: &std::path::Path, flags: &[&str]) -> [Started; 2] {
    let start = || {
        world
            .cmd()
            .args(["--output", "json", "enroll"])
            .args(["--workflow", WORKFLOW, "--settle-secs", "0"])
            .args(flags)
            .arg_path(csv)
            .spawn()
    };
    [start(), start()]
}

#[test]
fn overlap_with_lock_wait_both_succeed() {
    let world = World::with_sandbox_state(&["--fault", "latency-ms=100"]);
    let (csv, emails) = write_contacts(world.path("contacts.csv"), "both", 1000);

    let [first, second] = start_two(&world, &csv, &["--lock-wait", "60"]);
    let first = first.wait().expect_code(0).json();
    let second = second.wait().expect_code(0).json();

    let sent = first["sent"].as_u64().unwrap_or(0) + second["sent"].as_u64().unwrap_or(0);
    assert_eq!(
        sent, 1000,
        "the two runs sent each contact once between them"
    );
    let already = first["already_enrolled"].as_u64().unwrap_or(0)
        + second["already_enrolled"].as_u64().unwrap_or(0);
    assert_eq!(
        already, 1000,
        "the run that waited found the other's contacts enrolled"
    );
    check_invariants(&world, WORKFLOW, &emails, "two runs with --lock-wait 60");
}

#[test]
fn overlap_without_lock_wait_one_refused() {
    // 10 batches, 4 at a time, 300 ms each: the holder keeps the lock for
    // about a second, while the other run reaches the lock within
    // milliseconds of starting.
    let world = World::with_sandbox_state(&["--fault", "latency-ms=300"]);
    let (csv, emails) = write_contacts(world.path("contacts.csv"), "one", 1000);

    let [first, second] = start_two(&world, &csv, &[]);
    let pids = [first.id(), second.id()];
    let runs = [first.wait(), second.wait()];

    let codes = [runs[0].code, runs[1].code];
    let (holder, refused) = match codes {
        [0, 5] => (0, 1),
        [5, 0] => (1, 0),
        _ => panic!(
            "expected one run to exit 0 and the other 5, got {codes:?}:\n{}\n{}",
            runs[0].describe(),
            runs[1].describe()
        ),
    };
    let holder_pid = format!("pid {}", pids[holder]);
    assert!(
        runs[refused].stderr.contains(&holder_pid),
        "the refused run names the holder ({holder_pid}):\n{}",
        runs[refused].describe()
    );
    assert_eq!(
        runs[holder].json()["sent"],
        1000,
        "the holder sent every contact"
    );
    check_invariants(&world, WORKFLOW, &emails, "two runs without --lock-wait");
}
