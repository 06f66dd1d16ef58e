//! Finding where a CSV file's data starts: an Excel `sep=X` line, preamble
//! lines, and the header row.
//!
//! Exports do not always start with their header. LinkedIn puts a notice
//! above it, Apple Numbers a table name, and Excel files written for
//! European locales a `sep=;` line. The header is the first of the first
//! [`HEADER_SEARCH_LINES`] lines that has a recognised email column name
//! (or the column that `--map email=NAME` names); the lines above it are
//! preamble. A first line that holds an `@` and is not a header is data,
//! which needs `--no-header`: taking it as the header would drop the first
//! contact and name the columns after it.

use std::io::{self, BufRead};

use super::delimiter::detect_delimiter;
use super::header::{is_email_header_name, list_columns, normalize_header_name};
use super::line_tracker::LineTracker;
use super::{Field, NonDataKind, ReadOptions};

/// Lines searched for the header row, not counting a `sep=` line.
pub const HEADER_SEARCH_LINES: usize = 10;

/// Upper bound on one line while searching, so a file without line breaks
/// is not read into memory here.
const LINE_SCAN_LIMIT: usize = 64 * 1024;

/// The position where the data starts, and its delimiter.
#[derive(Debug)]
pub struct Layout {
    pub delimiter: u8,
    /// Lines before the header that are not data, with their 1-based line.
    pub skipped: Vec<(u64, NonDataKind)>,
    /// Count of the bytes in the skipped lines.
    pub skipped_bytes: u64,
    /// Line state at the first byte of `rest`.
    pub tracker: LineTracker,
    /// The bytes already read from the header line (or, with `--no-header`,
    /// the first data line) on; the CSV parser reads them before the rest.
    pub rest: Vec<u8>,
}

/// Reads lines until the header is found. Errors are complete messages
/// without the file name, with the line they concern.
pub fn find_layout(
    reader: &mut dyn BufRead,
    options: &ReadOptions,
) -> io::Result<Result<Layout, (u64, String)>> {
    let mut tracker = LineTracker::default();
    let mut skipped = Vec::new();
    let mut skipped_bytes: u64 = 0;
    let mut sep_hint: Option<u8> = None;
    let mut first_content: Option<(u64, Vec<String>)> = None;
    let mut searched = 0;

    loop {
        let line = read_logical_line(reader)?;
        if line.is_empty() {
            break;
        }
        let line_number = tracker.line();
        let text = trim_line_break(&line);

        if skipped.is_empty() && line_number == 1 && sep_hint.is_none() {
            if let Some(delimiter) = parse_sep_hint(text) {
                sep_hint = Some(delimiter);
                skipped.push((line_number, NonDataKind::SepHint));
                skipped_bytes += line.len() as u64;
                tracker.advance(&line);
                continue;
            }
        }

        let delimiter = options
            .delimiter
            .or(sep_hint)
            .unwrap_or_else(|| detect_delimiter(text));
        let cells = split_line(text, delimiter);
        let blank = cells.iter().all(|cell| cell.trim().is_empty());

        if options.no_header && !blank {
            // A header row read as data would be rejected as one bad row,
            // and its column names (consent columns among them) ignored.
            if !text.contains(&b'@') && names_email_column(&cells, options) {
                return Ok(Err((
                    line_number,
                    format!(
                        "--no-header was given, but this line is a header row ({}); drop \
                         --no-header so its columns are used",
                        list_columns(&cells)
                    ),
                )));
            }
            return Ok(Ok(Layout {
                delimiter,
                skipped,
                skipped_bytes,
                tracker,
                rest: line,
            }));
        }
        if !blank {
            // Only the file's first line (after a `sep=` hint) is taken for
            // data: a preamble may quote an address. A line with an email
            // column name is a header even if it has an `@`.
            if first_content.is_none()
                && searched == 0
                && text.contains(&b'@')
                && !names_email_column(&cells, options)
            {
                return Ok(Err((line_number, first_line_is_data(&cells))));
            }
            if is_header(&cells, options, first_content.is_none()) {
                return Ok(Ok(Layout {
                    delimiter,
                    skipped,
                    skipped_bytes,
                    tracker,
                    rest: line,
                }));
            }
            if first_content.is_none() {
                first_content = Some((line_number, cells));
            }
        }

        searched += 1;
        skipped.push((line_number, NonDataKind::Preamble));
        skipped_bytes += line.len() as u64;
        tracker.advance(&line);
        if searched >= HEADER_SEARCH_LINES {
            break;
        }
    }

    match first_content {
        None if !options.no_header => Ok(Err((
            1,
            "the file is empty; expected a header row that names an email column".to_string(),
        ))),
        None => Ok(Err((1, "the file has no rows".to_string()))),
        Some((line, cells)) => Ok(Err((
            line,
            format!(
                "no email column found in the first {HEADER_SEARCH_LINES} lines; columns are: \
                 {}. Rename the address column to \"email\" or name it with --map \
                 email=COLUMN; for a file without a header row use --no-header",
                list_columns(&cells)
            ),
        ))),
    }
}

