//! Header matching: which column becomes which contact field.
//!
//! Names are compared after removing U+FEFF, trimming whitespace (NBSP
//! included) and case-folding, so `"\u{FEFF}E-Mail "` matches the alias
//! `e-mail`. `--map` overrides win over aliases. Address-book exports with
//! several address columns (Outlook `E-mail 2 Address`, Google
//! `E-mail 2 - Value`) give fallbacks that are used, in order, when the
//! primary email cell of a row is empty.

use super::{Field, KeySpec, ReadOptions};

/// Header aliases per field, in normalised form.
const EMAIL_ALIASES: &[&str] = &[
    "email",
    "e-mail",
    "email address",
    "email_address",
    "emailaddress",
    "e-mail address",
    "e-mail 1 - value",
    "email 1 - value",
    "e-mail-adresse",
    "courriel",
    "adresse e-mail",
    "adresse email",
    "adresse électronique",
    "correo electrónico",
    "correo electronico",
    "correo",
];
const FIRST_NAME_ALIASES: &[&str] = &[
    "first name",
    "firstname",
    "first_name",
    "given name",
    "vorname",
    "fname",
    "prénom",
    "prenom",
    "nombre",
];
const LAST_NAME_ALIASES: &[&str] = &[
    "last name",
    "lastname",
    "last_name",
    "family name",
    "surname",
    "nachname",
    "lname",
    "nom",
    "nom de famille",
    "apellidos",
    "apellido",
];
const COMPANY_ALIASES: &[&str] = &[
    "company",
    "company name",
    "company_name",
    "organization name",
    "company / account",
    "associated company",
    "firma",
    "société",
    "societe",
    "entreprise",
    "empresa",
];
const LEAD_REF_ALIASES: &[&str] = &["lead_ref", "lead ref", "lead id", "lead_id"];

/// Normalises a header name for comparison: drops U+FEFF, trims whitespace
/// (NBSP included, as `char::is_whitespace` defines it) and lower-cases.
pub fn normalize_header_name(name: &str) -> String {
    let without_bom: String = name.chars().filter(|&c| c != '\u{FEFF}').collect();
    without_bom.trim().to_lowercase()
}

/// Returns the field whose aliases contain `name` (in any spelling that
/// normalises to an alias).
pub fn field_for_alias(name: &str) -> Option<Field> {
    let normalized = normalize_header_name(name);
    let lists: [(Field, &[&str]); 5] = [
        (Field::Email, EMAIL_ALIASES),
        (Field::FirstName, FIRST_NAME_ALIASES),
        (Field::LastName, LAST_NAME_ALIASES),
        (Field::CompanyName, COMPANY_ALIASES),
        (Field::LeadRef, LEAD_REF_ALIASES),
    ];
    lists
        .iter()
        .find(|(_, aliases)| aliases.contains(&normalized.as_str()))
        .map(|(field, _)| *field)
}

/// Reports whether a normalised header name is an email column name: an
/// alias, or an extra address column of a multi-address export.
pub fn is_email_header_name(normalized: &str) -> bool {
    EMAIL_ALIASES.contains(&normalized) || fallback_email_rank(normalized).is_some()
}

/// Normalised names of the Mailchimp columns that are filled in for
/// members who unsubscribed or whose address was cleaned (bounced).
const CONSENT_WITHDRAWN_COLUMNS: &[&str] = &["unsub_time", "clean_time"];

/// Returns N for an extra address column of a multi-address export:
/// `E-mail N Address` (Outlook) or `E-mail N - Value` (Google), with N ≥ 2.
/// `E-mail 1 - Value` is a plain alias instead.
fn fallback_email_rank(normalized: &str) -> Option<u32> {
    let rest = normalized
        .strip_prefix("e-mail ")
        .or_else(|| normalized.strip_prefix("email "))?;
    let digits_end = rest.find(|c: char| !c.is_ascii_digit())?;
    let (digits, suffix) = rest.split_at(digits_end);
    // Outlook's English, and German, spellings of its extra address columns.
    if suffix != " address" && suffix != " - value" && suffix != ": adresse" {
        return None;
    }
    let rank: u32 = digits.parse().ok()?;
    (rank >= 2).then_some(rank)
}

/// Returns whether a header cell names an email column, as the primary
/// address or a fallback one.
pub fn names_email(cell: &str) -> bool {
    let normalized = normalize_header_name(cell);
    EMAIL_ALIASES.contains(&normalized.as_str()) || fallback_email_rank(&normalized).is_some()
}

