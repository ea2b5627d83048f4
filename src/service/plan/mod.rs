//! Planning: checking one [`Command`] against every rule, in the write transaction, and turning
//! it into the [`Change`]s that carry it out. One file per noun. Items that need no change
//! (already a member, already active) become [`Note`]s instead of errors, so bulk commands
//! report them per item.

mod apps;
mod credentials;
mod groups;
mod permissions;
mod roles;
mod undo;
mod users;

use super::command::Command;
use super::error::Error;
use super::operator::Operator;
use crate::model::{Change, Tenant};
use crate::store::Tx;

/// What the planner needs: the open transaction, the tenant, the operator and the time.
pub struct Ctx<'a, 'c> {
    pub tx: &'a mut Tx<'c>,
    pub tenant: &'a Tenant,
    pub operator: &'a Operator,
    pub now: crate::model::Timestamp,
    pub free_text: FreeText,
}

/// Where the free text of a command (display names, descriptions) comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FreeText {
    /// Typed or read from a file a person wrote: unsafe characters are refused, spaces trimmed.
    Typed,
    /// Read from another warden store (an export, a sync), where it may have been written by
    /// another application: kept exactly as it was (it is escaped wherever it is shown), only
    /// its length checked, so moving data between environments changes nothing.
    AsStored,
}

impl Ctx<'_, '_> {
    /// A display name or description, by where it comes from.
    pub fn free_text(
        &self,
        field: &'static str,
        value: &str,
        max: usize,
    ) -> Result<String, crate::model::validate::InvalidField> {
        match self.free_text {
            FreeText::Typed => crate::model::validate::text(field, value, max),
            FreeText::AsStored => crate::model::validate::stored_text(field, value, max),
        }
    }
}

/// An item of a command that was skipped, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    pub subject: String,
    pub reason: String,
}

impl Note {
    pub fn new(subject: impl Into<String>, reason: impl Into<String>) -> Self {
        Note {
            subject: subject.into(),
            reason: reason.into(),
        }
    }
}

/// The changes that carry out one command, what was skipped, and a one-line summary.
#[derive(Debug, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub notes: Vec<Note>,
    pub summary: String,
    /// The items (users, roles, ...) a bulk command changed, for its summary.
    done: Vec<String>,
}

impl Plan {
    fn new(summary: impl Into<String>) -> Self {
        Plan {
            summary: summary.into(),
            ..Plan::default()
        }
    }

    fn with(mut self, change: Change) -> Self {
        self.changes.push(change);
        self
    }

    /// Records the change made for one item of a bulk command.
    fn change(&mut self, subject: impl Into<String>, change: Change) {
        self.done.push(subject.into());
        self.changes.push(change);
    }

    /// Records an item that needs no change, and why.
    fn skip(&mut self, subject: impl Into<String>, reason: impl Into<String>) {
        self.notes.push(Note::new(subject, reason));
    }

    /// Sets the summary from the list of changed items (`alice, bob and 3 more`).
    fn summarize(mut self, summary: impl FnOnce(&str) -> String) -> Self {
        self.summary = summary(&list_names(&self.done));
        self
    }
}

