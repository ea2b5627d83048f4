//! Groups, their members and their roles.

use super::super::Tx;
use super::super::error::StoreError;
use super::super::sql::Row;
use super::time;
use super::users::{USER_COLUMNS, user};
use crate::model::{Group, GroupId, RoleId, StageId, TenantId, User, UserId};

pub(crate) const GROUP_COLUMNS: &str = "g.id, g.tenant_id, g.name, g.description, g.stage_id, \
     g.created_at, g.updated_at, g.version";

pub(crate) fn group(row: &Row) -> Result<Group, StoreError> {
    Ok(Group {
        id: GroupId(row.int(0)?),
        tenant: TenantId(row.int(1)?),
        name: row.text(2)?,
        description: row.text(3)?,
        stage: StageId(row.int(4)?),
        created_at: time(row, 5)?,
        updated_at: time(row, 6)?,
        version: row.int(7)?,
    })
}

/// A group with its member and role counts, for listings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupSummary {
    pub group: Group,
    pub members: i64,
    pub roles: i64,
}

impl Tx<'_> {
    pub fn group(&mut self, id: GroupId) -> Result<Option<Group>, StoreError> {
        let sql = format!("SELECT {GROUP_COLUMNS} FROM groups g WHERE g.id = ?");
        self.row(&sql, &[id.0.into()], group)
    }

    /// Every group of a tenant with this name (case-insensitive), one per stage at most.
    pub fn groups_named(&mut self, tenant: TenantId, name: &str) -> Result<Vec<Group>, StoreError> {
        let key = crate::model::validate::fold(name.trim());
        let sql = format!(
            "SELECT {GROUP_COLUMNS} FROM groups g JOIN stages s ON s.id = g.stage_id
             WHERE g.tenant_id = ? AND g.name_key = ? ORDER BY s.position"
        );
        self.rows(&sql, &[tenant.0.into(), key.as_str().into()], group)
    }

    /// Every group of a tenant with counts, ordered by name then stage.
    pub fn group_summaries(&mut self, tenant: TenantId) -> Result<Vec<GroupSummary>, StoreError> {
        let sql = format!(
            "SELECT {GROUP_COLUMNS},
                (SELECT count(*) FROM group_members m WHERE m.group_id = g.id),
                (SELECT count(*) FROM group_roles r WHERE r.group_id = g.id)
             FROM groups g JOIN stages s ON s.id = g.stage_id
             WHERE g.tenant_id = ? ORDER BY g.name_key, s.position"
        );
        self.rows(&sql, &[tenant.0.into()], |row| {
            Ok(GroupSummary {
                group: group(row)?,
                members: row.int(8)?,
                roles: row.int(9)?,
            })
        })
    }

    pub fn group_member_ids(&mut self, group: GroupId) -> Result<Vec<UserId>, StoreError> {
        self.rows(
            "SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id",
            &[group.0.into()],
            |r| r.int(0).map(UserId),
        )
    }

    /// The members of a group, by username.
    pub fn group_members(&mut self, group: GroupId) -> Result<Vec<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN group_members m ON m.user_id = u.id
             WHERE m.group_id = ? ORDER BY u.username_key"
        );
        self.rows(&sql, &[group.0.into()], user)
    }

    pub fn is_member(&mut self, group: GroupId, user: UserId) -> Result<bool, StoreError> {
        Ok(self.count(
            "SELECT count(*) FROM group_members WHERE group_id = ? AND user_id = ?",
            &[group.0.into(), user.0.into()],
        )? > 0)
    }

    pub fn group_role_ids(&mut self, group: GroupId) -> Result<Vec<RoleId>, StoreError> {
        self.rows(
            "SELECT role_id FROM group_roles WHERE group_id = ? ORDER BY role_id",
            &[group.0.into()],
            |r| r.int(0).map(RoleId),
        )
    }

    /// The groups that hold a role.
    pub fn groups_with_role(&mut self, role: RoleId) -> Result<Vec<Group>, StoreError> {
        let sql = format!(
            "SELECT {GROUP_COLUMNS} FROM groups g JOIN group_roles r ON r.group_id = g.id
             WHERE r.role_id = ? ORDER BY g.name_key"
        );
        self.rows(&sql, &[role.0.into()], group)
    }
}
