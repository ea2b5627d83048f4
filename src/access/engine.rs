//! The engine's state and its core computations: building from a [`Snapshot`], role closures
//! (in topological order, never by recursion), memoized role paths, group sets, effective sets
//! and `check`. Forward, reverse, explain and preview (sibling files) all read these same
//! structures, which is why they cannot disagree.
//!
//! Semantics: a user who is not active has nothing. Each direct assignment `(role R, scope
//! A)` and each group role `R` of a group `G` the user is in (scope `(G.stage, R.app or
//! any)`) is a *path*; a role has every grant of every role it reaches by
//! inclusion; a grant `(P, S)` under scope `A` gives `(P, S ∩ A)` unless empty; and `(P, S)`
//! gives `(Q, S)` for every `Q` that `P` implies, transitively.

use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;

use super::bitset::BitSet;
use super::closure::StoredCycle;
use super::space::{AtomSpace, Slot};
use crate::model::*;

/// What can go wrong building or updating the engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// A cycle in a store edited behind warden's back (warden refuses them at write time).
    #[error("the store holds a cycle: {0}; remove one of its edges")]
    Cycle(String),
    /// A change that does not fit the engine's state (an unknown id).
    #[error("inconsistent change: {0}")]
    Inconsistent(String),
}

/// One `(permission, scope)` pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Atom {
    pub permission: PermissionId,
    pub scope: Scope,
}

/// A user's effective permissions, as a set of atoms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EffectiveSet {
    pub(crate) bits: BitSet,
}

impl EffectiveSet {
    pub fn is_empty(&self) -> bool {
        self.bits.is_empty()
    }
}

