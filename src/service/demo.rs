//! `warden demo`: a new store filled with deterministic, realistic data at any size — the data
//! set every benchmark, demo and scale test uses. Users of every kind and status, groups across
//! stages, apps with their own permissions and implications, several hundred roles with
//! inclusion chains up to six deep, direct and group assignments, and a few hostile display
//! names and descriptions written straight to the store (as another application might), so
//! every front end is exercised against them. The same seed always gives the same store.

use std::collections::BTreeMap;

use crate::catalog::{ADMINISTRATORS, DEVELOPERS};
use crate::model::*;
use crate::service::error::Error;
use crate::service::init::{InitReport, InitRequest, seeded_draft};
use crate::store::{AuditDraft, Location, Store, StoreOptions, Tx};

const FIRST: &[&str] = &[
    "ada",
    "alan",
    "grace",
    "linus",
    "margaret",
    "dennis",
    "barbara",
    "ken",
    "frances",
    "edsger",
    "radia",
    "donald",
    "hedy",
    "tim",
    "katherine",
    "john",
    "sophie",
    "guido",
    "anita",
    "bjarne",
    "joan",
    "niklaus",
    "lynn",
    "vint",
    "mary",
    "claude",
    "shafi",
    "leslie",
    "annie",
    "robin",
];
const LAST: &[&str] = &[
    "lovelace",
    "turing",
    "hopper",
    "torvalds",
    "hamilton",
    "ritchie",
    "liskov",
    "thompson",
    "allen",
    "dijkstra",
    "perlman",
    "knuth",
    "lamarr",
    "berners-lee",
    "johnson",
    "mccarthy",
    "wilson",
    "van-rossum",
    "borg",
    "stroustrup",
    "clarke",
    "wirth",
    "conway",
    "cerf",
    "keller",
    "shannon",
    "goldwasser",
    "lamport",
    "easley",
    "milner",
];
const APPS: &[(&str, &str)] = &[
    ("shop", "Shop"),
    ("crm", "Customer Relations"),
    ("billing", "Billing"),
    ("hr", "Human Resources"),
    ("payroll", "Payroll"),
    ("inventory", "Inventory"),
    ("support", "Support Desk"),
    ("analytics", "Analytics"),
    ("portal", "Partner Portal"),
    ("fleet", "Fleet"),
    ("booking", "Booking"),
    ("claims", "Claims"),
    ("docs", "Documents"),
    ("wiki", "Wiki"),
    ("tickets", "Tickets"),
    ("assets", "Asset Register"),
    ("learning", "Learning"),
    ("procurement", "Procurement"),
    ("travel", "Travel"),
    ("intranet", "Intranet"),
];
/// Each app's permissions: (suffix, name, implied suffixes).
const APP_PERMISSIONS: &[(&str, &str, &[&str])] = &[
    ("read", "Read", &[]),
    ("comment", "Comment", &["read"]),
    ("write", "Write", &["read"]),
    ("approve", "Approve", &["read"]),
    ("export", "Export", &["read"]),
    ("delete", "Delete", &["write"]),
    ("configure", "Configure", &["read"]),
    (
        "admin",
        "Administer",
        &["write", "approve", "delete", "configure", "export"],
    ),
];
/// Each app's end-user roles: (suffix, name, granted suffixes, included role suffixes).
/// viewer ← commenter ← editor ← approver ← manager ← owner is an inclusion chain six deep.
const APP_ROLES: &[(&str, &str, &[&str], &[&str])] = &[
    ("viewer", "Viewer", &["read"], &[]),
    ("commenter", "Commenter", &["comment"], &["viewer"]),
    ("editor", "Editor", &["write"], &["commenter"]),
    ("approver", "Approver", &["approve"], &["editor"]),
    ("manager", "Manager", &["export"], &["approver"]),
    ("owner", "Owner", &["admin"], &["manager"]),
    ("auditor", "Auditor", &["read", "export"], &[]),
    ("clerk", "Clerk", &["write"], &["viewer"]),
    ("reviewer", "Reviewer", &["approve", "comment"], &["viewer"]),
    ("operator", "Operator", &["configure"], &["viewer"]),
    ("guest", "Guest", &["read"], &[]),
    (
        "steward",
        "Data Steward",
        &["export", "delete"],
        &["editor"],
    ),
];
const TEAMS: &[&str] = &[
    "ops",
    "sales",
    "finance",
    "support",
    "marketing",
    "legal",
    "logistics",
    "research",
    "field",
    "partners",
    "warehouse",
    "design",
    "quality",
    "security",
    "facilities",
];
const ORG_ROLE_THEMES: &[&str] = &[
    "release-manager",
    "auditor",
    "helpdesk",
    "platform",
    "observer",
    "integrator",
    "security-officer",
    "qa-lead",
    "data-steward",
    "onboarding",
];
/// Strings another application might have written: escape sequences, bidi overrides, invisible
/// characters. They must reach every screen as visible escapes.
const HOSTILE: &[&str] = &[
    "\u{1b}[2J\u{1b}[H screen wiped",
    "evil\u{202e}gpj.exe",
    "zero\u{200b}width\u{200d}joiner",
    "\u{1b}]52;c;cHduZWQ=\u{7}clipboard",
    "\u{9b}31mred alert",
    "bell\u{7}\u{7}\u{7}",
];

