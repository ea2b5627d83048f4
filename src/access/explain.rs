//! "Why": every derivation path of a permission for a user, shortest first — from a direct
//! assignment or a group, through role inclusions, to a grant, through implications — and
//! "why not": the nearest missing edges that would make a check hold.

use foldhash::{HashSet, HashSetExt};

use super::engine::{Atom, Engine};
use super::space::Slot;
use crate::model::*;

/// How many paths an explanation lists before it stops (a diamond-shaped role graph can have
/// very many routes to one grant).
pub const MAX_PATHS: usize = 1000;

/// One step of a derivation path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// The user is in this group, which holds the next role.
    Group { group: GroupId },
    /// The role the path starts from, with the scope it is held at.
    Role { role: RoleId, scope: Scope },
    /// The previous role includes this one.
    Includes { role: RoleId },
    /// The previous role grants this permission at this scope.
    Grants {
        permission: PermissionId,
        scope: Scope,
    },
    /// The previous permission implies this one.
    Implies { permission: PermissionId },
}

/// A derivation path and the atom it yields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    pub user: UserId,
    pub steps: Vec<Step>,
    pub atom: Atom,
}

/// All the paths found (at most [`MAX_PATHS`]), shortest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explanation {
    pub paths: Vec<Path>,
    pub truncated: bool,
}

/// Where a path starts: a direct assignment, or a group's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Direct,
    Group(u32),
}

/// A one-hop change that would make a check hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Suggestion {
    /// The user is not active; activating them is needed.
    Activate { status: UserStatus },
    /// Membership of this group would give it.
    JoinGroup { group: GroupId },
    /// Assigning this role at this scope would give it (smallest roles first).
    AssignRole { role: RoleId, scope: Scope },
    /// A role the user already holds would give it if it granted the permission.
    GrantOnHeldRole { role: RoleId, scope: Scope },
}

/// The answer to "why not": whether it actually holds, and the nearest missing edges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WhyNot {
    pub holds: bool,
    pub suggestions: Vec<Suggestion>,
}

/// How many suggestions of each kind why-not lists.
const SUGGESTIONS_PER_KIND: usize = 5;

impl Engine {
    /// Every path that gives `user` the permission, at a scope covering `scope` when one is
    /// given (otherwise at any scope), shortest first.
    pub fn explain(
        &self,
        user: UserId,
        permission: PermissionId,
        scope: Option<Scope>,
    ) -> Explanation {
        let (Some(&u), Some(&target)) =
            (self.user_index.get(&user), self.perm_index.get(&permission))
        else {
            return Explanation::default();
        };
        let want = match scope {
            Some(s) => match self.slot(s) {
                Some(slot) => Some(slot),
                None => return Explanation::default(),
            },
            None => None,
        };
        let node = &self.users[u as usize];
        if !node.alive || node.status != UserStatus::Active {
            return Explanation::default();
        }
        let mut out = Explanation::default();
        let mut sources: Vec<(Source, u32, Scope)> = node
            .direct
            .iter()
            .map(|d| (Source::Direct, d.role, d.scope))
            .collect();
        for &g in &node.groups {
            for &(r, _) in &self.groups[g as usize].roles {
                sources.push((Source::Group(g), r, self.group_role_scope(g, r)));
            }
        }
        for (source, role, under) in sources {
            self.paths_from(user, source, role, under, target, want, &mut out);
            if out.truncated {
                break;
            }
        }
        out.paths.sort_by_key(|p| p.steps.len());
        out
    }