/// The result of matching a header: the column index (0-based) of each
/// field, and the columns sent as custom fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMapping {
    /// The email column first, then the fallback address columns in order.
    pub email_columns: Vec<usize>,
    /// Standard fields other than email, in [`Field`] order.
    pub standard: Vec<(Field, usize)>,
    /// Every other column with a non-empty name, in header order.
    pub custom: Vec<usize>,
    /// The column that contains the key for [`KeySpec::Column`].
    pub key_column: Option<usize>,
    /// Columns whose non-empty value means the contact withdrew consent
    /// (Mailchimp's `UNSUB_TIME` and `CLEAN_TIME`).
    pub consent_withdrawn: Vec<usize>,
}

impl ColumnMapping {
    /// Describes the mapping as (column as written, target) pairs for
    /// `-v` and `--dry-run` output.
    pub fn describe(&self, header: &[String]) -> Vec<(String, String)> {
        let name = |index: usize| header.get(index).cloned().unwrap_or_default();
        let mut described = Vec::new();
        for (rank, &column) in self.email_columns.iter().enumerate() {
            let target = if rank == 0 {
                "email".to_string()
            } else {
                format!("email (fallback {})", rank + 1)
            };
            described.push((name(column), target));
        }
        for &(field, column) in &self.standard {
            described.push((name(column), field.api_name().to_string()));
        }
        for &column in &self.custom {
            described.push((name(column), "custom field".to_string()));
        }
        described
    }
}

/// Matches `header` to fields. Errors are complete messages without the file
/// name, which the caller adds.
pub fn map_columns(header: &[String], options: &ReadOptions) -> Result<ColumnMapping, String> {
    let normalized: Vec<String> = header.iter().map(|h| normalize_header_name(h)).collect();
    let mut assigned = vec![false; header.len()];
    let mut standard: Vec<(Field, usize)> = Vec::new();
    let mut email_columns: Vec<usize> = Vec::new();

    // Without a header the address is in column 1 unless a flag says
    // otherwise.
    let maps_email = options
        .column_map
        .iter()
        .any(|(field, _)| *field == Field::Email);
    let email_column = options
        .email_column
        .or((options.no_header && !maps_email).then_some(1));
    if let Some(number) = email_column {
        if number == 0 || number > header.len() {
            return Err(format!(
                "--email-column {number} is outside the row, which has {} columns; give a \
                 number from 1 to {}",
                header.len(),
                header.len()
            ));
        }
        email_columns.push(number - 1);
        if let Some(flag) = assigned.get_mut(number - 1) {
            *flag = true;
        }
    }

    for (field, column_name) in &options.column_map {
        if *field == Field::Email && email_column.is_some() {
            continue;
        }
        let column = find_column(header, &normalized, column_name, "--map")?;
        if let Some(flag) = assigned.get_mut(column) {
            *flag = true;
        }
        if *field == Field::Email {
            email_columns.push(column);
        } else {
            standard.push((*field, column));
        }
    }

    if email_columns.is_empty() {
        email_columns = match_email_columns(header, &normalized, &assigned)?;
    }
    for &column in &email_columns {
        if let Some(flag) = assigned.get_mut(column) {
            *flag = true;
        }
    }

    for field in [
        Field::FirstName,
        Field::LastName,
        Field::CompanyName,
        Field::LeadRef,
    ] {
        if standard.iter().any(|(mapped, _)| *mapped == field) {
            continue;
        }
        // The first matching column wins; later ones with the same alias
        // stay custom fields so their values are not lost.
        let matched = (0..header.len()).find(|&column| {
            !assigned.get(column).copied().unwrap_or(true)
                && header
                    .get(column)
                    .is_some_and(|name| field_for_alias(name) == Some(field))
        });
        if let Some(column) = matched {
            if let Some(flag) = assigned.get_mut(column) {
                *flag = true;
            }
            standard.push((field, column));
        }
    }
    standard.sort_by_key(|(field, _)| field.order());

    // Only the primary email column is left out of the custom fields: the
    // fallback address columns are data the user may want to keep.
    let primary_email = email_columns.first().copied();
    let mapped_standard: Vec<usize> = standard.iter().map(|(_, column)| *column).collect();
    let custom = if options.no_header {
        // Without a header there are no column names to send values under.
        Vec::new()
    } else {
        (0..header.len())
            .filter(|column| Some(*column) != primary_email && !mapped_standard.contains(column))
            .filter(|&column| normalized.get(column).is_some_and(|name| !name.is_empty()))
            .collect()
    };
    let consent_withdrawn = (0..header.len())
        .filter(|&column| {
            normalized
                .get(column)
                .is_some_and(|name| CONSENT_WITHDRAWN_COLUMNS.contains(&name.as_str()))
        })
        .collect();

    let key_column = match &options.key {
        KeySpec::Email => None,
        KeySpec::Column(name) => Some(find_column(header, &normalized, name, "--key")?),
    };

    Ok(ColumnMapping {
        email_columns,
        standard,
        custom,
        key_column,
        consent_withdrawn,
    })
}

