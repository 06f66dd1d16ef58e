//! Reading contacts from CSV, JSON and NDJSON files, standard input and
//! command-line flags, mapping columns to contact fields, and validating
//! each row.
//!
//! The reader is push-based: [`read_source`] calls a sink once per input row
//! with a [`Record`], so every format streams the same way and memory stays
//! flat however large the file. Deduplication across rows and files is the
//! caller's job, because it spans sources.

mod bom_filter;
mod contact;
mod csv_reader;
mod decode;
mod delimiter;
mod email;
mod header;
mod json_reader;
mod layout;
mod line_tracker;
mod map_file;
mod rejects;
mod row_rules;
mod source_bytes;

use serde_json::{Map, Value};

pub use decode::EncodingChoice;
pub use delimiter::detect_delimiter;
pub use email::{normalize_email, trim_email, EmailError};
pub use header::{field_for_alias, normalize_header_name};
pub use layout::HEADER_SEARCH_LINES;
pub use map_file::{parse_map_file, parse_pair as parse_map_pair};
pub use rejects::{neutralize_cell, RejectsWriter};
pub use row_rules::MAX_FIELD_BYTES;

/// Input formats the reader understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Ndjson,
}

impl Format {
    /// Returns the format for a file extension (compared case-insensitively):
    /// `.csv`, `.tsv`, `.txt` and no extension are CSV, `.json` is JSON,
    /// `.ndjson` and `.jsonl` are NDJSON. Other extensions return an error
    /// message that suggests `--format`.
    pub fn from_path(path: &std::path::Path) -> Result<Format, String> {
        let Some(extension) = path.extension() else {
            return Ok(Format::Csv);
        };
        let extension = extension.to_string_lossy().to_lowercase();
        match extension.as_str() {
            "csv" | "tsv" | "txt" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "ndjson" | "jsonl" => Ok(Format::Ndjson),
            "xlsx" | "xls" | "ods" | "numbers" => Err(format!(
                "{}: spreadsheet workbooks (.{extension}) cannot be read; export the sheet as \
                 \"CSV UTF-8\" and pass that file",
                path.display()
            )),
            _ => Err(format!(
                "{}: unknown file extension .{extension}; give the format with --format csv, \
                 --format json or --format ndjson",
                path.display()
            )),
        }
    }
}

/// Where rows come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file path; the format comes from the extension unless given.
    File(std::path::PathBuf),
    /// Standard input; the format is CSV unless given.
    Stdin,
}

/// The standard contact fields the API names, which header aliases map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Email,
    FirstName,
    LastName,
    CompanyName,
    LeadRef,
}

impl Field {
    /// Returns the field's name in the API and in `--map`.
    pub fn api_name(self) -> &'static str {
        match self {
            Field::Email => "email",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::CompanyName => "company_name",
            Field::LeadRef => "lead_ref",
        }
    }

    /// Returns the field with this API name, compared exactly.
    pub fn from_api_name(name: &str) -> Option<Field> {
        [
            Field::Email,
            Field::FirstName,
            Field::LastName,
            Field::CompanyName,
            Field::LeadRef,
        ]
        .into_iter()
        .find(|field| field.api_name() == name)
    }

    /// Position of the field in `Contact.fields`: email first, then first
    /// name, last name, company and lead reference.
    pub(crate) fn order(self) -> u8 {
        self as u8
    }
}

/// Which value identifies a contact in the ledger and for deduplication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySpec {
    /// The email address, lower-cased.
    Email,
    /// The trimmed value of this column (matched like a header alias:
    /// case-insensitively, ignoring surrounding spaces).
    Column(String),
}

