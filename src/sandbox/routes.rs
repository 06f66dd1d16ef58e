//! The route table, and the routes that need no state: health, the
//! inspection counters and the JSON 404 and 405 replies.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::agents;
use super::app::SharedState;
use super::enrollments;
use super::error::ApiError;
use super::extract::MAX_BODY_BYTES;
use super::middleware::{authorize, observe};

/// Builds the sandbox's router. Only the `/api/v1` routes other than health
/// require a key and count toward the rate limit.
pub fn router(state: SharedState) -> Router {
    let authenticated = Router::new()
        .route(
            "/api/v1/workflows/{workflow_id}/enrollments/bulk",
            post(enrollments::bulk_enroll),
        )
        .route(
            "/api/v1/workflows/{workflow_id}/enrollments",
            get(enrollments::list),
        )
        .route(
            "/api/v1/workflows/{workflow_id}/enrollments/{id}",
            get(enrollments::show).delete(enrollments::delete),
        )
        .route("/api/v1/agents/{agent_id}/execute", post(agents::execute))
        .route(
            "/api/v1/agents/{agent_id}/executions",
            get(agents::list_executions),
        )
        .route_layer(from_fn_with_state(state.clone(), authorize));

    let public = Router::new()
        .route("/health", get(health))
        .route("/api/v1/health", get(health))
        .route("/_sandbox/stats", get(stats));

    public
        .merge(authenticated)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /_sandbox/stats`: this process's request counters, without a key.
async fn stats(State(state): State<SharedState>) -> Json<serde_json::Value> {
    Json(state.stats.to_json())
}

async fn not_found() -> ApiError {
    ApiError::not_found("not found")
}

/// Returns a JSON 405. axum adds the `Allow` header.
async fn method_not_allowed() -> Response {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed").into_response()
}
