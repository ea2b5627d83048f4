//! The atom space: every `(permission, scope)` pair numbered densely, so that sets of atoms are
//! bitsets. A scope slot packs `(stage: any | S, app: any | A)` as `stage * (apps + 1) + app`,
//! with 0 meaning "any" in each component.

use foldhash::HashMap;

use crate::model::{AppId, Scope, StageId};

/// A scope as a slot number within the space.
pub type Slot = u32;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AtomSpace {
    stages: Vec<StageId>,
    apps: Vec<AppId>,
    stage_index: HashMap<StageId, u32>,
    app_index: HashMap<AppId, u32>,
}

impl AtomSpace {
    pub fn new(stages: Vec<StageId>, apps: Vec<AppId>) -> Self {
        let stage_index = stages
            .iter()
            .enumerate()
            .map(|(i, s)| (*s, i as u32 + 1))
            .collect();
        let app_index = apps
            .iter()
            .enumerate()
            .map(|(i, a)| (*a, i as u32 + 1))
            .collect();
        AtomSpace {
            stages,
            apps,
            stage_index,
            app_index,
        }
    }

    fn app_slots(&self) -> u32 {
        self.apps.len() as u32 + 1
    }

    /// Scope slots per permission.
    pub fn stride(&self) -> u32 {
        (self.stages.len() as u32 + 1) * self.app_slots()
    }

    /// The slot of a scope; `None` if it names a stage or app this space does not know.
    pub fn slot(&self, scope: Scope) -> Option<Slot> {
        let stage = match scope.stage {
            None => 0,
            Some(s) => *self.stage_index.get(&s)?,
        };
        let app = match scope.app {
            None => 0,
            Some(a) => *self.app_index.get(&a)?,
        };
        Some(stage * self.app_slots() + app)
    }

    pub fn scope(&self, slot: Slot) -> Scope {
        let stage = slot / self.app_slots();
        let app = slot % self.app_slots();
        Scope {
            stage: (stage > 0).then(|| self.stages[stage as usize - 1]),
            app: (app > 0).then(|| self.apps[app as usize - 1]),
        }
    }

    fn parts(&self, slot: Slot) -> (u32, u32) {
        (slot / self.app_slots(), slot % self.app_slots())
    }

    fn join(&self, stage: u32, app: u32) -> Slot {
        stage * self.app_slots() + app
    }

    /// Per-component intersection of two slots; `None` when disjoint.
    pub fn meet(&self, a: Slot, b: Slot) -> Option<Slot> {
        let (sa, aa) = self.parts(a);
        let (sb, ab) = self.parts(b);
        let stage = meet_component(sa, sb)?;
        let app = meet_component(aa, ab)?;
        Some(self.join(stage, app))
    }

    /// Whether slot `wide` covers slot `narrow` (`wide ⊇ narrow`).
    pub fn covers(&self, wide: Slot, narrow: Slot) -> bool {
        let (sw, aw) = self.parts(wide);
        let (sn, an) = self.parts(narrow);
        (sw == 0 || sw == sn) && (aw == 0 || aw == an)
    }

    /// The slots that cover `slot`, itself included (at most four).
    pub fn covering(&self, slot: Slot) -> impl Iterator<Item = Slot> + use<> {
        let (s, a) = self.parts(slot);
        let app_slots = self.app_slots();
        let mut out = [u32::MAX; 4];
        let mut n = 0;
        for stage in [0, s] {
            for app in [0, a] {
                let candidate = stage * app_slots + app;
                if !out[..n].contains(&candidate) {
                    out[n] = candidate;
                    n += 1;
                }
            }
        }
        out.into_iter().take(n)
    }

    pub fn atom(&self, permission: u32, slot: Slot) -> usize {
        permission as usize * self.stride() as usize + slot as usize
    }

    /// `bits` of `from` numbered in this space: the atoms whose scope still exists here, and
    /// apart, as `(permission index, scope)`, those whose stage or app is gone.
    pub fn translate(
        &self,
        from: &AtomSpace,
        bits: &super::bitset::BitSet,
    ) -> (super::bitset::BitSet, Vec<(u32, Scope)>) {
        let mut here = super::bitset::BitSet::new();
        let mut gone = Vec::new();
        for atom in bits.iter() {
            let (perm, slot) = from.split(atom);
            let scope = from.scope(slot);
            match self.slot(scope) {
                Some(slot) => here.insert(self.atom(perm, slot)),
                None => gone.push((perm, scope)),
            }
        }
        (here, gone)
    }

    /// `(permission index, slot)` of an atom.
    pub fn split(&self, atom: usize) -> (u32, Slot) {
        let stride = self.stride() as usize;
        ((atom / stride) as u32, (atom % stride) as u32)
    }
}

fn meet_component(a: u32, b: u32) -> Option<u32> {
    match (a, b) {
        (0, x) | (x, 0) => Some(x),
        (x, y) if x == y => Some(x),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space() -> AtomSpace {
        AtomSpace::new(vec![StageId(10), StageId(20)], vec![AppId(7)])
    }

    #[test]
    fn slots_round_trip_and_meet_per_component() {
        let s = space();
        let qa_shop = Scope::new(Some(StageId(20)), Some(AppId(7)));
        let slot = s.slot(qa_shop).unwrap();
        assert_eq!(s.scope(slot), qa_shop);
        let org = s.slot(Scope::ORGANIZATION).unwrap();
        let dev = s.slot(Scope::new(Some(StageId(10)), None)).unwrap();
        let qa = s.slot(Scope::new(Some(StageId(20)), None)).unwrap();
        assert_eq!(s.meet(org, slot), Some(slot));
        assert_eq!(s.meet(dev, qa), None);
        assert!(s.covers(org, slot) && s.covers(qa, slot) && !s.covers(slot, qa));
        assert_eq!(s.covering(slot).count(), 4);
        assert_eq!(s.covering(org).collect::<Vec<_>>(), [org]);
        assert_eq!(s.slot(Scope::new(Some(StageId(99)), None)), None);
    }
}
