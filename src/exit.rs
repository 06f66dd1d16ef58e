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
    /// The command finished, but the API refused some contacts or some
    /// could not be sent; they are in the rejects file or back in the queue.
    Incomplete = 3,
    /// Some contacts' outcome is still unknown after reconciliation; they
    /// are not resent until a later run can prove them absent.
    Unknown = 4,
    /// Another run holds the ledger lock.
    Locked = 5,
    /// Interrupted by SIGINT or SIGTERM (128 + SIGINT's number 2, as shells
    /// report it).
    Interrupted = 130,
}

impl ExitStatus {
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// The run was interrupted by a signal; maps to exit code 130.
#[derive(Debug, thiserror::Error)]
#[error("interrupted: {0}")]
pub struct Interrupted(pub String);

/// A command line that parsed but makes no sense; maps to exit code 2,
/// like clap's own usage errors.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Returns a [`UsageError`] with the message, for `?` and `return Err(..)`.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

/// A call whose outcome is unknown after its retries; maps to exit code 4.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct OutcomeUnknown(pub String);

/// The exit status for an error that stopped a command.
pub fn status_for_error(error: &anyhow::Error) -> ExitStatus {
    for cause in error.chain() {
        if cause.is::<crate::ledger::LockHeld>() {
            return ExitStatus::Locked;
        }
        if cause.is::<Interrupted>() {
            return ExitStatus::Interrupted;
        }
        if cause.is::<UsageError>() {
            return ExitStatus::Usage;
        }
        if cause.is::<OutcomeUnknown>() {
            return ExitStatus::Unknown;
        }
    }
    ExitStatus::Failure
}
