//! Reading contacts from JSON and NDJSON.
//!
//! Supported shapes: a top-level array of items, one item per line
//! (NDJSON), and an object that wraps the array under `results`,
//! `members`, `contacts` or `data` (API responses saved to a file). Arrays
//! are streamed: serde's `deserialize_seq` hands each element to
//! [`ItemSeed`] as soon as it is parsed, so only one item is in memory at a
//! time however long the array is.
//!
//! Each item is one of three shapes, distinguished by its keys:
//!
//! - a contact object with the API field names (`email`, `first_name`,
//!   `last_name`, `company_name` or `company`, `lead_ref`) or the CSV
//!   header aliases. Every other scalar becomes a custom field with its
//!   JSON type kept, and the scalars of a nested `custom_fields` object
//!   are flattened into the custom fields;
//! - a HubSpot CRM object, whose fields are in a `properties` object
//!   (`properties.email`, `properties.firstname`, ...), read like a
//!   contact object;
//! - a Mailchimp member (`email_address`, `status`, `merge_fields`), whose
//!   `status` must be `subscribed`.

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
use super::decode::decode_failure;
use super::header::{field_for_alias, normalize_header_name};
use super::source_bytes::OpenedSource;
use super::{Field, InputError, KeySpec, Location, ReadOptions, Record, Reject, RejectReason};

/// The one column of a JSON source in the rejects file: the item itself.
pub const ITEM_COLUMN: &str = "item";

/// Top-level keys listed in the message for an unsupported object; more are
/// counted, not named.
const MAX_LISTED_KEYS: usize = 20;

/// Keys of a top-level object whose value is the array of items.
const WRAPPER_KEYS: [&str; 4] = ["results", "members", "contacts", "data"];

/// The shape of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// The CLI's own contact objects.
    Contact,
    /// A HubSpot CRM object: the fields are in `properties`.
    HubSpot,
    /// Mailchimp API members: `email_address`, `status`, `merge_fields`.
    MailchimpMember,
}

impl Shape {
    fn of(object: &Map<String, Value>) -> Shape {
        // Mailchimp members always carry a status; a plain contact object
        // may use `email_address` as its email key.
        if object.contains_key("merge_fields")
            || (object.contains_key("email_address") && object.contains_key("status"))
        {
            Shape::MailchimpMember
        } else if !object.contains_key("email")
            && object.get("properties").is_some_and(Value::is_object)
        {
            Shape::HubSpot
        } else {
            Shape::Contact
        }
    }
}

/// The item shapes a source contained, and the key that wrapped them.
#[derive(Debug, Clone, Default)]
pub struct ShapesSeen {
    contact: bool,
    hubspot: bool,
    mailchimp: bool,
    wrapper: Option<String>,
}

/// Describes how JSON keys map to fields, for the summary.
pub fn describe_mapping(shapes: ShapesSeen) -> Vec<(String, String)> {
    let prefix = shapes
        .wrapper
        .as_deref()
        .map(|key| format!("{key}[]."))
        .unwrap_or_default();
    let mut pairs: Vec<(String, &str)> = Vec::new();
    if shapes.mailchimp {
        pairs.extend([
            (format!("{prefix}email_address"), "email"),
            (format!("{prefix}merge_fields.FNAME"), "first_name"),
            (format!("{prefix}merge_fields.LNAME"), "last_name"),
            (format!("{prefix}merge_fields.COMPANY"), "company_name"),
            (format!("{prefix}merge_fields.*"), "custom field"),
        ]);
    }
    if shapes.hubspot {
        pairs.extend([
            (format!("{prefix}properties.email"), "email"),
            (format!("{prefix}properties.firstname"), "first_name"),
            (format!("{prefix}properties.lastname"), "last_name"),
            (format!("{prefix}properties.company"), "company_name"),
            (format!("{prefix}properties.*"), "custom field"),
        ]);
    }
    if shapes.contact || !(shapes.mailchimp || shapes.hubspot) {
        pairs.extend([
            (format!("{prefix}email"), "email"),
            (format!("{prefix}first_name"), "first_name"),
            (format!("{prefix}last_name"), "last_name"),
            (format!("{prefix}company_name or company"), "company_name"),
            (format!("{prefix}lead_ref"), "lead_ref"),
            (
                format!("{prefix}custom_fields.* and other keys"),
                "custom field",
            ),
        ]);
    }
    pairs
        .into_iter()
        .map(|(from, to)| (from, to.to_string()))
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
    shapes: ShapesSeen,
    /// Items rejected as `not_subscribed`, to refuse a file of only those.
    not_subscribed: u64,
    /// Items handled so far, for the 1-based position in reject messages:
    /// a one-line JSON file puts every item on line 1.
    items: u64,
}

