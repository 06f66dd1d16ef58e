//! `enroll` against a sandbox that injects each fault switch: repeated
//! runs must end with every contact enrolled exactly once.

use std::time::Duration;

use crate::harness::{enroll_until_done, write_contacts, World};
use crate::invariants::{check_invariants, ledger_entries, state_history};

const WORKFLOW: &str = "wf_faults";

/// Contacts per fault test: 15 batches of 20, so a fault at probability
/// 0.3 fires on several of them.
const CONTACTS: usize = 300;

/// Enroll runs allowed before a fault test fails. With a fault at 0.3 the
/// requeued remainder shrinks by about that factor per run.
const MAX_RUNS: usize = 8;

/// Runs `enroll` against a sandbox with `fault` at probability 0.3 until it
/// exits 0, then checks that the fault fired several times and that every
/// invariant holds.
fn complete_despite(fault: &str, seed: u64) {
    let switch = format!("{fault}=0.3");
    let seed = format!("seed={seed}");
    let world = World::with_sandbox_state(&["--fault", &switch, "--fault", &seed]);
    let (csv, emails) = write_contacts(world.path("contacts.csv"), "fault", CONTACTS);

    let runs = enroll_until_done(
        &world,
        WORKFLOW,
        &csv,
        &["--batch-size", "20"],
        MAX_RUNS,
        &switch,
    );

    let injected = &world.sandbox().stats()["faults_injected"][fault];
    assert!(
        injected.as_u64().unwrap_or(0) >= 2,
        "{switch} fired {injected} times, too few to test recovery"
    );
    let last = runs.last().expect("at least one run").json();
    assert_eq!(last["unknown"], 0, "the final run left contacts unknown");
    assert_eq!(last["failed"], 0, "the final run left contacts failed");
    assert_eq!(last["rejected"], 1, "the invalid address is rejected");
    assert_eq!(last["duplicates_in_input"], 1, "the repeat is a duplicate");
    let rejects = last["rejects_path"].as_str().unwrap_or_default();
    assert!(
        std::path::Path::new(rejects).is_file(),
        "the rejects file {rejects:?} exists"
    );
    check_invariants(&world, WORKFLOW, &emails, &switch);
}

#[test]
fn enroll_error_before_commit_completes() {
    complete_despite("error-before-commit", 11);
}

#[test]
fn enroll_error_after_commit_completes() {
    complete_despite("error-after-commit", 12);
}

#[test]
fn enroll_drop_after_commit_completes() {
    complete_despite("drop-after-commit", 13);
}

#[test]
fn enroll_hang_after_commit_completes() {
    complete_despite("hang-after-commit", 14);
}

#[test]
fn enroll_legacy_count_zero_completes() {
    complete_despite("legacy-created-count-zero", 15);
}

#[test]
fn enroll_rate_limit_completes() {
    complete_despite("rate-limit", 16);
}

#[test]
fn enroll_rate_limit_no_header_completes() {
    complete_despite("rate-limit-no-header", 17);
}

#[test]
fn enroll_latency_beyond_timeout_completes() {
    // Every reply comes after the one-second client timeout, so every
    // batch times out after the server committed it.
    let world = World::with_sandbox_state(&["--fault", "latency-ms=1500"]);
    let (csv, emails) = write_contacts(world.path("contacts.csv"), "slow", 100);

    let summary = world
        .cmd()
        .args(["--timeout", "1", "--output", "json", "enroll"])
        .args(["--workflow", WORKFLOW, "--settle-secs", "0"])
        .args(["--batch-size", "20"])
        .arg_path(&csv)
        .run()
        .expect_code(0)
        .json();

    assert_eq!(summary["sent"], 100, "reconciliation found every contact");
    assert_eq!(summary["unknown"], 0, "no contact stayed unknown");
    assert_eq!(
        world.sandbox().stats()["bulk_enroll_calls"],
        5,
        "no batch was sent twice"
    );
    check_invariants(&world, WORKFLOW, &emails, "latency-ms=1500 --timeout 1");
}

#[test]
fn enroll_500_through_dropped_replies() {
    let world =
        World::with_sandbox_state(&["--fault", "drop-after-commit=0.3", "--fault", "seed=500"]);
    let (csv, emails) = write_contacts(world.path("contacts.csv"), "accept", 500);

    let runs = enroll_until_done(
        &world,
        WORKFLOW,
        &csv,
        &["--batch-size", "25"],
        MAX_RUNS,
        "drop-after-commit=0.3",
    );

    let last = runs.last().expect("at least one run");
    assert_eq!(last.code, 0, "the final run exits 0");
    let dropped = &world.sandbox().stats()["faults_injected"]["drop-after-commit"];
    assert!(
        dropped.as_u64().unwrap_or(0) >= 2,
        "drop-after-commit fired {dropped} times, too few to test recovery"
    );
    assert_eq!(
        world.sandbox().enrollments(WORKFLOW).len(),
        500,
        "the server holds exactly one enrollment per contact"
    );
    check_invariants(
        &world,
        WORKFLOW,
        &emails,
        "drop-after-commit=0.3, 500 contacts",
    );
}