#[derive(Clone, Debug)]
pub(crate) struct PermNode {
    pub id: PermissionId,
    pub key: String,
    pub section: String,
    pub app: Option<AppId>,
    pub implies: Vec<u32>,
    pub implied_by: Vec<u32>,
    /// Every permission this one implies, transitively, itself included.
    pub star: Vec<u32>,
    pub alive: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GrantNode {
    pub perm: u32,
    pub scope: Scope,
}

#[derive(Clone, Debug)]
pub(crate) struct RoleNode {
    pub id: RoleId,
    pub key: String,
    pub kind: RoleKind,
    pub app: Option<AppId>,
    pub builtin: bool,
    pub grants: Vec<GrantNode>,
    pub includes: Vec<u32>,
    pub included_by: Vec<u32>,
    /// Every atom the role holds at the organization scope, implication-closed.
    pub closure: BitSet,
    /// Paths (memoized role-under-scope sets) built on this role.
    pub paths: Vec<u32>,
    /// Groups that hold this role.
    pub groups: Vec<u32>,
    /// Users holding this role by direct assignment (once per assignment).
    pub holders: Vec<u32>,
    pub alive: bool,
}

/// A role under one assignment scope: the atoms it yields there.
#[derive(Clone, Debug)]
pub(crate) struct PathNode {
    pub role: u32,
    pub scope: Scope,
    pub bits: BitSet,
}

#[derive(Clone, Debug)]
pub(crate) struct GroupNode {
    pub id: GroupId,
    pub tenant: TenantId,
    pub name: String,
    pub stage: StageId,
    /// `(role, path)` for each group role.
    pub roles: Vec<(u32, u32)>,
    pub members: Vec<u32>,
    /// The union of its role paths.
    pub bits: BitSet,
    pub alive: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Direct {
    pub role: u32,
    pub scope: Scope,
    pub path: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct UserNode {
    pub id: UserId,
    pub tenant: TenantId,
    pub username: String,
    pub kind: UserKind,
    pub status: UserStatus,
    pub direct: Vec<Direct>,
    pub groups: Vec<u32>,
    pub alive: bool,
}

/// The access engine. Build it once from a snapshot; keep it current with [`Engine::apply`].
#[derive(Clone, Debug)]
pub struct Engine {
    pub(crate) space: AtomSpace,
    pub(crate) stages: Vec<Stage>,
    pub(crate) apps: Vec<App>,
    pub(crate) perms: Vec<PermNode>,
    pub(crate) perm_index: HashMap<PermissionId, u32>,
    pub(crate) roles: Vec<RoleNode>,
    pub(crate) role_index: HashMap<RoleId, u32>,
    pub(crate) paths: Vec<PathNode>,
    pub(crate) path_index: HashMap<(u32, Scope), u32>,
    pub(crate) groups: Vec<GroupNode>,
    pub(crate) group_index: HashMap<GroupId, u32>,
    pub(crate) users: Vec<Arc<UserNode>>,
    pub(crate) user_index: HashMap<UserId, u32>,
    /// Cycles in the stored graph, found by [`Engine::build_allowing_cycles`] (empty otherwise).
    pub(crate) cycles: Vec<StoredCycle>,
}

impl Engine {
    /// Builds the engine, refusing a snapshot with an inclusion or implication cycle.
    pub fn build(snapshot: &Snapshot) -> Result<Engine, EngineError> {
        let engine = Engine::build_allowing_cycles(snapshot)?;
        match engine.cycles.first() {
            Some(cycle) => Err(EngineError::Cycle(cycle.description.clone())),
            None => Ok(engine),
        }
    }

    /// Builds the engine even over a store holding a cycle (written behind warden's back):
    /// every role or permission on a cycle then holds what the whole cycle holds, as the
    /// `effective_permissions` view computes it, and [`Engine::cycles`] names each cycle. What
    /// judges a write that repairs such a store uses this; everything else refuses cycles.
    pub fn build_allowing_cycles(snapshot: &Snapshot) -> Result<Engine, EngineError> {
        let mut stages = snapshot.stages.clone();
        stages.sort_by_key(|s| (s.position, s.id));
        let mut engine = Engine {
            space: AtomSpace::default(),
            stages,
            apps: snapshot.apps.clone(),
            perms: Vec::with_capacity(snapshot.permissions.len()),
            perm_index: HashMap::new(),
            roles: Vec::with_capacity(snapshot.roles.len()),
            role_index: HashMap::new(),
            paths: Vec::new(),
            path_index: HashMap::new(),
            groups: Vec::with_capacity(snapshot.groups.len()),
            group_index: HashMap::new(),
            users: Vec::with_capacity(snapshot.users.len()),
            user_index: HashMap::with_capacity(snapshot.users.len()),
            cycles: Vec::new(),
        };
        engine.reset_space();
        for p in &snapshot.permissions {
            engine.add_perm_node(p.id, &p.key, &p.section, p.app);
        }
        for (from, to) in &snapshot.implications {
            let (f, t) = (engine.perm(*from)?, engine.perm(*to)?);
            engine.perms[f as usize].implies.push(t);
            engine.perms[t as usize].implied_by.push(f);
        }
        let mut cycles = engine.compute_stars();
        for r in &snapshot.roles {
            engine.add_role_node(r.id, &r.key, r.kind, r.app, r.builtin);
        }
        for g in &snapshot.grants {
            let (role, perm) = (engine.role(g.role)?, engine.perm(g.permission)?);
            engine.roles[role as usize].grants.push(GrantNode {
                perm,
                scope: g.scope,
            });
        }
        for (from, to) in &snapshot.includes {
            let (f, t) = (engine.role(*from)?, engine.role(*to)?);
            engine.roles[f as usize].includes.push(t);
            engine.roles[t as usize].included_by.push(f);
        }
        let all: Vec<u32> = (0..engine.roles.len() as u32).collect();
        cycles.extend(engine.compute_closures(&all));
        engine.cycles = cycles;
        for g in &snapshot.groups {
            engine.add_group_node(g.id, g.tenant, &g.name, g.stage);
        }
        for u in &snapshot.users {
            engine.add_user_node(u.id, u.tenant, &u.username, u.kind, u.status);
        }
        for (group, role) in &snapshot.group_roles {
            engine.link_group_role(engine.group(*group)?, engine.role(*role)?);
        }
        for (group, user) in &snapshot.members {
            let (g, u) = (engine.group(*group)?, engine.user(*user)?);
            engine.groups[g as usize].members.push(u);
            engine.user_node_mut(u).groups.push(g);
        }
        for a in &snapshot.assignments {
            let (u, r) = (engine.user(a.user)?, engine.role(a.role)?);
            engine.link_direct(u, r, a.scope);
        }
        for g in 0..engine.groups.len() as u32 {
            engine.recompute_group(g);
        }
        Ok(engine)
    }

    // ── lookups ───────────────────────────────────────────────────────────────────────────

    pub(crate) fn perm(&self, id: PermissionId) -> Result<u32, EngineError> {
        self.perm_index
            .get(&id)
            .copied()
            .ok_or_else(|| EngineError::Inconsistent(format!("unknown permission #{id}")))
    }

    pub(crate) fn role(&self, id: RoleId) -> Result<u32, EngineError> {
        self.role_index
            .get(&id)
            .copied()
            .ok_or_else(|| EngineError::Inconsistent(format!("unknown role #{id}")))
    }

    pub(crate) fn group(&self, id: GroupId) -> Result<u32, EngineError> {
        self.group_index
            .get(&id)
            .copied()
            .ok_or_else(|| EngineError::Inconsistent(format!("unknown group #{id}")))
    }

    pub(crate) fn user(&self, id: UserId) -> Result<u32, EngineError> {
        self.user_index
            .get(&id)
            .copied()
            .ok_or_else(|| EngineError::Inconsistent(format!("unknown user #{id}")))
    }

    /// A permission's key, for output.
    pub fn permission_key(&self, id: PermissionId) -> Option<&str> {
        let p = &self.perms[*self.perm_index.get(&id)? as usize];
        Some(p.key.as_str())
    }

    /// A permission's section, for grouping output.
    pub fn permission_section(&self, id: PermissionId) -> Option<&str> {
        let p = &self.perms[*self.perm_index.get(&id)? as usize];
        Some(p.section.as_str())
    }

    pub fn permission_by_key(&self, key: &str) -> Option<PermissionId> {
        self.perms
            .iter()
            .find(|p| p.alive && p.key == key)
            .map(|p| p.id)
    }

    /// Whether a permission belongs to the organization catalog (not to an app).
    pub fn permission_is_catalog(&self, id: PermissionId) -> bool {
        self.perm_index
            .get(&id)
            .is_some_and(|&p| self.perms[p as usize].app.is_none())
    }

    /// The permissions `id` implies, transitively, itself excluded.
    pub fn implied_permissions(&self, id: PermissionId) -> Vec<PermissionId> {
        match self.perm_index.get(&id) {
            Some(&p) => self.perms[p as usize]
                .star
                .iter()
                .filter(|&&q| q != p)
                .map(|&q| self.perms[q as usize].id)
                .collect(),
            None => Vec::new(),
        }
    }

    /// Every atom a role gives when held at `scope` (its closure under that scope).
    pub fn role_atoms(&self, role: RoleId, scope: Scope) -> Vec<Atom> {
        let (Some(&r), Some(under)) = (self.role_index.get(&role), self.slot(scope)) else {
            return Vec::new();
        };
        self.roles[r as usize]
            .closure
            .iter()
            .filter_map(|atom| {
                let (perm, slot) = self.space.split(atom);
                let meet = self.space.meet(slot, under)?;
                Some(self.atom_of(self.space.atom(perm, meet)))
            })
            .collect()
    }

    pub fn role_key(&self, id: RoleId) -> Option<&str> {
        Some(self.roles[*self.role_index.get(&id)? as usize].key.as_str())
    }

    pub fn stage_name(&self, id: StageId) -> Option<&str> {
        self.stages
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.as_str())
    }

    pub fn app_key(&self, id: AppId) -> Option<&str> {
        self.apps
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.key.as_str())
    }

