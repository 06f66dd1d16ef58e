//! Reading contacts from JSON and NDJSON.
//!
//! Supported shapes: a top-level array of contact objects, one contact
//! object per line (NDJSON), and a Mailchimp Marketing API member list
//! (`{"members": [...]}`). Arrays are streamed: serde's `deserialize_seq`
//! hands each element to [`ItemSeed`] as soon as it is parsed, so only one
//! item is in memory at a time however long the array is.
//!
//! Contact objects use the API field names (`email`, `first_name`,
//! `last_name`, `company_name` or `company`, `lead_ref`). Every other scalar
//! becomes a custom field with its JSON type kept. The scalars of a nested
//! `custom_fields` object are flattened into the custom fields.

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use serde::de::{
    self, DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::contact::{build_record, scalar_to_string, EmailValue, RowValues};
use super::header::normalize_header_name;
use super::source_bytes::OpenedSource;
use super::{Field, InputError, KeySpec, Location, ReadOptions, Record, Reject, RejectReason};

/// The one column of a JSON source in the rejects file: the item itself.
pub const ITEM_COLUMN: &str = "item";

/// Top-level keys listed in the message for an unsupported object; more are
/// counted, not named.
const MAX_LISTED_KEYS: usize = 20;

/// The shape of the items being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// The CLI's own contact objects.
    Contact,
    /// Mailchimp API members: `email_address`, `status`, `merge_fields`.
    MailchimpMember,
}

/// Describes how JSON keys map to fields, for the summary.
pub fn describe_mapping(mailchimp: bool) -> Vec<(String, String)> {
    let pairs: &[(&str, &str)] = if mailchimp {
        &[
            ("members[].email_address", "email"),
            ("members[].merge_fields.FNAME", "first_name"),
            ("members[].merge_fields.LNAME", "last_name"),
            ("members[].merge_fields.COMPANY", "company_name"),
            ("members[].merge_fields.*", "custom field"),
        ]
    } else {
        &[
            ("email", "email"),
            ("first_name", "first_name"),
            ("last_name", "last_name"),
            ("company_name or company", "company_name"),
            ("lead_ref", "lead_ref"),
            ("custom_fields.* and other keys", "custom field"),
        ]
    };
    pairs
        .iter()
        .map(|(from, to)| (from.to_string(), to.to_string()))
        .collect()
}

/// State shared by the items of one source.
struct ItemContext<'a> {
    name: &'a str,
    options: &'a ReadOptions,
    sink: &'a mut dyn FnMut(Record) -> anyhow::Result<()>,
    /// Line breaks consumed so far by the JSON parser.
    newlines: Rc<Cell<u64>>,
    /// The error that stopped the read from inside serde, returned in place
    /// of serde's placeholder error.
    failure: Option<anyhow::Error>,
    /// Whether a Mailchimp `members` array was found.
    mailchimp: bool,
    /// Items handled so far, for the 1-based position in reject messages:
    /// a one-line JSON file puts every item on line 1.
    items: u64,
}

impl ItemContext<'_> {
    /// Validates one item and passes its record to the sink.
    fn handle_item(&mut self, line: u64, item: Value, shape: Shape) -> anyhow::Result<()> {
        let location = Location {
            source: self.name.to_string(),
            line,
        };
        let cells = vec![item.to_string()];
        let record = match item {
            Value::Object(object) => match shape {
                Shape::Contact => match row_from_contact(&object, self.options) {
                    Ok(row) => build_record(location, row, &self.options.key, cells),
                    Err(message) => invalid_json(location, message, cells),
                },
                Shape::MailchimpMember => member_record(location, &object, self.options, cells),
            },
            other => invalid_json(
                location,
                format!(
                    "the item is {}, not an object; each item must be a JSON object with an \
                     \"email\" field",
                    describe_type(&other)
                ),
                cells,
            ),
        };
        self.items += 1;
        let record = match record {
            Record::Reject(mut reject) => {
                reject.message = format!("item {}: {}", self.items, reject.message);
                Record::Reject(reject)
            }
            other => other,
        };
        (self.sink)(record)
    }
}

/// Counts line breaks in the bytes read through it, so items can be given
/// the line where they start.
struct LineCountingReader<R> {
    inner: R,
    newlines: Rc<Cell<u64>>,
}

impl<R: Read> Read for LineCountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buf)?;
        let read = buf.get(..count).unwrap_or_default();
        let breaks = read.iter().filter(|&&byte| byte == b'\n').count() as u64;
        self.newlines.set(self.newlines.get() + breaks);
        Ok(count)
    }
}

