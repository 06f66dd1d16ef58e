//! drippulse: enroll contacts into DripPulse nurture workflows exactly once.
//!
//! The binary is a thin shell over [`run`]; the modules below know nothing
//! of the terminal except `output` and `progress`.

pub mod api;
pub mod cli;
pub mod commands;
pub mod crash;
pub mod errors;
pub mod exit;
pub mod fsutil;
pub mod input;
pub mod interrupt;
pub mod ledger;
pub mod output;
pub mod progress;
pub mod reconcile;
pub mod sandbox;
pub mod secret;
pub mod settings;
pub mod text;

use cli::{Cli, Command, SandboxCommand};
use exit::ExitStatus;
use settings::Context;

/// Runs one parsed command line and returns its exit status.
pub fn run(cli: &Cli) -> anyhow::Result<ExitStatus> {
    match &cli.command {
        // Commands that need neither the ledger nor the API.
        Command::Completions(args) => return commands::completions::completions(args),
        Command::Man(_) => return commands::completions::man(),
        Command::Sandbox(args) => match &args.command {
            SandboxCommand::Serve(serve) => {
                commands::sandbox::serve(serve)?;
                return Ok(ExitStatus::Success);
            }
        },
        _ => {}
    }

    let csv_allowed = matches!(&cli.command, Command::List(_) | Command::Ledger(_));
    if cli.global.output == cli::OutputFormat::Csv && !csv_allowed {
        return Err(exit::usage(
            "--output csv is for `list` and `ledger show`/`ledger export`; use human or json here",
        ));
    }

    let mut ctx = Context::resolve(&cli.global)?;
    match &cli.command {
        Command::Enroll(args) => commands::enroll::run(&mut ctx, args),
        Command::List(args) => commands::list::run(&mut ctx, args, cli.global.output),
        Command::Reconcile(args) => commands::reconcile::run(&mut ctx, args),
        Command::Delete(args) => commands::delete::run(&mut ctx, args),
        Command::ExecuteAgent(args) => commands::agent::run(&mut ctx, args),
        Command::Ledger(args) => commands::ledger::run(&mut ctx, &args.command, cli.global.output),
        Command::Completions(_) | Command::Man(_) | Command::Sandbox(_) => Ok(ExitStatus::Success),
    }
}

/// Sets up `tracing` on stderr: warnings by default, `-v` info, `-vv`
/// debug, `-vvv` trace.
pub fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::new(format!("warn,drippulse={level}"));
    // Colour codes only where a person reads them; cron logs get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(ansi)
        .try_init();
}
