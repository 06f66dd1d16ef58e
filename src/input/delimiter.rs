//! CSV delimiter detection from the header line.
//!
//! Only the header line is looked at, and only outside quotes: data rows
//! mislead a counter (European exports hold `1234,50` in `;`-separated
//! rows), while header names rarely contain delimiters. Characters that
//! occur in addresses, such as `@` and `.`, are never candidates, so a
//! one-column list of addresses stays one column.

/// Candidate delimiters, in the order that breaks ties.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Returns the candidate that occurs most often in `header_line` outside
/// double quotes, or `,` when none occurs (a single-column file).
pub fn detect_delimiter(header_line: &[u8]) -> u8 {
    let mut counts = [0usize; CANDIDATES.len()];
    let mut in_quotes = false;
    for &byte in header_line {
        if byte == b'"' {
            in_quotes = !in_quotes;
            continue;
        }
        if in_quotes {
            continue;
        }
        if let Some(index) = CANDIDATES.iter().position(|&c| c == byte) {
            if let Some(count) = counts.get_mut(index) {
                *count += 1;
            }
        }
    }

    let mut best = b',';
    let mut best_count = 0;
    for (&candidate, &count) in CANDIDATES.iter().zip(counts.iter()) {
        if count > best_count {
            best = candidate;
            best_count = count;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_candidate() {
        assert_eq!(detect_delimiter(b"email,first_name,last_name"), b',');
        assert_eq!(detect_delimiter(b"E-Mail;Vorname;Nachname;Firma"), b';');
        assert_eq!(detect_delimiter(b"Email\tFirst Name\tLast Name"), b'\t');
        assert_eq!(detect_delimiter(b"email|name"), b'|');
    }

    #[test]
    fn single_column_defaults_to_comma() {
        assert_eq!(detect_delimiter(b"Email"), b',');
        assert_eq!(detect_delimiter(b"ada.example@example.com"), b',');
        assert_eq!(detect_delimiter(b""), b',');
    }

    #[test]
    fn quoted_delimiters_are_ignored() {
        assert_eq!(
            detect_delimiter(b"\"Name, full\";\"Company, legal\";Email"),
            b';'
        );
        assert_eq!(detect_delimiter(b"\"a;b;c\",email"), b',');
    }

    #[test]
    fn ties_prefer_comma_then_semicolon() {
        assert_eq!(detect_delimiter(b"a;b,c"), b',');
        assert_eq!(detect_delimiter(b"a\tb;c"), b';');
    }
}
