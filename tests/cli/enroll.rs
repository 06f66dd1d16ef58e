//! `drippulse enroll` end to end against a sandbox server.

use std::collections::HashMap;

use serde_json::Value;

use crate::harness::{example_csv, fixture, write_file, World};

/// Counts enrollments per lower-cased email.
fn per_email(enrollments: &[Value]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for enrollment in enrollments {
        let email = enrollment["email"].as_str().unwrap_or("").to_lowercase();
        *counts.entry(email).or_insert(0) += 1;
    }
    counts
}

fn enroll_json(world: &World, args: &[&str]) -> Value {
    world
        .cmd()
        .args(["--output", "json", "enroll", "--workflow", "wf_test"])
        .args(args)
        .run()
        .expect_code(0)
        .json()
}

#[test]
fn enroll_csv_then_rerun_sends_nothing() {
    let world = World::new();
    let csv = example_csv();
    let csv = csv.to_str().unwrap();

    let first = enroll_json(&world, &[csv]);
    assert_eq!(first["read"], 25);
    assert_eq!(first["valid"], 24);
    assert_eq!(first["rejected"], 1);
    assert_eq!(first["duplicates_in_input"], 1);
    assert_eq!(first["sent"], 23);
    assert_eq!(first["already_enrolled"], 0);
    assert_eq!(first["failed"], 0);
    assert_eq!(first["unknown"], 0);

    let second = enroll_json(&world, &[csv]);
    assert_eq!(second["sent"], 0);
    assert_eq!(second["already_enrolled"], 23);
    assert_ne!(second["run_id"], first["run_id"]);

    let enrollments = world.sandbox().enrollments("wf_test");
    assert_eq!(enrollments.len(), 23);
    assert!(per_email(&enrollments).values().all(|&n| n == 1));
    assert_eq!(world.sandbox().stats()["bulk_enroll_calls"], 1);
}

#[test]
fn enroll_sends_mapped_and_custom_fields() {
    let world = World::new();
    let csv = write_file(
        world.path("in.csv"),
        "E-mail,First Name,Company,Plan,Empty\nada@example.com,Ada,Engines,=SUM(1),\n",
    );
    enroll_json(&world, &[csv.to_str().unwrap()]);

    let enrollments = world.sandbox().enrollments("wf_test");
    assert_eq!(enrollments.len(), 1);
    let ada = &enrollments[0];
    assert_eq!(ada["email"], "ada@example.com");
    assert_eq!(ada["first_name"], "Ada");
    assert_eq!(ada["company_name"], "Engines");
    assert_eq!(ada["Plan"], "=SUM(1)", "values are data, sent verbatim");
    assert!(
        ada.get("Empty").is_none(),
        "empty custom fields are not sent"
    );
}

#[test]
fn enroll_json_array_from_stdin() {
    let world = World::new();
    let input = r#"[{"email":"ada@example.com","first_name":"Ada"},
                    {"email":"grace@example.org"},
                    {"email":"not-an-address"}]"#;
    let summary = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_test",
            "--format",
            "json",
            "-",
        ])
        .stdin(input)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["sent"], 2);
    assert_eq!(summary["rejected"], 1);
    assert_eq!(world.sandbox().enrollments("wf_test").len(), 2);
}

#[test]
fn enroll_ndjson_from_stdin() {
    let world = World::new();
    let input = "{\"email\":\"ada@example.com\"}\n\n{\"email\":\"ADA@example.com\"}\n{\"email\":\"alan@example.com\",\"lead_ref\":\"lead_7\"}\n";
    let summary = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_test",
            "--format",
            "ndjson",
        ])
        .stdin(input)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["sent"], 2);
    assert_eq!(summary["duplicates_in_input"], 1);

    let enrollments = world.sandbox().enrollments("wf_test");
    let alan = enrollments
        .iter()
        .find(|e| e["email"] == "alan@example.com")
        .expect("alan enrolled");
    assert_eq!(alan["lead_ref"], "lead_7");
}

