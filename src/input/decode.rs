//! Choosing a source's text encoding and turning its bytes into UTF-8
//! while streaming.
//!
//! Every parser downstream reads UTF-8. A UTF-16 byte-order mark selects
//! UTF-16, `--encoding LABEL` selects any encoding the WHATWG Encoding
//! Standard names (so `latin1` and `iso-8859-1` mean Windows-1252, where
//! 0x80 is € and 0x92 is U+2019), and otherwise the encoding is detected:
//!
//! - valid UTF-8 is read as UTF-8;
//! - bytes that are not UTF-8 and contain no valid multi-byte UTF-8
//!   sequence at all are read as Windows-1252, with a warning, because that
//!   is what Excel writes on a Western-European Windows;
//! - a file that has valid multi-byte UTF-8 sequences and also invalid
//!   bytes mixes encodings. No single encoding reads it correctly, so it
//!   fails with the line and byte offset of the first invalid byte. Bytes
//!   are never replaced with U+FFFD.
//!
//! Detection scans the whole file in a separate pass, so memory stays flat.
//! Standard input cannot be read twice, so there only the first
//! [`STDIN_SNIFF_BYTES`] bytes decide; a later invalid byte stops the read
//! with its position.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};

use encoding_rs::{Decoder, DecoderResult, Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::line_tracker::LineTracker;
use super::source_bytes::{ByteOrderMark, OpenedSource};
use super::{InputError, Source};

/// Bytes of standard input examined to detect its encoding.
pub const STDIN_SNIFF_BYTES: usize = 1024 * 1024;

/// Size of the chunks read while transcoding or scanning.
const CHUNK_BYTES: usize = 64 * 1024;

/// Bytes that Windows-1252 leaves undefined. The WHATWG decoder maps them to
/// C1 control characters, which no real Windows-1252 text contains, so
/// detection does not choose Windows-1252 for a file that has them.
const WINDOWS_1252_UNDEFINED: [u8; 5] = [0x81, 0x8D, 0x8F, 0x90, 0x9D];

/// The encoding requested on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncodingChoice {
    /// Detect it (see the module documentation).
    #[default]
    Auto,
    /// This encoding; UTF-8 means strict UTF-8 that fails on invalid bytes.
    Fixed(&'static Encoding),
}

impl EncodingChoice {
    /// Parses `auto` or a WHATWG encoding label such as `utf-8`,
    /// `windows-1252`, `cp1252`, `latin1` or `utf-16le`.
    pub fn from_label(label: &str) -> Option<EncodingChoice> {
        let trimmed = label.trim();
        if trimmed.eq_ignore_ascii_case("auto") {
            return Some(EncodingChoice::Auto);
        }
        let normalized = match trimmed.to_ascii_lowercase().as_str() {
            "cp1252" | "win1252" | "windows1252" => "windows-1252".to_string(),
            other => other.to_string(),
        };
        Encoding::for_label(normalized.as_bytes()).map(EncodingChoice::Fixed)
    }
}

/// Findings of a scan of the raw bytes, for encoding detection.
#[derive(Debug, Clone, Default)]
struct Census {
    /// Valid UTF-8 sequences of two or more bytes.
    multibyte: u64,
    /// Offset (after the BOM) and line of the first byte that is not UTF-8.
    first_invalid: Option<InvalidByte>,
    /// A byte that Windows-1252 leaves undefined occurs.
    has_1252_undefined: bool,
}

#[derive(Debug, Clone, Copy)]
struct InvalidByte {
    offset: u64,
    line: u64,
    byte: u8,
}

/// Incremental UTF-8 validation over chunks, counting multi-byte sequences
/// and finding the first invalid byte.
#[derive(Default)]
struct CensusScanner {
    census: Census,
    /// Bytes of a sequence split across chunks.
    carry: Vec<u8>,
    /// Offset of the first byte in `carry`, or of the next chunk.
    offset: u64,
    lines: LineTracker,
}

impl CensusScanner {
    fn feed(&mut self, chunk: &[u8], at_end: bool) {
        if self.census.first_invalid.is_some() {
            // Only the presence of multi-byte sequences and undefined bytes
            // still matters after the first invalid byte.
            self.count_rest(chunk);
            return;
        }
        let mut data = std::mem::take(&mut self.carry);
        data.extend_from_slice(chunk);
        let rest: &[u8] = &data;
        let error = match std::str::from_utf8(rest) {
            Ok(text) => {
                self.note_valid(text);
                self.offset += rest.len() as u64;
                return;
            }
            Err(error) => error,
        };
        let (valid, tail) = rest.split_at(error.valid_up_to());
        // `valid` is valid UTF-8 by construction.
        self.note_valid(std::str::from_utf8(valid).unwrap_or_default());
        self.offset += valid.len() as u64;
        if error.error_len().is_none() && !at_end {
            self.carry = tail.to_vec();
            return;
        }
        let byte = tail.first().copied().unwrap_or(0);
        self.census.first_invalid = Some(InvalidByte {
            offset: self.offset,
            line: self.lines.line(),
            byte,
        });
        self.count_rest(tail);
    }

    fn note_valid(&mut self, text: &str) {
        self.census.multibyte += text.chars().filter(|c| c.len_utf8() > 1).count() as u64;
        self.lines.advance(text.as_bytes());
    }

    /// Counts what matters after the first invalid byte: valid multi-byte
    /// sequences and undefined Windows-1252 bytes. A sequence split across
    /// two chunks here counts as invalid, which can only hide a mix of
    /// encodings that another sequence in the file shows anyway.
    fn count_rest(&mut self, bytes: &[u8]) {
        let mut data = std::mem::take(&mut self.carry);
        data.extend_from_slice(bytes);
        for chunk in data.utf8_chunks() {
            self.census.multibyte +=
                chunk.valid().chars().filter(|c| c.len_utf8() > 1).count() as u64;
            if chunk
                .invalid()
                .iter()
                .any(|byte| WINDOWS_1252_UNDEFINED.contains(byte))
            {
                self.census.has_1252_undefined = true;
            }
        }
    }
}

/// The encoding chosen for a source and the warning to show about it.
pub struct Decoded {
    pub source: OpenedSource,
    /// Set when detection chose an encoding other than UTF-8.
    pub warning: Option<String>,
}

/// Wraps `opened` so that its reader yields UTF-8, choosing the encoding as
/// the module documentation describes.
pub fn decode_source(
    mut opened: OpenedSource,
    source: &Source,
    name: &str,
    choice: EncodingChoice,
) -> Result<Decoded, InputError> {
    let io_error = |error: io::Error| InputError::Io {
        source_name: name.to_string(),
        error,
    };

    let encoding = match (opened.bom, choice) {
        (ByteOrderMark::Utf16Le, _) => UTF_16LE,
        (ByteOrderMark::Utf16Be, _) => UTF_16BE,
        (ByteOrderMark::Utf8, _) => encoding_rs::UTF_8,
        (ByteOrderMark::None, EncodingChoice::Fixed(encoding)) => encoding,
        (ByteOrderMark::None, EncodingChoice::Auto) => {
            // Read a prefix to look at, then put it back in front.
            let mut prefix = Vec::new();
            (&mut opened.reader)
                .take(UTF16_SNIFF_BYTES)
                .read_to_end(&mut prefix)
                .map_err(io_error)?;
            let sniffed = sniff_utf16(&prefix);
            let rest = std::mem::replace(&mut opened.reader, Box::new(io::empty()));
            opened.reader = Box::new(Cursor::new(prefix).chain(rest));
            if let Some(encoding) = sniffed {
                let reader = std::mem::replace(&mut opened.reader, Box::new(io::empty()));
                opened.reader = Box::new(BufReader::new(TranscodingReader::new(
                    reader,
                    encoding,
                    name,
                    opened.bom_len,
                )));
                opened.transcoded_from = Some(encoding.name());
                return Ok(Decoded {
                    source: opened,
                    warning: Some(format!(
                        "{name}: read as {} although it has no byte-order mark, because every \
                         other byte of its start is zero",
                        encoding.name()
                    )),
                });
            }
            let census = match source {
                Source::File(path) => {
                    let mut file = File::open(path).map_err(io_error)?;
                    scan_census(&mut file, opened.bom_len).map_err(io_error)?
                }
                Source::Stdin => {
                    let mut prefix = Vec::new();
                    (&mut opened.reader)
                        .take(STDIN_SNIFF_BYTES as u64)
                        .read_to_end(&mut prefix)
                        .map_err(io_error)?;
                    let mut scanner = CensusScanner::default();
                    scanner.feed(&prefix, prefix.len() < STDIN_SNIFF_BYTES);
                    let rest = std::mem::replace(&mut opened.reader, Box::new(io::empty()));
                    opened.reader = Box::new(Cursor::new(prefix).chain(rest));
                    scanner.census
                }
            };
            return detected(opened, name, census);
        }
    };

    if encoding == encoding_rs::UTF_8 {
        return Ok(Decoded {
            source: opened,
            warning: None,
        });
    }
    let reader = std::mem::replace(&mut opened.reader, Box::new(io::empty()));
    opened.reader = Box::new(BufReader::new(TranscodingReader::new(
        reader,
        encoding,
        name,
        opened.bom_len,
    )));
    opened.transcoded_from = Some(encoding.name());
    Ok(Decoded {
        source: opened,
        warning: None,
    })
}

/// Bytes read to recognise UTF-16 without a byte-order mark.
const UTF16_SNIFF_BYTES: u64 = 512;

/// Recognises UTF-16 text without a byte-order mark from its first bytes:
/// in ASCII-range text every other byte is zero (the high byte of each
/// code unit, second in little-endian, first in big-endian). Needs at least
/// four code units, nearly all of that shape, so binary files and UTF-8
/// text with a stray NUL are not taken for UTF-16.
fn sniff_utf16(prefix: &[u8]) -> Option<&'static Encoding> {
    let units: Vec<(u8, u8)> = prefix
        .chunks_exact(2)
        .take(256)
        .map(|pair| (pair[0], pair[1]))
        .collect();
    if units.len() < 4 {
        return None;
    }
    let little = units
        .iter()
        .filter(|&&(low, high)| low != 0 && high == 0)
        .count();
    let big = units
        .iter()
        .filter(|&&(high, low)| high == 0 && low != 0)
        .count();
    // 9 in 10 allows a few non-ASCII characters in the first names.
    let enough = |count: usize| count * 10 >= units.len() * 9;
    if enough(little) {
        Some(UTF_16LE)
    } else if enough(big) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Applies the detection rules to a census.
fn detected(mut opened: OpenedSource, name: &str, census: Census) -> Result<Decoded, InputError> {
    let Some(invalid) = census.first_invalid else {
        return Ok(Decoded {
            source: opened,
            warning: None,
        });
    };
    let position = format!(
        "{name}, line {}: invalid UTF-8 at byte offset {} (byte 0x{:02X})",
        invalid.line,
        invalid.offset + opened.bom_len,
        invalid.byte
    );
    if census.multibyte > 0 {
        return Err(InputError::Invalid(format!(
            "{position}, but other lines are valid UTF-8, so the file mixes encodings and no \
             single --encoding reads it; retype that line in a UTF-8 editor, or re-save the \
             file as \"CSV UTF-8\" and run again"
        )));
    }
    if census.has_1252_undefined {
        return Err(InputError::Invalid(format!(
            "{position}, and the file is not Windows-1252 either; give its encoding with \
             --encoding LABEL, or re-save it as \"CSV UTF-8\""
        )));
    }

    let reader = std::mem::replace(&mut opened.reader, Box::new(io::empty()));
    opened.reader = Box::new(BufReader::new(TranscodingReader::new(
        reader,
        WINDOWS_1252,
        name,
        opened.bom_len,
    )));
    opened.transcoded_from = Some(WINDOWS_1252.name());
    Ok(Decoded {
        source: opened,
        warning: Some(format!(
            "{position}; read the file as Windows-1252. If names look wrong, rerun with \
             --encoding set to the file's real encoding"
        )),
    })
}

/// Scans a whole file after its BOM.
fn scan_census(file: &mut File, skip: u64) -> io::Result<Census> {
    io::copy(&mut file.take(skip), &mut io::sink())?;
    let mut scanner = CensusScanner::default();
    let mut buffer = vec![0u8; CHUNK_BYTES];
    loop {
        let count = file.read(&mut buffer)?;
        let chunk = buffer.get(..count).unwrap_or_default();
        scanner.feed(chunk, count == 0);
        if count == 0 {
            return Ok(scanner.census);
        }
    }
}

/// A decoding failure inside [`TranscodingReader`], carried in an
/// `io::Error` so the parsers can report it as invalid input.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DecodeFailure(pub String);

/// Returns the message of a [`DecodeFailure`] inside `error`, if any.
pub fn decode_failure(error: &io::Error) -> Option<String> {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<DecodeFailure>())
        .map(|failure| failure.0.clone())
}

