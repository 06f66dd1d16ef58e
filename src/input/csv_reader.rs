//! Reading contacts from CSV.
//!
//! [`super::layout`] finds the delimiter and the header row (skipping a
//! `sep=` line and preamble), the csv crate tokenises records with
//! `flexible(true)` so ragged rows reach the row rules here, and
//! [`super::line_tracker`] supplies physical line numbers and the empty
//! lines the tokenizer skips. The bytes arrive as UTF-8 (see
//! [`super::decode`]); when they were not transcoded, invalid bytes stop the
//! read with their line and offset instead of being replaced with U+FFFD.

use std::io::{self, Cursor, Read};

use csv::{ByteRecord, ReaderBuilder};

use super::bom_filter::{describe_removed, RemovedBoms};
use super::contact::{build_record, EmailValue, RowValues};
use super::decode::decode_failure;
use super::email::trim_email;
use super::header::{duplicate_names, map_columns, ColumnMapping};
use super::layout::find_layout;
use super::line_tracker::{find_bare_quote, find_unclosed_quote, LineTracker, SpanTap};
use super::row_rules::{field_problem, is_other_header, non_data_kind};
use super::source_bytes::OpenedSource;
use super::{InputError, Location, ReadOptions, Record, Reject, RejectReason};

/// Separator of several values in one Google Contacts cell.
const GOOGLE_MULTI_VALUE_SEPARATOR: &str = " ::: ";

/// Lines listed in a warning about rows; more are counted.
const MAX_LISTED_LINES: usize = 5;

/// Header and column mapping of a CSV source, for the summary.
pub struct CsvSummary {
    pub header: Vec<String>,
    pub mapping: Vec<(String, String)>,
}

/// Start of a span of bytes under check, used to turn span offsets into
/// file offsets and line numbers in messages.
struct SpanOrigin<'a> {
    name: &'a str,
    /// File offset of the span's first byte (BOM included).
    file_offset: u64,
    /// Line state at the span's first byte.
    tracker: LineTracker,
}

/// Row facts gathered while reading, for the checks and warnings at the end.
#[derive(Default)]
struct RowTally {
    /// Rows that became a contact or a reject.
    data_rows: u64,
    not_subscribed: u64,
    /// Lines of rows with extra fields that were all empty.
    extra_empty_fields: Vec<u64>,
    /// Lines of rows with a quote inside an unquoted field.
    bare_quotes: Vec<u64>,
}

