//! The inverse of a change: what undoes it. Deletes are preceded by explicit removals (of
//! memberships, assignments, grants, inclusions), so undoing a whole change list in reverse
//! order restores everything. Used to roll a preview back out of the engine, and for undo.

use super::change::{Change, Named};

impl Change {
    /// The change that undoes this one; `None` for changes with no inverse (adding a tenant,
    /// mapping a peer operator), which only `init` makes.
    pub fn inverse(&self) -> Option<Change> {
        Some(match self.clone() {
            // A password or a lock cannot be given back; a new token is not the old one.
            Change::AddTenant { .. }
            | Change::MapPeer { .. }
            | Change::SetPassword { .. }
            | Change::Unlock { .. }
            | Change::RevokeToken { .. } => return None,
            Change::SetSetting { key, before, after } => Change::SetSetting {
                key,
                before: after,
                after: before,
            },
            Change::CreateToken { token, user, .. } => Change::RevokeToken { token, user },
            Change::AddStage { id, name, position } => Change::DeleteStage {
                stage: Named::new(id, name),
                position,
            },
            Change::DeleteStage { stage, position } => Change::AddStage {
                id: stage.id,
                name: stage.name,
                position,
            },
            Change::AddApp { id, key, fields } => Change::DeleteApp {
                app: Named::new(id, key),
                before: fields,
            },
            Change::DeleteApp { app, before } => Change::AddApp {
                id: app.id,
                key: app.name,
                fields: before,
            },
            Change::EditApp { app, before, after } => Change::EditApp {
                app,
                before: after,
                after: before,
            },
            Change::AddUser {
                id,
                tenant,
                fields,
                status,
            } => Change::DeleteUser {
                user: Named::new(id, fields.username.clone()),
                tenant,
                before: fields,
                status,
            },
            Change::DeleteUser {
                user,
                tenant,
                before,
                status,
            } => Change::AddUser {
                id: user.id,
                tenant,
                fields: before,
                status,
            },
            Change::EditUser {
                user,
                before,
                after,
            } => Change::EditUser {
                user: Named::new(user.id, after.username.clone()),
                before: after,
                after: before,
            },
            Change::SetUserStatus {
                user,
                before,
                after,
            } => Change::SetUserStatus {
                user,
                before: after,
                after: before,
            },
            Change::AddGroup {
                id,
                tenant,
                stage,
                fields,
            } => Change::DeleteGroup {
                group: Named::new(id, format!("{} ({})", fields.name, stage.name)),
                tenant,
                stage,
                before: fields,
            },
            Change::DeleteGroup {
                group,
                tenant,
                stage,
                before,
            } => Change::AddGroup {
                id: group.id,
                tenant,
                stage,
                fields: before,
            },
            Change::EditGroup {
                group,
                before,
                after,
            } => Change::EditGroup {
                group,
                before: after,
                after: before,
            },
            Change::AddMember { group, user } => Change::RemoveMember { group, user },
            Change::RemoveMember { group, user } => Change::AddMember { group, user },
            Change::AddGroupRole { group, role } => Change::RemoveGroupRole { group, role },
            Change::RemoveGroupRole { group, role } => Change::AddGroupRole { group, role },
            Change::AddRole {
                id,
                key,
                fields,
                kind,
                app,
                ..
            } => Change::DeleteRole {
                role: Named::new(id, key),
                kind,
                app,
                before: fields,
            },
            Change::DeleteRole {
                role,
                kind,
                app,
                before,
            } => Change::AddRole {
                id: role.id,
                key: role.name,
                fields: before,
                kind,
                app,
                builtin: false,
                grants: Vec::new(),
                includes: Vec::new(),
            },
            Change::EditRole {
                role,
                before,
                after,
            } => Change::EditRole {
                role,
                before: after,
                after: before,
            },
            Change::Grant {
                role,
                permission,
                scope,
            } => Change::Revoke {
                role,
                permission,
                scope,
            },
            Change::Revoke {
                role,
                permission,
                scope,
            } => Change::Grant {
                role,
                permission,
                scope,
            },
            Change::Include { role, included } => Change::Exclude { role, included },
            Change::Exclude { role, included } => Change::Include { role, included },
            Change::AddPermission {
                id,
                key,
                fields,
                app,
                ..
            } => Change::DeletePermission {
                permission: Named::new(id, key),
                app,
                before: fields,
            },
            Change::DeletePermission {
                permission,
                app,
                before,
            } => Change::AddPermission {
                id: permission.id,
                key: permission.name,
                fields: before,
                app,
                builtin: false,
            },
            Change::EditPermission {
                permission,
                before,
                after,
            } => Change::EditPermission {
                permission,
                before: after,
                after: before,
            },
            Change::Imply {
                permission,
                implied,
            } => Change::Unimply {
                permission,
                implied,
            },
            Change::Unimply {
                permission,
                implied,
            } => Change::Imply {
                permission,
                implied,
            },
            Change::Assign { user, role, scope } => Change::Unassign { user, role, scope },
            Change::Unassign { user, role, scope } => Change::Assign { user, role, scope },
        })
    }
}