#[test]
fn enroll_single_contact_from_flags() {
    let world = World::new();
    let args = [
        "--output",
        "json",
        "enroll",
        "--workflow",
        "wf_test",
        "--email",
        " Ada@Example.com ",
        "--first-name",
        "Ada",
        "--last-name",
        "Lovelace",
        "--field",
        "plan=pro",
    ];
    let summary = world.cmd().args(args).run().expect_code(0).json();
    assert_eq!(summary["sent"], 1);

    let enrollments = world.sandbox().enrollments("wf_test");
    assert_eq!(enrollments.len(), 1);
    assert_eq!(enrollments[0]["email"], "Ada@Example.com");
    assert_eq!(enrollments[0]["last_name"], "Lovelace");
    assert_eq!(enrollments[0]["plan"], "pro");

    // The same person again, typed differently, is already enrolled.
    let again = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_test",
            "--email",
            "ada@example.com",
        ])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(again["already_enrolled"], 1);
    assert_eq!(again["sent"], 0);
}

#[test]
fn enroll_dry_run_sends_and_writes_nothing() {
    let world = World::new();
    let csv = example_csv();
    let summary = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_test",
            "--dry-run",
        ])
        .arg_path(&csv)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["would_send"], 23);
    assert!(summary.get("sent").is_none());
    assert_eq!(summary["run_id"], Value::Null);
    assert_eq!(world.sandbox().stats()["requests"], 0);
    assert!(
        !world.data_dir().join("ledger.sqlite3").exists(),
        "a dry run must not create the ledger"
    );

    // After a real run, the dry run reports everything as enrolled.
    enroll_json(&world, &[csv.to_str().unwrap()]);
    let after = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_test",
            "--dry-run",
        ])
        .arg_path(&csv)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(after["would_send"], 0);
    assert_eq!(after["already_enrolled"], 23);
}

#[test]
fn enroll_rejects_file_lists_rows_with_reasons() {
    let world = World::new();
    let csv = write_file(
        world.path("in.csv"),
        "email,name\nada@example.com,Ada\nbroken,=HYPERLINK(\"x\")\n,Nobody\nADA@example.com,Ada again\n",
    );
    let rejects = world.path("rejects.csv");
    let summary = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_test",
            "--rejects",
        ])
        .arg_path(&rejects)
        .arg_path(&csv)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["rejected"], 2);
    assert_eq!(summary["duplicates_in_input"], 1);
    assert_eq!(summary["rejects_path"], rejects.to_str().unwrap());

    let text = std::fs::read_to_string(&rejects).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("file,line,reason,message"), "{text}");
    let invalid = lines
        .iter()
        .find(|l| l.contains("invalid_email"))
        .expect(&text);
    assert!(
        invalid.contains(",3,"),
        "line number of the invalid row: {invalid}"
    );
    assert!(
        invalid.contains("'=HYPERLINK"),
        "formula cell neutralised: {invalid}"
    );
    let missing = lines
        .iter()
        .find(|l| l.contains("missing_email"))
        .expect(&text);
    assert!(missing.contains(",4,"), "{missing}");
    let duplicate = lines
        .iter()
        .find(|l| l.contains("duplicate_in_file"))
        .expect(&text);
    assert!(duplicate.contains(",5,"), "{duplicate}");
    assert!(
        duplicate.contains("line 2"),
        "names the first occurrence: {duplicate}"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&rejects).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "rejects file readable by others: {mode:o}");
    }
}

#[test]
fn enroll_bad_key_fails_without_echoing_it() {
    let world = World::new();
    let csv = example_csv();
    let ran = world
        .cmd()
        .env("DRIPPULSE_API_KEY", "adcrm_live_wrongkey_123456789")
        .args(["enroll", "--workflow", "wf_test"])
        .arg_path(&csv)
        .run()
        .expect_code(1);
    assert!(
        ran.stderr.contains("rejected the key"),
        "{}",
        ran.describe()
    );
    assert!(
        ran.stderr.contains("DRIPPULSE_API_KEY"),
        "{}",
        ran.describe()
    );
    assert!(!ran.stderr.contains("wrongkey"), "{}", ran.describe());
    assert!(world.sandbox().enrollments("wf_test").is_empty());

    // The contacts were given back, so a run with the right key sends them.
    let summary = enroll_json(&world, &[csv.to_str().unwrap()]);
    assert_eq!(summary["sent"], 23);
}