#[test]
fn enroll_legacy_zero_adopts_server_ids() {
    let world = World::with_sandbox_state(&["--fault", "legacy-created-count-zero=1"]);
    let (csv, emails) = write_contacts(world.path("contacts.csv"), "legacy", 60);

    let summary = world
        .cmd()
        .args(["--output", "json", "enroll"])
        .args(["--workflow", WORKFLOW, "--settle-secs", "0"])
        .args(["--batch-size", "20"])
        .arg_path(&csv)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["sent"], 60, "every contact counts as sent");
    assert_eq!(summary["unknown"], 0, "no contact stayed unknown");
    assert_eq!(summary["requests"], 3, "each batch was sent once");

    let server_ids: std::collections::HashMap<String, String> = world
        .sandbox()
        .enrollments(WORKFLOW)
        .iter()
        .map(|e| {
            let email = e["email"].as_str().unwrap_or_default().to_string();
            let id = e["id"].as_str().unwrap_or_default().to_string();
            (email, id)
        })
        .collect();
    for entry in ledger_entries(&world, WORKFLOW) {
        assert_eq!(entry.state, "sent", "{}: state", entry.key);
        assert_eq!(
            entry.enrollment_id.as_ref(),
            server_ids.get(&entry.email),
            "{}: the ledger holds the server's enrollment id",
            entry.key
        );
    }
    let history = state_history(&world, WORKFLOW, &emails[0]);
    assert_eq!(
        history,
        ["sending", "unknown", "sent"],
        "{}: the mismatched reply made it unknown, and reconciliation made it sent",
        emails[0]
    );
    check_invariants(&world, WORKFLOW, &emails, "legacy-created-count-zero=1");
}

#[test]
fn enroll_list_lag_holds_unknown_until_settled() {
    // Half the batches get a 500 after the server committed them, and the
    // list hides new enrollments for 2 s. With a 4 s settle window the
    // unknown contacts must stay unknown, unsent, until a listing taken
    // after the window shows them.
    const LAG: Duration = Duration::from_secs(2);
    const SETTLE_SECS: u64 = 4;
    let world = World::with_sandbox_state(&[
        "--fault",
        "error-after-commit=0.5",
        "--fault",
        "list-lag-ms=2000",
        "--fault",
        "seed=21",
    ]);
    let (csv, emails) = write_contacts(world.path("contacts.csv"), "lag", 200);
    let settle = SETTLE_SECS.to_string();
    let enroll = || {
        world
            .cmd()
            .args(["--output", "json", "enroll"])
            .args(["--workflow", WORKFLOW, "--settle-secs", &settle])
            .args(["--batch-size", "20"])
            .arg_path(&csv)
            .run()
    };

    let first = enroll().expect_code(4).json();
    let unknown = first["unknown"].as_u64().unwrap_or(0);
    assert!(unknown > 0, "some contacts are unknown after the first run");
    assert_eq!(
        first["sent"].as_u64().unwrap_or(0) + unknown,
        200,
        "every contact is sent or unknown"
    );
    let created = world.sandbox().stats()["enrollments_created"].clone();
    assert_eq!(created, 200, "the server created each contact once");

    let second = enroll().expect_code(4).json();
    assert_eq!(second["unknown"], unknown, "the unknown contacts are held");
    assert_eq!(
        second["sent"], 0,
        "nothing is sent inside the settle window"
    );
    assert_eq!(
        world.sandbox().stats()["enrollments_created"],
        created,
        "the second run resent nothing"
    );

    std::thread::sleep(LAG.max(Duration::from_secs(SETTLE_SECS)) + Duration::from_secs(1));
    let third = enroll().expect_code(0).json();
    assert_eq!(
        third["sent"], 0,
        "the third run found the contacts instead of sending them"
    );
    assert_eq!(third["already_enrolled"], 200, "every contact is enrolled");
    assert_eq!(
        world.sandbox().stats()["enrollments_created"],
        created,
        "the third run resent nothing"
    );
    check_invariants(
        &world,
        WORKFLOW,
        &emails,
        "list-lag-ms=2000 --settle-secs 4",
    );
}

/// Sleeps until the wall clock is half-way through a second.
fn sleep_to_half_second() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    let into_second = Duration::from_nanos(u64::from(now.subsec_nanos()));
    let half = Duration::from_millis(500);
    let wait = if into_second <= half {
        half - into_second
    } else {
        Duration::from_secs(1) + half - into_second
    };
    std::thread::sleep(wait);
}

#[test]
fn enroll_settle_window_not_shortened() {
    // Every reply is a 500 after the commit, and the list hides new
    // enrollments for 3 s, as long as the 3 s settle window. Contacts
    // become unknown half-way through a second, so a run in the last half
    // second of their window would see them absent if the window were
    // shortened, and send them again while their enrollments are hidden.
    let world = World::with_sandbox_state(&[
        "--fault",
        "error-after-commit=1",
        "--fault",
        "list-lag-ms=3000",
    ]);
    let (csv, emails) = write_contacts(world.path("contacts.csv"), "settle", 20);
    let enroll = || {
        world
            .cmd()
            .args(["--output", "json", "enroll"])
            .args(["--workflow", WORKFLOW, "--settle-secs", "3"])
            .arg_path(&csv)
            .run()
    };

    sleep_to_half_second();
    enroll().expect_code(4);
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_millis(4500) {
        let ran = enroll();
        assert!(
            [0, 4].contains(&ran.code),
            "a rerun inside the settle window failed:\n{}",
            ran.describe()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        world.sandbox().stats()["enrollments_created"],
        20,
        "no contact was sent again before its settle window passed"
    );

    std::thread::sleep(Duration::from_secs(3));
    enroll().expect_code(0);
    check_invariants(
        &world,
        WORKFLOW,
        &emails,
        "list-lag-ms=3000 --settle-secs 3",
    );
}
