//! Email address normalisation and the validity rules for marketing sends.
//!
//! The rules are a practical subset of RFC 5321. An address has one `@`
//! and a dot-atom local part of at most 64 octets, and is ASCII only
//! (SMTPUTF8 is off). Its domain has at least two hostname labels, and the
//! last label is not all digits. The whole address is at most 254 octets. Quoted local parts, comments and address literals
//! are valid under the RFC but rejected here, because mail providers and
//! marketing platforms refuse them too.

use std::fmt;

/// Maximum length of the local part in octets (RFC 5321 section 4.5.3.1.1).
const MAX_LOCAL_OCTETS: usize = 64;
/// Maximum length of one domain label in octets (RFC 1035 section 2.3.4).
const MAX_LABEL_OCTETS: usize = 63;
/// Maximum length of a whole address in octets: the 256-octet path limit of
/// RFC 5321 minus the angle brackets.
const MAX_ADDRESS_OCTETS: usize = 254;

/// Reason an address is rejected. `Display` gives the reason as a short
/// clause for messages such as `invalid email "x": <reason>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailError {
    /// Nothing left after trimming whitespace.
    Empty,
    /// Whitespace or a zero-width character inside the address.
    InnerWhitespace(char),
    /// A character outside ASCII (internationalised addresses need SMTPUTF8).
    NonAscii(char),
    MissingAt,
    MultipleAt,
    EmptyLocalPart,
    LocalPartTooLong(usize),
    /// A character that dot-atom text does not allow, such as `"`, `:` or `<`.
    InvalidLocalChar(char),
    /// A dot at the start or end of the local part, or two dots in a row.
    MisplacedDot,
    EmptyDomain,
    /// A domain with a single label, such as `localhost`.
    SingleLabelDomain,
    /// An empty label: a leading, trailing or doubled dot in the domain.
    EmptyDomainLabel,
    DomainLabelTooLong(usize),
    InvalidDomainChar(char),
    /// A label that starts or ends with `-`.
    HyphenAtLabelEdge,
    /// The last label is all digits, as in an IP address.
    NumericTopLevelLabel,
    TooLong(usize),
}

impl fmt::Display for EmailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmailError::Empty => write!(f, "the address is empty"),
            EmailError::InnerWhitespace(c) => write!(
                f,
                "contains whitespace or an invisible character ({}) inside the address",
                describe_char(*c)
            ),
            EmailError::NonAscii(c) => write!(
                f,
                "contains the non-ASCII character {}; internationalised addresses are not supported",
                describe_char(*c)
            ),
            EmailError::MissingAt => write!(f, "no \"@\""),
            EmailError::MultipleAt => write!(f, "more than one \"@\""),
            EmailError::EmptyLocalPart => write!(f, "nothing before the \"@\""),
            EmailError::LocalPartTooLong(n) => write!(
                f,
                "the part before \"@\" is {n} octets long, more than the maximum of {MAX_LOCAL_OCTETS}"
            ),
            EmailError::InvalidLocalChar(c) => write!(
                f,
                "the part before \"@\" contains {}, which is not allowed (quoted or display-name forms are not accepted)",
                describe_char(*c)
            ),
            EmailError::MisplacedDot => write!(
                f,
                "the part before \"@\" starts or ends with a dot or has two dots in a row"
            ),
            EmailError::EmptyDomain => write!(f, "nothing after the \"@\""),
            EmailError::SingleLabelDomain => {
                write!(f, "the domain has no dot (at least two labels are required)")
            }
            EmailError::EmptyDomainLabel => write!(
                f,
                "the domain starts or ends with a dot or has two dots in a row"
            ),
            EmailError::DomainLabelTooLong(n) => write!(
                f,
                "a domain label is {n} octets long, more than the maximum of {MAX_LABEL_OCTETS}"
            ),
            EmailError::InvalidDomainChar(c) => write!(
                f,
                "the domain contains {}; only letters, digits, hyphens and dots are allowed",
                describe_char(*c)
            ),
            EmailError::HyphenAtLabelEdge => {
                write!(f, "a domain label starts or ends with a hyphen")
            }
            EmailError::NumericTopLevelLabel => {
                write!(f, "the last domain label is all digits")
            }
            EmailError::TooLong(n) => write!(
                f,
                "the address is {n} octets long, more than the maximum of {MAX_ADDRESS_OCTETS}"
            ),
        }
    }
}

impl std::error::Error for EmailError {}

