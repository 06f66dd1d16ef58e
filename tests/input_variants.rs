//! Reads files of the corpus's layouts that differ from the corpus (other
//! column orders, extra columns, CRLF against LF, other preamble text, other
//! encodings), so the header search, the decoding and the skipped-line
//! rules are checked beyond the exact files they were built from.

use std::path::PathBuf;

use drippulse::input::{
    parse_map_file, read_source, Contact, EncodingChoice, NonDataKind, ReadOptions, Record, Reject,
    RejectReason, Source,
};
use serde_json::Value;

#[derive(Default)]
struct Outcome {
    contacts: Vec<(u64, Contact)>,
    rejects: Vec<Reject>,
    non_data: Vec<(u64, NonDataKind)>,
    warnings: Vec<String>,
    error: Option<String>,
}

impl Outcome {
    fn emails(&self) -> Vec<&str> {
        self.contacts
            .iter()
            .map(|(_, contact)| contact.email.as_str())
            .collect()
    }

    fn field(&self, email: &str, field: &str) -> Option<&Value> {
        self.contacts
            .iter()
            .find(|(_, contact)| contact.email == email)
            .and_then(|(_, contact)| contact.fields.get(field))
    }
}

fn variant(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/variants")
        .join(name)
}

fn read_with(name: &str, options: &ReadOptions) -> Outcome {
    let mut outcome = Outcome::default();
    let result = read_source(&Source::File(variant(name)), options, &mut |record| {
        match record {
            Record::Contact(location, contact) => outcome.contacts.push((location.line, contact)),
            Record::Reject(reject) => outcome.rejects.push(reject),
            Record::NonData(location, kind) => outcome.non_data.push((location.line, kind)),
            Record::Warning(message) => outcome.warnings.push(message),
            Record::Blank(_) | Record::Header(_) => {}
        }
        Ok(())
    });
    outcome.error = result.err().map(|error| format!("{error:#}"));
    outcome
}

fn read(name: &str) -> Outcome {
    let outcome = read_with(name, &ReadOptions::default());
    assert_eq!(outcome.error, None, "{name}");
    outcome
}

#[test]
fn linkedin_variant_with_other_preamble_and_order() {
    let outcome = read("linkedin_reordered_crlf.csv");
    assert_eq!(
        outcome.emails(),
        vec!["ada@example.com", "alan@example.org"]
    );
    let preamble: Vec<u64> = outcome.non_data.iter().map(|(line, _)| *line).collect();
    assert_eq!(preamble, vec![1, 2, 3, 4]);
    assert_eq!(
        outcome.field("ada@example.com", "company_name"),
        Some(&Value::from("Example Ltd"))
    );
    let missing = outcome.rejects.first().expect("a reject");
    assert_eq!(missing.reason, RejectReason::MissingEmail);
    assert_eq!(missing.location.line, 7);
}

#[test]
fn numbers_table_name_and_german_headers() {
    let outcome = read("numbers_table_german.csv");
    assert_eq!(
        outcome.emails(),
        vec!["ada@example.com", "grace@example.org"]
    );
    assert_eq!(
        outcome.non_data,
        vec![(1, NonDataKind::Preamble), (2, NonDataKind::Preamble)]
    );
    assert_eq!(
        outcome.field("ada@example.com", "first_name"),
        Some(&Value::from("Ada"))
    );
    assert_eq!(
        outcome.field("ada@example.com", "company_name"),
        Some(&Value::from("Beispiel; GmbH"))
    );
    assert_eq!(
        outcome.field("ada@example.com", "Bemerkung"),
        Some(&Value::from("1.234,50"))
    );
}

#[test]
fn salesforce_footer_lines_are_skipped() {
    let outcome = read("salesforce_report_footer.csv");
    assert_eq!(
        outcome.emails(),
        vec!["ada@example.com", "grace@example.org"]
    );
    assert!(outcome.rejects.is_empty(), "{:?}", outcome.rejects);
    assert_eq!(
        outcome.non_data,
        vec![
            (5, NonDataKind::Footer),
            (7, NonDataKind::Footer),
            (8, NonDataKind::Footer)
        ]
    );
}

#[test]
fn concatenated_exports_skip_bom_and_headers() {
    let outcome = read("concatenated_exports.csv");
    assert_eq!(
        outcome.emails(),
        vec!["ada@example.com", "grace@example.org", "alan@example.com"]
    );
    assert_eq!(
        outcome.non_data,
        vec![
            (3, NonDataKind::RepeatedHeader),
            (5, NonDataKind::RepeatedHeader)
        ]
    );
    let warnings = outcome.warnings.join("\n");
    assert!(
        warnings.contains("concatenated_exports.csv, line 3: removed a byte-order mark"),
        "{warnings}"
    );
}

