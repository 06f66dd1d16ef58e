//! Physical line numbers and skipped empty lines for the CSV reader.
//!
//! The csv crate drops empty lines without a trace and counts only LF as a
//! line break, so it can neither report blank lines nor number lines in a
//! CR-only file. [`SpanTap`] keeps the raw bytes the parser has consumed for
//! each record, which is the record plus at most one read-ahead buffer.
//! [`LineTracker`] walks these bytes. Empty lines before a record are blank
//! lines, and the first other byte is where the record starts. LF, CRLF and
//! a lone CR each end one line.

use std::io::{self, Read};

/// A reader that keeps the bytes read through it until the caller takes them.
pub struct SpanTap<R> {
    inner: R,
    pending: Vec<u8>,
    /// Offset (after any BOM) of the first byte in `pending`.
    pending_start: u64,
}

impl<R> SpanTap<R> {
    pub fn new(inner: R) -> Self {
        SpanTap {
            inner,
            pending: Vec::new(),
            pending_start: 0,
        }
    }

    /// Removes and returns the bytes up to the stream offset `end`, which is
    /// the count of bytes the parser has consumed so far.
    pub fn take_until(&mut self, end: u64) -> Vec<u8> {
        let available = self.pending.len() as u64;
        let count = end.saturating_sub(self.pending_start).min(available);
        let span: Vec<u8> = self.pending.drain(..count as usize).collect();
        self.pending_start += count;
        span
    }

    /// Removes and returns every byte read so far.
    pub fn take_all(&mut self) -> Vec<u8> {
        self.pending_start += self.pending.len() as u64;
        std::mem::take(&mut self.pending)
    }
}

impl<R: Read> Read for SpanTap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buf)?;
        let read = buf.get(..count).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, "reader returned too many bytes")
        })?;
        self.pending.extend_from_slice(read);
        Ok(count)
    }
}

/// Line counting across the spans of consecutive records.
#[derive(Debug, Clone)]
pub struct LineTracker {
    /// 1-based number of the line the next byte belongs to.
    line: u64,
    /// The previous byte was CR, so an LF now completes a CRLF.
    after_cr: bool,
    /// The current line has a byte other than a line break.
    line_has_content: bool,
}

impl Default for LineTracker {
    fn default() -> Self {
        LineTracker {
            line: 1,
            after_cr: false,
            line_has_content: false,
        }
    }
}

impl LineTracker {
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Consumes the line breaks at the start of `span`, returning the
    /// numbers of the empty lines they end and the index of the first other
    /// byte (`span.len()` when there is none).
    pub fn skip_empty_lines(&mut self, span: &[u8]) -> (Vec<u64>, usize) {
        let mut empty_lines = Vec::new();
        for (index, &byte) in span.iter().enumerate() {
            if byte != b'\n' && byte != b'\r' {
                return (empty_lines, index);
            }
            let was_empty = !self.line_has_content;
            let line = self.line;
            if self.advance_byte(byte) && was_empty {
                empty_lines.push(line);
            }
        }
        (empty_lines, span.len())
    }

    /// Counts the line breaks in `bytes`.
    pub fn advance(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.advance_byte(byte);
        }
    }

    /// Moves past one byte, returning whether it ended a line.
    fn advance_byte(&mut self, byte: u8) -> bool {
        match byte {
            b'\n' if self.after_cr => {
                self.after_cr = false;
                false
            }
            b'\n' | b'\r' => {
                self.after_cr = byte == b'\r';
                self.line += 1;
                self.line_has_content = false;
                true
            }
            _ => {
                self.after_cr = false;
                self.line_has_content = true;
                false
            }
        }
    }
}

/// Position of a quoted field that never closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenQuote {
    /// Offset of the opening quote in the scanned bytes.
    pub offset: usize,
    /// 1-based field number.
    pub field: usize,
}

