//! `enroll` killed at each crash point, and by SIGKILL mid-run: the ledger
//! stays intact and reruns finish the work without duplicates.

use std::time::Duration;

use crate::harness::{enroll_until_done, write_contacts, Ran, World};
use crate::invariants::{check_integrity, check_invariants, ledger_entries};

const WORKFLOW: &str = "wf_crash";

/// Reruns allowed after a crash before a test fails.
const MAX_RUNS: usize = 5;

/// Returns whether the process ended by a signal: the harness records a
/// missing exit code as -1.
fn ended_by_signal(ran: &Ran) -> bool {
    ran.code == -1
}

/// Runs `enroll` with `DRIPPULSE_CRASH_AT=point` against a sandbox started
/// with `sandbox_flags`, checks that it aborted there and left claims
/// behind, then reruns until exit 0 and checks every invariant.
fn crash_then_recover(point: &str, sandbox_flags: &[&str]) {
    let world = World::with_sandbox_state(sandbox_flags);
    let (csv, emails) = write_contacts(world.path("contacts.csv"), "crash", 120);
    let context = format!("crash point {point}");

    let crashed = world
        .cmd()
        .env("DRIPPULSE_CRASH_AT", point)
        .args(["--timeout", "5", "--output", "json", "enroll"])
        .args(["--workflow", WORKFLOW, "--settle-secs", "0"])
        .args(["--batch-size", "20"])
        .arg_path(&csv)
        .run();
    assert!(
        ended_by_signal(&crashed),
        "{context}: enroll did not abort:\n{}",
        crashed.describe()
    );
    assert!(
        crashed
            .stderr
            .contains(&format!("crash point {point}: aborting")),
        "{context}: enroll aborted somewhere else:\n{}",
        crashed.describe()
    );
    check_integrity(&world, &context);
    let sending = ledger_entries(&world, WORKFLOW)
        .iter()
        .filter(|e| e.state == "sending")
        .count();
    assert!(
        sending > 0,
        "{context}: the crash left no claimed entries, so recovery was not tested"
    );

    enroll_until_done(
        &world,
        WORKFLOW,
        &csv,
        &["--batch-size", "20"],
        MAX_RUNS,
        &context,
    );
    check_invariants(&world, WORKFLOW, &emails, &context);
}

#[test]
fn crash_after_claim_recovers() {
    crash_then_recover("after-claim", &[]);
}

#[test]
fn crash_after_send_recovers() {
    // The reply waits 2 s, so the abort 200 ms after the request started
    // comes after the server committed and before the reply arrives.
    crash_then_recover("after-send", &["--fault", "latency-ms=2000"]);
}

#[test]
fn crash_after_reply_recovers() {
    crash_then_recover("after-reply", &[]);
}

#[test]
fn crash_in_outcome_commit_recovers() {
    crash_then_recover("in-outcome-commit", &[]);
}

#[test]
fn sigkill_mid_enroll_recovers() {
    // 150 batches of 20 with 30 ms per reply: long enough to kill the run
    // once a fifth of the contacts are on the server.
    const KILL_AFTER: u64 = 600;
    let world = World::with_sandbox_state(&["--fault", "latency-ms=30"]);
    let (csv, emails) = write_contacts(world.path("contacts.csv"), "kill", 3000);

    let mut started = world
        .cmd()
        .args(["--output", "json", "enroll"])
        .args(["--workflow", WORKFLOW, "--settle-secs", "0"])
        .args(["--batch-size", "20"])
        .arg_path(&csv)
        .spawn();
    while started.is_running() {
        let created = world.sandbox().stats()["enrollments_created"]
            .as_u64()
            .unwrap_or(0);
        if created >= KILL_AFTER {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        started.is_running(),
        "enroll finished before it could be killed mid-run"
    );
    started.kill();
    let killed = started.wait();
    assert!(
        ended_by_signal(&killed),
        "enroll was not ended by SIGKILL:\n{}",
        killed.describe()
    );
    let created = world.sandbox().stats()["enrollments_created"]
        .as_u64()
        .unwrap_or(0);
    assert!(
        created < 3000,
        "the killed run had already enrolled everyone"
    );
    check_integrity(&world, "after SIGKILL");

    enroll_until_done(
        &world,
        WORKFLOW,
        &csv,
        &["--batch-size", "20"],
        MAX_RUNS,
        "after SIGKILL",
    );
    check_invariants(&world, WORKFLOW, &emails, "after SIGKILL");
}