#[test]
fn sep_hint_with_pipe_and_email_second() {
    let outcome = read("sep_hint_pipe.csv");
    assert_eq!(
        outcome.emails(),
        vec!["ada@example.com", "grace@example.org"]
    );
    assert_eq!(outcome.non_data, vec![(1, NonDataKind::SepHint)]);
}

#[test]
fn utf16_big_endian_is_decoded() {
    let outcome = read("utf16be_tab.csv");
    assert_eq!(
        outcome.field("zoe@example.org", "first_name"),
        Some(&Value::from("Zo\u{eb}"))
    );
    // The address itself is not ASCII, so it is rejected, not mangled.
    let reject = outcome.rejects.first().expect("a reject");
    assert_eq!(reject.reason, RejectReason::InvalidEmail);
    assert!(reject.message.contains("j\u{fc}rgen"), "{}", reject.message);
}

#[test]
fn windows_1252_with_crlf_and_semicolons() {
    let outcome = read("cp1252_crlf_semicolon.csv");
    assert_eq!(
        outcome.field("ada@example.com", "last_name"),
        Some(&Value::from("O\u{2019}Example"))
    );
    assert_eq!(
        outcome.field("grace@example.org", "first_name"),
        Some(&Value::from("\u{20ac}uro"))
    );
    assert_eq!(outcome.warnings.len(), 1, "{:?}", outcome.warnings);
}

#[test]
fn windows_1252_file_fails_with_utf8_forced() {
    let options = ReadOptions {
        encoding: EncodingChoice::from_label("utf-8").expect("label"),
        ..ReadOptions::default()
    };
    let outcome = read_with("cp1252_crlf_semicolon.csv", &options);
    let error = outcome.error.unwrap_or_default();
    assert!(
        error.contains(
            "cp1252_crlf_semicolon.csv, line 2: invalid UTF-8 at byte offset 47 (byte 0xE9)"
        ),
        "{error}"
    );
}

#[test]
fn hubspot_api_results_use_properties() {
    let outcome = read("hubspot_api_results.json");
    assert_eq!(
        outcome.emails(),
        vec!["ada@example.com", "alan@example.org"]
    );
    assert_eq!(
        outcome.field("ada@example.com", "first_name"),
        Some(&Value::from("Ada"))
    );
    assert_eq!(
        outcome.field("ada@example.com", "company_name"),
        Some(&Value::from("Example Analytics"))
    );
    assert_eq!(
        outcome.field("alan@example.org", "lifecyclestage"),
        Some(&Value::from("lead"))
    );
    let missing = outcome.rejects.first().expect("a reject");
    assert_eq!(missing.reason, RejectReason::MissingEmail);
}

#[test]
fn data_wrapper_and_header_alias_keys() {
    let outcome = read("contacts_wrapped.json");
    assert_eq!(
        outcome.emails(),
        vec!["ada@example.com", "grace@example.org"]
    );
    assert_eq!(
        outcome.field("ada@example.com", "first_name"),
        Some(&Value::from("Ada"))
    );
}

#[test]
fn all_unsubscribed_json_is_refused() {
    let outcome = read_with("mailchimp_all_unsubscribed.json", &ReadOptions::default());
    let error = outcome.error.unwrap_or_default();
    assert!(
        error.contains("mailchimp_all_unsubscribed.json: every item (2)"),
        "{error}"
    );
    assert!(outcome.contacts.is_empty());
}

#[test]
fn cleaned_row_is_rejected_and_rest_kept() {
    let outcome = read("mailchimp_cleaned_mixed.csv");
    assert_eq!(outcome.emails(), vec!["ada@example.com"]);
    let reject = outcome.rejects.first().expect("a reject");
    assert_eq!(reject.reason, RejectReason::NotSubscribed);
    assert!(reject.message.contains("CLEAN_TIME"), "{}", reject.message);
    // The consent columns are data of the kept row, not an email column.
    assert_eq!(outcome.field("ada@example.com", "CLEAN_TIME"), None);
}

#[test]
fn mapping_file_wins_over_aliases() {
    let text = std::fs::read_to_string(variant("work_email.map")).expect("map file");
    let options = ReadOptions {
        column_map: parse_map_file(&text).expect("parse"),
        ..ReadOptions::default()
    };
    let outcome = read_with("work_email.csv", &options);
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.emails(), vec!["ada@example.com"]);
    assert_eq!(
        outcome.field("ada@example.com", "first_name"),
        Some(&Value::from("Ada"))
    );
    assert_eq!(
        outcome.field("ada@example.com", "company_name"),
        Some(&Value::from("Example Ltd"))
    );
    assert_eq!(
        outcome.field("ada@example.com", "Email"),
        Some(&Value::from("ada.home@example.org"))
    );
}
