//! The DripPulse HTTP client.
//!
//! The documented API leaves several behaviours open. The client is
//! defensive about each one, and these are the assumptions it relies on,
//! stated once here:
//!
//! - Bulk enroll succeeds with any 2xx. The body is
//!   `{"created_count": N, "enrollment_ids": [...]}` with ids in the order of
//!   `contacts`, but either field may be missing. A batch counts as enrolled
//!   only when both are present and agree with the number of contacts sent;
//!   anything else, including the legacy `created_count: 0` reply, makes the
//!   batch's outcome unknown ([`BulkReply::Mismatch`]).
//! - The maximum batch size is undocumented. A 413, or a 400/422 whose
//!   message says the batch is too large, means nothing was created, so the
//!   batch may be split and resent.
//! - A 400/422 on bulk enroll creates nothing. When its body is
//!   `{"errors": [{"index": i, "message": ...}]}`, `index` points into
//!   `contacts` and only those contacts are at fault.
//! - A timeout, a dropped connection or a 5xx after the request was sent may
//!   or may not have created rows; a bulk-enroll call is never resent after
//!   one. Connection failures before sending, 429, and 503 with
//!   `Retry-After` created nothing. See [`classify`].
//! - `Retry-After` is delta-seconds or an HTTP-date.
//! - The enrollment list takes `page` (1-based) and `per_page`, returns
//!   `{"enrollments": [...], "total_count": T}`, and each enrollment has an
//!   `id` and `email`. A server may ignore paging and return everything at
//!   once, so listing stops when a page brings no new ids or `total_count`
//!   is reached.
//! - Ids of workflows, enrollments and agents are opaque strings, so they
//!   are percent-encoded as path segments.
//! - Error bodies carry `error`, `errors` or `message`; whichever is present
//!   is shown, with control characters escaped.

pub mod classify;
pub mod retry_after;

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

use crate::secret::ApiKey;
use crate::text::escape_control;
use classify::{classify, Class, Observation, TransportFailure};

/// Contacts per page when listing enrollments.
const LIST_PAGE_SIZE: u32 = 500;

/// Attempts for a read (GET) before giving up; reads are safe to repeat.
const READ_ATTEMPTS: u32 = 4;

/// How the client reaches the API.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The origin, e.g. `https://drippulse.io`; `/api/v1` is appended.
    pub origin: Url,
    pub key: ApiKey,
    /// Time allowed for each response.
    pub timeout: Duration,
}

/// An HTTP client bound to one API origin and key.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    api_root: Url,
}

/// One item the server named in a 400/422 reply to bulk enroll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    /// Index into the `contacts` array that was sent.
    pub index: usize,
    pub message: String,
}

/// The outcome of one bulk-enroll attempt, before any retry.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkReply {
    /// 2xx with a count and ids that agree with the contacts sent.
    Created(Vec<String>),
    /// 2xx whose body does not prove what was created.
    Mismatch(String),
    /// 400/422 naming the contacts at fault; nothing was created.
    ItemErrors(Vec<ItemError>),
    /// Any other failure, classified.
    Failed {
        class: Class,
        status: Option<u16>,
        message: String,
    },
}

/// Errors of calls other than bulk enroll.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the API rejected the key (HTTP {status}): {message}")]
    Unauthorized { status: u16, message: String },
    #[error("not found (HTTP 404) at {path}: {message}")]
    NotFound { path: String, message: String },
    #[error("request to {path} failed: {detail}")]
    Transport {
        path: String,
        class: Class,
        detail: String,
    },
    #[error("HTTP {status} from {path}: {message}")]
    Status {
        path: String,
        status: u16,
        class: Class,
        message: String,
    },
    #[error("invalid response from {path}: {detail}")]
    InvalidBody { path: String, detail: String },
}

impl ApiError {
    /// The class of the failure, for retry decisions.
    pub fn class(&self) -> Class {
        match self {
            ApiError::Unauthorized { .. } => Class::Fatal,
            ApiError::NotFound { .. } => Class::NotFound,
            ApiError::Transport { class, .. } | ApiError::Status { class, .. } => *class,
            ApiError::InvalidBody { .. } => Class::Ambiguous,
        }
    }
}

/// A request body.
enum Body {
    /// JSON text, sent with `Content-Type: application/json`.
    Json(String),
}

