//! The send loop: claim batches ahead of sending, keep `concurrency`
//! bulk-enroll calls in flight, and record each outcome.

use std::cell::Cell;
use std::collections::VecDeque;
use std::time::Duration;

use anyhow::Context as _;
use tokio::task::JoinSet;

use super::deliver::{deliver, BatchCap, ContactOutcome, Delivery};
use super::prepare::{RejectsFile, Spool};
use super::summary::RunCounts;
use crate::api::Client;
use crate::input::{Location, Reject, RejectReason};
use crate::interrupt::Interrupt;
use crate::ledger::{Claimed, EntryState, Ledger, RunId};
use crate::progress::{EnrollProgress, Reporter};

/// The one column of API refusals in the rejects file: the contact as sent.
const CONTACT_COLUMN: &str = "contact";

/// Time allowed, after an interrupt, for requests in flight to finish,
/// beyond the per-request timeout.
const INTERRUPT_GRACE: Duration = Duration::from_secs(5);

/// How the send loop ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Every spooled contact was handled.
    Complete,
    /// An error that retrying cannot fix stopped the run.
    Fatal(String),
    /// A signal stopped the run; `abandoned` requests did not finish in time.
    Interrupted { abandoned: usize },
}

/// The send loop's state.
pub struct Sender<'a> {
    pub ledger: &'a mut Ledger,
    /// Contacts the API refuses are added to the run's rejects file.
    pub rejects: &'a mut RejectsFile,
    pub workflow_id: &'a str,
    pub run_id: RunId,
    pub counts: RunCounts,
    pub progress: EnrollProgress,
    /// Entries that became `unknown` in this run, for the closing
    /// reconciliation.
    pub unknown_entries: Vec<i64>,
    pub request_timeout: Duration,
    /// Whether contacts whose enrollment was deleted may be sent again.
    pub re_enroll: bool,
}

