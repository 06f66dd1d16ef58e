//! Crash points for the crash tests: with the `crash-points` feature, the
//! process aborts at the point named by `DRIPPULSE_CRASH_AT`, as a power cut
//! or SIGKILL would stop it there. Without the feature this is a no-op.

/// The variable that names the crash point.
pub const CRASH_ENV: &str = "DRIPPULSE_CRASH_AT";

/// The points, in the order a batch passes them.
pub const CRASH_POINTS: [&str; 4] = [
    "after-claim",
    "after-send",
    "after-reply",
    "in-outcome-commit",
];

/// Aborts the process when `DRIPPULSE_CRASH_AT` names `point`.
#[cfg(feature = "crash-points")]
pub fn point(point: &str) {
    if std::env::var(CRASH_ENV).is_ok_and(|wanted| wanted == point) {
        eprintln!("crash point {point}: aborting");
        std::process::abort();
    }
}

/// Does nothing: crash points are compiled out.
#[cfg(not(feature = "crash-points"))]
pub fn point(_point: &str) {}

/// Returns whether the process should stop after sending a request and
/// before reading its reply; the caller aborts once the request is out.
#[cfg(feature = "crash-points")]
pub fn armed(point: &str) -> bool {
    std::env::var(CRASH_ENV).is_ok_and(|wanted| wanted == point)
}

#[cfg(not(feature = "crash-points"))]
pub fn armed(_point: &str) -> bool {
    false
}
