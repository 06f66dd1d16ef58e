//! Workflow enrollment routes: bulk enroll, list, show and delete.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};

use super::app::{SharedState, Stats};
use super::error::{ApiError, FieldError};
use super::extract::{ApiPath, JsonBody, QueryParams};
use super::faults::{Fault, HANG_LIMIT};
use super::server::ConnectionCloser;
use super::state::EnrollmentFilter;

/// `POST /api/v1/workflows/{workflow_id}/enrollments/bulk`.
///
/// Like DripPulse, the route is not idempotent: every call creates one new
/// enrollment per contact, even for contacts already enrolled. The request
/// is handled in three separate steps (check the request, commit the rows,
/// build the reply), and the fault drawn for the call applies between them.
/// `latency-ms` delays every outcome, including a closed connection.
pub async fn bulk_enroll(
    State(state): State<SharedState>,
    connection: Option<Extension<ConnectionCloser>>,
    ApiPath(workflow_id): ApiPath<String>,
    body: Result<JsonBody, ApiError>,
) -> Response {
    Stats::increment(&state.stats.bulk_enroll_calls);
    let fault = state.faults.draw();

    let outcome = match enroll(&state, workflow_id, body, fault).await {
        Ok(outcome) => outcome,
        Err(error) => Outcome::Reply(error.into_response()),
    };

    let latency = state.faults.faults().latency();
    if !latency.is_zero() {
        state.stats.faults_injected.increment(Fault::Latency);
        tokio::time::sleep(latency).await;
    }

    let connection = connection.map(|Extension(closer)| closer);
    match outcome {
        Outcome::Reply(response) => response,
        Outcome::Close => close_without_reply(connection).await,
        Outcome::Hang => {
            tokio::time::sleep(HANG_LIMIT).await;
            close_without_reply(connection).await
        }
    }
}

/// The end of a bulk-enroll call: a reply, or a connection closed without one.
enum Outcome {
    Reply(Response),
    /// Close the connection without any response.
    Close,
    /// Hold the connection without a reply, then close it.
    Hang,
}

/// Checks the request, commits its rows and builds the reply, injecting
/// `fault` at its step. A rate-limit fault applies before the checks, as a
/// real rate limiter would, and every other fault only to a request that
/// passes them. The fault is counted only when it was injected.
async fn enroll(
    state: &SharedState,
    workflow_id: String,
    body: Result<JsonBody, ApiError>,
    fault: Option<Fault>,
) -> Result<Outcome, ApiError> {
    let injected = |fault: Fault| state.stats.faults_injected.increment(fault);

    match fault {
        Some(Fault::RateLimit) => {
            injected(Fault::RateLimit);
            return Err(ApiError::rate_limited());
        }
        Some(Fault::RateLimitNoHeader) => {
            injected(Fault::RateLimitNoHeader);
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate limit exceeded",
            ));
        }
        _ => {}
    }

    let JsonBody(body) = body?;
    let contacts = parse_bulk_request(body, state.max_batch)?;

    if fault == Some(Fault::ErrorBeforeCommit) {
        injected(Fault::ErrorBeforeCommit);
        return Err(injected_server_error(Fault::ErrorBeforeCommit));
    }

    let ids = commit_enrollments(state, workflow_id, contacts).await?;

    let Some(fault) = fault else {
        return Ok(Outcome::Reply(bulk_reply(ids)));
    };
    injected(fault);
    let outcome = match fault {
        Fault::ErrorAfterCommit => Outcome::Reply(injected_server_error(fault).into_response()),
        Fault::DropAfterCommit => Outcome::Close,
        Fault::HangAfterCommit => Outcome::Hang,
        Fault::LegacyCreatedCountZero => Outcome::Reply(legacy_bulk_reply()),
        _ => Outcome::Reply(bulk_reply(ids)),
    };
    Ok(outcome)
}