/// Reads a JSON array of contacts or a Mailchimp member list. Returns
/// whether the source was a Mailchimp member list.
pub fn read_json(
    opened: OpenedSource,
    name: &str,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Record) -> anyhow::Result<()>,
) -> anyhow::Result<bool> {
    sink(Record::Header(vec![ITEM_COLUMN.to_string()]))?;
    let newlines = Rc::new(Cell::new(0));
    let reader = LineCountingReader {
        inner: opened.reader,
        newlines: Rc::clone(&newlines),
    };
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let mut context = ItemContext {
        name,
        options,
        sink,
        newlines,
        failure: None,
        mailchimp: false,
        items: 0,
    };

    let parsed = deserializer
        .deserialize_any(TopLevelVisitor {
            context: &mut context,
        })
        .and_then(|()| deserializer.end());
    if let Some(failure) = context.failure.take() {
        return Err(failure);
    }
    parsed.map_err(|error| json_error(name, error))?;
    Ok(context.mailchimp)
}

/// Reads NDJSON: one contact object per line, blank lines counted as blank.
pub fn read_ndjson(
    mut opened: OpenedSource,
    name: &str,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Record) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    sink(Record::Header(vec![ITEM_COLUMN.to_string()]))?;
    let mut context = ItemContext {
        name,
        options,
        sink,
        newlines: Rc::default(),
        failure: None,
        mailchimp: false,
        items: 0,
    };
    let mut buffer = Vec::new();
    let mut line: u64 = 0;
    loop {
        buffer.clear();
        let count = opened
            .reader
            .read_until(b'\n', &mut buffer)
            .map_err(|error| InputError::Io {
                source_name: name.to_string(),
                error,
            })?;
        if count == 0 {
            return Ok(());
        }
        line += 1;

        let text = buffer.trim_ascii();
        if text.is_empty() {
            (context.sink)(Record::Blank(Location {
                source: name.to_string(),
                line,
            }))?;
            continue;
        }
        let item: Value = serde_json::from_slice(text).map_err(|error| {
            InputError::Invalid(format!(
                "{name}, line {line}, column {}: invalid JSON: {}; each line must hold one \
                 JSON object",
                error.column(),
                message_without_position(&error)
            ))
        })?;
        context.handle_item(line, item, Shape::Contact)?;
    }
}

/// Accepts a top-level array of contacts or an object with `members`.
struct TopLevelVisitor<'c, 'a> {
    context: &'c mut ItemContext<'a>,
}

impl<'de> Visitor<'de> for TopLevelVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str(
            "a JSON array of contact objects, or a Mailchimp API object with a \"members\" array",
        )
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        stream_items(self.context, &mut seq, Shape::Contact)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut other_keys: Vec<String> = Vec::new();
        let mut found_members = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "members" && !found_members {
                found_members = true;
                self.context.mailchimp = true;
                map.next_value_seed(MembersSeed {
                    context: &mut *self.context,
                })?;
            } else {
                other_keys.push(key);
                map.next_value::<IgnoredAny>()?;
            }
        }
        if found_members {
            return Ok(());
        }

        let mut listed: Vec<String> = other_keys
            .iter()
            .take(MAX_LISTED_KEYS)
            .map(|key| format!("\"{key}\""))
            .collect();
        if other_keys.len() > MAX_LISTED_KEYS {
            listed.push(format!("and {} more", other_keys.len() - MAX_LISTED_KEYS));
        }
        self.context.failure = Some(
            InputError::Invalid(format!(
                "{}: unsupported JSON shape: the top-level object has the keys {} but no \
                 \"members\" array; provide a JSON array of contact objects, one object per \
                 line with --format ndjson, or a Mailchimp API member list",
                self.context.name,
                if listed.is_empty() {
                    "(none)".to_string()
                } else {
                    listed.join(", ")
                },
            ))
            .into(),
        );
        Err(de::Error::custom("unsupported JSON shape"))
    }
}

/// Streams the elements of a sequence through [`ItemSeed`].
fn stream_items<'de, A: SeqAccess<'de>>(
    context: &mut ItemContext<'_>,
    seq: &mut A,
    shape: Shape,
) -> Result<(), A::Error> {
    while seq
        .next_element_seed(ItemSeed {
            context: &mut *context,
            shape,
        })?
        .is_some()
    {}
    Ok(())
}

