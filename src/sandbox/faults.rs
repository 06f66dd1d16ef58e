//! Fault switches: failures that the sandbox injects on purpose, so that
//! tests and users can check how a client handles every outcome a real
//! network and server can produce.
//!
//! A switch is written `NAME=VALUE`, and several are joined with commas, as
//! in `error-after-commit=0.2,latency-ms=150,seed=7`. Most switches give the
//! probability that one bulk-enroll call meets that fault. Each call draws
//! one random number and gets at most one of these faults, so their
//! probabilities must add up to at most 1. `latency-ms` and `list-lag-ms`
//! are durations that apply to every call. `seed` makes the draws
//! reproducible: with the same seed, the same sequence of calls meets the
//! same faults. Without it, the seed is random.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::bail;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value};

/// Maximum value of `latency-ms` and `list-lag-ms`, 10 minutes, which is
/// also how long `hang-after-commit` keeps a connection open.
pub const MAX_DELAY_MS: u64 = 600_000;

/// How long `hang-after-commit` keeps a connection open without replying
/// before it closes it, so that a client that never times out does not keep a task
/// alive forever.
pub const HANG_LIMIT: Duration = Duration::from_millis(MAX_DELAY_MS);

/// Allowed rounding error when probabilities are added up, so that, for
/// example, 0.1, 0.2 and 0.7 are accepted.
const SUM_TOLERANCE: f64 = 1e-9;

/// Every accepted switch, for error messages.
const VALID_FAULTS: &str = "Valid faults are error-before-commit=P, error-after-commit=P, \
    drop-after-commit=P, hang-after-commit=P, legacy-created-count-zero=P, rate-limit=P, \
    rate-limit-no-header=P, agent-drop-after-commit=P, latency-ms=MS, list-lag-ms=MS and \
    seed=N, where P is a \
    probability from 0 to 1, MS is milliseconds from 0 to 600000 and N is a whole number";

/// A fault the sandbox can inject, with the name used in `NAME=VALUE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 500 before the rows are written, so nothing is created.
    ErrorBeforeCommit,
    /// 500 after the rows are committed.
    ErrorAfterCommit,
    /// The rows are committed, then the connection is closed without any
    /// HTTP response.
    DropAfterCommit,
    /// The rows are committed, then the connection is held open without a
    /// reply until the client closes it or [`HANG_LIMIT`] passes.
    HangAfterCommit,
    /// The rows are committed, then 201 with `created_count: 0`.
    LegacyCreatedCountZero,
    /// 429 with `Retry-After: 1`, and nothing is created.
    RateLimit,
    /// 429 without `Retry-After`, and nothing is created.
    RateLimitNoHeader,
    /// A delay before each bulk-enroll reply.
    Latency,
    /// A window during which new enrollments are missing from the list.
    ListLag,
    /// On agent execute: the execution is stored, then the connection is
    /// closed without any HTTP response. Drawn apart from the bulk-enroll
    /// faults, so its probability does not count toward their sum.
    AgentDropAfterCommit,
}

impl Fault {
    /// Every fault, in the order used by `/_sandbox/stats` and `Display`.
    pub const ALL: [Fault; 10] = [
        Fault::ErrorBeforeCommit,
        Fault::ErrorAfterCommit,
        Fault::DropAfterCommit,
        Fault::HangAfterCommit,
        Fault::LegacyCreatedCountZero,
        Fault::RateLimit,
        Fault::RateLimitNoHeader,
        Fault::Latency,
        Fault::ListLag,
        Fault::AgentDropAfterCommit,
    ];

    /// Returns the name used in `NAME=VALUE` and in `/_sandbox/stats`.
    pub fn name(self) -> &'static str {
        match self {
            Fault::ErrorBeforeCommit => "error-before-commit",
            Fault::ErrorAfterCommit => "error-after-commit",
            Fault::DropAfterCommit => "drop-after-commit",
            Fault::HangAfterCommit => "hang-after-commit",
            Fault::LegacyCreatedCountZero => "legacy-created-count-zero",
            Fault::RateLimit => "rate-limit",
            Fault::RateLimitNoHeader => "rate-limit-no-header",
            Fault::Latency => "latency-ms",
            Fault::ListLag => "list-lag-ms",
            Fault::AgentDropAfterCommit => "agent-drop-after-commit",
        }
    }

    fn from_name(name: &str) -> Option<Fault> {
        Fault::ALL.into_iter().find(|fault| fault.name() == name)
    }

    /// Returns whether the value is a duration in milliseconds rather than
    /// a probability.
    fn is_duration(self) -> bool {
        matches!(self, Fault::Latency | Fault::ListLag)
    }

    fn index(self) -> usize {
        Fault::ALL
            .iter()
            .position(|&fault| fault == self)
            .unwrap_or_default()
    }
}