/// Reports whether a cell is an email column name, or the column name
/// `--map email=NAME` gives.
fn names_email_column(cells: &[String], options: &ReadOptions) -> bool {
    cells.iter().any(|cell| {
        let name = normalize_header_name(cell);
        is_email_header_name(&name)
            || options.column_map.iter().any(|(field, column)| {
                *field == Field::Email && normalize_header_name(column) == name
            })
    })
}

/// Reports whether `cells` form the header row. A header has an email
/// column name, or the name `--map email=` gives. When the email column is
/// chosen by number, the first non-blank line is the header.
fn is_header(cells: &[String], options: &ReadOptions, first_content: bool) -> bool {
    let mapped_email = options
        .column_map
        .iter()
        .rev()
        .find(|(field, _)| *field == Field::Email)
        .map(|(_, column)| normalize_header_name(column));
    let normalized: Vec<String> = cells
        .iter()
        .map(|cell| normalize_header_name(cell))
        .collect();

    if let Some(target) = &mapped_email {
        if normalized.contains(target) {
            return true;
        }
        if first_content && target.parse::<usize>().is_ok() {
            return true;
        }
        return false;
    }
    if options.email_column.is_some() && first_content {
        return true;
    }
    normalized.iter().any(|name| is_email_header_name(name))
}

fn first_line_is_data(cells: &[String]) -> String {
    let address_column = cells
        .iter()
        .position(|cell| cell.contains('@'))
        .map_or(1, |index| index + 1);
    let column_flag = if address_column == 1 {
        String::new()
    } else {
        format!(" --email-column {address_column}")
    };
    format!(
        "the first line contains an address ({}), so it is data, not a header row; if the \
         file has no header row, rerun with --no-header{column_flag}, otherwise add a header \
         row that names the email column",
        list_columns(cells)
    )
}

/// Parses an Excel delimiter hint, `sep=X`, optionally in double quotes.
fn parse_sep_hint(text: &[u8]) -> Option<u8> {
    let unquoted = text
        .strip_prefix(b"\"")
        .and_then(|inner| inner.strip_suffix(b"\""))
        .unwrap_or(text);
    let prefix = unquoted.get(..4)?;
    if !prefix.eq_ignore_ascii_case(b"sep=") {
        return None;
    }
    match unquoted.get(4..)? {
        [delimiter] if *delimiter != b'"' && delimiter.is_ascii() => Some(*delimiter),
        _ => None,
    }
}

/// Splits one line with the CSV quoting rules.
fn split_line(text: &[u8], delimiter: u8) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => record
            .iter()
            .map(|field| String::from_utf8_lossy(field).into_owned())
            .collect(),
        _ => Vec::new(),
    }
}

fn trim_line_break(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|&byte| byte != b'\n' && byte != b'\r')
        .map_or(0, |index| index + 1);
    line.get(..end).unwrap_or_default()
}

