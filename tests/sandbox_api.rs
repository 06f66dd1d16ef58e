//! The sandbox's HTTP API, exercised over loopback with reqwest.

use std::net::SocketAddr;

use drippulse::sandbox::{Sandbox, SandboxConfig};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const TEST_KEY: &str = "adcrm_test_0123456789abcdef";

/// A sandbox on a free loopback port and a client with a test key.
struct Api {
    sandbox: Sandbox,
    client: reqwest::Client,
}

impl Api {
    fn start() -> Api {
        Api::start_with(SandboxConfig::default())
    }

    fn start_with(config: SandboxConfig) -> Api {
        let sandbox = Sandbox::start(config, loopback()).expect("sandbox starts");
        Api {
            sandbox,
            client: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    /// Sends an authenticated request and returns the status, the
    /// `Retry-After` header and the JSON body (`Null` when empty).
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(TEST_KEY);
        if let Some(body) = body {
            request = request.json(&body);
        }
        Reply::read(request.send().await.expect("request reaches the sandbox")).await
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }

    async fn enroll(&self, workflow_id: &str, contacts: Value) -> Reply {
        let path = format!("/api/v1/workflows/{workflow_id}/enrollments/bulk");
        self.post(&path, json!({ "contacts": contacts, "timezone": "UTC" }))
            .await
    }

    async fn stats(&self) -> Value {
        let response = self
            .client
            .get(self.url("/_sandbox/stats"))
            .send()
            .await
            .expect("stats request reaches the sandbox");
        response.json().await.expect("stats body is JSON")
    }
}

struct Reply {
    status: StatusCode,
    retry_after: Option<String>,
    allow: Option<String>,
    body: Value,
}

impl Reply {
    async fn read(response: reqwest::Response) -> Reply {
        let status = response.status();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|value| value.to_str().expect("header is ASCII").to_owned())
        };
        let retry_after = header("retry-after");
        let allow = header("allow");
        let text = response.text().await.expect("body is readable");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("body is JSON: {text}"))
        };
        Reply {
            status,
            retry_after,
            allow,
            body,
        }
    }

    fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or_default()
    }
}

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().expect("valid address")
}

fn contacts(emails: &[&str]) -> Value {
    emails
        .iter()
        .map(|email| json!({ "email": email }))
        .collect()
}

