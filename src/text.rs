//! Helpers for printing text that came from outside: server replies and
//! input cells.

use std::borrow::Cow;

/// Escapes control characters (`\n`, `\t`, ESC and the rest) so that text
/// from a server or a CSV cell cannot move the cursor, clear the screen or
/// forge log lines when printed.
pub fn escape_control(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            '\t' => escaped.push_str("\\t"),
            c if c.is_control() => escaped.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => escaped.push(c),
        }
    }
    Cow::Owned(escaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_control_leaves_plain_text() {
        assert!(matches!(escape_control("Zoë O’Neil"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_control_escapes_terminal_sequences() {
        assert_eq!(escape_control("a\x1b[2Jb\n"), "a\\u{1b}[2Jb\\n");
    }
}