/// Scans one record's bytes with the quoting rules of the csv crate and
/// reports a quoted field that is still open at the end. Such a record can
/// only be the last one, where the parser silently took the rest of the
/// file as one field.
pub fn find_unclosed_quote(record: &[u8], delimiter: u8) -> Option<OpenQuote> {
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let mut field = 1;
    let mut opened_at = 0;
    for (offset, &byte) in record.iter().enumerate() {
        state = match state {
            State::FieldStart | State::Unquoted | State::QuoteInQuoted if byte == delimiter => {
                field += 1;
                State::FieldStart
            }
            State::FieldStart if byte == b'"' => {
                opened_at = offset;
                State::Quoted
            }
            State::Quoted if byte == b'"' => State::QuoteInQuoted,
            State::Quoted => State::Quoted,
            State::QuoteInQuoted if byte == b'"' => State::Quoted,
            _ if byte == b'\n' || byte == b'\r' => return None,
            _ => State::Unquoted,
        };
    }
    match state {
        State::Quoted => Some(OpenQuote {
            offset: opened_at,
            field,
        }),
        _ => None,
    }
}

/// Returns the 1-based field number of the first double quote inside an
/// unquoted field, such as `Ada "The Count" Example`. The csv crate keeps
/// such quotes literally, which is usually what the writer meant, but the
/// file is not RFC 4180 CSV, so the reader warns about it.
pub fn find_bare_quote(record: &[u8], delimiter: u8) -> Option<usize> {
    let mut field = 1;
    let mut at_field_start = true;
    let mut in_quotes = false;
    let mut after_quote = false;
    for &byte in record {
        if in_quotes {
            if byte == b'"' {
                in_quotes = false;
                after_quote = true;
            }
            continue;
        }
        if after_quote && byte == b'"' {
            // A doubled quote inside a quoted field.
            in_quotes = true;
            after_quote = false;
            continue;
        }
        after_quote = false;
        if byte == delimiter {
            field += 1;
            at_field_start = true;
            continue;
        }
        if byte == b'"' {
            if at_field_start {
                in_quotes = true;
                at_field_start = false;
                continue;
            }
            return Some(field);
        }
        at_field_start = false;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_lines_before_a_record_are_reported() {
        let mut tracker = LineTracker::default();
        tracker.advance(b"a,b\n");
        let (empty, start) = tracker.skip_empty_lines(b"\n\r\n\rc,d\n");
        assert_eq!(empty, vec![2, 3, 4]);
        assert_eq!(start, 4);
        assert_eq!(tracker.line(), 5);
    }

    #[test]
    fn crlf_split_across_spans_counts_once() {
        let mut tracker = LineTracker::default();
        tracker.advance(b"a,b\r");
        let (empty, start) = tracker.skip_empty_lines(b"\nc,d\r\n");
        assert!(empty.is_empty());
        assert_eq!(start, 1);
        assert_eq!(tracker.line(), 2);
    }

    #[test]
    fn unterminated_record_line_is_not_empty() {
        let mut tracker = LineTracker::default();
        tracker.advance(b"a,b");
        let (empty, _) = tracker.skip_empty_lines(b"\n\n");
        assert_eq!(empty, vec![2]);
    }

    #[test]
    fn unclosed_quote_is_found() {
        let record = b"grace@example.org,Grace,Sample,\"Sample Ltd\nalan,x\n";
        let open = find_unclosed_quote(record, b',');
        assert_eq!(
            open,
            Some(OpenQuote {
                offset: 31,
                field: 4
            })
        );
    }

    #[test]
    fn bare_quotes_are_found() {
        assert_eq!(
            find_bare_quote(b"a@example.com,Ada \"The Count\"\n", b','),
            Some(2)
        );
        assert_eq!(find_bare_quote(b"\"a\"\"b\",c\n", b','), None);
        assert_eq!(find_bare_quote(b"\"multi\nline\",x\n", b','), None);
        assert_eq!(find_bare_quote(b"x;5\" Displays", b';'), Some(2));
    }

    #[test]
    fn closed_and_bare_quotes_are_fine() {
        assert_eq!(find_unclosed_quote(b"\"a\"\"b\",c\n", b','), None);
        assert_eq!(find_unclosed_quote(b"Ada \"The Count\",x\n", b','), None);
        assert_eq!(find_unclosed_quote(b"5\" Displays,x", b','), None);
        assert_eq!(find_unclosed_quote(b"\"multi\nline\",x\n", b','), None);
    }
}
