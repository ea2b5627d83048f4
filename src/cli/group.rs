//! `warden group ...`: end-user groups, their members and roles.

use clap::{Args, Subcommand};

use super::output::Table;
use super::{Context, exit};
use crate::service::{Command, GroupRef};

#[derive(Args, Debug)]
pub struct Which {
    /// The group's name
    #[arg(value_name = "GROUP")]
    pub group: String,
    /// The group's stage, when the name exists in several stages
    #[arg(long, value_name = "STAGE")]
    pub stage: Option<String>,
}

impl Which {
    fn group_ref(&self) -> GroupRef {
        GroupRef {
            name: self.group.clone(),
            stage: self.stage.clone(),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum GroupVerb {
    /// Create a group in a stage (the stage never changes afterwards)
    Add {
        name: String,
        #[arg(long, value_name = "STAGE")]
        stage: String,
        #[arg(long, value_name = "TEXT", default_value = "")]
        description: String,
    },
    /// List the tenant's groups
    List,
    /// Show a group with its members and roles
    Show(Which),
    /// Rename a group or change its description (its stage is fixed)
    Edit {
        #[command(flatten)]
        which: Which,
        /// A new name
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
        /// Refuse the edit if the group changed since this version
        #[arg(long, value_name = "N")]
        expect_version: Option<i64>,
    },
    /// Delete a group (its members keep their accounts)
    Delete(Which),
    /// Add end users to a group
    AddMember {
        #[command(flatten)]
        which: Which,
        #[arg(value_name = "USER", required_unless_present = "from_file")]
        users: Vec<String>,
        #[command(flatten)]
        from: super::assign::FromFile,
    },
    /// Remove users from a group
    RemoveMember {
        #[command(flatten)]
        which: Which,
        #[arg(value_name = "USER", required_unless_present = "from_file")]
        users: Vec<String>,
        #[command(flatten)]
        from: super::assign::FromFile,
    },
    /// Give a group end-user roles (granted in the group's stage)
    AddRole {
        #[command(flatten)]
        which: Which,
        #[arg(required = true, value_name = "ROLE")]
        roles: Vec<String>,
    },
    /// Take roles from a group
    RemoveRole {
        #[command(flatten)]
        which: Which,
        #[arg(required = true, value_name = "ROLE")]
        roles: Vec<String>,
    },
}

pub fn run(cx: &mut Context, verb: GroupVerb) -> anyhow::Result<i32> {
    match verb {
        GroupVerb::Add {
            name,
            stage,
            description,
        } => cx.write(vec![Command::AddGroup {
            name,
            stage,
            description,
        }]),
        GroupVerb::List => list(cx),
        GroupVerb::Show(which) => show(cx, &which.group_ref()),
        GroupVerb::Edit {
            which,
            name,
            description,
            expect_version,
        } => cx.write(vec![Command::EditGroup {
            group: which.group_ref(),
            name,
            description,
            expected_version: expect_version,
        }]),
        GroupVerb::Delete(which) => cx.write(vec![Command::DeleteGroup {
            group: which.group_ref(),
        }]),
        GroupVerb::AddMember { which, users, from } => {
            let users = from.users(users)?;
            let command = Command::AddMembers {
                group: which.group_ref(),
                users: users.clone(),
            };
            cx.write_for(vec![command], &users)
        }
        GroupVerb::RemoveMember { which, users, from } => {
            let users = from.users(users)?;
            let command = Command::RemoveMembers {
                group: which.group_ref(),
                users: users.clone(),
            };
            cx.write_for(vec![command], &users)
        }
        GroupVerb::AddRole { which, roles } => cx.write(vec![Command::AddGroupRoles {
            group: which.group_ref(),
            roles,
        }]),
        GroupVerb::RemoveRole { which, roles } => cx.write(vec![Command::RemoveGroupRoles {
            group: which.group_ref(),
            roles,
        }]),
    }
}

fn list(cx: &mut Context) -> anyhow::Result<i32> {
    let groups = cx.read(|s| s.groups())?;
    if cx.out.json() {
        cx.out.list(&groups)?;
        return Ok(exit::OK);
    }
    let mut table = Table::new(&["NAME", "STAGE", "MEMBERS", "ROLES", "DESCRIPTION"]);
    for g in groups {
        table.row(vec![
            g.name,
            g.stage,
            g.members.to_string(),
            g.roles.to_string(),
            g.description,
        ]);
    }
    cx.out.table(&table)?;
    Ok(exit::OK)
}

fn show(cx: &mut Context, group: &GroupRef) -> anyhow::Result<i32> {
    let g = cx.read(|s| s.group_detail(group))?;
    if cx.out.json() {
        cx.out.value(&g)?;
        return Ok(exit::OK);
    }
    let roles: Vec<String> = g
        .roles
        .iter()
        .map(|r| format!("{} ({})", r.key, r.name))
        .collect();
    cx.out.fields(&[
        ("name", g.name.clone()),
        ("tenant", g.tenant.clone()),
        ("stage", g.stage.clone()),
        ("description", g.description.clone()),
        ("created", g.created_at.short()),
        ("updated", g.updated_at.short()),
        ("version", g.version.to_string()),
        (
            "roles",
            if roles.is_empty() {
                "-".into()
            } else {
                roles.join(", ")
            },
        ),
        ("members", format!("{}", g.members.len())),
    ])?;
    for member in &g.members {
        cx.out.line(&format!("  {member}"))?;
    }
    Ok(exit::OK)
}
