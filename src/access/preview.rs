//! Previews: what a list of changes would do to everyone's access, before it is committed.
//! The engine measures the users the changes can reach, applies the changes, measures again,
//! and applies their inverses in reverse order — the same computation as a real update, so a
//! preview is exactly the difference a commit makes.

use foldhash::{HashSet, HashSetExt};
use std::collections::BTreeMap;

use super::bitset::BitSet;
use super::engine::{Atom, Engine, EngineError};
use super::space::AtomSpace;
use crate::model::*;

/// What one user gains and loses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserDiff {
    pub user: UserId,
    /// Atoms the user will hold that nothing they held before covers.
    pub gained: Vec<Atom>,
    /// Atoms the user held that nothing they will hold covers.
    pub lost: Vec<Atom>,
}

/// Per-user differences, for the users whose access changes, in load order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preview {
    pub users: Vec<UserDiff>,
}

impl Preview {
    /// How many users gain, and how many lose, each permission.
    pub fn totals(&self) -> BTreeMap<PermissionId, (usize, usize)> {
        let mut totals: BTreeMap<PermissionId, (usize, usize)> = BTreeMap::new();
        for diff in &self.users {
            let gained: HashSet<PermissionId> = diff.gained.iter().map(|a| a.permission).collect();
            let lost: HashSet<PermissionId> = diff.lost.iter().map(|a| a.permission).collect();
            for p in gained {
                totals.entry(p).or_default().0 += 1;
            }
            for p in lost {
                totals.entry(p).or_default().1 += 1;
            }
        }
        totals
    }
}

impl Engine {
    /// The difference `changes` would make, leaving the engine as it was.
    pub fn preview(&mut self, changes: &[Change]) -> Result<Preview, EngineError> {
        Ok(self.preview_and(changes, |_, _| ())?.0)
    }

    /// The preview, and `look` run on the engine as the changes leave it (for what only that
    /// state can answer, such as the paths by which permissions are gained); the engine is
    /// then put back as it was.
    pub fn preview_and<T>(
        &mut self,
        changes: &[Change],
        look: impl FnOnce(&Engine, &Preview) -> T,
    ) -> Result<(Preview, T), EngineError> {
        let mut users = self.reached_users(changes);
        let before: Vec<(u32, BitSet)> =
            users.iter().map(|&u| (u, self.effective_bits(u))).collect();
        let space_before = self.space.clone();
        let mut applied = 0;
        let mut outcome = Ok(());
        for change in changes {
            outcome = self.apply(change);
            if outcome.is_err() {
                break;
            }
            applied += 1;
        }
        let mut result = None;
        if outcome.is_ok() {
            // Users the changes created, or reached only through what they created.
            let known: HashSet<u32> = users.iter().copied().collect();
            for u in self.reached_users(changes) {
                if !known.contains(&u) {
                    users.push(u);
                }
            }
            let after: Vec<(u32, BitSet)> =
                users.iter().map(|&u| (u, self.effective_bits(u))).collect();
            let preview = self.diff(&space_before, &before, after);
            let looked = look(self, &preview);
            result = Some((preview, looked));
        }
        for change in changes[..applied].iter().rev() {
            if let Some(inverse) = change.inverse() {
                self.apply(&inverse)?;
            }
        }
        outcome?;
        result.ok_or_else(|| EngineError::Inconsistent("a preview was not computed".into()))
    }

    /// A copy of the engine as `changes` leave it, and the difference they make; this engine
    /// is untouched. The copy answers what only that state can (the paths by which
    /// permissions are gained) for as long as it is kept.
    pub fn preview_into(&self, changes: &[Change]) -> Result<(Engine, Preview), EngineError> {
        let mut users = self.reached_users(changes);
        let before: Vec<(u32, BitSet)> =
            users.iter().map(|&u| (u, self.effective_bits(u))).collect();
        let mut after = self.clone();
        for change in changes {
            after.apply(change)?;
        }
        let known: HashSet<u32> = users.iter().copied().collect();
        for u in after.reached_users(changes) {
            if !known.contains(&u) {
                users.push(u);
            }
        }
        let now: Vec<(u32, BitSet)> = users
            .iter()
            .map(|&u| (u, after.effective_bits(u)))
            .collect();
        let preview = after.diff(&self.space, &before, now);
        Ok((after, preview))
    }