/// Describes each header name that occurs more than once (after
/// normalisation), with its 1-based column numbers, e.g.
/// `"UNSUB_REASON" (columns 5 and 9)`.
pub fn duplicate_names(header: &[String]) -> Vec<String> {
    let normalized: Vec<String> = header.iter().map(|h| normalize_header_name(h)).collect();
    let mut described = Vec::new();
    for (index, name) in normalized.iter().enumerate() {
        if name.is_empty()
            || normalized
                .get(..index)
                .is_some_and(|before| before.contains(name))
        {
            continue;
        }
        let columns: Vec<String> = normalized
            .iter()
            .enumerate()
            .filter(|(_, other)| *other == name)
            .map(|(column, _)| (column + 1).to_string())
            .collect();
        if columns.len() > 1 {
            let written = header.get(index).map(String::as_str).unwrap_or("").trim();
            described.push(format!("\"{written}\" (columns {})", columns.join(" and ")));
        }
    }
    described
}

/// Finds the email column and its fallbacks by alias. More than one column
/// with an email alias is ambiguous, because taking either could send the
/// wrong address.
fn match_email_columns(
    header: &[String],
    normalized: &[String],
    assigned: &[bool],
) -> Result<Vec<usize>, String> {
    let free = |column: &usize| !assigned.get(*column).copied().unwrap_or(true);
    let primary: Vec<usize> = (0..header.len())
        .filter(free)
        .filter(|&column| {
            normalized
                .get(column)
                .is_some_and(|name| EMAIL_ALIASES.contains(&name.as_str()))
        })
        .collect();

    if let [first, second, ..] = primary.as_slice() {
        let name_of = |column: usize| header.get(column).map(String::as_str).unwrap_or("");
        return Err(format!(
            "columns {} ({}) and {} ({}) both look like the email column; choose one with \
             --email-column {} or --email-column {} (or --map email={})",
            first + 1,
            name_of(*first).trim(),
            second + 1,
            name_of(*second).trim(),
            first + 1,
            second + 1,
            first + 1,
        ));
    }

    let mut fallbacks: Vec<(u32, usize)> = (0..header.len())
        .filter(free)
        .filter_map(|column| {
            let rank = fallback_email_rank(normalized.get(column)?)?;
            Some((rank, column))
        })
        .collect();
    fallbacks.sort();

    let mut columns = primary;
    columns.extend(fallbacks.into_iter().map(|(_, column)| column));
    if columns.is_empty() {
        return Err(format!(
            "no email column found; columns are: {}. Rename the address column to \"email\" \
             or name it with --map email=COLUMN",
            list_columns(header)
        ));
    }
    Ok(columns)
}

/// Finds the column a `--map` or `--key` value names: by normalised name,
/// or by its 1-based number when no column has that name.
fn find_column(
    header: &[String],
    normalized: &[String],
    requested: &str,
    flag: &str,
) -> Result<usize, String> {
    let target = normalize_header_name(requested);
    let matches: Vec<usize> = (0..header.len())
        .filter(|&column| normalized.get(column) == Some(&target))
        .collect();

    match matches.as_slice() {
        [column] => Ok(*column),
        [first, second, ..] => Err(format!(
            "{flag} names column \"{}\", but columns {} and {} both have that name; give the \
             column number instead, e.g. {flag} ...={}",
            requested.trim(),
            first + 1,
            second + 1,
            first + 1
        )),
        [] => match target.parse::<usize>() {
            Ok(number) if (1..=header.len()).contains(&number) => Ok(number - 1),
            _ => Err(format!(
                "{flag} names column \"{}\", which is not in the header; columns are: {}",
                requested.trim(),
                list_columns(header)
            )),
        },
    }
}

