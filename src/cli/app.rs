//! `warden app ...`, `warden stage ...`, `warden tenant ...`: the frame everything else sits in.

use clap::Subcommand;

use super::output::Table;
use super::{Context, exit};
use crate::service::Command;

#[derive(Subcommand, Debug)]
pub enum AppVerb {
    /// Register an application
    Add {
        /// Stable key: lowercase letters, digits, . _ -
        key: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_name = "TEXT", default_value = "")]
        description: String,
    },
    /// List applications
    List,
    /// Show an application with its permissions and end-user roles
    Show { app: String },
    /// Change an application's name or description
    Edit {
        app: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
    },
    /// Delete an application that nothing refers to any more
    Delete { app: String },
}

#[derive(Subcommand, Debug)]
pub enum StageVerb {
    /// List stages in order
    List,
    /// Add a stage (at the end, or after another)
    Add {
        name: String,
        #[arg(long, value_name = "STAGE")]
        after: Option<String>,
    },
    /// Delete a stage nothing refers to
    Delete { name: String },
}

#[derive(Subcommand, Debug)]
pub enum TenantVerb {
    /// List tenants with their user counts
    List,
    /// Add a tenant
    Add { name: String },
}

pub fn run_app(cx: &mut Context, verb: AppVerb) -> anyhow::Result<i32> {
    match verb {
        AppVerb::Add {
            key,
            name,
            description,
        } => cx.write(vec![Command::AddApp {
            key,
            name,
            description,
        }]),
        AppVerb::List => {
            let apps = cx.read(|s| s.apps())?;
            if cx.out.json() {
                cx.out.list(&apps)?;
            } else {
                let mut table = Table::new(&["KEY", "NAME", "DESCRIPTION"]);
                for a in apps {
                    table.row(vec![a.key, a.name, a.description]);
                }
                cx.out.table(&table)?;
            }
            Ok(exit::OK)
        }
        AppVerb::Show { app } => {
            let d = cx.read(|s| s.app_detail(&app))?;
            if cx.out.json() {
                cx.out.value(&d)?;
            } else {
                let roles: Vec<String> = d.roles.iter().map(|r| r.key.clone()).collect();
                cx.out.fields(&[
                    ("key", d.app.key.clone()),
                    ("name", d.app.name.clone()),
                    ("description", d.app.description.clone()),
                    ("permissions", join_or_dash(&d.permissions)),
                    ("roles", join_or_dash(&roles)),
                ])?;
            }
            Ok(exit::OK)
        }
        AppVerb::Edit {
            app,
            name,
            description,
        } => cx.write(vec![Command::EditApp {
            app,
            name,
            description,
        }]),
        AppVerb::Delete { app } => cx.write(vec![Command::DeleteApp { app }]),
    }
}

pub fn run_stage(cx: &mut Context, verb: StageVerb) -> anyhow::Result<i32> {
    match verb {
        StageVerb::List => {
            let stages = cx.read(|s| s.stages())?;
            if cx.out.json() {
                cx.out.list(&stages)?;
            } else {
                let mut table = Table::new(&["POSITION", "STAGE"]);
                for s in stages {
                    table.row(vec![s.position.to_string(), s.name]);
                }
                cx.out.table(&table)?;
            }
            Ok(exit::OK)
        }
        StageVerb::Add { name, after } => cx.write(vec![Command::AddStage { name, after }]),
        StageVerb::Delete { name } => cx.write(vec![Command::DeleteStage { name }]),
    }
}

pub fn run_tenant(cx: &mut Context, verb: TenantVerb) -> anyhow::Result<i32> {
    match verb {
        TenantVerb::List => {
            let tenants = cx.read(|s| s.tenants())?;
            if cx.out.json() {
                cx.out.list(&tenants)?;
            } else {
                let mut table = Table::new(&["TENANT", "USERS"]);
                for t in tenants {
                    table.row(vec![t.name, t.users.to_string()]);
                }
                cx.out.table(&table)?;
            }
            Ok(exit::OK)
        }
        TenantVerb::Add { name } => cx.write(vec![Command::AddTenant { name }]),
    }
}

fn join_or_dash(items: &[String]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join(", ")
    }
}
