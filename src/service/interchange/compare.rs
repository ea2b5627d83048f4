//! Comparing what a document says with what a store holds, entry by entry, by natural keys:
//! users by tenant and username (or, when the username is not found, by the external id that
//! links them to a master record), groups by tenant, name and stage, roles, permissions and apps
//! by key. Each entry that differs becomes a [`Difference`] carrying the commands that would
//! make the store match it. Imports take the entries of a file; diff and sync take every entry
//! of one store and, for the other's entries that are not matched, a removal.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use super::apply::Effect;
use super::build;
pub use super::difference::Difference;
use super::difference::{
    UserKey, assignment_edge, difference, grant_edge, group_key, group_label, group_role_edge,
    implication_edge, include_edge, member_edge, phase, user_key,
};
use super::document::*;
pub use super::index::Index;
use super::removals::removals;
use crate::model::validate::fold;

/// How entries of the source are compared: an import adds and (by its conflict policy)
/// updates; a sync also removes what the source lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Import,
    Sync { prune: bool },
}

/// Differences of one entry against the index (none when the store already holds it).
pub struct Comparer<'a> {
    pub index: &'a Index,
    /// Stored users renamed by an external-id match, (tenant, folded stored username) → the
    /// folded new one: the store's relations of those users are compared under the new name.
    pub(super) renamed: HashMap<UserKey, String>,
    /// The same renames the other way: (tenant, folded new username) → the folded stored one.
    renamed_from: HashMap<UserKey, String>,
}