    pub fn username(&self, id: UserId) -> Option<&str> {
        Some(
            self.users[*self.user_index.get(&id)? as usize]
                .username
                .as_str(),
        )
    }

    pub fn user_status(&self, id: UserId) -> Option<UserStatus> {
        let u = &self.users[*self.user_index.get(&id)? as usize];
        u.alive.then_some(u.status)
    }

    /// The users the engine knows, alive ones only.
    pub fn user_count(&self) -> usize {
        self.users.iter().filter(|u| u.alive).count()
    }

    /// Every alive user id, in load order.
    pub fn user_ids(&self) -> impl Iterator<Item = UserId> + '_ {
        self.users.iter().filter(|u| u.alive).map(|u| u.id)
    }

    /// `organization`, `stage QA`, `app shop`, `stage QA, app shop`.
    pub fn describe_scope(&self, scope: Scope) -> String {
        NamedScope {
            scope,
            stage: scope
                .stage
                .and_then(|s| self.stage_name(s))
                .map(String::from),
            app: scope.app.and_then(|a| self.app_key(a)).map(String::from),
        }
        .describe()
    }

    /// `users.view`, `monitoring.view@QA`, `shop.read@QA/shop`: an atom in one word.
    pub fn atom_label(&self, atom: Atom) -> String {
        let key = self.permission_key(atom.permission).unwrap_or("?");
        let stage = atom.scope.stage.and_then(|s| self.stage_name(s));
        let app = atom.scope.app.and_then(|a| self.app_key(a));
        match (stage, app) {
            (None, None) => key.to_string(),
            (Some(s), None) => format!("{key}@{s}"),
            (None, Some(a)) => format!("{key}@{a}"),
            (Some(s), Some(a)) => format!("{key}@{s}/{a}"),
        }
    }