    /// Walks the inclusion DAG from `role` (held at `under`) collecting every route to a grant
    /// that yields the target permission.
    #[allow(clippy::too_many_arguments)]
    fn paths_from(
        &self,
        user: UserId,
        source: Source,
        role: u32,
        under: Scope,
        target: u32,
        want: Option<Slot>,
        out: &mut Explanation,
    ) {
        let Some(under_slot) = self.slot(under) else {
            return;
        };
        let mut head: Vec<Step> = Vec::new();
        if let Source::Group(g) = source {
            head.push(Step::Group {
                group: self.groups[g as usize].id,
            });
        }
        head.push(Step::Role {
            role: self.roles[role as usize].id,
            scope: under,
        });
        // Depth-first over inclusion routes; the route itself is the visited set, so even a
        // cyclic graph could not loop.
        let mut stack: Vec<(u32, Vec<u32>)> = vec![(role, vec![role])];
        while let Some((r, route)) = stack.pop() {
            let node = &self.roles[r as usize];
            for grant in &node.grants {
                if !self.perms[grant.perm as usize].star.contains(&target) {
                    continue;
                }
                let Some(grant_slot) = self.slot(grant.scope) else {
                    continue;
                };
                let Some(meet) = self.space.meet(grant_slot, under_slot) else {
                    continue;
                };
                if want.is_some_and(|w| !self.space.covers(meet, w)) {
                    continue;
                }
                for hops in self.implication_routes(grant.perm, target) {
                    if out.paths.len() >= MAX_PATHS {
                        out.truncated = true;
                        return;
                    }
                    let mut steps = head.clone();
                    steps.extend(route[1..].iter().map(|&x| Step::Includes {
                        role: self.roles[x as usize].id,
                    }));
                    steps.push(Step::Grants {
                        permission: self.perms[grant.perm as usize].id,
                        scope: grant.scope,
                    });
                    steps.extend(hops.into_iter().map(|p| Step::Implies {
                        permission: self.perms[p as usize].id,
                    }));
                    out.paths.push(Path {
                        user,
                        steps,
                        atom: Atom {
                            permission: self.perms[target as usize].id,
                            scope: self.space.scope(meet),
                        },
                    });
                }
            }
            for &c in node.includes.iter().rev() {
                if !route.contains(&c) {
                    let mut next = route.clone();
                    next.push(c);
                    stack.push((c, next));
                }
            }
        }
    }

    /// Every route through the implication DAG from `from` to `to` (the permissions after
    /// `from`); one empty route when they are the same.
    fn implication_routes(&self, from: u32, to: u32) -> Vec<Vec<u32>> {
        let mut routes = Vec::new();
        let mut stack: Vec<(u32, Vec<u32>)> = vec![(from, Vec::new())];
        while let Some((p, hops)) = stack.pop() {
            if p == to {
                routes.push(hops);
                if routes.len() >= MAX_PATHS {
                    break;
                }
                continue;
            }
            for &q in &self.perms[p as usize].implies {
                if self.perms[q as usize].star.contains(&to) && !hops.contains(&q) {
                    let mut next = hops.clone();
                    next.push(q);
                    stack.push((q, next));
                }
            }
        }
        routes
    }

    /// The first (shortest) path, if any: what a listing shows next to each permission.
    pub fn first_path(&self, user: UserId, atom: Atom) -> Option<Path> {
        self.explain(user, atom.permission, Some(atom.scope))
            .paths
            .into_iter()
            .next()
    }

    /// Why `user` does not hold the permission at `scope`, as the nearest missing edges.
    pub fn why_not(&self, user: UserId, permission: PermissionId, scope: Scope) -> WhyNot {
        let (Some(&u), Some(&p), Some(q)) = (
            self.user_index.get(&user),
            self.perm_index.get(&permission),
            self.slot(scope),
        ) else {
            return WhyNot::default();
        };
        if self.check_index(u, p, q) {
            return WhyNot {
                holds: true,
                suggestions: Vec::new(),
            };
        }
        let node = &self.users[u as usize];
        let mut suggestions = Vec::new();
        if node.status != UserStatus::Active {
            suggestions.push(Suggestion::Activate {
                status: node.status,
            });
            if self.sources_cover(u, p, q) {
                // Activating is the one missing edge.
                return WhyNot {
                    holds: false,
                    suggestions,
                };
            }
        }
        if node.kind == UserKind::EndUser {
            let mut groups: Vec<u32> = (0..self.groups.len() as u32)
                .filter(|&g| {
                    let group = &self.groups[g as usize];
                    group.alive
                        && group.tenant == node.tenant
                        && !node.groups.contains(&g)
                        && self.bits_cover(&group.bits, p, q)
                })
                .collect();
            groups.sort_by(|a, b| {
                self.groups[*a as usize]
                    .name
                    .cmp(&self.groups[*b as usize].name)
            });
            suggestions.extend(groups.into_iter().take(SUGGESTIONS_PER_KIND).map(|g| {
                Suggestion::JoinGroup {
                    group: self.groups[g as usize].id,
                }
            }));
        }
        let mut roles: Vec<u32> = (0..self.roles.len() as u32)
            .filter(|&r| {
                let role = &self.roles[r as usize];
                role.alive && self.bits_cover(&role.closure, p, q)
            })
            .collect();
        // Least privilege first: the smallest role that would do; among equals, the one that
        // grants it itself rather than through inclusion.
        roles.sort_by_key(|&r| {
            let role = &self.roles[r as usize];
            (role.closure.len(), role.includes.len(), role.key.clone())
        });
        suggestions.extend(roles.into_iter().take(SUGGESTIONS_PER_KIND).map(|r| {
            Suggestion::AssignRole {
                role: self.roles[r as usize].id,
                scope,
            }
        }));
        let mut held: Vec<u32> = Vec::new();
        let mut seen = HashSet::new();
        for d in &node.direct {
            if self.scope_covers(d.scope, q) && seen.insert(d.role) {
                held.push(d.role);
            }
        }
        for &g in &node.groups {
            for &(r, _) in &self.groups[g as usize].roles {
                if self.scope_covers(self.group_role_scope(g, r), q) && seen.insert(r) {
                    held.push(r);
                }
            }
        }
        suggestions.extend(
            held.into_iter()
                .filter(|&r| !self.roles[r as usize].builtin)
                .take(SUGGESTIONS_PER_KIND)
                .map(|r| Suggestion::GrantOnHeldRole {
                    role: self.roles[r as usize].id,
                    scope,
                }),
        );
        WhyNot {
            holds: false,
            suggestions,
        }
    }