/// The password of every generated member and end user: one hash, computed once, shared.
pub const DEMO_PASSWORD: &str = "Warden-Demo-2026";

/// Size and seed of a demo store.
#[derive(Clone, Copy, Debug)]
pub struct DemoSpec {
    pub users: usize,
    pub seed: u64,
}

/// What the demo generated.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct DemoReport {
    pub users: usize,
    pub groups: usize,
    pub apps: usize,
    pub permissions: usize,
    pub roles: usize,
    pub memberships: usize,
    pub assignments: usize,
    pub group_roles: usize,
    pub hostile_strings: usize,
    pub seed: u64,
    /// The password every generated member and end user signs in with.
    pub password: &'static str,
}

/// Creates a new store as `init` does, then fills it in one more transaction; it appears at
/// `location` only once filled.
pub fn create_demo_store(
    location: &Location,
    options: StoreOptions,
    request: &InitRequest,
    spec: DemoSpec,
    clock: &dyn Clock,
) -> Result<(Store, InitReport, DemoReport), Error> {
    let (mut store, init, operator) = seeded_draft(location, options, request, clock)?;
    let now = clock.now();
    let result = store.write(|tx| {
        let report = Generator::new(tx, spec, now)?.run()?;
        let summary = format!(
            "generate demo data (seed {}): {} users, {} groups, {} apps, {} roles",
            spec.seed, report.users, report.groups, report.apps, report.roles
        );
        let detail = serde_json::json!({ "demo": report }).to_string();
        tx.append_audit(&AuditDraft {
            at: now,
            tenant: init.tenant.clone(),
            operator: operator.audit_label(),
            action: "demo".into(),
            summary,
            detail,
        })?;
        Ok::<_, Error>(report)
    });
    match result {
        Ok(report) => Ok((store.publish()?, init, report)),
        Err(e) => {
            store.discard_new();
            Err(e)
        }
    }
}

struct Generator<'a, 'c> {
    tx: &'a mut Tx<'c>,
    rng: fastrand::Rng,
    spec: DemoSpec,
    now: Timestamp,
    tenant: Named<TenantId>,
    stages: Vec<Named<StageId>>,
    report: DemoReport,
    password_hash: String,
}

impl<'a, 'c> Generator<'a, 'c> {
    fn new(tx: &'a mut Tx<'c>, spec: DemoSpec, now: Timestamp) -> Result<Self, Error> {
        let tenant = tx
            .tenants()?
            .into_iter()
            .next()
            .ok_or_else(|| Error::Usage("the new store has no tenant".into()))?;
        let stages = tx
            .stages()?
            .into_iter()
            .map(|s| Named::new(s.id, s.name))
            .collect();
        Ok(Generator {
            tx,
            rng: fastrand::Rng::with_seed(spec.seed),
            spec,
            now,
            tenant: Named::new(tenant.id, tenant.name),
            stages,
            report: DemoReport {
                seed: spec.seed,
                password: DEMO_PASSWORD,
                ..DemoReport::default()
            },
            password_hash: String::new(),
        })
    }

    fn apply(&mut self, mut change: Change) -> Result<Change, Error> {
        self.tx.apply(&mut change, self.now)?;
        Ok(change)
    }

    /// Hostile string number `i` (cycling), counted in the report.
    fn hostile(&mut self, i: usize) -> String {
        self.report.hostile_strings += 1;
        HOSTILE[i % HOSTILE.len()].to_string()
    }

