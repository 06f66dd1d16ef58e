//! drippulse: enroll contacts into DripPulse nurture workflows exactly once.

pub mod cli;
pub mod commands;
pub mod input;
pub mod sandbox;