/// Trims, then validates an address, returning the trimmed address with its
/// case kept.
///
/// The dedup key is the returned value lower-cased; no provider-specific
/// folding (Gmail dots, `+tag`) is applied. [`EmailError::Empty`] means the
/// address is missing rather than malformed.
pub fn normalize_email(raw: &str) -> Result<String, EmailError> {
    let address = trim_email(raw);
    validate_email(address)?;
    Ok(address.to_string())
}

/// Removes leading and trailing whitespace, including NBSP, the U+2000
/// spaces, U+3000, the zero-width space U+200B and the byte-order mark
/// U+FEFF, which spreadsheets and copy-paste leave around addresses.
pub fn trim_email(raw: &str) -> &str {
    raw.trim_matches(is_space_or_invisible)
}

/// Reports whether `c` is whitespace or a zero-width character that must not
/// appear inside an address.
fn is_space_or_invisible(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Checks an already trimmed address against the rules in the module
/// documentation.
fn validate_email(address: &str) -> Result<(), EmailError> {
    if address.is_empty() {
        return Err(EmailError::Empty);
    }
    if let Some(c) = address.chars().find(|&c| is_space_or_invisible(c)) {
        return Err(EmailError::InnerWhitespace(c));
    }
    if let Some(c) = address.chars().find(|c| !c.is_ascii()) {
        return Err(EmailError::NonAscii(c));
    }

    let mut parts = address.split('@');
    let (local, domain) = match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => (local, domain),
        (_, None, _) => return Err(EmailError::MissingAt),
        _ => return Err(EmailError::MultipleAt),
    };

    validate_local_part(local)?;
    validate_domain(domain)?;

    // Checked last so that a more specific reason wins for short parts.
    if address.len() > MAX_ADDRESS_OCTETS {
        return Err(EmailError::TooLong(address.len()));
    }
    Ok(())
}

fn validate_local_part(local: &str) -> Result<(), EmailError> {
    if local.is_empty() {
        return Err(EmailError::EmptyLocalPart);
    }
    if local.len() > MAX_LOCAL_OCTETS {
        return Err(EmailError::LocalPartTooLong(local.len()));
    }
    if let Some(c) = local.chars().find(|&c| !is_atext(c) && c != '.') {
        return Err(EmailError::InvalidLocalChar(c));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(EmailError::MisplacedDot);
    }
    Ok(())
}

/// Reports whether `c` is RFC 5322 `atext`: letters, digits and
/// ``! # $ % & ' * + - / = ? ^ _ ` { | } ~``.
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

fn validate_domain(domain: &str) -> Result<(), EmailError> {
    if domain.is_empty() {
        return Err(EmailError::EmptyDomain);
    }
    if let Some(c) = domain
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
    {
        return Err(EmailError::InvalidDomainChar(c));
    }

    let labels: Vec<&str> = domain.split('.').collect();
    if labels.iter().any(|label| label.is_empty()) {
        return Err(EmailError::EmptyDomainLabel);
    }
    if labels.len() < 2 {
        return Err(EmailError::SingleLabelDomain);
    }
    for label in &labels {
        if label.len() > MAX_LABEL_OCTETS {
            return Err(EmailError::DomainLabelTooLong(label.len()));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(EmailError::HyphenAtLabelEdge);
        }
    }
    if let Some(last) = labels.last() {
        if last.chars().all(|c| c.is_ascii_digit()) {
            return Err(EmailError::NumericTopLevelLabel);
        }
    }
    Ok(())
}

/// Names a character for a message: printable ASCII in quotes, letters with
/// their code point, anything else as its code point only, so invisible
/// characters become visible.
fn describe_char(c: char) -> String {
    if c == ' ' {
        "a space".to_string()
    } else if c.is_ascii_graphic() {
        format!("\"{c}\"")
    } else if c.is_alphabetic() {
        format!("\"{c}\" (U+{:04X})", u32::from(c))
    } else {
        format!("U+{:04X}", u32::from(c))
    }
}