    fn run(mut self) -> Result<DemoReport, Error> {
        let params = self.tx.policy()?.hash;
        self.password_hash = crate::policy::hash::hash(DEMO_PASSWORD, params)
            .map_err(|e| Error::Store(crate::store::StoreError::Backend(e.to_string())))?;
        let catalog = self.catalog_permissions()?;
        let app_roles = self.apps_and_end_user_roles()?;
        let org_roles = self.organization_roles(&catalog, &app_roles)?;
        let groups = self.groups(&app_roles)?;
        self.users(&app_roles, &org_roles, &groups)?;
        Ok(self.report)
    }

    fn catalog_permissions(&mut self) -> Result<Vec<Named<PermissionId>>, Error> {
        Ok(self
            .tx
            .permissions()?
            .into_iter()
            .map(|p| Named::new(p.id, p.key))
            .collect())
    }

    /// Apps, their permissions with implications, and their end-user roles with inclusion
    /// chains. Returns each app's roles.
    fn apps_and_end_user_roles(&mut self) -> Result<Vec<Vec<Named<RoleId>>>, Error> {
        let mut all_roles = Vec::new();
        for (app_key, app_name) in APPS {
            let Change::AddApp { id: app_id, .. } = self.apply(Change::AddApp {
                id: AppId(0),
                key: app_key.to_string(),
                fields: AppFields {
                    name: app_name.to_string(),
                    description: format!("The {app_name} application."),
                },
            })?
            else {
                continue;
            };
            self.report.apps += 1;
            let app = Named::new(app_id, app_key.to_string());
            let mut perms: BTreeMap<&str, Named<PermissionId>> = BTreeMap::new();
            for (suffix, name, _) in APP_PERMISSIONS {
                let key = format!("{app_key}.{suffix}");
                if let Change::AddPermission { id, .. } = self.apply(Change::AddPermission {
                    id: PermissionId(0),
                    key: key.clone(),
                    fields: PermissionFields {
                        name: format!("{name} ({app_name})"),
                        section: app_name.to_string(),
                        description: String::new(),
                    },
                    app: Some(app.clone()),
                    builtin: false,
                })? {
                    perms.insert(suffix, Named::new(id, key));
                    self.report.permissions += 1;
                }
            }
            for (suffix, _, implies) in APP_PERMISSIONS {
                for implied in *implies {
                    if let (Some(p), Some(q)) = (perms.get(suffix), perms.get(implied)) {
                        let (permission, implied) = (p.clone(), q.clone());
                        self.apply(Change::Imply {
                            permission,
                            implied,
                        })?;
                    }
                }
            }
            let mut roles: BTreeMap<&str, Named<RoleId>> = BTreeMap::new();
            for (suffix, name, grants, includes) in APP_ROLES {
                let key = format!("{app_key}.{suffix}");
                let description = if *suffix == "guest" && app_key == &"wiki" {
                    self.hostile(1)
                } else {
                    format!("{name} of {app_name}")
                };
                let grants = grants
                    .iter()
                    .filter_map(|g| perms.get(g))
                    .map(|p| NamedGrant {
                        permission: p.clone(),
                        scope: NamedScope::organization(),
                    })
                    .collect();
                let includes = includes
                    .iter()
                    .filter_map(|r| roles.get(r))
                    .cloned()
                    .collect();
                if let Change::AddRole { id, .. } = self.apply(Change::AddRole {
                    id: RoleId(0),
                    key: key.clone(),
                    fields: RoleFields {
                        name: format!("{app_name} {name}"),
                        description,
                    },
                    kind: RoleKind::EndUser,
                    app: Some(app.clone()),
                    builtin: false,
                    grants,
                    includes,
                })? {
                    roles.insert(suffix, Named::new(id, key));
                    self.report.roles += 1;
                }
            }
            all_roles.push(roles.into_values().collect());
        }
        Ok(all_roles)
    }

