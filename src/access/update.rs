//! Keeping the engine current: [`Engine::apply`] takes the same [`Change`]s the store applies
//! and updates only what they reach — a grant recomputes its role, the roles that include it,
//! their paths and the groups holding them; an assignment touches one user. Only a change to
//! the shape of the atom space (a stage or an app added or removed) recomputes every set.
//! Removed users, groups, roles and permissions stay as dead nodes so indices stay stable and
//! an undo can bring them back.

use super::engine::{Engine, EngineError, GrantNode};
use crate::model::*;

impl Engine {
    /// Applies one change.
    pub fn apply(&mut self, change: &Change) -> Result<(), EngineError> {
        match change {
            // No bearing on who can do what.
            Change::AddTenant { .. }
            | Change::MapPeer { .. }
            | Change::EditApp { .. }
            | Change::SetPassword { .. }
            | Change::Unlock { .. }
            | Change::SetSetting { .. }
            | Change::CreateToken { .. }
            | Change::RevokeToken { .. } => {}
            Change::AddStage { id, name, position } => {
                self.stages.retain(|s| s.id != *id);
                self.stages.push(Stage {
                    id: *id,
                    name: name.clone(),
                    position: *position,
                });
                self.stages.sort_by_key(|s| (s.position, s.id));
                self.recompute_everything()?;
            }
            Change::DeleteStage { stage, .. } => {
                self.stages.retain(|s| s.id != stage.id);
                self.recompute_everything()?;
            }
            Change::AddApp { id, key, fields } => {
                self.apps.retain(|a| a.id != *id);
                self.apps.push(App {
                    id: *id,
                    key: key.clone(),
                    name: fields.name.clone(),
                    description: fields.description.clone(),
                });
                self.recompute_everything()?;
            }
            Change::DeleteApp { app, .. } => {
                self.apps.retain(|a| a.id != app.id);
                self.recompute_everything()?;
            }
            Change::AddUser {
                id,
                tenant,
                fields,
                status,
            } => {
                self.add_user_node(*id, tenant.id, &fields.username, fields.kind, *status);
            }
            Change::EditUser { user, after, .. } => {
                let node = self.user_node_mut(self.user(user.id)?);
                node.username = after.username.clone();
                node.kind = after.kind;
            }
            Change::SetUserStatus { user, after, .. } => {
                let u = self.user(user.id)?;
                self.user_node_mut(u).status = *after;
            }
            Change::DeleteUser { user, .. } => {
                let u = self.user(user.id)?;
                // Whatever the change list did not remove explicitly goes with the user.
                for d in std::mem::take(&mut self.user_node_mut(u).direct) {
                    remove_one(&mut self.roles[d.role as usize].holders, u);
                }
                for g in std::mem::take(&mut self.user_node_mut(u).groups) {
                    remove_one(&mut self.groups[g as usize].members, u);
                }
                self.user_node_mut(u).alive = false;
            }
            Change::AddGroup {
                id,
                tenant,
                stage,
                fields,
            } => {
                self.add_group_node(*id, tenant.id, &fields.name, stage.id);
            }
            Change::EditGroup { group, after, .. } => {
                let g = self.group(group.id)? as usize;
                self.groups[g].name = after.name.clone();
            }
            Change::DeleteGroup { group, .. } => {
                let g = self.group(group.id)?;
                for u in std::mem::take(&mut self.groups[g as usize].members) {
                    remove_one(&mut self.user_node_mut(u).groups, g);
                }
                for (r, _) in std::mem::take(&mut self.groups[g as usize].roles) {
                    remove_one(&mut self.roles[r as usize].groups, g);
                }
                self.recompute_group(g);
                self.groups[g as usize].alive = false;
            }
            Change::AddMember { group, user } => {
                let (g, u) = (self.group(group.id)?, self.user(user.id)?);
                self.groups[g as usize].members.push(u);
                self.user_node_mut(u).groups.push(g);
            }
            Change::RemoveMember { group, user } => {
                let (g, u) = (self.group(group.id)?, self.user(user.id)?);
                remove_one(&mut self.groups[g as usize].members, u);
                remove_one(&mut self.user_node_mut(u).groups, g);
            }
            Change::AddGroupRole { group, role } => {
                let (g, r) = (self.group(group.id)?, self.role(role.id)?);
                self.link_group_role(g, r);
                self.recompute_group(g);
            }
            Change::RemoveGroupRole { group, role } => {
                let (g, r) = (self.group(group.id)?, self.role(role.id)?);
                let roles = &mut self.groups[g as usize].roles;
                if let Some(i) = roles.iter().position(|(x, _)| *x == r) {
                    roles.remove(i);
                }
                remove_one(&mut self.roles[r as usize].groups, g);
                self.recompute_group(g);
            }
            Change::AddRole {
                id,
                key,
                kind,
                app,
                builtin,
                grants,
                includes,
                ..
            } => {
                let r = self.add_role_node(*id, key, *kind, app.as_ref().map(|a| a.id), *builtin);
                for grant in grants {
                    let perm = self.perm(grant.permission.id)?;
                    self.roles[r as usize].grants.push(GrantNode {
                        perm,
                        scope: grant.scope.scope,
                    });
                }
                for included in includes {
                    let c = self.role(included.id)?;
                    self.link_include(r, c)?;
                }
                self.recompute_closures(&[r])?;
            }
            Change::EditRole { .. } => {}
            Change::DeleteRole { role, .. } => {
                let r = self.role(role.id)?;
                // Whatever was not removed explicitly goes with the role.
                for c in std::mem::take(&mut self.roles[r as usize].includes) {
                    remove_one(&mut self.roles[c as usize].included_by, r);
                }
                let parents = std::mem::take(&mut self.roles[r as usize].included_by);
                for &p in &parents {
                    remove_one(&mut self.roles[p as usize].includes, r);
                }
                self.roles[r as usize].grants.clear();
                for u in std::mem::take(&mut self.roles[r as usize].holders) {
                    self.user_node_mut(u).direct.retain(|d| d.role != r);
                }
                for g in std::mem::take(&mut self.roles[r as usize].groups) {
                    self.groups[g as usize].roles.retain(|(x, _)| *x != r);
                    self.recompute_group(g);
                }
                self.roles[r as usize].alive = false;
                let mut changed = parents;
                changed.push(r);
                self.recompute_closures(&changed)?;
            }
            Change::Grant {
                role,
                permission,
                scope,
            } => {
                let (r, p) = (self.role(role.id)?, self.perm(permission.id)?);
                self.roles[r as usize].grants.push(GrantNode {
                    perm: p,
                    scope: scope.scope,
                });
                self.recompute_closures(&[r])?;
            }
            Change::Revoke {
                role,
                permission,
                scope,
            } => {
                let (r, p) = (self.role(role.id)?, self.perm(permission.id)?);
                let grants = &mut self.roles[r as usize].grants;
                if let Some(i) = grants
                    .iter()
                    .position(|g| g.perm == p && g.scope == scope.scope)
                {
                    grants.remove(i);
                }
                self.recompute_closures(&[r])?;
            }
            Change::Include { role, included } => {
                let (r, c) = (self.role(role.id)?, self.role(included.id)?);
                self.link_include(r, c)?;
                self.recompute_closures(&[r])?;
            }
            Change::Exclude { role, included } => {
                let (r, c) = (self.role(role.id)?, self.role(included.id)?);
                remove_one(&mut self.roles[r as usize].includes, c);
                remove_one(&mut self.roles[c as usize].included_by, r);
                self.recompute_closures(&[r])?;
            }
            Change::AddPermission {
                id,
                key,
                fields,
                app,
                ..
            } => {
                self.add_perm_node(*id, key, &fields.section, app.as_ref().map(|a| a.id));
            }
            Change::EditPermission {
                permission, after, ..
            } => {
                let p = self.perm(permission.id)? as usize;
                self.perms[p].section = after.section.clone();
            }
            Change::DeletePermission { permission, .. } => {
                let p = self.perm(permission.id)?;
                let (implies, implied_by) = {
                    let node = &mut self.perms[p as usize];
                    node.alive = false;
                    (
                        std::mem::take(&mut node.implies),
                        std::mem::take(&mut node.implied_by),
                    )
                };
                for q in implies {
                    remove_one(&mut self.perms[q as usize].implied_by, p);
                }
                for q in implied_by {
                    remove_one(&mut self.perms[q as usize].implies, p);
                }
                let holders: Vec<u32> = (0..self.roles.len() as u32)
                    .filter(|&r| self.roles[r as usize].grants.iter().any(|g| g.perm == p))
                    .collect();
                for &r in &holders {
                    self.roles[r as usize].grants.retain(|g| g.perm != p);
                }
                self.recompute_stars()?;
                let all: Vec<u32> = (0..self.roles.len() as u32).collect();
                self.recompute_closures(&all)?;
            }
            Change::Imply {
                permission,
                implied,
            } => {
                let (p, q) = (self.perm(permission.id)?, self.perm(implied.id)?);
                self.perms[p as usize].implies.push(q);
                self.perms[q as usize].implied_by.push(p);
                self.after_implication_change(p)?;
            }
            Change::Unimply {
                permission,
                implied,
            } => {
                let (p, q) = (self.perm(permission.id)?, self.perm(implied.id)?);
                remove_one(&mut self.perms[p as usize].implies, q);
                remove_one(&mut self.perms[q as usize].implied_by, p);
                self.after_implication_change(p)?;
            }
            Change::Assign { user, role, scope } => {
                let (u, r) = (self.user(user.id)?, self.role(role.id)?);
                self.link_direct(u, r, scope.scope);
            }
            Change::Unassign { user, role, scope } => {
                let (u, r) = (self.user(user.id)?, self.role(role.id)?);
                let direct = &mut self.user_node_mut(u).direct;
                if let Some(i) = direct
                    .iter()
                    .position(|d| d.role == r && d.scope == scope.scope)
                {
                    direct.remove(i);
                    remove_one(&mut self.roles[r as usize].holders, u);
                }
            }
        }
        Ok(())
    }