/// Returns a 500 whose message names the fault, so a user reading a log
/// can tell an injected failure from a real one.
fn injected_server_error(fault: Fault) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("internal error: injected by sandbox fault {}", fault.name()),
    )
}

/// Closes the request's connection without sending anything, then waits
/// for the connection's task to drop this future. A request that did not
/// come through the sandbox's own server has no connection to close and
/// gets a 500 in its place.
pub async fn close_without_reply(connection: Option<ConnectionCloser>) -> Response {
    let Some(connection) = connection else {
        tracing::error!("sandbox fault cannot close a connection that the sandbox does not serve");
        return ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error: the sandbox could not close this connection for a fault",
        )
        .into_response();
    };

    connection.close();
    // The task drops this future right away, so the sleep only bounds how
    // long it could wait if that ever failed.
    tokio::time::sleep(HANG_LIMIT).await;
    tracing::error!("sandbox connection stayed open after a fault closed it");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal error: the sandbox could not close this connection for a fault",
    )
    .into_response()
}

/// Checks a bulk-enroll body and returns its contacts.
///
/// A body that is not an object or lacks a non-empty `contacts` array gets
/// a 400, more contacts than `max_batch` a 413, and contacts without a
/// valid email a 422 that lists each of them. `timezone` is not checked.
fn parse_bulk_request(body: Value, max_batch: usize) -> Result<Vec<Map<String, Value>>, ApiError> {
    let Value::Object(mut body) = body else {
        return Err(ApiError::bad_request(
            "invalid request body: expected a JSON object with a contacts array",
        ));
    };
    let contacts = match body.remove("contacts") {
        Some(Value::Array(contacts)) => contacts,
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid contacts: expected an array of contact objects",
            ))
        }
        None => {
            return Err(ApiError::bad_request(
                "missing contacts: expected an array of contact objects",
            ))
        }
    };

    if contacts.is_empty() {
        return Err(ApiError::bad_request(
            "contacts is empty: send at least one contact",
        ));
    }
    if contacts.len() > max_batch {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "batch too large: {} contacts, at most {max_batch}",
                contacts.len()
            ),
        ));
    }

    let mut valid = Vec::with_capacity(contacts.len());
    let mut errors = Vec::new();
    for (index, contact) in contacts.into_iter().enumerate() {
        match check_contact(contact) {
            Ok(contact) => valid.push(contact),
            Err((field, message)) => errors.push(FieldError {
                index,
                field,
                message: message.to_owned(),
            }),
        }
    }

    if !errors.is_empty() {
        return Err(ApiError::invalid_contacts(errors));
    }
    Ok(valid)
}

/// Returns the contact as an object, or the invalid field and why.
fn check_contact(contact: Value) -> Result<Map<String, Value>, (&'static str, &'static str)> {
    let Value::Object(contact) = contact else {
        return Err(("contact", "contact must be a JSON object"));
    };
    match contact.get("email") {
        None | Some(Value::Null) => Err(("email", "email is missing")),
        Some(Value::String(email)) if has_reserved_invalid_domain(email) => Err((
            "email",
            "email domain does not accept mail: .invalid is reserved by RFC 2606",
        )),
        Some(Value::String(email)) if is_plausible_email(email) => Ok(contact),
        Some(Value::String(_)) => Err((
            "email",
            "email is invalid: expected one @ between a local part and a domain with a dot",
        )),
        Some(_) => Err(("email", "email must be a string")),
    }
}

/// Returns whether the address is in the `.invalid` top-level domain,
/// which RFC 2606 reserves for names that can never exist. A client's
/// syntax check accepts such an address, so it stands for the refusals only
/// the server can make (no mail exchanger, a suppression list) and lets
/// tests reach a 422 that names some contacts of a batch.
fn has_reserved_invalid_domain(email: &str) -> bool {
    email
        .rsplit_once('.')
        .is_some_and(|(_, tld)| tld.eq_ignore_ascii_case("invalid"))
}

