//! The graph's relationships by id, for detail panes that must follow the cursor without a
//! query: a user's groups and roles, a group's members and roles, a role's grants, inclusions
//! and holders, a permission's implications and grants. Dead nodes are never listed.

use super::engine::{Atom, Engine};
use crate::model::*;

impl Engine {
    /// Stage names in their configured order.
    pub fn stage_names(&self) -> Vec<String> {
        self.stages.iter().map(|s| s.name.clone()).collect()
    }

    /// App keys.
    pub fn app_keys(&self) -> Vec<String> {
        self.apps.iter().map(|a| a.key.clone()).collect()
    }

    /// The groups a user is in.
    pub fn user_groups(&self, user: UserId) -> Vec<GroupId> {
        let Some(&u) = self.user_index.get(&user) else {
            return Vec::new();
        };
        self.users[u as usize]
            .groups
            .iter()
            .map(|&g| self.groups[g as usize].id)
            .collect()
    }

    /// A user's direct assignments.
    pub fn user_roles(&self, user: UserId) -> Vec<(RoleId, Scope)> {
        let Some(&u) = self.user_index.get(&user) else {
            return Vec::new();
        };
        self.users[u as usize]
            .direct
            .iter()
            .map(|d| (self.roles[d.role as usize].id, d.scope))
            .collect()
    }

    pub fn group_members(&self, group: GroupId) -> Vec<UserId> {
        let Some(&g) = self.group_index.get(&group) else {
            return Vec::new();
        };
        self.groups[g as usize]
            .members
            .iter()
            .map(|&u| self.users[u as usize].id)
            .collect()
    }

    pub fn group_roles(&self, group: GroupId) -> Vec<RoleId> {
        let Some(&g) = self.group_index.get(&group) else {
            return Vec::new();
        };
        self.groups[g as usize]
            .roles
            .iter()
            .map(|&(r, _)| self.roles[r as usize].id)
            .collect()
    }

    /// A role's own grants.
    pub fn role_grants(&self, role: RoleId) -> Vec<Atom> {
        let Some(&r) = self.role_index.get(&role) else {
            return Vec::new();
        };
        self.roles[r as usize]
            .grants
            .iter()
            .map(|g| Atom {
                permission: self.perms[g.perm as usize].id,
                scope: g.scope,
            })
            .collect()
    }

    pub fn role_includes(&self, role: RoleId) -> Vec<RoleId> {
        let Some(&r) = self.role_index.get(&role) else {
            return Vec::new();
        };
        self.roles[r as usize]
            .includes
            .iter()
            .map(|&c| self.roles[c as usize].id)
            .collect()
    }

    pub fn role_included_by(&self, role: RoleId) -> Vec<RoleId> {
        let Some(&r) = self.role_index.get(&role) else {
            return Vec::new();
        };
        self.roles[r as usize]
            .included_by
            .iter()
            .map(|&c| self.roles[c as usize].id)
            .collect()
    }

    /// The groups holding a role.
    pub fn role_groups(&self, role: RoleId) -> Vec<GroupId> {
        let Some(&r) = self.role_index.get(&role) else {
            return Vec::new();
        };
        self.roles[r as usize]
            .groups
            .iter()
            .map(|&g| self.groups[g as usize].id)
            .collect()
    }

    /// How many users hold a role directly.
    pub fn role_holder_count(&self, role: RoleId) -> usize {
        self.role_index
            .get(&role)
            .map_or(0, |&r| self.roles[r as usize].holders.len())
    }

    /// The permissions a permission implies directly, and those implying it directly.
    pub fn implications(&self, permission: PermissionId) -> (Vec<PermissionId>, Vec<PermissionId>) {
        let Some(&p) = self.perm_index.get(&permission) else {
            return (Vec::new(), Vec::new());
        };
        let node = &self.perms[p as usize];
        let ids = |list: &[u32]| list.iter().map(|&q| self.perms[q as usize].id).collect();
        (ids(&node.implies), ids(&node.implied_by))
    }

    /// Every role granting a permission directly, with the grant's scope.
    pub fn granted_by(&self, permission: PermissionId) -> Vec<(RoleId, Scope)> {
        let Some(&p) = self.perm_index.get(&permission) else {
            return Vec::new();
        };
        self.roles
            .iter()
            .filter(|r| r.alive)
            .flat_map(|r| {
                r.grants
                    .iter()
                    .filter(move |g| g.perm == p)
                    .map(move |g| (r.id, g.scope))
            })
            .collect()
    }
}
