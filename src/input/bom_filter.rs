//! Removal of byte-order marks at the start of later lines.
//!
//! Concatenating two "CSV UTF-8" exports (`cat a.csv b.csv`) leaves the
//! second file's BOM at the start of a line in the middle of the stream.
//! A CSV tokenizer would keep it as part of the first cell, so a quoted
//! `"Email"` after it is no longer recognised as quoted. The filter removes
//! the UTF-8 encoding of U+FEFF (EF BB BF) where it starts a physical line
//! and records the line, so the reader can report it. A U+FEFF anywhere
//! else in a line is left alone: it is data there.

use std::cell::RefCell;
use std::io::{self, Read};
use std::rc::Rc;

const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Lines (1-based) where a byte-order mark was removed, shared with the
/// reader that reports them.
pub type RemovedBoms = Rc<RefCell<Vec<u64>>>;

/// Returns the warning for a byte-order mark removed at `line`.
pub fn describe_removed(name: &str, line: u64) -> String {
    format!(
        "{name}, line {line}: removed a byte-order mark in the middle of the file; files \
         joined together leave one where the second file starts"
    )
}

/// A reader over UTF-8 bytes that drops a BOM at the start of any line.
pub struct BomFilter<R> {
    inner: R,
    /// Bytes read from `inner` but not yet handed out; may end with the
    /// start of a BOM that needs more input to decide.
    pending: Vec<u8>,
    /// Whether the first byte of `pending` starts a physical line.
    at_line_start: bool,
    after_cr: bool,
    line: u64,
    eof: bool,
    removed: RemovedBoms,
}

impl<R: Read> BomFilter<R> {
    /// Wraps `inner`, which is positioned at the start of line 1 (after any
    /// leading BOM, which the caller has already removed).
    pub fn new(inner: R, removed: RemovedBoms) -> Self {
        BomFilter {
            inner,
            pending: Vec::new(),
            at_line_start: true,
            after_cr: false,
            line: 1,
            eof: false,
            removed,
        }
    }

    /// Reads more input into `pending`; returns false at end of input.
    fn fill(&mut self) -> io::Result<bool> {
        let mut chunk = [0u8; 8192];
        let count = self.inner.read(&mut chunk)?;
        if count == 0 {
            self.eof = true;
            return Ok(false);
        }
        self.pending
            .extend_from_slice(chunk.get(..count).unwrap_or_default());
        Ok(true)
    }
}

impl<R: Read> Read for BomFilter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.at_line_start && !self.pending.is_empty() {
                let prefix_len = self.pending.len().min(UTF8_BOM.len());
                let prefix = self.pending.get(..prefix_len).unwrap_or_default();
                let could_be_bom = UTF8_BOM.starts_with(prefix);
                if could_be_bom && prefix_len < UTF8_BOM.len() && !self.eof {
                    self.fill()?;
                    continue;
                }
                if prefix == UTF8_BOM {
                    self.pending.drain(..UTF8_BOM.len());
                    // The first line's BOM was stripped before this filter;
                    // a second one there (a doubled BOM) is reported too.
                    self.removed.borrow_mut().push(self.line);
                    continue;
                }
            }
            if self.pending.is_empty() {
                if self.eof || !self.fill()? {
                    return Ok(0);
                }
                continue;
            }
            break;
        }

        // Hand out bytes up to and including the first line break, so the
        // next call starts at a line start and can look for a BOM.
        let mut count = 0;
        let mut at_line_start = false;
        for &byte in self.pending.iter().take(buf.len()) {
            count += 1;
            match byte {
                b'\n' if self.after_cr => {
                    // The LF of a CRLF split across reads: the line was
                    // counted at the CR, and the next one starts here.
                    self.after_cr = false;
                    at_line_start = true;
                    break;
                }
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    self.line += 1;
                    at_line_start = true;
                    break;
                }
                _ => self.after_cr = false,
            }
        }
        // A CRLF's LF belongs to the line break, so the next line starts
        // after it.
        if at_line_start
            && self.after_cr
            && self.pending.get(count) == Some(&b'\n')
            && count < buf.len()
        {
            count += 1;
            self.after_cr = false;
        }
        for (target, byte) in buf.iter_mut().zip(self.pending.drain(..count)) {
            *target = byte;
        }
        self.at_line_start = at_line_start;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(bytes: &[u8]) -> (Vec<u8>, Vec<u64>) {
        let removed = RemovedBoms::default();
        let mut output = Vec::new();
        BomFilter::new(bytes, removed.clone())
            .read_to_end(&mut output)
            .expect("read");
        let lines = removed.borrow().clone();
        (output, lines)
    }

    #[test]
    fn bom_at_line_start_is_removed() {
        let (output, lines) =
            filter(b"email\na@example.com\n\xEF\xBB\xBF\"email\"\r\nb@example.com");
        assert_eq!(output, b"email\na@example.com\n\"email\"\r\nb@example.com");
        assert_eq!(lines, vec![3]);
    }

    #[test]
    fn bom_inside_a_line_is_kept() {
        let (output, lines) = filter("a\u{FEFF}b\n".as_bytes());
        assert_eq!(output, "a\u{FEFF}b\n".as_bytes());
        assert!(lines.is_empty());
    }

    #[test]
    fn partial_bom_at_end_is_kept() {
        let (output, lines) = filter(b"a\n\xEF\xBB");
        assert_eq!(output, b"a\n\xEF\xBB");
        assert!(lines.is_empty());
    }

    #[test]
    fn cr_only_lines_are_counted() {
        let (_, lines) = filter(b"a\rb\r\xEF\xBB\xBFc\r");
        assert_eq!(lines, vec![3]);
    }
}