/// Reads a CSV source, calling `sink` for every line.
pub fn read_csv(
    mut opened: OpenedSource,
    name: &str,
    options: &ReadOptions,
    removed_boms: &RemovedBoms,
    sink: &mut dyn FnMut(Record) -> anyhow::Result<()>,
) -> anyhow::Result<CsvSummary> {
    let io_error = |error: io::Error| match decode_failure(&error) {
        Some(message) => InputError::Invalid(message),
        None => InputError::Io {
            source_name: name.to_string(),
            error,
        },
    };

    let layout = find_layout(&mut opened.reader, options)
        .map_err(io_error)?
        .map_err(|(line, message)| {
            InputError::Invalid(format!("{name}, line {line}: {message}"))
        })?;
    for (line, kind) in &layout.skipped {
        sink(Record::NonData(location(name, *line), *kind))?;
    }
    let delimiter = layout.delimiter;
    let check_encoding = opened.transcoded_from.is_none();
    let input = Cursor::new(layout.rest).chain(opened.reader);
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(SpanTap::new(input));

    let mut tracker = layout.tracker;
    let mut consumed: u64 = layout.skipped_bytes;
    let mut record = ByteRecord::new();
    let mut header: Option<(Vec<String>, ColumnMapping)> = None;
    let mut tally = RowTally::default();

    loop {
        let more = reader
            .read_byte_record(&mut record)
            .map_err(|error| csv_error(name, tracker.line(), error))?;
        let end = reader.position().byte();
        let mut span = reader.get_mut().take_until(end);
        if !more {
            span.extend(reader.get_mut().take_all());
        }
        let origin = SpanOrigin {
            name,
            file_offset: consumed + opened.bom_len,
            tracker: tracker.clone(),
        };
        consumed += span.len() as u64;
        if check_encoding {
            check_utf8(&span, origin)?;
        }

        let (empty_lines, record_start) = tracker.skip_empty_lines(&span);
        for line in empty_lines {
            sink(Record::Blank(location(name, line)))?;
        }
        let removed: Vec<u64> = removed_boms.borrow_mut().drain(..).collect();
        for line in removed {
            sink(Record::Warning(describe_removed(name, line)))?;
        }
        if !more {
            break;
        }

        let line = tracker.line();
        let body = span.get(record_start..).unwrap_or_default();
        if let Some(open) = find_unclosed_quote(body, delimiter) {
            let mut at_quote = tracker.clone();
            at_quote.advance(body.get(..open.offset).unwrap_or_default());
            let column_name = header
                .as_ref()
                .and_then(|(names, _)| names.get(open.field.checked_sub(1)?))
                .map(|name| format!(" ({})", name.trim()))
                .unwrap_or_default();
            return Err(InputError::Invalid(format!(
                "{name}, line {}: unterminated quoted field starting in column {}{column_name}; \
                 the closing quote is missing, so the rest of the file would be read as one \
                 value. Add the closing quote or remove the stray one",
                at_quote.line(),
                open.field,
            ))
            .into());
        }
        if find_bare_quote(body, delimiter).is_some() {
            tally.bare_quotes.push(line);
        }
        tracker.advance(body);

        let cells = decode_cells(&record, name, line)?;
        if header.is_none() {
            let names = if options.no_header {
                (1..=cells.len())
                    .map(|number| format!("column {number}"))
                    .collect()
            } else {
                cells.clone()
            };
            let mapping = map_columns(&names, options).map_err(|message| {
                InputError::Invalid(format!("{name}, line {line}: {message}"))
            })?;
            sink(Record::Header(names.clone()))?;
            if !options.no_header {
                for duplicate in duplicate_names(&names) {
                    sink(Record::Warning(format!(
                        "{name}, line {line}: the column name {duplicate} appears more than \
                         once; where both are filled in, the first column's value is sent"
                    )))?;
                }
            }
            header = Some((names, mapping));
            if !options.no_header {
                continue;
            }
        }
        if let Some((names, mapping)) = &header {
            let context = RowContext {
                name,
                line,
                header: names,
                mapping,
                options,
                delimiter,
            };
            if !options.no_header && is_other_header(&cells, names) {
                return Err(InputError::Invalid(format!(
                    "{name}, line {line}: this line looks like another header row ({}) with \
                     other columns than the header's; the file looks like several exports \
                     joined together, and its rows would land in the wrong columns. Split it \
                     into one file per export",
                    cells
                        .iter()
                        .map(|c| c.trim())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .into());
            }
            let row = classify_row(&context, cells, &mut tally);
            sink(row)?;
        }
    }

    finish(name, header, tally, sink)
}

/// Emits the warnings gathered over the rows and checks the consent rule
/// for the file as a whole.
fn finish(
    name: &str,
    header: Option<(Vec<String>, ColumnMapping)>,
    tally: RowTally,
    sink: &mut dyn FnMut(Record) -> anyhow::Result<()>,
) -> anyhow::Result<CsvSummary> {
    let Some((names, mapping)) = header else {
        return Err(InputError::Invalid(format!(
            "{name}, line 1: the file is empty; expected a header row that names an email column"
        ))
        .into());
    };

    if !tally.bare_quotes.is_empty() {
        sink(Record::Warning(format!(
            "{name}: a double quote inside an unquoted field was kept as part of the value \
             ({}); quote the whole field if that is wrong",
            describe_lines(&tally.bare_quotes)
        )))?;
    }
    if !tally.extra_empty_fields.is_empty() {
        sink(Record::Warning(format!(
            "{name}: empty fields beyond the header's columns were ignored ({})",
            describe_lines(&tally.extra_empty_fields)
        )))?;
    }

    if tally.data_rows > 0 && tally.not_subscribed == tally.data_rows {
        let columns: Vec<&str> = mapping
            .consent_withdrawn
            .iter()
            .filter_map(|&column| names.get(column).map(|name| name.trim()))
            .collect();
        return Err(InputError::Invalid(format!(
            "{name}: every row ({}) is a contact who unsubscribed or was cleaned ({} filled \
             in), so none may be enrolled; this is a Mailchimp export of unsubscribed or \
             cleaned members. Export the subscribed members instead",
            tally.data_rows,
            columns.join(" or "),
        ))
        .into());
    }

    Ok(CsvSummary {
        mapping: mapping.describe(&names),
        header: names,
    })
}

/// Describes line numbers for a warning: "line 8" or "lines 3, 8 and 4
/// more".
fn describe_lines(lines: &[u64]) -> String {
    let listed: Vec<String> = lines
        .iter()
        .take(MAX_LISTED_LINES)
        .map(u64::to_string)
        .collect();
    let more = lines.len().saturating_sub(MAX_LISTED_LINES);
    let noun = if lines.len() == 1 { "line" } else { "lines" };
    if more > 0 {
        format!("{noun} {} and {more} more", listed.join(", "))
    } else {
        format!("{noun} {}", listed.join(", "))
    }
}

/// Context of one row for the row rules: its position, the header and the
/// mapping.
struct RowContext<'a> {
    name: &'a str,
    line: u64,
    header: &'a [String],
    mapping: &'a ColumnMapping,
    options: &'a ReadOptions,
    delimiter: u8,
}

/// Applies the row rules to one data record: blank and non-data lines,
/// field content and counts, consent, then the contact rules.
fn classify_row(context: &RowContext<'_>, cells: Vec<String>, tally: &mut RowTally) -> Record {
    let RowContext {
        name,
        line,
        header,
        mapping,
        options,
        delimiter,
    } = *context;
    if cells.iter().all(|cell| cell.trim().is_empty()) {
        return Record::Blank(location(name, line));
    }
    let named_header = (!options.no_header).then_some(header);
    if let Some(kind) = non_data_kind(&cells, named_header) {
        return Record::NonData(location(name, line), kind);
    }

    tally.data_rows += 1;
    let reject = |reason: RejectReason, message: String, cells: Vec<String>| {
        Record::Reject(Reject {
            location: location(name, line),
            reason,
            message,
            cells,
        })
    };
    if let Some((reason, message)) = field_problem(&cells, header) {
        return reject(reason, message, cells);
    }

    let extra = cells.get(header.len()..).unwrap_or_default();
    if extra.iter().any(|cell| !cell.trim().is_empty()) {
        let message = format!(
            "the row has {} fields but the header has {} columns; quote values that \
             contain {} or remove the extra fields",
            cells.len(),
            header.len(),
            describe_delimiter(delimiter),
        );
        return reject(RejectReason::FieldCountMismatch, message, cells);
    }
    if !extra.is_empty() {
        tally.extra_empty_fields.push(line);
    }

    // A row that ends before a consent column cannot show that the
    // contact is still subscribed, so it is not enrolled either.
    if let Some(&column) = mapping
        .consent_withdrawn
        .iter()
        .find(|&&column| column >= cells.len())
    {
        tally.not_subscribed += 1;
        let column = header.get(column).map(|n| n.trim()).unwrap_or("");
        let message = format!(
            "the row ends before the {column} column, so it does not show that the contact \
             is still subscribed; it is never enrolled"
        );
        return reject(RejectReason::NotSubscribed, message, cells);
    }
    let withdrawn = mapping.consent_withdrawn.iter().find_map(|&column| {
        let value = cells.get(column)?.trim();
        (!value.is_empty()).then(|| (header.get(column).map(|n| n.trim()).unwrap_or(""), value))
    });
    if let Some((column, value)) = withdrawn {
        tally.not_subscribed += 1;
        let message = format!(
            "{column} is {value:?}: the contact unsubscribed or was cleaned, so it is never \
             enrolled"
        );
        return reject(RejectReason::NotSubscribed, message, cells);
    }

    let cell = |column: usize| cells.get(column).map(String::as_str).unwrap_or("");
    let email = mapping
        .email_columns
        .iter()
        .map(|&column| cell(column))
        .find(|value| !trim_email(value).is_empty())
        .map(|value| {
            let first = value
                .split(GOOGLE_MULTI_VALUE_SEPARATOR.trim())
                .map(str::trim)
                .find(|item| !item.is_empty())
                .unwrap_or(value);
            EmailValue::Text(first.to_string())
        })
        .unwrap_or(EmailValue::Absent);

    let standard = mapping
        .standard
        .iter()
        .filter_map(|&(field, column)| {
            let value = cell(column).trim();
            (!value.is_empty()).then(|| (field, value.into()))
        })
        .collect();
    let custom = mapping
        .custom
        .iter()
        .filter_map(|&column| {
            let value = cell(column);
            let name = header.get(column)?;
            (!value.trim().is_empty()).then(|| (name.clone(), value.into()))
        })
        .collect();
    let key_value = mapping.key_column.map(|column| cell(column).to_string());

    let row = RowValues {
        email,
        standard,
        custom,
        key_value,
    };
    build_record(location(name, line), row, &options.key, cells)
}

/// Fails on the first invalid UTF-8 byte in `span`, naming its line and
/// file offset.
fn check_utf8(span: &[u8], origin: SpanOrigin<'_>) -> Result<(), InputError> {
    let Err(error) = std::str::from_utf8(span) else {
        return Ok(());
    };
    let offset = error.valid_up_to();
    let mut tracker = origin.tracker;
    tracker.advance(span.get(..offset).unwrap_or_default());
    let byte = span
        .get(offset)
        .map(|byte| format!(" (byte 0x{byte:02X})"))
        .unwrap_or_default();
    Err(InputError::Invalid(format!(
        "{}, line {}: invalid UTF-8 at byte offset {}{byte}; if the file is in another \
         encoding, rerun with --encoding windows-1252 (or the file's encoding), otherwise \
         re-save it as \"CSV UTF-8\"",
        origin.name,
        tracker.line(),
        origin.file_offset + offset as u64,
    )))
}

/// Converts the fields of a record whose bytes were already checked as
/// UTF-8.
fn decode_cells(record: &ByteRecord, name: &str, line: u64) -> Result<Vec<String>, InputError> {
    record
        .iter()
        .map(|field| {
            String::from_utf8(field.to_vec()).map_err(|_| {
                InputError::Invalid(format!(
                    "{name}, line {line}: invalid UTF-8; re-save the file as \"CSV UTF-8\" and \
                     run again"
                ))
            })
        })
        .collect()
}

fn csv_error(name: &str, line: u64, error: csv::Error) -> InputError {
    let message = error.to_string();
    match error.into_kind() {
        csv::ErrorKind::Io(error) => match decode_failure(&error) {
            Some(message) => InputError::Invalid(message),
            None => InputError::Io {
                source_name: name.to_string(),
                error,
            },
        },
        _ => InputError::Invalid(format!(
            "{name}, line {line}: failed to parse CSV: {message}"
        )),
    }
}

fn describe_delimiter(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "a tab".to_string(),
        other => format!("\"{}\"", char::from(other)),
    }
}

fn location(name: &str, line: u64) -> Location {
    Location {
        source: name.to_string(),
        line,
    }
}
