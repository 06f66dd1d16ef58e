//! The sandbox's fault switches: parsing them, and what each one does to a
//! bulk-enroll call and to the rows it creates, over loopback.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use drippulse::sandbox::{parse_faults, Faults, Sandbox, SandboxConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};

const TEST_KEY: &str = "adcrm_test_0123456789abcdef";

const WORKFLOW: &str = "wf_faults";

/// Every name that `parse_faults` accepts besides `seed`.
const FAULT_NAMES: [&str; 9] = [
    "error-before-commit",
    "error-after-commit",
    "drop-after-commit",
    "hang-after-commit",
    "legacy-created-count-zero",
    "rate-limit",
    "rate-limit-no-header",
    "latency-ms",
    "list-lag-ms",
];

/// A sandbox with faults on a free loopback port, and a client with a test
/// key.
struct Api {
    sandbox: Sandbox,
    client: reqwest::Client,
}

impl Api {
    fn start(faults: &str) -> Api {
        let config = SandboxConfig {
            faults: parse_faults(faults).expect("faults are valid"),
            ..SandboxConfig::default()
        };
        let sandbox = Sandbox::start(config, loopback()).expect("sandbox starts");
        Api {
            sandbox,
            client: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    fn addr(&self) -> SocketAddr {
        self.sandbox
            .base_url()
            .trim_start_matches("http://")
            .parse()
            .expect("base URL holds a socket address")
    }

    /// Sends a bulk-enroll request for two contacts with `client`.
    async fn enroll_with(
        &self,
        client: &reqwest::Client,
    ) -> Result<reqwest::Response, reqwest::Error> {
        client
            .post(self.url(&bulk_path()))
            .bearer_auth(TEST_KEY)
            .json(&bulk_body())
            .send()
            .await
    }

    async fn enroll(&self) -> reqwest::Response {
        self.enroll_with(&self.client)
            .await
            .expect("request reaches the sandbox")
    }

    /// Returns the workflow's enrollment list as JSON.
    async fn list(&self) -> Value {
        let path = format!("/api/v1/workflows/{WORKFLOW}/enrollments?per_page=500");
        let response = self
            .client
            .get(self.url(&path))
            .bearer_auth(TEST_KEY)
            .send()
            .await
            .expect("list request reaches the sandbox");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("list body is JSON")
    }

    /// Returns the number of enrollments in the list.
    async fn listed_count(&self) -> u64 {
        let list = self.list().await;
        let items = list["enrollments"].as_array().map_or(0, Vec::len) as u64;
        assert_eq!(list["total_count"], items, "{list}");
        items
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

    async fn injected(&self, name: &str) -> u64 {
        let stats = self.stats().await;
        stats["faults_injected"][name]
            .as_u64()
            .unwrap_or_else(|| panic!("stats count {name}: {stats}"))
    }
}

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().expect("valid address")
}

fn bulk_path() -> String {
    format!("/api/v1/workflows/{WORKFLOW}/enrollments/bulk")
}

fn bulk_body() -> Value {
    json!({
        "contacts": [{ "email": "ada@example.com" }, { "email": "grace@example.com" }],
        "timezone": "UTC",
    })
}

/// Sends a bulk-enroll request over a raw TCP connection and returns
/// everything the server sent until it closed the connection.
fn raw_enroll(addr: SocketAddr) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write_raw_enroll(&mut stream, addr)?;

    let mut received = Vec::new();
    stream.read_to_end(&mut received)?;
    Ok(received)
}

fn write_raw_enroll(stream: &mut TcpStream, addr: SocketAddr) -> std::io::Result<()> {
    let body = bulk_body().to_string();
    let request = format!(
        "POST {} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TEST_KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        bulk_path(),
        body.len()
    );
    stream.write_all(request.as_bytes())
}

async fn json_body(response: reqwest::Response) -> Value {
    response.json().await.expect("body is JSON")
}

#[test]
fn parse_faults_accepts_every_name() {
    let faults = parse_faults(
        " error-before-commit=0.1, error-after-commit=0.1,drop-after-commit=0.1,\
         hang-after-commit=0.1,legacy-created-count-zero=0.1,rate-limit=0.1,\
         rate-limit-no-header=0.1,latency-ms=250,list-lag-ms=1500,seed=42 ",
    )
    .expect("valid faults parse");

    assert!(!faults.is_empty());
    assert_eq!(faults.latency(), Duration::from_millis(250));
    assert_eq!(faults.list_lag(), Duration::from_millis(1500));
    assert_eq!(faults.seed(), Some(42));
    for name in FAULT_NAMES {
        assert!(faults.to_string().contains(name), "{name} in {faults}");
    }
}

#[test]
fn parse_faults_blank_is_empty() {
    for text in ["", "  ", ",", " , ,"] {
        let faults = parse_faults(text).expect("blank text parses");

        assert_eq!(faults, Faults::default(), "{text:?}");
        assert!(faults.is_empty(), "{text:?}");
    }
}

#[test]
fn parse_faults_seed_alone_is_empty() {
    let faults = parse_faults("seed=3").expect("seed parses");

    assert!(faults.is_empty());
    assert_eq!(faults.seed(), Some(3));
}

#[test]
fn parse_faults_rejects_unknown_name() {
    let error = parse_faults("rate-limit=0.5,network-split=1")
        .expect_err("unknown name is rejected")
        .to_string();

    assert!(error.contains("network-split=1"), "{error}");
    assert!(error.contains("unknown name"), "{error}");
    for name in FAULT_NAMES.into_iter().chain(["seed"]) {
        assert!(error.contains(name), "{name} listed in: {error}");
    }
}

#[test]
fn parse_faults_rejects_out_of_range_values() {
    let cases = [
        "rate-limit=1.5",
        "rate-limit=-0.1",
        "error-after-commit=NaN",
        "error-after-commit=inf",
        "drop-after-commit=half",
        "hang-after-commit=",
        "latency-ms=-5",
        "latency-ms=1.5",
        "latency-ms=600001",
        "list-lag-ms=-1",
        "seed=-1",
        "seed=x",
    ];
    for entry in cases {
        let error = parse_faults(entry)
            .expect_err("out-of-range value is rejected")
            .to_string();

        assert!(error.contains(entry), "{entry}: {error}");
        assert!(error.contains("Valid faults are"), "{entry}: {error}");
        assert!(
            error.contains("legacy-created-count-zero"),
            "{entry}: {error}"
        );
    }
}

#[test]
fn parse_faults_accepts_range_bounds() {
    let faults = parse_faults("rate-limit=0,error-after-commit=1,latency-ms=0,list-lag-ms=600000")
        .expect("bounds are valid");

    assert_eq!(faults.list_lag(), Duration::from_millis(600_000));
}

#[test]
fn parse_faults_rejects_entry_without_value() {
    let error = parse_faults("rate-limit")
        .expect_err("entry without = is rejected")
        .to_string();

    assert!(error.contains("\"rate-limit\""), "{error}");
    assert!(error.contains("NAME=VALUE"), "{error}");
}

#[test]
fn parse_faults_rejects_duplicate_name() {
    let error = parse_faults("rate-limit=0.1,rate-limit=0.2")
        .expect_err("duplicate name is rejected")
        .to_string();

    assert!(error.contains("rate-limit is given twice"), "{error}");
}

#[test]
fn parse_faults_rejects_probability_sum_over_one() {
    let error = parse_faults("error-after-commit=0.6,drop-after-commit=0.5")
        .expect_err("sum over 1 is rejected")
        .to_string();

    assert!(error.contains("add up to 1.1"), "{error}");

    parse_faults("error-after-commit=0.1,drop-after-commit=0.2,rate-limit=0.7")
        .expect("sum of exactly 1 is accepted despite rounding");
}

#[tokio::test]
async fn stats_list_every_fault_at_zero() {
    let api = Api::start("");

    let stats = api.stats().await;

    for name in FAULT_NAMES {
        assert_eq!(stats["faults_injected"][name], 0, "{name}: {stats}");
    }
}

#[tokio::test]
async fn error_before_commit_creates_nothing() {
    let api = Api::start("error-before-commit=1");

    let response = api.enroll().await;

    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = json_body(response).await;
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|error| error.contains("error-before-commit")),
        "{body}"
    );
    assert_eq!(api.listed_count().await, 0);
    assert_eq!(api.injected("error-before-commit").await, 1);
    assert_eq!(api.stats().await["enrollments_created"], 0);
}

