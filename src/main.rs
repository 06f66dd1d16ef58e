use std::io::ErrorKind;
use std::process::ExitCode;

use clap::Parser;
use drippulse::cli::Cli;
use drippulse::exit::status_for_error;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Prints help and version on stdout with 0, usage errors on stderr with 2.
            let _ = error.print();
            return ExitCode::from(error.exit_code() as u8);
        }
    };
    drippulse::init_logging(cli.global.verbose);

    match drippulse::run(&cli) {
        Ok(status) => ExitCode::from(status.code() as u8),
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}", drippulse::errors::render(&error));
            ExitCode::from(status_for_error(&error).code() as u8)
        }
    }
}

/// A reader that closed stdout early (`drippulse list | head`) is not an error.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == ErrorKind::BrokenPipe)
}
