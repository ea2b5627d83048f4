//! Users, their memberships and their direct assignments.

use super::super::Tx;
use super::super::error::StoreError;
use super::super::sql::{Param, Row};
use super::{opt_time, time, vocab};
use crate::model::{
    AppId, Assignment, ExternalId, GroupId, LockState, RoleId, Scope, StageId, TenantId, User,
    UserId, UserStatus, Vocabulary,
};

/// The one column list every user query selects, in [`user`]'s order.
pub(crate) const USER_COLUMNS: &str = "u.id, u.tenant_id, u.username, u.email, u.display_name, \
     u.kind, u.status, u.external_id, u.password_hash IS NOT NULL, u.must_change_password, \
     u.password_changed_at, u.failed_attempts, u.last_failure_at, u.locked_until, \
     u.created_at, u.updated_at, u.last_sign_in_at, u.version, u.consecutive_failures";

pub(crate) fn user(row: &Row) -> Result<User, StoreError> {
    Ok(User {
        id: UserId(row.int(0)?),
        tenant: TenantId(row.int(1)?),
        username: row.text(2)?,
        email: row.opt_text(3)?,
        display_name: row.text(4)?,
        kind: vocab(row, 5)?,
        status: vocab(row, 6)?,
        external_id: row.opt_text(7)?.map(ExternalId),
        has_password: row.bool(8)?,
        must_change_password: row.bool(9)?,
        password_changed_at: opt_time(row, 10)?,
        lock: LockState {
            failed_attempts: row.int(11)?,
            consecutive_failures: row.int(18)?,
            last_failure_at: opt_time(row, 12)?,
            locked_until: opt_time(row, 13)?,
        },
        created_at: time(row, 14)?,
        updated_at: time(row, 15)?,
        last_sign_in_at: opt_time(row, 16)?,
        version: row.int(17)?,
    })
}

pub(crate) fn assignment(row: &Row) -> Result<Assignment, StoreError> {
    Ok(Assignment {
        user: UserId(row.int(0)?),
        role: RoleId(row.int(1)?),
        scope: Scope::new(row.opt_int(2)?.map(StageId), row.opt_int(3)?.map(AppId)),
    })
}

