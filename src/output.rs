//! The one way commands write: data on stdout, narration, warnings and
//! progress on stderr.

use std::fmt::Display;
use std::io::{IsTerminal, Write};

use crate::cli::{GlobalArgs, OutputFormat};

/// How progress is shown on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// An animated bar: stderr is a terminal.
    Bar,
    /// A status line every few seconds: stderr is a file or pipe, as in cron.
    Log,
    Hidden,
}

/// Writes everything a command prints, following `--output`, `-q`, `-v`
/// and `--no-progress`.
#[derive(Debug, Clone)]
pub struct Printer {
    format: OutputFormat,
    quiet: bool,
    verbose: u8,
    progress: ProgressMode,
}

impl Printer {
    pub fn new(global: &GlobalArgs) -> Printer {
        let progress = if global.quiet || global.no_progress {
            ProgressMode::Hidden
        } else if global.verbose > 0 || !std::io::stderr().is_terminal() {
            // A bar would interleave with -v detail lines, and makes no sense
            // in a log file; a periodic line serves both.
            ProgressMode::Log
        } else {
            ProgressMode::Bar
        };
        Printer {
            format: global.output,
            quiet: global.quiet,
            verbose: global.verbose,
            progress,
        }
    }

    pub fn is_json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    pub fn progress_mode(&self) -> ProgressMode {
        self.progress
    }

    /// Narration for people, on stderr; hidden by `-q`.
    pub fn status(&self, message: impl Display) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }

    /// Detail shown with `-v`, on stderr.
    pub fn detail(&self, message: impl Display) {
        if self.verbose > 0 {
            eprintln!("{message}");
        }
    }

    /// A warning on stderr; hidden by `-q`.
    pub fn warn(&self, message: impl Display) {
        if !self.quiet {
            eprintln!("warning: {message}");
        }
    }

    /// Writes one JSON document to stdout.
    pub fn json(&self, value: &serde_json::Value) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
        out.flush()
    }

    /// Writes data lines to stdout.
    pub fn data(&self, text: &str) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()
    }
}
