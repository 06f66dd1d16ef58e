//! A randomized soak: many short scenarios, each from one seed, that mix
//! sandbox faults with crash points and SIGKILLs, then rerun `enroll` until
//! it exits 0 and check every invariant.
//!
//! It runs for `DEFAULT_SECS` seconds by default. `DRIPPULSE_SOAK_SECS=N`
//! runs it for N seconds, and `DRIPPULSE_SOAK_SEED=N` replays one seed.

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::harness::{enroll_until_done, write_contacts, World};
use crate::invariants::{check_integrity, check_invariants};

const WORKFLOW: &str = "wf_soak";

/// Seconds the soak runs without `DRIPPULSE_SOAK_SECS`. A scenario that
/// starts before the limit runs to its end, so the total can exceed it
/// by one scenario.
const DEFAULT_SECS: u64 = 75;

/// The faults drawn per bulk-enroll call. `list-lag-ms` is left out
/// because the scenarios use `--settle-secs 0`, and a settle window
/// shorter than the list's lag lets absent-looking contacts be resent.
const CALL_FAULTS: [&str; 7] = [
    "error-before-commit",
    "error-after-commit",
    "drop-after-commit",
    "hang-after-commit",
    "legacy-created-count-zero",
    "rate-limit",
    "rate-limit-no-header",
];

/// The crash points, as the binary names them.
const CRASH_POINTS: [&str; 4] = [
    "after-claim",
    "after-send",
    "after-reply",
    "in-outcome-commit",
];

/// Enroll runs allowed after the interruption before a scenario fails.
const MAX_RUNS: usize = 10;

/// How the first run of a scenario is cut short.
#[derive(Debug, Clone, Copy)]
enum Interruption {
    None,
    CrashAt(&'static str),
    /// SIGKILL once the server has created this many enrollments.
    KillAfter(u64),
}

/// One scenario, drawn from its seed.
#[derive(Debug)]
struct Scenario {
    seed: u64,
    contacts: usize,
    batch_size: usize,
    concurrency: usize,
    /// `NAME=VALUE` fault switches for the sandbox.
    faults: Vec<String>,
    interruption: Interruption,
}

impl Scenario {
    fn draw(seed: u64) -> Scenario {
        let mut rng = StdRng::seed_from_u64(seed);
        let contacts = rng.gen_range(100..=300);
        let mut batch_size = rng.gen_range(20..=60);
        let concurrency = rng.gen_range(2..=4);

        // Up to four faults share a total probability of at most 0.6.
        let count = rng.gen_range(1..=4);
        let chosen: Vec<&str> = CALL_FAULTS
            .choose_multiple(&mut rng, count)
            .copied()
            .collect();
        let weights: Vec<f64> = chosen.iter().map(|_| rng.gen_range(0.1..1.0)).collect();
        let total: f64 = rng.gen_range(0.1..=0.6);
        let weight_sum: f64 = weights.iter().sum();
        let mut faults: Vec<String> = chosen
            .iter()
            .zip(&weights)
            .map(|(name, weight)| format!("{name}={:.3}", total * weight / weight_sum))
            .collect();
        faults.push(format!("seed={seed}"));

        let interruption = match rng.gen_range(0..6) {
            0 | 1 => Interruption::None,
            2 => Interruption::KillAfter(rng.gen_range(1..contacts as u64)),
            _ => Interruption::CrashAt(
                CRASH_POINTS
                    .choose(&mut rng)
                    .copied()
                    .unwrap_or("after-claim"),
            ),
        };
        match interruption {
            // The binary aborts 200 ms after starting a request, so the
            // reply must take longer. Larger batches keep the reruns short.
            Interruption::CrashAt("after-send") => {
                faults.push("latency-ms=300".to_string());
                batch_size = batch_size.max(50);
            }
            Interruption::KillAfter(_) => faults.push("latency-ms=20".to_string()),
            _ => {}
        }

        Scenario {
            seed,
            contacts,
            batch_size,
            concurrency,
            faults,
            interruption,
        }
    }

    /// Returns the text that starts every failure message of this scenario.
    fn context(&self) -> String {
        format!(
            "soak seed {} (replay with DRIPPULSE_SOAK_SEED={}): {self:?}",
            self.seed, self.seed
        )
    }
}

/// Runs one scenario and checks the invariants after it.
fn run_scenario(scenario: &Scenario) {
    let context = scenario.context();
    let mut sandbox_flags = Vec::new();
    for fault in &scenario.faults {
        sandbox_flags.push("--fault");
        sandbox_flags.push(fault.as_str());
    }
    let world = World::with_sandbox_state(&sandbox_flags);
    let (csv, emails) = write_contacts(world.path("contacts.csv"), "soak", scenario.contacts);
    let batch_size = scenario.batch_size.to_string();
    let concurrency = scenario.concurrency.to_string();
    let flags = ["--batch-size", &batch_size, "--concurrency", &concurrency];
    let first_run = || {
        world
            .cmd()
            .args(["--timeout", "1", "--output", "json", "enroll"])
            .args(["--workflow", WORKFLOW, "--settle-secs", "0"])
            .args(flags)
            .arg_path(&csv)
    };

    // The interrupted run may finish before its crash point or kill, so
    // its exit code is not checked. The reruns and invariants are.
    match scenario.interruption {
        Interruption::None => {}
        Interruption::CrashAt(point) => {
            first_run().env("DRIPPULSE_CRASH_AT", point).run();
        }
        Interruption::KillAfter(created) => {
            let mut started = first_run().spawn();
            while started.is_running()
                && world.sandbox().stats()["enrollments_created"]
                    .as_u64()
                    .unwrap_or(0)
                    < created
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            started.kill();
            started.wait();
        }
    }
    if world.ledger_path().exists() {
        check_integrity(&world, &context);
    }

    enroll_until_done(&world, WORKFLOW, &csv, &flags, MAX_RUNS, &context);
    check_invariants(&world, WORKFLOW, &emails, &context);
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    Some(
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a whole number")),
    )
}

#[test]
fn soak_random_faults_and_crashes() {
    if let Some(seed) = env_number("DRIPPULSE_SOAK_SEED") {
        let scenario = Scenario::draw(seed);
        eprintln!("replaying {}", scenario.context());
        run_scenario(&scenario);
        return;
    }

    let budget = Duration::from_secs(env_number("DRIPPULSE_SOAK_SECS").unwrap_or(DEFAULT_SECS));
    let started = Instant::now();
    let mut seed = 1;
    while started.elapsed() < budget {
        let scenario = Scenario::draw(seed);
        eprintln!("{}", scenario.context());
        run_scenario(&scenario);
        seed += 1;
    }
    eprintln!(
        "soak: {} scenarios passed in {:?}",
        seed - 1,
        started.elapsed()
    );
}
