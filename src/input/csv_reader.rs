//! Reading contacts from CSV with a header row.
//!
//! The delimiter comes from the header line (see [`super::delimiter`]), the
//! csv crate tokenises records with `flexible(true)` so ragged rows reach
//! the row rules here, and [`super::line_tracker`] supplies physical line
//! numbers and the empty lines the tokenizer skips. Only UTF-8 is accepted
//! for now: invalid bytes stop the read with their line and offset instead
//! of being replaced with U+FFFD.

use std::io::{self, BufRead, Cursor, Read};

use csv::{ByteRecord, ReaderBuilder};

use super::contact::{build_record, EmailValue, RowValues};
use super::delimiter::detect_delimiter;
use super::email::trim_email;
use super::header::{map_columns, ColumnMapping};
use super::line_tracker::{find_unclosed_quote, LineTracker, SpanTap};
use super::source_bytes::OpenedSource;
use super::{InputError, Location, ReadOptions, Record, Reject, RejectReason};

/// Upper bound on the bytes scanned for the header line when detecting the
/// delimiter, so a file without line breaks is not read into memory.
const HEADER_SCAN_LIMIT: usize = 64 * 1024;

/// Separator of several values in one Google Contacts cell.
const GOOGLE_MULTI_VALUE_SEPARATOR: &str = " ::: ";

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

/// Reads a CSV source, calling `sink` for every line after the header.
pub fn read_csv(
    mut opened: OpenedSource,
    name: &str,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Record) -> anyhow::Result<()>,
) -> anyhow::Result<CsvSummary> {
    let io_error = |error: io::Error| InputError::Io {
        source_name: name.to_string(),
        error,
    };

    let header_line = read_header_line(&mut opened.reader).map_err(io_error)?;
    let delimiter = options
        .delimiter
        .unwrap_or_else(|| detect_delimiter(&header_line));
    let input = Cursor::new(header_line).chain(opened.reader);
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(SpanTap::new(input));

    let mut tracker = LineTracker::default();
    let mut consumed: u64 = 0;
    let mut record = ByteRecord::new();
    let mut header: Option<(Vec<String>, ColumnMapping)> = None;

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
        check_utf8(&span, origin)?;

        let (empty_lines, record_start) = tracker.skip_empty_lines(&span);
        for line in empty_lines {
            sink(Record::Blank(location(name, line)))?;
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
        tracker.advance(body);

        let cells = decode_cells(&record, name, line)?;
        match &header {
            None => {
                let mapping = map_columns(&cells, options).map_err(|message| {
                    InputError::Invalid(format!("{name}, line {line}: {message}"))
                })?;
                sink(Record::Header(cells.clone()))?;
                header = Some((cells, mapping));
            }
            Some((names, mapping)) => {
                let row = classify_row(name, line, names, mapping, options, delimiter, cells);
                sink(row)?;
            }
        }
    }

    match header {
        Some((names, mapping)) => Ok(CsvSummary {
            mapping: mapping.describe(&names),
            header: names,
        }),
        None => Err(InputError::Invalid(format!(
            "{name}, line 1: the file is empty; expected a header row that names an email column"
        ))
        .into()),
    }
}

/// Applies the row rules to one data record: blank lines, field counts,
/// then the contact rules.
fn classify_row(
    name: &str,
    line: u64,
    header: &[String],
    mapping: &ColumnMapping,
    options: &ReadOptions,
    delimiter: u8,
    cells: Vec<String>,
) -> Record {
    if cells.iter().all(|cell| cell.trim().is_empty()) {
        return Record::Blank(location(name, line));
    }

    let extra = cells.get(header.len()..).unwrap_or_default();
    if extra.iter().any(|cell| !cell.trim().is_empty()) {
        return Record::Reject(Reject {
            location: location(name, line),
            reason: RejectReason::FieldCountMismatch,
            message: format!(
                "the row has {} fields but the header has {} columns; quote values that \
                 contain {} or remove the extra fields",
                cells.len(),
                header.len(),
                describe_delimiter(delimiter),
            ),
            cells,
        });
    }

    let cell = |column: usize| cells.get(column).map(String::as_str).unwrap_or("");
    let email = mapping
        .email_columns
        .iter()
        .map(|&column| cell(column))
        .find(|value| !trim_email(value).is_empty())
        .map(|value| {
            let first = value
                .split(GOOGLE_MULTI_VALUE_SEPARATOR)
                .next()
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

/// Reads the bytes up to the end of the first non-empty line (a line break
/// inside quotes does not end it), or [`HEADER_SCAN_LIMIT`] bytes. The
/// caller feeds these bytes to the CSV reader again.
fn read_header_line(reader: &mut dyn BufRead) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    let mut in_quotes = false;
    let mut has_content = false;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(line);
        }
        let mut used = 0;
        let mut done = false;
        for &byte in buffer {
            used += 1;
            line.push(byte);
            let is_break = byte == b'\n' || byte == b'\r';
            if byte == b'"' {
                in_quotes = !in_quotes;
            }
            if is_break && !in_quotes && has_content {
                done = true;
                break;
            }
            has_content |= !is_break;
            if line.len() >= HEADER_SCAN_LIMIT {
                done = true;
                break;
            }
        }
        reader.consume(used);
        if done {
            return Ok(line);
        }
    }
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
        "{}, line {}: invalid UTF-8 at byte offset {}{byte}; only UTF-8 input is supported \
         for now, so re-save the file as \"CSV UTF-8\" and run again",
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
        csv::ErrorKind::Io(error) => InputError::Io {
            source_name: name.to_string(),
            error,
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