/// A response read in full.
struct RawResponse {
    status: StatusCode,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

impl Client {
    /// Builds the client. Redirects are off: a redirect on an authenticated
    /// call would either leak the key to another host or drop it, and both
    /// hide a wrong `--api-url`.
    pub fn new(config: ClientConfig) -> anyhow::Result<Client> {
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", config.key.expose()))
            .map_err(|_| anyhow::anyhow!("DRIPPULSE_API_KEY contains characters that are not allowed in an HTTP header; check the variable's value"))?;
        auth.set_sensitive(true);

        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));

        let http = reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(config.timeout)
            .user_agent(concat!("drippulse/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| anyhow::anyhow!("failed to build the HTTP client: {e}"))?;

        let mut api_root = config.origin;
        api_root
            .path_segments_mut()
            .map_err(|()| anyhow::anyhow!("the API URL cannot be a base URL"))?
            .pop_if_empty()
            .extend(["api", "v1"]);
        Ok(Client { http, api_root })
    }

    /// Builds a URL below `/api/v1` from path segments, each percent-encoded.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.api_root.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.extend(segments);
        }
        url
    }

    /// Sends one request and reads the whole response.
    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<Body>,
    ) -> Result<RawResponse, (TransportFailure, String)> {
        let mut request = self.http.request(method, url);
        match body {
            Some(Body::Json(text)) => {
                request = request.header(CONTENT_TYPE, "application/json").body(text);
            }
            None => {}
        }

        let response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after::parse_retry_after(v, SystemTime::now()));
        let body = response.bytes().await.map_err(transport_error)?.to_vec();
        Ok(RawResponse {
            status,
            retry_after,
            body,
        })
    }

    /// Sends one bulk-enroll call and interprets the reply. Each item of
    /// `contacts` is one contact as JSON object text, as stored in the
    /// ledger, so the body is assembled without parsing them again.
    /// Never retries: whether to resend is the caller's decision.
    pub async fn bulk_enroll(&self, workflow_id: &str, contacts: &[&str]) -> BulkReply {
        let url = self.url(&["workflows", workflow_id, "enrollments", "bulk"]);
        let mut body =
            String::with_capacity(contacts.iter().map(|c| c.len() + 1).sum::<usize>() + 40);
        body.push_str("{\"contacts\":[");
        for (i, contact) in contacts.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(contact);
        }
        body.push_str("],\"timezone\":\"UTC\"}");

        let raw = match self.send(Method::POST, url, Some(Body::Json(body))).await {
            Ok(raw) => raw,
            Err((failure, detail)) => {
                return BulkReply::Failed {
                    class: classify(&Observation::Transport(failure)),
                    status: None,
                    message: detail,
                }
            }
        };

        let class = classify(&Observation::Status {
            status: raw.status.as_u16(),
            retry_after: raw.retry_after,
        });
        match class {
            Class::Success => interpret_created(&raw.body, contacts.len()),
            Class::Rejected => {
                let message = error_message(&raw.body);
                if says_too_large(&message) {
                    return BulkReply::Failed {
                        class: Class::TooLarge,
                        status: Some(raw.status.as_u16()),
                        message,
                    };
                }
                let items = item_errors(&raw.body, contacts.len());
                if items.is_empty() {
                    BulkReply::Failed {
                        class,
                        status: Some(raw.status.as_u16()),
                        message,
                    }
                } else {
                    BulkReply::ItemErrors(items)
                }
            }
            _ => BulkReply::Failed {
                class,
                status: Some(raw.status.as_u16()),
                message: error_message(&raw.body),
            },
        }
    }

    /// Fetches one page of a workflow's enrollments, retrying transient
    /// failures. Returns the enrollment objects and `total_count` if given.
    async fn list_page(
        &self,
        workflow_id: &str,
        page: u32,
        filters: &ListFilters,
    ) -> Result<(Vec<Value>, Option<u64>), ApiError> {
        let mut url = self.url(&["workflows", workflow_id, "enrollments"]);
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("page", &page.to_string());
            query.append_pair("per_page", &LIST_PAGE_SIZE.to_string());
            if let Some(email) = &filters.email {
                query.append_pair("email", email);
            }
            if let Some(status) = &filters.status {
                query.append_pair("status", status);
            }
        }

        let body = self.get_json(url).await?;
        let path = format!("/workflows/{workflow_id}/enrollments");
        let enrollments = match body.get("enrollments") {
            Some(Value::Array(items)) => items.clone(),
            _ => {
                return Err(ApiError::InvalidBody {
                    path,
                    detail: "expected an object with an \"enrollments\" array".to_string(),
                })
            }
        };
        let total = body.get("total_count").and_then(Value::as_u64);
        Ok((enrollments, total))
    }

    /// Lists every enrollment of a workflow, following pages until a page
    /// brings no new ids or `total_count` is reached.
    pub async fn list_enrollments(
        &self,
        workflow_id: &str,
        filters: &ListFilters,
    ) -> Result<Vec<Value>, ApiError> {
        let mut all = Vec::new();
        let mut seen = HashSet::new();

        for page in 1.. {
            let (items, total) = self.list_page(workflow_id, page, filters).await?;
            let mut new_items = 0;
            for item in items {
                let id = item.get("id").map(id_string).unwrap_or_default();
                if seen.insert(id) {
                    all.push(item);
                    new_items += 1;
                }
            }
            let complete = total.is_some_and(|t| all.len() as u64 >= t);
            let enough = filters.limit.is_some_and(|limit| all.len() >= limit);
            if new_items == 0 || complete || enough {
                break;
            }
        }
        if let Some(limit) = filters.limit {
            all.truncate(limit);
        }
        // A server that ignores the filters returns everything; apply them
        // here too, so the result is right either way.
        if let Some(email) = &filters.email {
            all.retain(|e| {
                e.get("email")
                    .and_then(Value::as_str)
                    .is_some_and(|value| value.trim().eq_ignore_ascii_case(email.trim()))
            });
        }
        if let Some(status) = &filters.status {
            all.retain(|e| e.get("status").and_then(Value::as_str) == Some(status.as_str()));
        }
        Ok(all)
    }

    /// GETs a JSON document, retrying what a read may retry.
    async fn get_json(&self, url: Url) -> Result<Value, ApiError> {
        self.send_with_retries(Method::GET, url, None, READ_ATTEMPTS, |path, raw| {
            if raw.status.is_success() {
                parse_json(path, &raw.body)
            } else {
                Err(status_error(path, &raw))
            }
        })
        .await
    }

    /// Sends a request that is safe to repeat, and repeats it after the
    /// failures that allow it (not applied, throttled, ambiguous) until
    /// `attempts` are used. `interpret` turns each response into the
    /// result or the error.
    async fn send_with_retries<T>(
        &self,
        method: Method,
        url: Url,
        body: Option<String>,
        attempts: u32,
        interpret: impl Fn(&str, RawResponse) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let path = url.path().to_string();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let request_body = body.clone().map(Body::Json);
            let error = match self.send(method.clone(), url.clone(), request_body).await {
                Ok(raw) => match interpret(&path, raw) {
                    Ok(value) => return Ok(value),
                    Err(error) => error,
                },
                Err((failure, detail)) => ApiError::Transport {
                    path: path.clone(),
                    class: classify(&Observation::Transport(failure)),
                    detail,
                },
            };

            if !is_retryable(error.class()) || attempt >= attempts {
                return Err(error);
            }
            wait_before_retry(&path, attempt, &error).await;
        }
    }
}

