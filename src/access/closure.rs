//! Closures: each permission's transitive implications (its *star*), each role's atoms through
//! inclusion (its *closure*), and the paths and group sets built on them. Computed in an order
//! where what a node depends on comes first, never by recursion.
//!
//! warden refuses cycles at write time, but a store edited behind its back may hold one. The
//! order is therefore taken over strongly connected components: a cycle is computed as one unit
//! (every member holds what the whole cycle holds, as the `effective_permissions` view has it)
//! and reported as a [`StoredCycle`]. Whether a cycle is an error is the caller's choice: the
//! incremental updates and [`Engine::build`] refuse one, the write path that repairs a damaged
//! store ([`Engine::build_allowing_cycles`]) works over it.

use foldhash::{HashMap, HashSet, HashSetExt};

use super::bitset::BitSet;
use super::cycle;
use super::engine::{Engine, EngineError, PathNode};
use crate::model::{PermissionId, RoleId};

/// One edge of the stored graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GraphEdge {
    /// The first role includes the second.
    Include(RoleId, RoleId),
    /// The first permission implies the second.
    Imply(PermissionId, PermissionId),
}

/// A cycle in the stored graph: one strongly connected component of role inclusion or of
/// permission implication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCycle {
    /// The shortest cycle through the component's first member, by name:
    /// `role a includes b includes a`, `permission p implies q implies p`.
    pub description: String,
    /// Every edge between two members of the component: removing edges from this list (or
    /// deleting a member) is what breaks the cycle.
    pub edges: Vec<GraphEdge>,
}

impl Engine {
    /// Cycles of the stored graph (only an engine from [`Engine::build_allowing_cycles`] has
    /// any).
    pub fn cycles(&self) -> &[StoredCycle] {
        &self.cycles
    }

    /// Recomputes every permission's star, refusing a cycle.
    pub(crate) fn recompute_stars(&mut self) -> Result<(), EngineError> {
        refuse_cycles(self.compute_stars())
    }

    /// Recomputes every permission's star; a cycle is computed as one unit and returned.
    pub(crate) fn compute_stars(&mut self) -> Vec<StoredCycle> {
        let components =
            cycle::components(self.perms.len(), |p| self.perms[p as usize].implies.clone());
        let mut cycles = Vec::new();
        for members in components {
            // What the component implies: its members, then the stars of what they imply
            // outside it (computed before, in this order).
            let mut shared: Vec<u32> = members.clone();
            let mut seen: HashSet<u32> = members.iter().copied().collect();
            for &p in &members {
                for &q in &self.perms[p as usize].implies {
                    if members.binary_search(&q).is_err() {
                        for &r in &self.perms[q as usize].star {
                            if seen.insert(r) {
                                shared.push(r);
                            }
                        }
                    }
                }
            }
            if let Some(found) = self.permission_cycle(&members) {
                cycles.push(found);
            }
            for &p in &members {
                // The permission itself first, as every star starts.
                let mut star = Vec::with_capacity(shared.len());
                star.push(p);
                star.extend(shared.iter().copied().filter(|&q| q != p));
                self.perms[p as usize].star = star;
            }
        }
        cycles
    }

    /// Recomputes the closures of `changed` and of every role that includes one of them, then
    /// their paths and groups, refusing a cycle.
    pub(crate) fn recompute_closures(&mut self, changed: &[u32]) -> Result<(), EngineError> {
        refuse_cycles(self.compute_closures(changed))
    }

    /// Recomputes the closures of `changed` and of every role that includes one of them, in an
    /// order where a role comes after the roles it includes; then their paths and groups. A
    /// cycle is computed as one unit and returned.
    pub(crate) fn compute_closures(&mut self, changed: &[u32]) -> Vec<StoredCycle> {
        // Every role whose closure can change: the changed ones and their ancestors.
        let mut affected: HashSet<u32> = HashSet::new();
        let mut stack: Vec<u32> = changed.to_vec();
        while let Some(r) = stack.pop() {
            if affected.insert(r) {
                stack.extend(self.roles[r as usize].included_by.iter().copied());
            }
        }
        let components = self.role_components(&affected);
        let mut cycles = Vec::new();
        for members in &components {
            if let Some(found) = self.role_cycle(members) {
                cycles.push(found);
            }
            let closure = self.closure_of(members);
            if let [only] = members[..] {
                self.roles[only as usize].closure = closure;
            } else {
                for &r in members {
                    self.roles[r as usize].closure = closure.clone();
                }
            }
        }
        let mut groups: HashSet<u32> = HashSet::new();
        for &r in components.iter().flatten() {
            for i in 0..self.roles[r as usize].paths.len() {
                let p = self.roles[r as usize].paths[i];
                self.recompute_path(p);
            }
            groups.extend(self.roles[r as usize].groups.iter().copied());
        }
        for g in groups {
            self.recompute_group(g);
        }
        cycles
    }

