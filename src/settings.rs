//! Turns the global flags and environment into validated settings before
//! any command runs, and connects to the API or the built-in sandbox.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context as _};
use reqwest::Url;

use crate::api::{Client, ClientConfig};
use crate::cli::GlobalArgs;
use crate::ledger::LEDGER_FILE;
use crate::output::Printer;
use crate::sandbox::{parse_faults, Sandbox, SandboxConfig};
use crate::secret::ApiKey;

/// The environment variable that contains the API key.
pub const API_KEY_ENV: &str = "DRIPPULSE_API_KEY";

/// The ledger used with `--sandbox`, beside the real one.
pub const SANDBOX_LEDGER_FILE: &str = "sandbox-ledger.sqlite3";

/// Fault switches for the in-process sandbox, as `NAME=VALUE,...`.
pub const SANDBOX_FAULTS_ENV: &str = "DRIPPULSE_SANDBOX_FAULTS";

/// The key the client sends to the built-in sandbox. The user's own key is
/// never sent there, so it cannot end up in a sandbox log or state file.
const SANDBOX_KEY: &str = "adcrm_test_sandbox";

/// Everything a command needs that does not come from its own flags.
pub struct Context {
    pub printer: Printer,
    pub data_dir: PathBuf,
    timeout: Duration,
    target: Target,
    /// Kept alive for as long as the command runs.
    sandbox: Option<Sandbox>,
    /// The in-process sandbox's list delay, from its fault switches.
    sandbox_list_lag: Duration,
}

enum Target {
    Remote { origin: Url, key: Option<ApiKey> },
    Sandbox,
}

impl Context {
    /// Validates the global options. Nothing is started or opened here.
    pub fn resolve(global: &GlobalArgs) -> anyhow::Result<Context> {
        let printer = Printer::new(global);
        let data_dir = match &global.data_dir {
            Some(dir) => dir.clone(),
            None => dirs::data_dir()
                .map(|dir| dir.join("drippulse"))
                .context("failed to find a data directory for the ledger; set --data-dir or DRIPPULSE_DATA_DIR")?,
        };

        let target = if global.sandbox {
            Target::Sandbox
        } else {
            let origin = parse_origin(&global.api_url)
                .map_err(|error| crate::exit::usage(error.to_string()))?;
            let key = std::env::var(API_KEY_ENV)
                .ok()
                .map(|key| key.trim().to_string())
                .filter(|key| !key.is_empty())
                .map(ApiKey::new);
            Target::Remote { origin, key }
        };

        Ok(Context {
            printer,
            data_dir,
            timeout: Duration::from_secs(global.timeout.max(1)),
            target,
            sandbox: None,
            sandbox_list_lag: Duration::ZERO,
        })
    }

    /// Time allowed for each API response.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Returns whether commands run against the built-in sandbox.
    pub fn is_sandbox(&self) -> bool {
        matches!(self.target, Target::Sandbox)
    }

    /// Returns how long the in-process sandbox hides new enrollments from its list
    /// (its `list-lag-ms` fault switch); zero when it has none.
    pub fn sandbox_list_lag(&self) -> Duration {
        self.sandbox_list_lag
    }

    /// Returns the ledger's path. The built-in sandbox gets a ledger of its own, so
    /// trying drippulse out never marks contacts as sent for a real server.
    pub fn ledger_path(&self) -> PathBuf {
        match self.target {
            Target::Sandbox => self.data_dir.join(SANDBOX_LEDGER_FILE),
            Target::Remote { .. } => self.data_dir.join(LEDGER_FILE),
        }
    }

    /// Returns the API origin recorded with each workflow: the URL, or `sandbox`.
    pub fn api_origin_label(&self) -> String {
        match &self.target {
            Target::Remote { origin, .. } => origin.as_str().trim_end_matches('/').to_string(),
            Target::Sandbox => "sandbox".to_string(),
        }
    }