/// The outcome of one DELETE of an enrollment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    /// 200 or 204: removed now.
    Removed,
    /// 404: it was already gone.
    AlreadyGone,
}

/// Attempts for a DELETE before giving up; deleting is safe to repeat.
const DELETE_ATTEMPTS: u32 = 4;

/// Attempts for an agent execution that may replay its idempotency key.
const AGENT_ATTEMPTS: u32 = 6;

impl Client {
    /// Deletes one enrollment, retrying transient failures, since a repeated
    /// DELETE cannot remove anything twice. A 404 means already gone.
    pub async fn delete_enrollment(
        &self,
        workflow_id: &str,
        enrollment_id: &str,
    ) -> Result<Deleted, ApiError> {
        let url = self.url(&["workflows", workflow_id, "enrollments", enrollment_id]);
        self.send_with_retries(
            Method::DELETE,
            url,
            None,
            DELETE_ATTEMPTS,
            |path, raw| match raw.status {
                status if status.is_success() => Ok(Deleted::Removed),
                StatusCode::NOT_FOUND => Ok(Deleted::AlreadyGone),
                _ => Err(status_error(path, &raw)),
            },
        )
        .await
    }

    /// Runs an agent with an idempotency key, replaying the same key and
    /// body after timeouts, 5xx, 429 and 409 (an execution with this key is
    /// still in progress), so the agent runs once however often this is
    /// retried. Returns the server's execution object.
    pub async fn execute_agent(&self, agent_id: &str, body: &Value) -> Result<Value, ApiError> {
        let url = self.url(&["agents", agent_id, "execute"]);
        let text = Some(body.to_string());
        self.send_with_retries(Method::POST, url, text, AGENT_ATTEMPTS, |path, raw| {
            match raw.status {
                status if status.is_success() => parse_json(path, &raw.body),
                // 409: an execution with this key is still running; wait and
                // replay it like a 429.
                StatusCode::CONFLICT => Err(ApiError::Status {
                    path: path.to_string(),
                    status: 409,
                    class: Class::Throttled(raw.retry_after),
                    message: error_message(&raw.body),
                }),
                _ => Err(status_error(path, &raw)),
            }
        })
        .await
    }
}