/// Options that shape how every source is read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Forces the format instead of guessing it from the extension.
    pub format: Option<Format>,
    /// Forces the CSV delimiter instead of detecting it from the header line.
    pub delimiter: Option<u8>,
    /// `--map FIELD=COLUMN` overrides, applied before aliases. When a field
    /// appears twice, the later entry wins.
    pub column_map: Vec<(Field, String)>,
    pub key: KeySpec,
    /// The text encoding, or detection (see [`EncodingChoice`]).
    pub encoding: EncodingChoice,
    /// The CSV has no header row: every line is data, the email is in
    /// [`ReadOptions::email_column`] (column 1 by default), and only columns
    /// chosen with `--map FIELD=NUMBER` are sent besides it.
    pub no_header: bool,
    /// The 1-based column that contains the address, chosen explicitly. It
    /// wins over header aliases and `--map email=...`.
    pub email_column: Option<usize>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            delimiter: None,
            column_map: Vec::new(),
            key: KeySpec::Email,
            encoding: EncodingChoice::Auto,
            no_header: false,
            email_column: None,
        }
    }
}

/// One row's position: the source's display name and the physical line
/// (1-based) where the row starts. JSON items use their 1-based item index
/// as `line` when no line is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub source: String,
    pub line: u64,
}

/// A valid contact, ready for the API.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    /// The trimmed address as written (case kept).
    pub email: String,
    /// The deduplication and ledger key (see [`KeySpec`]).
    pub key: String,
    /// The `lead_ref` value when one was given.
    pub lead_ref: Option<String>,
    /// The JSON object sent to the API: `email`, the mapped standard fields
    /// that are non-empty, and every other non-empty column under its
    /// header name as written.
    pub fields: Map<String, Value>,
}

/// Machine-readable reasons a row is rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RejectReason {
    MissingEmail,
    InvalidEmail,
    MissingKey,
    FieldCountMismatch,
    DuplicateInFile,
    /// Valid here, but the API refused it (a 400 or 422 naming the contact).
    ApiRejected,
    InvalidJson,
    /// A contact who unsubscribed or was cleaned: a Mailchimp member whose
    /// status is not `subscribed`, or a Mailchimp CSV row with
    /// `UNSUB_TIME` or `CLEAN_TIME` filled in.
    NotSubscribed,
    /// A field contains a NUL byte.
    InvalidCharacter,
    /// A field is longer than [`MAX_FIELD_BYTES`].
    FieldTooLong,
}

impl RejectReason {
    /// The snake_case code written to the rejects file and JSON summaries.
    pub fn code(self) -> &'static str {
        match self {
            RejectReason::MissingEmail => "missing_email",
            RejectReason::InvalidEmail => "invalid_email",
            RejectReason::MissingKey => "missing_key",
            RejectReason::FieldCountMismatch => "field_count_mismatch",
            RejectReason::DuplicateInFile => "duplicate_in_file",
            RejectReason::ApiRejected => "api_rejected",
            RejectReason::InvalidJson => "invalid_json",
            RejectReason::NotSubscribed => "not_subscribed",
            RejectReason::InvalidCharacter => "invalid_character",
            RejectReason::FieldTooLong => "field_too_long",
        }
    }
}

/// A row that cannot be enrolled, with what the rejects file needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub location: Location,
    pub reason: RejectReason,
    /// A message naming the value and the fix, e.g.
    /// `invalid email "ada@@example.com": more than one "@"`.
    pub message: String,
    /// The original cells of the row (for JSON, the item re-serialised as
    /// one cell).
    pub cells: Vec<String>,
}

/// Kinds of lines that are neither data nor blank, skipped and reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NonDataKind {
    /// A line above the header row, such as LinkedIn's notes.
    Preamble,
    /// Excel's `sep=X` delimiter hint on the first line.
    SepHint,
    /// A copy of the header row, as left by concatenated exports.
    RepeatedHeader,
    /// A report footer such as Salesforce's `Grand Totals (...)`.
    Footer,
}

impl NonDataKind {
    /// Returns the snake_case name used in messages.
    pub fn code(self) -> &'static str {
        match self {
            NonDataKind::Preamble => "preamble",
            NonDataKind::SepHint => "sep_hint",
            NonDataKind::RepeatedHeader => "repeated_header",
            NonDataKind::Footer => "footer",
        }
    }
}

/// What the reader produces for each input row.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Contact(Location, Contact),
    Reject(Reject),
    /// A line that is not data (blank, delimiter-only); counted, not rejected.
    Blank(Location),
    /// A line that is not data and not blank; counted, not rejected.
    NonData(Location, NonDataKind),
    /// Something the user should know about how the source was read, such
    /// as the encoding detection chose, as a complete sentence that names
    /// the file.
    Warning(String),
    /// The column names of the source, sent before its first row so that
    /// the rejects file can label the original cells. JSON sources have the
    /// one column `item`.
    Header(Vec<String>),
}