/// Applies a lenient address check: no whitespace, exactly one `@`, a
/// non-empty local part, and a domain with a dot that neither starts nor
/// ends it.
fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !email.chars().any(char::is_whitespace)
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// Stores the contacts as new enrollments and returns their ids in order.
async fn commit_enrollments(
    state: &SharedState,
    workflow_id: String,
    contacts: Vec<Map<String, Value>>,
) -> Result<Vec<String>, ApiError> {
    let ids = state
        .with_store(move |store| store.insert_enrollments(&workflow_id, &contacts))
        .await?;
    Stats::add(&state.stats.enrollments_created, ids.len() as u64);
    Ok(ids)
}

fn bulk_reply(ids: Vec<String>) -> Response {
    let body = json!({ "created_count": ids.len(), "enrollment_ids": ids });
    (StatusCode::CREATED, Json(body)).into_response()
}

/// Returns the reply of the legacy defect: 201 with `created_count: 0` and
/// an empty `enrollment_ids`, although every row was created. The ids are
/// left out too, so a client cannot recover them from the reply and must
/// treat the batch's outcome as unknown.
fn legacy_bulk_reply() -> Response {
    let body = json!({ "created_count": 0, "enrollment_ids": [] });
    (StatusCode::CREATED, Json(body)).into_response()
}

/// `GET /api/v1/workflows/{workflow_id}/enrollments`, with `page`,
/// `per_page`, `email` and `status` query parameters. `total_count` counts
/// every enrollment that matches the filters, not only the page's. The
/// `list-lag-ms` fault leaves out enrollments newer than its lag, from the
/// page and from `total_count` alike, but not from `show`.
pub async fn list(
    State(state): State<SharedState>,
    ApiPath(workflow_id): ApiPath<String>,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let page = params.page()?;
    let filter = EnrollmentFilter {
        email: params.get("email").map(str::to_owned),
        status: params.get("status").map(str::to_owned),
        hide_newer_than: Some(state.faults.faults().list_lag()).filter(|lag| !lag.is_zero()),
    };

    let listing = state
        .with_store(move |store| store.list_enrollments(&workflow_id, &filter, page))
        .await?;
    if listing.hidden_count > 0 {
        state.stats.faults_injected.increment(Fault::ListLag);
    }

    let body = json!({ "enrollments": listing.items, "total_count": listing.total_count });
    Ok(Json(body).into_response())
}

/// `GET /api/v1/workflows/{workflow_id}/enrollments/{id}`: the enrollment
/// wrapped as `{"enrollment": {...}}`.
pub async fn show(
    State(state): State<SharedState>,
    ApiPath((workflow_id, id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let enrollment = state
        .with_store(move |store| store.get_enrollment(&workflow_id, &id))
        .await?;

    match enrollment {
        Some(enrollment) => Ok(Json(json!({ "enrollment": enrollment })).into_response()),
        None => Err(ApiError::not_found("enrollment not found")),
    }
}

/// `DELETE /api/v1/workflows/{workflow_id}/enrollments/{id}`: 204 when the
/// enrollment was removed, 404 when the workflow has no such enrollment.
pub async fn delete(
    State(state): State<SharedState>,
    ApiPath((workflow_id, id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let deleted = state
        .with_store(move |store| store.delete_enrollment(&workflow_id, &id))
        .await?;

    if deleted {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found("enrollment not found"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_plausible_email_accepts_common_addresses() {
        for email in ["ada@example.com", "a.b+tag@mail.example.co.uk", "X@Y.Z"] {
            assert!(is_plausible_email(email), "{email}");
        }
    }

    #[test]
    fn is_plausible_email_rejects_malformed_addresses() {
        for email in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "a@b@example.com",
            "ada@.com",
            "ada@example.",
            "ada lovelace@example.com",
            " ada@example.com",
        ] {
            assert!(!is_plausible_email(email), "{email:?}");
        }
    }
}