/// Streams the `members` array of a Mailchimp API response.
struct MembersSeed<'c, 'a> {
    context: &'c mut ItemContext<'a>,
}

impl<'de> DeserializeSeed<'de> for MembersSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for MembersSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("\"members\" to be an array of member objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        stream_items(self.context, &mut seq, Shape::MailchimpMember)
    }
}

/// Parses one array element and hands it to the context.
struct ItemSeed<'c, 'a> {
    context: &'c mut ItemContext<'a>,
    shape: Shape,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        // serde_json has already consumed the item's first byte (it peeks to
        // find the end of the array), so the count of line breaks read so
        // far gives the line where the item starts.
        let line = self.context.newlines.get() + 1;
        let item = Value::deserialize(deserializer)?;
        self.context
            .handle_item(line, item, self.shape)
            .map_err(|error| {
                self.context.failure = Some(error);
                de::Error::custom("stopped by the record sink")
            })
    }
}

/// Collects the fields of a contact object. An `Err` is the message of an
/// `invalid_json` reject.
fn row_from_contact(
    object: &Map<String, Value>,
    options: &ReadOptions,
) -> Result<RowValues, String> {
    let mut email = EmailValue::Absent;
    let mut found_email = false;
    let mut standard: Vec<(Field, Value)> = Vec::new();
    let mut custom: Vec<(String, Value)> = Vec::new();

    for (key, value) in object {
        if key == "custom_fields" {
            match value {
                Value::Object(fields) => {
                    for (name, value) in fields {
                        if let Some(value) = custom_value(&format!("custom_fields.{name}"), value)?
                        {
                            custom.push((name.clone(), value));
                        }
                    }
                }
                Value::Null => {}
                other => {
                    return Err(format!(
                        "\"custom_fields\" is {}; it must be an object of strings, numbers and \
                         booleans",
                        describe_type(other)
                    ))
                }
            }
            continue;
        }

        match json_field(key, options) {
            Some(Field::Email) => {
                if found_email {
                    continue;
                }
                found_email = true;
                email = match value {
                    Value::String(text) => EmailValue::Text(text.clone()),
                    Value::Null => EmailValue::Absent,
                    other => EmailValue::WrongType(describe_type(other)),
                };
            }
            Some(field) => {
                if standard.iter().any(|(existing, _)| *existing == field) {
                    continue;
                }
                if let Some(value) = standard_value(key, value)? {
                    standard.push((field, value));
                }
            }
            None => {
                if let Some(value) = custom_value(key, value)? {
                    custom.push((key.clone(), value));
                }
            }
        }
    }
    standard.sort_by_key(|(field, _)| field.order());

    let key_value = match &options.key {
        KeySpec::Email => None,
        KeySpec::Column(column) => {
            let nested = object.get("custom_fields").and_then(Value::as_object);
            find_scalar(object, column)
                .or_else(|| nested.and_then(|fields| find_scalar(fields, column)))
        }
    };

    Ok(RowValues {
        email,
        standard,
        custom,
        key_value,
    })
}

/// Builds the record of one Mailchimp member. Members whose status is not
/// `subscribed` (unsubscribed, cleaned, pending, missing) have not consented
/// and are rejected before anything else is checked.
fn member_record(
    location: Location,
    object: &Map<String, Value>,
    options: &ReadOptions,
    cells: Vec<String>,
) -> Record {
    let status = object.get("status");
    if status.and_then(Value::as_str) != Some("subscribed") {
        let found = match status {
            Some(Value::String(text)) => format!("\"{text}\""),
            Some(other) => describe_type(other),
            None => "missing".to_string(),
        };
        return Record::Reject(Reject {
            location,
            reason: RejectReason::NotSubscribed,
            message: format!(
                "the Mailchimp status is {found}, not \"subscribed\"; only subscribed members \
                 are enrolled"
            ),
            cells,
        });
    }

    let email = match object.get("email_address") {
        Some(Value::String(text)) => EmailValue::Text(text.clone()),
        None | Some(Value::Null) => EmailValue::Absent,
        Some(other) => EmailValue::WrongType(describe_type(other)),
    };

    let mut standard: Vec<(Field, Value)> = Vec::new();
    let mut custom: Vec<(String, Value)> = Vec::new();
    let merge_fields = object.get("merge_fields").and_then(Value::as_object);
    for (tag, value) in merge_fields.into_iter().flatten() {
        let field = match tag.as_str() {
            "FNAME" => Some(Field::FirstName),
            "LNAME" => Some(Field::LastName),
            "COMPANY" => Some(Field::CompanyName),
            _ => None,
        };
        // NOTE: object-valued merge fields (Mailchimp's ADDRESS type) are
        // skipped, because the API takes scalar field values only.
        match (field, standard_value(tag, value)) {
            (Some(field), Ok(Some(value))) => standard.push((field, value)),
            (None, Ok(Some(value))) => custom.push((tag.clone(), value)),
            _ => {}
        }
    }
    standard.sort_by_key(|(field, _)| field.order());

    let key_value = match &options.key {
        KeySpec::Email => None,
        KeySpec::Column(column) => find_scalar(object, column)
            .or_else(|| merge_fields.and_then(|fields| find_scalar(fields, column))),
    };

    let row = RowValues {
        email,
        standard,
        custom,
        key_value,
    };
    build_record(location, row, &options.key, cells)
}

