//! Opening a source as a byte stream: the SHA-256 digest and byte count of
//! the raw bytes, and removal of a byte-order mark (UTF-8 or UTF-16) before
//! any parser reads them.
//!
//! The BOM must go from the byte stream, not from the parsed header. Given
//! `EF BB BF 22 45 ...`, a CSV tokenizer reads the quote as the second
//! character of an unquoted field and keeps it literally, and serde_json
//! rejects a leading BOM outright.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::rc::Rc;

use sha2::{Digest, Sha256};

use super::{InputError, Source};

const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// The byte-order mark a source started with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOrderMark {
    None,
    Utf8,
    Utf16Le,
    Utf16Be,
}

/// Digest and length of the raw bytes read so far, shared between the
/// reader that feeds the parser and the code that reports the summary.
#[derive(Clone, Default)]
pub struct DigestHandle {
    state: Rc<RefCell<(Sha256, u64)>>,
}

impl DigestHandle {
    /// Returns the lowercase hex SHA-256 and the count of the bytes read so
    /// far.
    pub fn finish(&self) -> (String, u64) {
        let state = self.state.borrow();
        let digest = state.0.clone().finalize();
        (hex::encode(digest), state.1)
    }
}

/// A reader that feeds every byte it passes on into a [`DigestHandle`].
struct HashingReader<R> {
    inner: R,
    digest: DigestHandle,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buf)?;
        let read = buf.get(..count).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, "reader returned too many bytes")
        })?;
        let mut state = self.digest.state.borrow_mut();
        state.0.update(read);
        state.1 += count as u64;
        Ok(count)
    }
}

/// An opened source, positioned after any byte-order mark.
pub struct OpenedSource {
    pub reader: Box<dyn BufRead>,
    pub digest: DigestHandle,
    /// Length of the removed BOM (0, 2 or 3), to turn parser offsets back
    /// into file offsets.
    pub bom_len: u64,
    pub bom: ByteOrderMark,
    /// The encoding the reader decodes from, when it is not UTF-8. Parser
    /// offsets then count UTF-8 bytes, not file bytes.
    pub transcoded_from: Option<&'static str>,
}

/// Returns the name used for `source` in messages and reject records.
pub fn display_name(source: &Source) -> String {
    match source {
        Source::File(path) => path.display().to_string(),
        Source::Stdin => "<stdin>".to_string(),
    }
}

/// Opens `source` and strips a UTF-8 or UTF-16 byte-order mark, which
/// [`OpenedSource::bom`] then names.
pub fn open_source(source: &Source, name: &str) -> Result<OpenedSource, InputError> {
    let raw: Box<dyn Read> = match source {
        Source::File(path) => Box::new(File::open(path).map_err(|error| InputError::Io {
            source_name: name.to_string(),
            error,
        })?),
        Source::Stdin => Box::new(io::stdin()),
    };
    let digest = DigestHandle::default();
    let mut reader = BufReader::new(HashingReader {
        inner: raw,
        digest: digest.clone(),
    });

    let prefix = read_prefix(&mut reader, UTF8_BOM.len()).map_err(|error| InputError::Io {
        source_name: name.to_string(),
        error,
    })?;
    let (bom, bom_len) = if prefix == UTF8_BOM {
        (ByteOrderMark::Utf8, 3)
    } else if prefix.starts_with(&[0xFF, 0xFE]) {
        (ByteOrderMark::Utf16Le, 2)
    } else if prefix.starts_with(&[0xFE, 0xFF]) {
        (ByteOrderMark::Utf16Be, 2)
    } else {
        (ByteOrderMark::None, 0)
    };
    let rest = prefix.get(bom_len..).unwrap_or_default().to_vec();
    Ok(OpenedSource {
        reader: Box::new(Cursor::new(rest).chain(reader)),
        digest,
        bom_len: bom_len as u64,
        bom,
        transcoded_from: None,
    })
}

/// Reads up to `len` bytes, fewer only at end of input.
fn read_prefix(reader: &mut impl Read, len: usize) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(len);
    reader.take(len as u64).read_to_end(&mut prefix)?;
    Ok(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn open_bytes(bytes: &[u8]) -> Result<(Vec<u8>, OpenedSource), InputError> {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(bytes).expect("write");
        let source = Source::File(file.path().to_path_buf());
        let mut opened = open_source(&source, "test.csv")?;
        let mut content = Vec::new();
        opened.reader.read_to_end(&mut content).expect("read");
        Ok((content, opened))
    }

    #[test]
    fn bom_is_stripped_and_hashed() {
        let (content, opened) = open_bytes(b"\xEF\xBB\xBF\"Email\"\n").expect("open");
        assert_eq!(content, b"\"Email\"\n");
        assert_eq!(opened.bom_len, 3);
        let (sha256, bytes) = opened.digest.finish();
        assert_eq!(bytes, 11);
        assert_eq!(sha256.len(), 64);
    }

    #[test]
    fn short_input_is_kept() {
        let (content, opened) = open_bytes(b"a\n").expect("open");
        assert_eq!(content, b"a\n");
        assert_eq!(opened.bom_len, 0);
        assert_eq!(opened.digest.finish().1, 2);
    }

    #[test]
    fn utf16_bom_is_named_and_stripped() {
        let (content, opened) = open_bytes(b"\xFF\xFEE\x00").expect("open");
        assert_eq!(content, b"E\x00");
        assert_eq!(opened.bom, ByteOrderMark::Utf16Le);
        assert_eq!(opened.bom_len, 2);
        let (content, opened) = open_bytes(b"\xFE\xFF\x00E").expect("open");
        assert_eq!(content, b"\x00E");
        assert_eq!(opened.bom, ByteOrderMark::Utf16Be);
    }
}