impl Tx<'_> {
    pub fn user(&mut self, id: UserId) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?");
        self.row(&sql, &[id.0.into()], user)
    }

    /// A user by username, case-insensitively, within a tenant.
    pub fn user_by_username(
        &mut self,
        tenant: TenantId,
        username: &str,
    ) -> Result<Option<User>, StoreError> {
        let key = crate::model::validate::fold(username.trim());
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.tenant_id = ? AND u.username_key = ?"
        );
        self.row(&sql, &[tenant.0.into(), key.as_str().into()], user)
    }

    /// The users among `usernames` (case-insensitively) within a tenant, in no particular
    /// order; names with no user are simply absent. One query per few hundred names, so a bulk
    /// action over 10,000 users does not pay 10,000 round trips through the statement cache.
    pub fn users_by_username(
        &mut self,
        tenant: TenantId,
        usernames: &[&str],
    ) -> Result<Vec<User>, StoreError> {
        // Well under SQLite's and PostgreSQL's bound-parameter limits.
        const CHUNK: usize = 500;
        let keys: Vec<String> = usernames
            .iter()
            .map(|name| crate::model::validate::fold(name.trim()))
            .collect();
        let mut found = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(CHUNK) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT {USER_COLUMNS} FROM users u \
                 WHERE u.tenant_id = ? AND u.username_key IN ({placeholders})"
            );
            let mut params: Vec<Param<'_>> = Vec::with_capacity(chunk.len() + 1);
            params.push(tenant.0.into());
            params.extend(chunk.iter().map(|key| Param::Text(key.as_str())));
            found.extend(self.rows(&sql, &params, user)?);
        }
        Ok(found)
    }

    /// A user by email, case-insensitively, within a tenant.
    pub fn user_by_email(
        &mut self,
        tenant: TenantId,
        email: &str,
    ) -> Result<Option<User>, StoreError> {
        let key = crate::model::validate::fold(email.trim());
        let sql =
            format!("SELECT {USER_COLUMNS} FROM users u WHERE u.tenant_id = ? AND u.email_key = ?");
        self.row(&sql, &[tenant.0.into(), key.as_str().into()], user)
    }

    /// Every user of the tenant whose username or email is one of `names` (case-insensitively),
    /// or whose external id is `external`: whoever a new username, email and external id could
    /// clash with, in one query.
    pub fn users_named_any(
        &mut self,
        tenant: TenantId,
        names: [&str; 2],
        external: Option<&str>,
    ) -> Result<Vec<User>, StoreError> {
        let keys = names.map(|n| crate::model::validate::fold(n.trim()));
        // The tenant in every arm, so each is answered by its own unique index (SQLite's
        // multi-index OR; a bitmap OR on PostgreSQL) rather than a walk over the tenant.
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u
             WHERE (u.tenant_id = ? AND u.username_key IN (?, ?))
                OR (u.tenant_id = ? AND u.email_key IN (?, ?))
                OR (u.tenant_id = ? AND u.external_id = ?)"
        );
        let t = tenant.0;
        self.rows(
            &sql,
            &[
                t.into(),
                keys[0].as_str().into(),
                keys[1].as_str().into(),
                t.into(),
                keys[0].as_str().into(),
                keys[1].as_str().into(),
                t.into(),
                external.into(),
            ],
            user,
        )
    }

    pub fn user_by_external_id(
        &mut self,
        tenant: TenantId,
        external_id: &str,
    ) -> Result<Option<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.tenant_id = ? AND u.external_id = ?"
        );
        self.row(&sql, &[tenant.0.into(), external_id.into()], user)
    }

    /// Every user of a tenant, by username, handed to `each` one at a time (100k rows need not
    /// sit in memory twice).
    pub fn each_user(
        &mut self,
        tenant: TenantId,
        each: &mut dyn FnMut(User) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.tenant_id = ? ORDER BY u.username_key"
        );
        self.conn()
            .query_each(&sql, &[tenant.0.into()], &mut |row| each(user(row)?))
    }

    /// Every user of a tenant, by username, all at once: one pass over the table in storage
    /// order, sorted here. Walking the username index instead costs a seek into the table per
    /// user: 331 ms against 72 ms for the 100,001 users of a demo store.
    pub fn users(&mut self, tenant: TenantId) -> Result<Vec<User>, StoreError> {
        let count = self.row(
            "SELECT count(*) FROM users WHERE tenant_id = ?",
            &[tenant.0.into()],
            |r| r.int(0),
        )?;
        let capacity = count.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
        // `+` keeps SQLite from choosing the tenant index (and its per-row seeks).
        let sql =
            format!("SELECT {USER_COLUMNS}, u.username_key FROM users u WHERE +u.tenant_id = ?");
        let mut users = Vec::with_capacity(capacity);
        let mut keys = Vec::with_capacity(capacity);
        self.conn()
            .query_each(&sql, &[tenant.0.into()], &mut |row| {
                keys.push((row.text(19)?, users.len()));
                users.push(Some(user(row)?));
                Ok(())
            })?;
        // Sort the small keys, then move each user once.
        keys.sort_unstable();
        Ok(keys
            .into_iter()
            .filter_map(|(_, at)| users[at].take())
            .collect())
    }

    /// The groups a user is a member of.
    pub fn user_group_ids(&mut self, user: UserId) -> Result<Vec<GroupId>, StoreError> {
        self.rows(
            "SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id",
            &[user.0.into()],
            |r| r.int(0).map(GroupId),
        )
    }

    /// A user's direct role assignments.
    pub fn user_assignments(&mut self, user: UserId) -> Result<Vec<Assignment>, StoreError> {
        self.rows(
            "SELECT user_id, role_id, stage_id, app_id FROM assignments WHERE user_id = ?
             ORDER BY role_id, COALESCE(stage_id, 0), COALESCE(app_id, 0)",
            &[user.0.into()],
            assignment,
        )
    }

    /// Whether a user already has a role at exactly this scope.
    /// Which of `users` hold `role` directly at exactly `scope`: [`Tx::has_assignment`] for many
    /// users in a few queries.
    pub fn holding_assignment(
        &mut self,
        users: &[UserId],
        role: RoleId,
        scope: Scope,
    ) -> Result<std::collections::HashSet<UserId>, StoreError> {
        const CHUNK: usize = 500;
        let mut holding = std::collections::HashSet::new();
        for chunk in users.chunks(CHUNK) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT user_id FROM assignments WHERE role_id = ? AND {} AND {} \
                 AND user_id IN ({placeholders})",
                super::SAME_STAGE,
                super::SAME_APP
            );
            let mut params: Vec<Param<'_>> = Vec::with_capacity(chunk.len() + 3);
            params.push(role.0.into());
            params.push(scope.stage.map(|s| s.0).into());
            params.push(scope.app.map(|a| a.0).into());
            params.extend(chunk.iter().map(|u| Param::Int(u.0)));
            holding.extend(self.rows(&sql, &params, |r| Ok(UserId(r.int(0)?)))?);
        }
        Ok(holding)
    }

    pub fn has_assignment(
        &mut self,
        user: UserId,
        role: RoleId,
        scope: Scope,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "SELECT count(*) FROM assignments WHERE user_id = ? AND role_id = ? AND {} AND {}",
            super::SAME_STAGE,
            super::SAME_APP
        );
        let n = self.count(
            &sql,
            &[
                user.0.into(),
                role.0.into(),
                scope.stage.map(|s| s.0).into(),
                scope.app.map(|a| a.0).into(),
            ],
        )?;
        Ok(n > 0)
    }

    /// Active users, across every tenant, holding the built-in Administrators role directly at
    /// the organization scope: the set the last-administrator guard keeps non-empty.
    pub fn active_administrators(&mut self) -> Result<Vec<UserId>, StoreError> {
        self.rows(
            "SELECT DISTINCT a.user_id FROM assignments a
             JOIN users u ON u.id = a.user_id
             JOIN roles r ON r.id = a.role_id
             WHERE r.builtin = 1 AND r.key = 'administrators'
               AND a.stage_id IS NULL AND a.app_id IS NULL
               AND u.status = ? AND u.kind = 'member'
             ORDER BY a.user_id",
            &[UserStatus::Active.as_str().into()],
            |r| r.int(0).map(UserId),
        )
    }

    pub fn user_count(&mut self, tenant: TenantId) -> Result<i64, StoreError> {
        self.count(
            "SELECT count(*) FROM users WHERE tenant_id = ?",
            &[tenant.0.into()],
        )
    }

    /// The users with a sign-in attempt recorded after the attempt `after` (a lockout moves
    /// their state without an audit record).
    pub fn users_signing_in_since(&mut self, after: i64) -> Result<Vec<UserId>, StoreError> {
        self.rows(
            "SELECT DISTINCT user_id FROM sign_ins WHERE id > ? ORDER BY user_id",
            &[after.into()],
            |r| r.int(0).map(UserId),
        )
    }

    /// Active members with neither a password nor a peer mapping: nobody could sign in as them.
    pub fn members_without_sign_in(&mut self) -> Result<Vec<String>, StoreError> {
        self.rows(
            "SELECT u.username FROM users u
             WHERE u.kind = 'member' AND u.status = 'active' AND u.password_hash IS NULL
               AND NOT EXISTS (SELECT 1 FROM peer_operators p WHERE p.user_id = u.id)
             ORDER BY u.username_key",
            &[],
            |r| r.text(0),
        )
    }
}