fn ids(reply: &Reply, field: &str) -> Vec<String> {
    reply.body[field]
        .as_array()
        .unwrap_or_else(|| panic!("{field} is an array: {}", reply.body))
        .iter()
        .map(|item| {
            item.as_str()
                .or_else(|| item["id"].as_str())
                .expect("id is a string")
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn health_answers_without_key() {
    let api = Api::start();

    for path in ["/health", "/api/v1/health"] {
        let response = api.client.get(api.url(path)).send().await.unwrap();
        let reply = Reply::read(response).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.body, json!({ "status": "ok" }), "{path}");
    }
}

#[tokio::test]
async fn bulk_enroll_creates_duplicates() {
    let api = Api::start();
    let batch = contacts(&["ada@example.com", "grace@example.com"]);

    let first = api.enroll("wf_1", batch.clone()).await;
    let second = api.enroll("wf_1", batch).await;

    for reply in [&first, &second] {
        assert_eq!(reply.status, StatusCode::CREATED);
        assert_eq!(reply.body["created_count"], 2);
        assert_eq!(ids(reply, "enrollment_ids").len(), 2);
    }
    let mut all_ids = ids(&first, "enrollment_ids");
    all_ids.extend(ids(&second, "enrollment_ids"));
    all_ids.sort();
    all_ids.dedup();
    assert_eq!(all_ids.len(), 4, "every call creates new ids");

    let list = api.get("/api/v1/workflows/wf_1/enrollments").await;
    assert_eq!(list.body["total_count"], 4);

    let stats = api.stats().await;
    assert_eq!(stats["bulk_enroll_calls"], 2);
    assert_eq!(stats["enrollments_created"], 4);
}

#[tokio::test]
async fn bulk_enroll_returns_ids_in_contact_order() {
    let api = Api::start();
    let emails = ["a@example.com", "b@example.com", "c@example.com"];

    let reply = api.enroll("wf_order", contacts(&emails)).await;

    assert_eq!(reply.status, StatusCode::CREATED);
    for (id, email) in ids(&reply, "enrollment_ids").iter().zip(emails) {
        assert!(id.starts_with("enr_"), "{id}");
        assert_eq!(id.len(), "enr_".len() + 16, "{id}");
        let enrollment_reply = api
            .get(&format!("/api/v1/workflows/wf_order/enrollments/{id}"))
            .await;
        assert_eq!(enrollment_reply.body["enrollment"]["email"], email);
    }
}

#[tokio::test]
async fn bulk_enroll_invalid_emails_create_nothing() {
    let api = Api::start();
    let batch = json!([
        { "email": "ok@example.com" },
        { "first_name": "No Email" },
        { "email": "not-an-address" },
        { "email": 42 },
        { "email": "also-ok@example.com" },
        "not an object",
    ]);

    let reply = api.enroll("wf_1", batch).await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = reply.body["errors"].as_array().expect("errors array");
    let indexes: Vec<u64> = errors
        .iter()
        .map(|error| error["index"].as_u64().expect("index"))
        .collect();
    assert_eq!(indexes, [1, 2, 3, 5]);
    assert_eq!(errors[0]["field"], "email");
    assert_eq!(errors[3]["field"], "contact");
    for error in errors {
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    let list = api.get("/api/v1/workflows/wf_1/enrollments").await;
    assert_eq!(list.body["total_count"], 0);
    assert_eq!(api.stats().await["enrollments_created"], 0);
}

#[tokio::test]
async fn bulk_enroll_over_max_batch_returns_413() {
    let api = Api::start_with(SandboxConfig {
        max_batch: 3,
        ..SandboxConfig::default()
    });
    let batch = contacts(&["a@x.io", "b@x.io", "c@x.io", "d@x.io"]);

    let reply = api.enroll("wf_1", batch).await;

    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error(), "batch too large: 4 contacts, at most 3");
    let list = api.get("/api/v1/workflows/wf_1/enrollments").await;
    assert_eq!(list.body["total_count"], 0);

    let at_limit = api
        .enroll("wf_1", contacts(&["a@x.io", "b@x.io", "c@x.io"]))
        .await;
    assert_eq!(at_limit.status, StatusCode::CREATED);
}

#[tokio::test]
async fn bulk_enroll_malformed_body_returns_400() {
    let api = Api::start();
    let url = api.url("/api/v1/workflows/wf_1/enrollments/bulk");
    let cases = [
        ("not JSON", "{\"contacts\": ["),
        ("array body", "[]"),
        ("missing contacts", "{\"timezone\": \"UTC\"}"),
        (
            "contacts not an array",
            "{\"contacts\": {\"email\": \"a@x.io\"}}",
        ),
        ("empty contacts", "{\"contacts\": []}"),
        ("empty body", ""),
    ];

    for (case, body) in cases {
        let response = api
            .client
            .post(&url)
            .bearer_auth(TEST_KEY)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let reply = Reply::read(response).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{case}");
        assert!(!reply.error().is_empty(), "{case}: {}", reply.body);
    }
    assert_eq!(api.stats().await["enrollments_created"], 0);
}

#[tokio::test]
async fn bulk_enroll_huge_body_returns_413() {
    let api = Api::start();
    let body = format!(
        "{{\"contacts\": [{{\"email\": \"a@x.io\", \"note\": \"{}\"}}]}}",
        "x".repeat(17 * 1024 * 1024)
    );

    let response = api
        .client
        .post(api.url("/api/v1/workflows/wf_1/enrollments/bulk"))
        .bearer_auth(TEST_KEY)
        .body(body)
        .send()
        .await
        .unwrap();
    let reply = Reply::read(response).await;

    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(reply.error().starts_with("request body too large"));
}

#[tokio::test]
async fn auth_rejects_missing_key() {
    let api = Api::start();

    let response = api
        .client
        .get(api.url("/api/v1/workflows/wf_1/enrollments"))
        .send()
        .await
        .unwrap();
    let reply = Reply::read(response).await;

    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(!reply.error().is_empty());
}

#[tokio::test]
async fn auth_rejects_live_and_malformed_keys() {
    let api = Api::start();
    let secret = "adcrm_live_secret123";
    let headers = [
        format!("Bearer {secret}"),
        format!("Basic {secret}"),
        secret.to_owned(),
        "Bearer ".to_owned(),
    ];

    for header in headers {
        let response = api
            .client
            .post(api.url("/api/v1/workflows/wf_1/enrollments/bulk"))
            .header("authorization", &header)
            .json(&json!({ "contacts": [{ "email": "a@x.io" }] }))
            .send()
            .await
            .unwrap();
        let reply = Reply::read(response).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{header}");
        assert!(!reply.body.to_string().contains("secret123"), "{header}");
    }

    let stats = api.stats().await;
    assert_eq!(stats["bulk_enroll_calls"], 0);
    assert_eq!(stats["unauthorized"], 4);
}

#[tokio::test]
async fn auth_accepts_lowercase_bearer_scheme() {
    let api = Api::start();

    let response = api
        .client
        .get(api.url("/api/v1/workflows/wf_1/enrollments"))
        .header("authorization", format!("bearer {TEST_KEY}"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn list_pages_oldest_first() {
    let api = Api::start();
    let emails = ["1@x.io", "2@x.io", "3@x.io", "4@x.io", "5@x.io"];
    let first = api.enroll("wf_1", contacts(&emails[..3])).await;
    let second = api.enroll("wf_1", contacts(&emails[3..])).await;
    let mut created = ids(&first, "enrollment_ids");
    created.extend(ids(&second, "enrollment_ids"));

    let mut listed = Vec::new();
    for (page, expected_len) in [(1, 2), (2, 2), (3, 1), (4, 0)] {
        let reply = api
            .get(&format!(
                "/api/v1/workflows/wf_1/enrollments?page={page}&per_page=2"
            ))
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body["total_count"], 5, "page {page}");
        let page_ids = ids(&reply, "enrollments");
        assert_eq!(page_ids.len(), expected_len, "page {page}");
        listed.extend(page_ids);
    }

    assert_eq!(listed, created);
}

#[tokio::test]
async fn list_defaults_and_clamps_per_page() {
    let api = Api::start();
    let emails: Vec<String> = (0..600).map(|i| format!("c{i}@x.io")).collect();
    let emails: Vec<&str> = emails.iter().map(String::as_str).collect();
    assert_eq!(
        api.enroll("wf_1", contacts(&emails)).await.status,
        StatusCode::CREATED
    );

    let default_page = api.get("/api/v1/workflows/wf_1/enrollments").await;
    let clamped = api
        .get("/api/v1/workflows/wf_1/enrollments?per_page=1000")
        .await;

    assert_eq!(ids(&default_page, "enrollments").len(), 100);
    assert_eq!(ids(&clamped, "enrollments").len(), 500);
    assert_eq!(clamped.body["total_count"], 600);
}

#[tokio::test]
async fn list_filters_by_email_and_status() {
    let api = Api::start();
    api.enroll(
        "wf_1",
        contacts(&["Ada@Example.com", "grace@example.com", "ada@example.com"]),
    )
    .await;
    api.enroll("wf_other", contacts(&["ada@example.com"])).await;

    let by_email = api
        .get("/api/v1/workflows/wf_1/enrollments?email=ADA%40example.COM")
        .await;
    let active = api
        .get("/api/v1/workflows/wf_1/enrollments?status=active")
        .await;
    let paused = api
        .get("/api/v1/workflows/wf_1/enrollments?status=paused")
        .await;

    assert_eq!(by_email.body["total_count"], 2);
    let emails: Vec<&str> = by_email.body["enrollments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|enrollment| enrollment["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["Ada@Example.com", "ada@example.com"]);
    assert_eq!(active.body["total_count"], 3);
    assert_eq!(paused.body["total_count"], 0);
    assert_eq!(paused.body["enrollments"], json!([]));
}

#[tokio::test]
async fn list_rejects_invalid_paging() {
    let api = Api::start();

    let queries = [
        "page=0",
        "page=abc",
        "page=99999999999999999999",
        "per_page=0",
        "per_page=-1",
    ];
    for query in queries {
        let reply = api
            .get(&format!("/api/v1/workflows/wf_1/enrollments?{query}"))
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(!reply.error().is_empty(), "{query}");
    }
}

#[tokio::test]
async fn list_beyond_last_page_is_empty() {
    let api = Api::start();
    api.enroll("wf_1", contacts(&["a@x.io"])).await;

    let reply = api
        .get("/api/v1/workflows/wf_1/enrollments?page=18446744073709551615&per_page=500")
        .await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["enrollments"], json!([]));
    assert_eq!(reply.body["total_count"], 1);
}

#[tokio::test]
async fn path_with_invalid_utf8_returns_400() {
    let api = Api::start();

    let reply = api.get("/api/v1/workflows/%FF/enrollments").await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.error().starts_with("invalid path"), "{}", reply.body);
}

#[tokio::test]
async fn enrollment_keeps_contact_fields() {
    let api = Api::start();
    let contact = json!({
        "email": "ada@example.com",
        "first_name": "Ada",
        "lead_ref": "lead_42",
        "plan": { "tier": "pro", "seats": 3 },
    });

    let reply = api.enroll("wf_1", json!([contact])).await;
    let id = &ids(&reply, "enrollment_ids")[0];
    let enrollment_reply = api
        .get(&format!("/api/v1/workflows/wf_1/enrollments/{id}"))
        .await;

    let enrollment = &enrollment_reply.body["enrollment"];
    assert_eq!(enrollment["id"], id.as_str());
    assert_eq!(enrollment["workflow_id"], "wf_1");
    assert_eq!(enrollment["email"], "ada@example.com");
    assert_eq!(enrollment["status"], "active");
    assert_eq!(enrollment["first_name"], "Ada");
    assert_eq!(enrollment["lead_ref"], "lead_42");
    assert_eq!(enrollment["plan"], json!({ "tier": "pro", "seats": 3 }));
    let created_at = enrollment["created_at"].as_str().expect("created_at");
    let parsed = chrono::DateTime::parse_from_rfc3339(created_at).expect("RFC 3339");
    assert_eq!(parsed.offset().local_minus_utc(), 0);
}

#[tokio::test]
async fn show_returns_404_for_unknown_or_other_workflow() {
    let api = Api::start();
    let reply = api.enroll("wf_1", contacts(&["a@x.io"])).await;
    let id = &ids(&reply, "enrollment_ids")[0];

    let unknown = api
        .get("/api/v1/workflows/wf_1/enrollments/enr_0000000000000000")
        .await;
    let other_workflow = api
        .get(&format!("/api/v1/workflows/wf_2/enrollments/{id}"))
        .await;

    for reply in [unknown, other_workflow] {
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(reply.body, json!({ "error": "enrollment not found" }));
    }
}

#[tokio::test]
async fn delete_returns_204_then_404() {
    let api = Api::start();
    let reply = api.enroll("wf_1", contacts(&["a@x.io", "b@x.io"])).await;
    let id = &ids(&reply, "enrollment_ids")[0];
    let path = format!("/api/v1/workflows/wf_1/enrollments/{id}");

    let first = api.delete(&path).await;
    let second = api.delete(&path).await;

    assert_eq!(first.status, StatusCode::NO_CONTENT);
    assert_eq!(first.body, Value::Null);
    assert_eq!(second.status, StatusCode::NOT_FOUND);
    assert_eq!(api.get(&path).await.status, StatusCode::NOT_FOUND);
    let list = api.get("/api/v1/workflows/wf_1/enrollments").await;
    assert_eq!(list.body["total_count"], 1);
}

#[tokio::test]
async fn agent_execute_replays_by_key() {
    let api = Api::start();
    let body = json!({
        "type": "workflow",
        "idempotency_key": "signup-42",
        "input": { "email": "ada@example.com" },
    });

    let first = api.post("/api/v1/agents/agt_1/execute", body.clone()).await;
    let second = api.post("/api/v1/agents/agt_1/execute", body).await;

    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(first.body, second.body);
    assert!(first.body["id"].as_str().unwrap().starts_with("exe_"));
    assert_eq!(first.body["agent_id"], "agt_1");
    assert_eq!(first.body["idempotency_key"], "signup-42");
    assert_eq!(first.body["status"], "succeeded");
    assert_eq!(
        first.body["output"],
        json!({ "echo": { "email": "ada@example.com" } })
    );

    let list = api.get("/api/v1/agents/agt_1/executions").await;
    assert_eq!(list.body["total_count"], 1);
    assert_eq!(list.body["executions"][0]["id"], first.body["id"]);
    let stats = api.stats().await;
    assert_eq!(stats["agent_executions"], 1);
    assert_eq!(stats["agent_execute_calls"], 2);
}

#[tokio::test]
async fn agent_execute_key_is_scoped_to_agent() {
    let api = Api::start();
    let body = json!({ "type": "workflow", "idempotency_key": "k", "input": {} });

    let first = api.post("/api/v1/agents/agt_1/execute", body.clone()).await;
    let other = api.post("/api/v1/agents/agt_2/execute", body).await;

    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(other.status, StatusCode::CREATED);
    assert_ne!(first.body["id"], other.body["id"]);
}

#[tokio::test]
async fn agent_execute_rejects_key_reuse_with_other_input() {
    let api = Api::start();
    let path = "/api/v1/agents/agt_1/execute";
    api.post(
        path,
        json!({ "type": "workflow", "idempotency_key": "k1", "input": { "n": 1 } }),
    )
    .await;

    let reply = api
        .post(
            path,
            json!({ "type": "workflow", "idempotency_key": "k1", "input": { "n": 2 } }),
        )
        .await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.error(),
        "idempotency key reused with a different input"
    );
    assert_eq!(api.stats().await["agent_executions"], 1);
}

#[tokio::test]
async fn agent_execute_without_key_runs_each_time() {
    let api = Api::start();
    let body = json!({ "type": "workflow", "input": { "n": 1 } });

    let first = api.post("/api/v1/agents/agt_1/execute", body.clone()).await;
    let second = api.post("/api/v1/agents/agt_1/execute", body).await;

    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.status, StatusCode::CREATED);
    assert_ne!(first.body["id"], second.body["id"]);
    let list = api.get("/api/v1/agents/agt_1/executions").await;
    assert_eq!(list.body["total_count"], 2);
}

