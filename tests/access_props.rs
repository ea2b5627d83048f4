//! Property tests of the access engine on random graphs: users of every status and kind,
//! groups in several stages, a role inclusion DAG, a permission implication DAG, scoped grants
//! and assignments. The engine is compared with a naive reference written here, independently,
//! from SPEC §2; forward and reverse queries must agree; a preview must equal the difference the
//! changes make; incremental updates must equal a rebuild; and the SQL view must return the
//! engine's atoms.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashSet};

use proptest::prelude::*;
use warden::access::Engine;
use warden::model::*;

// ── random graphs ───────────────────────────────────────────────────────────────────────────

#[derive(Clone, Debug)]
struct Spec {
    stages: usize,
    apps: usize,
    perms: usize,
    roles: usize,
    role_apps: Vec<u8>,
    perm_apps: Vec<u8>,
    groups: Vec<u8>,
    users: Vec<(u8, u8)>,
    implications: Vec<(u8, u8)>,
    includes: Vec<(u8, u8)>,
    grants: Vec<(u8, u8, u8, u8)>,
    members: Vec<(u8, u8)>,
    group_roles: Vec<(u8, u8)>,
    assignments: Vec<(u8, u8, u8, u8)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    use proptest::collection::vec;
    let sizes = (1usize..=3, 0usize..=3, 1usize..=8, 1usize..=8);
    let parts = (
        vec(any::<u8>(), 8),
        vec(any::<u8>(), 8),
        vec(any::<u8>(), 0..4),
        vec((any::<u8>(), any::<u8>()), 1..10),
        vec((any::<u8>(), any::<u8>()), 0..10),
        vec((any::<u8>(), any::<u8>()), 0..12),
        vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>()), 0..16),
        vec((any::<u8>(), any::<u8>()), 0..14),
        vec((any::<u8>(), any::<u8>()), 0..8),
        vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>()), 0..14),
    );
    (sizes, parts).prop_map(
        |(
            (stages, apps, perms, roles),
            (
                role_apps,
                perm_apps,
                groups,
                users,
                implications,
                includes,
                grants,
                members,
                group_roles,
                assignments,
            ),
        )| Spec {
            stages,
            apps,
            perms,
            roles,
            role_apps,
            perm_apps,
            groups,
            users,
            implications,
            includes,
            grants,
            members,
            group_roles,
            assignments,
        },
    )
}

const T: Timestamp = Timestamp(1_700_000_000_000);

fn scope_of(spec: &Spec, stage: u8, app: u8) -> Scope {
    let s = stage as usize % (spec.stages + 1);
    let a = app as usize % (spec.apps + 1);
    Scope::new(
        (s > 0).then_some(StageId(s as i64)),
        (a > 0).then_some(AppId(a as i64)),
    )
}