    /// Per-user differences between `before` (numbered in `space_before`) and `after` (in
    /// this engine's space; it lists the users of `before` in the same order, then any the
    /// changes added). A stage or an app added or removed renumbers every atom, so `before` is
    /// then numbered again in this space first; what was held at a stage or app now gone is
    /// lost.
    fn diff(
        &self,
        space_before: &AtomSpace,
        before: &[(u32, BitSet)],
        after: Vec<(u32, BitSet)>,
    ) -> Preview {
        let empty = BitSet::new();
        let reshaped = *space_before != self.space;
        let mut diffs = Vec::new();
        for (i, (u, now)) in after.into_iter().enumerate() {
            let held = before.get(i).map_or(&empty, |(_, bits)| bits);
            let (translated, gone) = if reshaped {
                self.space.translate(space_before, held)
            } else {
                (BitSet::new(), Vec::new())
            };
            let was = if reshaped { &translated } else { held };
            if *was == now && gone.is_empty() {
                continue;
            }
            let gained = self.uncovered(&now, was);
            let mut lost = self.uncovered(was, &now);
            lost.extend(gone.into_iter().map(|(perm, scope)| Atom {
                permission: self.perms[perm as usize].id,
                scope,
            }));
            if gained.is_empty() && lost.is_empty() {
                continue;
            }
            diffs.push(UserDiff {
                user: self.users[u as usize].id,
                gained,
                lost,
            });
        }
        Preview { users: diffs }
    }

    /// The widest atoms of `set` that nothing in `other` covers, sorted for output. Only atoms
    /// of `set` missing from `other` can qualify (`other` covers its own atoms), so those few
    /// are the only ones examined.
    pub(crate) fn uncovered(&self, set: &BitSet, other: &BitSet) -> Vec<Atom> {
        let mut atoms: Vec<Atom> = set
            .difference(other)
            .filter(|&atom| {
                let (perm, slot) = self.space.split(atom);
                let widest = !self
                    .space
                    .covering(slot)
                    .any(|wider| wider != slot && set.contains(self.space.atom(perm, wider)));
                widest && !self.bits_cover(other, perm, slot)
            })
            .map(|atom| self.atom_of(atom))
            .collect();
        self.sort_atoms(&mut atoms);
        atoms
    }

    /// Every (existing) user whose access the changes could alter, judged on the current state.
    fn reached_users(&self, changes: &[Change]) -> Vec<u32> {
        let mut users: Vec<u32> = Vec::new();
        let mut seen: HashSet<u32> = HashSet::new();
        let mut add = |u: u32, users: &mut Vec<u32>| {
            if seen.insert(u) {
                users.push(u);
            }
        };
        let mut roles: Vec<u32> = Vec::new();
        for change in changes {
            match change {
                Change::AddUser { id, .. }
                | Change::DeleteUser {
                    user: Named { id, .. },
                    ..
                } => {
                    if let Some(&u) = self.user_index.get(id) {
                        add(u, &mut users);
                    }
                }
                Change::SetUserStatus { user, .. }
                | Change::EditUser { user, .. }
                | Change::Assign { user, .. }
                | Change::Unassign { user, .. }
                | Change::AddMember { user, .. }
                | Change::RemoveMember { user, .. } => {
                    if let Some(&u) = self.user_index.get(&user.id) {
                        add(u, &mut users);
                    }
                }
                Change::AddGroupRole { group, .. } | Change::RemoveGroupRole { group, .. } => {
                    if let Some(&g) = self.group_index.get(&group.id) {
                        for &u in &self.groups[g as usize].members {
                            add(u, &mut users);
                        }
                    }
                }
                Change::Grant { role, .. }
                | Change::Revoke { role, .. }
                | Change::Include { role, .. }
                | Change::Exclude { role, .. } => {
                    if let Some(&r) = self.role_index.get(&role.id) {
                        roles.push(r);
                    }
                }
                Change::Imply { permission, .. } | Change::Unimply { permission, .. } => {
                    if let Some(&p) = self.perm_index.get(&permission.id) {
                        // Roles holding the permission (at any scope) hold what it implies.
                        let stride = self.space.stride();
                        roles.extend((0..self.roles.len() as u32).filter(|&r| {
                            let closure = &self.roles[r as usize].closure;
                            (0..stride).any(|slot| closure.contains(self.space.atom(p, slot)))
                        }));
                    }
                }
                _ => {}
            }
        }
        // The touched roles, every role including them, and everyone holding one of those.
        let mut reached: HashSet<u32> = HashSet::new();
        while let Some(r) = roles.pop() {
            if reached.insert(r) {
                roles.extend(self.roles[r as usize].included_by.iter().copied());
            }
        }
        let mut reached: Vec<u32> = reached.into_iter().collect();
        reached.sort_unstable();
        for r in reached {
            let role = &self.roles[r as usize];
            for &u in &role.holders {
                add(u, &mut users);
            }
            for &g in &role.groups {
                for &u in &self.groups[g as usize].members {
                    add(u, &mut users);
                }
            }
        }
        users.sort_unstable();
        users
    }
}
