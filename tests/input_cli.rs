//! The input flags of `drippulse enroll` end to end: the real binary, the
//! sandbox on loopback, and files that need `--strict`, `--map-file`,
//! `--encoding` or stdin decoding.

#[allow(dead_code)]
#[path = "cli/harness.rs"]
mod harness;

use harness::{fixture, write_file, World};

#[test]
fn strict_stops_before_sending_when_rows_are_rejected() {
    let world = World::new();
    let rejects = world.path("rejects.csv");
    let ran = world
        .cmd()
        .args(["enroll", "--workflow", "wf_strict", "--strict", "--rejects"])
        .arg_path(&rejects)
        .arg_path(&fixture("corpus/fmt_hubspot_export.csv"))
        .run()
        .expect_code(1);
    assert!(
        ran.stderr.contains("1 input row was rejected"),
        "{}",
        ran.describe()
    );
    assert!(
        ran.stderr.contains(&rejects.display().to_string()),
        "{}",
        ran.describe()
    );
    assert!(ran.stderr.contains("--strict"), "{}", ran.describe());
    let written = std::fs::read_to_string(&rejects).expect("rejects file");
    assert!(written.contains("missing_email"), "{written}");
    assert_eq!(world.sandbox().stats()["requests"], 0);
    assert!(!world.data_dir().join("ledger.sqlite3").exists());
}

#[test]
fn strict_allows_clean_files_and_duplicates() {
    let world = World::new();
    let summary = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_strict",
            "--strict",
        ])
        .arg_path(&fixture("corpus/scenario_batch.csv"))
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["sent"], 11);
    assert_eq!(summary["duplicates_in_input"], 1);
}

#[test]
fn map_file_chooses_columns() {
    let world = World::new();
    let csv = write_file(
        world.path("people.csv"),
        "Email,Given,Work Email,Employer\nada.home@example.org,Ada,ada@example.com,Example Ltd\n",
    );
    let map = write_file(
        world.path("columns.map"),
        "# work addresses\nemail = Work Email\nfirst_name=Given\ncompany_name=4\n",
    );
    world
        .cmd()
        .args(["enroll", "--workflow", "wf_map", "--map-file"])
        .arg_path(&map)
        .arg_path(&csv)
        .run()
        .expect_code(0);
    let enrollments = world.sandbox().enrollments("wf_map");
    assert_eq!(enrollments.len(), 1);
    let first = &enrollments[0];
    assert_eq!(first["email"], "ada@example.com", "{first}");
}

#[test]
fn map_file_error_names_file_and_line() {
    let world = World::new();
    let map = write_file(world.path("bad.map"), "email=Email\nphone=Phone\n");
    let ran = world
        .cmd()
        .args(["enroll", "--workflow", "wf_map", "--dry-run", "--map-file"])
        .arg_path(&map)
        .arg_path(&fixture("corpus/scenario_batch.csv"))
        .run()
        .expect_code(2);
    assert!(ran.stderr.contains("bad.map, line 2"), "{}", ran.describe());
    assert!(
        ran.stderr.contains("unknown field \"phone\""),
        "{}",
        ran.describe()
    );
}

#[test]
fn unknown_encoding_is_a_usage_error() {
    let world = World::new();
    let ran = world
        .cmd()
        .args(["enroll", "--workflow", "wf_x", "--encoding", "klingon"])
        .arg_path(&fixture("corpus/scenario_batch.csv"))
        .run()
        .expect_code(2);
    assert!(
        ran.stderr.contains("invalid --encoding"),
        "{}",
        ran.describe()
    );
}

#[test]
fn detected_encoding_and_skipped_lines_are_warned() {
    let world = World::new();
    let ran = world
        .cmd()
        .args(["enroll", "--workflow", "wf_x", "--dry-run"])
        .arg_path(&fixture("corpus/bug_latin1_no_bom.csv"))
        .arg_path(&fixture("corpus/fmt_linkedin_connections.csv"))
        .run()
        .expect_code(0);
    assert!(
        ran.stderr.contains("warning:") && ran.stderr.contains("read the file as Windows-1252"),
        "{}",
        ran.describe()
    );
    assert!(
        ran.stderr
            .contains("skipped 3 lines above the header (preamble): lines 1, 2, 3"),
        "{}",
        ran.describe()
    );
}

#[test]
fn windows_1252_on_stdin_is_detected() {
    let world = World::new();
    let bytes = std::fs::read(fixture("corpus/bug_latin1_no_bom.csv")).expect("fixture");
    let summary = world
        .cmd()
        .args(["--output", "json", "enroll", "--workflow", "wf_stdin", "-"])
        .stdin(bytes)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["sent"], 6);
    let enrollments = world.sandbox().enrollments("wf_stdin");
    let names: Vec<String> = enrollments
        .iter()
        .map(|enrollment| enrollment.to_string())
        .collect();
    assert!(
        names.iter().any(|text| text.contains("O\u{2019}Example")),
        "{names:?}"
    );
}

#[test]
fn email_column_conflicts_with_map_email() {
    let world = World::new();
    let ran = world
        .cmd()
        .args([
            "enroll",
            "--workflow",
            "wf_x",
            "--email-column",
            "1",
            "--map",
            "email=Email",
        ])
        .arg_path(&fixture("corpus/scenario_batch.csv"))
        .run()
        .expect_code(2);
    assert!(
        ran.stderr.contains("keep one of them"),
        "{}",
        ran.describe()
    );
}