/// Whether a failure may be retried by a call that is safe to repeat.
fn is_retryable(class: Class) -> bool {
    matches!(
        class,
        Class::NotApplied | Class::Throttled(_) | Class::Ambiguous
    )
}

/// Sleeps for the server's Retry-After, else a backoff, and logs the retry.
async fn wait_before_retry(path: &str, attempt: u32, error: &ApiError) {
    let wait = match error.class() {
        Class::Throttled(Some(wait)) => wait,
        _ => backoff(attempt),
    };
    tracing::info!(%path, attempt, ?wait, "retrying after: {error}");
    tokio::time::sleep(wait).await;
}

/// Filters for listing enrollments.
#[derive(Debug, Clone, Default)]
pub struct ListFilters {
    pub email: Option<String>,
    pub status: Option<String>,
    /// Stop after this many enrollments.
    pub limit: Option<usize>,
}

/// Full-jitter exponential backoff: a random wait between zero and
/// `min(30 s, 1 s * 2^attempt)`.
pub fn backoff(attempt: u32) -> Duration {
    use rand::Rng;
    let cap_ms = 30_000u64.min(1_000u64.saturating_mul(1 << attempt.min(10)));
    Duration::from_millis(rand::thread_rng().gen_range(0..=cap_ms))
}

/// Renders an id that a server sent as a string or a number.
pub fn id_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn transport_error(error: reqwest::Error) -> (TransportFailure, String) {
    // reqwest's Display names the URL but never the headers, so the key
    // cannot appear here. Walk the chain, since the top message alone
    // ("error sending request") hides the cause.
    let mut detail = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    (TransportFailure::from_reqwest(&error), detail)
}

/// Parses a success body as JSON.
fn parse_json(path: &str, body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::InvalidBody {
        path: path.to_string(),
        detail: format!("not JSON: {e}"),
    })
}

fn status_error(path: &str, raw: &RawResponse) -> ApiError {
    let status = raw.status.as_u16();
    let message = error_message(&raw.body);
    match status {
        401 | 403 => ApiError::Unauthorized { status, message },
        404 => ApiError::NotFound {
            path: path.to_string(),
            message,
        },
        _ => ApiError::Status {
            path: path.to_string(),
            status,
            class: classify(&Observation::Status {
                status,
                retry_after: raw.retry_after,
            }),
            message,
        },
    }
}

/// Checks a 2xx bulk-enroll body against the number of contacts sent.
fn interpret_created(body: &[u8], sent: usize) -> BulkReply {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return BulkReply::Mismatch("the success reply was not JSON".to_string());
    };
    let count = value.get("created_count").and_then(Value::as_u64);
    let ids: Option<Vec<String>> = value
        .get("enrollment_ids")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().map(id_string).collect());

    match (count, ids) {
        (Some(count), Some(ids)) if count == sent as u64 && ids.len() == sent => {
            BulkReply::Created(ids)
        }
        (count, ids) => BulkReply::Mismatch(format!(
            "sent {sent} contacts but the reply has created_count {} and {} enrollment ids",
            count.map_or("missing".to_string(), |c| c.to_string()),
            ids.map_or("no".to_string(), |ids| ids.len().to_string()),
        )),
    }
}

