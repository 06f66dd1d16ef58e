//! End-to-end tests: the real binary against the real sandbox over loopback.

mod agent;
mod crash;
mod delete;
mod enroll;
mod faults;
mod generated;
mod harness;
mod interrupt;
mod invariants;
mod ledger;
mod list;
mod overlap;
mod reconcile;
mod soak;