impl<'a> Comparer<'a> {
    pub fn new(index: &'a Index) -> Comparer<'a> {
        Comparer {
            index,
            renamed: HashMap::new(),
            renamed_from: HashMap::new(),
        }
    }

    pub fn tenant(&self, name: &str) -> Option<Difference> {
        (!self.index.tenants.contains(name)).then(|| {
            difference(
                Part::Users,
                Effect::Create,
                format!("tenant {name}"),
                "default",
                build::tenant(name),
                phase::TENANT,
            )
        })
    }

    pub fn app(&self, app: &AppEntry) -> Option<Difference> {
        let subject = format!("app {}", app.key);
        match self.index.apps.get(&app.key) {
            None => Some(difference(
                Part::Apps,
                Effect::Create,
                subject,
                "default",
                build::create_app(app),
                phase::APP,
            )),
            Some(stored) => {
                let details = build::app_differences(stored, app);
                (!details.is_empty()).then(|| Difference {
                    details,
                    ..difference(
                        Part::Apps,
                        Effect::Update,
                        subject,
                        "default",
                        build::update_app(app),
                        phase::APP,
                    )
                })
            }
        }
    }

    pub fn permission(&self, p: &PermissionEntry) -> Vec<Difference> {
        let mut out = Vec::new();
        let subject = format!("permission {}", p.key);
        match self.index.permissions.get(&p.key) {
            None => out.push(difference(
                Part::Permissions,
                Effect::Create,
                subject,
                "default",
                build::create_permission(p),
                phase::PERMISSION,
            )),
            Some(stored) => {
                let details = build::permission_differences(stored, p);
                if !details.is_empty() {
                    out.push(Difference {
                        details,
                        ..difference(
                            Part::Permissions,
                            Effect::Update,
                            subject,
                            "default",
                            build::update_permission(p),
                            phase::PERMISSION,
                        )
                    });
                }
            }
        }
        for q in &p.implies {
            if !self
                .index
                .implications
                .contains(&(p.key.clone(), q.clone()))
            {
                out.push(implication_edge(&p.key, q, true));
            }
        }
        out
    }

    pub fn role(&self, r: &RoleEntry) -> Vec<Difference> {
        let mut out = Vec::new();
        let subject = format!("role {}", r.key);
        match self.index.roles.get(&r.key) {
            None => out.push(difference(
                Part::Roles,
                Effect::Create,
                subject,
                "default",
                build::create_role(r),
                phase::ROLE,
            )),
            Some(stored) => {
                let details = build::role_differences(stored, r);
                if !details.is_empty() {
                    out.push(Difference {
                        details,
                        ..difference(
                            Part::Roles,
                            Effect::Update,
                            subject,
                            "default",
                            build::update_role(r),
                            phase::ROLE,
                        )
                    });
                }
                for g in &r.grants {
                    if !self.index.grants.contains(&(r.key.clone(), g.clone())) {
                        out.push(grant_edge(&r.key, g, true));
                    }
                }
            }
        }
        for other in &r.includes {
            if !self
                .index
                .includes
                .contains(&(r.key.clone(), other.clone()))
            {
                out.push(include_edge(&r.key, other, true));
            }
        }
        out
    }

    /// A user entry; `ignore_status`: the file has no status column (a new user is invited,
    /// a stored one keeps theirs).
    pub fn user(&mut self, u: &UserEntry, ignore_status: bool) -> Option<Difference> {
        match self.index.user(u) {
            None => Some(difference(
                Part::Users,
                Effect::Create,
                format!("user {}", u.username),
                &u.tenant,
                build::create_user(u),
                phase::USER,
            )),
            Some((stored, matched_by)) => {
                if matched_by.is_some() {
                    let old = user_key(&stored.tenant, &stored.username);
                    let new = user_key(&u.tenant, &u.username);
                    self.renamed.insert(old.clone(), new.1.clone());
                    self.renamed_from.insert(new, old.1);
                }
                let mut wanted = u.clone();
                if ignore_status {
                    wanted.status = stored.status;
                }
                let details = build::user_differences(stored, &wanted);
                (!details.is_empty()).then(|| Difference {
                    details,
                    matched_by,
                    ..difference(
                        Part::Users,
                        Effect::Update,
                        format!("user {}", u.username),
                        &u.tenant,
                        build::update_user(stored, &wanted),
                        phase::USER,
                    )
                })
            }
        }
    }

    pub fn group(&self, g: &GroupEntry) -> Vec<Difference> {
        let mut out = Vec::new();
        let key = group_key(&g.tenant, &g.name, &g.stage);
        let label = group_label(&g.name, &g.stage);
        match self.index.groups.get(&key) {
            None => out.push(difference(
                Part::Groups,
                Effect::Create,
                label.clone(),
                &g.tenant,
                build::create_group(g),
                phase::GROUP,
            )),
            Some(stored) => {
                let details = build::group_differences(stored, g);
                if !details.is_empty() {
                    out.push(Difference {
                        details,
                        ..difference(
                            Part::Groups,
                            Effect::Update,
                            label.clone(),
                            &g.tenant,
                            build::update_group(g),
                            phase::GROUP,
                        )
                    });
                }
            }
        }
        for m in &g.members {
            if let Some(d) = self.member(&g.tenant, &g.name, &g.stage, m) {
                out.push(d);
            }
        }
        for r in &g.roles {
            if !self.index.has_group_role(&key, r) {
                out.push(group_role_edge(&g.tenant, &g.name, &g.stage, r, true));
            }
        }
        out
    }

    /// Whether the stored relation of a (possibly renamed) user is the source's.
    fn stored_username(&self, tenant: &str, username: &str) -> String {
        let key = user_key(tenant, username);
        match self.renamed_from.get(&key) {
            Some(old) => old.clone(),
            None => key.1,
        }
    }

    pub fn member(
        &self,
        tenant: &str,
        group: &str,
        stage: &str,
        username: &str,
    ) -> Option<Difference> {
        let key = group_key(tenant, group, stage);
        let stored = self.stored_username(tenant, username);
        (!self.index.has_member(&key, &stored))
            .then(|| member_edge(tenant, group, stage, username, true))
    }

    pub fn assignment(&self, a: &AssignmentEntry) -> Option<Difference> {
        let stored = self.stored_username(&a.tenant, &a.username);
        let key = (
            (a.tenant.clone(), stored),
            a.role.clone(),
            a.stage.clone(),
            a.app.clone(),
        );
        (!self.index.assignments.contains(&key)).then(|| assignment_edge(a, true))
    }

    pub fn stages(&self, wanted: &[String]) -> Vec<Difference> {
        let stored: Vec<String> = self
            .index
            .stages
            .iter()
            .flatten()
            .map(|s| fold(s))
            .collect();
        let mut out = Vec::new();
        let mut previous: Option<&str> = None;
        for name in wanted {
            if !stored.contains(&fold(name)) {
                out.push(difference(
                    Part::Stages,
                    Effect::Create,
                    format!("stage {name}"),
                    "default",
                    build::add_stage(name, previous),
                    phase::STAGE,
                ));
            }
            previous = Some(name);
        }
        out
    }

    pub fn policy(&self, wanted: &BTreeMap<String, String>) -> Vec<Difference> {
        let mut out = Vec::new();
        for (key, value) in wanted {
            let stored = self.index.policy.get(key);
            if stored != Some(value) {
                out.push(Difference {
                    details: vec![format!(
                        "{} → {value}",
                        stored.map(String::as_str).unwrap_or("unset")
                    )],
                    ..difference(
                        Part::Policy,
                        Effect::Update,
                        format!("policy {key}"),
                        "default",
                        build::setting(key, value),
                        phase::POLICY,
                    )
                });
            }
        }
        out
    }
}

/// Every difference that would make the store indexed by `target` match `source`, in the
/// order they are to be applied.
pub fn compare(source: Document, target: &Index, direction: Direction) -> Vec<Difference> {
    let mut comparer = Comparer::new(target);
    let mut out = Vec::new();
    if source.users.is_some() || source.groups.is_some() {
        for tenant in &source.tenants {
            out.extend(comparer.tenant(tenant));
        }
    }
    if let Some(stages) = &source.stages {
        out.extend(comparer.stages(stages));
    }
    for app in source.apps.iter().flatten() {
        out.extend(comparer.app(app));
    }
    for p in source.permissions.iter().flatten() {
        out.extend(comparer.permission(p));
    }
    for r in source.roles.iter().flatten() {
        out.extend(comparer.role(r));
    }
    for u in source.users.iter().flatten() {
        out.extend(comparer.user(u, false));
    }
    for g in source.groups.iter().flatten() {
        out.extend(comparer.group(g));
    }
    for a in source.assignments.iter().flatten() {
        out.extend(comparer.assignment(a));
    }
    if let Some(policy) = &source.policy {
        out.extend(comparer.policy(policy));
    }
    if let Direction::Sync { prune } = direction {
        let parts = source.parts();
        out.extend(removals(&parts, Index::of(source), &comparer, prune));
    }
    out.sort_by_key(|d| d.phase);
    out
}
