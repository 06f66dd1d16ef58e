//! The committed completion scripts and man pages match the clap definitions.

use std::path::Path;

/// Set this variable to rewrite the committed files instead of comparing.
const REGENERATE_ENV: &str = "DRIPPULSE_REGENERATE";

#[test]
fn generated_files_match_cli() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = drippulse::commands::completions::generated_files().expect("render files");
    let regenerate = std::env::var_os(REGENERATE_ENV).is_some();

    let mut stale = Vec::new();
    for (relative, contents) in files {
        let path = root.join(&relative);
        if regenerate {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &contents).unwrap();
            continue;
        }
        if std::fs::read(&path).ok().as_deref() != Some(contents.as_slice()) {
            stale.push(relative);
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are out of date: {stale:?}\nregenerate them with: {REGENERATE_ENV}=1 cargo test --test cli generated_files_match_cli"
    );
}
