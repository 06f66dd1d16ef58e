//! Delivering one claimed batch: the bulk-enroll call and the retries that
//! are safe for a call that is not idempotent.
//!
//! A batch is resent only when the server certainly created nothing: a
//! connection that never opened, a 429 or 503 with Retry-After, a 413
//! (split in halves), or a 400/422 naming some contacts (the rest are
//! resent). After anything ambiguous the contacts become `unknown` and are
//! never resent by this run.

use std::time::Duration;

use crate::api::classify::Class;
use crate::api::{backoff, BulkReply, Client};
use crate::ledger::Claimed;

/// Connection attempts per batch before the run stops: the server is then
/// unreachable, and every other batch would wait out the same retries.
const CONNECT_ATTEMPTS: u32 = 4;

/// 429 or 503 replies tolerated per batch before the run stops; cron is
/// the outer retry loop.
const THROTTLE_ATTEMPTS: u32 = 20;

/// The outcome for one contact of a batch.
#[derive(Debug, Clone)]
pub enum ContactOutcome {
    /// Enrolled, with the server's enrollment id.
    Sent(String),
    /// Refused by the API; nothing was created.
    Rejected(String),
    /// May or may not have been enrolled.
    Unknown(String),
    /// Certainly not enrolled and not refused: retries ran out, or the run
    /// stopped. The contact goes back to `planned`.
    NotSent(String),
}

/// The result of delivering one batch.
#[derive(Debug)]
pub struct Delivery {
    pub outcomes: Vec<(Claimed, ContactOutcome)>,
    /// An error that must stop the whole run (bad key, unknown workflow).
    pub fatal: Option<String>,
    pub requests: u32,
}

/// Sends `batch` to the workflow, splitting and retrying as allowed.
/// The largest batch the server has not refused as too large, shared by
/// all deliveries of a run, so that after one 413 the later batches are
/// split before they are sent instead of each meeting its own 413.
pub type BatchCap = std::sync::Arc<std::sync::atomic::AtomicUsize>;

