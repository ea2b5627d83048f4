//! A store's contents by natural keys, for looking the entries of a document up: every entity
//! by its key, every edge as a pair of keys. Built by taking a document apart (no copies).

use std::collections::BTreeMap;

// Hundreds of thousands of string keys per comparison: a fast hasher (no untrusted keys
// reach here that another party chose to collide).
use foldhash::{HashMap, HashSet};

use super::difference::{GroupKey, UserKey, group_key, user_key};
use super::document::*;
use crate::model::validate::fold;

/// Stored users a document knows under another username, matched by external id: (tenant,
/// folded stored username) → (tenant, folded username in the document).
pub type Renames = HashMap<UserKey, UserKey>;

/// What a store holds, by natural keys, for looking entries up.
#[derive(Default)]
pub struct Index {
    pub(super) tenants: HashSet<String>,
    pub(super) stages: Option<Vec<String>>,
    pub(super) apps: HashMap<String, AppEntry>,
    pub(super) permissions: HashMap<String, PermissionEntry>,
    pub(super) implications: HashSet<(String, String)>,
    pub(super) roles: HashMap<String, RoleEntry>,
    pub(super) grants: HashSet<(String, GrantEntry)>,
    pub(super) includes: HashSet<(String, String)>,
    pub(super) users: HashMap<UserKey, UserEntry>,
    pub(super) by_external_id: HashMap<(String, String), String>,
    pub(super) groups: HashMap<GroupKey, GroupEntry>,
    /// Each group's members (folded usernames).
    pub(super) members: HashMap<GroupKey, HashSet<String>>,
    /// Each group's role keys.
    pub(super) group_roles: HashMap<GroupKey, HashSet<String>>,
    pub(super) assignments: HashSet<(UserKey, String, Option<String>, Option<String>)>,
    pub(super) policy: BTreeMap<String, String>,
}

impl Index {
    /// The renames comparing `source` with this store makes (see [`Renames`]).
    pub fn renames(&self, source: &Document) -> Renames {
        source
            .users
            .iter()
            .flatten()
            .filter_map(|u| match self.user(u) {
                Some((stored, Some(_))) => Some((
                    user_key(&stored.tenant, &stored.username),
                    user_key(&u.tenant, &u.username),
                )),
                _ => None,
            })
            .collect()
    }

    /// Whether the group (by key) has this member (folded username).
    pub(super) fn has_member(&self, group: &GroupKey, folded: &str) -> bool {
        self.members.get(group).is_some_and(|m| m.contains(folded))
    }

    /// Whether the group (by key) holds this role.
    pub(super) fn has_group_role(&self, group: &GroupKey, role: &str) -> bool {
        self.group_roles
            .get(group)
            .is_some_and(|r| r.contains(role))
    }

    /// The index of a document, which it takes apart.
    pub fn of(doc: Document) -> Index {
        let mut index = Index {
            tenants: doc.tenants.into_iter().collect(),
            stages: doc.stages,
            policy: doc.policy.unwrap_or_default(),
            ..Index::default()
        };
        for app in doc.apps.into_iter().flatten() {
            index.apps.insert(app.key.clone(), app);
        }
        for p in doc.permissions.into_iter().flatten() {
            for q in &p.implies {
                index.implications.insert((p.key.clone(), q.clone()));
            }
            index.permissions.insert(p.key.clone(), p);
        }
        for r in doc.roles.into_iter().flatten() {
            for g in &r.grants {
                index.grants.insert((r.key.clone(), g.clone()));
            }
            for other in &r.includes {
                index.includes.insert((r.key.clone(), other.clone()));
            }
            index.roles.insert(r.key.clone(), r);
        }
        for u in doc.users.into_iter().flatten() {
            if let Some(external) = &u.external_id {
                index
                    .by_external_id
                    .insert((u.tenant.clone(), external.clone()), fold(&u.username));
            }
            index.users.insert(user_key(&u.tenant, &u.username), u);
        }
        for g in doc.groups.into_iter().flatten() {
            let key = group_key(&g.tenant, &g.name, &g.stage);
            index
                .members
                .insert(key.clone(), g.members.iter().map(|m| fold(m)).collect());
            index
                .group_roles
                .insert(key.clone(), g.roles.iter().cloned().collect());
            index.groups.insert(key, g);
        }
        for a in doc.assignments.into_iter().flatten() {
            index
                .assignments
                .insert((user_key(&a.tenant, &a.username), a.role, a.stage, a.app));
        }
        index
    }

    /// The stored user an entry stands for: by username, else by external id.
    pub(super) fn user(&self, wanted: &UserEntry) -> Option<(&UserEntry, Option<&'static str>)> {
        if let Some(u) = self.users.get(&user_key(&wanted.tenant, &wanted.username)) {
            return Some((u, None));
        }
        let external = wanted.external_id.as_ref()?;
        let folded = self
            .by_external_id
            .get(&(wanted.tenant.clone(), external.clone()))?;
        self.users
            .get(&(wanted.tenant.clone(), folded.clone()))
            .map(|u| (u, Some("external_id")))
    }
}
