//! `drippulse delete` against a sandbox server.

use serde_json::Value;

use crate::harness::{example_csv, write_file, World};

const WF: &str = "wf_del";

/// Enrolls the example file and returns the run's JSON summary.
fn enroll_example(world: &World) -> Value {
    world
        .cmd()
        .args(["--output", "json", "enroll", "--workflow", WF])
        .arg_path(&example_csv())
        .run()
        .expect_code(0)
        .json()
}

fn emails_on_server(world: &World) -> Vec<String> {
    world
        .sandbox()
        .enrollments(WF)
        .iter()
        .map(|e| e["email"].as_str().unwrap().to_lowercase())
        .collect()
}

#[test]
fn delete_by_id_then_404_is_already_gone() {
    let world = World::new();
    enroll_example(&world);
    let id = world.sandbox().enrollments(WF)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let summary = world
        .cmd()
        .args(["--output", "json", "delete", "--workflow", WF, "--yes", &id])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["deleted"], 1);
    assert_eq!(world.sandbox().enrollments(WF).len(), 22);

    let again = world
        .cmd()
        .args(["--output", "json", "delete", "--workflow", WF, "--yes", &id])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(again["deleted"], 0);
    assert_eq!(
        again["already_gone"], 1,
        "a 404 is already gone, not an error"
    );
    assert_eq!(again["failed"], 0);

    // The ledger keeps the tombstone either way.
    let entries = world
        .cmd()
        .args([
            "--output",
            "json",
            "ledger",
            "show",
            "--workflow",
            WF,
            "--state",
            "deleted",
        ])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(entries.as_array().unwrap().len(), 1);
}

#[test]
fn delete_by_email_case_insensitive() {
    let world = World::new();
    enroll_example(&world);
    world
        .cmd()
        .args([
            "delete",
            "--workflow",
            WF,
            "--yes",
            "--email",
            "GRACE.HOPPER@example.com",
        ])
        .run()
        .expect_code(0);
    let emails = emails_on_server(&world);
    assert_eq!(emails.len(), 22);
    assert!(!emails.contains(&"grace.hopper@example.com".to_string()));
}

#[test]
fn delete_refuses_off_terminal_without_yes() {
    let world = World::new();
    enroll_example(&world);
    let ran = world
        .cmd()
        .args([
            "delete",
            "--workflow",
            WF,
            "--email",
            "ada.lovelace@example.com",
        ])
        .run()
        .expect_code(2);
    assert!(ran.stderr.contains("--yes"), "{}", ran.describe());
    assert!(
        ran.stderr.contains("Will delete 1 enrollments"),
        "shows the preview: {}",
        ran.describe()
    );
    assert_eq!(world.sandbox().enrollments(WF).len(), 23);
}

#[test]
fn delete_dry_run_changes_nothing() {
    let world = World::new();
    let run = enroll_example(&world)["run_id"].as_i64().unwrap();
    let ran = world
        .cmd()
        .args([
            "delete",
            "--workflow",
            WF,
            "--run",
            &run.to_string(),
            "--dry-run",
        ])
        .run()
        .expect_code(0);
    assert!(
        ran.stderr.contains("Will delete 23 enrollments"),
        "{}",
        ran.describe()
    );
    assert!(ran.stderr.contains("Dry run"), "{}", ran.describe());
    assert_eq!(world.sandbox().enrollments(WF).len(), 23);
}

#[test]
fn delete_from_file_of_ids_and_emails() {
    let world = World::new();
    enroll_example(&world);
    let first_id = world.sandbox().enrollments(WF)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let list = write_file(
        world.path("targets.txt"),
        &format!("# mistaken test rows\n{first_id}\nalan.turing@example.com\n\n"),
    );
    let summary = world
        .cmd()
        .args([
            "--output",
            "json",
            "delete",
            "--workflow",
            WF,
            "--yes",
            "--from",
        ])
        .arg_path(&list)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["deleted"], 2);

    let csv = write_file(
        world.path("targets.csv"),
        "name,email\nGrace,grace.hopper@example.com\n",
    );
    let from_csv = world
        .cmd()
        .args([
            "--output",
            "json",
            "delete",
            "--workflow",
            WF,
            "--yes",
            "--from",
        ])
        .arg_path(&csv)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(from_csv["deleted"], 1);
    assert_eq!(world.sandbox().enrollments(WF).len(), 20);
}

