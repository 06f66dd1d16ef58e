//! Turning the values found in one row into a [`Contact`] or a [`Reject`].
//!
//! The CSV, JSON and flag readers each collect a [`RowValues`]; the rules
//! for email, key and field order live here once.

use serde_json::{Map, Value};

use super::email::{normalize_email, quote_value, EmailError};
use super::header::normalize_header_name;
use super::{Contact, Field, KeySpec, Location, Record, Reject, RejectReason};

/// The email value as found in a row.
#[derive(Debug, Clone)]
pub enum EmailValue {
    /// No email field, or a JSON `null`.
    Absent,
    Text(String),
    /// A JSON value that is not a string, described for the message.
    WrongType(String),
}

/// Everything a reader found in one row, before validation.
#[derive(Debug, Clone)]
pub struct RowValues {
    pub email: EmailValue,
    /// Standard fields other than email; empty values are already dropped.
    pub standard: Vec<(Field, Value)>,
    /// Custom fields in input order; empty values are already dropped.
    pub custom: Vec<(String, Value)>,
    /// The raw value of the key column for [`KeySpec::Column`], if present.
    pub key_value: Option<String>,
}

/// Validates `row` and builds its record. `cells` are the original cells,
/// kept for the rejects file.
pub fn build_record(
    location: Location,
    row: RowValues,
    key: &KeySpec,
    cells: Vec<String>,
) -> Record {
    let reject = |reason: RejectReason, message: String| {
        Record::Reject(Reject {
            location: location.clone(),
            reason,
            message,
            cells: cells.clone(),
        })
    };

    let email = match &row.email {
        EmailValue::Absent => {
            return reject(
                RejectReason::MissingEmail,
                "missing email address; fill in the email cell or remove the row".to_string(),
            )
        }
        EmailValue::WrongType(found) => {
            return reject(
                RejectReason::InvalidEmail,
                format!("invalid email: expected a string, found {found}"),
            )
        }
        EmailValue::Text(raw) => match normalize_email(raw) {
            Ok(email) => email,
            Err(EmailError::Empty) => {
                return reject(
                    RejectReason::MissingEmail,
                    "missing email address; fill in the email cell or remove the row".to_string(),
                )
            }
            Err(error) => {
                return reject(
                    RejectReason::InvalidEmail,
                    format!("invalid email {}: {error}", quote_value(raw)),
                )
            }
        },
    };

    let contact_key = match key {
        KeySpec::Email => email.to_lowercase(),
        KeySpec::Column(column) => {
            let value = row.key_value.as_deref().map(str::trim).unwrap_or("");
            if value.is_empty() {
                return reject(
                    RejectReason::MissingKey,
                    format!(
                        "missing key: \"{}\" is empty; fill it in or choose another --key",
                        column.trim()
                    ),
                );
            }
            value.to_string()
        }
    };

    let mut fields = Map::new();
    fields.insert("email".to_string(), Value::String(email.clone()));
    let mut lead_ref = None;
    for (field, value) in row.standard {
        if field == Field::LeadRef {
            lead_ref = Some(scalar_to_string(&value));
        }
        fields.insert(field.api_name().to_string(), value);
    }
    for (name, value) in row.custom {
        // The first column of a name wins, and a custom column never
        // replaces a standard field of the same name.
        fields.entry(name).or_insert(value);
    }

    Record::Contact(
        location,
        Contact {
            email,
            key: contact_key,
            lead_ref,
            fields,
        },
    )
}