    /// Custom organization roles: catalog grants at varied scopes, some including others or
    /// apps' end-user roles.
    fn organization_roles(
        &mut self,
        catalog: &[Named<PermissionId>],
        app_roles: &[Vec<Named<RoleId>>],
    ) -> Result<Vec<Named<RoleId>>, Error> {
        let mut created: Vec<Named<RoleId>> = Vec::new();
        let builtin: Vec<Named<RoleId>> = [ADMINISTRATORS, DEVELOPERS]
            .iter()
            .filter_map(|k| self.tx.role_by_key(k).ok().flatten())
            .map(|r| Named::new(r.id, r.key))
            .collect();
        let count = 60;
        for i in 0..count {
            let theme = ORG_ROLE_THEMES[i % ORG_ROLE_THEMES.len()];
            let key = format!("{theme}-{}", i / ORG_ROLE_THEMES.len() + 1);
            let mut grants: Vec<NamedGrant> = Vec::new();
            for _ in 0..self.rng.usize(1..=4) {
                let permission = catalog[self.rng.usize(..catalog.len())].clone();
                let scope = self.random_scope()?;
                if !grants
                    .iter()
                    .any(|g| g.permission.id == permission.id && g.scope.scope == scope.scope)
                {
                    grants.push(NamedGrant { permission, scope });
                }
            }
            let mut includes: Vec<Named<RoleId>> = Vec::new();
            if !created.is_empty() && self.rng.u8(..3) == 0 {
                includes.push(created[self.rng.usize(..created.len())].clone());
            }
            if self.rng.u8(..4) == 0 {
                let app = &app_roles[self.rng.usize(..app_roles.len())];
                includes.push(app[self.rng.usize(..app.len())].clone());
            }
            if i % 20 == 0 {
                includes.push(builtin[self.rng.usize(..builtin.len())].clone());
            }
            let description = if i == 7 {
                self.hostile(2)
            } else {
                format!("Custom role for {}", theme.replace('-', " "))
            };
            if let Change::AddRole { id, .. } = self.apply(Change::AddRole {
                id: RoleId(0),
                key: key.clone(),
                fields: RoleFields {
                    name: titled(&key),
                    description,
                },
                kind: RoleKind::Organization,
                app: None,
                builtin: false,
                grants,
                includes,
            })? {
                created.push(Named::new(id, key));
                self.report.roles += 1;
            }
        }
        Ok(created)
    }

    fn random_scope(&mut self) -> Result<NamedScope, Error> {
        Ok(match self.rng.u8(..4) {
            0 | 1 => NamedScope::organization(),
            2 => {
                let stage = self.stages[self.rng.usize(..self.stages.len())].clone();
                NamedScope {
                    scope: Scope::new(Some(stage.id), None),
                    stage: Some(stage.name),
                    app: None,
                }
            }
            _ => {
                let (key, _) = APPS[self.rng.usize(..APPS.len())];
                let app = self
                    .tx
                    .app_by_key(key)?
                    .ok_or_else(|| Error::Usage(format!("demo app {key} missing")))?;
                NamedScope {
                    scope: Scope::new(None, Some(app.id)),
                    stage: None,
                    app: Some(app.key),
                }
            }
        })
    }

    /// About one group per hundred users, across stages, each with one to three end-user roles.
    fn groups(&mut self, app_roles: &[Vec<Named<RoleId>>]) -> Result<Vec<Named<GroupId>>, Error> {
        let count = (self.spec.users / 100).max(3);
        let mut groups = Vec::with_capacity(count);
        for i in 0..count {
            let team = TEAMS[i % TEAMS.len()];
            let stage = self.stages[i % self.stages.len()].clone();
            let name = format!("{team}-{}", i / TEAMS.len() + 1);
            let description = if i == 1 {
                self.hostile(3)
            } else {
                format!("The {team} team")
            };
            let Change::AddGroup { id, .. } = self.apply(Change::AddGroup {
                id: GroupId(0),
                tenant: self.tenant.clone(),
                stage: stage.clone(),
                fields: GroupFields {
                    name: name.clone(),
                    description,
                },
            })?
            else {
                continue;
            };
            let group = Named::new(id, format!("{name} ({})", stage.name));
            let app = &app_roles[self.rng.usize(..app_roles.len())];
            let mut picked: Vec<Named<RoleId>> = Vec::new();
            for _ in 0..self.rng.usize(1..=3) {
                let role = app[self.rng.usize(..app.len())].clone();
                if !picked.iter().any(|r| r.id == role.id) {
                    picked.push(role);
                }
            }
            for role in picked {
                self.apply(Change::AddGroupRole {
                    group: group.clone(),
                    role,
                })?;
                self.report.group_roles += 1;
            }
            groups.push(group);
            self.report.groups += 1;
        }
        Ok(groups)
    }