#[test]
fn delete_run_then_reenroll_needs_flag() {
    let world = World::new();
    let run = enroll_example(&world)["run_id"].as_i64().unwrap();

    let undo = world
        .cmd()
        .args([
            "--output",
            "json",
            "delete",
            "--workflow",
            WF,
            "--run",
            &run.to_string(),
            "--yes",
        ])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(undo["deleted"], 23);
    assert!(world.sandbox().enrollments(WF).is_empty());

    // A rerun of the import holds the deleted contacts back and says so.
    let rerun = world
        .cmd()
        .args(["--output", "json", "enroll", "--workflow", WF])
        .arg_path(&example_csv())
        .run()
        .expect_code(0)
        .json();
    assert_eq!(rerun["sent"], 0);
    assert_eq!(rerun["held_deleted"], 23);
    assert!(world.sandbox().enrollments(WF).is_empty());

    let human = world
        .cmd()
        .args(["enroll", "--workflow", WF])
        .arg_path(&example_csv())
        .run()
        .expect_code(0);
    assert!(
        human.stderr.contains("held back 23 contacts"),
        "{}",
        human.describe()
    );

    let again = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            WF,
            "--re-enroll",
        ])
        .arg_path(&example_csv())
        .run()
        .expect_code(0)
        .json();
    assert_eq!(again["sent"], 23);
    assert_eq!(world.sandbox().enrollments(WF).len(), 23);
}

#[test]
fn delete_many_needs_expect_count() {
    let world = World::new();
    let mut csv = String::from("email\n");
    for i in 0..120 {
        csv.push_str(&format!("m{i}@example.com\n"));
    }
    let path = write_file(world.path("many.csv"), &csv);
    let run = world
        .cmd()
        .args(["--output", "json", "enroll", "--workflow", WF])
        .arg_path(&path)
        .run()
        .expect_code(0)
        .json()["run_id"]
        .as_i64()
        .unwrap();
    let run = run.to_string();

    let without = world
        .cmd()
        .args(["delete", "--workflow", WF, "--run", &run, "--yes"])
        .run()
        .expect_code(2);
    assert!(
        without.stderr.contains("--expect-count 120"),
        "{}",
        without.describe()
    );

    world
        .cmd()
        .args([
            "delete",
            "--workflow",
            WF,
            "--run",
            &run,
            "--yes",
            "--expect-count",
            "119",
        ])
        .run()
        .expect_code(2);
    assert_eq!(world.sandbox().enrollments(WF).len(), 120);

    world
        .cmd()
        .args([
            "delete",
            "--workflow",
            WF,
            "--run",
            &run,
            "--yes",
            "--expect-count",
            "120",
        ])
        .run()
        .expect_code(0);
    assert!(world.sandbox().enrollments(WF).is_empty());
}

#[test]
fn delete_run_leaves_adopted_unless_asked() {
    // Two contacts enrolled by another tool are adopted by the first run;
    // undoing that run must not delete them unless asked.
    let world = World::new();
    let seed = write_file(
        world.path("seed.csv"),
        "email\nada.lovelace@example.com\nalan.turing@example.com\n",
    );
    world
        .cmd()
        .env("DRIPPULSE_DATA_DIR", world.path("other-ledger"))
        .args(["enroll", "--workflow", WF])
        .arg_path(&seed)
        .run()
        .expect_code(0);
    let run = enroll_example(&world)["run_id"]
        .as_i64()
        .unwrap()
        .to_string();

    let undo = world
        .cmd()
        .args([
            "--output",
            "json",
            "delete",
            "--workflow",
            WF,
            "--run",
            &run,
            "--yes",
        ])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(undo["deleted"], 21);
    assert_eq!(emails_on_server(&world).len(), 2);

    let all = world
        .cmd()
        .args([
            "--output",
            "json",
            "delete",
            "--workflow",
            WF,
            "--run",
            &run,
            "--include-adopted",
            "--yes",
        ])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(all["deleted"], 2);
    assert!(emails_on_server(&world).is_empty());
}

#[test]
fn delete_nothing_named_is_usage_error() {
    let world = World::new();
    world
        .cmd()
        .args(["delete", "--workflow", WF, "--yes"])
        .run()
        .expect_code(2);
}

