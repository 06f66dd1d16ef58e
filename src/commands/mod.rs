//! One module per subcommand, each exposing a `run` function.

pub mod agent;
pub mod completions;
pub mod delete;
pub mod enroll;
pub mod ledger;
pub mod list;
pub mod reconcile;
pub mod sandbox;
