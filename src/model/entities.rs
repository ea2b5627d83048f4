//! The rows of the store as plain data: tenants, stages, apps, users, groups, roles,
//! permissions, and the edges between them (grants, inclusions, implications, memberships,
//! assignments). No behaviour beyond small derived facts lives here.

use super::ids::*;
use super::scope::Scope;
use super::time::Timestamp;
use super::vocab::{RoleKind, UserKind, UserStatus};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub id: StageId,
    pub name: String,
    pub position: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct App {
    pub id: AppId,
    pub key: String,
    pub name: String,
    pub description: String,
}

/// Failed-attempt bookkeeping. `locked_until` in the future means locked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LockState {
    /// Failures in the current window (attempts refused while locked included).
    pub failed_attempts: i64,
    /// Checked failures since the last success, whatever the time: drives the hard limit.
    pub consecutive_failures: i64,
    pub last_failure_at: Option<Timestamp>,
    pub locked_until: Option<Timestamp>,
}

impl LockState {
    /// Locked is derived: a lock that has run out is no lock.
    pub fn is_locked(&self, now: Timestamp) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub tenant: TenantId,
    pub username: String,
    pub email: Option<String>,
    pub display_name: String,
    pub kind: UserKind,
    pub status: UserStatus,
    pub external_id: Option<ExternalId>,
    pub has_password: bool,
    pub must_change_password: bool,
    pub password_changed_at: Option<Timestamp>,
    pub lock: LockState,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub last_sign_in_at: Option<Timestamp>,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub id: GroupId,
    pub tenant: TenantId,
    pub name: String,
    pub description: String,
    /// Chosen at creation, never changed.
    pub stage: StageId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    pub id: RoleId,
    /// Stable across renames and environments (the seeds' SS_Key).
    pub key: String,
    pub name: String,
    pub description: String,
    pub kind: RoleKind,
    /// The owning app of an end-user role; `None` for organization roles.
    pub app: Option<AppId>,
    pub builtin: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permission {
    pub id: PermissionId,
    pub key: String,
    pub name: String,
    pub section: String,
    pub description: String,
    /// The app whose own permission area this is; `None` for the built-in catalog.
    pub app: Option<AppId>,
    pub builtin: bool,
}

/// A role grants a permission at a scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Grant {
    pub role: RoleId,
    pub permission: PermissionId,
    pub scope: Scope,
}

/// A role assigned directly to a user at a scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Assignment {
    pub user: UserId,
    pub role: RoleId,
    pub scope: Scope,
}

/// One audit record as stored: who did what, when, with before/after by natural keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: AuditId,
    pub at: Timestamp,
    pub tenant: String,
    pub operator: String,
    pub action: String,
    pub summary: String,
    /// JSON text: `{"changes": [...]}` with names, never ids or secrets.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}