fn build(spec: &Spec) -> Snapshot {
    let mut snap = Snapshot {
        tenants: vec![Tenant {
            id: TenantId(1),
            name: "default".into(),
        }],
        ..Snapshot::default()
    };
    for s in 1..=spec.stages {
        snap.stages.push(Stage {
            id: StageId(s as i64),
            name: format!("S{s}"),
            position: s as i64,
        });
    }
    for a in 1..=spec.apps {
        snap.apps.push(App {
            id: AppId(a as i64),
            key: format!("a{a}"),
            name: format!("A{a}"),
            description: String::new(),
        });
    }
    for p in 1..=spec.perms {
        let app = spec.perm_apps[p - 1] as usize % (spec.apps + 1);
        snap.permissions.push(Permission {
            id: PermissionId(p as i64),
            key: format!("p{p}"),
            name: format!("P{p}"),
            section: "S".into(),
            description: String::new(),
            app: (app > 0).then_some(AppId(app as i64)),
            builtin: false,
        });
    }
    for &(a, b) in &spec.implications {
        let (p, q) = (a as usize % spec.perms, b as usize % spec.perms);
        let edge = (PermissionId(p as i64 + 1), PermissionId(q as i64 + 1));
        if p < q && !snap.implications.contains(&edge) {
            snap.implications.push(edge);
        }
    }
    for r in 1..=spec.roles {
        let app = spec.role_apps[r - 1] as usize % (spec.apps + 1);
        snap.roles.push(Role {
            id: RoleId(r as i64),
            key: format!("r{r}"),
            name: format!("R{r}"),
            description: String::new(),
            kind: if app > 0 {
                RoleKind::EndUser
            } else {
                RoleKind::Organization
            },
            app: (app > 0).then_some(AppId(app as i64)),
            builtin: false,
            created_at: T,
            updated_at: T,
            version: 1,
        });
    }
    for &(a, b) in &spec.includes {
        let (r, c) = (a as usize % spec.roles, b as usize % spec.roles);
        let edge = (RoleId(r as i64 + 1), RoleId(c as i64 + 1));
        if r > c && !snap.includes.contains(&edge) {
            snap.includes.push(edge);
        }
    }
    for &(r, p, s, a) in &spec.grants {
        let grant = Grant {
            role: RoleId(r as i64 % spec.roles as i64 + 1),
            permission: PermissionId(p as i64 % spec.perms as i64 + 1),
            scope: scope_of(spec, s, a),
        };
        if !snap.grants.contains(&grant) {
            snap.grants.push(grant);
        }
    }
    for (i, &stage) in spec.groups.iter().enumerate() {
        snap.groups.push(Group {
            id: GroupId(i as i64 + 1),
            tenant: TenantId(1),
            name: format!("g{}", i + 1),
            description: String::new(),
            stage: StageId(stage as i64 % spec.stages as i64 + 1),
            created_at: T,
            updated_at: T,
            version: 1,
        });
    }
    for (i, &(status, kind)) in spec.users.iter().enumerate() {
        snap.users.push(UserEntry {
            id: UserId(i as i64 + 1),
            tenant: TenantId(1),
            username: format!("u{}", i + 1),
            kind: [UserKind::EndUser, UserKind::Member, UserKind::ApiClient][kind as usize % 3],
            status: [
                UserStatus::Active,
                UserStatus::Active,
                UserStatus::Invited,
                UserStatus::Deactivated,
            ][status as usize % 4],
        });
    }
    if !snap.groups.is_empty() {
        for &(g, u) in &spec.members {
            let edge = (
                GroupId(g as i64 % snap.groups.len() as i64 + 1),
                UserId(u as i64 % snap.users.len() as i64 + 1),
            );
            if !snap.members.contains(&edge) {
                snap.members.push(edge);
            }
        }
        for &(g, r) in &spec.group_roles {
            let edge = (
                GroupId(g as i64 % snap.groups.len() as i64 + 1),
                RoleId(r as i64 % spec.roles as i64 + 1),
            );
            if !snap.group_roles.contains(&edge) {
                snap.group_roles.push(edge);
            }
        }
    }
    for &(u, r, s, a) in &spec.assignments {
        let assignment = Assignment {
            user: UserId(u as i64 % snap.users.len() as i64 + 1),
            role: RoleId(r as i64 % spec.roles as i64 + 1),
            scope: scope_of(spec, s, a),
        };
        if !snap.assignments.contains(&assignment) {
            snap.assignments.push(assignment);
        }
    }
    snap
}

// ── the reference, straight from SPEC §2 ────────────────────────────────────────────────────

type RawSet = BTreeSet<(PermissionId, Scope)>;

fn meet(a: Option<i64>, b: Option<i64>) -> Option<Option<i64>> {
    match (a, b) {
        (None, x) | (x, None) => Some(x),
        (Some(x), Some(y)) if x == y => Some(Some(x)),
        _ => None,
    }
}

fn intersect(a: Scope, b: Scope) -> Option<Scope> {
    let stage = meet(a.stage.map(|s| s.0), b.stage.map(|s| s.0))?;
    let app = meet(a.app.map(|x| x.0), b.app.map(|x| x.0))?;
    Some(Scope::new(stage.map(StageId), app.map(AppId)))
}

fn covers(wide: Scope, narrow: Scope) -> bool {
    (wide.stage.is_none() || wide.stage == narrow.stage)
        && (wide.app.is_none() || wide.app == narrow.app)
}