    /// The components of the inclusion graph induced on `set`, what a role includes first.
    fn role_components(&self, set: &HashSet<u32>) -> Vec<Vec<u32>> {
        let mut nodes: Vec<u32> = set.iter().copied().collect();
        nodes.sort_unstable();
        let local: HashMap<u32, u32> = nodes
            .iter()
            .enumerate()
            .map(|(i, &r)| (r, i as u32))
            .collect();
        cycle::components(nodes.len(), |i| {
            self.roles[nodes[i as usize] as usize]
                .includes
                .iter()
                .filter_map(|c| local.get(c).copied())
                .collect::<Vec<u32>>()
        })
        .into_iter()
        .map(|component| {
            let mut roles: Vec<u32> = component.into_iter().map(|i| nodes[i as usize]).collect();
            roles.sort_unstable();
            roles
        })
        .collect()
    }

    /// The atoms of a component of roles (one role, or every role of a cycle): their own
    /// grants, implication-closed, plus the closures of the roles they include outside it.
    fn closure_of(&self, members: &[u32]) -> BitSet {
        let mut bits = BitSet::new();
        for &r in members {
            let role = &self.roles[r as usize];
            if !role.alive {
                continue;
            }
            for grant in &role.grants {
                let Some(slot) = self.space.slot(grant.scope) else {
                    continue;
                };
                for &q in &self.perms[grant.perm as usize].star {
                    bits.insert(self.space.atom(q, slot));
                }
            }
            for &c in &role.includes {
                if members.binary_search(&c).is_err() {
                    bits.union_with(&self.roles[c as usize].closure);
                }
            }
        }
        bits
    }

    /// The cycle a component of roles forms, if it forms one.
    fn role_cycle(&self, members: &[u32]) -> Option<StoredCycle> {
        component_cycle(
            members,
            |r| &self.roles[r as usize].includes,
            |r| &self.roles[r as usize].key,
            "role",
            "includes",
            |a, b| GraphEdge::Include(self.roles[a as usize].id, self.roles[b as usize].id),
        )
    }

    /// The cycle a component of permissions forms, if it forms one.
    fn permission_cycle(&self, members: &[u32]) -> Option<StoredCycle> {
        component_cycle(
            members,
            |p| &self.perms[p as usize].implies,
            |p| &self.perms[p as usize].key,
            "permission",
            "implies",
            |a, b| GraphEdge::Imply(self.perms[a as usize].id, self.perms[b as usize].id),
        )
    }

    /// A path's atoms: its role's closure with every scope intersected with the path's scope.
    pub(crate) fn recompute_path(&mut self, p: u32) {
        let PathNode { role, scope, .. } = self.paths[p as usize];
        let closure = &self.roles[role as usize].closure;
        let bits = match self.space.slot(scope) {
            Some(0) => closure.clone(),
            Some(under) => {
                let mut bits = BitSet::new();
                for atom in closure.iter() {
                    let (perm, slot) = self.space.split(atom);
                    if let Some(meet) = self.space.meet(slot, under) {
                        bits.insert(self.space.atom(perm, meet));
                    }
                }
                bits
            }
            // A scope naming a stage or app that no longer exists yields nothing.
            None => BitSet::new(),
        };
        self.paths[p as usize].bits = bits;
    }

    pub(crate) fn recompute_group(&mut self, g: u32) {
        let mut bits = BitSet::new();
        for &(_, path) in &self.groups[g as usize].roles {
            bits.union_with(&self.paths[path as usize].bits);
        }
        self.groups[g as usize].bits = bits;
    }

    /// Recomputes every closure, path and group set (after the atom space changed shape).
    pub(crate) fn recompute_everything(&mut self) -> Result<(), EngineError> {
        self.reset_space();
        self.recompute_stars()?;
        let all: Vec<u32> = (0..self.roles.len() as u32).collect();
        self.recompute_closures(&all)?;
        for p in 0..self.paths.len() as u32 {
            self.recompute_path(p);
        }
        for g in 0..self.groups.len() as u32 {
            self.recompute_group(g);
        }
        Ok(())
    }
}

/// The cycle a component (sorted node indexes) forms, if it forms one: every edge inside it,
/// and the shortest cycle through its first edge, by name (`role a includes b includes a`).
fn component_cycle<'e>(
    members: &[u32],
    successors: impl Fn(u32) -> &'e Vec<u32>,
    key: impl Fn(u32) -> &'e String,
    noun: &str,
    verb: &str,
    edge: impl Fn(u32, u32) -> GraphEdge,
) -> Option<StoredCycle> {
    let inside: Vec<(u32, u32)> = members
        .iter()
        .flat_map(|&a| {
            successors(a)
                .iter()
                .filter(|b| members.binary_search(b).is_ok())
                .map(move |&b| (a, b))
        })
        .collect();
    let &(first, next) = inside.first()?;
    let keys: Vec<&str> = cycle::cycle_through_edge(|n| successors(n).clone(), first, next)
        .unwrap_or_default()
        .into_iter()
        .map(|n| key(n).as_str())
        .collect();
    Some(StoredCycle {
        description: format!("{noun} {}", keys.join(&format!(" {verb} "))),
        edges: inside.into_iter().map(|(a, b)| edge(a, b)).collect(),
    })
}

/// The first cycle as an error, for the callers that refuse cycles.
fn refuse_cycles(cycles: Vec<StoredCycle>) -> Result<(), EngineError> {
    match cycles.into_iter().next() {
        Some(cycle) => Err(EngineError::Cycle(cycle.description)),
        None => Ok(()),
    }
}