#[tokio::test]
async fn error_after_commit_creates_rows() {
    let api = Api::start("error-after-commit=1");

    let response = api.enroll().await;

    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(api.listed_count().await, 2);
    assert_eq!(api.injected("error-after-commit").await, 1);
}

#[tokio::test]
async fn drop_after_commit_sends_no_bytes() {
    let api = Api::start("drop-after-commit=1");
    let addr = api.addr();

    let received = tokio::task::spawn_blocking(move || raw_enroll(addr))
        .await
        .expect("raw client task runs")
        .expect("connection ends with EOF, not an error");

    assert!(
        received.is_empty(),
        "received {:?}",
        String::from_utf8_lossy(&received)
    );
    assert_eq!(api.listed_count().await, 2);
    assert_eq!(api.injected("drop-after-commit").await, 1);
}

#[tokio::test]
async fn drop_after_commit_fails_reqwest_without_status() {
    let api = Api::start("drop-after-commit=1");

    let error = api
        .enroll_with(&api.client)
        .await
        .expect_err("request fails without a response");

    assert!(error.status().is_none(), "{error:?}");
    assert!(!error.is_timeout(), "{error:?}");
    assert_eq!(api.listed_count().await, 2);
}

#[tokio::test]
async fn hang_after_commit_times_out_client() {
    let api = Api::start("hang-after-commit=1");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()
        .expect("client builds");

    let error = api
        .enroll_with(&client)
        .await
        .expect_err("request times out");

    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(api.listed_count().await, 2);
    assert_eq!(api.injected("hang-after-commit").await, 1);
}

