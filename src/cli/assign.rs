//! `warden assign` / `warden unassign`: a role to or from many users in one transaction.

use clap::Args;

use super::Context;
use super::role::ScopeArgs;
use crate::service::Command;

#[derive(Args, Debug)]
pub struct AssignArgs {
    /// The role (key, or name when unambiguous)
    pub role: String,
    /// Users (usernames or emails)
    #[arg(required = true, value_name = "USER")]
    pub users: Vec<String>,
    #[command(flatten)]
    pub scope: ScopeArgs,
}

pub fn run(cx: &mut Context, args: AssignArgs, assign: bool) -> anyhow::Result<i32> {
    let command = if assign {
        Command::Assign {
            role: args.role,
            users: args.users,
            scope: args.scope.scope(),
        }
    } else {
        Command::Unassign {
            role: args.role,
            users: args.users,
            scope: args.scope.scope(),
        }
    };
    cx.write(vec![command])
}