/// Reads one line, including its line break (LF, CRLF or CR). A line break
/// inside a quoted field does not end the line. As in the CSV parser, a
/// quote opens a field only at the start of a line or after a candidate
/// delimiter. Returns an empty vector at end of input.
fn read_logical_line(reader: &mut dyn BufRead) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    let mut in_quotes = false;
    let mut after_cr = false;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(line);
        }
        let mut used = 0;
        let mut done = false;
        for &byte in buffer {
            if after_cr {
                if byte == b'\n' {
                    used += 1;
                    line.push(byte);
                }
                done = true;
                break;
            }
            let previous = line.last().copied();
            used += 1;
            line.push(byte);
            match byte {
                b'"' if in_quotes => in_quotes = false,
                b'"' if matches!(previous, None | Some(b',' | b';' | b'\t' | b'|')) => {
                    in_quotes = true;
                }
                b'\n' if !in_quotes => {
                    done = true;
                    break;
                }
                b'\r' if !in_quotes => after_cr = true,
                _ => {}
            }
            if line.len() >= LINE_SCAN_LIMIT {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(bytes: &[u8], options: &ReadOptions) -> Result<Layout, (u64, String)> {
        let mut reader: &[u8] = bytes;
        find_layout(&mut reader, options).expect("io")
    }

    #[test]
    fn header_on_line_one() {
        let found =
            layout(b"email,name\na@example.com,A\n", &ReadOptions::default()).expect("layout");
        assert!(found.skipped.is_empty());
        assert_eq!(found.rest, b"email,name\n");
        assert_eq!(found.tracker.line(), 1);
    }

    #[test]
    fn sep_hint_sets_delimiter() {
        let found = layout(b"sep=;\r\nEmail;Name\r\n", &ReadOptions::default()).expect("layout");
        assert_eq!(found.delimiter, b';');
        assert_eq!(found.skipped, vec![(1, NonDataKind::SepHint)]);
        assert_eq!(found.skipped_bytes, 7);
        assert_eq!(found.tracker.line(), 2);
    }

    #[test]
    fn preamble_is_skipped() {
        let bytes = b"Notes:\r\n\"A notice, with a comma\r\nover two lines\"\r\n\r\nFirst Name,Email Address\r\n";
        let found = layout(bytes, &ReadOptions::default()).expect("layout");
        assert_eq!(
            found.skipped,
            vec![
                (1, NonDataKind::Preamble),
                (2, NonDataKind::Preamble),
                (4, NonDataKind::Preamble)
            ]
        );
        assert_eq!(found.tracker.line(), 5);
        assert_eq!(found.rest, b"First Name,Email Address\r\n");
    }

    #[test]
    fn address_on_first_line_is_data() {
        let (line, message) =
            layout(b"name,ada@example.com\n", &ReadOptions::default()).expect_err("data");
        assert_eq!(line, 1);
        assert!(
            message.contains("--no-header --email-column 2"),
            "{message}"
        );
    }

    #[test]
    fn email_column_keeps_data_line_data() {
        let options = ReadOptions {
            email_column: Some(1),
            ..ReadOptions::default()
        };
        let (line, message) = layout(b"ada@example.com,Ada\n", &options).expect_err("data");
        assert_eq!(line, 1);
        assert!(message.contains("--no-header"), "{message}");
    }

    #[test]
    fn no_header_starts_at_first_line() {
        let options = ReadOptions {
            no_header: true,
            ..ReadOptions::default()
        };
        let found = layout(b"ada@example.com\n", &options).expect("layout");
        assert_eq!(found.rest, b"ada@example.com\n");
    }

    #[test]
    fn header_beyond_search_window_is_not_found() {
        let mut bytes = Vec::new();
        for index in 0..HEADER_SEARCH_LINES {
            bytes.extend_from_slice(format!("note {index}\n").as_bytes());
        }
        bytes.extend_from_slice(b"email\n");
        let (line, message) = layout(&bytes, &ReadOptions::default()).expect_err("not found");
        assert_eq!(line, 1);
        assert!(message.contains("no email column found"), "{message}");
    }

    #[test]
    fn sep_hint_forms() {
        assert_eq!(parse_sep_hint(b"sep=;"), Some(b';'));
        assert_eq!(parse_sep_hint(b"SEP=|"), Some(b'|'));
        assert_eq!(parse_sep_hint(b"\"sep=,\""), Some(b','));
        assert_eq!(parse_sep_hint(b"sep="), None);
        assert_eq!(parse_sep_hint(b"sep=;;"), None);
        assert_eq!(parse_sep_hint(b"separator"), None);
    }
}
