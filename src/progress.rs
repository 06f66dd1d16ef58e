//! Progress of long work on stderr: an indicatif bar on a terminal, or a
//! status line every few seconds for cron logs.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::output::ProgressMode;

/// How often the log mode prints a status line.
const LOG_INTERVAL: Duration = Duration::from_secs(5);

/// Counts shown while enrolling.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnrollProgress {
    /// Contacts whose fate in this run is settled.
    pub processed: u64,
    pub sent: u64,
    /// Already enrolled by an earlier run.
    pub skipped: u64,
    pub failed: u64,
    pub unknown: u64,
}

/// Reports progress of one phase to stderr.
pub struct Reporter {
    mode: ProgressMode,
    bar: Option<ProgressBar>,
    total: u64,
    started: Instant,
    last_line: Instant,
}

impl Reporter {
    /// Starts reporting work on `total` items.
    pub fn new(mode: ProgressMode, total: u64) -> Reporter {
        let bar = (mode == ProgressMode::Bar).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{bar:30.cyan/blue} {pos}/{len} {msg} [{elapsed}, ETA {eta}]",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        let now = Instant::now();
        Reporter {
            mode,
            bar,
            total,
            started: now,
            last_line: now,
        }
    }

    pub fn update(&mut self, progress: &EnrollProgress) {
        match self.mode {
            ProgressMode::Bar => {
                if let Some(bar) = &self.bar {
                    bar.set_position(progress.processed);
                    bar.set_message(format!(
                        "sent {}, skipped {}, failed {}, unknown {} ({:.0}/s)",
                        progress.sent,
                        progress.skipped,
                        progress.failed,
                        progress.unknown,
                        self.rate(progress)
                    ));
                }
            }
            ProgressMode::Log => {
                if self.last_line.elapsed() >= LOG_INTERVAL {
                    self.last_line = Instant::now();
                    eprintln!("{}", self.status_line(progress));
                }
            }
            ProgressMode::Hidden => {}
        }
    }

    /// Contacts processed per second since the start.
    fn rate(&self, progress: &EnrollProgress) -> f64 {
        let elapsed = self.started.elapsed().as_secs_f64();
        if elapsed > 0.0 {
            progress.processed as f64 / elapsed
        } else {
            0.0
        }
    }

    /// A one-line status for logs: counts, rate and elapsed time.
    fn status_line(&self, progress: &EnrollProgress) -> String {
        let elapsed = self.started.elapsed().as_secs_f64();
        let rate = self.rate(progress);
        format!(
            "progress: {}/{} processed, {} sent, {} skipped, {} failed, {} unknown ({rate:.0}/s, {elapsed:.0}s elapsed)",
            progress.processed,
            self.total,
            progress.sent,
            progress.skipped,
            progress.failed,
            progress.unknown
        )
    }

    /// Removes the bar, so the summary prints on a clean line.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
