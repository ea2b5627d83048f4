//! The graph's relationships by id, for detail panes that must follow the cursor without a
//! query: a user's groups and roles, a group's members and roles, a role's grants, inclusions
//! and holders, a permission's implications and grants. Dead nodes are never listed.

use super::engine::{Atom, Engine};

/// The users holding a role, by how they hold it (each user once, under the first way).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoleHolders {
    pub direct: Vec<UserId>,
    pub through_groups: Vec<UserId>,
    pub through_inclusion: Vec<UserId>,
}

impl RoleHolders {
    pub fn len(&self) -> usize {
        self.direct.len() + self.through_groups.len() + self.through_inclusion.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn all(&self) -> impl Iterator<Item = UserId> + '_ {
        self.direct
            .iter()
            .chain(&self.through_groups)
            .chain(&self.through_inclusion)
            .copied()
    }
}
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
    /// The alive users of `tenant` with this username (as the engine last saw it).
    pub fn users_named(&self, tenant: TenantId, username: &str) -> Vec<UserId> {
        self.users
            .iter()
            .filter(|u| u.alive && u.tenant == tenant && u.username == username)
            .map(|u| u.id)
            .collect()
    }

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

    /// The keys of custom organization roles that hold no permission at all: none granted,
    /// none through any role they include.
    pub fn empty_custom_organization_roles(&self) -> Vec<String> {
        self.roles
            .iter()
            .filter(|r| {
                r.alive && !r.builtin && r.kind == RoleKind::Organization && r.closure.is_empty()
            })
            .map(|r| r.key.clone())
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

    /// Who holds a role, and how: by direct assignment, through a group that holds it, or
    /// through a role (held either way) that includes it. A user is listed under the first
    /// of these that applies; dead and other tenants' users are included as the engine has
    /// them (callers filter by what they show).
    pub fn role_holders(&self, role: RoleId) -> RoleHolders {
        let mut out = RoleHolders::default();
        let Some(&r) = self.role_index.get(&role) else {
            return out;
        };
        // The role and every role including it, transitively.
        let mut includers = vec![r];
        let mut seen = std::collections::HashSet::from([r]);
        let mut at = 0;
        while at < includers.len() {
            for &up in &self.roles[includers[at] as usize].included_by {
                if seen.insert(up) {
                    includers.push(up);
                }
            }
            at += 1;
        }
        let mut placed = std::collections::HashSet::new();
        let mut place = |list: &mut Vec<UserId>, u: u32| {
            let node = &self.users[u as usize];
            if node.alive && placed.insert(u) {
                list.push(node.id);
            }
        };
        for (i, &role) in includers.iter().enumerate() {
            let node = &self.roles[role as usize];
            for &u in &node.holders {
                place(
                    if i == 0 {
                        &mut out.direct
                    } else {
                        &mut out.through_inclusion
                    },
                    u,
                );
            }
            for &g in &node.groups {
                if !self.groups[g as usize].alive {
                    continue;
                }
                for &u in &self.groups[g as usize].members {
                    place(
                        if i == 0 {
                            &mut out.through_groups
                        } else {
                            &mut out.through_inclusion
                        },
                        u,
                    );
                }
            }
        }
        out
    }

    /// Groups with this name (case-insensitive), in any stage.
    pub fn groups_named(&self, name: &str) -> Vec<GroupId> {
        self.groups
            .iter()
            .filter(|g| g.alive && g.name.eq_ignore_ascii_case(name))
            .map(|g| g.id)
            .collect()
    }

    /// Groups in a stage.
    pub fn groups_in_stage(&self, stage: StageId) -> Vec<GroupId> {
        self.groups
            .iter()
            .filter(|g| g.alive && g.stage == stage)
            .map(|g| g.id)
            .collect()
    }

    /// A role by key (case-insensitive).
    pub fn role_keyed(&self, key: &str) -> Option<RoleId> {
        self.roles
            .iter()
            .find(|r| r.alive && r.key.eq_ignore_ascii_case(key))
            .map(|r| r.id)
    }

    /// A stage by name (case-insensitive).
    pub fn stage_named(&self, name: &str) -> Option<StageId> {
        self.stages
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
            .map(|s| s.id)
    }

    /// Users with a direct assignment whose scope names this stage.
    pub fn users_assigned_in_stage(&self, stage: StageId) -> Vec<UserId> {
        self.users
            .iter()
            .filter(|u| u.alive && u.direct.iter().any(|d| d.scope.stage == Some(stage)))
            .map(|u| u.id)
            .collect()
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
