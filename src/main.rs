//! The `warden` binary: parse the command line, run it, turn the result into an exit code.
//! Errors are printed once, made terminal-safe (they can quote names from the store).

use std::process::ExitCode;

use clap::Parser;

use warden::cli::{self, Cli};
use warden::text::terminal_safe;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version are not errors.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::from(cli::exit::OK as u8);
        }
        // Bad usage (exit 2). The message can quote an argument, which may hold escape
        // sequences or bidi overrides: made terminal-safe line by line, like store data.
        Err(e) => {
            let rendered = e.render().ansi().to_string();
            let safe: Vec<_> = rendered.lines().map(terminal_safe).collect();
            eprintln!("{}", safe.join("\n"));
            return ExitCode::from(cli::exit::USAGE as u8);
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
