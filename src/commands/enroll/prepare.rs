//! The first pass of `enroll`: read every input completely, validate and
//! deduplicate the rows, write rejects, and spool the distinct valid
//! contacts to a private temporary file.
//!
//! Reading everything before the first request means a file that turns
//! out to be unreadable halfway stops the run with nothing sent, and the
//! second pass has the total for its progress bar. Memory stays flat
//! apart from the set of keys seen in this run.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::input::{
    self, Contact, KeySpec, Location, NonDataKind, ReadOptions, Record, Reject, RejectReason,
    RejectsWriter, Source,
};
use crate::ledger::PlannedContact;

/// Counts of the first pass. `read` = `valid` + `rejected`; `valid`
/// includes duplicates.
#[derive(Debug, Clone, Default)]
pub struct InputCounts {
    pub read: u64,
    pub valid: u64,
    pub rejected: u64,
    pub duplicates_in_input: u64,
    pub blank: u64,
    /// Lines skipped as neither data nor blank: preamble, `sep=` hints,
    /// repeated headers and report footers.
    pub non_data: u64,
    pub rejected_by_reason: BTreeMap<&'static str, u64>,
}

/// The outcome of the first pass.
pub struct Prepared {
    pub counts: InputCounts,
    /// Distinct valid contacts in the spool.
    pub distinct: u64,
    pub spool: Spool,
    /// Each input's display name and SHA-256.
    pub inputs: Vec<(String, String)>,
    pub rejects: RejectsFile,
}

/// The sources of the contacts.
pub enum Inputs {
    Sources(Vec<Source>),
    /// One contact from `--email` and its companion flags.
    Flags(Record),
}

/// The rejects CSV, created on the first rejected row.
pub struct RejectsFile {
    path: PathBuf,
    writer: Option<RejectsWriter>,
    /// Whether the file was created, which stays true after `finish`.
    created: bool,
}

impl RejectsFile {
    pub fn new(path: PathBuf) -> RejectsFile {
        RejectsFile {
            path,
            writer: None,
            created: false,
        }
    }

    /// Returns the file's path once something was written to it.
    pub fn written_path(&self) -> Option<&Path> {
        self.created.then_some(self.path.as_path())
    }

    pub fn write(&mut self, reject: &Reject, header: &[String]) -> anyhow::Result<()> {
        if self.writer.is_none() {
            if let Some(dir) = self.path.parent() {
                crate::fsutil::create_private_dir(dir)?;
            }
            self.writer = Some(RejectsWriter::create(&self.path)?);
            self.created = true;
        }
        if let Some(writer) = &mut self.writer {
            writer.write(reject, header)?;
        }
        Ok(())
    }

    /// Writes buffered rows to disk, keeping the file open for rows the
    /// API refuses later in the run.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        match &mut self.writer {
            Some(writer) => writer.flush(),
            None => Ok(()),
        }
    }

    pub fn finish(&mut self) -> anyhow::Result<()> {
        match self.writer.take() {
            Some(writer) => writer.finish(),
            None => Ok(()),
        }
    }
}

/// One spooled contact.
#[derive(Debug, Serialize, Deserialize)]
struct SpoolItem {
    /// The input the row came from, and the line where it starts.
    source: String,
    line: u64,
    key: String,
    email: String,
    lead_ref: Option<String>,
    /// The contact object as JSON text.
    contact: String,
}