/// Every atom the user holds, before widest-scope reduction.
fn reference(snap: &Snapshot, user: UserId) -> RawSet {
    let mut raw = RawSet::new();
    let Some(u) = snap.users.iter().find(|u| u.id == user) else {
        return raw;
    };
    // 1. Nothing unless active.
    if u.status != UserStatus::Active {
        return raw;
    }
    // 2. Role paths: direct assignments, and each group's roles at (stage, role's app or any).
    let mut paths: Vec<(RoleId, Scope)> = snap
        .assignments
        .iter()
        .filter(|a| a.user == user)
        .map(|a| (a.role, a.scope))
        .collect();
    for (g, _) in snap.members.iter().filter(|(_, m)| *m == user) {
        let group = snap.groups.iter().find(|x| x.id == *g).unwrap();
        for (_, r) in snap.group_roles.iter().filter(|(x, _)| x == g) {
            let role = snap.roles.iter().find(|x| x.id == *r).unwrap();
            paths.push((*r, Scope::new(Some(group.stage), role.app)));
        }
    }
    for (start, under) in paths {
        // 3. Every role reached through inclusion.
        let mut seen = HashSet::from([start]);
        let mut todo = vec![start];
        while let Some(r) = todo.pop() {
            // 4. Each grant under the path's scope, unless the intersection is empty.
            for g in snap.grants.iter().filter(|g| g.role == r) {
                if let Some(s) = intersect(g.scope, under) {
                    raw.insert((g.permission, s));
                }
            }
            for (_, c) in snap.includes.iter().filter(|(x, _)| *x == r) {
                if seen.insert(*c) {
                    todo.push(*c);
                }
            }
        }
    }
    // 5. Implication closure.
    let mut todo: Vec<(PermissionId, Scope)> = raw.iter().copied().collect();
    while let Some((p, s)) = todo.pop() {
        for (_, q) in snap.implications.iter().filter(|(x, _)| *x == p) {
            if raw.insert((*q, s)) {
                todo.push((*q, s));
            }
        }
    }
    raw
}

/// 6. Each atom once, at its widest scope.
fn widest(raw: &RawSet) -> RawSet {
    raw.iter()
        .copied()
        .filter(|&(p, s)| !raw.iter().any(|&(q, t)| q == p && t != s && covers(t, s)))
        .collect()
}

fn holds(raw: &RawSet, p: PermissionId, q: Scope) -> bool {
    raw.iter().any(|&(x, s)| x == p && covers(s, q))
}

fn all_scopes(snap: &Snapshot) -> Vec<Scope> {
    let mut out = Vec::new();
    for s in std::iter::once(None).chain(snap.stages.iter().map(|s| Some(s.id))) {
        for a in std::iter::once(None).chain(snap.apps.iter().map(|a| Some(a.id))) {
            out.push(Scope::new(s, a));
        }
    }
    out
}

fn engine_atoms(engine: &Engine, user: UserId) -> RawSet {
    let set = engine.effective(user).unwrap();
    engine
        .atoms(&set)
        .into_iter()
        .map(|a| (a.permission, a.scope))
        .collect()
}

// ── random changes, applied to the reference by hand ────────────────────────────────────────

fn named<I: Copy + std::fmt::Display>(id: I) -> Named<I> {
    Named::new(id, format!("#{id}"))
}

fn nscope(scope: Scope) -> NamedScope {
    NamedScope {
        scope,
        stage: scope.stage.map(|s| s.to_string()),
        app: scope.app.map(|a| a.to_string()),
    }
}

fn reaches<T: PartialEq + Copy>(edges: &[(T, T)], from: T, to: T) -> bool {
    let mut todo = vec![from];
    let mut seen = vec![from];
    while let Some(x) = todo.pop() {
        if x == to {
            return true;
        }
        for (_, y) in edges.iter().filter(|(a, _)| *a == x) {
            if !seen.contains(y) {
                seen.push(*y);
                todo.push(*y);
            }
        }
    }
    false
}

