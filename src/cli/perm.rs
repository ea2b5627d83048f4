//! `warden perm ...`: the built-in catalog (read-only) and apps' own permissions.

use clap::Subcommand;

use super::output::{Table, or_dash, scope_text};
use super::{Context, exit};
use crate::service::Command;

#[derive(Subcommand, Debug)]
pub enum PermVerb {
    /// List permissions by section
    List {
        /// Only this app's permissions
        #[arg(long)]
        app: Option<String>,
        /// Only this section
        #[arg(long)]
        section: Option<String>,
    },
    /// Show a permission: implications both ways and the roles that grant it
    Show { permission: String },
    /// Define a permission of an app (its key starts with the app key: shop.orders.ship)
    Add {
        key: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        app: String,
        /// Section it is listed under [default: the app's name]
        #[arg(long)]
        section: Option<String>,
        #[arg(long, value_name = "TEXT", default_value = "")]
        description: String,
    },
    /// Change an app permission's name, section or description
    Edit {
        permission: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        section: Option<String>,
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
    },
    /// Delete an app permission; it is revoked from every role first
    Delete { permission: String },
    /// Make a permission imply others (of the same app)
    Imply {
        permission: String,
        #[arg(required = true, value_name = "OTHER")]
        others: Vec<String>,
    },
    /// Stop a permission implying others
    Unimply {
        permission: String,
        #[arg(required = true, value_name = "OTHER")]
        others: Vec<String>,
    },
}

pub fn run(cx: &mut Context, verb: PermVerb) -> anyhow::Result<i32> {
    match verb {
        PermVerb::List { app, section } => list(cx, app, section),
        PermVerb::Show { permission } => show(cx, &permission),
        PermVerb::Add {
            key,
            name,
            app,
            section,
            description,
        } => cx.write(vec![Command::AddPermission {
            key,
            name,
            app,
            section,
            description,
        }]),
        PermVerb::Edit {
            permission,
            name,
            section,
            description,
        } => cx.write(vec![Command::EditPermission {
            permission,
            name,
            section,
            description,
        }]),
        PermVerb::Delete { permission } => cx.write(vec![Command::DeletePermission { permission }]),
        PermVerb::Imply { permission, others } => {
            cx.write(vec![Command::Imply { permission, others }])
        }
        PermVerb::Unimply { permission, others } => {
            cx.write(vec![Command::Unimply { permission, others }])
        }
    }
}

fn list(cx: &mut Context, app: Option<String>, section: Option<String>) -> anyhow::Result<i32> {
    let mut permissions = cx.read(|s| s.permissions())?;
    permissions.retain(|p| {
        app.as_ref().is_none_or(|a| p.app.as_ref() == Some(a))
            && section
                .as_ref()
                .is_none_or(|s| p.section.eq_ignore_ascii_case(s))
    });
    if cx.out.json() {
        cx.out.list(&permissions)?;
        return Ok(exit::OK);
    }
    let mut table = Table::new(&["KEY", "NAME", "SECTION", "APP", "IMPLIES"]);
    for p in permissions {
        table.row(vec![
            p.key,
            p.name,
            p.section,
            or_dash(p.app),
            p.implies.join(", "),
        ]);
    }
    cx.out.table(&table)?;
    Ok(exit::OK)
}

fn show(cx: &mut Context, key: &str) -> anyhow::Result<i32> {
    let d = cx.read(|s| s.permission_detail(key))?;
    if cx.out.json() {
        cx.out.value(&d)?;
        return Ok(exit::OK);
    }
    let p = &d.permission;
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(", ")
        }
    };
    cx.out.fields(&[
        ("key", p.key.clone()),
        ("name", p.name.clone()),
        ("section", p.section.clone()),
        ("description", p.description.clone()),
        ("app", or_dash(p.app.as_ref())),
        (
            "catalog",
            if p.builtin {
                "built-in (read-only)".into()
            } else {
                "app permission".into()
            },
        ),
        ("implies", list(&p.implies)),
        ("implied by", list(&p.implied_by)),
        ("granted by", d.granted_by.len().to_string()),
    ])?;
    for g in &d.granted_by {
        cx.out.line(&format!(
            "  {}  at {}",
            g.role,
            scope_text(&g.stage, &g.app)
        ))?;
    }
    Ok(exit::OK)
}
