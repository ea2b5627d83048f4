//! Comparing what a document says with what a store holds, entry by entry, by natural keys:
//! users by tenant and username (or, when the username is not found, by the external id that
//! links them to a master record), groups by tenant, name and stage, roles, permissions and apps
//! by key. Each entry that differs becomes a [`Difference`] carrying the commands that would
//! make the store match it. Imports take the entries of a file; diff and sync take every entry
//! of one store and, for the other's entries that are not matched, a removal.

use std::collections::BTreeMap;

// Hundreds of thousands of string keys per comparison: a fast hasher (no untrusted keys
// reach here that another party chose to collide).
use foldhash::{HashMap, HashMapExt, HashSet};

use serde::Serialize;

use super::apply::{Effect, Item, Origin};
use super::build;
use super::document::*;
use crate::model::validate::fold;
use crate::service::Command;

/// One way in which the target differs from the source.
#[derive(Clone, Debug, Serialize)]
pub struct Difference {
    pub part: &'static str,
    pub effect: Effect,
    /// `user alice`, `member bob of group ops (QA)`.
    pub subject: String,
    /// What differs, field by field (`email "a@x" → "b@y"`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
    /// How the user was matched when it was not by username.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<&'static str>,
    #[serde(flatten)]
    pub origin: Origin,
    #[serde(skip)]
    pub tenant: String,
    #[serde(skip)]
    pub commands: Vec<Command>,
    /// When it runs among the others: things are created before they are referred to,
    /// edges removed before others are added (no transient cycle), deletions last.
    #[serde(skip)]
    pub phase: u8,
}

impl Difference {
    /// The item that applies this difference; `free_text` says where its text comes from.
    pub fn into_item(self, free_text: crate::service::plan::FreeText) -> Item {
        Item {
            origin: self.origin,
            subject: self.subject,
            effect: self.effect,
            tenant: self.tenant,
            commands: self.commands,
            free_text,
        }
    }

    /// `+ user alice`, `~ user bob: email ...`, `- member carol of group ops (QA)`.
    pub fn line(&self) -> String {
        let sign = match self.effect {
            Effect::Create => "+",
            Effect::Update => "~",
            Effect::Remove => "-",
        };
        let mut line = format!("{sign} {}", self.subject);
        if !self.details.is_empty() {
            line.push_str(": ");
            line.push_str(&self.details.join(", "));
        }
        if let Some(rule) = self.matched_by {
            line.push_str(&format!(" (matched by {rule})"));
        }
        line
    }
}

mod phase {
    pub const TENANT: u8 = 0;
    pub const STAGE: u8 = 1;
    pub const APP: u8 = 2;
    pub const PERMISSION: u8 = 3;
    pub const ROLE: u8 = 4;
    pub const USER: u8 = 5;
    pub const GROUP: u8 = 6;
    pub const EDGE_REMOVED: u8 = 10;
    pub const EDGE_ADDED: u8 = 11;
    pub const POLICY: u8 = 12;
    pub const DELETE_USER: u8 = 20;
    pub const DELETE_GROUP: u8 = 21;
    pub const DELETE_ROLE: u8 = 22;
    pub const DELETE_PERMISSION: u8 = 23;
    pub const DELETE_APP: u8 = 24;
    pub const DELETE_STAGE: u8 = 25;
}

type UserKey = (String, String);
type GroupKey = (String, String, String);

fn user_key(tenant: &str, username: &str) -> UserKey {
    (tenant.to_string(), fold(username))
}

fn group_key(tenant: &str, name: &str, stage: &str) -> GroupKey {
    (tenant.to_string(), fold(name), fold(stage))
}

fn group_label(name: &str, stage: &str) -> String {
    format!("group {name} ({stage})")
}

