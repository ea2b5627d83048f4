//! Marked users: kept as ids, so marks survive filtering, sorting and reloads, and a bulk action
//! reaches every marked user, shown or not. The status bar says how many the filter hides.

use std::collections::HashSet;

use crate::model::UserId;

#[derive(Clone, Debug, Default)]
pub struct Marks {
    ids: HashSet<UserId>,
    /// Where `v` started a range.
    pub anchor: Option<UserId>,
    /// How many marked users the filter hides (recounted when marks or the filter change).
    hidden: usize,
}

impl Marks {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn contains(&self, id: UserId) -> bool {
        self.ids.contains(&id)
    }

    pub fn hidden(&self) -> usize {
        self.hidden
    }

    /// Marks or unmarks one user.
    pub fn toggle(&mut self, id: UserId) {
        if !self.ids.remove(&id) {
            self.ids.insert(id);
        }
    }

    pub fn mark(&mut self, ids: impl IntoIterator<Item = UserId>) {
        self.ids.extend(ids);
    }

    /// Flips the marks of `ids` (the users the filter shows), leaving the others alone.
    pub fn invert(&mut self, ids: impl IntoIterator<Item = UserId>) {
        for id in ids {
            self.toggle(id);
        }
    }

    pub fn clear(&mut self) {
        self.ids.clear();
        self.anchor = None;
        self.hidden = 0;
    }

    /// Forgets marks on users that no longer exist; returns how many.
    pub fn retain_existing(&mut self, exists: impl Fn(UserId) -> bool) -> usize {
        let before = self.ids.len();
        self.ids.retain(|&id| exists(id));
        before - self.ids.len()
    }

    /// Recounts the marked users `shown` does not admit.
    pub fn recount(&mut self, shown: impl Fn(UserId) -> bool) {
        self.hidden = self.ids.iter().filter(|&&id| !shown(id)).count();
    }

    /// The marked ids, in no particular order.
    pub fn ids(&self) -> impl Iterator<Item = UserId> + '_ {
        self.ids.iter().copied()
    }

    /// `3 marked (1 hidden by filter)`.
    pub fn describe(&self) -> String {
        if self.hidden == 0 {
            format!("{} marked", self.len())
        } else {
            format!("{} marked ({} hidden by filter)", self.len(), self.hidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggling_inverting_and_counting_hidden() {
        let mut m = Marks::default();
        m.toggle(UserId(1));
        m.toggle(UserId(2));
        m.toggle(UserId(1));
        assert_eq!(m.len(), 1);
        m.mark([UserId(3), UserId(4)]);
        m.invert([UserId(2), UserId(5)]);
        let mut ids: Vec<i64> = m.ids().map(|u| u.0).collect();
        ids.sort_unstable();
        assert_eq!(ids, vec![3, 4, 5]);
        m.recount(|id| id.0 != 4);
        assert_eq!(m.describe(), "3 marked (1 hidden by filter)");
        assert_eq!(m.retain_existing(|id| id.0 != 5), 1);
        m.clear();
        assert!(m.is_empty());
    }
}