    /// Whether the user's paths cover the atom, status aside.
    fn sources_cover(&self, u: u32, p: u32, q: Slot) -> bool {
        let node = &self.users[u as usize];
        node.direct
            .iter()
            .any(|d| self.bits_cover(&self.paths[d.path as usize].bits, p, q))
            || node
                .groups
                .iter()
                .any(|&g| self.bits_cover(&self.groups[g as usize].bits, p, q))
    }

    fn scope_covers(&self, scope: Scope, q: Slot) -> bool {
        self.slot(scope).is_some_and(|s| self.space.covers(s, q))
    }

    /// One path as text: `alice → group ops (QA) → role deployer → includes role viewer →
    /// grants monitoring.view@QA`.
    pub fn render_path(&self, path: &Path) -> String {
        let mut parts = vec![self.username(path.user).unwrap_or("?").to_string()];
        for step in &path.steps {
            parts.push(match step {
                Step::Group { group } => {
                    let label = self.group_label(*group);
                    format!("group {label}")
                }
                Step::Role { role, scope } => {
                    let key = self.role_key(*role).unwrap_or("?");
                    if scope.is_organization() {
                        format!("role {key}")
                    } else {
                        format!("role {key} (at {})", self.describe_scope(*scope))
                    }
                }
                Step::Includes { role } => {
                    format!("includes role {}", self.role_key(*role).unwrap_or("?"))
                }
                Step::Grants { permission, scope } => format!(
                    "grants {}",
                    self.atom_label(Atom {
                        permission: *permission,
                        scope: *scope
                    })
                ),
                Step::Implies { permission } => {
                    format!(
                        "implies {}",
                        self.permission_key(*permission).unwrap_or("?")
                    )
                }
            });
        }
        parts.join(" → ")
    }

    /// The route of a path without the user it starts from, and without its final grant when
    /// that grant is the permission itself: `group ops (QA) → role deployer → includes role
    /// viewer`. What a listing shows next to the permission it explains.
    pub fn render_route(&self, path: &Path) -> String {
        let mut steps = path.steps.as_slice();
        if let Some((Step::Grants { permission, .. }, before)) = steps.split_last() {
            if *permission == path.atom.permission && !before.is_empty() {
                steps = before;
            }
        }
        let shown = Path {
            steps: steps.to_vec(),
            ..path.clone()
        };
        let text = self.render_path(&shown);
        match text.split_once(" → ") {
            Some((_, route)) => route.to_string(),
            None => text,
        }
    }

    /// `ops (QA)`.
    pub fn group_label(&self, group: GroupId) -> String {
        match self.group_index.get(&group) {
            Some(&g) => {
                let node = &self.groups[g as usize];
                format!(
                    "{} ({})",
                    node.name,
                    self.stage_name(node.stage).unwrap_or("?")
                )
            }
            None => "?".into(),
        }
    }
}