#[test]
fn enroll_without_key_explains_how_to_set_it() {
    let world = World::new();
    let ran = world
        .cmd()
        .env_remove("DRIPPULSE_API_KEY")
        .args([
            "enroll",
            "--workflow",
            "wf_test",
            "--email",
            "ada@example.com",
        ])
        .run()
        .expect_code(1);
    assert!(
        ran.stderr.contains("DRIPPULSE_API_KEY is not set"),
        "{}",
        ran.describe()
    );
    assert!(ran.stderr.contains("--sandbox"), "{}", ran.describe());
}

#[test]
fn enroll_waits_out_rate_limit_then_succeeds() {
    let world = World::with_sandbox(&["--rate-limit", "2"]);
    let csv = fixture("corpus/scenario_batch.csv");
    let summary = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_test",
            "--batch-size",
            "2",
            "--concurrency",
            "4",
        ])
        .arg_path(&csv)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["sent"], 11);
    assert_eq!(summary["failed"], 0);
    assert!(
        summary["requests"].as_u64().unwrap() > 6,
        "some calls should have met 429 and been resent: {summary}"
    );
    let enrollments = world.sandbox().enrollments("wf_test");
    assert_eq!(enrollments.len(), 11);
    assert!(per_email(&enrollments).values().all(|&n| n == 1));
}

#[test]
fn enroll_many_batches_in_flight() {
    let world = World::new();
    let mut csv = String::from("email,first_name\n");
    for i in 0..1000 {
        csv.push_str(&format!("person{i}@example.com,P{i}\n"));
    }
    let path = write_file(world.path("many.csv"), &csv);
    let summary = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_test",
            "--batch-size",
            "50",
            "--concurrency",
            "4",
        ])
        .arg_path(&path)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["sent"], 1000);
    assert_eq!(summary["requests"], 20);

    let enrollments = world.sandbox().enrollments("wf_test");
    assert_eq!(enrollments.len(), 1000);
    assert!(per_email(&enrollments).values().all(|&n| n == 1));
}

#[test]
fn enroll_with_other_key_refused() {
    let world = World::new();
    let csv = example_csv();
    enroll_json(&world, &[csv.to_str().unwrap()]);
    let ran = world
        .cmd()
        .args(["enroll", "--workflow", "wf_test", "--key", "Signup ID"])
        .arg_path(&csv)
        .run()
        .expect_code(1);
    assert!(ran.stderr.contains("keyed by"), "{}", ran.describe());
    assert_eq!(world.sandbox().enrollments("wf_test").len(), 23);
}

#[test]
fn enroll_by_column_key() {
    let world = World::new();
    let csv = write_file(
        world.path("signups.csv"),
        "email,signup_id\nada@example.com,s1\nada@example.com,s2\ngrace@example.com,s1\nalan@example.com,\n",
    );
    let summary = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_test",
            "--key",
            "signup_id",
        ])
        .arg_path(&csv)
        .run()
        .expect_code(0)
        .json();
    // s1 twice: one duplicate; the empty signup id is rejected.
    assert_eq!(summary["sent"], 2);
    assert_eq!(summary["duplicates_in_input"], 1);
    assert_eq!(summary["rejected"], 1);
}

#[test]
fn enroll_unknown_workflow_format_error_is_usage() {
    let world = World::offline();
    let ran = world
        .cmd()
        .args(["enroll", "--workflow", "wf", "--batch-size", "0", "x.csv"])
        .run()
        .expect_code(2);
    assert!(ran.stderr.contains("--batch-size"), "{}", ran.describe());
}

#[test]
fn enroll_missing_file_fails_before_sending() {
    let world = World::new();
    let ran = world
        .cmd()
        .args(["enroll", "--workflow", "wf_test"])
        .arg_path(&example_csv())
        .arg_path(&world.path("missing.csv"))
        .run()
        .expect_code(1);
    assert!(ran.stderr.contains("missing.csv"), "{}", ran.describe());
    assert_eq!(world.sandbox().stats()["requests"], 0);
}