    fn users(
        &mut self,
        app_roles: &[Vec<Named<RoleId>>],
        org_roles: &[Named<RoleId>],
        groups: &[Named<GroupId>],
    ) -> Result<(), Error> {
        let developers = self
            .tx
            .role_by_key(DEVELOPERS)?
            .map(|r| Named::new(r.id, r.key));
        for n in 0..self.spec.users {
            let first = FIRST[self.rng.usize(..FIRST.len())];
            let last = LAST[self.rng.usize(..LAST.len())];
            let kind = match self.rng.u8(..100) {
                0..=2 => UserKind::Member,
                3..=4 => UserKind::ApiClient,
                _ => UserKind::EndUser,
            };
            let status = match self.rng.u8(..100) {
                0..=9 => UserStatus::Invited,
                10..=14 => UserStatus::Deactivated,
                _ => UserStatus::Active,
            };
            let (username, email, display_name) = if kind == UserKind::ApiClient {
                (format!("svc-{n}"), None, format!("Service client {n}"))
            } else {
                let username = format!("{first}.{last}{n}");
                let email = Some(format!("{username}@example.com"));
                let display = format!("{} {}", titled(first), titled(last));
                (username, email, display)
            };
            // One user in about a thousand carries a hostile display name; user 13 (present in
            // every demo store of 14 users or more) gets the screen-clearing `ESC [ 2 J`.
            let display_name = if n % 997 == 13 {
                self.hostile(n / 997)
            } else {
                display_name
            };
            let external_id = (self.rng.u8(..10) < 3).then(|| format!("EXT-{n:07}"));
            let Change::AddUser { id, .. } = self.apply(Change::AddUser {
                id: UserId(0),
                tenant: self.tenant.clone(),
                fields: UserFields {
                    username: username.clone(),
                    email,
                    display_name,
                    kind,
                    external_id,
                },
                status,
            })?
            else {
                continue;
            };
            self.report.users += 1;
            let user = Named::new(id, username);
            if kind != UserKind::ApiClient {
                self.apply(Change::SetPassword {
                    user: user.clone(),
                    temporary: false,
                    hash: self.password_hash.clone(),
                })?;
            }
            match kind {
                UserKind::EndUser => {
                    for _ in 0..self.rng.usize(0..=3) {
                        let group = groups[self.rng.usize(..groups.len())].clone();
                        if !self.tx.is_member(group.id, user.id)? {
                            self.apply(Change::AddMember {
                                group,
                                user: user.clone(),
                            })?;
                            self.report.memberships += 1;
                        }
                    }
                    if self.rng.u8(..10) < 3 {
                        let app = &app_roles[self.rng.usize(..app_roles.len())];
                        let role = app[self.rng.usize(..app.len())].clone();
                        let scope = if self.rng.bool() {
                            NamedScope::organization()
                        } else {
                            let stage = self.stages[self.rng.usize(..self.stages.len())].clone();
                            NamedScope {
                                scope: Scope::new(Some(stage.id), None),
                                stage: Some(stage.name),
                                app: None,
                            }
                        };
                        self.assign(&user, role, scope)?;
                    }
                }
                UserKind::Member => {
                    let role = match (&developers, self.rng.u8(..3)) {
                        (Some(dev), 0) => dev.clone(),
                        _ => org_roles[self.rng.usize(..org_roles.len())].clone(),
                    };
                    self.assign(&user, role, NamedScope::organization())?;
                }
                UserKind::ApiClient => {
                    let role = org_roles[self.rng.usize(..org_roles.len())].clone();
                    let scope = self.random_scope()?;
                    self.assign(&user, role, scope)?;
                }
            }
        }
        Ok(())
    }

    fn assign(
        &mut self,
        user: &Named<UserId>,
        role: Named<RoleId>,
        scope: NamedScope,
    ) -> Result<(), Error> {
        if self.tx.has_assignment(user.id, role.id, scope.scope)? {
            return Ok(());
        }
        self.apply(Change::Assign {
            user: user.clone(),
            role,
            scope,
        })?;
        self.report.assignments += 1;
        Ok(())
    }
}

/// `release-manager-1` → `Release Manager 1`.
fn titled(text: &str) -> String {
    text.split(['-', '.', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(c) => c.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
