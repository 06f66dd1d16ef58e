//! Reconciliation: settling contacts whose outcome is unknown by reading
//! the workflow's enrollment list, and adopting enrollments that exist on
//! the server before drippulse first sends to a workflow.
//!
//! An `unknown` contact is matched to the server's enrollments by
//! `lead_ref` when one was sent, else by email compared case-insensitively,
//! ignoring enrollments the ledger already assigns to other entries. A
//! contact found once is `sent` with that id, and one found more than once
//! needs review. A contact absent from a complete listing that started
//! after its settle window may be sent again. A failed listing settles
//! nothing.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::api::{id_string, Client, ListFilters};
use crate::input::{normalize_header_name, KeySpec};
use crate::ledger::{Adoption, Ledger, Resolution, RunId, UnknownEntry};

/// The outcome of one reconciliation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// `unknown` entries looked at.
    pub checked: u64,
    pub found: u64,
    pub needs_review: u64,
    /// Proved absent, so planned for sending again.
    pub replanned: u64,
    /// Not settled: unknown and absent but inside the settle window, or
    /// still needing review, or not listed at all.
    pub still_unknown: u64,
    /// The reason the listing failed, if it did.
    pub listing_error: Option<String>,
    /// Entry ids and how each was settled.
    pub resolved: Vec<(i64, Resolution)>,
}

/// Settles the workflow's `unknown` entries from a complete listing.
pub async fn reconcile(
    ledger: &mut Ledger,
    client: &Client,
    workflow_id: &str,
    run_id: RunId,
    settle: Duration,
) -> anyhow::Result<ReconcileReport> {
    let unknown = ledger.unknown_entries(workflow_id)?;
    let mut report = ReconcileReport {
        checked: unknown.len() as u64,
        ..ReconcileReport::default()
    };
    if unknown.is_empty() {
        return Ok(report);
    }

    // The settle window is measured to the start of the listing: only an
    // enrollment created before then is sure to be in it.
    let listing_started = Utc::now();
    // NOTE: this reads the whole workflow even for a few unknown contacts.
    // The documented `email` filter could narrow it, but a server that
    // ignored the filter would then look like one whose list is complete.
    let enrollments = match client
        .list_enrollments(workflow_id, &ListFilters::default())
        .await
    {
        Ok(enrollments) => enrollments,
        Err(error) => {
            report.still_unknown = report.checked;
            report.listing_error = Some(error.to_string());
            return Ok(report);
        }
    };

    let known = ledger.known_enrollment_ids(workflow_id)?;
    let resolved = match_unknown(&unknown, &enrollments, &known, listing_started, settle);
    for (_, resolution) in &resolved {
        match resolution {
            Resolution::Found(_) => report.found += 1,
            Resolution::Ambiguous(_) => report.needs_review += 1,
            Resolution::Absent => report.replanned += 1,
        }
    }
    report.still_unknown = report.checked - resolved.len() as u64;
    ledger.apply_resolutions(run_id, &resolved)?;
    report.resolved = resolved;
    Ok(report)
}

/// Matches `unknown` entries against a complete listing. Entries absent
/// but still inside their settle window are left out of the result.
pub fn match_unknown(
    unknown: &[UnknownEntry],
    enrollments: &[Value],
    known_ids: &HashSet<String>,
    listing_started: DateTime<Utc>,
    settle: Duration,
) -> Vec<(i64, Resolution)> {
    let mut by_lead_ref: HashMap<String, Vec<String>> = HashMap::new();
    let mut by_email: HashMap<String, Vec<String>> = HashMap::new();
    for enrollment in enrollments {
        let Some(id) = enrollment.get("id").map(id_string) else {
            continue;
        };
        if known_ids.contains(&id) {
            continue;
        }
        if let Some(lead_ref) = enrollment.get("lead_ref").and_then(Value::as_str) {
            by_lead_ref
                .entry(lead_ref.to_string())
                .or_default()
                .push(id.clone());
        }
        if let Some(email) = enrollment.get("email").and_then(Value::as_str) {
            by_email
                .entry(email.trim().to_lowercase())
                .or_default()
                .push(id);
        }
    }

    let settle = chrono::Duration::from_std(settle).unwrap_or(chrono::Duration::MAX);
    let mut taken: HashSet<String> = HashSet::new();
    let mut resolved = Vec::new();
    for entry in unknown {
        let candidates: Vec<&String> = match &entry.lead_ref {
            Some(lead_ref) => by_lead_ref.get(lead_ref),
            None => by_email.get(&entry.email.to_lowercase()),
        }
        .map(|ids| ids.iter().filter(|id| !taken.contains(*id)).collect())
        .unwrap_or_default();

        if entry.needs_review {
            // Found more than once before: settled only once exactly one
            // enrollment is left, and never queued for sending again.
            if let [id] = candidates.as_slice() {
                taken.insert((*id).clone());
                resolved.push((entry.entry_id, Resolution::Found((*id).clone())));
            }
            continue;
        }
        match candidates.as_slice() {
            [] => {
                let since = DateTime::parse_from_rfc3339(&entry.since)
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or(listing_started);
                let settled = since
                    .checked_add_signed(settle)
                    .is_some_and(|end| end <= listing_started);
                if settled {
                    resolved.push((entry.entry_id, Resolution::Absent));
                }
            }
            [id] => {
                taken.insert((*id).clone());
                resolved.push((entry.entry_id, Resolution::Found((*id).clone())));
            }
            ids => {
                let list: Vec<&str> = ids.iter().map(|id| id.as_str()).collect();
                resolved.push((entry.entry_id, Resolution::Ambiguous(list.join(", "))));
            }
        }
    }
    resolved
}