#[test]
fn enroll_quick_start_with_builtin_sandbox() {
    let world = World::offline();
    let run = || {
        world
            .cmd()
            .args([
                "--sandbox",
                "--output",
                "json",
                "enroll",
                "--workflow",
                "wf_demo",
            ])
            .arg_path(&example_csv())
            .run()
            .expect_code(0)
            .json()
    };
    let first = run();
    assert_eq!(first["sent"], 23);
    let second = run();
    assert_eq!(second["sent"], 0);
    assert_eq!(second["already_enrolled"], 23);

    let listed = world
        .cmd()
        .args([
            "--sandbox",
            "--output",
            "json",
            "list",
            "--workflow",
            "wf_demo",
        ])
        .run()
        .expect_code(0)
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 23);
}

#[test]
fn enroll_human_summary_on_stderr_only() {
    let world = World::new();
    let ran = world
        .cmd()
        .args(["enroll", "--workflow", "wf_test"])
        .arg_path(&example_csv())
        .run()
        .expect_code(0);
    assert_eq!(ran.stdout, "", "human mode keeps stdout for data");
    assert!(
        ran.stderr.contains("Enrolled 23 contacts"),
        "{}",
        ran.describe()
    );
    assert!(
        ran.stderr.contains("rejects and duplicates written to"),
        "{}",
        ran.describe()
    );
}

#[test]
fn enroll_splits_batch_on_413() {
    let world = World::with_sandbox(&["--max-batch", "3"]);
    let csv = fixture("corpus/scenario_batch.csv");
    let summary = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_test",
            "--batch-size",
            "10",
        ])
        .arg_path(&csv)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["sent"], 11);
    assert_eq!(summary["failed"], 0);
    let enrollments = world.sandbox().enrollments("wf_test");
    assert_eq!(enrollments.len(), 11);
    assert!(per_email(&enrollments).values().all(|&n| n == 1));
}

/// One corpus file and the counts its expectations give for a dry run.
struct CorpusCase {
    file: &'static str,
    flags: &'static [&'static str],
    read: u64,
    valid: u64,
    rejected: u64,
    duplicates: u64,
    would_send: u64,
    blank: u64,
}

