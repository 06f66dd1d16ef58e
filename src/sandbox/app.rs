//! The state shared by every request handler: storage, counters, the rate
//! limiter and the fault switches.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use super::error::ApiError;
use super::faults::{FaultCounts, FaultInjector};
use super::rate_limit::RateLimiter;
use super::state::Store;

pub type SharedState = Arc<AppState>;

pub struct AppState {
    pub store: Arc<Store>,
    pub stats: Stats,
    /// `None` when the rate limit is off.
    pub rate_limiter: Option<RateLimiter>,
    /// Maximum number of contacts in one bulk-enroll request.
    pub max_batch: usize,
    pub faults: FaultInjector,
}

impl AppState {
    /// Runs `work` on the store in Tokio's blocking pool, because SQLite
    /// calls block, for up to the busy timeout while another process has
    /// the write lock.
    pub async fn with_store<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&Store) -> anyhow::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let store = Arc::clone(&self.store);
        match tokio::task::spawn_blocking(move || work(&store)).await {
            Ok(result) => result.map_err(ApiError::from_store),
            Err(join_error) => Err(ApiError::from_store(anyhow::anyhow!(
                "state task failed: {join_error}"
            ))),
        }
    }
}

/// Counters of what this process served since it started, for tests that
/// assert how many API calls a command made. They are not stored in the
/// state file.
#[derive(Default)]
pub struct Stats {
    /// Requests to any route outside `/_sandbox/`, whatever their outcome.
    pub requests: AtomicU64,
    /// Bulk-enroll requests that passed authentication and the rate limit,
    /// whatever their outcome.
    pub bulk_enroll_calls: AtomicU64,
    /// Enrollment rows committed.
    pub enrollments_created: AtomicU64,
    /// Agent-execute requests that passed authentication and the rate limit.
    pub agent_execute_calls: AtomicU64,
    /// Agent executions stored. A replay by idempotency key adds none.
    pub agent_executions: AtomicU64,
    /// Requests rejected with 401.
    pub unauthorized: AtomicU64,
    /// Requests rejected with 429 by the rate limiter. Injected 429s are
    /// counted in `faults_injected` only.
    pub rate_limited: AtomicU64,
    /// Faults injected, by name. `latency-ms` counts delayed replies and
    /// `list-lag-ms` counts list replies that left out at least one
    /// enrollment.
    pub faults_injected: FaultCounts,
}

impl Stats {
    pub fn increment(counter: &AtomicU64) {
        Stats::add(counter, 1);
    }

    pub fn add(counter: &AtomicU64, amount: u64) {
        counter.fetch_add(amount, Ordering::Relaxed);
    }

    /// Returns the counters as the `/_sandbox/stats` body.
    pub fn to_json(&self) -> Value {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        json!({
            "requests": read(&self.requests),
            "bulk_enroll_calls": read(&self.bulk_enroll_calls),
            "enrollments_created": read(&self.enrollments_created),
            "agent_execute_calls": read(&self.agent_execute_calls),
            "agent_executions": read(&self.agent_executions),
            "unauthorized": read(&self.unauthorized),
            "rate_limited": read(&self.rate_limited),
            "faults_injected": self.faults_injected.to_json(),
        })
    }
}