/// Returns the field a contact-object key maps to: `--map` names first,
/// then the API names and `company`.
fn json_field(key: &str, options: &ReadOptions) -> Option<Field> {
    let normalized = normalize_header_name(key);
    if let Some((field, _)) = options
        .column_map
        .iter()
        .find(|(_, name)| normalize_header_name(name) == normalized)
    {
        return Some(*field);
    }
    let field = match normalized.as_str() {
        "email" => Field::Email,
        "first_name" => Field::FirstName,
        "last_name" => Field::LastName,
        "company_name" | "company" => Field::CompanyName,
        "lead_ref" => Field::LeadRef,
        _ => return None,
    };
    // A --map for this field replaces its default key.
    let remapped = options
        .column_map
        .iter()
        .any(|(mapped, _)| *mapped == field);
    (!remapped).then_some(field)
}

/// Converts a standard field's value: strings are trimmed, numbers and
/// booleans kept, null and empty strings dropped.
fn standard_value(key: &str, value: &Value) -> Result<Option<Value>, String> {
    match value {
        Value::String(text) => {
            let trimmed = text.trim();
            Ok((!trimmed.is_empty()).then(|| Value::String(trimmed.to_string())))
        }
        other => custom_value(key, other),
    }
}

/// Converts a custom field's value: scalars kept as they are, null and
/// empty strings dropped, arrays and objects rejected.
fn custom_value(key: &str, value: &Value) -> Result<Option<Value>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) if text.trim().is_empty() => Ok(None),
        Value::String(_) | Value::Number(_) | Value::Bool(_) => Ok(Some(value.clone())),
        Value::Array(_) | Value::Object(_) => Err(format!(
            "\"{key}\" is {}; field values must be strings, numbers or booleans",
            describe_type(value)
        )),
    }
}

/// Finds a scalar by normalised key, as text.
fn find_scalar(object: &Map<String, Value>, key: &str) -> Option<String> {
    let target = normalize_header_name(key);
    object
        .iter()
        .find(|(name, _)| normalize_header_name(name) == target)
        .and_then(|(_, value)| match value {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => Some(scalar_to_string(value)),
            _ => None,
        })
}

fn invalid_json(location: Location, message: String, cells: Vec<String>) -> Record {
    Record::Reject(Reject {
        location,
        reason: RejectReason::InvalidJson,
        message,
        cells,
    })
}

/// Describes a JSON value's type, with the value for scalars.
fn describe_type(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(flag) => format!("the boolean {flag}"),
        Value::Number(number) => format!("the number {number}"),
        Value::String(text) => format!("the string {}", super::email::quote_value(text)),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

/// Turns a serde_json error into a message naming the file and position.
fn json_error(name: &str, error: serde_json::Error) -> InputError {
    if error.is_io() {
        return InputError::Io {
            source_name: name.to_string(),
            error: error.into(),
        };
    }
    let hint = if error.is_data() {
        "provide a JSON array of contact objects, or one object per line with --format ndjson"
    } else {
        "fix the JSON at that position, or use --format ndjson for one object per line"
    };
    InputError::Invalid(format!(
        "{name}, line {}, column {}: invalid JSON: {}; {hint}",
        error.line(),
        error.column(),
        message_without_position(&error),
    ))
}

/// Returns serde_json's message without its trailing "at line L column C".
fn message_without_position(error: &serde_json::Error) -> String {
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    full.strip_suffix(&suffix).unwrap_or(&full).to_string()
}
