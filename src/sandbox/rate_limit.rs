//! A fixed one-second window rate limiter.
//!
//! Fixed windows let through up to twice the limit across a window boundary.
//! The sandbox accepts that, because it only has to make clients meet 429s,
//! not to protect a server.

use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(1);

pub struct RateLimiter {
    /// Maximum number of requests per window.
    limit: u32,
    window: Mutex<Window>,
}

struct Window {
    /// Start of the current window, or `None` before the first request.
    started: Option<Instant>,
    count: u32,
}

impl RateLimiter {
    pub fn new(limit: u32) -> RateLimiter {
        RateLimiter {
            limit,
            window: Mutex::new(Window {
                started: None,
                count: 0,
            }),
        }
    }

    /// Counts one request and returns whether it fits in the current window.
    pub fn try_acquire(&self) -> bool {
        self.try_acquire_at(Instant::now())
    }

    fn try_acquire_at(&self, now: Instant) -> bool {
        let mut window = self
            .window
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());

        let in_window = window
            .started
            .is_some_and(|started| now.saturating_duration_since(started) < WINDOW);
        if !in_window {
            window.started = Some(now);
            window.count = 0;
        }
        if window.count >= self.limit {
            return false;
        }
        window.count += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn try_acquire_rejects_past_limit() {
        let limiter = RateLimiter::new(2);
        let start = Instant::now();

        assert!(limiter.try_acquire_at(start));
        assert!(limiter.try_acquire_at(start + Duration::from_millis(10)));
        assert!(!limiter.try_acquire_at(start + Duration::from_millis(20)));
    }

    #[test]
    fn try_acquire_resets_after_window() {
        let limiter = RateLimiter::new(1);
        let start = Instant::now();

        assert!(limiter.try_acquire_at(start));
        assert!(!limiter.try_acquire_at(start + Duration::from_millis(999)));
        assert!(limiter.try_acquire_at(start + Duration::from_millis(1000)));
    }
}
