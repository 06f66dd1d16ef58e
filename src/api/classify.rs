//! The one place that decides what a failed or refused API call means.
//!
//! A pure function from what the client observed to whether the request
//! may have been applied. Callers pick the action per operation: bulk
//! enroll marks ambiguous batches `unknown`, a DELETE simply retries.

use std::time::Duration;

/// What one attempt produced, reduced to the facts that matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    /// The request failed below HTTP; no status line arrived.
    Transport(TransportFailure),
    /// The server answered with this status.
    Status {
        status: u16,
        retry_after: Option<Duration>,
    },
}

/// The reqwest error predicates the classification needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransportFailure {
    /// The connection could not be established (DNS, refused, connect
    /// timeout). reqwest reports a connect timeout as both `connect` and
    /// `timeout`, so `connect` is checked first.
    pub connect: bool,
    /// No response within the timeout.
    pub timeout: bool,
    /// The TLS handshake failed, e.g. an invalid certificate.
    pub tls: bool,
}

impl TransportFailure {
    /// Reads the predicates off a reqwest error.
    pub fn from_reqwest(error: &reqwest::Error) -> TransportFailure {
        TransportFailure {
            connect: error.is_connect(),
            timeout: error.is_timeout(),
            tls: chain_mentions_tls(error),
        }
    }
}

/// Whether any error in the source chain comes from the TLS layer. rustls
/// errors carry no stable predicate through reqwest, so this looks at the
/// rendered messages (rustls 0.23 prints "invalid peer certificate").
fn chain_mentions_tls(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(err) = current {
        let text = err.to_string();
        if text.contains("certificate") || text.contains("tls handshake") {
            return true;
        }
        current = err.source();
    }
    false
}

/// Whether a request may have been applied, and what that allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// 2xx: applied. The caller still checks the body.
    Success,
    /// Certainly not applied; safe to resend after a backoff.
    NotApplied,
    /// Rate limited or briefly unavailable; nothing was applied. Resend
    /// after the given wait, or a backoff when the server gave none.
    Throttled(Option<Duration>),
    /// May or may not have been applied: a timeout or reset after the
    /// request was sent, or a 5xx.
    Ambiguous,
    /// The server refused the request's content (400, 422 and other 4xx
    /// not listed below); nothing was applied.
    Rejected,
    /// 413: the body was too large; nothing was applied.
    TooLarge,
    /// 404: the workflow, agent or enrollment does not exist.
    NotFound,
    /// A configuration or permission problem that retrying cannot fix:
    /// 401, 403, a redirect, a TLS failure.
    Fatal,
}

/// Classifies one observation. The table behind it, per status:
/// 2xx success; 3xx fatal (redirects are off, so a 3xx means a wrong URL);
/// 401/403 fatal; 404 not found; 408 not applied; 413 too large; 429
/// throttled; other 4xx rejected; 503 with Retry-After throttled; other 5xx
/// ambiguous.
pub fn classify(observation: &Observation) -> Class {
    match *observation {
        Observation::Transport(failure) => {
            if failure.tls {
                Class::Fatal
            } else if failure.connect {
                Class::NotApplied
            } else {
                // Timeouts and resets after the connection was made: the
                // request may have been read and applied.
                Class::Ambiguous
            }
        }
        Observation::Status {
            status,
            retry_after,
        } => match status {
            200..=299 => Class::Success,
            300..=399 | 401 | 403 => Class::Fatal,
            404 => Class::NotFound,
            408 => Class::NotApplied,
            413 => Class::TooLarge,
            429 => Class::Throttled(retry_after),
            503 if retry_after.is_some() => Class::Throttled(retry_after),
            400..=499 => Class::Rejected,
            _ => Class::Ambiguous,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16) -> Observation {
        Observation::Status {
            status,
            retry_after: None,
        }
    }

    #[test]
    fn classify_status_table() {
        let wait = Some(Duration::from_secs(2));
        let cases = [
            (status(200), Class::Success),
            (status(201), Class::Success),
            (status(204), Class::Success),
            (status(301), Class::Fatal),
            (status(307), Class::Fatal),
            (status(400), Class::Rejected),
            (status(401), Class::Fatal),
            (status(403), Class::Fatal),
            (status(404), Class::NotFound),
            (status(408), Class::NotApplied),
            (status(413), Class::TooLarge),
            (status(422), Class::Rejected),
            (status(429), Class::Throttled(None)),
            (
                Observation::Status {
                    status: 429,
                    retry_after: wait,
                },
                Class::Throttled(wait),
            ),
            (status(500), Class::Ambiguous),
            (status(502), Class::Ambiguous),
            (status(503), Class::Ambiguous),
            (
                Observation::Status {
                    status: 503,
                    retry_after: wait,
                },
                Class::Throttled(wait),
            ),
            (status(504), Class::Ambiguous),
        ];
        for (observation, expected) in cases {
            assert_eq!(classify(&observation), expected, "{observation:?}");
        }
    }

    #[test]
    fn classify_connect_timeout_is_not_applied() {
        let failure = TransportFailure {
            connect: true,
            timeout: true,
            tls: false,
        };
        assert_eq!(
            classify(&Observation::Transport(failure)),
            Class::NotApplied
        );
    }

    #[test]
    fn classify_read_timeout_is_ambiguous() {
        let failure = TransportFailure {
            timeout: true,
            ..TransportFailure::default()
        };
        assert_eq!(classify(&Observation::Transport(failure)), Class::Ambiguous);
    }

    #[test]
    fn classify_tls_failure_is_fatal() {
        let failure = TransportFailure {
            connect: true,
            tls: true,
            ..TransportFailure::default()
        };
        assert_eq!(classify(&Observation::Transport(failure)), Class::Fatal);
    }
}
