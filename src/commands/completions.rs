//! `drippulse completions` and the hidden `drippulse man`: generated from
//! the clap definitions, so they never drift from the real flags.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::exit::ExitStatus;

/// Writes the completion script for a shell to stdout.
pub fn completions(args: &CompletionsArgs) -> anyhow::Result<ExitStatus> {
    let mut command = Cli::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "drippulse",
        &mut std::io::stdout(),
    );
    Ok(ExitStatus::Success)
}

/// Writes the man page (roff) to stdout.
pub fn man() -> anyhow::Result<ExitStatus> {
    let page = render_man()?;
    use std::io::Write;
    std::io::stdout().write_all(&page)?;
    Ok(ExitStatus::Success)
}

/// Renders the top-level man page.
pub fn render_man() -> anyhow::Result<Vec<u8>> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    Ok(page)
}

/// Every generated file committed to the repository, as (path relative to
/// the repository root, contents): a completion script per shell, and a
/// man page for the tool and for each visible subcommand. A test compares
/// them with the committed copies.
pub fn generated_files() -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    use clap_complete::Shell;

    let mut files = Vec::new();
    let shells = [
        (Shell::Bash, "completions/drippulse.bash"),
        (Shell::Zsh, "completions/_drippulse"),
        (Shell::Fish, "completions/drippulse.fish"),
        (Shell::PowerShell, "completions/_drippulse.ps1"),
        (Shell::Elvish, "completions/drippulse.elv"),
    ];
    for (shell, path) in shells {
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "drippulse", &mut script);
        files.push((path.to_string(), script));
    }

    files.push(("man/drippulse.1".to_string(), render_man()?));
    let root = Cli::command();
    let mut pages = Vec::new();
    collect_man_pages(&root, "drippulse", &mut pages)?;
    files.extend(pages);
    Ok(files)
}

/// Renders `drippulse-<sub>.1` for each visible subcommand, recursively.
fn collect_man_pages(
    command: &clap::Command,
    prefix: &str,
    pages: &mut Vec<(String, Vec<u8>)>,
) -> anyhow::Result<()> {
    for sub in command.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        let name = format!("{prefix}-{}", sub.get_name());
        let mut page = Vec::new();
        clap_mangen::Man::new(sub.clone().name(name.clone())).render(&mut page)?;
        pages.push((format!("man/{name}.1"), page));
        collect_man_pages(sub, &name, pages)?;
    }
    Ok(())
}