#[test]
fn hang_after_commit_ends_when_sandbox_drops() {
    let api = Api::start("hang-after-commit=1");
    let addr = api.addr();
    let mut stream = TcpStream::connect(addr).expect("client connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout is set");
    write_raw_enroll(&mut stream, addr).expect("request is sent");

    // Wait until the rows exist, so the handler is surely hanging.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime builds");
    let deadline = Instant::now() + Duration::from_secs(5);
    while runtime.block_on(api.injected("hang-after-commit")) == 0 {
        assert!(Instant::now() < deadline, "the fault was not injected");
        std::thread::sleep(Duration::from_millis(20));
    }

    let dropping = Instant::now();
    drop(api);
    let drop_time = dropping.elapsed();

    // The server closing the socket shows as EOF or as a reset; a timeout
    // would mean the connection was still open.
    let mut received = Vec::new();
    if let Err(error) = stream.read_to_end(&mut received) {
        assert_eq!(error.kind(), ErrorKind::ConnectionReset, "{error}");
    }
    assert!(
        drop_time < Duration::from_secs(3),
        "drop took {drop_time:?}"
    );
    assert!(
        received.is_empty(),
        "received {:?}",
        String::from_utf8_lossy(&received)
    );
}

#[tokio::test]
async fn legacy_created_count_zero_creates_rows() {
    let api = Api::start("legacy-created-count-zero=1");

    let response = api.enroll().await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let body = json_body(response).await;
    assert_eq!(body["created_count"], 0, "{body}");
    assert_eq!(body["enrollment_ids"], json!([]), "{body}");
    assert_eq!(api.listed_count().await, 2);
    assert_eq!(api.injected("legacy-created-count-zero").await, 1);
}

#[tokio::test]
async fn rate_limit_sends_retry_after() {
    let api = Api::start("rate-limit=1");

    let response = api.enroll().await;

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after = response.headers().get("retry-after").cloned();
    assert_eq!(
        retry_after.as_ref().map(|value| value.as_bytes()),
        Some(&b"1"[..])
    );
    assert_eq!(api.listed_count().await, 0);
    assert_eq!(api.injected("rate-limit").await, 1);
    assert_eq!(api.stats().await["rate_limited"], 0);
}

