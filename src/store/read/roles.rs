//! Roles, their grants and inclusions, and who holds them directly.

use super::super::Tx;
use super::super::error::StoreError;
use super::super::sql::Row;
use super::users::assignment;
use super::{SAME_APP, SAME_STAGE, time, vocab};
use crate::model::{AppId, Assignment, Grant, PermissionId, Role, RoleId, Scope, StageId};

pub(crate) const ROLE_COLUMNS: &str = "r.id, r.key, r.name, r.description, r.kind, r.app_id, r.builtin, \
     r.created_at, r.updated_at, r.version";

pub(crate) fn role(row: &Row) -> Result<Role, StoreError> {
    Ok(Role {
        id: RoleId(row.int(0)?),
        key: row.text(1)?,
        name: row.text(2)?,
        description: row.text(3)?,
        kind: vocab(row, 4)?,
        app: row.opt_int(5)?.map(AppId),
        builtin: row.bool(6)?,
        created_at: time(row, 7)?,
        updated_at: time(row, 8)?,
        version: row.int(9)?,
    })
}

pub(crate) fn grant(row: &Row) -> Result<Grant, StoreError> {
    Ok(Grant {
        role: RoleId(row.int(0)?),
        permission: PermissionId(row.int(1)?),
        scope: Scope::new(row.opt_int(2)?.map(StageId), row.opt_int(3)?.map(AppId)),
    })
}

/// A role with counts, for listings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleSummary {
    pub role: Role,
    pub grants: i64,
    pub includes: i64,
    pub assignments: i64,
    pub groups: i64,
}

impl Tx<'_> {
    pub fn role(&mut self, id: RoleId) -> Result<Option<Role>, StoreError> {
        let sql = format!("SELECT {ROLE_COLUMNS} FROM roles r WHERE r.id = ?");
        self.row(&sql, &[id.0.into()], role)
    }

    pub fn role_by_key(&mut self, key: &str) -> Result<Option<Role>, StoreError> {
        let sql = format!("SELECT {ROLE_COLUMNS} FROM roles r WHERE r.key = ?");
        self.row(&sql, &[key.into()], role)
    }

    /// Every role with this display name, case-insensitively (several apps may each have one).
    pub fn roles_named(&mut self, name: &str) -> Result<Vec<Role>, StoreError> {
        let key = crate::model::validate::fold(name.trim());
        let sql = format!("SELECT {ROLE_COLUMNS} FROM roles r WHERE r.name_key = ? ORDER BY r.key");
        self.rows(&sql, &[key.as_str().into()], role)
    }

    /// A role with this display name in the same namespace (organization roles, or one app's
    /// end-user roles).
    pub fn role_named_in(
        &mut self,
        app: Option<AppId>,
        name: &str,
    ) -> Result<Option<Role>, StoreError> {
        let key = crate::model::validate::fold(name.trim());
        let sql = format!(
            "SELECT {ROLE_COLUMNS} FROM roles r WHERE r.name_key = ? AND {}",
            SAME_APP.replace("app_id", "r.app_id")
        );
        self.row(&sql, &[key.as_str().into(), app.map(|a| a.0).into()], role)
    }

    pub fn roles(&mut self) -> Result<Vec<Role>, StoreError> {
        let sql = format!("SELECT {ROLE_COLUMNS} FROM roles r ORDER BY r.builtin DESC, r.key");
        self.rows(&sql, &[], role)
    }

    pub fn role_summaries(&mut self) -> Result<Vec<RoleSummary>, StoreError> {
        let sql = format!(
            "SELECT {ROLE_COLUMNS},
                (SELECT count(*) FROM role_grants x WHERE x.role_id = r.id),
                (SELECT count(*) FROM role_includes x WHERE x.role_id = r.id),
                (SELECT count(*) FROM assignments x WHERE x.role_id = r.id),
                (SELECT count(*) FROM group_roles x WHERE x.role_id = r.id)
             FROM roles r ORDER BY r.builtin DESC, r.key"
        );
        self.rows(&sql, &[], |row| {
            Ok(RoleSummary {
                role: role(row)?,
                grants: row.int(10)?,
                includes: row.int(11)?,
                assignments: row.int(12)?,
                groups: row.int(13)?,
            })
        })
    }

    pub fn role_grants(&mut self, role: RoleId) -> Result<Vec<Grant>, StoreError> {
        self.rows(
            "SELECT role_id, permission_id, stage_id, app_id FROM role_grants WHERE role_id = ?
             ORDER BY permission_id, COALESCE(stage_id, 0), COALESCE(app_id, 0)",
            &[role.0.into()],
            grant,
        )
    }

    pub fn has_grant(
        &mut self,
        role: RoleId,
        permission: PermissionId,
        scope: Scope,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "SELECT count(*) FROM role_grants WHERE role_id = ? AND permission_id = ? AND {SAME_STAGE} AND {SAME_APP}"
        );
        Ok(self.count(
            &sql,
            &[
                role.0.into(),
                permission.0.into(),
                scope.stage.map(|s| s.0).into(),
                scope.app.map(|a| a.0).into(),
            ],
        )? > 0)
    }

    /// The roles `role` includes directly.
    pub fn role_includes(&mut self, role: RoleId) -> Result<Vec<RoleId>, StoreError> {
        self.rows(
            "SELECT included_id FROM role_includes WHERE role_id = ? ORDER BY included_id",
            &[role.0.into()],
            |r| r.int(0).map(RoleId),
        )
    }

    /// The roles that include `role` directly.
    pub fn role_included_by(&mut self, role: RoleId) -> Result<Vec<RoleId>, StoreError> {
        self.rows(
            "SELECT role_id FROM role_includes WHERE included_id = ? ORDER BY role_id",
            &[role.0.into()],
            |r| r.int(0).map(RoleId),
        )
    }

    /// Every inclusion edge `(role, included)`.
    pub fn all_role_includes(&mut self) -> Result<Vec<(RoleId, RoleId)>, StoreError> {
        self.rows("SELECT role_id, included_id FROM role_includes", &[], |r| {
            Ok((RoleId(r.int(0)?), RoleId(r.int(1)?)))
        })
    }

    /// The direct assignments of a role.
    pub fn role_assignments(&mut self, role: RoleId) -> Result<Vec<Assignment>, StoreError> {
        self.rows(
            "SELECT user_id, role_id, stage_id, app_id FROM assignments WHERE role_id = ?
             ORDER BY user_id",
            &[role.0.into()],
            assignment,
        )
    }
}
