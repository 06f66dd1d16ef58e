//! SIGINT during `enroll`: stop claiming, finish what is in flight, exit 130.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::harness::{write_file, World, BIN, TEST_KEY};

#[test]
fn interrupt_finishes_in_flight_then_resumes() {
    let world = World::with_sandbox(&["--fault", "latency-ms=300"]);
    let mut csv = String::from("email\n");
    for i in 0..400 {
        csv.push_str(&format!("i{i}@example.com\n"));
    }
    let path = write_file(world.path("big.csv"), &csv);

    let child = Command::new(BIN)
        .env_clear()
        .env("DRIPPULSE_DATA_DIR", world.data_dir())
        .env("DRIPPULSE_BASE_URL", &world.sandbox().url)
        .env("DRIPPULSE_API_KEY", TEST_KEY)
        .args([
            "enroll",
            "--workflow",
            "wf_int",
            "--batch-size",
            "10",
            "--concurrency",
            "2",
        ])
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("rerun the same command"), "{stderr}");

    let partial = world.sandbox().enrollments("wf_int").len();
    assert!(
        partial > 0 && partial < 400,
        "interrupted part-way: {partial}"
    );

    world
        .cmd()
        .args(["enroll", "--workflow", "wf_int", "--batch-size", "50"])
        .arg_path(&path)
        .run()
        .expect_code(0);
    let enrollments = world.sandbox().enrollments("wf_int");
    assert_eq!(enrollments.len(), 400);
    let mut per_email: HashMap<String, usize> = HashMap::new();
    for enrollment in &enrollments {
        *per_email
            .entry(enrollment["email"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert!(per_email.values().all(|&n| n == 1));
}