/// A private temporary file of distinct valid contacts, one JSON line each,
/// removed when dropped. It contains personal data, so it is created 0600
/// inside the data directory.
pub struct Spool {
    path: PathBuf,
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Spool {
    /// Opens the spool for reading from the start.
    pub fn reader(&self) -> anyhow::Result<SpoolReader> {
        let file = std::fs::File::open(&self.path)
            .with_context(|| format!("failed to reopen {}", self.path.display()))?;
        Ok(SpoolReader {
            lines: BufReader::new(file),
            buffer: String::new(),
        })
    }
}

/// Reads spooled contacts back in order.
pub struct SpoolReader {
    lines: BufReader<std::fs::File>,
    buffer: String,
}

impl SpoolReader {
    pub fn next_contact(&mut self) -> anyhow::Result<Option<PlannedContact>> {
        self.buffer.clear();
        if self.lines.read_line(&mut self.buffer)? == 0 {
            return Ok(None);
        }
        let item: SpoolItem =
            serde_json::from_str(&self.buffer).context("failed to read the spool file")?;
        Ok(Some(PlannedContact {
            key: item.key,
            email: item.email,
            lead_ref: item.lead_ref,
            contact_json: item.contact,
            source: item.source,
            line: item.line,
        }))
    }
}

/// Called with each input's name and its (column, field) pairs.
pub type MappingReport<'a> = dyn FnMut(&str, &[(String, String)]) + 'a;

/// Called with each warning about how an input was read (the encoding
/// detection chose, skipped lines), as a sentence that names the input.
pub type WarningReport<'a> = dyn FnMut(&str) + 'a;

/// Lines listed per kind in the warning about skipped lines.
const MAX_LISTED_LINES: usize = 5;

/// Reads all inputs and writes the spool in `spool_dir`.
pub fn prepare(
    inputs: &Inputs,
    options: &ReadOptions,
    spool_dir: &Path,
    mut rejects: RejectsFile,
    on_mapping: &mut MappingReport<'_>,
    on_warning: &mut WarningReport<'_>,
) -> anyhow::Result<Prepared> {
    crate::fsutil::create_private_dir(spool_dir)?;
    remove_stale_spools(spool_dir);
    let spool_path = spool_dir.join(format!(
        "spool-{}-{}.ndjson",
        std::process::id(),
        unique_suffix()
    ));
    let spool = Spool { path: spool_path };
    let mut writer = BufWriter::new(crate::fsutil::create_private_file(&spool.path)?);

    let mut state = PassState {
        counts: InputCounts::default(),
        distinct: 0,
        first_seen: HashMap::new(),
        sources: Vec::new(),
        header: Vec::new(),
        skipped: BTreeMap::new(),
    };
    let mut input_hashes = Vec::new();

    match inputs {
        Inputs::Flags(record) => {
            state.handle(record.clone(), &mut writer, &mut rejects)?;
            input_hashes.push(("--email".to_string(), String::new()));
        }
        Inputs::Sources(sources) => {
            for source in sources {
                let summary = {
                    let mut sink = |record: Record| match record {
                        Record::Warning(message) => {
                            on_warning(&message);
                            Ok(())
                        }
                        other => state.handle(other, &mut writer, &mut rejects),
                    };
                    input::read_source(source, options, &mut sink)?
                };
                let name = source_name(source);
                on_mapping(&name, &summary.mapping);
                for message in state.take_skipped(&name) {
                    on_warning(&message);
                }
                input_hashes.push((name, summary.sha256));
            }
        }
    }

    writer
        .flush()
        .context("failed to write the spool file in the data directory")?;
    rejects.flush()?;
    Ok(Prepared {
        counts: state.counts,
        distinct: state.distinct,
        spool,
        inputs: input_hashes,
        rejects,
    })
}

struct PassState {
    counts: InputCounts,
    distinct: u64,
    /// Key → (index into `sources`, line) of its first occurrence, for the
    /// duplicate message. It is the one structure that grows with the
    /// input, so it keeps the key as a boxed string and the source as an
    /// index rather than a copy of the file name per key.
    first_seen: HashMap<Box<str>, (u32, u64)>,
    /// The names of the sources seen, indexed by `first_seen`.
    sources: Vec<String>,
    /// The header of the source being read, for the rejects file.
    header: Vec<String>,
    /// Lines of the source being read that were skipped as non-data, by
    /// kind.
    skipped: BTreeMap<NonDataKind, Vec<u64>>,
}

impl PassState {
    /// Returns the index of a source name, adding it when new. Rows arrive
    /// source by source, so only the last name needs comparing.
    fn source_index(&mut self, name: &str) -> u32 {
        if self.sources.last().map(String::as_str) != Some(name) {
            self.sources.push(name.to_string());
        }
        u32::try_from(self.sources.len() - 1).unwrap_or(u32::MAX)
    }

