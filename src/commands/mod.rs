//! One module per subcommand, each exposing a `run` function.

pub mod completions;
pub mod enroll;
pub mod list;
pub mod reconcile;
pub mod sandbox;
