//! A small harness: a temporary data directory, a scrubbed environment, the
//! real `drippulse` binary, and a real sandbox server on 127.0.0.1 port 0.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

/// The key tests send to the sandbox. Tests check it never appears in output.
pub const TEST_KEY: &str = "adcrm_test_harness_secret_4242";

pub const BIN: &str = env!("CARGO_BIN_EXE_drippulse");

/// The folder of fixture files.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Returns the path of the shipped example CSV.
pub fn example_csv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contacts.csv")
}

/// A `drippulse sandbox serve` child process, killed on drop.
pub struct SandboxServer {
    child: Child,
    pub url: String,
}

impl SandboxServer {
    /// Starts the sandbox with extra `serve` arguments and waits for its
    /// `listening on` line.
    pub fn start(extra: &[&str]) -> SandboxServer {
        let mut child = Command::new(BIN)
            .args(["sandbox", "serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start drippulse sandbox serve");
        let stdout = child.stdout.take().expect("sandbox stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("read the sandbox's first line");
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from the sandbox: {first:?}"))
            .to_string();
        SandboxServer { child, url }
    }

    /// GETs a path from the sandbox with the test key and returns the JSON.
    pub fn get_json(&self, path: &str) -> Value {
        let body = http_get(&self.url, path);
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}"))
    }

    /// Returns the sandbox's request counters (`/_sandbox/stats`).
    pub fn stats(&self) -> Value {
        self.get_json("/_sandbox/stats")
    }

    /// Returns every enrollment of a workflow, read straight from the sandbox.
    pub fn enrollments(&self, workflow: &str) -> Vec<Value> {
        let mut all = Vec::new();
        for page in 1.. {
            let body = self.get_json(&format!(
                "/api/v1/workflows/{workflow}/enrollments?page={page}&per_page=500"
            ));
            let items = body["enrollments"].as_array().cloned().unwrap_or_default();
            if items.is_empty() {
                break;
            }
            all.extend(items);
        }
        all
    }
}

impl Drop for SandboxServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends a minimal HTTP/1.1 GET over loopback, so the tests check the
/// server without going through the client under test.
fn http_get(base: &str, path: &str) -> String {
    // A test that turns the sandbox's rate limit on would otherwise see its
    // own checks refused; they wait like any client.
    for _ in 0..20 {
        let (head, body) = http_get_once(base, path);
        if head.starts_with("HTTP/1.1 429") {
            std::thread::sleep(Duration::from_millis(500));
            continue;
        }
        return body;
    }
    panic!("the sandbox kept answering 429 to GET {path}");
}

fn http_get_once(base: &str, path: &str) -> (String, String) {
    let authority = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(authority).expect("connect to the sandbox");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {TEST_KEY}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response
        .split_once("\r\n\r\n")
        .expect("an HTTP response with a body");
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return (head.to_string(), dechunk(body));
    }
    (head.to_string(), body.to_string())
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

/// One test's world: a temporary data directory and, usually, a sandbox.
pub struct World {
    pub dir: tempfile::TempDir,
    pub sandbox: Option<SandboxServer>,
}

impl World {
    /// Creates a world with a fresh sandbox server.
    pub fn new() -> World {
        World::with_sandbox(&[])
    }

    pub fn with_sandbox(extra: &[&str]) -> World {
        World {
            dir: tempfile::tempdir().expect("temp dir"),
            sandbox: Some(SandboxServer::start(extra)),
        }
    }

    /// Creates a world without a server, for `--sandbox` and offline commands.
    pub fn offline() -> World {
        World {
            dir: tempfile::tempdir().expect("temp dir"),
            sandbox: None,
        }
    }

    pub fn sandbox(&self) -> &SandboxServer {
        self.sandbox.as_ref().expect("this world has a sandbox")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Returns a path in the world's temporary directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Builds a command for the binary with only the variables the test sets:
    /// the data directory, the sandbox URL and the test key.
    pub fn cmd(&self) -> Run {
        let mut command = Command::new(BIN);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("DRIPPULSE_DATA_DIR", self.data_dir())
            .stdin(Stdio::null());
        if let Some(sandbox) = &self.sandbox {
            command
                .env("DRIPPULSE_BASE_URL", &sandbox.url)
                .env("DRIPPULSE_API_KEY", TEST_KEY);
        }
        Run {
            command,
            stdin: None,
        }
    }
}

/// A command being built, fluent style.
pub struct Run {
    pub command: Command,
    stdin: Option<Vec<u8>>,
}

impl Run {
    pub fn args<I, S>(mut self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.command.args(args);
        self
    }

    pub fn arg(mut self, arg: &str) -> Run {
        self.command.arg(arg);
        self
    }