const fn case(file: &'static str, flags: &'static [&'static str], counts: [u64; 6]) -> CorpusCase {
    let [read, valid, rejected, duplicates, would_send, blank] = counts;
    CorpusCase {
        file,
        flags,
        read,
        valid,
        rejected,
        duplicates,
        would_send,
        blank,
    }
}

/// Counts as [read, valid, rejected, duplicates, would send, blank lines].
const CORPUS: &[CorpusCase] = &[
    case("fmt_mailchimp_subscribed.csv", &[], [10, 10, 0, 0, 10, 0]),
    case("fmt_hubspot_export.csv", &[], [10, 9, 1, 0, 9, 0]),
    case("fmt_hubspot_import_template.csv", &[], [5, 5, 0, 0, 5, 0]),
    case("fmt_google_contacts.csv", &[], [8, 7, 1, 0, 7, 0]),
    case("fmt_outlook_com.csv", &[], [6, 5, 1, 0, 5, 0]),
    case("fmt_excel_csv_utf8_bom.csv", &[], [8, 8, 0, 0, 8, 0]),
    case("fmt_google_sheets.csv", &[], [8, 8, 0, 0, 8, 0]),
    case("fmt_generic_contacts.json", &[], [8, 5, 3, 1, 4, 0]),
    case("fmt_mailchimp_api_members.json", &[], [5, 3, 2, 0, 3, 0]),
    case("bug_bom_quoted_header.csv", &[], [5, 5, 0, 0, 5, 0]),
    case("bug_invalid_emails.csv", &[], [30, 8, 22, 0, 8, 0]),
    case("bug_quoted_newlines.csv", &[], [6, 6, 0, 0, 6, 0]),
    case("bug_single_column_emails.csv", &[], [8, 8, 0, 1, 7, 0]),
    case("bug_blank_and_ragged_rows.csv", &[], [6, 4, 2, 0, 4, 5]),
    case("bug_formula_injection.csv", &[], [6, 5, 1, 0, 5, 0]),
    case("bug_very_long_field.csv", &[], [5, 4, 1, 0, 4, 0]),
    case("bug_json_with_bom.json", &[], [5, 5, 0, 0, 5, 0]),
    case("scenario_batch.csv", &[], [12, 12, 0, 1, 11, 0]),
    case("fmt_linkedin_connections.csv", &[], [10, 4, 6, 0, 4, 0]),
    case("fmt_excel_sep_hint.csv", &[], [5, 5, 0, 0, 5, 0]),
    case("fmt_outlook_desktop_cp1252.csv", &[], [6, 5, 1, 0, 5, 0]),
    case(
        "fmt_outlook_desktop_cp1252.csv",
        &["--encoding", "windows-1252"],
        [6, 5, 1, 0, 5, 0],
    ),
    case("fmt_excel_eu_semicolon_cp1252.csv", &[], [8, 8, 0, 0, 8, 0]),
    case(
        "fmt_excel_eu_semicolon_cp1252.csv",
        &["--encoding", "windows-1252"],
        [8, 8, 0, 0, 8, 0],
    ),
    case("bug_latin1_no_bom.csv", &[], [6, 6, 0, 0, 6, 0]),
    case(
        "bug_latin1_no_bom.csv",
        &["--encoding", "cp1252"],
        [6, 6, 0, 0, 6, 0],
    ),
    case("bug_utf16le_tab_unicode_text.csv", &[], [5, 5, 0, 0, 5, 0]),
    case(
        "bug_bom_headerless_first_email.csv",
        &["--no-header", "--email-column", "1"],
        [5, 5, 0, 0, 5, 0],
    ),
    case(
        "bug_plain_email_list_no_header.csv",
        &["--no-header"],
        [6, 6, 0, 0, 6, 0],
    ),
    case(
        "bug_duplicate_header_names.csv",
        &["--email-column", "1"],
        [5, 5, 0, 0, 5, 0],
    ),
    case(
        "bug_case_whitespace_duplicates.csv",
        &[],
        [14, 13, 1, 8, 5, 0],
    ),
];

#[test]
fn enroll_dry_run_corpus_counts() {
    let world = World::new();
    for case in CORPUS {
        let file = case.file;
        let summary = world
            .cmd()
            .args([
                "--output",
                "json",
                "enroll",
                "--workflow",
                "wf_corpus",
                "--dry-run",
            ])
            .args(case.flags)
            .arg_path(&fixture(&format!("corpus/{file}")))
            .run()
            .expect_code(0)
            .json();
        assert_eq!(summary["read"], case.read, "{file}: read");
        assert_eq!(summary["valid"], case.valid, "{file}: valid");
        assert_eq!(summary["rejected"], case.rejected, "{file}: rejected");
        assert_eq!(
            summary["duplicates_in_input"], case.duplicates,
            "{file}: duplicates"
        );
        assert_eq!(summary["would_send"], case.would_send, "{file}: would_send");
        assert_eq!(summary["blank_lines"], case.blank, "{file}: blank lines");
    }
    assert_eq!(world.sandbox().stats()["requests"], 0);
}

#[test]
fn enroll_unreadable_corpus_files_fail_before_sending() {
    let world = World::new();
    // (file, extra flags, text the error must contain)
    let cases: [(&str, &[&str], &str); 10] = [
        ("bug_no_email_column.csv", &[], "line 1: no email column"),
        (
            "bug_duplicate_header_names.csv",
            &[],
            "line 1: columns 1 (Email) and 4 (Email) both look like the email column; choose one with --email-column 1",
        ),
        ("bug_runaway_quote.csv", &[], "line 3: unterminated quoted field"),
        (
            "bug_latin1_no_bom.csv",
            &["--encoding", "utf-8"],
            "line 2: invalid UTF-8",
        ),
        (
            "fmt_outlook_desktop_cp1252.csv",
            &["--encoding", "utf-8"],
            "rerun with --encoding windows-1252",
        ),
        ("bug_mixed_utf8_cp1252.csv", &[], "line 5: invalid UTF-8"),
        (
            "fmt_mailchimp_unsubscribed.csv",
            &[],
            "unsubscribed or was cleaned",
        ),
        ("bug_plain_email_list_no_header.csv", &[], "--no-header"),
        (
            "bug_bom_headerless_first_email.csv",
            &["--email-column", "1"],
            "line 1: the first line contains an address",
        ),
        (
            "fmt_mailchimp_unsubscribed.csv",
            &["--encoding", "utf-8", "--map", "email=1"],
            "Export the subscribed members",
        ),
    ];
    for (file, flags, needle) in cases {
        let ran = world
            .cmd()
            .args(["enroll", "--workflow", "wf_corpus"])
            .args(flags)
            .arg_path(&fixture(&format!("corpus/{file}")))
            .run()
            .expect_code(1);
        assert!(
            ran.stderr.contains(file),
            "{file}: names the file\n{}",
            ran.describe()
        );
        assert!(
            ran.stderr.contains(needle),
            "{file}: {needle}\n{}",
            ran.describe()
        );
    }
    assert_eq!(world.sandbox().stats()["requests"], 0);
    assert!(!world.data_dir().join("ledger.sqlite3").exists());
}

#[test]
fn enroll_api_refusal_rejects_items_and_sends_rest() {
    // The sandbox refuses addresses in the reserved .invalid domain with a
    // 422 naming them; the rest of the batch must still be enrolled.
    let world = World::new();
    let csv = write_file(
        world.path("in.csv"),
        "email\nada@example.com\nghost@example.invalid\ngrace@example.org\nspirit@mail.invalid\nalan@example.com\n",
    );
    let rejects = world.path("rejects.csv");
    let summary = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_test",
            "--rejects",
        ])
        .arg_path(&rejects)
        .arg_path(&csv)
        .run()
        .expect_code(3)
        .json();
    assert_eq!(summary["sent"], 3);
    assert_eq!(summary["failed"], 2);
    assert_eq!(
        summary["requests"], 2,
        "one refused call, one resend of the rest"
    );

    let emails: Vec<String> = world
        .sandbox()
        .enrollments("wf_test")
        .iter()
        .map(|e| e["email"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        emails,
        ["ada@example.com", "grace@example.org", "alan@example.com"]
    );

    let text = std::fs::read_to_string(&rejects).unwrap();
    let refused: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("api_rejected"))
        .collect();
    assert_eq!(refused.len(), 2, "{text}");
    assert!(
        refused[0].contains(",3,") && refused[0].contains("RFC 2606"),
        "{text}"
    );
    assert!(refused[1].contains(",5,"), "{text}");

    // The refused contacts are not sent again unless the data changes; a
    // rerun tries them once more and the server refuses them again.
    let rerun = world
        .cmd()
        .args(["--output", "json", "enroll", "--workflow", "wf_test"])
        .arg_path(&csv)
        .run()
        .expect_code(3)
        .json();
    assert_eq!(rerun["already_enrolled"], 3);
    assert_eq!(world.sandbox().enrollments("wf_test").len(), 3);
}

