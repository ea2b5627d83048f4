//! The command line's side of the consent rule the console follows. At a terminal, a change
//! whose consent asks for the count of users whose access changes (more than 50, or anyone
//! gaining a User management permission) is previewed on standard error and applied only once
//! that count is typed. `--yes` does not ask, and neither does a script (no terminal on
//! standard input and standard error): asking there would only hang it.

use std::io::{BufRead, IsTerminal, Write};

use crate::service::Error;
use crate::service::access::PreviewView;
use crate::text::terminal_safe;

/// How many users the prompt lists before summarising.
const USERS_SHOWN: usize = 10;

/// Whether there is someone to ask.
pub fn can_ask() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Shows what the rehearsed change would do and asks for the count; `true` when it was typed.
pub fn ask(summary: &str, preview: &PreviewView) -> Result<bool, Error> {
    let Some(n) = preview.consent.typed_count() else {
        return Ok(true);
    };
    let why = preview.consent.reason().unwrap_or_default();
    let mut err = std::io::stderr().lock();
    let mut lines = vec![
        format!("would {summary}"),
        format!("access: {}", preview.headline()),
    ];
    lines.extend(
        preview
            .users
            .iter()
            .take(USERS_SHOWN)
            .map(|u| format!("  {} (+{} −{})", u.username, u.gained.len(), u.lost.len())),
    );
    if preview.users.len() > USERS_SHOWN {
        lines.push(format!(
            "  ... and {} more (--dry-run --json lists them all)",
            preview.users.len() - USERS_SHOWN
        ));
    }
    lines.push(format!(
        "{why}: type {n}, the number of users whose access changes, to apply (anything else cancels): "
    ));
    let shown = lines
        .iter()
        .map(|l| terminal_safe(l))
        .collect::<Vec<_>>()
        .join("\n");
    let written = write!(err, "{shown}").and_then(|()| err.flush());
    written.map_err(|e| Error::Usage(format!("cannot ask for the count: {e}")))?;
    let mut typed = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut typed)
        .map_err(|e| Error::Usage(format!("cannot read the count: {e}")))?;
    Ok(preview.consent.given_by(&typed))
}