/// Lists header names for an error message, trimmed and comma-separated.
pub(crate) fn list_columns(header: &[String]) -> String {
    if header.is_empty() {
        return "(none)".to_string();
    }
    header
        .iter()
        .map(|name| name.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}'))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ReadOptions {
        ReadOptions::default()
    }

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn aliases_match_after_normalisation() {
        let cases = [
            ("Email", Some(Field::Email)),
            ("\u{FEFF}Email", Some(Field::Email)),
            (" E-Mail\u{A0}", Some(Field::Email)),
            ("E-mail Address", Some(Field::Email)),
            ("E-mail 1 - Value", Some(Field::Email)),
            ("E-Mail-Adresse", Some(Field::Email)),
            ("First Name", Some(Field::FirstName)),
            ("Vorname", Some(Field::FirstName)),
            ("FNAME", Some(Field::FirstName)),
            ("Surname", Some(Field::LastName)),
            ("Nachname", Some(Field::LastName)),
            ("Associated Company", Some(Field::CompanyName)),
            ("Organization Name", Some(Field::CompanyName)),
            ("Firma", Some(Field::CompanyName)),
            ("Lead ID", Some(Field::LeadRef)),
            ("Contact owner", None),
            ("E-mail 2 Address", None),
            ("Notes", None),
        ];
        for (name, expected) in cases {
            assert_eq!(field_for_alias(name), expected, "{name:?}");
        }
    }

    #[test]
    fn outlook_fallback_columns_follow_the_primary() {
        let names = header(&[
            "First Name",
            "E-mail 3 Address",
            "E-mail Address",
            "E-mail 2 Address",
        ]);
        let mapping = map_columns(&names, &options()).expect("mapping");
        assert_eq!(mapping.email_columns, vec![2, 3, 1]);
        assert_eq!(mapping.standard, vec![(Field::FirstName, 0)]);
        assert_eq!(mapping.custom, vec![1, 3]);
    }

    #[test]
    fn google_fallback_columns_follow_the_primary() {
        let names = header(&["E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Value"]);
        let mapping = map_columns(&names, &options()).expect("mapping");
        assert_eq!(mapping.email_columns, vec![1, 2]);
    }

    #[test]
    fn duplicate_email_columns_are_an_error() {
        let names = header(&["Email", "First Name", "Last Name", "Email", "Company"]);
        let error = map_columns(&names, &options()).expect_err("ambiguous");
        assert!(error.contains("columns 1 (Email) and 4 (Email)"), "{error}");
        assert!(error.contains("--map email=1"), "{error}");
    }

    #[test]
    fn map_by_number_resolves_duplicates() {
        let names = header(&["Email", "First Name", "Last Name", "Email"]);
        let mut options = options();
        options.column_map = vec![(Field::Email, "1".to_string())];
        let mapping = map_columns(&names, &options).expect("mapping");
        assert_eq!(mapping.email_columns, vec![0]);
        assert_eq!(mapping.custom, vec![3]);
    }

    #[test]
    fn missing_email_column_lists_columns() {
        let names = header(&["Name", "Phone", "Company", "City"]);
        let error = map_columns(&names, &options()).expect_err("no email column");
        assert!(
            error.contains("no email column found; columns are: Name, Phone, Company, City"),
            "{error}"
        );
    }

    #[test]
    fn map_overrides_aliases() {
        let names = header(&["Email", "Work Email", "Given Name"]);
        let mut options = options();
        options.column_map = vec![(Field::Email, " work email".to_string())];
        let mapping = map_columns(&names, &options).expect("mapping");
        assert_eq!(mapping.email_columns, vec![1]);
        assert_eq!(mapping.standard, vec![(Field::FirstName, 2)]);
        assert_eq!(mapping.custom, vec![0]);
    }

    #[test]
    fn map_to_unknown_column_lists_columns() {
        let names = header(&["Email", "Name"]);
        let mut options = options();
        options.column_map = vec![(Field::LeadRef, "signup_id".to_string())];
        let error = map_columns(&names, &options).expect_err("unknown column");
        assert!(error.contains("\"signup_id\""), "{error}");
        assert!(error.contains("columns are: Email, Name"), "{error}");
    }

    #[test]
    fn key_column_is_found_by_normalised_name() {
        let names = header(&["Email", "Signup ID"]);
        let mut options = options();
        options.key = KeySpec::Column("signup id".to_string());
        let mapping = map_columns(&names, &options).expect("mapping");
        assert_eq!(mapping.key_column, Some(1));
    }

    #[test]
    fn contact_owner_is_not_the_email_column() {
        let names = header(&["Record ID", "Email", "Contact owner"]);
        let mapping = map_columns(&names, &options()).expect("mapping");
        assert_eq!(mapping.email_columns, vec![1]);
        assert_eq!(mapping.custom, vec![0, 2]);
    }
}