/// Turns random opcodes into valid changes against `snap`, applying each to `snap` as the
/// reference (plain list edits, nothing shared with the engine).
fn changes(spec: &Spec, snap: &mut Snapshot, ops: &[(u8, u8, u8, u8, u8)]) -> Vec<Change> {
    let mut out = Vec::new();
    for &(op, a, b, c, d) in ops {
        let nu = snap.users.len();
        let nr = snap.roles.len();
        let ng = snap.groups.len();
        let np = snap.permissions.len();
        let user = snap.users[a as usize % nu].id;
        let role = snap.roles[b as usize % nr].id;
        match op % 14 {
            0 => {
                let scope = scope_of(spec, c, d);
                let x = Assignment { user, role, scope };
                if !snap.assignments.contains(&x) {
                    snap.assignments.push(x);
                    out.push(Change::Assign {
                        user: named(user),
                        role: named(role),
                        scope: nscope(scope),
                    });
                }
            }
            1 if !snap.assignments.is_empty() => {
                let x = snap.assignments.remove(a as usize % snap.assignments.len());
                out.push(Change::Unassign {
                    user: named(x.user),
                    role: named(x.role),
                    scope: nscope(x.scope),
                });
            }
            2 if ng > 0 => {
                let g = snap.groups[c as usize % ng].id;
                if !snap.members.contains(&(g, user)) {
                    snap.members.push((g, user));
                    out.push(Change::AddMember {
                        group: named(g),
                        user: named(user),
                    });
                }
            }
            3 if !snap.members.is_empty() => {
                let (g, u) = snap.members.remove(a as usize % snap.members.len());
                out.push(Change::RemoveMember {
                    group: named(g),
                    user: named(u),
                });
            }
            4 if ng > 0 => {
                let g = snap.groups[c as usize % ng].id;
                if !snap.group_roles.contains(&(g, role)) {
                    snap.group_roles.push((g, role));
                    out.push(Change::AddGroupRole {
                        group: named(g),
                        role: named(role),
                    });
                }
            }
            5 if !snap.group_roles.is_empty() => {
                let (g, r) = snap.group_roles.remove(a as usize % snap.group_roles.len());
                out.push(Change::RemoveGroupRole {
                    group: named(g),
                    role: named(r),
                });
            }
            6 => {
                let p = snap.permissions[c as usize % np].id;
                let scope = scope_of(spec, d, a);
                let g = Grant {
                    role,
                    permission: p,
                    scope,
                };
                if !snap.grants.contains(&g) {
                    snap.grants.push(g);
                    out.push(Change::Grant {
                        role: named(role),
                        permission: named(p),
                        scope: nscope(scope),
                    });
                }
            }
            7 if !snap.grants.is_empty() => {
                let g = snap.grants.remove(a as usize % snap.grants.len());
                out.push(Change::Revoke {
                    role: named(g.role),
                    permission: named(g.permission),
                    scope: nscope(g.scope),
                });
            }
            8 => {
                let other = snap.roles[c as usize % nr].id;
                if other != role
                    && !snap.includes.contains(&(role, other))
                    && !reaches(&snap.includes, other, role)
                {
                    snap.includes.push((role, other));
                    out.push(Change::Include {
                        role: named(role),
                        included: named(other),
                    });
                }
            }
            9 if !snap.includes.is_empty() => {
                let (r, x) = snap.includes.remove(a as usize % snap.includes.len());
                out.push(Change::Exclude {
                    role: named(r),
                    included: named(x),
                });
            }
            10 => {
                let p = snap.permissions[c as usize % np].id;
                let q = snap.permissions[d as usize % np].id;
                if p != q
                    && !snap.implications.contains(&(p, q))
                    && !reaches(&snap.implications, q, p)
                {
                    snap.implications.push((p, q));
                    out.push(Change::Imply {
                        permission: named(p),
                        implied: named(q),
                    });
                }
            }
            11 if !snap.implications.is_empty() => {
                let (p, q) = snap
                    .implications
                    .remove(a as usize % snap.implications.len());
                out.push(Change::Unimply {
                    permission: named(p),
                    implied: named(q),
                });
            }
            12 => {
                let to = [
                    UserStatus::Active,
                    UserStatus::Invited,
                    UserStatus::Deactivated,
                ][c as usize % 3];
                let entry = snap.users.iter_mut().find(|u| u.id == user).unwrap();
                if entry.status != to {
                    let before = entry.status;
                    entry.status = to;
                    out.push(Change::SetUserStatus {
                        user: named(user),
                        before,
                        after: to,
                    });
                }
            }
            13 => {
                let id = UserId(snap.users.iter().map(|u| u.id.0).max().unwrap_or(0) + 1);
                snap.users.push(UserEntry {
                    id,
                    tenant: TenantId(1),
                    username: format!("u{id}"),
                    kind: UserKind::EndUser,
                    status: UserStatus::Active,
                });
                out.push(Change::AddUser {
                    id,
                    tenant: named(TenantId(1)),
                    fields: UserFields {
                        username: format!("u{id}"),
                        email: None,
                        display_name: String::new(),
                        kind: UserKind::EndUser,
                        external_id: None,
                    },
                    status: UserStatus::Active,
                });
            }
            _ => {}
        }
    }
    out
}

