//! Permissions and their implications.

use super::super::Tx;
use super::super::error::StoreError;
use super::super::sql::Row;
use super::roles::grant;
use crate::model::{AppId, Grant, Permission, PermissionId};

pub(crate) const PERMISSION_COLUMNS: &str =
    "p.id, p.key, p.name, p.section, p.description, p.app_id, p.builtin";

pub(crate) fn permission(row: &Row) -> Result<Permission, StoreError> {
    Ok(Permission {
        id: PermissionId(row.int(0)?),
        key: row.text(1)?,
        name: row.text(2)?,
        section: row.text(3)?,
        description: row.text(4)?,
        app: row.opt_int(5)?.map(AppId),
        builtin: row.bool(6)?,
    })
}

impl Tx<'_> {
    pub fn permission(&mut self, id: PermissionId) -> Result<Option<Permission>, StoreError> {
        let sql = format!("SELECT {PERMISSION_COLUMNS} FROM permissions p WHERE p.id = ?");
        self.row(&sql, &[id.0.into()], permission)
    }

    pub fn permission_by_key(&mut self, key: &str) -> Result<Option<Permission>, StoreError> {
        let sql = format!("SELECT {PERMISSION_COLUMNS} FROM permissions p WHERE p.key = ?");
        self.row(&sql, &[key.into()], permission)
    }

    /// Every permission: the catalog by section, then app permissions by key.
    pub fn permissions(&mut self) -> Result<Vec<Permission>, StoreError> {
        let sql = format!(
            "SELECT {PERMISSION_COLUMNS} FROM permissions p ORDER BY p.builtin DESC, p.section, p.key"
        );
        self.rows(&sql, &[], permission)
    }

    /// The permissions `permission` implies directly.
    pub fn implied_by(
        &mut self,
        permission: PermissionId,
    ) -> Result<Vec<PermissionId>, StoreError> {
        self.rows(
            "SELECT implied_id FROM implications WHERE permission_id = ? ORDER BY implied_id",
            &[permission.0.into()],
            |r| r.int(0).map(PermissionId),
        )
    }

    /// The permissions that imply `permission` directly.
    pub fn implying(&mut self, permission: PermissionId) -> Result<Vec<PermissionId>, StoreError> {
        self.rows(
            "SELECT permission_id FROM implications WHERE implied_id = ? ORDER BY permission_id",
            &[permission.0.into()],
            |r| r.int(0).map(PermissionId),
        )
    }

    /// Every implication edge `(permission, implied)`.
    pub fn all_implications(&mut self) -> Result<Vec<(PermissionId, PermissionId)>, StoreError> {
        self.rows(
            "SELECT permission_id, implied_id FROM implications",
            &[],
            |r| Ok((PermissionId(r.int(0)?), PermissionId(r.int(1)?))),
        )
    }

    /// Every grant of a permission, by role.
    pub fn permission_grants(
        &mut self,
        permission: PermissionId,
    ) -> Result<Vec<Grant>, StoreError> {
        self.rows(
            "SELECT role_id, permission_id, stage_id, app_id FROM role_grants
             WHERE permission_id = ? ORDER BY role_id",
            &[permission.0.into()],
            grant,
        )
    }
}
