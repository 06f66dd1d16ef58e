//! Property tests of the reader: arbitrary bytes read as CSV, JSON or
//! NDJSON, with or without a header, in any encoding mode, give records or
//! an error that names the file, and never panic.

use drippulse::input::{read_source, EncodingChoice, Format, ReadOptions, Record, Source};
use proptest::prelude::*;

/// Reads `bytes` as `format` and checks the contract: no panic (a panic
/// fails the test), every record has a 1-based line, and an error names
/// the file.
fn check_read(bytes: &[u8], format: Format, options: ReadOptions) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("input.dat");
    std::fs::write(&path, bytes).expect("write");
    let options = ReadOptions {
        format: Some(format),
        ..options
    };
    let mut lines = Vec::new();
    let result = read_source(&Source::File(path), &options, &mut |record| {
        match record {
            Record::Contact(location, _) | Record::Blank(location) => lines.push(location.line),
            Record::NonData(location, _) => lines.push(location.line),
            Record::Reject(reject) => lines.push(reject.location.line),
            Record::Header(_) | Record::Warning(_) => {}
        }
        Ok(())
    });
    prop_assert!(lines.iter().all(|&line| line >= 1), "{lines:?}");
    if let Err(error) = result {
        let message = format!("{error:#}");
        prop_assert!(message.contains("input.dat"), "{message}");
    }
    Ok(())
}

/// Bytes that look like CSV more often than uniform random bytes do.
fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        Just(b"email".to_vec()),
        Just(b"E-mail Address".to_vec()),
        Just(b"ada@example.com".to_vec()),
        Just(b"sep=;".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xFF\xFE".to_vec()),
        Just(b"\"".to_vec()),
        Just(b",".to_vec()),
        Just(b";".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\0".to_vec()),
        Just(b"\xE9".to_vec()),
        Just("\u{e9}".as_bytes().to_vec()),
        Just(b"Grand Totals (3 records)".to_vec()),
        prop::collection::vec(any::<u8>(), 0..8),
    ];
    prop::collection::vec(pieces, 0..40).prop_map(|pieces| pieces.concat())
}

fn json_like() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        Just(b"[".to_vec()),
        Just(b"]".to_vec()),
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b"\"email\":".to_vec()),
        Just(b"\"members\":".to_vec()),
        Just(b"\"results\":".to_vec()),
        Just(b"\"properties\":".to_vec()),
        Just(b"\"status\":\"cleaned\"".to_vec()),
        Just(b"\"ada@example.com\"".to_vec()),
        Just(b",".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"null".to_vec()),
        Just(b"12".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        prop::collection::vec(any::<u8>(), 0..6),
    ];
    prop::collection::vec(pieces, 0..40).prop_map(|pieces| pieces.concat())
}

fn any_options() -> impl Strategy<Value = ReadOptions> {
    (
        any::<bool>(),
        prop::option::of(1usize..4),
        prop_oneof![
            Just("auto"),
            Just("utf-8"),
            Just("windows-1252"),
            Just("utf-16le")
        ],
    )
        .prop_map(|(no_header, email_column, encoding)| ReadOptions {
            no_header,
            email_column,
            encoding: EncodingChoice::from_label(encoding).unwrap_or_default(),
            ..ReadOptions::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_as_csv(bytes in prop::collection::vec(any::<u8>(), 0..512), options in any_options()) {
        check_read(&bytes, Format::Csv, options)?;
    }

    #[test]
    fn csv_like_bytes(bytes in csv_like(), options in any_options()) {
        check_read(&bytes, Format::Csv, options)?;
    }

    #[test]
    fn arbitrary_bytes_as_json(bytes in prop::collection::vec(any::<u8>(), 0..512), options in any_options()) {
        check_read(&bytes, Format::Json, options)?;
    }

    #[test]
    fn json_like_bytes(bytes in json_like(), options in any_options()) {
        check_read(&bytes, Format::Json, options.clone())?;
        check_read(&bytes, Format::Ndjson, options)?;
    }
}