/// Lists a workflow the ledger has never seen and records its existing
/// enrollments as adopted, so that an empty or lost ledger cannot cause
/// duplicates. Enrollments without a value for the key are skipped; when
/// several share a key, the first listed is adopted. Returns how many
/// entries were added.
pub async fn adopt_existing(
    ledger: &mut Ledger,
    client: &Client,
    workflow_id: &str,
    run_id: RunId,
    key: &KeySpec,
) -> anyhow::Result<usize> {
    let enrollments = client
        .list_enrollments(workflow_id, &ListFilters::default())
        .await
        .with_context(|| {
            format!(
                "failed to list workflow {workflow_id:?} before its first enrollment, which drippulse does to avoid enrolling people who are already there"
            )
        })?;

    let adoptions: Vec<Adoption> = enrollments
        .iter()
        .filter_map(|enrollment| adoption_for(enrollment, key))
        .collect();
    if adoptions.is_empty() {
        return Ok(0);
    }
    ledger.adopt(workflow_id, run_id, &adoptions)
}

/// Builds the ledger entry for one server enrollment, if it has a key.
fn adoption_for(enrollment: &Value, key: &KeySpec) -> Option<Adoption> {
    let object = enrollment.as_object()?;
    let email = object
        .get("email")
        .and_then(Value::as_str)?
        .trim()
        .to_string();
    let key = match key {
        KeySpec::Email => email.to_lowercase(),
        KeySpec::Column(column) => {
            let wanted = normalize_header_name(column);
            object
                .iter()
                .find(|(name, _)| normalize_header_name(name) == wanted)
                .map(|(_, value)| match value {
                    Value::String(text) => text.trim().to_string(),
                    other => other.to_string(),
                })
                .filter(|value| !value.is_empty())?
        }
    };
    if key.is_empty() {
        return None;
    }
    Some(Adoption {
        key,
        email,
        lead_ref: object
            .get("lead_ref")
            .and_then(Value::as_str)
            .map(str::to_string),
        contact_json: enrollment.to_string(),
        enrollment_id: id_string(object.get("id")?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(id: i64, email: &str, lead_ref: Option<&str>, since: &str) -> UnknownEntry {
        UnknownEntry {
            entry_id: id,
            key: email.to_lowercase(),
            email: email.to_string(),
            lead_ref: lead_ref.map(str::to_string),
            since: since.to_string(),
            needs_review: false,
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    const SINCE: &str = "2026-01-01T00:00:00Z";

    #[test]
    fn match_found_once_by_email_case_insensitively() {
        let listing = [json!({"id": "e1", "email": "Ada@Example.com"})];
        let resolved = match_unknown(
            &[entry(1, "ada@example.com", None, SINCE)],
            &listing,
            &HashSet::new(),
            at("2026-01-01T00:00:01Z"),
            Duration::ZERO,
        );
        assert!(matches!(&resolved[..], [(1, Resolution::Found(id))] if id == "e1"));
    }

    #[test]
    fn match_found_twice_needs_review() {
        let listing = [
            json!({"id": "e1", "email": "ada@example.com"}),
            json!({"id": "e2", "email": "ada@example.com"}),
        ];
        let resolved = match_unknown(
            &[entry(1, "ada@example.com", None, SINCE)],
            &listing,
            &HashSet::new(),
            at("2026-01-01T00:00:01Z"),
            Duration::ZERO,
        );
        assert!(matches!(&resolved[..], [(1, Resolution::Ambiguous(ids))] if ids == "e1, e2"));
    }

    #[test]
    fn match_ignores_ids_known_to_other_entries() {
        let listing = [
            json!({"id": "e1", "email": "ada@example.com"}),
            json!({"id": "e2", "email": "ada@example.com"}),
        ];
        let known = HashSet::from(["e1".to_string()]);
        let resolved = match_unknown(
            &[entry(1, "ada@example.com", None, SINCE)],
            &listing,
            &known,
            at("2026-01-01T00:00:01Z"),
            Duration::ZERO,
        );
        assert!(matches!(&resolved[..], [(1, Resolution::Found(id))] if id == "e2"));
    }

    #[test]
    fn match_by_lead_ref_when_sent() {
        let listing = [
            json!({"id": "e1", "email": "ada@example.com", "lead_ref": "lead_1"}),
            json!({"id": "e2", "email": "ada@example.com", "lead_ref": "lead_2"}),
        ];
        let resolved = match_unknown(
            &[entry(1, "ada@example.com", Some("lead_2"), SINCE)],
            &listing,
            &HashSet::new(),
            at("2026-01-01T00:00:01Z"),
            Duration::ZERO,
        );
        assert!(matches!(&resolved[..], [(1, Resolution::Found(id))] if id == "e2"));
    }

    #[test]
    fn match_absent_waits_for_settle_window() {
        let unknown = [entry(1, "ada@example.com", None, SINCE)];
        let settle = Duration::from_secs(300);

        let early = match_unknown(
            &unknown,
            &[],
            &HashSet::new(),
            at("2026-01-01T00:04:59Z"),
            settle,
        );
        assert!(
            early.is_empty(),
            "inside the window the entry stays unknown"
        );

        let late = match_unknown(
            &unknown,
            &[],
            &HashSet::new(),
            at("2026-01-01T00:05:00Z"),
            settle,
        );
        assert!(matches!(&late[..], [(1, Resolution::Absent)]));
    }

    #[test]
    fn match_one_id_settles_one_entry() {
        // Two entries with one email (keyed by a column) and one enrollment:
        // the id goes to the first entry only.
        let listing = [json!({"id": "e1", "email": "ada@example.com"})];
        let resolved = match_unknown(
            &[
                entry(1, "ada@example.com", None, SINCE),
                entry(2, "ada@example.com", None, SINCE),
            ],
            &listing,
            &HashSet::new(),
            at("2026-01-01T00:00:01Z"),
            Duration::ZERO,
        );
        assert!(matches!(&resolved[0], (1, Resolution::Found(id)) if id == "e1"));
        assert!(matches!(&resolved[1], (2, Resolution::Absent)));
    }

    #[test]
    fn match_needs_review_settles_only_when_one_remains() {
        let mut flagged = entry(1, "ada@example.com", None, SINCE);
        flagged.needs_review = true;
        let listed_at = at("2026-01-01T01:00:00Z");

        let two = [
            json!({"id": "e1", "email": "ada@example.com"}),
            json!({"id": "e2", "email": "ada@example.com"}),
        ];
        let unchanged = match_unknown(
            std::slice::from_ref(&flagged),
            &two,
            &HashSet::new(),
            listed_at,
            Duration::ZERO,
        );
        assert!(unchanged.is_empty(), "still two: stays for review");

        let none = match_unknown(
            std::slice::from_ref(&flagged),
            &[],
            &HashSet::new(),
            listed_at,
            Duration::ZERO,
        );
        assert!(none.is_empty(), "never queued for sending again");

        let one = [json!({"id": "e2", "email": "ada@example.com"})];
        let settled = match_unknown(&[flagged], &one, &HashSet::new(), listed_at, Duration::ZERO);
        assert!(matches!(&settled[..], [(1, Resolution::Found(id))] if id == "e2"));
    }

    #[test]
    fn adoption_keys_by_email_or_column() {
        let enrollment = json!({"id": "e9", "email": " Ada@Example.com ", "Signup ID": "s1"});
        let by_email = adoption_for(&enrollment, &KeySpec::Email).unwrap();
        assert_eq!(by_email.key, "ada@example.com");
        assert_eq!(by_email.enrollment_id, "e9");

        let by_column = adoption_for(&enrollment, &KeySpec::Column("signup id".into())).unwrap();
        assert_eq!(by_column.key, "s1");

        assert!(adoption_for(&enrollment, &KeySpec::Column("plan".into())).is_none());
    }
}
