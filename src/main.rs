//! The `warden` binary: parse the command line, run it, turn the result into an exit code.
//! Errors are printed once, made terminal-safe (they can quote names from the store).

use std::process::ExitCode;

use clap::Parser;

use warden::cli::{self, Cli};
use warden::text::terminal_safe;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are not errors; everything else is bad usage (exit 2).
            let code = if e.use_stderr() {
                cli::exit::USAGE
            } else {
                cli::exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code as u8);
        }
    };
    match cli::run(cli) {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) if cli::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warden: {}", terminal_safe(&format!("{e:#}")));
            ExitCode::from(u8::try_from(cli::exit_code(&e)).unwrap_or(1))
        }
    }
}
