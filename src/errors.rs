//! Rendering an error for people: `error:`, one `caused by:` line per
//! cause, then `hint:` lines for causes with a known fix. The API key is
//! redacted from everything, as a last line of defence.

use crate::settings::API_KEY_ENV;

/// Renders the error chain as printed on stderr.
pub fn render(error: &anyhow::Error) -> String {
    let mut text = format!("error: {error}");
    for cause in error.chain().skip(1) {
        text.push_str(&format!("\n  caused by: {cause}"));
    }
    for hint in hints(error) {
        text.push_str(&format!("\nhint: {hint}"));
    }
    redact_key(&text)
}

fn hints(error: &anyhow::Error) -> Vec<&'static str> {
    let mut hints = Vec::new();
    for cause in error.chain() {
        if let Some(crate::api::ApiError::Unauthorized { .. }) = cause.downcast_ref() {
            hints.push("check DRIPPULSE_API_KEY: it must be a current organization key (adcrm_live_... or adcrm_test_...) for this --api-url");
        }
        if let Some(rusqlite::Error::SqliteFailure(failure, _)) =
            cause.downcast_ref::<rusqlite::Error>()
        {
            if failure.code == rusqlite::ErrorCode::DatabaseBusy
                || failure.code == rusqlite::ErrorCode::DatabaseLocked
            {
                hints.push("another drippulse process is using the ledger; wait for it to finish");
            }
            if failure.code == rusqlite::ErrorCode::DatabaseCorrupt
                || failure.code == rusqlite::ErrorCode::NotADatabase
            {
                hints.push("the ledger file is damaged; keep a copy and restore it from a backup, since drippulse never recreates it on its own");
            }
        }
    }
    hints
}

/// Replaces every occurrence of the configured API key with `<redacted>`.
pub fn redact_key(text: &str) -> String {
    match std::env::var(API_KEY_ENV) {
        Ok(key) if key.trim().len() >= 8 => text.replace(key.trim(), "<redacted>"),
        _ => text.to_string(),
    }
}