#[tokio::test]
async fn rate_limit_no_header_omits_retry_after() {
    let api = Api::start("rate-limit-no-header=1");

    let response = api.enroll().await;

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get("retry-after").is_none());
    assert_eq!(api.listed_count().await, 0);
    assert_eq!(api.injected("rate-limit-no-header").await, 1);
}

#[tokio::test]
async fn rate_limit_precedes_body_checks() {
    let api = Api::start("rate-limit=1");

    let response = api
        .client
        .post(api.url(&bulk_path()))
        .bearer_auth(TEST_KEY)
        .json(&json!({ "contacts": [] }))
        .send()
        .await
        .expect("request reaches the sandbox");

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn invalid_request_gets_no_commit_fault() {
    let api = Api::start("error-before-commit=1");

    let response = api
        .client
        .post(api.url(&bulk_path()))
        .bearer_auth(TEST_KEY)
        .json(&json!({ "contacts": [{ "email": "not-an-address" }] }))
        .send()
        .await
        .expect("request reaches the sandbox");

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api.injected("error-before-commit").await, 0);
}

#[tokio::test]
async fn latency_delays_reply() {
    let api = Api::start("latency-ms=300");

    let started = Instant::now();
    let response = api.enroll().await;
    let elapsed = started.elapsed();

    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(elapsed >= Duration::from_millis(300), "took {elapsed:?}");
    assert_eq!(api.listed_count().await, 2);
    assert_eq!(api.injected("latency-ms").await, 1);
}

#[tokio::test]
async fn list_lag_hides_new_enrollments() {
    let api = Api::start("list-lag-ms=800");

    let response = api.enroll().await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body = json_body(response).await;
    let first_id = body["enrollment_ids"][0]
        .as_str()
        .expect("reply lists ids")
        .to_owned();

    assert_eq!(api.listed_count().await, 0);
    assert_eq!(api.injected("list-lag-ms").await, 1);

    let show = api
        .client
        .get(api.url(&format!(
            "/api/v1/workflows/{WORKFLOW}/enrollments/{first_id}"
        )))
        .bearer_auth(TEST_KEY)
        .send()
        .await
        .expect("show request reaches the sandbox");
    assert_eq!(show.status(), StatusCode::OK);

    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(api.listed_count().await, 2);
    assert_eq!(api.injected("list-lag-ms").await, 1);
}

#[tokio::test]
async fn seed_reproduces_fault_sequence() {
    let statuses = |faults: &'static str| async move {
        let api = Api::start(faults);
        let mut statuses = Vec::new();
        for _ in 0..24 {
            statuses.push(api.enroll().await.status().as_u16());
        }
        statuses
    };

    let first = statuses("error-before-commit=0.5,seed=42").await;
    let again = statuses("error-before-commit=0.5,seed=42").await;
    let other = statuses("error-before-commit=0.5,seed=43").await;

    assert_eq!(first, again);
    assert_ne!(first, other);
    assert!(first.contains(&201), "{first:?}");
    assert!(first.contains(&500), "{first:?}");
}

#[test]
fn serve_rejects_unknown_fault() {
    let output = Command::new(env!("CARGO_BIN_EXE_drippulse"))
        .args(["sandbox", "serve", "--fault", "rate-limit=0.5,nope=1"])
        .env_clear()
        .output()
        .expect("drippulse runs");

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("nope=1"), "{stderr}");
    assert!(stderr.contains("Valid faults are"), "{stderr}");
}

#[test]
fn serve_applies_fault_flag() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_drippulse"))
        .args(["sandbox", "serve", "--fault", "rate-limit-no-header=1"])
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("drippulse starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut first_line = String::new();
    BufReader::new(stdout)
        .read_line(&mut first_line)
        .expect("first line is readable");
    let addr: SocketAddr = first_line
        .trim()
        .trim_start_matches("listening on http://")
        .parse()
        .unwrap_or_else(|_| panic!("first line has the address: {first_line:?}"));

    let received = raw_enroll(addr);

    child.kill().expect("server stops");
    child.wait().expect("server is reaped");
    let received = received.expect("server replies");
    let head = String::from_utf8_lossy(&received);
    assert!(head.starts_with("HTTP/1.1 429"), "{head}");
    assert!(!head.to_ascii_lowercase().contains("retry-after"), "{head}");
}