    /// Applies changes in order.
    pub fn apply_all(&mut self, changes: &[Change]) -> Result<(), EngineError> {
        for change in changes {
            self.apply(change)?;
        }
        Ok(())
    }

    fn link_include(&mut self, role: u32, included: u32) -> Result<(), EngineError> {
        let successors = |r: u32| self.roles[r as usize].includes.clone();
        if let Some(cycle) = super::cycle::cycle_through_edge(successors, role, included) {
            let keys: Vec<String> = cycle
                .into_iter()
                .map(|r| self.roles[r as usize].key.clone())
                .collect();
            return Err(EngineError::Cycle(format!(
                "role {}",
                keys.join(" includes ")
            )));
        }
        self.roles[role as usize].includes.push(included);
        self.roles[included as usize].included_by.push(role);
        Ok(())
    }

    /// After an implication edge from `p` changed: every permission's star may change, and so
    /// may every role that holds `p` or a permission implying it.
    fn after_implication_change(&mut self, p: u32) -> Result<(), EngineError> {
        self.recompute_stars()?;
        let reaching: Vec<u32> = (0..self.perms.len() as u32)
            .filter(|&x| self.perms[x as usize].star.contains(&p))
            .collect();
        let roles: Vec<u32> = (0..self.roles.len() as u32)
            .filter(|&r| {
                self.roles[r as usize]
                    .grants
                    .iter()
                    .any(|g| reaching.contains(&g.perm))
            })
            .collect();
        self.recompute_closures(&roles)
    }
}

/// Removes one occurrence of `item`.
fn remove_one(list: &mut Vec<u32>, item: u32) {
    if let Some(i) = list.iter().position(|x| *x == item) {
        list.swap_remove(i);
    }
}