fn ops() -> impl Strategy<Value = Vec<(u8, u8, u8, u8, u8)>> {
    proptest::collection::vec(
        (
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
        ),
        1..10,
    )
}

// ── the properties ──────────────────────────────────────────────────────────────────────────

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn effective_sets_equal_the_reference(spec in spec()) {
        let snap = build(&spec);
        let engine = Engine::build(&snap).unwrap();
        for u in &snap.users {
            let raw = reference(&snap, u.id);
            prop_assert_eq!(engine_atoms(&engine, u.id), widest(&raw), "user {}", u.username);
            for p in &snap.permissions {
                for q in all_scopes(&snap) {
                    prop_assert_eq!(engine.check(u.id, p.id, q), holds(&raw, p.id, q));
                }
            }
        }
    }

    #[test]
    fn who_can_agrees_with_check_for_every_user(spec in spec()) {
        let snap = build(&spec);
        let engine = Engine::build(&snap).unwrap();
        for p in &snap.permissions {
            for q in all_scopes(&snap) {
                let who: BTreeSet<UserId> = engine.who_can(p.id, q, None).into_iter().collect();
                let checked: BTreeSet<UserId> = snap
                    .users
                    .iter()
                    .filter(|u| engine.check(u.id, p.id, q))
                    .map(|u| u.id)
                    .collect();
                prop_assert_eq!(&who, &checked);
                for u in &who {
                    // Each user who can has an explanation that yields a covering atom.
                    let why = engine.explain(*u, p.id, Some(q));
                    prop_assert!(!why.paths.is_empty());
                    prop_assert!(why.paths.iter().all(|path| covers(path.atom.scope, q)));
                }
            }
        }
    }

    #[test]
    fn preview_is_the_difference_the_changes_make(spec in spec(), ops in ops()) {
        let before = build(&spec);
        let mut after = before.clone();
        let changes = changes(&spec, &mut after, &ops);
        let mut engine = Engine::build(&before).unwrap();
        let preview = engine.preview(&changes).unwrap();

        let mut expected: BTreeMap<UserId, (RawSet, RawSet)> = BTreeMap::new();
        for u in &after.users {
            let was = reference(&before, u.id);
            let now = reference(&after, u.id);
            let gained: RawSet = widest(&now).into_iter().filter(|&(p, s)| !holds(&was, p, s)).collect();
            let lost: RawSet = widest(&was).into_iter().filter(|&(p, s)| !holds(&now, p, s)).collect();
            if !gained.is_empty() || !lost.is_empty() {
                expected.insert(u.id, (gained, lost));
            }
        }
        let actual: BTreeMap<UserId, (RawSet, RawSet)> = preview
            .users
            .iter()
            .map(|d| {
                (
                    d.user,
                    (
                        d.gained.iter().map(|a| (a.permission, a.scope)).collect(),
                        d.lost.iter().map(|a| (a.permission, a.scope)).collect(),
                    ),
                )
            })
            .collect();
        prop_assert_eq!(actual, expected);

        // The preview left the engine as it was.
        for u in &before.users {
            prop_assert_eq!(engine_atoms(&engine, u.id), widest(&reference(&before, u.id)));
        }
        // Applying the changes incrementally equals building from the changed store.
        engine.apply_all(&changes).unwrap();
        let rebuilt = Engine::build(&after).unwrap();
        for u in &after.users {
            let expected = widest(&reference(&after, u.id));
            prop_assert_eq!(engine_atoms(&engine, u.id), expected.clone(), "incremental, {}", u.username);
            prop_assert_eq!(engine_atoms(&rebuilt, u.id), expected, "rebuilt, {}", u.username);
        }
    }
}

// ── the SQL view ────────────────────────────────────────────────────────────────────────────

