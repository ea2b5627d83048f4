//! The access snapshot: every row that decides who can do what, in one bulk query per table.

use super::super::Tx;
use super::super::error::StoreError;
use super::groups::group;
use super::permissions::permission;
use super::roles::{grant, role};
use super::users::assignment;
use super::vocab;
use crate::model::*;

/// The columns a [`UserEntry`] is read from, in [`user_entry`]'s order.
const USER_ENTRY_COLUMNS: &str = "id, tenant_id, username, kind, status";

fn user_entry(r: &crate::store::sql::Row) -> Result<UserEntry, StoreError> {
    Ok(UserEntry {
        id: UserId(r.int(0)?),
        tenant: TenantId(r.int(1)?),
        username: r.text(2)?,
        kind: vocab(r, 3)?,
        status: vocab(r, 4)?,
    })
}

impl Tx<'_> {
    /// Everything the access engine is built from, across all tenants.
    pub fn snapshot(&mut self) -> Result<Snapshot, StoreError> {
        let users = self.rows(
            &format!("SELECT {USER_ENTRY_COLUMNS} FROM users ORDER BY id"),
            &[],
            user_entry,
        )?;
        let mut snapshot = self.snapshot_without_people()?;
        snapshot.groups = self.rows(
            &format!(
                "SELECT {} FROM groups g ORDER BY g.id",
                super::groups::GROUP_COLUMNS
            ),
            &[],
            group,
        )?;
        snapshot.group_roles =
            self.rows("SELECT group_id, role_id FROM group_roles", &[], |r| {
                Ok((GroupId(r.int(0)?), RoleId(r.int(1)?)))
            })?;
        snapshot.members = self.rows("SELECT group_id, user_id FROM group_members", &[], |r| {
            Ok((GroupId(r.int(0)?), UserId(r.int(1)?)))
        })?;
        snapshot.users = users;
        snapshot.assignments = self.rows(
            "SELECT user_id, role_id, stage_id, app_id FROM assignments",
            &[],
            assignment,
        )?;
        Ok(snapshot)
    }

    /// The part of the snapshot that decides one user's access: every role, grant,
    /// permission, stage and app (small), but only this user, their assignments, their groups
    /// and those groups' roles. Enough to judge an operator's rights without loading everyone.
    pub fn snapshot_for(&mut self, user: UserId) -> Result<Snapshot, StoreError> {
        let users = self.rows(
            &format!("SELECT {USER_ENTRY_COLUMNS} FROM users WHERE id = ?"),
            &[user.0.into()],
            user_entry,
        )?;
        let members: Vec<(GroupId, UserId)> = self.rows(
            "SELECT group_id, user_id FROM group_members WHERE user_id = ?",
            &[user.0.into()],
            |r| Ok((GroupId(r.int(0)?), UserId(r.int(1)?))),
        )?;
        let groups = self.rows(
            &format!(
                "SELECT {} FROM groups g JOIN group_members m ON m.group_id = g.id
                 WHERE m.user_id = ? ORDER BY g.id",
                super::groups::GROUP_COLUMNS
            ),
            &[user.0.into()],
            group,
        )?;
        let group_roles = self.rows(
            "SELECT gr.group_id, gr.role_id FROM group_roles gr
             JOIN group_members m ON m.group_id = gr.group_id WHERE m.user_id = ?",
            &[user.0.into()],
            |r| Ok((GroupId(r.int(0)?), RoleId(r.int(1)?))),
        )?;
        let assignments = self.rows(
            "SELECT user_id, role_id, stage_id, app_id FROM assignments WHERE user_id = ?",
            &[user.0.into()],
            assignment,
        )?;
        let mut snapshot = self.snapshot_without_people()?;
        snapshot.users = users;
        snapshot.members = members;
        snapshot.groups = groups;
        snapshot.group_roles = group_roles;
        snapshot.assignments = assignments;
        Ok(snapshot)
    }

    /// Tenants, stages, apps, permissions, implications, roles, inclusions and grants.
    fn snapshot_without_people(&mut self) -> Result<Snapshot, StoreError> {
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
            ..Snapshot::default()
        })
    }
}