impl Sender<'_> {
    /// Claims up to `concurrency` batches per durable claim transaction,
    /// keeps `concurrency` calls in flight, and records outcomes as they
    /// come back.
    pub async fn run(
        &mut self,
        client: Client,
        spool: &Spool,
        batch_size: usize,
        concurrency: usize,
        reporter: &mut Reporter,
        interrupt: &Interrupt,
    ) -> anyhow::Result<Ending> {
        let mut reader = spool.reader()?;
        let exhausted = Cell::new(false);
        let mut queue: VecDeque<(i64, Vec<Claimed>)> = VecDeque::new();
        let mut in_flight: JoinSet<Delivery> = JoinSet::new();
        let mut next_batch_id = 1;
        let mut fatal: Option<String> = None;
        let mut grace_deadline: Option<tokio::time::Instant> = None;
        let batch_cap: BatchCap =
            std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(batch_size));

        loop {
            let stopping = fatal.is_some() || interrupt.is_requested();
            if stopping {
                self.give_back(&mut queue)?;
                if interrupt.is_requested() && grace_deadline.is_none() {
                    grace_deadline =
                        Some(tokio::time::Instant::now() + self.request_timeout + INTERRUPT_GRACE);
                }
            } else if queue.is_empty() && !exhausted.get() {
                let mut next = || match reader.next_contact()? {
                    Some(contact) => Ok(Some(contact)),
                    None => {
                        exhausted.set(true);
                        Ok(None)
                    }
                };
                let claim = self.ledger.claim(
                    self.workflow_id,
                    self.run_id,
                    batch_size,
                    concurrency,
                    next_batch_id,
                    self.re_enroll,
                    &mut next,
                )?;
                crate::crash::point("after-claim");
                for &state in &claim.held {
                    self.counts.count_held(state);
                    match state {
                        EntryState::Sent => self.progress.skipped += 1,
                        _ => self.progress.unknown += 1,
                    }
                    self.progress.processed += 1;
                }
                if let Some((last, _)) = claim.batches.last() {
                    next_batch_id = last + 1;
                }
                queue.extend(claim.batches);
                reporter.update(&self.progress);
            }

            if !stopping {
                while in_flight.len() < concurrency {
                    let Some((_, batch)) = queue.pop_front() else {
                        break;
                    };
                    in_flight.spawn(deliver(
                        client.clone(),
                        self.workflow_id.to_string(),
                        batch,
                        batch_cap.clone(),
                    ));
                }
            }

            if in_flight.is_empty() {
                if stopping || (queue.is_empty() && exhausted.get()) {
                    break;
                }
                continue;
            }

            let joined = tokio::select! {
                joined = in_flight.join_next() => joined,
                () = interrupt.requested(), if !interrupt.is_requested() => continue,
                () = sleep_until(grace_deadline), if grace_deadline.is_some() => {
                    // The requests still out may or may not have been
                    // applied. Their entries stay `sending`, which the next
                    // run's recovery turns into `unknown`.
                    let abandoned = in_flight.len();
                    in_flight.abort_all();
                    return Ok(Ending::Interrupted { abandoned });
                }
            };
            let Some(joined) = joined else { continue };
            let delivery = joined.context("a send task failed")?;
            crate::crash::point("after-reply");
            if fatal.is_none() {
                fatal.clone_from(&delivery.fatal);
            }
            self.apply(delivery)?;
            reporter.update(&self.progress);
        }

        Ok(match fatal {
            Some(message) => Ending::Fatal(message),
            None if interrupt.is_requested() => Ending::Interrupted { abandoned: 0 },
            None => Ending::Complete,
        })
    }

    /// Returns claimed but unsent batches to `planned`.
    fn give_back(&mut self, queue: &mut VecDeque<(i64, Vec<Claimed>)>) -> anyhow::Result<()> {
        let unsent: Vec<(i64, String)> = queue
            .drain(..)
            .flat_map(|(_, batch)| batch)
            .map(|claimed| (claimed.entry_id, "not sent: the run stopped".to_string()))
            .collect();
        self.counts.not_started += unsent.len() as u64;
        if unsent.is_empty() {
            return Ok(());
        }
        self.ledger
            .record_outcome(self.run_id, EntryState::Planned, &unsent)
    }

    /// Records one batch's outcomes in the ledger and the counts.
    fn apply(&mut self, delivery: Delivery) -> anyhow::Result<()> {
        let mut sent = Vec::new();
        let mut rejected = Vec::new();
        let mut unknown = Vec::new();
        let mut not_sent = Vec::new();

        for (claimed, outcome) in delivery.outcomes {
            self.progress.processed += 1;
            match outcome {
                ContactOutcome::Sent(id) => {
                    self.counts.sent += 1;
                    self.progress.sent += 1;
                    sent.push((claimed.entry_id, id));
                }
                ContactOutcome::Rejected(reason) => {
                    self.counts.failed += 1;
                    self.progress.failed += 1;
                    self.rejects.write(
                        &api_reject(&claimed, &reason),
                        &[CONTACT_COLUMN.to_string()],
                    )?;
                    rejected.push((claimed.entry_id, reason));
                }
                ContactOutcome::Unknown(reason) => {
                    self.counts.unknown += 1;
                    self.progress.unknown += 1;
                    self.unknown_entries.push(claimed.entry_id);
                    unknown.push((claimed.entry_id, reason));
                }
                ContactOutcome::NotSent(reason) => {
                    self.counts.failed += 1;
                    self.counts.requeued += 1;
                    self.progress.failed += 1;
                    not_sent.push((claimed.entry_id, reason));
                }
            }
        }

        self.ledger.record_sent(self.run_id, &sent)?;
        self.ledger
            .record_outcome(self.run_id, EntryState::Rejected, &rejected)?;
        self.ledger
            .record_outcome(self.run_id, EntryState::Unknown, &unknown)?;
        self.ledger
            .record_outcome(self.run_id, EntryState::Planned, &not_sent)?;
        self.counts.requests += u64::from(delivery.requests);
        Ok(())
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Builds the rejects-file row of a contact the API refused.
fn api_reject(claimed: &Claimed, reason: &str) -> Reject {
    Reject {
        location: Location {
            source: claimed.contact.source.clone(),
            line: claimed.contact.line,
        },
        reason: RejectReason::ApiRejected,
        message: reason.to_string(),
        cells: vec![claimed.contact.contact_json.clone()],
    }
}