#[tokio::test]
async fn agent_execute_fail_input_reports_failed() {
    let api = Api::start();

    let reply = api
        .post(
            "/api/v1/agents/agt_1/execute",
            json!({ "type": "workflow", "idempotency_key": "k", "input": { "fail": true } }),
        )
        .await;

    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.body["status"], "failed");
    assert!(reply.body["error"].as_str().is_some_and(|e| !e.is_empty()));
}

#[tokio::test]
async fn agent_execute_rejects_invalid_body() {
    let api = Api::start();
    let cases = [
        (json!([]), StatusCode::BAD_REQUEST),
        (json!({ "input": {} }), StatusCode::BAD_REQUEST),
        (
            json!({ "type": "workflow", "idempotency_key": 7 }),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({ "type": "batch", "input": {} }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];

    for (body, expected) in cases {
        let reply = api.post("/api/v1/agents/agt_1/execute", body.clone()).await;
        assert_eq!(reply.status, expected, "{body}");
        assert!(!reply.error().is_empty(), "{body}");
    }
    assert_eq!(api.stats().await["agent_executions"], 0);
}

#[tokio::test]
async fn rate_limit_returns_429_with_retry_after() {
    let api = Api::start_with(SandboxConfig {
        rate_limit: Some(2),
        ..SandboxConfig::default()
    });
    let path = "/api/v1/workflows/wf_1/enrollments";

    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..5 {
        let reply = api.get(path).await;
        statuses.push(reply.status);
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(reply);
        }
    }

    // Five requests cannot span more than two one-second windows here, so
    // at most four pass.
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let limited = limited.unwrap();
    assert_eq!(limited.retry_after.as_deref(), Some("1"));
    assert_eq!(limited.body, json!({ "error": "rate limit exceeded" }));

    let health = api.client.get(api.url("/health")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK, "health is not limited");
}

#[tokio::test]
async fn rate_limit_zero_means_unlimited() {
    let api = Api::start_with(SandboxConfig {
        rate_limit: Some(0),
        ..SandboxConfig::default()
    });

    for _ in 0..20 {
        let reply = api.get("/api/v1/workflows/wf_1/enrollments").await;
        assert_eq!(reply.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn unknown_route_returns_404_json() {
    let api = Api::start();

    for path in ["/nope", "/api/v1/contacts", "/api/v2/health"] {
        let reply = api.get(path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.body, json!({ "error": "not found" }), "{path}");
    }
}

#[tokio::test]
async fn wrong_method_returns_405() {
    let api = Api::start();

    let reply = api
        .send(Method::PUT, "/api/v1/workflows/wf_1/enrollments", None)
        .await;

    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.body, json!({ "error": "method not allowed" }));
    assert!(reply.allow.is_some_and(|allow| allow.contains("GET")));
}

#[tokio::test]
async fn stats_counts_requests_outside_inspection() {
    let api = Api::start();
    assert_eq!(api.stats().await["requests"], 0);

    api.get("/api/v1/health").await;
    api.enroll("wf_1", contacts(&["a@x.io"])).await;

    let stats = api.stats().await;
    assert_eq!(stats["requests"], 2);
    assert_eq!(stats["bulk_enroll_calls"], 1);
    assert_eq!(stats["enrollments_created"], 1);
    assert_eq!(stats["agent_executions"], 0);
}

#[tokio::test]
async fn state_file_persists_across_instances() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sandbox.sqlite3");
    let config = SandboxConfig {
        state: Some(state.clone()),
        ..SandboxConfig::default()
    };

    let created = {
        let api = Api::start_with(config.clone());
        let reply = api.enroll("wf_1", contacts(&["a@x.io", "b@x.io"])).await;
        api.post(
            "/api/v1/agents/agt_1/execute",
            json!({ "type": "workflow", "idempotency_key": "k", "input": {} }),
        )
        .await;
        ids(&reply, "enrollment_ids")
    };

    let api = Api::start_with(config);
    let list = api.get("/api/v1/workflows/wf_1/enrollments").await;
    let replay = api
        .post(
            "/api/v1/agents/agt_1/execute",
            json!({ "type": "workflow", "idempotency_key": "k", "input": {} }),
        )
        .await;

    assert_eq!(ids(&list, "enrollments"), created);
    assert_eq!(replay.status, StatusCode::OK, "the key survives a restart");
    assert_eq!(
        api.stats().await["enrollments_created"],
        0,
        "stats are per process"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&state).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn state_file_shared_by_two_instances() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        state: Some(dir.path().join("sandbox.sqlite3")),
        ..SandboxConfig::default()
    };
    let first = Api::start_with(config.clone());
    let second = Api::start_with(config);

    let mut tasks = tokio::task::JoinSet::new();
    for round in 0..10 {
        for (name, api) in [("first", &first), ("second", &second)] {
            let contact = json!({ "email": format!("{name}{round}@x.io") });
            let request = api
                .client
                .post(api.url("/api/v1/workflows/wf_1/enrollments/bulk"))
                .bearer_auth(TEST_KEY)
                .json(&json!({ "contacts": [contact] }));
            tasks.spawn(async move { Reply::read(request.send().await.unwrap()).await });
        }
    }
    let mut created = Vec::new();
    while let Some(reply) = tasks.join_next().await {
        let reply = reply.unwrap();
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        created.extend(ids(&reply, "enrollment_ids"));
    }

    let seen_by_first = first
        .get("/api/v1/workflows/wf_1/enrollments?per_page=500")
        .await;
    let seen_by_second = second
        .get("/api/v1/workflows/wf_1/enrollments?per_page=500")
        .await;

    assert_eq!(seen_by_first.body["total_count"], 20);
    assert_eq!(
        ids(&seen_by_first, "enrollments"),
        ids(&seen_by_second, "enrollments")
    );
    created.sort();
    created.dedup();
    assert_eq!(created.len(), 20);
}

#[test]
fn start_reports_address_in_use() {
    let first = Sandbox::start(SandboxConfig::default(), loopback()).unwrap();
    let bound_addr: SocketAddr = first
        .base_url()
        .trim_start_matches("http://")
        .parse()
        .unwrap();

    let error = Sandbox::start(SandboxConfig::default(), bound_addr)
        .err()
        .expect("second bind fails");

    assert!(
        format!("{error:#}").contains("failed to bind sandbox address"),
        "{error:#}"
    );
}

#[test]
fn start_reports_invalid_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("not-a-database.sqlite3");
    std::fs::write(
        &state,
        "this is not SQLite, but long enough to have a header",
    )
    .unwrap();

    let error = Sandbox::start(
        SandboxConfig {
            state: Some(state),
            ..SandboxConfig::default()
        },
        loopback(),
    )
    .err()
    .expect("opening a non-database fails");

    assert!(
        format!("{error:#}").contains("failed to open sandbox state"),
        "{error:#}"
    );
}
