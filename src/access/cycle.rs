//! Cycle detection for the two DAGs of the domain (role inclusion, permission implication).
//! Iterative breadth-first search with a visited set: no recursion, no depth limit, and the
//! shortest path is what gets named in the refusal (`role a includes b includes c includes a`).
//! [`components`] orders a graph that may hold cycles (one written behind warden's back) so the
//! engine can still compute closures over it, each cycle as one unit, and name every cycle.

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

/// The strongly connected components of the graph on nodes `0..n`, each listed once, in an
/// order where a component comes after every component it reaches (what a node depends on comes
/// first). A component of more than one node, or a node with an edge to itself, is a cycle.
/// Tarjan's algorithm with an explicit stack: no recursion, so a 100,000-deep chain is fine.
pub fn components<I>(n: usize, successors: impl Fn(u32) -> I) -> Vec<Vec<u32>>
where
    I: IntoIterator<Item = u32>,
{
    let mut walk = Tarjan {
        index: vec![UNSEEN; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next_index: 0,
        frames: Vec::new(),
    };
    let mut out: Vec<Vec<u32>> = Vec::new();
    for root in 0..n as u32 {
        if walk.index[root as usize] != UNSEEN {
            continue;
        }
        walk.enter(root, &successors);
        while let Some((v, rest)) = walk.frames.last_mut() {
            let v = *v;
            if let Some(w) = rest.next() {
                if walk.index[w as usize] == UNSEEN {
                    walk.enter(w, &successors);
                } else if walk.on_stack[w as usize] {
                    walk.low[v as usize] = walk.low[v as usize].min(walk.index[w as usize]);
                }
                continue;
            }
            walk.frames.pop();
            if let Some((parent, _)) = walk.frames.last() {
                let parent = *parent as usize;
                walk.low[parent] = walk.low[parent].min(walk.low[v as usize]);
            }
            if walk.low[v as usize] == walk.index[v as usize] {
                let mut component = Vec::new();
                while let Some(w) = walk.stack.pop() {
                    walk.on_stack[w as usize] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                component.sort_unstable();
                out.push(component);
            }
        }
    }
    out
}

const UNSEEN: u32 = u32::MAX;

/// The state of [`components`]' walk.
struct Tarjan {
    index: Vec<u32>,
    low: Vec<u32>,
    on_stack: Vec<bool>,
    stack: Vec<u32>,
    next_index: u32,
    /// Each frame: a node and the successors it has yet to visit.
    frames: Vec<(u32, std::vec::IntoIter<u32>)>,
}

impl Tarjan {
    fn enter<I: IntoIterator<Item = u32>>(&mut self, v: u32, successors: &impl Fn(u32) -> I) {
        self.index[v as usize] = self.next_index;
        self.low[v as usize] = self.next_index;
        self.next_index += 1;
        self.stack.push(v);
        self.on_stack[v as usize] = true;
        let next: Vec<u32> = successors(v).into_iter().collect();
        self.frames.push((v, next.into_iter()));
    }
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
    fn components_come_after_what_they_reach_and_group_cycles() {
        // 0 → 1 → 2 → 1, 2 → 3; 4 alone.
        let g = graph(&[(0, 1), (1, 2), (2, 1), (2, 3)]);
        let order = components(5, succ(&g));
        assert_eq!(order.len(), 4);
        let position = |n: u32| order.iter().position(|c| c.contains(&n)).unwrap();
        assert_eq!(order[position(1)], vec![1, 2], "the cycle is one component");
        assert!(position(3) < position(1), "what 1 and 2 reach comes first");
        assert!(position(1) < position(0));
        assert_eq!(order[position(4)], vec![4]);
    }

    #[test]
    fn components_of_a_deep_chain_need_no_recursion() {
        let edges: Vec<(u32, u32)> = (0..100_000).map(|i| (i, i + 1)).collect();
        let g = graph(&edges);
        let order = components(100_001, succ(&g));
        assert_eq!(order.len(), 100_001);
        assert_eq!(order[0], vec![100_000]);
        assert_eq!(order[100_000], vec![0]);
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