#[test]
fn enroll_sandbox_ledger_is_separate_from_real() {
    // Trying drippulse with --sandbox must not mark contacts as sent for a
    // real server that shares the data directory.
    let world = World::new();
    world
        .cmd()
        .args(["--sandbox", "enroll", "--workflow", "wf_test"])
        .arg_path(&example_csv())
        .run()
        .expect_code(0);
    let real = enroll_json(&world, &[example_csv().to_str().unwrap()]);
    assert_eq!(real["sent"], 23);
    assert_eq!(real["already_enrolled"], 0);
}

#[test]
fn enroll_other_server_same_ledger_refused() {
    let world = World::new();
    enroll_json(&world, &[example_csv().to_str().unwrap()]);

    let other = crate::harness::SandboxServer::start(&[]);
    let ran = world
        .cmd()
        .env("DRIPPULSE_BASE_URL", &other.url)
        .args(["enroll", "--workflow", "wf_test"])
        .arg_path(&example_csv())
        .run()
        .expect_code(1);
    assert!(
        ran.stderr.contains("separate --data-dir"),
        "{}",
        ran.describe()
    );
    assert!(other.enrollments("wf_test").is_empty());
}

#[test]
fn enroll_key_column_name_matches_case_insensitively() {
    let world = World::new();
    let csv = example_csv();
    let first = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_test",
            "--key",
            "Signup ID",
        ])
        .arg_path(&csv)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(
        first["sent"], 24,
        "one address under two signup ids is two contacts"
    );
    let second = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_test",
            "--key",
            "signup id",
        ])
        .arg_path(&csv)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(second["already_enrolled"], 24);
}

