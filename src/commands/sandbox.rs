//! `drippulse sandbox serve`: the sandbox as a standalone server.

use std::io::Write;

use anyhow::Context;

use crate::cli::SandboxServeArgs;
use crate::sandbox::{self, parse_faults, SandboxConfig};

/// Runs the standalone sandbox until SIGINT or SIGTERM.
///
/// Opens the state and binds the address first, then prints
/// `listening on http://HOST:PORT` as the first line of stdout, so a script
/// that reads that line can connect right away.
pub fn serve(args: &SandboxServeArgs) -> anyhow::Result<()> {
    let faults = parse_faults(&args.faults.join(","))
        .context("failed to read the faults from --fault or DRIPPULSE_SANDBOX_FAULTS")?;
    let config = SandboxConfig {
        state: args.state.clone(),
        rate_limit: Some(args.rate_limit),
        max_batch: args.max_batch,
        faults,
    };
    let router = sandbox::build_router(&config)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("failed to start the Tokio runtime")?;

    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("failed to bind sandbox address {}", args.addr))?;
        let addr = listener
            .local_addr()
            .context("failed to read sandbox address")?;

        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on http://{addr}")
            .and_then(|()| stdout.flush())
            .context("failed to write the listening address to stdout")?;
        drop(stdout);

        sandbox::serve_router(listener, router, shutdown_signal()).await
    })
}

/// Completes on the first SIGINT (Ctrl-C) or, on Unix, SIGTERM. A signal
/// handler that cannot be installed is logged and never completes.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "failed to listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };

    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "failed to listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = interrupt => tracing::info!("received SIGINT"),
        () = terminate => tracing::info!("received SIGTERM"),
    }
}
