//! Cycle detection for the two DAGs of the domain (role inclusion, permission implication).
//! Iterative breadth-first search with a visited set: no recursion, no depth limit, and the
//! shortest path is what gets named in the refusal (`role a includes b includes c includes a`).

use std::collections::{BTreeMap, VecDeque};

/// The shortest path `from → … → to` following `successors`, both ends included; `[from]` when
/// `from == to`. `None` when `to` is unreachable.
pub fn path<N, I>(successors: impl Fn(N) -> I, from: N, to: N) -> Option<Vec<N>>
where
    N: Ord + Copy,
    I: IntoIterator<Item = N>,
{
    if from == to {
        return Some(vec![from]);
    }
    // parent[n] = the node we reached n from; the root maps to itself.
    let mut parent: BTreeMap<N, N> = BTreeMap::new();
    parent.insert(from, from);
    let mut queue = VecDeque::from([from]);
    while let Some(node) = queue.pop_front() {
        for next in successors(node) {
            if parent.contains_key(&next) {
                continue;
            }
            parent.insert(next, node);
            if next == to {
                let mut path = vec![to];
                let mut at = to;
                while at != from {
                    at = parent[&at];
                    path.push(at);
                }
                path.reverse();
                return Some(path);
            }
            queue.push_back(next);
        }
    }
    None
}

/// The cycle an edge `from → to` would close (or closes, if already present), as the node
/// sequence `[from, to, …, from]`; `None` when the edge is safe.
pub fn cycle_through_edge<N, I>(successors: impl Fn(N) -> I, from: N, to: N) -> Option<Vec<N>>
where
    N: Ord + Copy,
    I: IntoIterator<Item = N>,
{
    let back = path(successors, to, from)?;
    let mut cycle = Vec::with_capacity(back.len() + 1);
    cycle.push(from);
    cycle.extend(back);
    Some(cycle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(u32, u32)]) -> BTreeMap<u32, Vec<u32>> {
        let mut g: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for &(a, b) in edges {
            g.entry(a).or_default().push(b);
        }
        g
    }

    fn succ(g: &BTreeMap<u32, Vec<u32>>) -> impl Fn(u32) -> Vec<u32> + '_ {
        move |n| g.get(&n).cloned().unwrap_or_default()
    }

    #[test]
    fn closing_edge_names_the_whole_cycle() {
        let g = graph(&[(2, 3), (3, 1)]);
        assert_eq!(cycle_through_edge(succ(&g), 1, 2), Some(vec![1, 2, 3, 1]));
        assert_eq!(cycle_through_edge(succ(&g), 3, 2), Some(vec![3, 2, 3]));
        assert_eq!(
            cycle_through_edge(succ(&g), 2, 1),
            None,
            "1 reaches nothing"
        );
    }

    #[test]
    fn self_edge_is_a_cycle() {
        let g = graph(&[]);
        assert_eq!(cycle_through_edge(succ(&g), 5, 5), Some(vec![5, 5]));
    }

    #[test]
    fn shortest_path_is_found_without_depth_limit() {
        let edges: Vec<(u32, u32)> = (0..5000).map(|i| (i, i + 1)).collect();
        let g = graph(&edges);
        let p = path(succ(&g), 0, 5000).unwrap();
        assert_eq!(p.len(), 5001);
        assert_eq!(
            cycle_through_edge(succ(&g), 5000, 0).map(|c| c.len()),
            Some(5002)
        );
    }
}