#[test]
fn enroll_keeps_big_json_integers_exact() {
    let world = World::new();
    let input = r#"[{"email":"a@example.com","lead_ref":100000000000000000001},
                    {"email":"b@example.com","lead_ref":100000000000000000002}]"#;
    let summary = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_test",
            "--format",
            "json",
            "--key",
            "lead_ref",
            "-",
        ])
        .stdin(input)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["sent"], 2, "distinct ids must not merge: {summary}");
    assert_eq!(summary["duplicates_in_input"], 0);
}

#[test]
fn enroll_usage_errors_exit_2() {
    let world = World::offline();
    let example = example_csv();
    let example = example.to_str().unwrap();
    let cases: [&[&str]; 9] = [
        &["enroll", "-w", "wf", "--email", "a@example.com", example],
        &["enroll", "-w", "wf", "--map", "nofield", example],
        &["enroll", "-w", "wf", "--map", "phone=Phone", example],
        &["enroll", "-w", "wf", "--delimiter", ";;", example],
        &["enroll", "-w", "wf", "--key", "", example],
        &[
            "enroll",
            "-w",
            "wf",
            "--email",
            "a@example.com",
            "--field",
            "noequals",
        ],
        &["enroll", "-w", "wf", "--email", "not-an-address"],
        &["enroll", "-w", "", example],
        &["enroll", "-w", "..", example],
    ];
    for args in cases {
        let ran = world.cmd().args(args).run();
        assert_eq!(ran.code, 2, "{args:?}\n{}", ran.describe());
    }
}

#[test]
fn enroll_rejects_file_cannot_be_an_input() {
    let world = World::new();
    let csv = write_file(world.path("in.csv"), "email\nbad\nada@example.com\n");
    let ran = world
        .cmd()
        .args(["enroll", "--workflow", "wf_test", "--rejects"])
        .arg_path(&csv)
        .arg_path(&csv)
        .run()
        .expect_code(2);
    assert!(
        ran.stderr.contains("also an input file"),
        "{}",
        ran.describe()
    );
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "email\nbad\nada@example.com\n"
    );
}

#[test]
fn enroll_unreachable_server_stops_with_reason() {
    let world = World::offline();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let ran = world
        .cmd()
        .env("DRIPPULSE_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("DRIPPULSE_API_KEY", crate::harness::TEST_KEY)
        .args(["--output", "json", "enroll", "--workflow", "wf_test"])
        .arg_path(&example_csv())
        .run()
        .expect_code(1);
    // The first step against a new workflow is its listing, so that is
    // where the connection error surfaces.
    assert!(
        ran.stderr.contains("failed to list workflow"),
        "{}",
        ran.describe()
    );
    assert!(
        ran.stderr.contains("Connect"),
        "names the cause: {}",
        ran.describe()
    );
    assert_eq!(ran.stdout, "", "no summary for a run that never started");
}

#[test]
fn enroll_removes_spool_of_dead_run() {
    // A run killed mid-way leaves its spool of contacts behind. It contains
    // personal data, so the next run removes it.
    let world = World::new();
    let tmp = world.data_dir().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let stale = tmp.join("spool-4000000-deadbeef.ndjson");
    std::fs::write(&stale, "{}\n").unwrap();
    enroll_json(&world, &[example_csv().to_str().unwrap()]);
    assert!(!stale.exists(), "stale spool still present");
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(
        left.is_empty(),
        "the run's own spool is removed too: {left:?}"
    );
}

#[test]
fn enroll_counts_non_data_lines() {
    let world = World::new();
    for (file, expected) in [
        ("fmt_linkedin_connections.csv", 3),
        ("fmt_excel_sep_hint.csv", 1),
    ] {
        let summary = world
            .cmd()
            .args([
                "--output",
                "json",
                "enroll",
                "--workflow",
                "wf_nd",
                "--dry-run",
            ])
            .arg_path(&fixture(&format!("corpus/{file}")))
            .run()
            .expect_code(0)
            .json();
        assert_eq!(summary["non_data_lines"], expected, "{file}: {summary}");
    }
}

/// Runs a dry run of a file from `tests/fixtures/unseen` (layouts written
/// by someone other than the reader's authors) and returns the summary.
fn dry_run_unseen(world: &World, file: &str, extra: &[&str]) -> crate::harness::Ran {
    world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_unseen",
            "--dry-run",
        ])
        .args(extra)
        .arg_path(&fixture(&format!("unseen/{file}")))
        .run()
}

