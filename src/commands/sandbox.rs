//! `drippulse sandbox serve`.

use crate::cli::SandboxServeArgs;

/// Runs the standalone sandbox until interrupted.
pub fn serve(_args: &SandboxServeArgs) -> anyhow::Result<()> {
    Ok(())
}
