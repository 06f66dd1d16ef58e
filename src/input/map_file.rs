//! The mapping file of `--map-file`: which column becomes which field.
//!
//! The format is one `FIELD=COLUMN` pair per line, exactly as `--map`
//! takes it. FIELD is `email`, `first_name`, `last_name`, `company_name`
//! (or `company`) or `lead_ref`; COLUMN is a header name (matched like the
//! header aliases: case-insensitively, ignoring surrounding spaces) or a
//! 1-based column number. Blank lines and lines starting with `#` are
//! ignored. A COLUMN may itself contain `=`; only the first `=` splits.
//!
//! ```text
//! # HubSpot export with a work address
//! email = Work Email
//! first_name = Given
//! company_name = 4
//! ```

use super::Field;

/// Parses a mapping file's text. Errors name the 1-based line and the fix,
/// without the file name.
pub fn parse_map_file(text: &str) -> Result<Vec<(Field, String)>, String> {
    let mut pairs = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        let trimmed = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        pairs
            .push(parse_pair(trimmed).map_err(|message| format!("line {line_number}: {message}"))?);
    }
    Ok(pairs)
}

/// Parses one `FIELD=COLUMN` pair, as given to `--map` or in a mapping
/// file.
pub fn parse_pair(pair: &str) -> Result<(Field, String), String> {
    let Some((field, column)) = pair.split_once('=') else {
        return Err(format!(
            "invalid mapping {pair:?}: expected FIELD=COLUMN, such as email=\"Work Email\""
        ));
    };
    let field = match field.trim().to_ascii_lowercase().as_str() {
        "email" => Field::Email,
        "first_name" => Field::FirstName,
        "last_name" => Field::LastName,
        "company_name" | "company" => Field::CompanyName,
        "lead_ref" => Field::LeadRef,
        other => {
            return Err(format!(
                "invalid mapping {pair:?}: unknown field {other:?}; use email, first_name, \
                 last_name, company_name or lead_ref"
            ))
        }
    };
    let column = column.trim().trim_matches('"').trim();
    if column.is_empty() {
        return Err(format!(
            "invalid mapping {pair:?}: the column name is empty"
        ));
    }
    Ok((field, column.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_blank_lines_are_skipped() {
        let pairs =
            parse_map_file("# work address\n\nemail = Work Email\r\ncompany=4\n").expect("parse");
        assert_eq!(
            pairs,
            vec![
                (Field::Email, "Work Email".to_string()),
                (Field::CompanyName, "4".to_string())
            ]
        );
    }

    #[test]
    fn errors_name_the_line() {
        let error = parse_map_file("email=Email\nphone=Phone\n").expect_err("unknown field");
        assert!(error.starts_with("line 2: "), "{error}");
        assert!(error.contains("unknown field \"phone\""), "{error}");
        let error = parse_map_file("email\n").expect_err("no =");
        assert!(error.contains("expected FIELD=COLUMN"), "{error}");
    }

    #[test]
    fn column_may_contain_equals_sign() {
        let pairs = parse_map_file("lead_ref=id=x\n").expect("parse");
        assert_eq!(pairs, vec![(Field::LeadRef, "id=x".to_string())]);
    }
}