/// Plans one command against the current state of the transaction.
pub fn plan(cx: &mut Ctx<'_, '_>, command: &Command) -> Result<Plan, Error> {
    match command {
        Command::AddUser(new) => users::add(cx, new),
        Command::EditUser {
            user,
            edit,
            expected_version,
        } => users::edit(cx, user, edit, *expected_version),
        Command::SetUserStatus { users, status } => users::set_status(cx, users, *status),
        Command::DeleteUsers { users } => users::delete(cx, users),

        Command::AddGroup {
            name,
            stage,
            description,
        } => groups::add(cx, name, stage, description),
        Command::EditGroup {
            group,
            name,
            description,
            expected_version,
        } => groups::edit(
            cx,
            group,
            name.as_deref(),
            description.as_deref(),
            *expected_version,
        ),
        Command::DeleteGroup { group } => groups::delete(cx, group),
        Command::AddMembers { group, users } => groups::add_members(cx, group, users),
        Command::RemoveMembers { group, users } => groups::remove_members(cx, group, users),
        Command::AddGroupRoles { group, roles } => groups::add_roles(cx, group, roles),
        Command::RemoveGroupRoles { group, roles } => groups::remove_roles(cx, group, roles),

        Command::AddRole(new) => roles::add(cx, new),
        Command::CopyRole { role, key, name } => {
            roles::copy(cx, role, key.as_deref(), name.as_deref())
        }
        Command::EditRole {
            role,
            name,
            description,
            expected_version,
        } => roles::edit(
            cx,
            role,
            name.as_deref(),
            description.as_deref(),
            *expected_version,
        ),
        Command::DeleteRole { role } => roles::delete(cx, role),
        Command::Grant {
            role,
            permissions,
            scope,
        } => roles::grant(cx, role, permissions, scope),
        Command::Revoke {
            role,
            permissions,
            scope,
        } => roles::revoke(cx, role, permissions, scope),
        Command::Include { role, others } => roles::include(cx, role, others),
        Command::Exclude { role, others } => roles::exclude(cx, role, others),
        Command::Assign { role, users, scope } => roles::assign(cx, role, users, scope),
        Command::Unassign { role, users, scope } => roles::unassign(cx, role, users, scope),

        Command::AddPermission {
            key,
            name,
            app,
            section,
            description,
        } => permissions::add(cx, key, name, app, section.as_deref(), description),
        Command::EditPermission {
            permission,
            name,
            section,
            description,
        } => permissions::edit(
            cx,
            permission,
            name.as_deref(),
            section.as_deref(),
            description.as_deref(),
        ),
        Command::DeletePermission { permission } => permissions::delete(cx, permission),
        Command::Imply { permission, others } => permissions::imply(cx, permission, others),
        Command::Unimply { permission, others } => permissions::unimply(cx, permission, others),

        Command::AddApp {
            key,
            name,
            description,
        } => apps::add_app(cx, key, name, description),
        Command::EditApp {
            app,
            name,
            description,
        } => apps::edit_app(cx, app, name.as_deref(), description.as_deref()),
        Command::DeleteApp { app } => apps::delete_app(cx, app),
        Command::AddStage { name, after } => apps::add_stage(cx, name, after.as_deref()),
        Command::DeleteStage { name } => apps::delete_stage(cx, name),
        Command::AddTenant { name } => apps::add_tenant(cx, name),
        Command::SetPassword {
            user,
            hash,
            temporary,
            expected_version,
        } => credentials::set_password(cx, user, hash, *temporary, *expected_version),
        Command::Unlock { users } => credentials::unlock(cx, users),
        Command::SetSetting { key, value } => credentials::set_setting(cx, key, value),
        Command::CreateToken {
            client,
            name,
            token,
            secret_digest,
        } => credentials::create_token(cx, client, name, token, secret_digest),
        Command::RevokeToken { token } => credentials::revoke_token(cx, token),
        Command::Undo { of, changes } => undo::undo(cx, *of, changes),
    }
}

/// Refuses an edit made against an older version of the row, saying who changed it and when
/// (from the newest audit record naming it), so the operator knows what to look at again.
fn check_version(
    cx: &mut Ctx<'_, '_>,
    what: &str,
    name: &str,
    expected: Option<i64>,
    actual: i64,
) -> Result<(), Error> {
    let Some(v) = expected.filter(|v| *v != actual) else {
        return Ok(());
    };
    let by = match cx.tx.latest_audit_naming(what, name)? {
        Some(record) => format!(
            " by {} at {} ({})",
            record.operator,
            record.at.short(),
            record.summary
        ),
        None => String::new(),
    };
    Err(Error::Conflict(format!(
        "{what} {name} was changed{by} while you were editing (your version {v}, now {actual}); reload it and apply your edit again"
    )))
}

/// `alice, bob, carol and 7 more`.
pub(crate) fn list_names<S: AsRef<str>>(names: &[S]) -> String {
    const SHOWN: usize = 5;
    let shown: Vec<&str> = names.iter().take(SHOWN).map(AsRef::as_ref).collect();
    if names.len() > SHOWN {
        format!("{} and {} more", shown.join(", "), names.len() - SHOWN)
    } else {
        shown.join(", ")
    }
}
