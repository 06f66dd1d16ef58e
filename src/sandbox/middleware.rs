//! Middleware: request counting and logging for every route, and the
//! bearer-key check and rate limit for the authenticated API routes.

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::app::{SharedState, Stats};
use super::error::ApiError;

/// Prefix of the keys the sandbox accepts. DripPulse's non-production keys
/// start with it; production keys start with `adcrm_live_`.
const TEST_KEY_PREFIX: &str = "adcrm_test_";

/// Prefix of the routes that inspect the sandbox itself, which the request
/// counter leaves out so that reading the counters does not change them.
const INSPECTION_PREFIX: &str = "/_sandbox/";

/// Counts the request and logs its method, path and status. The query
/// string and the headers are never logged, because they carry email
/// addresses and the API key.
pub async fn observe(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    if !path.starts_with(INSPECTION_PREFIX) {
        Stats::increment(&state.stats.requests);
    }

    let response = next.run(request).await;

    tracing::debug!(
        %method,
        %path,
        status = response.status().as_u16(),
        "sandbox request"
    );
    response
}

/// Rejects a request without a test key with 401, and one past the rate
/// limit with 429. Only authenticated requests count toward the limit.
pub async fn authorize(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    if let Err(error) = check_bearer(request.headers()) {
        Stats::increment(&state.stats.unauthorized);
        return error.into_response();
    }

    if let Some(limiter) = &state.rate_limiter {
        if !limiter.try_acquire() {
            Stats::increment(&state.stats.rate_limited);
            return ApiError::rate_limited().into_response();
        }
    }

    next.run(request).await
}

/// Accepts `Authorization: Bearer adcrm_test_...`, with the scheme name
/// compared case-insensitively. No message includes the key.
fn check_bearer(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err(ApiError::unauthorized(
            "missing Authorization header: send Authorization: Bearer <key>",
        ));
    };

    let token = value
        .to_str()
        .ok()
        .and_then(|text| text.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let Some(token) = token else {
        return Err(ApiError::unauthorized(
            "invalid Authorization header: expected Bearer <key>",
        ));
    };

    if !token.starts_with(TEST_KEY_PREFIX) {
        return Err(ApiError::unauthorized(
            "invalid API key: the sandbox accepts only keys that start with adcrm_test_",
        ));
    }
    Ok(())
}