/// Extracts `errors[].index` items that point into a batch of `len`.
fn item_errors(body: &[u8], len: usize) -> Vec<ItemError> {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let Some(errors) = value.get("errors").and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut items = Vec::new();
    for error in errors {
        let Some(index) = error.get("index").and_then(Value::as_u64) else {
            continue;
        };
        let Ok(index) = usize::try_from(index) else {
            continue;
        };
        if index >= len {
            continue;
        }
        let field = error.get("field").and_then(Value::as_str);
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("refused by the API");
        let message = match field {
            Some(field) => format!("{field}: {message}"),
            None => message.to_string(),
        };
        items.push(ItemError {
            index,
            message: escape_control(&message).into_owned(),
        });
    }
    items
}

fn says_too_large(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("too large") || lower.contains("too many")
}

/// Finds a human-readable message in an error body: `error`, then
/// `message`, then `errors` (strings or objects with `message`), else the
/// start of the body itself. Control characters are escaped and long
/// messages cut.
pub fn error_message(body: &[u8]) -> String {
    const MAX_CHARS: usize = 300;

    let text = match serde_json::from_slice::<Value>(body) {
        Ok(value) => {
            message_from_json(&value).unwrap_or_else(|| String::from_utf8_lossy(body).into_owned())
        }
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    let text = text.trim();
    let text = if text.is_empty() {
        "(empty body)"
    } else {
        text
    };
    let mut escaped = escape_control(text).into_owned();
    if escaped.chars().count() > MAX_CHARS {
        escaped = escaped.chars().take(MAX_CHARS).collect::<String>() + "...";
    }
    escaped
}

fn message_from_json(value: &Value) -> Option<String> {
    if let Some(text) = value.get("error").and_then(Value::as_str) {
        return Some(text.to_string());
    }
    if let Some(text) = value.get("message").and_then(Value::as_str) {
        return Some(text.to_string());
    }
    let errors = value.get("errors")?;
    let parts: Vec<String> = match errors {
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => s.clone(),
                other => other
                    .get("message")
                    .and_then(Value::as_str)
                    .map_or_else(|| other.to_string(), str::to_string),
            })
            .collect(),
        Value::String(s) => vec![s.clone()],
        other => vec![other.to_string()],
    };
    Some(parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_reply_with_matching_counts() {
        let body = br#"{"created_count":2,"enrollment_ids":["a","b"],"extra":1}"#;
        assert_eq!(
            interpret_created(body, 2),
            BulkReply::Created(vec!["a".into(), "b".into()])
        );
    }

    #[test]
    fn created_reply_with_legacy_zero_count_is_mismatch() {
        let body = br#"{"created_count":0,"enrollment_ids":[]}"#;
        assert!(matches!(interpret_created(body, 2), BulkReply::Mismatch(_)));
    }

    #[test]
    fn created_reply_missing_ids_is_mismatch() {
        assert!(matches!(
            interpret_created(br#"{"created_count":2}"#, 2),
            BulkReply::Mismatch(_)
        ));
        assert!(matches!(interpret_created(b"", 2), BulkReply::Mismatch(_)));
    }

    #[test]
    fn item_errors_skip_out_of_range_indexes() {
        let body = br#"{"errors":[{"index":1,"field":"email","message":"invalid"},{"index":9}]}"#;
        let items = item_errors(body, 3);
        assert_eq!(
            items,
            vec![ItemError {
                index: 1,
                message: "email: invalid".into()
            }]
        );
    }

    #[test]
    fn error_message_prefers_error_then_message_then_errors() {
        assert_eq!(error_message(br#"{"error":"bad key"}"#), "bad key");
        assert_eq!(error_message(br#"{"message":"nope"}"#), "nope");
        assert_eq!(error_message(br#"{"errors":["a","b"]}"#), "a; b");
        assert_eq!(error_message(b"plain\ntext"), "plain\\ntext");
        assert_eq!(error_message(b""), "(empty body)");
    }
}
