//! Request extractors whose rejections are JSON error replies, in place of
//! axum's plain-text ones, and the parsing of list parameters.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::ApiError;
use super::state::Page;

/// Maximum size of a request body. Bulk requests are limited by their
/// number of contacts, so this bound only stops a client from filling memory.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

const DEFAULT_PER_PAGE: u64 = 100;

/// Larger `per_page` values are lowered to this.
const MAX_PER_PAGE: u64 = 500;

/// A request body parsed as any JSON value, whatever its `Content-Type`.
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!("request body too large: at most {MAX_BODY_BYTES} bytes"),
                    )
                } else {
                    ApiError::bad_request(format!(
                        "failed to read request body: {}",
                        rejection.body_text()
                    ))
                }
            })?;

        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|error| ApiError::bad_request(format!("invalid JSON body: {error}")))
    }
}

/// Path parameters, rejected with a 400 when one is not valid UTF-8.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|rejection| {
                ApiError::bad_request(format!("invalid path: {}", rejection.body_text()))
            })
    }
}

/// Query parameters by name. Of a repeated name, the last value wins.
pub struct QueryParams(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map(|Query(params)| QueryParams(params))
            .map_err(|rejection| {
                ApiError::bad_request(format!("invalid query string: {}", rejection.body_text()))
            })
    }
}

impl QueryParams {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Reads `page` (1-based, default 1) and `per_page` (default 100,
    /// lowered to 500 when larger).
    pub fn page(&self) -> Result<Page, ApiError> {
        let number = self.positive_integer("page")?.unwrap_or(1);
        let size = self
            .positive_integer("per_page")?
            .unwrap_or(DEFAULT_PER_PAGE)
            .min(MAX_PER_PAGE);
        Ok(Page { number, size })
    }

    fn positive_integer(&self, name: &str) -> Result<Option<u64>, ApiError> {
        let Some(text) = self.get(name) else {
            return Ok(None);
        };
        match text.parse::<u64>() {
            Ok(value) if value >= 1 => Ok(Some(value)),
            _ => Err(ApiError::bad_request(format!(
                "invalid {name} {text:?}: expected an integer of 1 or more"
            ))),
        }
    }
}
