//! Reading passwords: never from the command line. From a terminal, a prompt without echo (the
//! new password asked twice); from a pipe, one line of standard input; for an operator, a file
//! (`--password-file`). Everything read is held in memory that is wiped when dropped.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use zeroize::Zeroizing;

use crate::policy::Secret;
use crate::service::Error;

fn usage(message: impl Into<String>) -> Error {
    Error::Usage(message.into())
}

/// One line from standard input, without its line ending.
fn stdin_line(what: &str) -> Result<Secret, Error> {
    let mut line = Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| usage(format!("cannot read {what} from standard input: {e}")))?;
    let trimmed = Zeroizing::new(line.trim_end_matches(['\n', '\r']).to_string());
    if trimmed.is_empty() {
        return Err(usage(format!("no {what} on standard input")));
    }
    Ok(trimmed)
}

fn prompt(text: &str) -> Result<Secret, Error> {
    rpassword::prompt_password(text)
        .map(Zeroizing::new)
        .map_err(|e| {
            usage(format!(
                "cannot prompt for a password ({e}); pipe it on standard input instead"
            ))
        })
}

/// A password: prompted for without echo on a terminal, else one line of standard input.
pub fn password(what: &str) -> Result<Secret, Error> {
    if std::io::stdin().is_terminal() {
        prompt(&format!("{what}: "))
    } else {
        stdin_line(what)
    }
}

/// A new password: on a terminal asked twice, and the two must match.
pub fn new_password(what: &str) -> Result<Secret, Error> {
    if !std::io::stdin().is_terminal() {
        return stdin_line(what);
    }
    let first = prompt(&format!("{what}: "))?;
    let again = prompt("again: ")?;
    if *first != *again {
        return Err(usage("the two passwords differ; nothing was changed"));
    }
    Ok(first)
}

/// The operator's password: the first line of `file`, or else a prompt on the terminal (never
/// standard input, which a verb may need for its own input).
pub fn operator_password(username: &str, file: Option<&Path>) -> Result<Secret, Error> {
    if let Some(file) = file {
        let text = Zeroizing::new(std::fs::read_to_string(file).map_err(|e| {
            usage(format!(
                "cannot read the password file {}: {e}",
                file.display()
            ))
        })?);
        let line = Zeroizing::new(text.lines().next().unwrap_or("").to_string());
        if line.is_empty() {
            return Err(usage(format!(
                "the password file {} is empty",
                file.display()
            )));
        }
        return Ok(line);
    }
    rpassword::prompt_password(format!("password for {username}: "))
        .map(Zeroizing::new)
        .map_err(|_| {
            usage(format!(
                "no terminal to ask {username}'s password on; give --password-file FILE"
            ))
        })
}