    // ── node construction ─────────────────────────────────────────────────────────────────

    /// Rebuilds the atom space from the current stages and apps.
    pub(crate) fn reset_space(&mut self) {
        self.space = AtomSpace::new(
            self.stages.iter().map(|s| s.id).collect(),
            self.apps.iter().map(|a| a.id).collect(),
        );
    }

    pub(crate) fn add_perm_node(
        &mut self,
        id: PermissionId,
        key: &str,
        section: &str,
        app: Option<AppId>,
    ) -> u32 {
        if let Some(&i) = self.perm_index.get(&id) {
            let p = &mut self.perms[i as usize];
            p.key = key.to_string();
            p.section = section.to_string();
            p.app = app;
            p.alive = true;
            return i;
        }
        let i = self.perms.len() as u32;
        self.perms.push(PermNode {
            id,
            key: key.to_string(),
            section: section.to_string(),
            app,
            implies: Vec::new(),
            implied_by: Vec::new(),
            star: vec![i],
            alive: true,
        });
        self.perm_index.insert(id, i);
        i
    }

    pub(crate) fn add_role_node(
        &mut self,
        id: RoleId,
        key: &str,
        kind: RoleKind,
        app: Option<AppId>,
        builtin: bool,
    ) -> u32 {
        if let Some(&i) = self.role_index.get(&id) {
            let r = &mut self.roles[i as usize];
            r.key = key.to_string();
            r.kind = kind;
            r.app = app;
            r.builtin = builtin;
            r.alive = true;
            return i;
        }
        let i = self.roles.len() as u32;
        self.roles.push(RoleNode {
            id,
            key: key.to_string(),
            kind,
            app,
            builtin,
            grants: Vec::new(),
            includes: Vec::new(),
            included_by: Vec::new(),
            closure: BitSet::new(),
            paths: Vec::new(),
            groups: Vec::new(),
            holders: Vec::new(),
            alive: true,
        });
        self.role_index.insert(id, i);
        i
    }

    pub(crate) fn add_group_node(
        &mut self,
        id: GroupId,
        tenant: TenantId,
        name: &str,
        stage: StageId,
    ) -> u32 {
        if let Some(&i) = self.group_index.get(&id) {
            let g = &mut self.groups[i as usize];
            g.tenant = tenant;
            g.name = name.to_string();
            g.stage = stage;
            g.alive = true;
            return i;
        }
        let i = self.groups.len() as u32;
        self.groups.push(GroupNode {
            id,
            tenant,
            name: name.to_string(),
            stage,
            roles: Vec::new(),
            members: Vec::new(),
            bits: BitSet::new(),
            alive: true,
        });
        self.group_index.insert(id, i);
        i
    }

    pub(crate) fn add_user_node(
        &mut self,
        id: UserId,
        tenant: TenantId,
        username: &str,
        kind: UserKind,
        status: UserStatus,
    ) -> u32 {
        if let Some(&i) = self.user_index.get(&id) {
            let u = self.user_node_mut(i);
            u.tenant = tenant;
            u.username = username.to_string();
            u.kind = kind;
            u.status = status;
            u.alive = true;
            return i;
        }
        let i = self.users.len() as u32;
        self.users.push(Arc::new(UserNode {
            id,
            tenant,
            username: username.to_string(),
            kind,
            status,
            direct: Vec::new(),
            groups: Vec::new(),
            alive: true,
        }));
        self.user_index.insert(id, i);
        i
    }

    /// The path for `role` under `scope`, created (and computed) on first use.
    pub(crate) fn path_for(&mut self, role: u32, scope: Scope) -> u32 {
        if let Some(&p) = self.path_index.get(&(role, scope)) {
            return p;
        }
        let p = self.paths.len() as u32;
        self.paths.push(PathNode {
            role,
            scope,
            bits: BitSet::new(),
        });
        self.path_index.insert((role, scope), p);
        self.roles[role as usize].paths.push(p);
        self.recompute_path(p);
        p
    }

    /// The scope a group gives its role: `(G.stage, R.app or any)`.
    pub(crate) fn group_role_scope(&self, group: u32, role: u32) -> Scope {
        Scope::new(
            Some(self.groups[group as usize].stage),
            self.roles[role as usize].app,
        )
    }

    pub(crate) fn link_group_role(&mut self, group: u32, role: u32) {
        let scope = self.group_role_scope(group, role);
        let path = self.path_for(role, scope);
        self.groups[group as usize].roles.push((role, path));
        self.roles[role as usize].groups.push(group);
    }

