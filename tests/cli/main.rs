//! End-to-end tests: the real binary against the real sandbox over loopback.

mod crash;
mod enroll;
mod faults;
mod generated;
mod harness;
mod interrupt;
mod invariants;
mod list;
mod overlap;
mod reconcile;
mod soak;