/// A reader that decodes another encoding to UTF-8 chunk by chunk, failing
/// on malformed input instead of inserting U+FFFD.
struct TranscodingReader {
    inner: Box<dyn BufRead>,
    decoder: Decoder,
    encoding: &'static Encoding,
    name: String,
    /// Offset in the file of the next input byte (BOM included).
    file_offset: u64,
    /// Decoded bytes not yet handed out, from `output_start`.
    output: Vec<u8>,
    output_start: usize,
    lines: LineTracker,
    finished: bool,
}

impl TranscodingReader {
    fn new(inner: Box<dyn BufRead>, encoding: &'static Encoding, name: &str, bom_len: u64) -> Self {
        TranscodingReader {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            encoding,
            name: name.to_string(),
            file_offset: bom_len,
            output: Vec::new(),
            output_start: 0,
            lines: LineTracker::default(),
            finished: false,
        }
    }

    /// Decodes the next chunk of input into `output`.
    fn refill(&mut self) -> io::Result<()> {
        self.output.clear();
        self.output_start = 0;
        let input = self.inner.fill_buf()?;
        let last = input.is_empty();
        let capacity = self
            .decoder
            .max_utf8_buffer_length_without_replacement(input.len())
            .unwrap_or(CHUNK_BYTES * 3)
            .max(16);
        self.output.resize(capacity, 0);
        let (result, read, written) =
            self.decoder
                .decode_to_utf8_without_replacement(input, &mut self.output, last);
        self.output.truncate(written);
        let decoded = self.output.get(..written).unwrap_or_default();
        match result {
            DecoderResult::Malformed(bad, unread) => {
                let bad_start = (read as u64).saturating_sub(u64::from(bad) + u64::from(unread));
                let mut lines = self.lines.clone();
                lines.advance(decoded);
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    DecodeFailure(format!(
                        "{}, line {}: invalid {} at byte offset {}; check the file's \
                         encoding and pass the right one with --encoding",
                        self.name,
                        lines.line(),
                        self.encoding.name(),
                        self.file_offset + bad_start
                    )),
                ));
            }
            DecoderResult::InputEmpty | DecoderResult::OutputFull => {}
        }
        self.lines.advance(decoded);
        self.inner.consume(read);
        self.file_offset += read as u64;
        if last {
            self.finished = true;
        }
        Ok(())
    }
}