/// A validated set of fault switches. The default injects nothing.
///
/// Build one with [`parse_faults`] or `str::parse`. `Display` writes it
/// back in the same `NAME=VALUE,...` form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Probability of each bulk-enroll fault that was given, in the order
    /// of [`Fault::ALL`].
    probabilities: Vec<(Fault, f64)>,
    latency: Duration,
    list_lag: Duration,
    /// Probability of `agent-drop-after-commit` per agent execute call.
    agent_drop: f64,
    seed: Option<u64>,
}

impl Faults {
    /// Returns whether no fault is switched on. A seed alone switches
    /// nothing on.
    pub fn is_empty(&self) -> bool {
        self.probabilities
            .iter()
            .all(|&(_, probability)| probability == 0.0)
            && self.latency.is_zero()
            && self.list_lag.is_zero()
            && self.agent_drop == 0.0
    }

    /// Returns the delay added before each bulk-enroll reply.
    pub fn latency(&self) -> Duration {
        self.latency
    }

    /// Returns how long new enrollments stay missing from the list.
    pub fn list_lag(&self) -> Duration {
        self.list_lag
    }

    /// Returns the seed of the random draws, if one was given.
    pub fn seed(&self) -> Option<u64> {
        self.seed
    }
}

impl FromStr for Faults {
    type Err = anyhow::Error;

    fn from_str(text: &str) -> anyhow::Result<Faults> {
        parse_faults(text)
    }
}

impl fmt::Display for Faults {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut entries: Vec<String> = self
            .probabilities
            .iter()
            .map(|(fault, probability)| format!("{}={probability}", fault.name()))
            .collect();
        if !self.latency.is_zero() {
            entries.push(format!("latency-ms={}", self.latency.as_millis()));
        }
        if !self.list_lag.is_zero() {
            entries.push(format!("list-lag-ms={}", self.list_lag.as_millis()));
        }
        if self.agent_drop > 0.0 {
            entries.push(format!("agent-drop-after-commit={}", self.agent_drop));
        }
        if let Some(seed) = self.seed {
            entries.push(format!("seed={seed}"));
        }
        formatter.write_str(&entries.join(","))
    }
}

/// Parses fault switches written as `NAME=VALUE`, separated by commas, such
/// as `error-after-commit=0.5,latency-ms=200,seed=42`.
///
/// Blank text means no faults. Spaces around entries are ignored. An
/// unknown name, a value that is not a number or is out of range, a name
/// given twice, or probabilities that add up to more than 1 are errors.
pub fn parse_faults(text: &str) -> anyhow::Result<Faults> {
    let mut faults = Faults::default();
    let mut seen: Vec<(&str, &str)> = Vec::new();

    for entry in text
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
    {
        let Some((name, value)) = entry.split_once('=') else {
            bail!("invalid fault {entry:?}: expected NAME=VALUE. {VALID_FAULTS}");
        };
        let (name, value) = (name.trim(), value.trim());

        if let Some((_, earlier)) = seen.iter().find(|(seen_name, _)| *seen_name == name) {
            bail!(
                "invalid faults: {name} is given twice, as {earlier:?} and {entry:?}: give it once"
            );
        }
        seen.push((name, entry));

        if name == "seed" {
            let Ok(seed) = value.parse::<u64>() else {
                bail!("invalid fault {entry:?}: the seed must be a whole number from 0 to {}. {VALID_FAULTS}", u64::MAX);
            };
            faults.seed = Some(seed);
            continue;
        }

        let Some(fault) = Fault::from_name(name) else {
            bail!("invalid fault {entry:?}: unknown name {name:?}. {VALID_FAULTS}");
        };
        if fault.is_duration() {
            let delay = parse_millis(value).ok_or_else(|| {
                anyhow::anyhow!(
                    "invalid fault {entry:?}: {name} must be a whole number of milliseconds \
                     from 0 to {MAX_DELAY_MS}. {VALID_FAULTS}"
                )
            })?;
            match fault {
                Fault::Latency => faults.latency = delay,
                _ => faults.list_lag = delay,
            }
        } else {
            let probability = parse_probability(value).ok_or_else(|| {
                anyhow::anyhow!(
                    "invalid fault {entry:?}: {name} must be a probability from 0 to 1. \
                     {VALID_FAULTS}"
                )
            })?;
            if fault == Fault::AgentDropAfterCommit {
                faults.agent_drop = probability;
            } else {
                faults.probabilities.push((fault, probability));
            }
        }
    }

    faults
        .probabilities
        .sort_by_key(|&(fault, _)| fault.index());
    check_probability_sum(&faults)?;
    Ok(faults)
}

fn parse_millis(value: &str) -> Option<Duration> {
    value
        .parse::<u64>()
        .ok()
        .filter(|&millis| millis <= MAX_DELAY_MS)
        .map(Duration::from_millis)
}

/// Parses a number from 0 to 1. NaN and infinities are out of range.
fn parse_probability(value: &str) -> Option<f64> {
    value
        .parse::<f64>()
        .ok()
        .filter(|probability| (0.0..=1.0).contains(probability))
}

