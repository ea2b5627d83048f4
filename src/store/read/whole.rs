//! Whole-store reads for interchange (export, diff, sync): every group, edge and assignment in
//! one query per table, by id. The service names them; the engine's snapshot reads the same
//! tables for access, these carry what the snapshot leaves out (group rows of every tenant,
//! password hashes).

use std::collections::HashMap;

use super::super::Tx;
use super::super::error::StoreError;
use super::groups::{GROUP_COLUMNS, group};
use super::roles::grant;
use super::users::assignment;
use crate::model::*;

impl Tx<'_> {
    /// Every group of every tenant.
    pub fn all_groups(&mut self) -> Result<Vec<Group>, StoreError> {
        self.rows(
            &format!("SELECT {GROUP_COLUMNS} FROM groups g ORDER BY g.id"),
            &[],
            group,
        )
    }

    /// Every user's id, tenant and username.
    pub fn user_names(&mut self) -> Result<Vec<(UserId, TenantId, String)>, StoreError> {
        self.rows("SELECT id, tenant_id, username FROM users", &[], |r| {
            Ok((UserId(r.int(0)?), TenantId(r.int(1)?), r.text(2)?))
        })
    }

    /// Every membership, as (group, user).
    pub fn all_members(&mut self) -> Result<Vec<(GroupId, UserId)>, StoreError> {
        self.rows("SELECT group_id, user_id FROM group_members", &[], |r| {
            Ok((GroupId(r.int(0)?), UserId(r.int(1)?)))
        })
    }

    /// Every group role, as (group, role).
    pub fn all_group_roles(&mut self) -> Result<Vec<(GroupId, RoleId)>, StoreError> {
        self.rows("SELECT group_id, role_id FROM group_roles", &[], |r| {
            Ok((GroupId(r.int(0)?), RoleId(r.int(1)?)))
        })
    }

    /// Every grant of every role.
    pub fn all_grants(&mut self) -> Result<Vec<Grant>, StoreError> {
        self.rows(
            "SELECT role_id, permission_id, stage_id, app_id FROM role_grants",
            &[],
            grant,
        )
    }

    /// Every direct assignment.
    pub fn all_assignments(&mut self) -> Result<Vec<Assignment>, StoreError> {
        self.rows(
            "SELECT user_id, role_id, stage_id, app_id FROM assignments",
            &[],
            assignment,
        )
    }

    /// The stored password hash of every user of `tenant` that has one (exports with secrets).
    pub fn password_hashes(
        &mut self,
        tenant: TenantId,
    ) -> Result<HashMap<UserId, String>, StoreError> {
        Ok(self
            .rows(
                "SELECT id, password_hash FROM users
                 WHERE tenant_id = ? AND password_hash IS NOT NULL",
                &[tenant.0.into()],
                |r| Ok((UserId(r.int(0)?), r.text(1)?)),
            )?
            .into_iter()
            .collect())
    }
}