impl Read for TranscodingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.output_start >= self.output.len() {
            if self.finished {
                return Ok(0);
            }
            self.refill()?;
        }
        let pending = self.output.get(self.output_start..).unwrap_or_default();
        let count = pending.len().min(buf.len());
        if let (Some(target), Some(source)) = (buf.get_mut(..count), pending.get(..count)) {
            target.copy_from_slice(source);
        }
        self.output_start += count;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn census(bytes: &[u8]) -> Census {
        let mut scanner = CensusScanner::default();
        for chunk in bytes.chunks(3) {
            scanner.feed(chunk, false);
        }
        scanner.feed(&[], true);
        scanner.census
    }

    #[test]
    fn census_finds_first_invalid_byte() {
        let result = census(b"email\nren\xE9e@example.com\n");
        let invalid = result.first_invalid.expect("invalid byte");
        assert_eq!(invalid.offset, 9);
        assert_eq!(invalid.line, 2);
        assert_eq!(invalid.byte, 0xE9);
        assert_eq!(result.multibyte, 0);
    }

    #[test]
    fn census_counts_split_multibyte_sequences() {
        let result = census("a,Renée,Zoë\n".as_bytes());
        assert!(result.first_invalid.is_none());
        assert_eq!(result.multibyte, 2);
    }

    #[test]
    fn census_sees_utf8_after_invalid_byte() {
        let result = census(
            "J\u{FC}rgen\n"
                .as_bytes()
                .iter()
                .copied()
                .chain(*b"\xFC\n")
                .collect::<Vec<_>>()
                .as_slice(),
        );
        assert!(result.first_invalid.is_some());
        assert_eq!(result.multibyte, 1);
    }

    #[test]
    fn sniff_utf16_without_bom() {
        let le: Vec<u8> = "Email,Name\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = "Email,Name\r\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(sniff_utf16(&le), Some(UTF_16LE));
        assert_eq!(sniff_utf16(&be), Some(UTF_16BE));
        assert_eq!(sniff_utf16(b"Email,Name\n"), None);
        assert_eq!(sniff_utf16(b"a\0b,c,d\n"), None);
    }

    #[test]
    fn labels_parse() {
        assert_eq!(
            EncodingChoice::from_label("cp1252"),
            Some(EncodingChoice::Fixed(WINDOWS_1252))
        );
        assert_eq!(
            EncodingChoice::from_label("latin1"),
            Some(EncodingChoice::Fixed(WINDOWS_1252))
        );
        assert_eq!(
            EncodingChoice::from_label("AUTO"),
            Some(EncodingChoice::Auto)
        );
        assert_eq!(EncodingChoice::from_label("klingon"), None);
    }

    #[test]
    fn transcoder_maps_windows_1252_punctuation() {
        let reader: Box<dyn BufRead> = Box::new(Cursor::new(b"O\x92Example \x80".to_vec()));
        let mut transcoder = TranscodingReader::new(reader, WINDOWS_1252, "t.csv", 0);
        let mut text = String::new();
        transcoder.read_to_string(&mut text).expect("decode");
        assert_eq!(text, "O\u{2019}Example \u{20AC}");
    }

    #[test]
    fn transcoder_fails_on_unpaired_surrogate() {
        let reader: Box<dyn BufRead> = Box::new(Cursor::new(b"a\x00\n\x00\x00\xD8b\x00".to_vec()));
        let mut transcoder = TranscodingReader::new(reader, UTF_16LE, "t.csv", 2);
        let mut text = String::new();
        let error = transcoder.read_to_string(&mut text).expect_err("malformed");
        let message = decode_failure(&error).expect("decode failure");
        assert!(message.contains("t.csv, line 2"), "{message}");
        assert!(message.contains("invalid UTF-16LE"), "{message}");
    }
}