    pub fn arg_path(mut self, path: &Path) -> Run {
        self.command.arg(path);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Run {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Run {
        self.command.env_remove(key);
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Run {
        self.stdin = Some(bytes.into());
        self
    }

    /// Runs the command to completion.
    pub fn run(mut self) -> Ran {
        if self.stdin.is_some() {
            self.command.stdin(Stdio::piped());
        }
        self.command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self.command.spawn().expect("spawn drippulse");
        if let Some(bytes) = self.stdin.take() {
            let mut stdin = child.stdin.take().expect("stdin");
            std::thread::spawn(move || {
                let _ = stdin.write_all(&bytes);
            });
        }
        let output = child.wait_with_output().expect("wait for drippulse");
        Ran::new(output)
    }
}

/// A finished run: exit code, stdout and stderr as text.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    fn new(output: Output) -> Ran {
        let ran = Ran {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        assert!(
            !ran.stdout.contains(TEST_KEY) && !ran.stderr.contains(TEST_KEY),
            "the API key leaked into the output:\n{}",
            ran.describe()
        );
        ran
    }

    pub fn describe(&self) -> String {
        format!(
            "exit code {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// Asserts the exit code, showing the output when it differs.
    pub fn expect_code(self, code: i32) -> Ran {
        assert_eq!(
            self.code,
            code,
            "unexpected exit code:\n{}",
            self.describe()
        );
        self
    }

    /// Parses stdout as one JSON document.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}):\n{}",
                self.describe()
            )
        })
    }
}

/// Writes `contents` to `path` and returns the path.
pub fn write_file(path: PathBuf, contents: &str) -> PathBuf {
    std::fs::write(&path, contents).expect("write test input");
    path
}

/// The sandbox state file of a world made by [`World::with_sandbox_state`].
pub const SANDBOX_STATE_FILE: &str = "sandbox-state.sqlite3";

impl World {
    /// Creates a world whose sandbox keeps its state in a file inside the
    /// world's directory, so that a test can scan the bytes the server stored.
    pub fn with_sandbox_state(extra: &[&str]) -> World {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = dir.path().join(SANDBOX_STATE_FILE);
        let mut args = vec!["--state", state.to_str().expect("UTF-8 temp path")];
        args.extend_from_slice(extra);
        World {
            sandbox: Some(SandboxServer::start(&args)),
            dir,
        }
    }

    /// Returns the ledger file inside the data directory.
    pub fn ledger_path(&self) -> PathBuf {
        self.data_dir().join("ledger.sqlite3")
    }
}

/// Writes a CSV of `count` distinct contacts, `{prefix}{n}@example.com`,
/// and returns its path and the emails in the lower case the ledger keys.
/// One invalid address and one upper-case repeat of the first contact
/// follow, so every run also writes a rejects file and skips a duplicate.
pub fn write_contacts(path: PathBuf, prefix: &str, count: usize) -> (PathBuf, Vec<String>) {
    let mut csv = String::from("email,first_name\n");
    let mut emails = Vec::with_capacity(count);
    for n in 1..=count {
        let email = format!("{prefix}{n}@example.com");
        csv.push_str(&format!("{email},Contact {n}\n"));
        emails.push(email);
    }
    csv.push_str("not-an-address,Invalid\n");
    csv.push_str(&format!("{},Repeat\n", emails[0].to_uppercase()));
    (write_file(path, &csv), emails)
}

impl Run {
    /// Starts the command without waiting for it, with stdout and stderr
    /// captured, so a test can run two at once or kill one mid-run.
    pub fn spawn(mut self) -> Started {
        self.command.stdout(Stdio::piped()).stderr(Stdio::piped());
        Started {
            child: self.command.spawn().expect("spawn drippulse"),
        }
    }
}

/// A command started by [`Run::spawn`].
pub struct Started {
    pub child: Child,
}

impl Started {
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Returns whether the process has not exited yet.
    pub fn is_running(&mut self) -> bool {
        self.child
            .try_wait()
            .expect("poll the drippulse process")
            .is_none()
    }

    /// Kills the process with SIGKILL, which `Child::kill` sends on Unix.
    pub fn kill(&mut self) {
        self.child.kill().expect("kill the drippulse process");
    }

    /// Waits for the process and collects its output.
    pub fn wait(self) -> Ran {
        let output = self.child.wait_with_output().expect("wait for drippulse");
        Ran::new(output)
    }
}

/// Runs `drippulse enroll` of `file` into `workflow` until it exits 0, at
/// most `max_runs` times, and returns every run. Each run passes
/// `--timeout 2 --settle-secs 0` before `flags`, so a hung reply costs two
/// seconds and a contact proved absent is sent again at once. Exit codes
/// 3 (some requeued) and 4 (some still unknown) call for another run; any
/// other code fails the test. `context` starts every failure message.
pub fn enroll_until_done(
    world: &World,
    workflow: &str,
    file: &Path,
    flags: &[&str],
    max_runs: usize,
    context: &str,
) -> Vec<Ran> {
    let mut runs = Vec::new();
    for _ in 0..max_runs {
        let ran = world
            .cmd()
            .args(["--timeout", "2", "--output", "json", "enroll"])
            .args(["--workflow", workflow, "--settle-secs", "0"])
            .args(flags)
            .arg_path(file)
            .run();
        assert!(
            [0, 3, 4].contains(&ran.code),
            "{context}: enroll run {} exited with a code that no fault explains:\n{}",
            runs.len() + 1,
            ran.describe()
        );
        let done = ran.code == 0;
        runs.push(ran);
        if done {
            return runs;
        }
    }
    let last = runs.last().map(Ran::describe).unwrap_or_default();
    panic!("{context}: enroll did not exit 0 within {max_runs} runs; the last one:\n{last}");
}

impl SandboxServer {
    /// POSTs a JSON body to the sandbox with the test key over a raw
    /// loopback connection and returns the status line, so a test can
    /// change the server behind the client's back.
    pub fn post_json(&self, path: &str, body: &Value) -> String {
        let authority = self.url.trim_start_matches("http://");
        let body = body.to_string();
        let mut stream = TcpStream::connect(authority).expect("connect to the sandbox");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {TEST_KEY}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let response = String::from_utf8_lossy(&response);
        response.lines().next().unwrap_or_default().to_string()
    }
}
