//! `warden user ...`: add, list, show, edit, activate, deactivate, delete.

use clap::{Args, Subcommand};

use super::output::{Table, or_dash};
use super::{Context, exit, vocabulary};
use crate::model::{Timestamp, UserKind, UserStatus};
use crate::service::query::{UserFilter, UserView};
use crate::service::{Command, NewUser, UserEdit};

#[derive(Subcommand, Debug)]
pub enum UserVerb {
    /// Invite a user (status invited; --active to create them active)
    Add(AddArgs),
    /// List the tenant's users
    List(ListArgs),
    /// Show a user with their groups and roles
    Show {
        /// Username (or email)
        name: String,
    },
    /// Change a user's username, email, display name, kind or external id
    Edit(EditArgs),
    /// Activate users (invited or deactivated → active)
    Activate {
        #[arg(required = true, value_name = "USER")]
        names: Vec<String>,
    },
    /// Deactivate users: they keep their roles but have no access
    Deactivate {
        #[arg(required = true, value_name = "USER")]
        names: Vec<String>,
    },
    /// Delete users with every membership and assignment they have
    Delete {
        #[arg(required = true, value_name = "USER")]
        names: Vec<String>,
    },
    /// Set a user's password (prompted twice without echo, or one line of standard input)
    SetPassword(super::credentials::SetPasswordArgs),
    /// Clear lockouts after failed sign-in attempts
    Unlock(super::credentials::UnlockArgs),
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// Username: letters, digits and . _ - @ + (case-insensitive, unique per tenant)
    pub name: String,
    /// Email address (unique per tenant)
    #[arg(long)]
    pub email: Option<String>,
    /// member (IT user), end_user (user of apps) or api_client (a program)
    #[arg(long, value_parser = vocabulary::<UserKind>, default_value = "end_user")]
    pub kind: UserKind,
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub display_name: String,
    /// Link to a master record kept elsewhere (unique per tenant)
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// Create the user active instead of invited
    #[arg(long)]
    pub active: bool,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    #[arg(long, value_parser = vocabulary::<UserKind>)]
    pub kind: Option<UserKind>,
    #[arg(long, value_parser = vocabulary::<UserStatus>)]
    pub status: Option<UserStatus>,
    /// Only users locked out now
    #[arg(long)]
    pub locked: bool,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    /// The user to edit (username or email)
    pub name: String,
    /// A new username
    #[arg(long, value_name = "NAME")]
    pub username: Option<String>,
    #[arg(long, conflicts_with = "no_email")]
    pub email: Option<String>,
    /// Remove the email address
    #[arg(long)]
    pub no_email: bool,
    #[arg(long, value_name = "TEXT")]
    pub display_name: Option<String>,
    #[arg(long, value_parser = vocabulary::<UserKind>)]
    pub kind: Option<UserKind>,
    #[arg(long, value_name = "ID", conflicts_with = "no_external_id")]
    pub external_id: Option<String>,
    /// Remove the external id
    #[arg(long)]
    pub no_external_id: bool,
    /// Refuse the edit if the user changed since this version (see `user show`)
    #[arg(long, value_name = "N")]
    pub expect_version: Option<i64>,
}

pub fn run(cx: &mut Context, verb: UserVerb) -> anyhow::Result<i32> {
    match verb {
        UserVerb::Add(a) => cx.write(vec![Command::AddUser(NewUser {
            username: a.name,
            email: a.email,
            display_name: a.display_name,
            kind: a.kind,
            external_id: a.external_id,
            status: if a.active {
                UserStatus::Active
            } else {
                UserStatus::Invited
            },
        })]),
        UserVerb::List(a) => list(cx, a),
        UserVerb::Show { name } => show(cx, &name),
        UserVerb::Edit(a) => cx.write(vec![Command::EditUser {
            user: a.name,
            edit: UserEdit {
                username: a.username,
                email: if a.no_email {
                    Some(None)
                } else {
                    a.email.map(Some)
                },
                display_name: a.display_name,
                kind: a.kind,
                external_id: if a.no_external_id {
                    Some(None)
                } else {
                    a.external_id.map(Some)
                },
            },
            expected_version: a.expect_version,
        }]),
        UserVerb::Activate { names } => cx.write(vec![Command::SetUserStatus {
            users: names,
            status: UserStatus::Active,
        }]),
        UserVerb::Deactivate { names } => cx.write(vec![Command::SetUserStatus {
            users: names,
            status: UserStatus::Deactivated,
        }]),
        UserVerb::Delete { names } => cx.write(vec![Command::DeleteUsers { users: names }]),
        UserVerb::SetPassword(args) => super::credentials::set_password(cx, args),
        UserVerb::Unlock(args) => super::credentials::unlock(cx, args),
    }
}

