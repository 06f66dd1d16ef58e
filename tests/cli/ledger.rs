//! `drippulse ledger` views, the repeated-import warning, and `list` filters.

use crate::harness::{example_csv, write_file, World};

fn enroll(world: &World, workflow: &str) -> serde_json::Value {
    world
        .cmd()
        .args(["--output", "json", "enroll", "--workflow", workflow])
        .arg_path(&example_csv())
        .run()
        .expect_code(0)
        .json()
}

#[test]
fn ledger_runs_lists_each_run() {
    let world = World::new();
    enroll(&world, "wf_l");
    enroll(&world, "wf_l");
    let runs = world
        .cmd()
        .args(["--output", "json", "ledger", "runs"])
        .run()
        .expect_code(0)
        .json();
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["run_id"], 2, "newest first");
    assert_eq!(runs[1]["summary"]["sent"], 23);
    assert_eq!(runs[0]["summary"]["already_enrolled"], 23);
    assert_eq!(runs[0]["exit_code"], 0);
    let sha = runs[0]["inputs"][0]["sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);

    let human = world.cmd().args(["ledger", "runs"]).run().expect_code(0);
    assert!(
        human.stdout.contains("run 1  enroll  workflow wf_l"),
        "{}",
        human.describe()
    );
}

#[test]
fn ledger_show_filters_state_and_email() {
    let world = World::new();
    enroll(&world, "wf_l");
    let all = world
        .cmd()
        .args(["--output", "json", "ledger", "show", "--workflow", "wf_l"])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(all.as_array().unwrap().len(), 23);

    let ada = world
        .cmd()
        .args([
            "--output",
            "json",
            "ledger",
            "show",
            "--workflow",
            "wf_l",
            "--email",
            "ADA.LOVELACE@example.com",
        ])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(ada.as_array().unwrap().len(), 1);
    assert_eq!(ada[0]["state"], "sent");
    assert!(ada[0]["enrollment_id"].is_string());

    let unknown = world
        .cmd()
        .args([
            "--output",
            "json",
            "ledger",
            "show",
            "--workflow",
            "wf_l",
            "--state",
            "unknown",
        ])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(unknown.as_array().unwrap().len(), 0);

    world
        .cmd()
        .args(["ledger", "show", "--workflow", "wf_l", "--state", "lost"])
        .run()
        .expect_code(2);
}

#[test]
fn ledger_export_neutralises_formula_cells() {
    let world = World::new();
    let csv = write_file(
        world.path("in.csv"),
        "email,lead_ref\nada@example.com,=cmd()\n",
    );
    world
        .cmd()
        .args(["enroll", "--workflow", "wf_x"])
        .arg_path(&csv)
        .run()
        .expect_code(0);

    let out = world.path("export.csv");
    std::fs::write(&out, "old").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    world
        .cmd()
        .args(["ledger", "export"])
        .arg_path(&out)
        .run()
        .expect_code(0);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("entry_id,workflow_id,key,state"), "{text}");
    assert!(text.contains("'=cmd()"), "formula neutralised: {text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "export readable by others: {mode:o}");
    }

    let json_out = world.path("export.json");
    world
        .cmd()
        .args(["--output", "json", "ledger", "export"])
        .arg_path(&json_out)
        .run()
        .expect_code(0);
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_out).unwrap()).unwrap();
    assert_eq!(value[0]["lead_ref"], "=cmd()", "JSON keeps the real value");
}

#[test]
fn ledger_check_reports_counts() {
    let world = World::new();
    enroll(&world, "wf_l");
    let check = world
        .cmd()
        .args(["--output", "json", "ledger", "check"])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(check["integrity"], "ok");
    assert_eq!(check["counts"][0]["state"], "sent");
    assert_eq!(check["counts"][0]["count"], 23);
}

#[test]
fn enroll_warns_when_file_imported_before() {
    let world = World::new();
    enroll(&world, "wf_l");
    let ran = world
        .cmd()
        .args(["enroll", "--workflow", "wf_l"])
        .arg_path(&example_csv())
        .run()
        .expect_code(0);
    assert!(
        ran.stderr
            .contains("was already imported into workflow wf_l by run 1"),
        "{}",
        ran.describe()
    );
    assert!(ran.stderr.contains("sent 23"), "{}", ran.describe());
}

#[test]
fn list_filters_and_csv() {
    let world = World::new();
    enroll(&world, "wf_l");
    let one = world
        .cmd()
        .args([
            "--output",
            "json",
            "list",
            "--workflow",
            "wf_l",
            "--email",
            "Grace.Hopper@example.com",
        ])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(one.as_array().unwrap().len(), 1);

    let limited = world
        .cmd()
        .args([
            "--output",
            "json",
            "list",
            "--workflow",
            "wf_l",
            "--limit",
            "5",
        ])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(limited.as_array().unwrap().len(), 5);

    let none = world
        .cmd()
        .args([
            "--output",
            "json",
            "list",
            "--workflow",
            "wf_l",
            "--status",
            "paused",
        ])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(none.as_array().unwrap().len(), 0);

    let csv = world
        .cmd()
        .args(["--output", "csv", "list", "--workflow", "wf_l"])
        .run()
        .expect_code(0);
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(lines[0], "id,email,status,created_at");
    assert_eq!(lines.len(), 24);
}

#[test]
fn csv_output_refused_where_meaningless() {
    let world = World::new();
    world
        .cmd()
        .args(["--output", "csv", "enroll", "--workflow", "wf_l"])
        .arg_path(&example_csv())
        .run()
        .expect_code(2);
}
