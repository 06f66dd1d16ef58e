//! A stateful emulation of the DripPulse API on loopback, for trying the
//! tool without an account and for every test.
//!
//! It serves health, bulk enroll, the enrollment list, show and delete,
//! and agent execute with its execution list, following the assumptions
//! this project makes where DripPulse's documentation is silent. Its state
//! lives in SQLite, in memory or in a file that several processes may share.
//! `GET /_sandbox/stats` returns this process's request counters. Fault
//! switches ([`Faults`]) make bulk enroll and the list fail on purpose.

mod agents;
mod app;
mod enrollments;
mod error;
mod extract;
mod faults;
mod middleware;
mod rate_limit;
mod routes;
mod server;
mod state;

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use tokio::sync::oneshot;

use app::{AppState, Stats};
use faults::FaultInjector;
pub use faults::{parse_faults, Faults};
use rate_limit::RateLimiter;
use state::Store;

/// Default maximum number of contacts in one bulk-enroll request.
pub const DEFAULT_MAX_BATCH: usize = 1000;

/// How long dropping a [`Sandbox`] waits for its blocking state work to end.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// How the sandbox behaves.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// SQLite file for the state; `None` keeps it in memory.
    pub state: Option<PathBuf>,
    /// Requests per second before 429; `None` or 0 means no limit.
    pub rate_limit: Option<u32>,
    /// Maximum number of contacts in one bulk-enroll request. A larger
    /// request gets a 413 and creates nothing.
    pub max_batch: usize,
    /// Failures to inject on purpose. The default injects none.
    pub faults: Faults,
}

impl Default for SandboxConfig {
    fn default() -> SandboxConfig {
        SandboxConfig {
            state: None,
            rate_limit: None,
            max_batch: DEFAULT_MAX_BATCH,
            faults: Faults::default(),
        }
    }
}

/// A sandbox running on its own thread and Tokio runtime, stopped on drop.
pub struct Sandbox {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Starts the sandbox on `addr` (port 0 picks a free port). Returns once
    /// the port is bound and the state is open, or with the error of either.
    pub fn start(config: SandboxConfig, addr: SocketAddr) -> anyhow::Result<Sandbox> {
        let router = build_router(&config)?;

        let listener = std::net::TcpListener::bind(addr)
            .with_context(|| format!("failed to bind sandbox address {addr}"))?;
        listener
            .set_nonblocking(true)
            .context("failed to configure sandbox listener")?;
        let addr = listener
            .local_addr()
            .context("failed to read sandbox address")?;

        // The runtime is built and dropped on the sandbox's thread, because
        // dropping a runtime inside another one (a caller's async test) panics.
        let (started, ready) = std::sync::mpsc::sync_channel::<anyhow::Result<()>>(1);
        let (shutdown, stop) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("drippulse-sandbox".into())
            .spawn(move || run_on_thread(listener, router, started, stop))
            .context("failed to spawn sandbox thread")?;

        match ready.recv() {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                let _ = thread.join();
                return Err(error);
            }
            Err(_) => {
                let _ = thread.join();
                anyhow::bail!("failed to start sandbox: its thread ended before serving");
            }
        }

        Ok(Sandbox {
            addr,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// Returns the origin to use as the client's API URL, e.g.
    /// `http://127.0.0.1:4321`. A sandbox bound to an unspecified address such as `0.0.0.0` is
    /// reached through loopback.
    pub fn base_url(&self) -> String {
        let mut addr = self.addr;
        match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => addr.set_ip(Ipv4Addr::LOCALHOST.into()),
            IpAddr::V6(ip) if ip.is_unspecified() => addr.set_ip(Ipv6Addr::LOCALHOST.into()),
            _ => {}
        }
        format!("http://{addr}")
    }
}

impl Drop for Sandbox {
    /// Stops serving without waiting for open connections, including those
    /// held by the `hang-after-commit` fault, then waits for the thread, so
    /// the state file is closed when `drop` returns.
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("sandbox thread panicked");
            }
        }
    }
}

/// Runs the sandbox's runtime until `stop` completes, after reporting
/// through `started` whether serving began.
fn run_on_thread(
    listener: std::net::TcpListener,
    router: Router,
    started: std::sync::mpsc::SyncSender<anyhow::Result<()>>,
    stop: oneshot::Receiver<()>,
) {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("drippulse-sandbox")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            let _ = started.send(Err(error).context("failed to start sandbox runtime"));
            return;
        }
    };

    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(listener) => listener,
            Err(error) => {
                let _ = started.send(Err(error).context("failed to register sandbox listener"));
                return;
            }
        };
        let _ = started.send(Ok(()));

        let stopped = async {
            // A receive error means the Sandbox was dropped, which is a stop too.
            let _ = stop.await;
        };
        if let Err(error) = serve_router(listener, router, stopped).await {
            tracing::error!(error = format!("{error:#}"), "sandbox stopped");
        }
    });
    runtime.shutdown_timeout(SHUTDOWN_TIMEOUT);
}

/// Serves the sandbox on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, config: SandboxConfig) -> anyhow::Result<()> {
    let router = build_router(&config)?;
    serve_router(listener, router, std::future::pending()).await
}

/// Opens the state and builds the router, without serving it yet.
pub(crate) fn build_router(config: &SandboxConfig) -> anyhow::Result<Router> {
    let store = Store::open(config.state.as_deref())?;
    if !config.faults.is_empty() {
        tracing::warn!(faults = %config.faults, "sandbox fault injection is on");
    }
    let state = AppState {
        store: Arc::new(store),
        stats: Stats::default(),
        rate_limiter: config
            .rate_limit
            .filter(|&limit| limit > 0)
            .map(RateLimiter::new),
        max_batch: config.max_batch,
        faults: FaultInjector::new(config.faults.clone()),
    };
    Ok(routes::router(Arc::new(state)))
}

/// Serves `router` on `listener` until `stop` completes. Stopping drops
/// open connections rather than waiting for them, because a client may
/// keep one open indefinitely.
pub(crate) async fn serve_router(
    listener: tokio::net::TcpListener,
    router: Router,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let addr = listener
        .local_addr()
        .context("failed to read sandbox address")?;
    tracing::info!(%addr, "sandbox started");

    tokio::select! {
        never = server::accept_connections(listener, router) => match never {},
        () = stop => {
            tracing::info!(%addr, "sandbox stopped");
            Ok(())
        }
    }
}