/// Rejects probabilities that add up to more than 1, because each call
/// draws one number and so meets at most one fault.
fn check_probability_sum(faults: &Faults) -> anyhow::Result<()> {
    let sum: f64 = faults
        .probabilities
        .iter()
        .map(|&(_, probability)| probability)
        .sum();
    if sum > 1.0 + SUM_TOLERANCE {
        let entries: Vec<String> = faults
            .probabilities
            .iter()
            .map(|(fault, probability)| format!("{}={probability}", fault.name()))
            .collect();
        bail!(
            "invalid faults {}: the probabilities add up to {sum}, but each bulk-enroll call \
             meets at most one fault, so they must add up to at most 1. Lower some of them",
            entries.join(",")
        );
    }
    Ok(())
}

/// The faults of a running sandbox and the random source that draws them.
pub struct FaultInjector {
    faults: Faults,
    rng: Mutex<StdRng>,
}

impl FaultInjector {
    pub fn new(faults: Faults) -> FaultInjector {
        let rng = match faults.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_entropy(),
        };
        FaultInjector {
            faults,
            rng: Mutex::new(rng),
        }
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Chooses the fault for one bulk-enroll call, or `None`. Each call
    /// draws one number in [0, 1) and takes the first fault whose running
    /// sum of probabilities exceeds it, so a fault at probability 1 always
    /// applies. Without any probability no number is drawn.
    pub fn draw(&self) -> Option<Fault> {
        if self.faults.probabilities.is_empty() {
            return None;
        }

        let roll: f64 = self
            .rng
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .gen();

        let mut cumulative = 0.0;
        for &(fault, probability) in &self.faults.probabilities {
            cumulative += probability;
            if roll < cumulative {
                return Some(fault);
            }
        }
        None
    }
}

impl FaultInjector {
    /// Decides whether one agent execute call meets
    /// `agent-drop-after-commit`.
    pub fn draw_agent_drop(&self) -> bool {
        if self.faults.agent_drop == 0.0 {
            return false;
        }
        let roll: f64 = self
            .rng
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .gen();
        roll < self.faults.agent_drop
    }
}

/// How many times each fault was injected, for `/_sandbox/stats`.
#[derive(Default)]
pub struct FaultCounts {
    counts: [AtomicU64; Fault::ALL.len()],
}

impl FaultCounts {
    pub fn increment(&self, fault: Fault) {
        self.counts[fault.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// Returns `{name: count}` with every fault, in the order of [`Fault::ALL`].
    pub fn to_json(&self) -> Value {
        let counts: Map<String, Value> = Fault::ALL
            .into_iter()
            .map(|fault| {
                let count = self.counts[fault.index()].load(Ordering::Relaxed);
                (fault.name().to_owned(), count.into())
            })
            .collect();
        Value::Object(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_faults_lists_every_name() {
        for fault in Fault::ALL {
            assert!(VALID_FAULTS.contains(fault.name()), "{}", fault.name());
        }
        assert!(VALID_FAULTS.contains("seed=N"));
    }

    #[test]
    fn display_round_trips() {
        let text = "error-after-commit=0.25,rate-limit=0.5,latency-ms=20,list-lag-ms=300,seed=9";
        let faults = parse_faults(text).unwrap();

        assert_eq!(faults.to_string(), text);
        assert_eq!(parse_faults(&faults.to_string()).unwrap(), faults);
    }

    #[test]
    fn draw_follows_seed() {
        let faults = parse_faults("error-before-commit=0.3,rate-limit=0.3,seed=5").unwrap();
        let first = FaultInjector::new(faults.clone());
        let second = FaultInjector::new(faults);

        let draws: Vec<_> = (0..200).map(|_| first.draw()).collect();
        let again: Vec<_> = (0..200).map(|_| second.draw()).collect();

        assert_eq!(draws, again);
        assert!(draws.contains(&Some(Fault::ErrorBeforeCommit)));
        assert!(draws.contains(&Some(Fault::RateLimit)));
        assert!(draws.contains(&None));
    }

    #[test]
    fn draw_at_probability_one_always_applies() {
        let injector = FaultInjector::new(parse_faults("hang-after-commit=1").unwrap());

        for _ in 0..100 {
            assert_eq!(injector.draw(), Some(Fault::HangAfterCommit));
        }
    }

    #[test]
    fn draw_at_probability_zero_never_applies() {
        let injector = FaultInjector::new(parse_faults("rate-limit=0").unwrap());

        for _ in 0..100 {
            assert_eq!(injector.draw(), None);
        }
    }

    #[test]
    fn fault_counts_list_every_name() {
        let counts = FaultCounts::default();
        counts.increment(Fault::ListLag);

        let json = counts.to_json();

        assert_eq!(json["list-lag-ms"], 1);
        assert_eq!(json["rate-limit"], 0);
        assert_eq!(json.as_object().map(Map::len), Some(Fault::ALL.len()));
    }
}
