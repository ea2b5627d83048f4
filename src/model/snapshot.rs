//! A snapshot of everything that decides access, as plain rows: what the engine is built from,
//! loaded from the store in a handful of bulk queries.

use super::entities::*;
use super::ids::*;
use super::vocab::{UserKind, UserStatus};

/// The part of a user the engine needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserEntry {
    pub id: UserId,
    pub tenant: TenantId,
    pub username: String,
    pub kind: UserKind,
    pub status: UserStatus,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub tenants: Vec<Tenant>,
    pub stages: Vec<Stage>,
    pub apps: Vec<App>,
    pub permissions: Vec<Permission>,
    /// `(permission, implied)`.
    pub implications: Vec<(PermissionId, PermissionId)>,
    pub roles: Vec<Role>,
    /// `(role, included)`.
    pub includes: Vec<(RoleId, RoleId)>,
    pub grants: Vec<Grant>,
    pub groups: Vec<Group>,
    pub group_roles: Vec<(GroupId, RoleId)>,
    /// `(group, user)`.
    pub members: Vec<(GroupId, UserId)>,
    pub users: Vec<UserEntry>,
    pub assignments: Vec<Assignment>,
}
