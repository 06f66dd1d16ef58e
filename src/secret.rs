//! The API key, held so that it cannot leak through formatting.

use std::fmt;

/// An API key. `Debug` and `Display` print a placeholder, so logging a
/// struct that holds one is safe. The one place the key is exposed is
/// [`ApiKey::expose`], called where the `Authorization` header is built.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: String) -> ApiKey {
        ApiKey(key)
    }

    /// Returns the key itself. Call it only to build the request header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_debug_and_display_redact() {
        let key = ApiKey::new("adcrm_test_supersecret".to_string());
        assert!(!format!("{key:?}").contains("supersecret"));
        assert!(!format!("{key}").contains("supersecret"));
        assert_eq!(key.expose(), "adcrm_test_supersecret");
    }
}