    fn handle(
        &mut self,
        record: Record,
        spool: &mut impl Write,
        rejects: &mut RejectsFile,
    ) -> anyhow::Result<()> {
        match record {
            Record::Header(header) => self.header = header,
            Record::Blank(_) => self.counts.blank += 1,
            Record::NonData(location, kind) => {
                self.counts.non_data += 1;
                self.skipped.entry(kind).or_default().push(location.line);
            }
            // The caller's sink prints warnings before they get here.
            Record::Warning(_) => {}
            Record::Reject(reject) => {
                self.counts.read += 1;
                self.counts.rejected += 1;
                *self
                    .counts
                    .rejected_by_reason
                    .entry(reject.reason.code())
                    .or_default() += 1;
                rejects.write(&reject, &self.header)?;
            }
            Record::Contact(location, contact) => {
                self.counts.read += 1;
                self.counts.valid += 1;
                if let Some(&(source, line)) = self.first_seen.get(contact.key.as_str()) {
                    self.counts.duplicates_in_input += 1;
                    let first = Location {
                        source: self
                            .sources
                            .get(source as usize)
                            .cloned()
                            .unwrap_or_default(),
                        line,
                    };
                    let reject = duplicate_reject(&location, &first, &contact);
                    rejects.write(&reject, &self.header)?;
                    return Ok(());
                }
                let item = SpoolItem {
                    source: location.source.clone(),
                    line: location.line,
                    key: contact.key.clone(),
                    email: contact.email,
                    lead_ref: contact.lead_ref,
                    contact: serde_json::Value::Object(contact.fields).to_string(),
                };
                serde_json::to_writer(&mut *spool, &item)?;
                spool.write_all(b"\n")?;
                let source = self.source_index(&location.source);
                self.first_seen
                    .insert(contact.key.into_boxed_str(), (source, location.line));
                self.distinct += 1;
            }
        }
        Ok(())
    }
}

impl PassState {
    /// Describes the lines of the source just read that were skipped as
    /// non-data, one message per kind, and clears the list.
    fn take_skipped(&mut self, name: &str) -> Vec<String> {
        std::mem::take(&mut self.skipped)
            .into_iter()
            .map(|(kind, lines)| {
                let listed: Vec<String> = lines
                    .iter()
                    .take(MAX_LISTED_LINES)
                    .map(u64::to_string)
                    .collect();
                let more = match lines.len().saturating_sub(MAX_LISTED_LINES) {
                    0 => String::new(),
                    n => format!(" and {n} more"),
                };
                let what = match kind {
                    NonDataKind::Preamble => "above the header (preamble)",
                    NonDataKind::SepHint => "with Excel's sep= delimiter hint",
                    NonDataKind::RepeatedHeader => "that repeat the header",
                    NonDataKind::Footer => "of a report footer",
                };
                let noun = if lines.len() == 1 { "line" } else { "lines" };
                format!(
                    "{name}: skipped {} {noun} {what}: {noun} {}{more}",
                    lines.len(),
                    listed.join(", ")
                )
            })
            .collect()
    }
}

fn duplicate_reject(location: &Location, first: &Location, contact: &Contact) -> Reject {
    let place = if first.source == location.source {
        format!("line {}", first.line)
    } else {
        format!("{} line {}", first.source, first.line)
    };
    Reject {
        location: location.clone(),
        reason: RejectReason::DuplicateInFile,
        message: format!(
            "duplicate of {place} (same key {:?}); sent once",
            crate::text::escape_control(&contact.key)
        ),
        cells: contact
            .fields
            .values()
            .map(|value| match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
    }
}

/// Returns the display name of a source, as the reader uses it.
pub fn source_name(source: &Source) -> String {
    match source {
        Source::File(path) => path.display().to_string(),
        Source::Stdin => "<stdin>".to_string(),
    }
}

/// Removes spool files left by runs that were killed before they could
/// delete their own; they hold personal data. A spool's name carries its
/// run's process id, and a file whose process is gone is stale. Where
/// `/proc` does not exist, files older than a day count as stale instead.
fn remove_stale_spools(spool_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(spool_dir) else {
        return;
    };
    let have_proc = Path::new("/proc/self").exists();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix("spool-"))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let stale = if have_proc {
            pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()
        } else {
            entry
                .metadata()
                .and_then(|meta| meta.modified())
                .ok()
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|age| age > std::time::Duration::from_secs(86_400))
        };
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Returns a short random suffix for temporary file names.
fn unique_suffix() -> String {
    use rand::Rng;
    format!("{:08x}", rand::thread_rng().gen::<u32>())
}

/// Returns the key name recorded for a workflow: `email`, or `column:`
/// and the column name normalised as headers are matched, so `Signup ID`
/// and `signup id` name the same key.
pub fn key_name(key: &KeySpec) -> String {
    match key {
        KeySpec::Email => "email".to_string(),
        KeySpec::Column(column) => {
            format!("column:{}", crate::input::normalize_header_name(column))
        }
    }
}