fn lock_text(user: &UserView, now: Timestamp) -> String {
    match user.locked_until {
        Some(until) if user.locked => {
            let minutes = ((until.0 - now.0).max(0) + 59_999) / 60_000;
            format!("locked {minutes}m")
        }
        _ => String::new(),
    }
}

fn list(cx: &mut Context, args: ListArgs) -> anyhow::Result<i32> {
    let filter = UserFilter {
        kind: args.kind,
        status: args.status,
        locked: args.locked,
    };
    let now = crate::model::Clock::now(&cx.clock);
    let mut store = cx.open()?;
    let mut service = crate::service::Service::new(&mut store, &cx.clock, cx.global.tenant());
    let out = &mut cx.out;
    if out.json() {
        let mut list = out.start_list()?;
        service.each_user(&filter, &mut |user| {
            list.item(out, &user)
                .map_err(|e| crate::service::Error::Usage(format!("output: {e}")))
        })?;
        list.finish(out)?;
    } else {
        let mut table = Table::new(&[
            "USERNAME",
            "KIND",
            "STATUS",
            "LOCK",
            "EMAIL",
            "DISPLAY NAME",
        ]);
        service.each_user(&filter, &mut |u| {
            table.row(vec![
                u.username.clone(),
                u.kind.to_string(),
                u.status.to_string(),
                lock_text(&u, now),
                u.email.unwrap_or_default(),
                u.display_name,
            ]);
            Ok(())
        })?;
        out.table(&table)?;
    }
    Ok(exit::OK)
}

fn show(cx: &mut Context, name: &str) -> anyhow::Result<i32> {
    let now = crate::model::Clock::now(&cx.clock);
    let detail = cx.read(|s| s.user_detail(name))?;
    if cx.out.json() {
        cx.out.value(&detail)?;
        return Ok(exit::OK);
    }
    let u = &detail.user;
    let groups: Vec<String> = detail
        .groups
        .iter()
        .map(|g| format!("{} ({})", g.name, g.stage))
        .collect();
    let roles: Vec<String> = detail
        .roles
        .iter()
        .map(|r| {
            format!(
                "{} ({})",
                r.role,
                super::output::scope_text(&r.stage, &r.app)
            )
        })
        .collect();
    let lock = match lock_text(u, now) {
        text if text.is_empty() => format!("no ({} failed attempts)", u.failed_attempts),
        text => text,
    };
    cx.out.fields(&[
        ("username", u.username.clone()),
        ("tenant", u.tenant.clone()),
        ("email", or_dash(u.email.as_ref())),
        ("display name", u.display_name.clone()),
        ("kind", u.kind.to_string()),
        ("status", u.status.to_string()),
        ("external id", or_dash(u.external_id.as_ref())),
        ("locked", lock),
        (
            "password",
            match (u.has_password, u.must_change_password) {
                (false, _) => "not set".into(),
                (true, true) => "temporary (must change at next sign-in)".into(),
                (true, false) => "set".into(),
            },
        ),
        ("created", u.created_at.short()),
        ("updated", u.updated_at.short()),
        (
            "last sign-in",
            u.last_sign_in_at.map_or("never".into(), |t| t.short()),
        ),
        ("version", u.version.to_string()),
        (
            "groups",
            if groups.is_empty() {
                "-".into()
            } else {
                groups.join(", ")
            },
        ),
        (
            "roles",
            if roles.is_empty() {
                "-".into()
            } else {
                roles.join(", ")
            },
        ),
        (
            "sign-ins",
            if detail.sign_ins.is_empty() {
                "none".into()
            } else {
                format!("last {}:", detail.sign_ins.len())
            },
        ),
    ])?;
    for e in &detail.sign_ins {
        cx.out.line(&format!(
            "  {}  {:<14}  {}",
            e.at.rfc3339(),
            e.outcome,
            e.via
        ))?;
    }
    Ok(exit::OK)
}
