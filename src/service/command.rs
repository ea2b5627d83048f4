//! Commands: what a front end asks the service to do, as data, naming things the way people do
//! (usernames, role keys or names, group name and stage). The CLI builds one per verb; the
//! console stages several and commits them together. The planner (`plan/`) turns each into
//! [`Change`](crate::model::Change)s after checking every rule.

use crate::model::{RoleKind, UserKind, UserStatus};

/// A group named by name, with its stage when the name alone is ambiguous.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct GroupRef {
    pub name: String,
    pub stage: Option<String>,
}

/// A scope named by stage and app (both optional: absent means "any").
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ScopeRef {
    pub stage: Option<String>,
    pub app: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub email: Option<String>,
    pub display_name: String,
    pub kind: UserKind,
    pub external_id: Option<String>,
    /// `Invited` unless the user is created active.
    pub status: UserStatus,
}

/// Fields to change; `None` leaves a field as it is. `Some(None)` clears an optional field.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct UserEdit {
    pub username: Option<String>,
    pub email: Option<Option<String>>,
    pub display_name: Option<String>,
    pub kind: Option<UserKind>,
    pub external_id: Option<Option<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRole {
    pub key: String,
    pub name: String,
    pub description: String,
    pub kind: RoleKind,
    pub app: Option<String>,
    pub grants: Vec<String>,
    /// The scope every `grants` entry is granted at.
    pub grant_scope: ScopeRef,
    pub includes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    AddUser(NewUser),
    EditUser {
        user: String,
        edit: UserEdit,
        expected_version: Option<i64>,
    },
    SetUserStatus {
        users: Vec<String>,
        status: UserStatus,
    },
    DeleteUsers {
        users: Vec<String>,
    },

    AddGroup {
        name: String,
        stage: String,
        description: String,
    },
    /// `group.stage` selects the group; naming a stage the group is not in (when the name is
    /// unique) is read as a request to move it, which the group-stage-fixed rule refuses.
    EditGroup {
        group: GroupRef,
        name: Option<String>,
        description: Option<String>,
        expected_version: Option<i64>,
    },
    DeleteGroup {
        group: GroupRef,
    },
    AddMembers {
        group: GroupRef,
        users: Vec<String>,
    },
    RemoveMembers {
        group: GroupRef,
        users: Vec<String>,
    },
    AddGroupRoles {
        group: GroupRef,
        roles: Vec<String>,
    },
    RemoveGroupRoles {
        group: GroupRef,
        roles: Vec<String>,
    },

    AddRole(NewRole),
    CopyRole {
        role: String,
        key: Option<String>,
        name: Option<String>,
    },
    EditRole {
        role: String,
        name: Option<String>,
        description: Option<String>,
        expected_version: Option<i64>,
    },
    DeleteRole {
        role: String,
    },
    Grant {
        role: String,
        permissions: Vec<String>,
        scope: ScopeRef,
    },
    Revoke {
        role: String,
        permissions: Vec<String>,
        scope: ScopeRef,
    },
    Include {
        role: String,
        others: Vec<String>,
    },
    Exclude {
        role: String,
        others: Vec<String>,
    },

    AddPermission {
        key: String,
        name: String,
        app: String,
        section: Option<String>,
        description: String,
    },
    EditPermission {
        permission: String,
        name: Option<String>,
        section: Option<String>,
        description: Option<String>,
    },
    DeletePermission {
        permission: String,
    },
    Imply {
        permission: String,
        others: Vec<String>,
    },
    Unimply {
        permission: String,
        others: Vec<String>,
    },

    AddApp {
        key: String,
        name: String,
        description: String,
    },
    EditApp {
        app: String,
        name: Option<String>,
        description: Option<String>,
    },
    DeleteApp {
        app: String,
    },
    AddStage {
        name: String,
        after: Option<String>,
    },
    DeleteStage {
        name: String,
    },
    AddTenant {
        name: String,
    },

    /// A new password, already checked against the policy and hashed (a command never holds
    /// a password). Refused if the user changed since `expected_version`.
    SetPassword {
        user: String,
        hash: String,
        temporary: bool,
        expected_version: Option<i64>,
    },
    /// Clears lockouts: of the users named, or of every locked user when none are.
    Unlock {
        users: Vec<String>,
    },
    SetSetting {
        key: String,
        value: String,
    },
    /// A token for an API client; the secret was generated by the caller, only its digest
    /// is stored.
    CreateToken {
        client: String,
        name: String,
        token: String,
        secret_digest: String,
    },
    RevokeToken {
        token: String,
    },

    Assign {
        role: String,
        users: Vec<String>,
        scope: ScopeRef,
    },
    Unassign {
        role: String,
        users: Vec<String>,
        scope: ScopeRef,
    },

    /// Takes back the changes of audit record `of`, which must still be the newest (the
    /// front end kept them from the commit's outcome).
    Undo {
        of: crate::model::AuditId,
        changes: Vec<crate::model::Change>,
    },
}

impl Command {
    /// The verb recorded as the audit action, e.g. `user.add`, `assign`.
    pub fn action(&self) -> &'static str {
        match self {
            Command::AddUser(_) => "user.add",
            Command::EditUser { .. } => "user.edit",
            Command::SetUserStatus {
                status: UserStatus::Active,
                ..
            } => "user.activate",
            Command::SetUserStatus { .. } => "user.deactivate",
            Command::DeleteUsers { .. } => "user.delete",
            Command::AddGroup { .. } => "group.add",
            Command::EditGroup { .. } => "group.edit",
            Command::DeleteGroup { .. } => "group.delete",
            Command::AddMembers { .. } => "group.add-member",
            Command::RemoveMembers { .. } => "group.remove-member",
            Command::AddGroupRoles { .. } => "group.add-role",
            Command::RemoveGroupRoles { .. } => "group.remove-role",
            Command::AddRole(_) => "role.add",
            Command::CopyRole { .. } => "role.copy",
            Command::EditRole { .. } => "role.edit",
            Command::DeleteRole { .. } => "role.delete",
            Command::Grant { .. } => "role.grant",
            Command::Revoke { .. } => "role.revoke",
            Command::Include { .. } => "role.include",
            Command::Exclude { .. } => "role.exclude",
            Command::AddPermission { .. } => "perm.add",
            Command::EditPermission { .. } => "perm.edit",
            Command::DeletePermission { .. } => "perm.delete",
            Command::Imply { .. } => "perm.imply",
            Command::Unimply { .. } => "perm.unimply",
            Command::AddApp { .. } => "app.add",
            Command::EditApp { .. } => "app.edit",
            Command::DeleteApp { .. } => "app.delete",
            Command::AddStage { .. } => "stage.add",
            Command::DeleteStage { .. } => "stage.delete",
            Command::AddTenant { .. } => "tenant.add",
            Command::SetPassword { .. } => "user.set-password",
            Command::Unlock { .. } => "user.unlock",
            Command::SetSetting { .. } => "policy.set",
            Command::CreateToken { .. } => "token.create",
            Command::RevokeToken { .. } => "token.revoke",
            Command::Assign { .. } => "assign",
            Command::Unassign { .. } => "unassign",
            Command::Undo { .. } => "undo",
        }
    }
}
