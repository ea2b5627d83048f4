//! The access snapshot: every row that decides who can do what, in one bulk query per table.

use super::super::Tx;
use super::super::error::StoreError;
use super::groups::group;
use super::permissions::permission;
use super::roles::{grant, role};
use super::users::assignment;
use super::vocab;
use crate::model::*;

impl Tx<'_> {
    /// Everything the access engine is built from, across all tenants.
    pub fn snapshot(&mut self) -> Result<Snapshot, StoreError> {
        let users = self.rows(
            "SELECT id, tenant_id, username, kind, status FROM users ORDER BY id",
            &[],
            |r| {
                Ok(UserEntry {
                    id: UserId(r.int(0)?),
                    tenant: TenantId(r.int(1)?),
                    username: r.text(2)?,
                    kind: vocab(r, 3)?,
                    status: vocab(r, 4)?,
                })
            },
        )?;
        Ok(Snapshot {
            tenants: self.tenants()?,
            stages: self.stages()?,
            apps: self.apps()?,
            permissions: self.rows(
                &format!(
                    "SELECT {} FROM permissions p ORDER BY p.id",
                    super::permissions::PERMISSION_COLUMNS
                ),
                &[],
                permission,
            )?,
            implications: self.all_implications()?,
            roles: self.rows(
                &format!(
                    "SELECT {} FROM roles r ORDER BY r.id",
                    super::roles::ROLE_COLUMNS
                ),
                &[],
                role,
            )?,
            includes: self.all_role_includes()?,
            grants: self.rows(
                "SELECT role_id, permission_id, stage_id, app_id FROM role_grants",
                &[],
                grant,
            )?,
            groups: self.rows(
                &format!(
                    "SELECT {} FROM groups g ORDER BY g.id",
                    super::groups::GROUP_COLUMNS
                ),
                &[],
                group,
            )?,
            group_roles: self.rows("SELECT group_id, role_id FROM group_roles", &[], |r| {
                Ok((GroupId(r.int(0)?), RoleId(r.int(1)?)))
            })?,
            members: self.rows("SELECT group_id, user_id FROM group_members", &[], |r| {
                Ok((GroupId(r.int(0)?), UserId(r.int(1)?)))
            })?,
            users,
            assignments: self.rows(
                "SELECT user_id, role_id, stage_id, app_id FROM assignments",
                &[],
                assignment,
            )?,
        })
    }
}