/// Quotes a value for a message, escaping control, whitespace and
/// zero-width characters other than the plain space so the reader sees what
/// the cell really holds.
pub(crate) fn quote_value(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\t' => quoted.push_str("\\t"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            ' ' => quoted.push(' '),
            c if c.is_control() || is_space_or_invisible(c) => {
                quoted.push_str(&format!("\\u{{{:04X}}}", u32::from(c)));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_addresses_are_accepted() {
        let valid = [
            "simple@example.com",
            "very.common@example.com",
            "o'example@example.com",
            "user+tag@example.org",
            "x@example.com",
            "1234567890@example.com",
            "user-name@sub-domain.example.org",
            "Ada.Example@Example.COM",
            "a@b.co",
            "x@123.example",
            &format!("{}@example.com", "a".repeat(64)),
        ];
        for address in valid {
            assert_eq!(
                normalize_email(address).as_deref(),
                Ok(address),
                "{address}"
            );
        }
    }

    #[test]
    fn invalid_addresses_give_reasons() {
        let long_domain = format!(
            "{}@{}.{}.{}.example.com",
            "a".repeat(64),
            "d".repeat(60),
            "d".repeat(60),
            "d".repeat(60)
        );
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long_label = format!("ada@{}.com", "d".repeat(64));
        let cases: Vec<(&str, EmailError)> = vec![
            ("plainaddress", EmailError::MissingAt),
            ("@example.com", EmailError::EmptyLocalPart),
            ("ada@", EmailError::EmptyDomain),
            ("ada@@example.com", EmailError::MultipleAt),
            (".ada@example.com", EmailError::MisplacedDot),
            ("ada.@example.com", EmailError::MisplacedDot),
            ("ada..example@example.com", EmailError::MisplacedDot),
            ("ada@example..com", EmailError::EmptyDomainLabel),
            ("ada@example.com.", EmailError::EmptyDomainLabel),
            ("ada@localhost", EmailError::SingleLabelDomain),
            ("ada@-sales.example.com", EmailError::HyphenAtLabelEdge),
            ("ada@sales-.example.com", EmailError::HyphenAtLabelEdge),
            (
                "ada@exa_mple.example.com",
                EmailError::InvalidDomainChar('_'),
            ),
            ("ada@[192.0.2.10]", EmailError::InvalidDomainChar('[')),
            ("ada@192.0.2.10", EmailError::NumericTopLevelLabel),
            (
                "\"ada example\"@example.com",
                EmailError::InnerWhitespace(' '),
            ),
            ("\"ada\"@example.com", EmailError::InvalidLocalChar('"')),
            (
                "Ada Example <ada@example.com>",
                EmailError::InnerWhitespace(' '),
            ),
            ("mailto:ada@example.com", EmailError::InvalidLocalChar(':')),
            (
                "ada@example.com, grace@example.org",
                EmailError::InnerWhitespace(' '),
            ),
            ("ada@example.com;grace@example.org", EmailError::MultipleAt),
            ("adá@example.com", EmailError::NonAscii('á')),
            ("ada @example.com", EmailError::InnerWhitespace(' ')),
            (
                "ada\u{200B}@example.com",
                EmailError::InnerWhitespace('\u{200B}'),
            ),
            ("#N/A", EmailError::MissingAt),
            ("", EmailError::Empty),
            (" \t\u{A0}", EmailError::Empty),
            (&long_local, EmailError::LocalPartTooLong(65)),
            (&long_label, EmailError::DomainLabelTooLong(64)),
            (&long_domain, EmailError::TooLong(long_domain.len())),
        ];
        for (address, expected) in cases {
            assert_eq!(normalize_email(address), Err(expected), "{address:?}");
        }
    }

    #[test]
    fn surrounding_whitespace_is_trimmed() {
        let padded = [
            " ada@example.com",
            "ada@example.com ",
            "\tAda@Example.com",
            "ada@example.com\u{A0}",
            "\u{200B}ada@example.com",
            "\u{FEFF}ada@example.com",
            "\u{3000}ada@example.com\u{202F}",
            "\u{2003}ada@example.com\r\n",
        ];
        for raw in padded {
            let normalized = normalize_email(raw);
            assert!(normalized.is_ok(), "{raw:?}: {normalized:?}");
            let address = normalized.unwrap_or_default();
            assert_eq!(address.to_lowercase(), "ada@example.com", "{raw:?}");
        }
    }

    #[test]
    fn case_is_kept() {
        assert_eq!(
            normalize_email("ADA@EXAMPLE.COM").as_deref(),
            Ok("ADA@EXAMPLE.COM")
        );
    }

    #[test]
    fn quote_value_escapes_invisible_characters() {
        assert_eq!(quote_value("a\tb"), "\"a\\tb\"");
        assert_eq!(quote_value("\u{200B}x"), "\"\\u{200B}x\"");
        assert_eq!(quote_value("x\u{A0}"), "\"x\\u{00A0}\"");
        assert_eq!(quote_value("say \"hi\""), "\"say \\\"hi\\\"\"");
        assert_eq!(quote_value("\u{1}"), "\"\\u{0001}\"");
    }
}
