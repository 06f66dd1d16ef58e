//! The rejects file: one CSV row per rejected input row, with the reason and
//! the original cells, for the user to fix and feed back in.
//!
//! The file contains personal data, so it is created with mode 0600 on Unix.
//! Every cell that a spreadsheet would run as a formula (starting with `=`,
//! `+`, `-`, `@`, TAB or CR) is prefixed with `'`, because users open this
//! file in Excel or Sheets. Input values are never changed this way: only
//! this output is.

use std::borrow::Cow;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::Reject;

/// Columns written before the original cells.
const LEADING_COLUMNS: [&str; 4] = ["file", "line", "reason", "message"];

/// Writes rejected rows as CSV. A header row precedes the first reject and
/// is repeated whenever a reject comes from a source with a different
/// header, so rows from several files stay readable in one file.
pub struct RejectsWriter {
    writer: csv::Writer<File>,
    path: PathBuf,
    current_header: Option<Vec<String>>,
}

impl RejectsWriter {
    /// Creates (or truncates) the file at `path`, readable only by its owner
    /// on Unix.
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options
            .open(path)
            .with_context(|| format!("failed to create rejects file {}", path.display()))?;
        // The mode above applies only to new files; an existing file keeps
        // its permissions unless they are set again.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .with_context(|| {
                    format!(
                        "failed to restrict permissions of rejects file {}",
                        path.display()
                    )
                })?;
        }
        let writer = csv::WriterBuilder::new().flexible(true).from_writer(file);
        Ok(RejectsWriter {
            writer,
            path: path.to_path_buf(),
            current_header: None,
        })
    }

    /// Appends one reject. `header` is the header of the reject's source
    /// (the source summary's `header`), written as a header row first when
    /// it differs from the last one written.
    pub fn write(&mut self, reject: &Reject, header: &[String]) -> anyhow::Result<()> {
        if self.current_header.as_deref() != Some(header) {
            let row = LEADING_COLUMNS
                .iter()
                .map(|name| Cow::Borrowed(*name))
                .chain(header.iter().map(|name| neutralize_cell(name)));
            self.writer
                .write_record(row.map(|cell| cell.into_owned()))
                .with_context(|| self.context())?;
            self.current_header = Some(header.to_vec());
        }

        let line = reject.location.line.to_string();
        let leading = [
            reject.location.source.as_str(),
            line.as_str(),
            reject.reason.code(),
            reject.message.as_str(),
        ];
        let row: Vec<String> = leading
            .into_iter()
            .chain(reject.cells.iter().map(String::as_str))
            .map(|cell| neutralize_cell(cell).into_owned())
            .collect();
        self.writer
            .write_record(&row)
            .with_context(|| self.context())?;
        Ok(())
    }

    /// Writes buffered rows to the file.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        let context = self.context();
        self.writer.flush().context(context)
    }

    /// Flushes the file and syncs it to disk.
    pub fn finish(self) -> anyhow::Result<()> {
        let context = self.context();
        let file = self
            .writer
            .into_inner()
            .map_err(|error| anyhow::anyhow!("{}", error.error()))
            .context(context.clone())?;
        file.sync_all().context(context)?;
        Ok(())
    }

    fn context(&self) -> String {
        format!("failed to write rejects file {}", self.path.display())
    }
}

/// Prefixes `'` to a cell that a spreadsheet would run as a formula: one
/// starting with `=`, `+`, `-`, `@`, TAB or CR.
pub fn neutralize_cell(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Location, RejectReason};

    #[test]
    fn formula_cells_are_neutralized() {
        let cases = [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+1 555 0102", "'+1 555 0102"),
            ("-Sample", "'-Sample"),
            ("@Alan", "'@Alan"),
            ("\t=SUM(1,2)", "'\t=SUM(1,2)"),
            ("\r=1", "'\r=1"),
            ("'=Already Escaped", "'=Already Escaped"),
            ("ada@example.com", "ada@example.com"),
            ("", ""),
        ];
        for (cell, expected) in cases {
            assert_eq!(neutralize_cell(cell), expected, "{cell:?}");
        }
    }

    fn reject(source: &str, cells: &[&str]) -> Reject {
        Reject {
            location: Location {
                source: source.to_string(),
                line: 5,
            },
            reason: RejectReason::InvalidEmail,
            message: "invalid email \"=cmd\": no \"@\"".to_string(),
            cells: cells.iter().map(|cell| cell.to_string()).collect(),
        }
    }

    #[test]
    fn writes_header_rows_and_neutralized_cells() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("rejects.csv");
        let mut writer = RejectsWriter::create(&path).expect("create");
        let first_header = vec!["email".to_string(), "name".to_string()];
        let second_header = vec!["Email".to_string()];
        writer
            .write(&reject("a.csv", &["=cmd", "Mallory"]), &first_header)
            .expect("write");
        writer
            .write(&reject("a.csv", &["x", "y", "extra"]), &first_header)
            .expect("write");
        writer
            .write(&reject("b.csv", &["@x"]), &second_header)
            .expect("write");
        writer.finish().expect("finish");

        let written = std::fs::read_to_string(&path).expect("read");
        let lines: Vec<&str> = written.lines().collect();
        assert_eq!(
            lines,
            vec![
                "file,line,reason,message,email,name",
                "a.csv,5,invalid_email,\"invalid email \"\"=cmd\"\": no \"\"@\"\"\",'=cmd,Mallory",
                "a.csv,5,invalid_email,\"invalid email \"\"=cmd\"\": no \"\"@\"\"\",x,y,extra",
                "file,line,reason,message,Email",
                "b.csv,5,invalid_email,\"invalid email \"\"=cmd\"\": no \"\"@\"\"\",'@x",
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("rejects.csv");
        std::fs::write(&path, "old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let writer = RejectsWriter::create(&path).expect("create");
        writer.finish().expect("finish");
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "");
    }
}
