//! `ferry completions bash|zsh|fish`: a completion script generated from the clap
//! definitions, so it can never offer a flag that does not exist. The .deb installs the three
//! (scripts/package.sh); from source: `ferry completions bash > ~/.local/share/bash-completion/completions/ferry`.

use clap::CommandFactory;
use clap_complete::Shell;
use ferry_engine::Error;

use crate::args::{Cli, CompletionShell, CompletionsArgs};
use crate::exit::Code;
use crate::render;

/// # Errors
/// Writing stdout.
pub fn run(args: &CompletionsArgs) -> Result<Code, Error> {
    let shell = match args.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "ferry", &mut script);
    render::to_stdout(&String::from_utf8_lossy(&script))?;
    Ok(Code::Success)
}
