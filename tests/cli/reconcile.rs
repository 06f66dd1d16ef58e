//! `drippulse reconcile`, and what `enroll` does with unknown outcomes.

use std::time::Duration;

use crate::harness::{write_file, World};

fn contacts_csv(world: &World, count: usize) -> std::path::PathBuf {
    let mut csv = String::from("email\n");
    for i in 0..count {
        csv.push_str(&format!("r{i}@example.com\n"));
    }
    write_file(world.path("contacts.csv"), &csv)
}

#[test]
fn reconcile_settles_lagging_list_without_resending() {
    // Every reply is lost after the rows are created, and the list shows
    // new rows only after 1.5 s: the contacts must stay unknown until the
    // list shows them, and must never be sent twice.
    let world = World::with_sandbox(&[
        "--fault",
        "drop-after-commit=1",
        "--fault",
        "list-lag-ms=1500",
    ]);
    let csv = contacts_csv(&world, 30);

    let first = world
        .cmd()
        .args([
            "--timeout",
            "5",
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_r",
            "--settle-secs",
            "30",
        ])
        .arg_path(&csv)
        .run()
        .expect_code(4)
        .json();
    assert_eq!(first["unknown"], 30);
    assert_eq!(first["sent"], 0);

    // Inside the lag a rerun sends nothing: the contacts are unknown, not new.
    let rerun = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_r",
            "--settle-secs",
            "30",
        ])
        .arg_path(&csv)
        .run()
        .json();
    assert_eq!(
        rerun["requests"], 0,
        "unknown contacts are never resent blindly"
    );

    std::thread::sleep(Duration::from_millis(1800));
    let settled = world
        .cmd()
        .args([
            "--output",
            "json",
            "reconcile",
            "--workflow",
            "wf_r",
            "--settle-secs",
            "30",
        ])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(settled["found"], 30);
    assert_eq!(settled["still_unknown"], 0);

    let last = world
        .cmd()
        .args(["--output", "json", "enroll", "--workflow", "wf_r"])
        .arg_path(&csv)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(last["already_enrolled"], 30);
    assert_eq!(world.sandbox().enrollments("wf_r").len(), 30);
}

#[test]
fn reconcile_nothing_to_do() {
    let world = World::new();
    let ran = world
        .cmd()
        .args(["reconcile", "--workflow", "wf_empty"])
        .run()
        .expect_code(0);
    assert!(
        ran.stderr.contains("Nothing to reconcile"),
        "{}",
        ran.describe()
    );
}

#[test]
fn enroll_adopts_existing_enrollments_of_new_workflow() {
    // Another tool enrolled two people before drippulse ever saw the
    // workflow; a lost ledger looks the same.
    let world = World::new();
    let seed = write_file(
        world.path("seed.csv"),
        "email\nada@example.com\ngrace@example.org\n",
    );
    world
        .cmd()
        .env("DRIPPULSE_DATA_DIR", world.path("other-ledger"))
        .args(["enroll", "--workflow", "wf_a"])
        .arg_path(&seed)
        .run()
        .expect_code(0);

    let csv = write_file(
        world.path("in.csv"),
        "email\nADA@example.com\ngrace@example.org\nalan@example.com\n",
    );
    let summary = world
        .cmd()
        .args(["--output", "json", "enroll", "--workflow", "wf_a"])
        .arg_path(&csv)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["already_enrolled"], 2);
    assert_eq!(summary["sent"], 1);
    assert_eq!(world.sandbox().enrollments("wf_a").len(), 3);
}
