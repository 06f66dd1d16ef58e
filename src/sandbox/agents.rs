//! Agent routes: run an agent with an idempotency key, and list its runs.
//!
//! The sandbox's agents do no work. A run succeeds with its input echoed as
//! `{"echo": input}`, or fails when the input contains `"fail": true`, so
//! that clients can test both outcomes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use serde_json::{json, Map, Value};

use super::app::{SharedState, Stats};
use super::enrollments::close_without_reply;
use super::error::ApiError;
use super::extract::{ApiPath, JsonBody, QueryParams};
use super::faults::Fault;
use super::server::ConnectionCloser;
use super::state::{new_id, now_rfc3339, ExecutionOutcome, NewExecution};

/// The only execution type the API documents.
const WORKFLOW_TYPE: &str = "workflow";

/// `POST /api/v1/agents/{agent_id}/execute`.
///
/// Returns 201 with a new execution. A repeat with the same agent, key and
/// input returns 200 with the stored execution and stores nothing; the same
/// key with another input gets a 422. Without a key every call runs anew.
pub async fn execute(
    State(state): State<SharedState>,
    connection: Option<Extension<ConnectionCloser>>,
    ApiPath(agent_id): ApiPath<String>,
    body: Result<JsonBody, ApiError>,
) -> Result<Response, ApiError> {
    Stats::increment(&state.stats.agent_execute_calls);

    let JsonBody(body) = body?;
    let request = parse_execute_request(body)?;
    let id = new_id("exe");
    let execution = run_agent(&id, &agent_id, &request);

    let outcome = state
        .with_store(move |store| {
            store.insert_execution(&NewExecution {
                id: &id,
                agent_id: &agent_id,
                idempotency_key: request.idempotency_key.as_deref(),
                input: &request.input,
                execution: &execution,
            })
        })
        .await?;

    let drop_reply =
        !matches!(outcome, ExecutionOutcome::KeyReused) && state.faults.draw_agent_drop();
    if matches!(outcome, ExecutionOutcome::Created(_)) {
        Stats::increment(&state.stats.agent_executions);
    }
    if drop_reply {
        state
            .stats
            .faults_injected
            .increment(Fault::AgentDropAfterCommit);
        let connection = connection.map(|Extension(closer)| closer);
        return Ok(close_without_reply(connection).await);
    }

    match outcome {
        ExecutionOutcome::Created(execution) => {
            Ok((StatusCode::CREATED, Json(execution)).into_response())
        }
        ExecutionOutcome::Replayed(execution) => {
            Ok((StatusCode::OK, Json(execution)).into_response())
        }
        ExecutionOutcome::KeyReused => Err(ApiError::unprocessable(
            "idempotency key reused with a different input",
        )),
    }
}

struct ExecuteRequest {
    idempotency_key: Option<String>,
    input: Value,
}

/// Checks an execute body: `type` must be `"workflow"`, `idempotency_key`
/// a non-empty string when present, and `input` any JSON value (default
/// `{}`).
fn parse_execute_request(body: Value) -> Result<ExecuteRequest, ApiError> {
    let Value::Object(mut body) = body else {
        return Err(ApiError::bad_request(
            "invalid request body: expected a JSON object with type and input",
        ));
    };

    match body.get("type") {
        Some(Value::String(kind)) if kind == WORKFLOW_TYPE => {}
        None | Some(Value::Null) => {
            return Err(ApiError::bad_request("missing type: expected \"workflow\""))
        }
        Some(_) => {
            return Err(ApiError::unprocessable(
                "unsupported type: expected \"workflow\"",
            ))
        }
    }

    let idempotency_key = match body.remove("idempotency_key") {
        None | Some(Value::Null) => None,
        Some(Value::String(key)) if !key.is_empty() => Some(key),
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid idempotency_key: expected a non-empty string",
            ))
        }
    };

    let input = body
        .remove("input")
        .unwrap_or_else(|| Value::Object(Map::new()));

    Ok(ExecuteRequest {
        idempotency_key,
        input,
    })
}

/// Builds the execution object of one run.
fn run_agent(id: &str, agent_id: &str, request: &ExecuteRequest) -> Value {
    let mut execution = Map::new();
    execution.insert("id".into(), id.into());
    execution.insert("agent_id".into(), agent_id.into());
    execution.insert("type".into(), WORKFLOW_TYPE.into());
    execution.insert(
        "idempotency_key".into(),
        request.idempotency_key.clone().into(),
    );
    execution.insert("input".into(), request.input.clone());

    if request.input.get("fail") == Some(&Value::Bool(true)) {
        execution.insert("status".into(), "failed".into());
        execution.insert(
            "error".into(),
            "agent run failed because the input set \"fail\": true".into(),
        );
    } else {
        execution.insert("status".into(), "succeeded".into());
        execution.insert("output".into(), json!({ "echo": request.input }));
    }
    execution.insert("created_at".into(), now_rfc3339().into());

    Value::Object(execution)
}

/// `GET /api/v1/agents/{agent_id}/executions`, oldest first, with `page`,
/// `per_page` and `idempotency_key` query parameters.
pub async fn list_executions(
    State(state): State<SharedState>,
    ApiPath(agent_id): ApiPath<String>,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let page = params.page()?;
    let key = params.get("idempotency_key").map(str::to_owned);

    let listing = state
        .with_store(move |store| store.list_executions(&agent_id, key.as_deref(), page))
        .await?;

    let body = json!({ "executions": listing.items, "total_count": listing.total_count });
    Ok(Json(body).into_response())
}
