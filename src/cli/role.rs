//! `warden role ...`: roles, their grants and inclusions.

use clap::{Args, Subcommand};

use super::output::{Table, or_dash, scope_text};
use super::{Context, exit, vocabulary};
use crate::model::RoleKind;
use crate::service::{Command, NewRole, ScopeRef};

/// Where a grant applies.
#[derive(Args, Debug, Clone, Default)]
pub struct ScopeArgs {
    /// Only in this stage [default: every stage]
    #[arg(long, value_name = "STAGE")]
    pub stage: Option<String>,
    /// Only for this app [default: every app]
    #[arg(long, value_name = "APP")]
    pub app: Option<String>,
}

impl ScopeArgs {
    pub fn scope(&self) -> ScopeRef {
        ScopeRef {
            stage: self.stage.clone(),
            app: self.app.clone(),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum RoleVerb {
    /// Create a custom role (an organization role needs at least one permission)
    Add(AddArgs),
    /// Duplicate a role (built-ins included) as an editable custom role named <name>-copy
    Copy {
        role: String,
        /// Key of the copy [default: <key>-copy, -copy-2, ...]
        #[arg(long)]
        key: Option<String>,
        /// Name of the copy [default: <name>-copy, -copy-2, ...]
        #[arg(long)]
        name: Option<String>,
    },
    /// List roles
    List {
        #[arg(long, value_parser = vocabulary::<RoleKind>)]
        kind: Option<RoleKind>,
        /// Only this app's end-user roles
        #[arg(long)]
        app: Option<String>,
    },
    /// Show a role: grants, included roles, who includes it, groups and users holding it
    Show { role: String },
    /// Rename a custom role or change its description (its key never changes)
    Edit {
        role: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
        /// Refuse the edit if the role changed since this version
        #[arg(long, value_name = "N")]
        expect_version: Option<i64>,
    },
    /// Delete a custom role; it is taken from every user and group first
    Delete { role: String },
    /// Grant permissions to a role, at a scope
    Grant {
        role: String,
        #[arg(required = true, value_name = "PERM")]
        permissions: Vec<String>,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Revoke permissions from a role, at the scope they were granted
    Revoke {
        role: String,
        #[arg(required = true, value_name = "PERM")]
        permissions: Vec<String>,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Make a role include others: it then has everything they have
    Include {
        role: String,
        #[arg(required = true, value_name = "OTHER")]
        others: Vec<String>,
    },
    /// Stop a role including others
    Exclude {
        role: String,
        #[arg(required = true, value_name = "OTHER")]
        others: Vec<String>,
    },
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// Stable key: lowercase letters, digits, . _ - (survives renames)
    pub key: String,
    #[arg(long)]
    pub name: String,
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub description: String,
    /// organization, or end_user (an app's role: needs --app)
    #[arg(long, value_parser = vocabulary::<RoleKind>, default_value = "organization")]
    pub kind: RoleKind,
    /// The app an end-user role belongs to
    #[arg(long)]
    pub app: Option<String>,
    /// Permissions to grant (at --stage when given)
    #[arg(long = "grant", value_name = "PERM", num_args = 1..)]
    pub grants: Vec<String>,
    /// Stage the --grant permissions apply in [default: every stage]
    #[arg(long, value_name = "STAGE")]
    pub stage: Option<String>,
    /// Roles to include
    #[arg(long = "include", value_name = "ROLE", num_args = 1..)]
    pub includes: Vec<String>,
}

pub fn run(cx: &mut Context, verb: RoleVerb) -> anyhow::Result<i32> {
    match verb {
        RoleVerb::Add(a) => cx.write(vec![Command::AddRole(NewRole {
            key: a.key,
            name: a.name,
            description: a.description,
            kind: a.kind,
            app: a.app,
            grants: a.grants,
            grant_scope: ScopeRef {
                stage: a.stage,
                app: None,
            },
            includes: a.includes,
        })]),
        RoleVerb::Copy { role, key, name } => cx.write(vec![Command::CopyRole { role, key, name }]),
        RoleVerb::List { kind, app } => list(cx, kind, app),
        RoleVerb::Show { role } => show(cx, &role),
        RoleVerb::Edit {
            role,
            name,
            description,
            expect_version,
        } => cx.write(vec![Command::EditRole {
            role,
            name,
            description,
            expected_version: expect_version,
        }]),
        RoleVerb::Delete { role } => cx.write(vec![Command::DeleteRole { role }]),
        RoleVerb::Grant {
            role,
            permissions,
            scope,
        } => cx.write(vec![Command::Grant {
            role,
            permissions,
            scope: scope.scope(),
        }]),
        RoleVerb::Revoke {
            role,
            permissions,
            scope,
        } => cx.write(vec![Command::Revoke {
            role,
            permissions,
            scope: scope.scope(),
        }]),
        RoleVerb::Include { role, others } => cx.write(vec![Command::Include { role, others }]),
        RoleVerb::Exclude { role, others } => cx.write(vec![Command::Exclude { role, others }]),
    }
}

fn list(cx: &mut Context, kind: Option<RoleKind>, app: Option<String>) -> anyhow::Result<i32> {
    let mut roles = cx.read(|s| s.roles())?;
    roles.retain(|r| {
        kind.is_none_or(|k| k == r.kind) && app.as_ref().is_none_or(|a| r.app.as_ref() == Some(a))
    });
    if cx.out.json() {
        cx.out.list(&roles)?;
        return Ok(exit::OK);
    }
    let mut table = Table::new(&[
        "KEY", "NAME", "KIND", "APP", "GRANTS", "INCLUDES", "USERS", "GROUPS", "",
    ]);
    for r in roles {
        table.row(vec![
            r.key,
            r.name,
            r.kind.to_string(),
            or_dash(r.app),
            r.grants.to_string(),
            r.includes.to_string(),
            r.assignments.to_string(),
            r.groups.to_string(),
            if r.builtin {
                "built-in".into()
            } else {
                String::new()
            },
        ]);
    }
    cx.out.table(&table)?;
    Ok(exit::OK)
}

/// How many holders `role show` lists before summarising.
const HOLDERS_SHOWN: usize = 50;

fn show(cx: &mut Context, role: &str) -> anyhow::Result<i32> {
    let r = cx.read(|s| s.role_detail(role))?;
    if cx.out.json() {
        cx.out.value(&r)?;
        return Ok(exit::OK);
    }
    let links = |v: &[crate::service::query::RoleLink]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.iter()
                .map(|l| l.key.clone())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    cx.out.fields(&[
        ("key", r.key.clone()),
        ("name", r.name.clone()),
        ("description", r.description.clone()),
        ("kind", r.kind.to_string()),
        ("app", or_dash(r.app.as_ref())),
        (
            "built-in",
            if r.builtin {
                "yes (read-only; copy it to make an editable role)".into()
            } else {
                "no".into()
            },
        ),
        ("version", r.version.to_string()),
        ("includes", links(&r.includes)),
        ("included by", links(&r.included_by)),
        (
            "groups",
            if r.groups.is_empty() {
                "-".into()
            } else {
                r.groups
                    .iter()
                    .map(|g| format!("{} ({})", g.name, g.stage))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ),
        ("grants", r.grants.len().to_string()),
    ])?;
    for g in &r.grants {
        cx.out.line(&format!(
            "  {}  at {}",
            g.permission,
            scope_text(&g.stage, &g.app)
        ))?;
    }
    cx.out.line(&format!("users    {}", r.assignments.len()))?;
    for a in r.assignments.iter().take(HOLDERS_SHOWN) {
        cx.out.line(&format!(
            "  {}  at {}",
            a.user,
            scope_text(&a.stage, &a.app)
        ))?;
    }
    if r.assignments.len() > HOLDERS_SHOWN {
        cx.out.line(&format!(
            "  ... and {} more (--json lists them all)",
            r.assignments.len() - HOLDERS_SHOWN
        ))?;
    }
    Ok(exit::OK)
}
