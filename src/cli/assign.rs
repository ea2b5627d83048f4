//! `warden assign` / `warden unassign`: a role to or from many users in one transaction, the
//! users named on the command line or listed in a file (`--from-file`), with the same per-user
//! report (and, with `--dry-run`, the same preview) as the console's bulk actions.

use std::path::{Path, PathBuf};

use clap::Args;

use super::Context;
use super::role::ScopeArgs;
use crate::service::{Command, Error};

#[derive(Args, Debug)]
pub struct AssignArgs {
    /// The role (key, or name when unambiguous)
    pub role: String,
    /// Users (usernames or emails)
    #[arg(value_name = "USER", required_unless_present = "from_file")]
    pub users: Vec<String>,
    #[command(flatten)]
    pub from: FromFile,
    #[command(flatten)]
    pub scope: ScopeArgs,
}

/// `--from-file PATH`: more users, one per line.
#[derive(Args, Debug, Default)]
pub struct FromFile {
    /// Read users from a file, one per line (`-` for standard input; blank lines and lines
    /// starting with # are skipped)
    #[arg(long, value_name = "PATH")]
    pub from_file: Option<PathBuf>,
}

impl FromFile {
    /// `named` followed by the file's users, each once, in order.
    pub fn users(&self, named: Vec<String>) -> anyhow::Result<Vec<String>> {
        let mut users = named;
        if let Some(path) = &self.from_file {
            users.extend(read_users(path)?);
        }
        let mut seen = std::collections::HashSet::new();
        users.retain(|u| seen.insert(u.to_lowercase()));
        if users.is_empty() {
            return Err(Error::Usage(
                "no users given (name them, or list them with --from-file)".into(),
            )
            .into());
        }
        Ok(users)
    }
}

fn read_users(path: &Path) -> anyhow::Result<Vec<String>> {
    let label = path.display().to_string();
    let lines = super::lines::read_lines(path, super::lines::USER_LISTS)?;
    let mut users = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let problem = if crate::text::first_unsafe_char(line).is_some() {
            Some("a control or invisible character")
        } else if line.chars().any(char::is_whitespace) {
            Some("a blank inside it")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(Error::Usage(format!(
                "{label}:{}: {} is not a username: it holds {problem} (one user per line)",
                i + 1,
                crate::text::terminal_safe(line),
            ))
            .into());
        }
        users.push(line.to_string());
    }
    if users.is_empty() {
        return Err(Error::Usage(format!("{label} lists no users")).into());
    }
    Ok(users)
}

pub fn run(cx: &mut Context, args: AssignArgs, assign: bool) -> anyhow::Result<i32> {
    let users = args.from.users(args.users)?;
    let command = if assign {
        Command::Assign {
            role: args.role,
            users: users.clone(),
            scope: args.scope.scope(),
        }
    } else {
        Command::Unassign {
            role: args.role,
            users: users.clone(),
            scope: args.scope.scope(),
        }
    };
    cx.write_for(vec![command], &users)
}