fn scope_label(stage: &Option<String>, app: &Option<String>) -> String {
    match (stage, app) {
        (None, None) => "organization".to_string(),
        (Some(s), None) => format!("stage {s}"),
        (None, Some(a)) => format!("app {a}"),
        (Some(s), Some(a)) => format!("stage {s}, app {a}"),
    }
}

fn difference(
    part: Part,
    effect: Effect,
    subject: String,
    tenant: &str,
    commands: Vec<Command>,
    phase: u8,
) -> Difference {
    Difference {
        part: part.as_str(),
        effect,
        subject,
        details: Vec::new(),
        matched_by: None,
        origin: Origin::entry(None),
        tenant: tenant.to_string(),
        commands,
        phase,
    }
}

/// What a store holds, by natural keys, for looking entries up.
#[derive(Default)]
pub struct Index {
    tenants: HashSet<String>,
    stages: Option<Vec<String>>,
    apps: HashMap<String, AppEntry>,
    permissions: HashMap<String, PermissionEntry>,
    implications: HashSet<(String, String)>,
    roles: HashMap<String, RoleEntry>,
    grants: HashSet<(String, GrantEntry)>,
    includes: HashSet<(String, String)>,
    users: HashMap<UserKey, UserEntry>,
    by_external_id: HashMap<(String, String), String>,
    groups: HashMap<GroupKey, GroupEntry>,
    members: HashSet<(GroupKey, String)>,
    group_roles: HashSet<(GroupKey, String)>,
    assignments: HashSet<(UserKey, String, Option<String>, Option<String>)>,
    policy: BTreeMap<String, String>,
}