    /// A user's node to change. Nodes are shared between an engine and its clones (a preview's
    /// copy of 100,000 users is then 100,000 reference counts, not 300,000 allocations); the
    /// first change to a shared node gives this engine its own copy.
    pub(crate) fn user_node_mut(&mut self, user: u32) -> &mut UserNode {
        Arc::make_mut(&mut self.users[user as usize])
    }

    pub(crate) fn link_direct(&mut self, user: u32, role: u32, scope: Scope) {
        let path = self.path_for(role, scope);
        self.user_node_mut(user)
            .direct
            .push(Direct { role, scope, path });
        self.roles[role as usize].holders.push(user);
    }

    // ── effective sets ────────────────────────────────────────────────────────────────────

    fn is_active(&self, u: u32) -> bool {
        let user = &self.users[u as usize];
        user.alive && user.status == UserStatus::Active
    }

    /// The atoms of user `u` (by index): nothing unless active.
    pub(crate) fn effective_bits(&self, u: u32) -> BitSet {
        let mut bits = BitSet::new();
        self.effective_into(u, &mut bits);
        bits
    }

    pub(crate) fn effective_into(&self, u: u32, bits: &mut BitSet) {
        bits.clear();
        if !self.is_active(u) {
            return;
        }
        let user = &self.users[u as usize];
        for d in &user.direct {
            bits.union_with(&self.paths[d.path as usize].bits);
        }
        for &g in &user.groups {
            bits.union_with(&self.groups[g as usize].bits);
        }
    }

    /// The effective set of a user; `None` for an unknown user.
    pub fn effective(&self, user: UserId) -> Option<EffectiveSet> {
        let u = *self.user_index.get(&user)?;
        Some(EffectiveSet {
            bits: self.effective_bits(u),
        })
    }

    /// The atoms of a set, each reported once at its widest scope (an atom covered by a wider
    /// one of the same permission is left out), ordered by permission key then scope.
    pub fn atoms(&self, set: &EffectiveSet) -> Vec<Atom> {
        let mut atoms: Vec<Atom> = self.widest(&set.bits).map(|a| self.atom_of(a)).collect();
        self.sort_atoms(&mut atoms);
        atoms
    }

    /// Output order: by permission key, then scope (organization first).
    pub fn sort_atoms(&self, atoms: &mut [Atom]) {
        atoms.sort_by_cached_key(|a| {
            (
                self.permission_key(a.permission).unwrap_or("").to_string(),
                a.scope.stage.is_some(),
                a.scope.app.is_some(),
                self.slot(a.scope),
            )
        });
    }

    /// The members of `bits` not covered by another member.
    pub(crate) fn widest<'a>(&'a self, bits: &'a BitSet) -> impl Iterator<Item = usize> + 'a {
        bits.iter().filter(move |&atom| {
            let (perm, slot) = self.space.split(atom);
            !self
                .space
                .covering(slot)
                .any(|wider| wider != slot && bits.contains(self.space.atom(perm, wider)))
        })
    }

    /// Whether `bits` holds `perm` at a scope covering `slot`.
    pub(crate) fn bits_cover(&self, bits: &BitSet, perm: u32, slot: Slot) -> bool {
        self.space
            .covering(slot)
            .any(|wider| bits.contains(self.space.atom(perm, wider)))
    }

    pub(crate) fn atom_of(&self, atom: usize) -> Atom {
        let (perm, slot) = self.space.split(atom);
        Atom {
            permission: self.perms[perm as usize].id,
            scope: self.space.scope(slot),
        }
    }

    /// Whether `user` holds `permission` at a scope covering `scope`.
    pub fn check(&self, user: UserId, permission: PermissionId, scope: Scope) -> bool {
        let (Some(&u), Some(&p), Some(slot)) = (
            self.user_index.get(&user),
            self.perm_index.get(&permission),
            self.space.slot(scope),
        ) else {
            return false;
        };
        self.check_index(u, p, slot)
    }

    pub(crate) fn check_index(&self, u: u32, perm: u32, slot: Slot) -> bool {
        if !self.is_active(u) {
            return false;
        }
        let user = &self.users[u as usize];
        user.direct
            .iter()
            .any(|d| self.bits_cover(&self.paths[d.path as usize].bits, perm, slot))
            || user
                .groups
                .iter()
                .any(|&g| self.bits_cover(&self.groups[g as usize].bits, perm, slot))
    }

    /// A scope's slot, if the scope's stage and app exist.
    pub(crate) fn slot(&self, scope: Scope) -> Option<Slot> {
        self.space.slot(scope)
    }
}
