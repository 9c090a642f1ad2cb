//! `atom-sync completions SHELL`: the committed files in completions/ are this output,
//! and a test fails when they drift.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, powershell or elvish
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs) -> anyhow::Result<u8> {
    let mut cmd = super::Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "atom-sync", &mut std::io::stdout());
    Ok(super::exit::OK)
}
