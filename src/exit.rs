//! Process exit statuses, one place for all of them.

/// How a command ended. The numbers are part of the interface that cron
/// scripts rely on; the README and `enroll --help` list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything the command set out to do is done.
    Success = 0,
    /// An error stopped the command.
    Failure = 1,
    /// The command line was invalid (clap's own code).
    Usage = 2,
    /// The command finished, but some contacts were refused by the API or
    /// their outcome is unknown.
    Incomplete = 3,
}

impl ExitStatus {
    pub fn code(self) -> i32 {
        self as i32
    }
}
