//! One module per subcommand, each exposing a `run` function.

pub mod sandbox;
