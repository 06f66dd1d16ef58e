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

    let best_count = counts.iter().copied().max().unwrap_or(0);
    if best_count == 0 {
        return b',';
    }
    let tied: Vec<u8> = CANDIDATES
        .iter()
        .zip(counts.iter())
        .filter(|&(_, &count)| count == best_count)
        .map(|(&candidate, _)| candidate)
        .collect();
    // On a tie, such as `E-Mail;Name, Vorname`, the candidate whose split
    // yields an email column name is the delimiter; otherwise the order of
    // CANDIDATES decides.
    tied.iter()
        .copied()
        .find(|&candidate| splits_off_email_column(header_line, candidate))
        .or_else(|| tied.first().copied())
        .unwrap_or(b',')
}

/// Returns whether splitting the header line at `delimiter` gives a cell
/// that names an email column. Quotes around a cell are ignored.
fn splits_off_email_column(header_line: &[u8], delimiter: u8) -> bool {
    String::from_utf8_lossy(header_line)
        .split(delimiter as char)
        .any(|cell| super::header::names_email(cell.trim().trim_matches('"')))
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
    fn ties_prefer_split_naming_email() {
        assert_eq!(detect_delimiter(b"E-Mail;Name, Vorname"), b';');
        assert_eq!(detect_delimiter(b"Email,Name; Title"), b',');
    }

    #[test]
    fn ties_prefer_comma_then_semicolon() {
        assert_eq!(detect_delimiter(b"a;b,c"), b',');
        assert_eq!(detect_delimiter(b"a\tb;c"), b';');
    }
}
