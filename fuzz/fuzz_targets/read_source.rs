//! Fuzzes `drippulse::input::read_source` with arbitrary bytes. The first
//! byte picks the format and options; the rest is the file. The reader must
//! return records or an error, and never panic.

#![no_main]

use drippulse::input::{read_source, EncodingChoice, Format, ReadOptions, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, content)) = data.split_first() else {
        return;
    };
    let format = match selector % 3 {
        0 => Format::Csv,
        1 => Format::Json,
        _ => Format::Ndjson,
    };
    let encoding = match (selector / 3) % 3 {
        0 => EncodingChoice::Auto,
        1 => EncodingChoice::from_label("utf-8").unwrap_or_default(),
        _ => EncodingChoice::from_label("windows-1252").unwrap_or_default(),
    };
    let options = ReadOptions {
        format: Some(format),
        encoding,
        no_header: selector & 0x40 != 0,
        ..ReadOptions::default()
    };

    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let path = dir.path().join("input");
    if std::fs::write(&path, content).is_err() {
        return;
    }
    let _ = read_source(&Source::File(path), &options, &mut |_| Ok(()));
});