/// Returns a JSON scalar as text: strings as they are, numbers and booleans
/// in their JSON spelling.
pub fn scalar_to_string(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Builds the record for a contact given with flags; see
/// [`super::contact_from_flags`].
pub fn record_from_flags(
    email: &str,
    first_name: Option<&str>,
    last_name: Option<&str>,
    fields: &[(String, String)],
    key: &KeySpec,
) -> Record {
    let location = Location {
        source: "--email".to_string(),
        line: 1,
    };

    let mut standard: Vec<(Field, Value)> = Vec::new();
    let mut push_standard = |field: Field, value: &str| {
        let trimmed = value.trim();
        if !trimmed.is_empty() && !standard.iter().any(|(existing, _)| *existing == field) {
            standard.push((field, Value::String(trimmed.to_string())));
        }
    };
    if let Some(first_name) = first_name {
        push_standard(Field::FirstName, first_name);
    }
    if let Some(last_name) = last_name {
        push_standard(Field::LastName, last_name);
    }

    let mut custom = Vec::new();
    for (name, value) in fields {
        match Field::from_api_name(name.trim()) {
            Some(Field::Email) | None => {
                if !value.trim().is_empty() {
                    custom.push((name.clone(), Value::String(value.clone())));
                }
            }
            Some(field) => push_standard(field, value),
        }
    }
    standard.sort_by_key(|(field, _)| field.order());

    let key_value = match key {
        KeySpec::Email => None,
        KeySpec::Column(column) => {
            let target = normalize_header_name(column);
            fields
                .iter()
                .find(|(name, _)| normalize_header_name(name) == target)
                .map(|(_, value)| value.clone())
        }
    };

    let mut cells = vec![
        email.to_string(),
        first_name.unwrap_or_default().to_string(),
        last_name.unwrap_or_default().to_string(),
    ];
    cells.extend(fields.iter().map(|(name, value)| format!("{name}={value}")));

    let row = RowValues {
        email: EmailValue::Text(email.to_string()),
        standard,
        custom,
        key_value,
    };
    build_record(location, row, key, cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(record: Record) -> Contact {
        match record {
            Record::Contact(_, contact) => contact,
            other => panic!("expected a contact, got {other:?}"),
        }
    }

    fn reject(record: Record) -> Reject {
        match record {
            Record::Reject(reject) => reject,
            other => panic!("expected a reject, got {other:?}"),
        }
    }

    #[test]
    fn flags_build_fields_in_order() {
        let fields = vec![
            ("plan".to_string(), "=SUM(1)".to_string()),
            ("company_name".to_string(), "Example Ltd".to_string()),
            ("empty".to_string(), String::new()),
        ];
        let record = record_from_flags(
            " Ada@Example.com ",
            Some("Ada"),
            None,
            &fields,
            &KeySpec::Email,
        );
        let contact = contact(record);
        assert_eq!(contact.email, "Ada@Example.com");
        assert_eq!(contact.key, "ada@example.com");
        let keys: Vec<&str> = contact.fields.keys().map(String::as_str).collect();
        assert_eq!(keys, vec!["email", "first_name", "company_name", "plan"]);
        assert_eq!(contact.fields.get("plan"), Some(&Value::from("=SUM(1)")));
    }

    #[test]
    fn flags_key_comes_from_field() {
        let fields = vec![("signup_id".to_string(), " 42 ".to_string())];
        let key = KeySpec::Column("Signup_ID".to_string());
        let contact = contact(record_from_flags(
            "ada@example.com",
            None,
            None,
            &fields,
            &key,
        ));
        assert_eq!(contact.key, "42");
    }

    #[test]
    fn flags_without_key_field_are_rejected() {
        let key = KeySpec::Column("signup_id".to_string());
        let reject = reject(record_from_flags("ada@example.com", None, None, &[], &key));
        assert_eq!(reject.reason, RejectReason::MissingKey);
        assert_eq!(reject.location.source, "--email");
        assert_eq!(reject.location.line, 1);
    }

    #[test]
    fn flags_with_invalid_email_name_the_value() {
        let reject = reject(record_from_flags(
            "ada@@example.com",
            None,
            None,
            &[],
            &KeySpec::Email,
        ));
        assert_eq!(reject.reason, RejectReason::InvalidEmail);
        assert_eq!(
            reject.message,
            "invalid email \"ada@@example.com\": more than one \"@\""
        );
    }
}