impl ItemContext<'_> {
    /// Validates one item and passes its record to the sink.
    fn handle_item(&mut self, line: u64, item: Value) -> anyhow::Result<()> {
        let location = Location {
            source: self.name.to_string(),
            line,
        };
        let cells = vec![item.to_string()];
        let record = match item {
            Value::Object(object) => match Shape::of(&object) {
                Shape::Contact => {
                    self.shapes.contact = true;
                    contact_record(location, &object, self.options, cells)
                }
                Shape::HubSpot => {
                    self.shapes.hubspot = true;
                    let properties = object
                        .get("properties")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    contact_record(location, &properties, self.options, cells)
                }
                Shape::MailchimpMember => {
                    self.shapes.mailchimp = true;
                    member_record(location, &object, self.options, cells)
                }
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
        if let Record::Reject(reject) = &record {
            if reject.reason == RejectReason::NotSubscribed {
                self.not_subscribed += 1;
            }
        }
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

impl ItemContext<'_> {
    /// Refuses a source whose every item was rejected `not_subscribed`.
    fn check_consent(&self) -> Result<(), InputError> {
        if self.items > 0 && self.not_subscribed == self.items {
            return Err(InputError::Invalid(format!(
                "{}: every item ({}) is a member who unsubscribed or was cleaned (its \
                 \"status\" is not \"subscribed\"), so none may be enrolled; export the \
                 subscribed members instead",
                self.name, self.items
            )));
        }
        Ok(())
    }
}

/// Turns a contact object into its record.
fn contact_record(
    location: Location,
    object: &Map<String, Value>,
    options: &ReadOptions,
    cells: Vec<String>,
) -> Record {
    if let Some(message) = consent_withdrawn(object) {
        return Record::Reject(Reject {
            location,
            reason: RejectReason::NotSubscribed,
            message,
            cells,
        });
    }
    match row_from_contact(object, options) {
        Ok(row) => build_record(location, row, &options.key, cells),
        Err(message) => invalid_json(location, message, cells),
    }
}

/// Returns why a contact object must not be enrolled for lack of consent:
/// a filled-in Mailchimp `UNSUB_TIME` or `CLEAN_TIME` (as a CSV export
/// converted to JSON has them), or a `status` of `unsubscribed` or
/// `cleaned`. The same rule as for CSV rows, so converting a file does not
/// change who is enrolled.
fn consent_withdrawn(object: &Map<String, Value>) -> Option<String> {
    for (key, value) in object {
        let name = normalize_header_name(key);
        let filled = match value {
            Value::Null => false,
            Value::String(text) => !text.trim().is_empty(),
            _ => true,
        };
        if filled && CONSENT_WITHDRAWN_KEYS.contains(&name.as_str()) {
            return Some(format!(
                "{key} is {value}: the contact unsubscribed or was cleaned, so it is never enrolled"
            ));
        }
        if name == "status" {
            if let Some(status) = value.as_str() {
                let status = status.trim().to_lowercase();
                if status == "unsubscribed" || status == "cleaned" {
                    return Some(format!(
                        "the status is {status:?}: the contact unsubscribed or was cleaned, so it is never enrolled"
                    ));
                }
            }
        }
    }
    None
}

/// Keys whose non-empty value means consent was withdrawn, normalised.
const CONSENT_WITHDRAWN_KEYS: &[&str] = &["unsub_time", "clean_time"];

/// Reads a JSON array of items, or an object that wraps one. Returns the
/// item shapes found.
pub fn read_json(
    opened: OpenedSource,
    name: &str,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Record) -> anyhow::Result<()>,
) -> anyhow::Result<ShapesSeen> {
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
        shapes: ShapesSeen::default(),
        not_subscribed: 0,
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
    context.check_consent()?;
    Ok(context.shapes)
}

/// Reads NDJSON: one item per line, blank lines counted as blank. Returns
/// the item shapes found.
pub fn read_ndjson(
    mut opened: OpenedSource,
    name: &str,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Record) -> anyhow::Result<()>,
) -> anyhow::Result<ShapesSeen> {
    sink(Record::Header(vec![ITEM_COLUMN.to_string()]))?;
    let mut context = ItemContext {
        name,
        options,
        sink,
        newlines: Rc::default(),
        failure: None,
        shapes: ShapesSeen::default(),
        not_subscribed: 0,
        items: 0,
    };
    let mut buffer = Vec::new();
    let mut line: u64 = 0;
    loop {
        buffer.clear();
        let count = opened
            .reader
            .read_until(b'\n', &mut buffer)
            .map_err(|error| match decode_failure(&error) {
                Some(message) => InputError::Invalid(message),
                None => InputError::Io {
                    source_name: name.to_string(),
                    error,
                },
            })?;
        if count == 0 {
            context.check_consent()?;
            return Ok(context.shapes);
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
        context.handle_item(line, item)?;
    }
}

/// Accepts a top-level array of items or an object that wraps one.
struct TopLevelVisitor<'c, 'a> {
    context: &'c mut ItemContext<'a>,
}

impl<'de> Visitor<'de> for TopLevelVisitor<'_, '_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str(
            "a JSON array of contact objects, or an object with the array under \"results\", \
             \"members\", \"contacts\" or \"data\"",
        )
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        stream_items(self.context, &mut seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut other_keys: Vec<String> = Vec::new();
        let mut found_items = false;
        while let Some(key) = map.next_key::<String>()? {
            if !found_items && WRAPPER_KEYS.contains(&key.as_str()) {
                found_items = true;
                self.context.shapes.wrapper = Some(key.clone());
                map.next_value_seed(WrappedItemsSeed {
                    context: &mut *self.context,
                    key,
                })?;
            } else {
                other_keys.push(key);
                map.next_value::<IgnoredAny>()?;
            }
        }
        if found_items {
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
                 array under \"results\", \"members\", \"contacts\" or \"data\"; provide a \
                 JSON array of contact objects, or one object per line with --format ndjson",
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
) -> Result<(), A::Error> {
    while seq
        .next_element_seed(ItemSeed {
            context: &mut *context,
        })?
        .is_some()
    {}
    Ok(())
}

/// Streams the array under a wrapper key such as `members` or `results`.
struct WrappedItemsSeed<'c, 'a> {
    context: &'c mut ItemContext<'a>,
    key: String,
}

impl<'de> DeserializeSeed<'de> for WrappedItemsSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for WrappedItemsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        write!(formatter, "\"{}\" to be an array of objects", self.key)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        stream_items(self.context, &mut seq)
    }
}

/// Parses one array element and hands it to the context.
struct ItemSeed<'c, 'a> {
    context: &'c mut ItemContext<'a>,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        // serde_json has already consumed the item's first byte (it peeks to
        // find the end of the array), so the count of line breaks read so
        // far gives the line where the item starts.
        let line = self.context.newlines.get() + 1;
        let item = Value::deserialize(deserializer)?;
        self.context.handle_item(line, item).map_err(|error| {
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
/// then the API names and `company`, then the CSV header aliases (which
/// include HubSpot's `firstname` and `lastname`).
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
        other => field_for_alias(other)?,
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
        let error: io::Error = error.into();
        return match decode_failure(&error) {
            Some(message) => InputError::Invalid(message),
            None => InputError::Io {
                source_name: name.to_string(),
                error,
            },
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