#[test]
fn enroll_unseen_layouts_read_correctly() {
    let world = World::new();
    // (file, valid, rejected, would send)
    let cases = [
        ("es_correo.csv", 2, 0, 2),
        ("fr_courriel.csv", 2, 0, 2),
        ("generic_data_email_address.json", 2, 0, 2),
        ("generic_status_unsub.json", 1, 1, 1),
        ("ol_de_cp1252.csv", 3, 0, 3),
        ("gc_empty_first_item.csv", 2, 0, 2),
        ("de_header_comma_tie.csv", 2, 0, 2),
        ("u16le_nobom.csv", 1, 0, 1),
    ];
    for (file, valid, rejected, would_send) in cases {
        let summary = dry_run_unseen(&world, file, &[]).expect_code(0).json();
        assert_eq!(summary["valid"], valid, "{file}: {summary}");
        assert_eq!(summary["rejected"], rejected, "{file}: {summary}");
        assert_eq!(summary["would_send"], would_send, "{file}: {summary}");
    }
}

#[test]
fn enroll_unseen_consent_files_refused() {
    // Unsubscribed people must never be enrolled, whatever the layout or
    // flag: joined exports, a header read as data, a short row, JSON.
    let world = World::new();
    let cases: [(&str, &[&str], &str); 6] = [
        ("mc_joined_sub_unsub.csv", &[], "another header row"),
        ("hs_joined_reordered.csv", &[], "another header row"),
        ("mc_unsub_plain.csv", &["--no-header"], "drop --no-header"),
        ("mc_unsub_plain.csv", &[], "unsubscribed"),
        ("mc_unsub_short_row.csv", &[], "unsubscribed"),
        ("mc_unsub_as_json.json", &[], "unsubscribed"),
    ];
    for (file, flags, needle) in cases {
        let ran = dry_run_unseen(&world, file, flags).expect_code(1);
        assert!(
            ran.stderr.contains(needle),
            "{file} {flags:?}: {}",
            ran.describe()
        );
    }
    assert_eq!(world.sandbox().stats()["requests"], 0);
}

#[test]
fn enroll_remembers_batch_limit_after_413() {
    // The server takes at most 30 contacts per call. The first batch of
    // 100 learns that by splitting. The later ones are split before they
    // are sent, so each needs 4 calls instead of 7.
    let world = World::with_sandbox(&["--max-batch", "30"]);
    let mut csv = String::from("email\n");
    for i in 0..300 {
        csv.push_str(&format!("cap{i}@example.com\n"));
    }
    let path = write_file(world.path("cap.csv"), &csv);
    let summary = world
        .cmd()
        .args([
            "--output",
            "json",
            "enroll",
            "--workflow",
            "wf_test",
            "--batch-size",
            "100",
            "--concurrency",
            "1",
        ])
        .arg_path(&path)
        .run()
        .expect_code(0)
        .json();
    assert_eq!(summary["sent"], 300);
    assert_eq!(summary["requests"], 6 + 4 + 4, "{summary}");
    let enrollments = world.sandbox().enrollments("wf_test");
    assert_eq!(enrollments.len(), 300);
    assert!(per_email(&enrollments).values().all(|&n| n == 1));
}
