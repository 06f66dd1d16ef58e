//! End-to-end tests: the real binary against the real sandbox over loopback.

mod enroll;
mod generated;
mod harness;
mod interrupt;
mod list;
mod reconcile;