    /// Builds the API client, starting the in-process sandbox first when
    /// `--sandbox` was given.
    pub fn connect(&mut self) -> anyhow::Result<Client> {
        let (origin, key) = match &self.target {
            Target::Remote { origin, key } => {
                let key = key.clone().with_context(|| {
                    format!("{API_KEY_ENV} is not set; export your API key (adcrm_live_... or adcrm_test_...), or add --sandbox to try drippulse without an account")
                })?;
                (origin.clone(), key)
            }
            Target::Sandbox => {
                let url = self.start_sandbox()?;
                (url, ApiKey::new(SANDBOX_KEY.to_string()))
            }
        };
        Client::new(ClientConfig {
            origin,
            key,
            timeout: self.timeout,
        })
    }

    fn start_sandbox(&mut self) -> anyhow::Result<Url> {
        if self.sandbox.is_none() {
            crate::fsutil::create_private_dir(&self.data_dir)?;
            let faults = std::env::var(SANDBOX_FAULTS_ENV).unwrap_or_default();
            let faults =
                parse_faults(&faults).with_context(|| format!("invalid {SANDBOX_FAULTS_ENV}"))?;
            self.sandbox_list_lag = faults.list_lag();
            let config = SandboxConfig {
                state: Some(self.data_dir.join("sandbox.sqlite3")),
                faults,
                ..SandboxConfig::default()
            };
            let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
            let sandbox = Sandbox::start(config, addr).context("failed to start the sandbox")?;
            tracing::debug!(url = %sandbox.base_url(), "sandbox started");
            self.sandbox = Some(sandbox);
        }
        let url = self
            .sandbox
            .as_ref()
            .map(Sandbox::base_url)
            .unwrap_or_default();
        Url::parse(&url).context("failed to parse the sandbox URL")
    }
}

/// Parses and checks `--api-url`: http(s) only, https unless the host is
/// loopback, no credentials, query or fragment, and no `/api/v1` suffix
/// (the client adds it).
pub fn parse_origin(text: &str) -> anyhow::Result<Url> {
    let url = Url::parse(text.trim()).with_context(|| {
        format!("invalid --api-url {text:?}: expected an origin such as https://drippulse.io")
    })?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => bail!(
            "invalid --api-url {text:?}: plain http is allowed only for loopback hosts (127.0.0.1, ::1, localhost); use https"
        ),
        other => bail!("invalid --api-url {text:?}: scheme {other:?} is not http or https"),
    }
    if !url.username().is_empty() || url.password().is_some() {
        bail!("invalid --api-url: remove the user name and password from the URL; the key comes from {API_KEY_ENV}");
    }
    if url.query().is_some() || url.fragment().is_some() {
        bail!("invalid --api-url {text:?}: remove the query and fragment");
    }
    if url.path().trim_end_matches('/').ends_with("/api/v1") {
        bail!(
            "invalid --api-url {text:?}: remove the /api/v1 suffix; drippulse adds it to every call"
        );
    }
    Ok(url)
}

/// Decides loopback on the parsed host, never on the URL text, so
/// `http://127.0.0.1.evil.example` does not qualify.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_https_accepted() {
        assert!(parse_origin("https://drippulse.io").is_ok());
        assert!(parse_origin("https://crm.example.com/drippulse").is_ok());
    }

    #[test]
    fn origin_http_only_on_loopback() {
        assert!(parse_origin("http://127.0.0.1:8080").is_ok());
        assert!(parse_origin("http://[::1]:8080").is_ok());
        assert!(parse_origin("http://localhost:8080").is_ok());
        assert!(parse_origin("http://drippulse.io").is_err());
        assert!(parse_origin("http://127.0.0.1.example.com").is_err());
    }

    #[test]
    fn origin_with_api_prefix_rejected() {
        let error = parse_origin("https://drippulse.io/api/v1/").unwrap_err();
        assert!(error.to_string().contains("remove the /api/v1 suffix"));
    }

    #[test]
    fn origin_with_credentials_rejected() {
        assert!(parse_origin("https://user:pw@drippulse.io").is_err());
    }
}
