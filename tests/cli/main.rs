//! End-to-end tests: the real binary against the real sandbox over loopback.

mod generated;
