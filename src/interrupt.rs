//! SIGINT and SIGTERM handling for long runs: the first signal asks the run
//! to stop claiming and finish what is in flight; a second one exits at
//! once, leaving the rest to the next run's recovery.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

use crate::exit::ExitStatus;

/// Set once the first signal arrives.
#[derive(Clone, Default)]
pub struct Interrupt {
    requested: Arc<AtomicBool>,
    notify: Arc<Notify>,
}

impl Interrupt {
    /// Starts listening for SIGINT and SIGTERM on the current Tokio runtime.
    pub fn install() -> Interrupt {
        let interrupt = Interrupt::default();
        let listener = interrupt.clone();
        tokio::spawn(async move {
            let mut count = 0;
            loop {
                wait_for_signal().await;
                count += 1;
                if count == 1 {
                    eprintln!("interrupted: finishing the requests in flight (press Ctrl-C again to exit at once)");
                    listener.requested.store(true, Ordering::SeqCst);
                    listener.notify.notify_waiters();
                } else {
                    eprintln!("interrupted again: exiting now; the next run checks the contacts that were in flight");
                    std::process::exit(ExitStatus::Interrupted.code());
                }
            }
        });
        interrupt
    }

    pub fn is_requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// Waits until the first signal; returns at once if it already came.
    pub async fn requested(&self) {
        let notified = self.notify.notified();
        if self.is_requested() {
            return;
        }
        notified.await;
    }
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = match signal(SignalKind::terminate()) {
        Ok(stream) => stream,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