/// Facts about one source, returned once it has been read completely.
#[derive(Debug, Clone, Default)]
pub struct SourceSummary {
    /// The header cells as written (CSV), for the rejects file.
    pub header: Vec<String>,
    /// Which column became which field, for `-v` and `--dry-run`.
    pub mapping: Vec<(String, String)>,
    /// Lowercase hex SHA-256 of the source's bytes.
    pub sha256: String,
    pub bytes: u64,
}

/// Errors that stop a whole source before any request is sent.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("failed to read {source_name}")]
    Io {
        source_name: String,
        #[source]
        error: std::io::Error,
    },
    /// A problem with the file as a whole, e.g. no email column. The message
    /// names the file, the line when there is one, and the fix.
    #[error("{0}")]
    Invalid(String),
}

/// Reads one source, calling `sink` once per row in input order.
///
/// Errors that concern the whole source (unreadable file, no email column,
/// malformed CSV structure, undecodable text, a JSON syntax error, every
/// row unsubscribed) stop the read with a message that names the file, the
/// line and the fix. Rows
/// already passed to `sink` stay passed, so a caller that must not act on a
/// partly read source collects the records first. Row problems become
/// [`Record::Reject`]. Sink errors stop the read and are returned as they
/// are.
pub fn read_source(
    source: &Source,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Record) -> anyhow::Result<()>,
) -> anyhow::Result<SourceSummary> {
    let name = source_bytes::display_name(source);
    let format = match (options.format, source) {
        (Some(format), _) => format,
        (None, Source::Stdin) => Format::Csv,
        (None, Source::File(path)) => Format::from_path(path).map_err(InputError::Invalid)?,
    };
    let opened = source_bytes::open_source(source, &name)?;
    let digest = opened.digest.clone();
    let decoded = decode::decode_source(opened, source, &name, options.encoding)?;
    if let Some(warning) = decoded.warning {
        sink(Record::Warning(warning))?;
    }
    let mut opened = decoded.source;
    let removed_boms = bom_filter::RemovedBoms::default();
    let reader = std::mem::replace(&mut opened.reader, Box::new(std::io::empty()));
    opened.reader = Box::new(std::io::BufReader::new(bom_filter::BomFilter::new(
        reader,
        removed_boms.clone(),
    )));

    let (header, mapping) = match format {
        Format::Csv => {
            let summary = csv_reader::read_csv(opened, &name, options, &removed_boms, sink)?;
            (summary.header, summary.mapping)
        }
        Format::Json => {
            let shapes = json_reader::read_json(opened, &name, options, sink)?;
            (
                vec![json_reader::ITEM_COLUMN.to_string()],
                json_reader::describe_mapping(shapes),
            )
        }
        Format::Ndjson => {
            let shapes = json_reader::read_ndjson(opened, &name, options, sink)?;
            (
                vec![json_reader::ITEM_COLUMN.to_string()],
                json_reader::describe_mapping(shapes),
            )
        }
    };
    if !matches!(format, Format::Csv) {
        for line in removed_boms.borrow().iter() {
            sink(Record::Warning(bom_filter::describe_removed(&name, *line)))?;
        }
    }

    let (sha256, bytes) = digest.finish();
    Ok(SourceSummary {
        header,
        mapping,
        sha256,
        bytes,
    })
}

/// Builds the record for a contact given with `--email` and related flags.
/// `fields` contains the `--field KEY=VALUE` pairs, already split; a key that
/// is an API field name (`company_name`, `lead_ref`, ...) sets that field.
/// The location is `--email`, line 1, and a reject's cells are the address,
/// the names and the `KEY=VALUE` pairs.
pub fn contact_from_flags(
    email: &str,
    first_name: Option<&str>,
    last_name: Option<&str>,
    fields: &[(String, String)],
    key: &KeySpec,
) -> Record {
    contact::record_from_flags(email, first_name, last_name, fields, key)
}
