//! Applying one [`Change`] to the database, inside the caller's transaction. This file knows
//! SQL and nothing of rules: the service has already checked them. A change that finds its row
//! gone reports a conflict instead of silently doing nothing.

use super::Tx;
use super::error::StoreError;
use super::read::{SAME_APP, SAME_STAGE};
use super::sql::Param;
use crate::model::validate::fold;
use crate::model::*;

/// Replaced password hashes kept per user (the policy's history setting reads up to this many).
const HISTORY_KEPT: i64 = 24;

fn scope_params(scope: Scope) -> [Param<'static>; 2] {
    [
        scope.stage.map(|s| s.0).into(),
        scope.app.map(|a| a.0).into(),
    ]
}

/// The id to insert: `None` lets the store choose one (a new item, planned with id 0); an undo
/// that re-creates a deleted item gives its old id back, so the changes that follow it in the
/// undo (memberships, grants) still refer to it.
fn recreated(id: i64) -> Option<i64> {
    (id != 0).then_some(id)
}

impl Tx<'_> {
    /// Applies `change`, filling in the id of anything it creates.
    pub fn apply(&mut self, change: &mut Change, at: Timestamp) -> Result<(), StoreError> {
        let now = at.0;
        match change {
            Change::AddTenant { id, name } => {
                *id = TenantId(self.conn().insert_returning_id(
                    "tenants",
                    &["name"],
                    &[name.as_str().into()],
                    None,
                )?);
            }
            Change::AddStage { id, name, position } => {
                // Make room: stages keep a dense order.
                self.conn().execute(
                    "UPDATE stages SET position = position + 1 WHERE position >= ?",
                    &[(*position).into()],
                )?;
                let key = fold(name);
                *id = StageId(self.conn().insert_returning_id(
                    "stages",
                    &["name", "name_key", "position"],
                    &[
                        name.as_str().into(),
                        key.as_str().into(),
                        (*position).into(),
                    ],
                    recreated(id.0),
                )?);
            }
            Change::DeleteStage { stage, .. } => {
                self.exactly_one(
                    "DELETE FROM stages WHERE id = ?",
                    &[stage.id.0.into()],
                    "stage",
                    &stage.name,
                )?;
            }
            Change::AddApp { id, key, fields } => {
                *id = AppId(self.conn().insert_returning_id(
                    "apps",
                    &["key", "name", "description"],
                    &[
                        key.as_str().into(),
                        fields.name.as_str().into(),
                        fields.description.as_str().into(),
                    ],
                    recreated(id.0),
                )?);
            }
            Change::EditApp { app, after, .. } => {
                self.exactly_one(
                    "UPDATE apps SET name = ?, description = ? WHERE id = ?",
                    &[
                        after.name.as_str().into(),
                        after.description.as_str().into(),
                        app.id.0.into(),
                    ],
                    "app",
                    &app.name,
                )?;
            }
            Change::DeleteApp { app, .. } => {
                self.exactly_one(
                    "DELETE FROM apps WHERE id = ?",
                    &[app.id.0.into()],
                    "app",
                    &app.name,
                )?;
            }
            Change::AddUser {
                id,
                tenant,
                fields,
                status,
            } => {
                let username_key = fold(&fields.username);
                let email_key = fields.email.as_deref().map(fold);
                *id = UserId(self.conn().insert_returning_id(
                    "users",
                    &[
                        "tenant_id",
                        "username",
                        "username_key",
                        "email",
                        "email_key",
                        "display_name",
                        "kind",
                        "status",
                        "external_id",
                        "created_at",
                        "updated_at",
                    ],
                    &[
                        tenant.id.0.into(),
                        fields.username.as_str().into(),
                        username_key.as_str().into(),
                        fields.email.as_deref().into(),
                        email_key.as_deref().into(),
                        fields.display_name.as_str().into(),
                        fields.kind.as_str().into(),
                        status.as_str().into(),
                        fields.external_id.as_deref().into(),
                        now.into(),
                        now.into(),
                    ],
                    recreated(id.0),
                )?);
            }
            Change::EditUser { user, after, .. } => {
                let username_key = fold(&after.username);
                let email_key = after.email.as_deref().map(fold);
                self.exactly_one(
                    "UPDATE users SET username = ?, username_key = ?, email = ?, email_key = ?,
                         display_name = ?, kind = ?, external_id = ?, updated_at = ?,
                         version = version + 1
                     WHERE id = ?",
                    &[
                        after.username.as_str().into(),
                        username_key.as_str().into(),
                        after.email.as_deref().into(),
                        email_key.as_deref().into(),
                        after.display_name.as_str().into(),
                        after.kind.as_str().into(),
                        after.external_id.as_deref().into(),
                        now.into(),
                        user.id.0.into(),
                    ],
                    "user",
                    &user.name,
                )?;
            }
            Change::SetUserStatus { user, after, .. } => {
                self.exactly_one(
                    "UPDATE users SET status = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                    &[after.as_str().into(), now.into(), user.id.0.into()],
                    "user",
                    &user.name,
                )?;
            }
            Change::DeleteUser { user, .. } => {
                self.exactly_one(
                    "DELETE FROM users WHERE id = ?",
                    &[user.id.0.into()],
                    "user",
                    &user.name,
                )?;
            }
            Change::AddGroup {
                id,
                tenant,
                stage,
                fields,
            } => {
                let key = fold(&fields.name);
                *id = GroupId(self.conn().insert_returning_id(
                    "groups",
                    &[
                        "tenant_id",
                        "name",
                        "name_key",
                        "description",
                        "stage_id",
                        "created_at",
                        "updated_at",
                    ],
                    &[
                        tenant.id.0.into(),
                        fields.name.as_str().into(),
                        key.as_str().into(),
                        fields.description.as_str().into(),
                        stage.id.0.into(),
                        now.into(),
                        now.into(),
                    ],
                    recreated(id.0),
                )?);
            }
            Change::EditGroup { group, after, .. } => {
                let key = fold(&after.name);
                self.exactly_one(
                    "UPDATE groups SET name = ?, name_key = ?, description = ?, updated_at = ?,
                         version = version + 1
                     WHERE id = ?",
                    &[
                        after.name.as_str().into(),
                        key.as_str().into(),
                        after.description.as_str().into(),
                        now.into(),
                        group.id.0.into(),
                    ],
                    "group",
                    &group.name,
                )?;
            }
            Change::DeleteGroup { group, .. } => {
                self.exactly_one(
                    "DELETE FROM groups WHERE id = ?",
                    &[group.id.0.into()],
                    "group",
                    &group.name,
                )?;
            }
            Change::AddMember { group, user } => {
                self.conn().execute(
                    "INSERT INTO group_members (group_id, user_id) VALUES (?, ?)",
                    &[group.id.0.into(), user.id.0.into()],
                )?;
                self.touch_group(group.id, now)?;
            }
            Change::RemoveMember { group, user } => {
                self.exactly_one(
                    "DELETE FROM group_members WHERE group_id = ? AND user_id = ?",
                    &[group.id.0.into(), user.id.0.into()],
                    "membership",
                    &format!("{} in {}", user.name, group.name),
                )?;
                self.touch_group(group.id, now)?;
            }
            Change::AddGroupRole { group, role } => {
                self.conn().execute(
                    "INSERT INTO group_roles (group_id, role_id) VALUES (?, ?)",
                    &[group.id.0.into(), role.id.0.into()],
                )?;
                self.touch_group(group.id, now)?;
            }
            Change::RemoveGroupRole { group, role } => {
                self.exactly_one(
                    "DELETE FROM group_roles WHERE group_id = ? AND role_id = ?",
                    &[group.id.0.into(), role.id.0.into()],
                    "group role",
                    &format!("{} of {}", role.name, group.name),
                )?;
                self.touch_group(group.id, now)?;
            }
            Change::AddRole {
                id,
                key,
                fields,
                kind,
                app,
                builtin,
                grants,
                includes,
            } => {
                let name_key = fold(&fields.name);
                let role = RoleId(self.conn().insert_returning_id(
                    "roles",
                    &[
                        "key",
                        "name",
                        "name_key",
                        "description",
                        "kind",
                        "app_id",
                        "builtin",
                        "created_at",
                        "updated_at",
                    ],
                    &[
                        key.as_str().into(),
                        fields.name.as_str().into(),
                        name_key.as_str().into(),
                        fields.description.as_str().into(),
                        kind.as_str().into(),
                        app.as_ref().map(|a| a.id.0).into(),
                        (*builtin).into(),
                        now.into(),
                        now.into(),
                    ],
                    recreated(id.0),
                )?);
                *id = role;
                for grant in grants.iter() {
                    self.insert_grant(role, grant.permission.id, grant.scope.scope)?;
                }
                for included in includes.iter() {
                    self.insert_include(role, included.id)?;
                }
            }
            Change::EditRole { role, after, .. } => {
                let key = fold(&after.name);
                self.exactly_one(
                    "UPDATE roles SET name = ?, name_key = ?, description = ?, updated_at = ?,
                         version = version + 1
                     WHERE id = ?",
                    &[
                        after.name.as_str().into(),
                        key.as_str().into(),
                        after.description.as_str().into(),
                        now.into(),
                        role.id.0.into(),
                    ],
                    "role",
                    &role.name,
                )?;
            }
            Change::DeleteRole { role, .. } => {
                self.exactly_one(
                    "DELETE FROM roles WHERE id = ?",
                    &[role.id.0.into()],
                    "role",
                    &role.name,
                )?;
            }
            Change::Grant {
                role,
                permission,
                scope,
            } => {
                self.insert_grant(role.id, permission.id, scope.scope)?;
                self.touch_role(role.id, now)?;
            }
            Change::Revoke {
                role,
                permission,
                scope,
            } => {
                let [stage, app] = scope_params(scope.scope);
                let sql = format!(
                    "DELETE FROM role_grants WHERE role_id = ? AND permission_id = ? AND {SAME_STAGE} AND {SAME_APP}"
                );
                self.exactly_one(
                    &sql,
                    &[role.id.0.into(), permission.id.0.into(), stage, app],
                    "grant",
                    &format!("{} of {}", permission.name, role.name),
                )?;
                self.touch_role(role.id, now)?;
            }
            Change::Include { role, included } => {
                self.insert_include(role.id, included.id)?;
                self.touch_role(role.id, now)?;
            }
            Change::Exclude { role, included } => {
                self.exactly_one(
                    "DELETE FROM role_includes WHERE role_id = ? AND included_id = ?",
                    &[role.id.0.into(), included.id.0.into()],
                    "inclusion",
                    &format!("{} in {}", included.name, role.name),
                )?;
                self.touch_role(role.id, now)?;
            }
            Change::AddPermission {
                id,
                key,
                fields,
                app,
                builtin,
            } => {
                *id = PermissionId(self.conn().insert_returning_id(
                    "permissions",
                    &["key", "name", "section", "description", "app_id", "builtin"],
                    &[
                        key.as_str().into(),
                        fields.name.as_str().into(),
                        fields.section.as_str().into(),
                        fields.description.as_str().into(),
                        app.as_ref().map(|a| a.id.0).into(),
                        (*builtin).into(),
                    ],
                    recreated(id.0),
                )?);
            }
            Change::EditPermission {
                permission, after, ..
            } => {
                self.exactly_one(
                    "UPDATE permissions SET name = ?, section = ?, description = ? WHERE id = ?",
                    &[
                        after.name.as_str().into(),
                        after.section.as_str().into(),
                        after.description.as_str().into(),
                        permission.id.0.into(),
                    ],
                    "permission",
                    &permission.name,
                )?;
            }
            Change::DeletePermission { permission, .. } => {
                self.exactly_one(
                    "DELETE FROM permissions WHERE id = ?",
                    &[permission.id.0.into()],
                    "permission",
                    &permission.name,
                )?;
            }
            Change::Imply {
                permission,
                implied,
            } => {
                self.conn().execute(
                    "INSERT INTO implications (permission_id, implied_id) VALUES (?, ?)",
                    &[permission.id.0.into(), implied.id.0.into()],
                )?;
            }
            Change::Unimply {
                permission,
                implied,
            } => {
                self.exactly_one(
                    "DELETE FROM implications WHERE permission_id = ? AND implied_id = ?",
                    &[permission.id.0.into(), implied.id.0.into()],
                    "implication",
                    &format!("{} implies {}", permission.name, implied.name),
                )?;
            }
            Change::Assign { user, role, scope } => {
                let [stage, app] = scope_params(scope.scope);
                self.conn().execute(
                    "INSERT INTO assignments (user_id, role_id, stage_id, app_id) VALUES (?, ?, ?, ?)",
                    &[user.id.0.into(), role.id.0.into(), stage, app],
                )?;
            }
            Change::Unassign { user, role, scope } => {
                let [stage, app] = scope_params(scope.scope);
                let sql = format!(
                    "DELETE FROM assignments WHERE user_id = ? AND role_id = ? AND {SAME_STAGE} AND {SAME_APP}"
                );
                self.exactly_one(
                    &sql,
                    &[user.id.0.into(), role.id.0.into(), stage, app],
                    "assignment",
                    &format!("{} of {}", role.name, user.name),
                )?;
            }
            Change::SetPassword {
                user,
                temporary,
                hash,
            } => {
                // The replaced hash goes to the history the reuse rule reads.
                self.conn().execute(
                    "INSERT INTO password_history (user_id, hash, replaced_at)
                     SELECT id, password_hash, ? FROM users
                     WHERE id = ? AND password_hash IS NOT NULL",
                    &[now.into(), user.id.0.into()],
                )?;
                self.conn().execute(
                    "DELETE FROM password_history WHERE user_id = ? AND id NOT IN (
                         SELECT id FROM password_history WHERE user_id = ?
                         ORDER BY id DESC LIMIT ?)",
                    &[user.id.0.into(), user.id.0.into(), HISTORY_KEPT.into()],
                )?;
                self.exactly_one(
                    "UPDATE users SET password_hash = ?, password_changed_at = ?,
                         must_change_password = ?, updated_at = ?, version = version + 1
                     WHERE id = ?",
                    &[
                        hash.as_str().into(),
                        now.into(),
                        (*temporary).into(),
                        now.into(),
                        user.id.0.into(),
                    ],
                    "user",
                    &user.name,
                )?;
            }
            Change::Unlock { user, .. } => {
                self.exactly_one(
                    "UPDATE users SET failed_attempts = 0, consecutive_failures = 0,
                         last_failure_at = NULL, locked_until = NULL
                     WHERE id = ?",
                    &[user.id.0.into()],
                    "user",
                    &user.name,
                )?;
            }
            Change::SetSetting { key, after, .. } => {
                self.conn().execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    &[key.as_str().into(), after.as_str().into()],
                )?;
            }
            Change::CreateToken {
                token,
                user,
                name,
                secret_digest,
            } => {
                self.conn().execute(
                    "INSERT INTO api_tokens (id, user_id, name, secret_hash, created_at)
                     VALUES (?, ?, ?, ?, ?)",
                    &[
                        token.as_str().into(),
                        user.id.0.into(),
                        name.as_str().into(),
                        secret_digest.as_str().into(),
                        now.into(),
                    ],
                )?;
            }
            Change::RevokeToken { token, .. } => {
                self.exactly_one(
                    "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                    &[now.into(), token.as_str().into()],
                    "token",
                    token,
                )?;
            }
            Change::MapPeer { os_account, user } => {
                self.conn().execute(
                    "INSERT INTO peer_operators (os_account, user_id) VALUES (?, ?)
                     ON CONFLICT (os_account) DO UPDATE SET user_id = excluded.user_id",
                    &[os_account.as_str().into(), user.id.0.into()],
                )?;
            }
        }
        Ok(())
    }

    /// Runs a statement that must change exactly one row.
    fn exactly_one(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        what: &str,
        name: &str,
    ) -> Result<(), StoreError> {
        match self.conn().execute(sql, params)? {
            1 => Ok(()),
            0 => Err(StoreError::Conflict(format!(
                "{what} {name} no longer exists; someone else changed it — reload and try again"
            ))),
            n => Err(StoreError::Corrupt(format!(
                "{what} {name} matched {n} rows where one was expected"
            ))),
        }
    }

    fn insert_grant(
        &mut self,
        role: RoleId,
        permission: PermissionId,
        scope: Scope,
    ) -> Result<(), StoreError> {
        let [stage, app] = scope_params(scope);
        self.conn().execute(
            "INSERT INTO role_grants (role_id, permission_id, stage_id, app_id) VALUES (?, ?, ?, ?)",
            &[role.0.into(), permission.0.into(), stage, app],
        )?;
        Ok(())
    }

    fn insert_include(&mut self, role: RoleId, included: RoleId) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO role_includes (role_id, included_id) VALUES (?, ?)",
            &[role.0.into(), included.0.into()],
        )?;
        Ok(())
    }

    /// Bumps a role's version: its grants or inclusions changed, so an open edit form of it is
    /// stale.
    fn touch_role(&mut self, role: RoleId, now: i64) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE roles SET updated_at = ?, version = version + 1 WHERE id = ?",
            &[now.into(), role.0.into()],
        )?;
        Ok(())
    }

    fn touch_group(&mut self, group: GroupId, now: i64) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE groups SET updated_at = ?, version = version + 1 WHERE id = ?",
            &[now.into(), group.0.into()],
        )?;
        Ok(())
    }
}