#[test]
fn delete_unknown_contact_leaves_tombstone() {
    // The reply was lost, so the ledger has the contact as unknown with no
    // enrollment id. Once the list shows the enrollment, deleting it by
    // email must hold the contact back, not let reconciliation requeue it.
    let world = World::with_sandbox(&[
        "--fault",
        "drop-after-commit=1",
        "--fault",
        "list-lag-ms=1000",
    ]);
    world
        .cmd()
        .args([
            "--timeout",
            "5",
            "enroll",
            "--workflow",
            WF,
            "--email",
            "gone@example.com",
            "--settle-secs",
            "100",
        ])
        .run()
        .expect_code(4);
    std::thread::sleep(std::time::Duration::from_millis(1200));

    let summary = world
        .cmd()
        .args([
            "--output",
            "json",
            "delete",
            "--workflow",
            WF,
            "--yes",
            "--email",
            "gone@example.com",
        ])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["deleted"], 1);
    let entries = world
        .cmd()
        .args(["--output", "json", "ledger", "show", "--workflow", WF])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(entries[0]["state"], "deleted", "{entries}");

    let rerun = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            WF,
            "--email",
            "gone@example.com",
            "--settle-secs",
            "0",
        ])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(rerun["held_deleted"], 1);
    assert_eq!(rerun["sent"], 0);
    assert!(world.sandbox().enrollments(WF).is_empty());
}

#[test]
fn delete_duplicate_keeps_person_enrolled() {
    // Two ledgers against one server make a duplicate; deleting the extra
    // one by id must leave the person enrolled, not tombstoned.
    let world = World::new();
    let csv = write_file(world.path("one.csv"), "email\ngrace@example.org\n");
    for dir in ["ledger-a", "ledger-b"] {
        world
            .cmd()
            .env("DRIPPULSE_DATA_DIR", world.path(dir))
            .args(["enroll", "--workflow", WF])
            .arg_path(&csv)
            .run()
            .expect_code(0);
    }
    // The second ledger adopted the first enrollment on its first run, so
    // make the duplicate by hand with a third ledger that never listed it.
    let ids: Vec<String> = world
        .sandbox()
        .enrollments(WF)
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 1, "adoption prevented the duplicate: {ids:?}");
    let first = ids[0].clone();
    world.sandbox().post_json(
        &format!("/api/v1/workflows/{WF}/enrollments/bulk"),
        &serde_json::json!({"contacts": [{"email": "grace@example.org"}]}),
    );
    let extra = world
        .sandbox()
        .enrollments(WF)
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .find(|id| *id != first)
        .unwrap();

    let data_b = world.path("ledger-b");
    world
        .cmd()
        .env("DRIPPULSE_DATA_DIR", &data_b)
        .args(["delete", "--workflow", WF, "--yes", &first])
        .run()
        .expect_code(0);
    let rerun = world
        .cmd()
        .env("DRIPPULSE_DATA_DIR", &data_b)
        .args(["--output", "json", "enroll", "--workflow", WF])
        .arg_path(&csv)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(
        rerun["already_enrolled"], 1,
        "the other enrollment remains: {rerun}"
    );
    assert_eq!(rerun["held_deleted"], 0);
    let entries = world
        .cmd()
        .env("DRIPPULSE_DATA_DIR", &data_b)
        .args(["--output", "json", "ledger", "show", "--workflow", WF])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(entries[0]["enrollment_id"], extra.as_str());
}

#[test]
fn delete_from_file_rejects_dot_ids_and_skips_header() {
    let world = World::new();
    enroll_example(&world);
    let dots = write_file(world.path("dots.txt"), "..\n");
    world
        .cmd()
        .args(["delete", "--workflow", WF, "--yes", "--from"])
        .arg_path(&dots)
        .run()
        .expect_code(2);

    let with_header = write_file(
        world.path("emails.txt"),
        "email\nada.lovelace@example.com\n",
    );
    let summary = world
        .cmd()
        .args([
            "--output",
            "json",
            "delete",
            "--workflow",
            WF,
            "--yes",
            "--from",
        ])
        .arg_path(&with_header)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["deleted"], 1);
    assert_eq!(
        summary["already_gone"], 0,
        "the header is not a target: {summary}"
    );
}

#[test]
fn delete_run_of_other_workflow_is_usage_error() {
    let world = World::new();
    let run = enroll_example(&world)["run_id"]
        .as_i64()
        .unwrap()
        .to_string();
    let ran = world
        .cmd()
        .args(["delete", "--workflow", "wf_other", "--run", &run, "--yes"])
        .run()
        .expect_code(2);
    assert!(
        ran.stderr.contains("enrolled into workflow \"wf_del\""),
        "{}",
        ran.describe()
    );
}
