//! `drippulse list` against a sandbox server.

use crate::harness::{example_csv, World};

fn enroll_example(world: &World) {
    world
        .cmd()
        .args(["enroll", "--workflow", "wf_list"])
        .arg_path(&example_csv())
        .run()
        .expect_code(0);
}

#[test]
fn list_json_returns_api_objects() {
    let world = World::new();
    enroll_example(&world);
    let listed = world
        .cmd()
        .args(["--output", "json", "list", "--workflow", "wf_list"])
        .run()
        .expect_code(0)
        .json();
    let items = listed.as_array().expect("a JSON array");
    assert_eq!(items.len(), 23);
    for item in items {
        assert!(item["id"].is_string(), "{item}");
        assert!(item["email"].is_string(), "{item}");
        assert!(item["created_at"].is_string(), "{item}");
        assert!(item["status"].is_string(), "{item}");
    }
}

#[test]
fn list_follows_pages() {
    let world = World::new();
    let mut csv = String::from("email\n");
    for i in 0..1234 {
        csv.push_str(&format!("p{i}@example.com\n"));
    }
    let path = crate::harness::write_file(world.path("big.csv"), &csv);
    world
        .cmd()
        .args(["enroll", "--workflow", "wf_pages", "--batch-size", "500"])
        .arg_path(&path)
        .run()
        .expect_code(0);
    let listed = world
        .cmd()
        .args(["--output", "json", "list", "--workflow", "wf_pages"])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 1234);
}

#[test]
fn list_human_table_on_stdout() {
    let world = World::new();
    enroll_example(&world);
    let ran = world
        .cmd()
        .args(["list", "--workflow", "wf_list"])
        .run()
        .expect_code(0);
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert!(lines[0].starts_with("ID"), "{}", ran.describe());
    assert!(lines[0].contains("EMAIL") && lines[0].contains("CREATED_AT"));
    assert_eq!(lines.len(), 24, "header plus 23 rows:\n{}", ran.stdout);
    assert!(ran.stdout.contains("grace.hopper@example.com"));
    assert!(ran.stderr.contains("23 enrollments"), "{}", ran.describe());
}

#[test]
fn list_empty_workflow() {
    let world = World::new();
    let listed = world
        .cmd()
        .args(["--output", "json", "list", "--workflow", "wf_empty"])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(listed, serde_json::json!([]));
}
