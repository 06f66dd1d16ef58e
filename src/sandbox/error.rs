//! Error replies in the API's JSON shapes: `{"error": "..."}` for most
//! failures and `{"errors": [...]}` for per-contact validation.

use axum::http::header::RETRY_AFTER;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::ErrorCode;
use serde::Serialize;
use serde_json::{json, Value};

/// An error reply: a status, a JSON body and, for 429 and 503, the seconds
/// the client should wait before it retries.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
    retry_after_seconds: Option<u32>,
}

/// One invalid field of one contact in a bulk-enroll request.
#[derive(Debug, Serialize)]
pub struct FieldError {
    /// Position of the contact in the request's `contacts` array.
    pub index: usize,
    pub field: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: json!({ "error": message.into() }),
            retry_after_seconds: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn unprocessable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// Creates a 422 that lists every invalid contact.
    pub fn invalid_contacts(errors: Vec<FieldError>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({ "errors": errors }),
            retry_after_seconds: None,
        }
    }

    pub fn rate_limited() -> ApiError {
        ApiError {
            retry_after_seconds: Some(1),
            ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded")
        }
    }

    /// Converts a storage failure into a reply and logs it. A database
    /// still locked by another process after the busy timeout becomes a 503
    /// with `Retry-After`, because its transaction rolled back and a retry
    /// is safe. Anything else is a 500.
    pub fn from_store(error: anyhow::Error) -> ApiError {
        let busy = error
            .chain()
            .filter_map(|cause| cause.downcast_ref::<rusqlite::Error>())
            .filter_map(rusqlite::Error::sqlite_error_code)
            .any(|code| matches!(code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked));

        if busy {
            tracing::warn!(error = format!("{error:#}"), "sandbox state is busy");
            return ApiError {
                retry_after_seconds: Some(1),
                ..ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "sandbox state is busy: another process holds the write lock",
                )
            };
        }

        tracing::error!(error = format!("{error:#}"), "sandbox request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("internal error: {error:#}"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after_seconds {
            response.headers_mut().insert(RETRY_AFTER, seconds.into());
        }
        response
    }
}
