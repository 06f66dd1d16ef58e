//! Rules that apply to a CSV row before its contact fields are read:
//! repeated header rows and report footers, which are skipped, and NUL
//! bytes and oversized fields, which reject the row.
//!
//! Other control characters and zero-width characters in names and custom
//! fields are kept and sent as written: values are data, and stripping
//! them would change what the user exported. Only the email address has
//! its own rule, which rejects them (see [`super::email`]). NUL is the
//! exception because it is never text: it ends strings in C libraries and
//! databases, so the value would arrive cut short.

use super::header::normalize_header_name;
use super::{NonDataKind, RejectReason};

/// Largest field accepted, in bytes of UTF-8: 128 KiB. It keeps every real
/// value (the corpus's longest is a 70,000-character note) and bounds what
/// one cell can make the contact object weigh. The CSV parser still keeps a
/// whole record in memory while reading it.
pub const MAX_FIELD_BYTES: usize = 128 * 1024;

/// Starts of the footer lines that report exports append, compared
/// case-insensitively: Salesforce's `Grand Totals (N records)`,
/// `Confidential Information - Do Not Distribute` and `Copyright (c) ...`.
const FOOTER_PREFIXES: &[&str] = &[
    "grand totals (",
    "confidential information",
    "copyright ",
    "copyright(",
    "copyright\u{a9}",
    "\u{a9} ",
];

/// Returns the kind of non-data line `cells` form, if any: a copy of the
/// header, or a footer (one non-empty cell that starts like a known footer
/// and contains no address).
pub fn non_data_kind(cells: &[String], header: Option<&[String]>) -> Option<NonDataKind> {
    if let Some(header) = header {
        let same_as_header = cells.len() >= header.len()
            && header.iter().enumerate().all(|(index, name)| {
                cells
                    .get(index)
                    .is_some_and(|cell| normalize_header_name(cell) == normalize_header_name(name))
            })
            && cells
                .get(header.len()..)
                .unwrap_or_default()
                .iter()
                .all(|cell| cell.trim().is_empty());
        if same_as_header {
            return Some(NonDataKind::RepeatedHeader);
        }
    }

    let mut filled = cells.iter().filter(|cell| !cell.trim().is_empty());
    let only = filled.next()?;
    if filled.next().is_some() || only.contains('@') {
        return None;
    }
    let lowered = only.trim().to_lowercase();
    FOOTER_PREFIXES
        .iter()
        .any(|prefix| lowered.starts_with(prefix))
        .then_some(NonDataKind::Footer)
}

/// Returns whether a row is a header row of another layout: it names an
/// email column, has no address in it, and is not a copy of `header`
/// (which [`non_data_kind`] skips as a repeated header).
pub fn is_other_header(cells: &[String], header: &[String]) -> bool {
    let names_email = cells.iter().any(|cell| super::header::names_email(cell));
    names_email
        && !cells.iter().any(|cell| cell.contains('@'))
        && non_data_kind(cells, Some(header)) != Some(NonDataKind::RepeatedHeader)
}

/// Returns the reason and message that reject a row for a field's
/// content: a NUL byte, or more than [`MAX_FIELD_BYTES`] bytes. `header`
/// names the columns in the message.
pub fn field_problem(cells: &[String], header: &[String]) -> Option<(RejectReason, String)> {
    let column_name = |index: usize| {
        header
            .get(index)
            .map(|name| format!(" ({})", name.trim()))
            .unwrap_or_default()
    };
    for (index, cell) in cells.iter().enumerate() {
        if cell.contains('\0') {
            return Some((
                RejectReason::InvalidCharacter,
                format!(
                    "column {}{} contains a NUL byte (U+0000), which is never text; remove it \
                     from the cell",
                    index + 1,
                    column_name(index)
                ),
            ));
        }
        if cell.len() > MAX_FIELD_BYTES {
            return Some((
                RejectReason::FieldTooLong,
                format!(
                    "column {}{} is {} bytes long, more than the maximum of {MAX_FIELD_BYTES}; \
                     shorten the value",
                    index + 1,
                    column_name(index),
                    cell.len()
                ),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(values: &[&str]) -> Vec<String> {
        values.iter().map(|value| value.to_string()).collect()
    }

    #[test]
    fn repeated_header_is_found_after_normalisation() {
        let header = cells(&["Email", "First Name"]);
        assert_eq!(
            non_data_kind(&cells(&["\u{feff}email", " FIRST NAME", ""]), Some(&header)),
            Some(NonDataKind::RepeatedHeader)
        );
        assert_eq!(
            non_data_kind(&cells(&["email", "Ada"]), Some(&header)),
            None
        );
    }

    #[test]
    fn salesforce_footers_are_found() {
        for footer in [
            "Grand Totals (15 records)",
            "Confidential Information - Do Not Distribute",
            "Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved.",
            "\u{a9} 2024 Example Ltd",
        ] {
            assert_eq!(
                non_data_kind(&cells(&[footer, "", ""]), None),
                Some(NonDataKind::Footer),
                "{footer}"
            );
        }
        assert_eq!(
            non_data_kind(&cells(&["Copyright Ltd", "a@example.com"]), None),
            None
        );
        assert_eq!(non_data_kind(&cells(&["Grandma", ""]), None), None);
    }

    #[test]
    fn nul_and_long_fields_are_problems() {
        let header = cells(&["email", "notes"]);
        let (reason, message) =
            field_problem(&cells(&["a@example.com", "x\0y"]), &header).expect("NUL");
        assert_eq!(reason, RejectReason::InvalidCharacter);
        assert!(message.contains("column 2 (notes)"), "{message}");

        let long = "n".repeat(MAX_FIELD_BYTES + 1);
        let (reason, message) =
            field_problem(&cells(&["a@example.com", &long]), &header).expect("long");
        assert_eq!(reason, RejectReason::FieldTooLong);
        assert!(message.contains("column 2 (notes)"), "{message}");

        let fits = "n".repeat(MAX_FIELD_BYTES);
        assert_eq!(
            field_problem(&cells(&["a@example.com", &fits]), &header),
            None
        );
    }
}