impl Index {
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
            for m in &g.members {
                index.members.insert((key.clone(), fold(m)));
            }
            for r in &g.roles {
                index.group_roles.insert((key.clone(), r.clone()));
            }
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
    fn user(&self, wanted: &UserEntry) -> Option<(&UserEntry, Option<&'static str>)> {
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
    /// Usernames (folded, per tenant) of stored users renamed by an external-id match: the
    /// store's relations of those users are compared under the new name.
    renamed: HashMap<UserKey, String>,
}

impl<'a> Comparer<'a> {
    pub fn new(index: &'a Index) -> Comparer<'a> {
        Comparer {
            index,
            renamed: HashMap::new(),
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
                out.push(difference(
                    Part::Permissions,
                    Effect::Create,
                    format!("permission {} implies {q}", p.key),
                    "default",
                    build::implication(&p.key, q, true),
                    phase::EDGE_ADDED,
                ));
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
                        out.push(difference(
                            Part::Roles,
                            Effect::Create,
                            format!(
                                "role {} grants {} at {}",
                                r.key,
                                g.permission,
                                scope_label(&g.stage, &g.app)
                            ),
                            "default",
                            build::grant(&r.key, g, true),
                            phase::EDGE_ADDED,
                        ));
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
                out.push(difference(
                    Part::Roles,
                    Effect::Create,
                    format!("role {} includes {other}", r.key),
                    "default",
                    build::include(&r.key, other, true),
                    phase::EDGE_ADDED,
                ));
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
                    self.renamed.insert(
                        user_key(&stored.tenant, &stored.username),
                        u.username.clone(),
                    );
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
            if !self.index.group_roles.contains(&(key.clone(), r.clone())) {
                out.push(difference(
                    Part::Groups,
                    Effect::Create,
                    format!("{label} has role {r}"),
                    &g.tenant,
                    build::group_role(&g.name, &g.stage, r, true),
                    phase::EDGE_ADDED,
                ));
            }
        }
        out
    }

    /// Whether the stored relation of a (possibly renamed) user is the source's.
    fn stored_username(&self, tenant: &str, username: &str) -> String {
        let key = user_key(tenant, username);
        match self.renamed.iter().find(|(_, new)| fold(new) == key.1) {
            Some(((_, old), _)) => old.clone(),
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
        (!self.index.members.contains(&(key, stored))).then(|| {
            difference(
                Part::Groups,
                Effect::Create,
                format!("member {username} of {}", group_label(group, stage)),
                tenant,
                build::member(group, stage, username, true),
                phase::EDGE_ADDED,
            )
        })
    }

    pub fn assignment(&self, a: &AssignmentEntry) -> Option<Difference> {
        let stored = self.stored_username(&a.tenant, &a.username);
        let key = (
            (a.tenant.clone(), stored),
            a.role.clone(),
            a.stage.clone(),
            a.app.clone(),
        );
        (!self.index.assignments.contains(&key)).then(|| {
            difference(
                Part::Assignments,
                Effect::Create,
                format!(
                    "assignment of {} to {} at {}",
                    a.role,
                    a.username,
                    scope_label(&a.stage, &a.app)
                ),
                &a.tenant,
                build::assignment(a, true),
                phase::EDGE_ADDED,
            )
        })
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

/// What the target holds and the source does not: edges always (a sync makes them match),
/// whole entities only when pruning.
fn removals(
    parts: &[Part],
    source_index: Index,
    comparer: &Comparer<'_>,
    prune: bool,
) -> Vec<Difference> {
    let target = comparer.index;
    let mut out = Vec::new();
    let has = |part: Part| parts.contains(&part);
    // Stored names of renamed users, so their relations are not counted twice.
    let renamed_to: HashMap<UserKey, String> = comparer
        .renamed
        .iter()
        .map(|(old, new)| (old.clone(), new.clone()))
        .collect();
    let source_name = |tenant: &str, folded: &str| -> String {
        renamed_to
            .get(&(tenant.to_string(), folded.to_string()))
            .map(|n| fold(n))
            .unwrap_or_else(|| folded.to_string())
    };
    if has(Part::Permissions) {
        for p in target.permissions.values() {
            if !source_index.permissions.contains_key(&p.key) {
                if prune {
                    out.push(difference(
                        Part::Permissions,
                        Effect::Remove,
                        format!("permission {}", p.key),
                        "default",
                        build::delete_permission(&p.key),
                        phase::DELETE_PERMISSION,
                    ));
                }
                continue;
            }
            for q in &p.implies {
                if !source_index
                    .implications
                    .contains(&(p.key.clone(), q.clone()))
                {
                    out.push(difference(
                        Part::Permissions,
                        Effect::Remove,
                        format!("permission {} implies {q}", p.key),
                        "default",
                        build::implication(&p.key, q, false),
                        phase::EDGE_REMOVED,
                    ));
                }
            }
        }
    }
    if has(Part::Roles) {
        for r in target.roles.values() {
            if !source_index.roles.contains_key(&r.key) {
                if prune {
                    out.push(difference(
                        Part::Roles,
                        Effect::Remove,
                        format!("role {}", r.key),
                        "default",
                        build::delete_role(&r.key),
                        phase::DELETE_ROLE,
                    ));
                }
                continue;
            }
            for g in &r.grants {
                if !source_index.grants.contains(&(r.key.clone(), g.clone())) {
                    out.push(difference(
                        Part::Roles,
                        Effect::Remove,
                        format!(
                            "role {} grants {} at {}",
                            r.key,
                            g.permission,
                            scope_label(&g.stage, &g.app)
                        ),
                        "default",
                        build::grant(&r.key, g, false),
                        phase::EDGE_REMOVED,
                    ));
                }
            }
            for other in &r.includes {
                if !source_index
                    .includes
                    .contains(&(r.key.clone(), other.clone()))
                {
                    out.push(difference(
                        Part::Roles,
                        Effect::Remove,
                        format!("role {} includes {other}", r.key),
                        "default",
                        build::include(&r.key, other, false),
                        phase::EDGE_REMOVED,
                    ));
                }
            }
        }
    }
    if has(Part::Users) && prune {
        for (key, u) in &target.users {
            let name = source_name(&key.0, &key.1);
            if !source_index.users.contains_key(&(key.0.clone(), name)) {
                out.push(difference(
                    Part::Users,
                    Effect::Remove,
                    format!("user {}", u.username),
                    &u.tenant,
                    build::delete_user(&u.username),
                    phase::DELETE_USER,
                ));
            }
        }
    }
    if has(Part::Groups) {
        for (key, g) in &target.groups {
            if !source_index.groups.contains_key(key) {
                if prune {
                    out.push(difference(
                        Part::Groups,
                        Effect::Remove,
                        group_label(&g.name, &g.stage),
                        &g.tenant,
                        build::delete_group(g),
                        phase::DELETE_GROUP,
                    ));
                }
                continue;
            }
            for m in &g.members {
                let name = source_name(&g.tenant, &fold(m));
                let user_kept = source_index
                    .users
                    .contains_key(&(g.tenant.clone(), name.clone()))
                    || !has(Part::Users);
                if !source_index.members.contains(&(key.clone(), name)) && (user_kept || !prune) {
                    out.push(difference(
                        Part::Groups,
                        Effect::Remove,
                        format!("member {m} of {}", group_label(&g.name, &g.stage)),
                        &g.tenant,
                        build::member(&g.name, &g.stage, m, false),
                        phase::EDGE_REMOVED,
                    ));
                }
            }
            for r in &g.roles {
                if !source_index.group_roles.contains(&(key.clone(), r.clone())) {
                    out.push(difference(
                        Part::Groups,
                        Effect::Remove,
                        format!("{} has role {r}", group_label(&g.name, &g.stage)),
                        &g.tenant,
                        build::group_role(&g.name, &g.stage, r, false),
                        phase::EDGE_REMOVED,
                    ));
                }
            }
        }
    }
    if has(Part::Assignments) {
        for (user, role, stage, app) in &target.assignments {
            let name = source_name(&user.0, &user.1);
            let user_kept = source_index
                .users
                .contains_key(&(user.0.clone(), name.clone()))
                || !has(Part::Users);
            let key = (
                (user.0.clone(), name),
                role.clone(),
                stage.clone(),
                app.clone(),
            );
            if !source_index.assignments.contains(&key) && (user_kept || !prune) {
                let username = target
                    .users
                    .get(user)
                    .map(|u| u.username.clone())
                    .unwrap_or_else(|| user.1.clone());
                let entry = AssignmentEntry {
                    tenant: user.0.clone(),
                    username,
                    role: role.clone(),
                    stage: stage.clone(),
                    app: app.clone(),
                };
                out.push(difference(
                    Part::Assignments,
                    Effect::Remove,
                    format!(
                        "assignment of {role} to {} at {}",
                        entry.username,
                        scope_label(stage, app)
                    ),
                    &entry.tenant,
                    build::assignment(&entry, false),
                    phase::EDGE_REMOVED,
                ));
            }
        }
    }
    if has(Part::Apps) && prune {
        for app in target.apps.values() {
            if !source_index.apps.contains_key(&app.key) {
                out.push(difference(
                    Part::Apps,
                    Effect::Remove,
                    format!("app {}", app.key),
                    "default",
                    build::delete_app(&app.key),
                    phase::DELETE_APP,
                ));
            }
        }
    }
    if let (Some(wanted), Some(stored), true) = (&source_index.stages, &target.stages, prune) {
        let wanted: Vec<String> = wanted.iter().map(|s| fold(s)).collect();
        for s in stored {
            if !wanted.contains(&fold(s)) {
                out.push(difference(
                    Part::Stages,
                    Effect::Remove,
                    format!("stage {s}"),
                    "default",
                    build::delete_stage(s),
                    phase::DELETE_STAGE,
                ));
            }
        }
    }
    // Hash sets iterate in no fixed order; a diff is read by people and tests.
    out.sort_by(|a, b| (a.phase, &a.subject).cmp(&(b.phase, &b.subject)));
    out
}
