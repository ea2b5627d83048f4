//! A set of small integers stored as its non-zero 64-bit words, sorted by position: the
//! engine's representation of a set of atoms. Users and roles hold a few dozen atoms spread
//! across a space of tens of thousands, so union, comparison and iteration cost what is set,
//! not the size of the space (measured: a 10k-user preview went from 30 ms dense to well under
//! the 20 ms budget; see README, Performance).

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BitSet {
    /// `(word index, word)`, sorted by index, never a zero word: so equal sets are equal vectors.
    words: Vec<(u32, u64)>,
}

impl BitSet {
    pub fn new() -> Self {
        BitSet::default()
    }

    fn find(&self, word: u32) -> Result<usize, usize> {
        self.words.binary_search_by_key(&word, |&(i, _)| i)
    }

    pub fn insert(&mut self, i: usize) {
        let (word, bit) = ((i / 64) as u32, 1u64 << (i % 64));
        match self.find(word) {
            Ok(at) => self.words[at].1 |= bit,
            Err(at) => self.words.insert(at, (word, bit)),
        }
    }

    pub fn contains(&self, i: usize) -> bool {
        let (word, bit) = ((i / 64) as u32, 1u64 << (i % 64));
        self.find(word).is_ok_and(|at| self.words[at].1 & bit != 0)
    }

    /// `self ∪= other`.
    pub fn union_with(&mut self, other: &BitSet) {
        if other.words.is_empty() {
            return;
        }
        if self.words.is_empty() {
            self.words.extend_from_slice(&other.words);
            return;
        }
        let mut merged = Vec::with_capacity(self.words.len() + other.words.len());
        let (mut a, mut b) = (self.words.iter().peekable(), other.words.iter().peekable());
        loop {
            match (a.peek(), b.peek()) {
                (Some(&&(i, x)), Some(&&(j, y))) => {
                    if i == j {
                        merged.push((i, x | y));
                        a.next();
                        b.next();
                    } else if i < j {
                        merged.push((i, x));
                        a.next();
                    } else {
                        merged.push((j, y));
                        b.next();
                    }
                }
                (Some(&&w), None) => {
                    merged.push(w);
                    a.next();
                }
                (None, Some(&&w)) => {
                    merged.push(w);
                    b.next();
                }
                (None, None) => break,
            }
        }
        self.words = merged;
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn len(&self) -> usize {
        self.words
            .iter()
            .map(|(_, w)| w.count_ones() as usize)
            .sum()
    }

    pub fn clear(&mut self) {
        self.words.clear();
    }

    /// The members in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().flat_map(|&(i, word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(i as usize * 64 + bit)
            })
        })
    }
}

impl BitSet {
    /// The members of `self` that are not in `other`, in increasing order.
    pub fn difference<'a>(&'a self, other: &'a BitSet) -> impl Iterator<Item = usize> + 'a {
        let mut theirs = other.words.iter().peekable();
        self.words.iter().flat_map(move |&(i, word)| {
            while theirs.next_if(|&&(j, _)| j < i).is_some() {}
            let mask = match theirs.peek() {
                Some(&&(j, w)) if j == i => w,
                _ => 0,
            };
            let mut rest = word & !mask;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(i as usize * 64 + bit)
            })
        })
    }
}

impl FromIterator<usize> for BitSet {
    fn from_iter<I: IntoIterator<Item = usize>>(iter: I) -> Self {
        let mut set = BitSet::new();
        for i in iter {
            set.insert(i);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_contains_union_iterate() {
        let mut a: BitSet = [1, 64, 200].into_iter().collect();
        let b: BitSet = [2, 64, 9000].into_iter().collect();
        assert!(a.contains(200) && !a.contains(199) && !a.contains(100_000));
        a.union_with(&b);
        assert_eq!(a.iter().collect::<Vec<_>>(), [1, 2, 64, 200, 9000]);
        assert_eq!(a.len(), 5);
    }

    #[test]
    fn union_matches_a_set_union_in_every_overlap() {
        use std::collections::BTreeSet;
        // Interleaved, nested, disjoint, equal and one-sided word layouts.
        let samples: [&[usize]; 7] = [
            &[],
            &[0, 1, 63],
            &[64, 65, 200, 9000],
            &[1, 64, 700, 20_000],
            &[5_000, 5_001],
            &[0, 64, 128, 192, 256],
            &[63, 127, 191, 255, 100_000],
        ];
        for x in samples {
            for y in samples {
                let mut a: BitSet = x.iter().copied().collect();
                a.union_with(&y.iter().copied().collect());
                let expected: BTreeSet<usize> = x.iter().chain(y.iter()).copied().collect();
                assert_eq!(
                    a.iter().collect::<Vec<_>>(),
                    expected.iter().copied().collect::<Vec<_>>()
                );
                let rebuilt: BitSet = expected.iter().copied().collect();
                assert_eq!(a, rebuilt, "{x:?} ∪ {y:?} is stored canonically");
            }
        }
    }

    #[test]
    fn difference_skips_shared_members() {
        let a: BitSet = [1, 2, 64, 700, 9000].into_iter().collect();
        let b: BitSet = [2, 64, 65, 9000, 20_000].into_iter().collect();
        assert_eq!(a.difference(&b).collect::<Vec<_>>(), [1, 700]);
        assert_eq!(b.difference(&a).collect::<Vec<_>>(), [65, 20_000]);
        assert_eq!(a.difference(&BitSet::new()).count(), 5);
    }

    #[test]
    fn equal_sets_compare_equal_however_built() {
        let a: BitSet = [500, 3].into_iter().collect();
        let mut b: BitSet = [3].into_iter().collect();
        assert_ne!(a, b);
        b.union_with(&[500].into_iter().collect());
        assert_eq!(a, b);
        let mut c = BitSet::new();
        c.union_with(&a);
        assert_eq!(c, a);
    }
}
