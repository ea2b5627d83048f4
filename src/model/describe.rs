//! How a change reads to people: one line per change, by names, for CLI reports, dry runs and
//! (later) the console's review of staged edits.

use super::change::{Change, UserFields};

impl Change {
    /// One line for people: `assign deployer to alice at stage QA`.
    pub fn describe(&self) -> String {
        match self {
            Change::AddTenant { name, .. } => format!("add tenant {name}"),
            Change::AddStage { name, position, .. } => {
                format!("add stage {name} at position {position}")
            }
            Change::DeleteStage { stage, .. } => format!("delete stage {}", stage.name),
            Change::AddApp { key, fields, .. } => format!("add app {key} ({})", fields.name),
            Change::EditApp { app, .. } => format!("edit app {}", app.name),
            Change::DeleteApp { app, .. } => format!("delete app {}", app.name),
            Change::AddUser { fields, status, .. } => {
                format!("add {} {} ({status})", fields.kind, fields.username)
            }
            Change::EditUser {
                user,
                before,
                after,
            } => {
                format!(
                    "edit user {}: {}",
                    user.name,
                    field_changes_user(before, after)
                )
            }
            Change::SetUserStatus {
                user,
                before,
                after,
            } => {
                format!("user {}: {before} → {after}", user.name)
            }
            Change::DeleteUser { user, .. } => format!("delete user {}", user.name),
            Change::AddGroup { fields, stage, .. } => {
                format!("add group {} in stage {}", fields.name, stage.name)
            }
            Change::EditGroup { group, .. } => format!("edit group {}", group.name),
            Change::DeleteGroup { group, .. } => format!("delete group {}", group.name),
            Change::AddMember { group, user } => {
                format!("add {} to group {}", user.name, group.name)
            }
            Change::RemoveMember { group, user } => {
                format!("remove {} from group {}", user.name, group.name)
            }
            Change::AddGroupRole { group, role } => {
                format!("group {} gets role {}", group.name, role.name)
            }
            Change::RemoveGroupRole { group, role } => {
                format!("group {} loses role {}", group.name, role.name)
            }
            Change::AddRole {
                key,
                fields,
                grants,
                includes,
                ..
            } => format!(
                "add role {key} ({}) with {} grant(s) and {} included role(s)",
                fields.name,
                grants.len(),
                includes.len()
            ),
            Change::EditRole { role, .. } => format!("edit role {}", role.name),
            Change::DeleteRole { role, .. } => format!("delete role {}", role.name),
            Change::Grant {
                role,
                permission,
                scope,
            } => format!(
                "role {} grants {} at {}",
                role.name,
                permission.name,
                scope.describe()
            ),
            Change::Revoke {
                role,
                permission,
                scope,
            } => format!(
                "role {} no longer grants {} at {}",
                role.name,
                permission.name,
                scope.describe()
            ),
            Change::Include { role, included } => {
                format!("role {} includes {}", role.name, included.name)
            }
            Change::Exclude { role, included } => {
                format!("role {} no longer includes {}", role.name, included.name)
            }
            Change::AddPermission { key, app, .. } => match app {
                Some(app) => format!("add permission {key} to app {}", app.name),
                None => format!("add catalog permission {key}"),
            },
            Change::EditPermission { permission, .. } => {
                format!("edit permission {}", permission.name)
            }
            Change::DeletePermission { permission, .. } => {
                format!("delete permission {}", permission.name)
            }
            Change::Imply {
                permission,
                implied,
            } => {
                format!("{} implies {}", permission.name, implied.name)
            }
            Change::Unimply {
                permission,
                implied,
            } => {
                format!("{} no longer implies {}", permission.name, implied.name)
            }
            Change::Assign { user, role, scope } => {
                format!(
                    "assign {} to {} at {}",
                    role.name,
                    user.name,
                    scope.describe()
                )
            }
            Change::Unassign { user, role, scope } => {
                format!(
                    "take {} from {} at {}",
                    role.name,
                    user.name,
                    scope.describe()
                )
            }
            Change::MapPeer { os_account, user } => {
                format!("OS account {os_account} signs in as {} (peer)", user.name)
            }
            Change::SetPassword {
                user, temporary, ..
            } => {
                if *temporary {
                    format!(
                        "set a temporary password for {} (to change at next sign-in)",
                        user.name
                    )
                } else {
                    format!("set a new password for {}", user.name)
                }
            }
            Change::Unlock { user, .. } => format!("unlock {}", user.name),
            Change::SetSetting { key, before, after } => format!("{key}: {before} → {after}"),
            Change::CreateToken { token, user, .. } => {
                format!("create token {token} for {}", user.name)
            }
            Change::RevokeToken { token, user } => {
                format!("revoke token {token} of {}", user.name)
            }
        }
    }
}

fn field_changes_user(before: &UserFields, after: &UserFields) -> String {
    let mut parts = Vec::new();
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    if before.username != after.username {
        parts.push(format!("username {} → {}", before.username, after.username));
    }
    if before.email != after.email {
        parts.push(format!(
            "email {} → {}",
            opt(&before.email),
            opt(&after.email)
        ));
    }
    if before.display_name != after.display_name {
        parts.push(format!(
            "display name {:?} → {:?}",
            before.display_name, after.display_name
        ));
    }
    if before.kind != after.kind {
        parts.push(format!("kind {} → {}", before.kind, after.kind));
    }
    if before.external_id != after.external_id {
        parts.push(format!(
            "external id {} → {}",
            opt(&before.external_id),
            opt(&after.external_id)
        ));
    }
    parts.join(", ")
}