/// Writes a snapshot into a new SQLite store through the store's own change applier.
fn write_store(snap: &Snapshot, dir: &std::path::Path) -> warden::store::Store {
    use warden::store::{Location, Store, StoreOptions};
    let mut store =
        Store::create(&Location::Sqlite(dir.join("p.db")), StoreOptions::default()).unwrap();
    store
        .write(|tx| {
            let mut apply = |c: Change| {
                let mut c = c;
                tx.apply(&mut c, T)
            };
            apply(Change::AddTenant {
                id: TenantId(0),
                name: "default".into(),
            })?;
            for s in &snap.stages {
                apply(Change::AddStage {
                    id: StageId(0),
                    name: s.name.clone(),
                    position: s.position,
                })?;
            }
            for a in &snap.apps {
                apply(Change::AddApp {
                    id: AppId(0),
                    key: a.key.clone(),
                    fields: AppFields {
                        name: a.name.clone(),
                        description: String::new(),
                    },
                })?;
            }
            for p in &snap.permissions {
                apply(Change::AddPermission {
                    id: PermissionId(0),
                    key: p.key.clone(),
                    fields: PermissionFields {
                        name: p.name.clone(),
                        section: "S".into(),
                        description: String::new(),
                    },
                    app: p.app.map(named),
                    builtin: false,
                })?;
            }
            for (p, q) in &snap.implications {
                apply(Change::Imply {
                    permission: named(*p),
                    implied: named(*q),
                })?;
            }
            for r in &snap.roles {
                apply(Change::AddRole {
                    id: RoleId(0),
                    key: r.key.clone(),
                    fields: RoleFields {
                        name: r.name.clone(),
                        description: String::new(),
                    },
                    kind: r.kind,
                    app: r.app.map(named),
                    builtin: false,
                    grants: snap
                        .grants
                        .iter()
                        .filter(|g| g.role == r.id)
                        .map(|g| NamedGrant {
                            permission: named(g.permission),
                            scope: nscope(g.scope),
                        })
                        .collect(),
                    includes: snap
                        .includes
                        .iter()
                        .filter(|(x, _)| *x == r.id)
                        .map(|(_, c)| named(*c))
                        .collect(),
                })?;
            }
            for g in &snap.groups {
                apply(Change::AddGroup {
                    id: GroupId(0),
                    tenant: named(TenantId(1)),
                    stage: named(g.stage),
                    fields: GroupFields {
                        name: g.name.clone(),
                        description: String::new(),
                    },
                })?;
            }
            for (g, r) in &snap.group_roles {
                apply(Change::AddGroupRole {
                    group: named(*g),
                    role: named(*r),
                })?;
            }
            for u in &snap.users {
                apply(Change::AddUser {
                    id: UserId(0),
                    tenant: named(TenantId(1)),
                    fields: UserFields {
                        username: u.username.clone(),
                        email: None,
                        display_name: String::new(),
                        kind: u.kind,
                        external_id: None,
                    },
                    status: u.status,
                })?;
            }
            for (g, u) in &snap.members {
                apply(Change::AddMember {
                    group: named(*g),
                    user: named(*u),
                })?;
            }
            for a in &snap.assignments {
                apply(Change::Assign {
                    user: named(a.user),
                    role: named(a.role),
                    scope: nscope(a.scope),
                })?;
            }
            Ok::<_, warden::store::StoreError>(())
        })
        .unwrap();
    store
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_sql_view_returns_the_engines_atoms(spec in spec()) {
        let snap = build(&spec);
        let dir = tempfile::tempdir().unwrap();
        let mut store = write_store(&snap, dir.path());
        // The store numbered everything in insertion order, as the snapshot does.
        let loaded = store.read(|tx| tx.snapshot()).unwrap();
        prop_assert_eq!(loaded.users.len(), snap.users.len());
        let engine = Engine::build(&loaded).unwrap();
        let mut from_engine: BTreeSet<(String, String, Option<String>, Option<String>)> = BTreeSet::new();
        for u in &loaded.users {
            for atom in engine.atoms(&engine.effective(u.id).unwrap()) {
                from_engine.insert((
                    u.username.clone(),
                    engine.permission_key(atom.permission).unwrap().to_string(),
                    atom.scope.stage.map(|s| engine.stage_name(s).unwrap().to_string()),
                    atom.scope.app.map(|a| engine.app_key(a).unwrap().to_string()),
                ));
            }
        }
        drop(store);
        let conn = rusqlite::Connection::open(dir.path().join("p.db")).unwrap();
        let mut stmt = conn
            .prepare("SELECT username, permission, stage, app FROM effective_permissions WHERE tenant = 'default'")
            .unwrap();
        let from_view: BTreeSet<(String, String, Option<String>, Option<String>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        prop_assert_eq!(from_view, from_engine);
    }
}