pub async fn deliver(
    client: Client,
    workflow_id: String,
    batch: Vec<Claimed>,
    cap: BatchCap,
) -> Delivery {
    let mut delivery = Delivery {
        outcomes: Vec::with_capacity(batch.len()),
        fatal: None,
        requests: 0,
    };
    // Sub-batches still to send; a 413 pushes two halves.
    let mut pending = vec![batch];

    while let Some(mut contacts) = pending.pop() {
        let limit = cap.load(std::sync::atomic::Ordering::Relaxed).max(1);
        if contacts.len() > limit && delivery.fatal.is_none() {
            let second = contacts.split_off(limit);
            pending.push(second);
        }
        if let Some(reason) = &delivery.fatal {
            let reason = format!("not sent: the run stopped ({reason})");
            settle_all(&mut delivery, contacts, |_| {
                ContactOutcome::NotSent(reason.clone())
            });
            continue;
        }

        let mut connect_failures = 0;
        let mut throttled = 0;
        loop {
            let texts: Vec<&str> = contacts
                .iter()
                .map(|c| c.contact.contact_json.as_str())
                .collect();
            delivery.requests += 1;
            let reply = if crate::crash::armed("after-send") {
                send_then_crash(&client, &workflow_id, &texts).await
            } else {
                client.bulk_enroll(&workflow_id, &texts).await
            };
            drop(texts);

            match reply {
                BulkReply::Created(ids) => {
                    for (claimed, id) in contacts.drain(..).zip(ids) {
                        delivery.outcomes.push((claimed, ContactOutcome::Sent(id)));
                    }
                    break;
                }
                BulkReply::Mismatch(message) => {
                    let reason =
                        format!("the success reply does not prove what was created: {message}");
                    settle_all(&mut delivery, contacts, |_| {
                        ContactOutcome::Unknown(reason.clone())
                    });
                    break;
                }
                BulkReply::ItemErrors(items) => {
                    // Nothing was created. Take the named contacts out,
                    // highest index first so the others keep their places.
                    let mut items = items;
                    items.sort_by_key(|item| std::cmp::Reverse(item.index));
                    items.dedup_by_key(|item| item.index);
                    let mut refused = Vec::with_capacity(items.len());
                    for item in items {
                        let claimed = contacts.remove(item.index);
                        let reason = format!("refused by the API: {}", item.message);
                        refused.push((claimed, ContactOutcome::Rejected(reason)));
                    }
                    // Report them in input order.
                    delivery.outcomes.extend(refused.into_iter().rev());
                    if contacts.is_empty() {
                        break;
                    }
                }
                BulkReply::Failed {
                    class,
                    status,
                    message,
                } => {
                    let what = match status {
                        Some(status) => format!("HTTP {status}: {message}"),
                        None => message,
                    };
                    match class {
                        Class::TooLarge if contacts.len() > 1 => {
                            cap.fetch_min(contacts.len() / 2, std::sync::atomic::Ordering::Relaxed);
                            let second = contacts.split_off(contacts.len() / 2);
                            pending.push(second);
                            pending.push(contacts);
                            break;
                        }
                        Class::TooLarge | Class::Rejected => {
                            let reason = format!("refused by the API ({what})");
                            settle_all(&mut delivery, contacts, |_| {
                                ContactOutcome::Rejected(reason.clone())
                            });
                            break;
                        }
                        Class::Throttled(wait) => {
                            throttled += 1;
                            if throttled >= THROTTLE_ATTEMPTS {
                                // The server keeps refusing for now, and the
                                // other batches would only add to the load.
                                delivery.fatal = Some(format!(
                                    "the API is still rate limiting after {throttled} attempts ({what}); rerun later to send the rest"
                                ));
                                pending.push(contacts);
                                break;
                            }
                            let wait = wait.unwrap_or_else(|| backoff(throttled.min(5)));
                            tracing::info!(
                                ?wait,
                                "rate limited, waiting before resending the batch"
                            );
                            tokio::time::sleep(wait.max(Duration::from_millis(50))).await;
                        }
                        Class::NotApplied => {
                            connect_failures += 1;
                            if connect_failures >= CONNECT_ATTEMPTS {
                                delivery.fatal = Some(format!(
                                    "failed to connect to the API after {connect_failures} attempts: {what}; check --api-url and the network"
                                ));
                                pending.push(contacts);
                                break;
                            }
                            let wait = backoff(connect_failures);
                            tracing::info!(?wait, "connection failed, retrying: {what}");
                            tokio::time::sleep(wait).await;
                        }
                        Class::Ambiguous | Class::Success => {
                            let reason = format!("outcome unknown ({what})");
                            settle_all(&mut delivery, contacts, |_| {
                                ContactOutcome::Unknown(reason.clone())
                            });
                            break;
                        }
                        Class::NotFound => {
                            delivery.fatal = Some(format!(
                                "workflow {workflow_id:?} was not found ({what}); check the workflow id"
                            ));
                            pending.push(contacts);
                            break;
                        }
                        Class::Fatal => {
                            delivery.fatal = Some(fatal_message(status, &what));
                            pending.push(contacts);
                            break;
                        }
                    }
                }
            }
        }
    }
    delivery
}

/// Sends a request and aborts the process before its reply is read, for
/// the crash tests. 200 ms is ample to write a request over loopback; the
/// tests slow the sandbox's reply with its `latency-ms` switch so the
/// reply cannot win the race.
async fn send_then_crash(client: &Client, workflow_id: &str, texts: &[&str]) -> BulkReply {
    let request = client.bulk_enroll(workflow_id, texts);
    tokio::pin!(request);
    tokio::select! {
        reply = &mut request => reply,
        () = tokio::time::sleep(Duration::from_millis(200)) => {
            eprintln!("crash point after-send: aborting");
            std::process::abort();
        }
    }
}

fn settle_all(
    delivery: &mut Delivery,
    contacts: Vec<Claimed>,
    outcome: impl Fn(&Claimed) -> ContactOutcome,
) {
    for claimed in contacts {
        let result = outcome(&claimed);
        delivery.outcomes.push((claimed, result));
    }
}

fn fatal_message(status: Option<u16>, what: &str) -> String {
    match status {
        Some(401) => format!("the API rejected the key ({what}); check DRIPPULSE_API_KEY"),
        Some(403) => format!("the key is not permitted to enroll into this workflow ({what})"),
        Some(300..=399) => format!(
            "the API answered with a redirect ({what}); check --api-url, redirects are not followed"
        ),
        _ => what.to_string(),
    }
}
