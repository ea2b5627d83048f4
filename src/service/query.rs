//! Read models: what `list` and `show` return, by natural names, with the JSON field names the
//! CLI documents (README, "JSON output"). Ids never appear; neither do password hashes.

use std::collections::HashMap;

use serde::Serialize;

use super::Service;
use super::command::GroupRef;
use super::error::Error;
use super::resolve;
use crate::model::*;
use crate::store::Tx;

/// Stage and app names by id, loaded once per read.
struct Names {
    stages: HashMap<StageId, String>,
    apps: HashMap<AppId, String>,
}

impl Names {
    fn load(tx: &mut Tx<'_>) -> Result<Names, Error> {
        Ok(Names {
            stages: tx.stages()?.into_iter().map(|s| (s.id, s.name)).collect(),
            apps: tx.apps()?.into_iter().map(|a| (a.id, a.key)).collect(),
        })
    }

    fn stage(&self, id: Option<StageId>) -> Option<String> {
        id.and_then(|id| self.stages.get(&id).cloned())
    }

    fn app(&self, id: Option<AppId>) -> Option<String> {
        id.and_then(|id| self.apps.get(&id).cloned())
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct UserView {
    #[serde(skip)]
    pub id: UserId,
    pub username: String,
    pub tenant: String,
    pub email: Option<String>,
    pub display_name: String,
    pub kind: UserKind,
    pub status: UserStatus,
    pub external_id: Option<ExternalId>,
    pub locked: bool,
    pub locked_until: Option<Timestamp>,
    pub failed_attempts: i64,
    pub has_password: bool,
    pub must_change_password: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub last_sign_in_at: Option<Timestamp>,
    pub version: i64,
}

impl UserView {
    pub(super) fn new(user: User, tenant: &str, now: Timestamp) -> Self {
        let locked = user.lock.is_locked(now);
        UserView {
            id: user.id,
            username: user.username,
            tenant: tenant.to_string(),
            email: user.email,
            display_name: user.display_name,
            kind: user.kind,
            status: user.status,
            external_id: user.external_id,
            locked,
            locked_until: user.lock.locked_until.filter(|_| locked),
            failed_attempts: user.lock.failed_attempts,
            has_password: user.has_password,
            must_change_password: user.must_change_password,
            created_at: user.created_at,
            updated_at: user.updated_at,
            last_sign_in_at: user.last_sign_in_at,
            version: user.version,
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct GroupLink {
    pub name: String,
    pub stage: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RoleLink {
    pub key: String,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct AssignmentView {
    pub role: String,
    pub role_name: String,
    pub stage: Option<String>,
    pub app: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct UserDetail {
    #[serde(flatten)]
    pub user: UserView,
    pub groups: Vec<GroupLink>,
    pub roles: Vec<AssignmentView>,
    /// The most recent sign-in attempts, newest first (the lockout timeline).
    pub sign_ins: Vec<super::credentials::SignInView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupView {
    #[serde(skip)]
    pub id: GroupId,
    pub name: String,
    pub tenant: String,
    pub stage: String,
    pub description: String,
    pub members: i64,
    pub roles: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupDetail {
    pub name: String,
    pub tenant: String,
    pub stage: String,
    pub description: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
    pub members: Vec<String>,
    pub roles: Vec<RoleLink>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RoleView {
    #[serde(skip)]
    pub id: RoleId,
    pub key: String,
    pub name: String,
    pub description: String,
    pub kind: RoleKind,
    pub app: Option<String>,
    pub builtin: bool,
    pub grants: i64,
    pub includes: i64,
    pub assignments: i64,
    pub groups: i64,
    pub version: i64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct GrantView {
    pub permission: String,
    pub permission_name: String,
    pub stage: Option<String>,
    pub app: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct HolderView {
    pub user: String,
    pub stage: Option<String>,
    pub app: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RoleDetail {
    pub key: String,
    pub name: String,
    pub description: String,
    pub kind: RoleKind,
    pub app: Option<String>,
    pub builtin: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
    pub grants: Vec<GrantView>,
    pub includes: Vec<RoleLink>,
    pub included_by: Vec<RoleLink>,
    pub groups: Vec<GroupLink>,
    pub assignments: Vec<HolderView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PermissionView {
    #[serde(skip)]
    pub id: PermissionId,
    pub key: String,
    pub name: String,
    pub section: String,
    pub description: String,
    pub app: Option<String>,
    pub builtin: bool,
    pub implies: Vec<String>,
    pub implied_by: Vec<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RoleGrantView {
    pub role: String,
    pub stage: Option<String>,
    pub app: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PermissionDetail {
    #[serde(flatten)]
    pub permission: PermissionView,
    pub granted_by: Vec<RoleGrantView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AppView {
    pub key: String,
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct AppDetail {
    #[serde(flatten)]
    pub app: AppView,
    pub permissions: Vec<String>,
    pub roles: Vec<RoleLink>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StageView {
    pub name: String,
    pub position: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct TenantView {
    pub name: String,
    pub users: i64,
}

pub use super::audit_query::AuditView;
pub(super) use super::audit_query::audit_in;

/// How many sign-in attempts `user show` includes.
const SIGN_INS_SHOWN: i64 = 10;

/// Which users `user list` shows.
#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    pub kind: Option<UserKind>,
    pub status: Option<UserStatus>,
    pub locked: bool,
}

impl Service<'_> {
    /// Every user of the tenant matching `filter`, by username, handed over one at a time.
    pub fn each_user(
        &mut self,
        filter: &UserFilter,
        each: &mut dyn FnMut(UserView) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let now = self.clock.now();
        let tenant_name = self.tenant.clone();
        self.store
            .read(|tx| walk_users(tx, &tenant_name, filter, now, each))
    }

    pub fn user_detail(&mut self, name: &str) -> Result<UserDetail, Error> {
        let now = self.clock.now();
        let tenant_name = self.tenant.clone();
        self.store.read(|tx| {
            let tenant = resolve::tenant(tx, &tenant_name)?;
            let user = resolve::user(tx, &tenant, name)?;
            let names = Names::load(tx)?;
            let mut groups = Vec::new();
            for id in tx.user_group_ids(user.id)? {
                let g = resolve::group_by_id(tx, id)?;
                groups.push(GroupLink {
                    stage: names.stage(Some(g.stage)).unwrap_or_default(),
                    name: g.name,
                });
            }
            groups.sort_by(|a, b| (&a.name, &a.stage).cmp(&(&b.name, &b.stage)));
            let mut roles = Vec::new();
            for a in tx.user_assignments(user.id)? {
                let role = resolve::role_by_id(tx, a.role)?;
                roles.push(AssignmentView {
                    role: role.key,
                    role_name: role.name,
                    stage: names.stage(a.scope.stage),
                    app: names.app(a.scope.app),
                });
            }
            roles.sort_by(|a, b| a.role.cmp(&b.role));
            let sign_ins = tx
                .sign_ins(user.id, SIGN_INS_SHOWN)?
                .into_iter()
                .map(|e| super::credentials::SignInView {
                    at: e.at,
                    outcome: e.outcome,
                    via: e.via,
                })
                .collect();
            Ok(UserDetail {
                user: UserView::new(user, &tenant.name, now),
                groups,
                roles,
                sign_ins,
            })
        })
    }

    pub fn groups(&mut self) -> Result<Vec<GroupView>, Error> {
        let tenant_name = self.tenant.clone();
        self.store.read(|tx| groups_in(tx, &tenant_name))
    }

    pub fn group_detail(&mut self, group: &GroupRef) -> Result<GroupDetail, Error> {
        let tenant_name = self.tenant.clone();
        self.store.read(|tx| {
            let tenant = resolve::tenant(tx, &tenant_name)?;
            let g = resolve::group(tx, &tenant, group)?;
            let names = Names::load(tx)?;
            let members = tx
                .group_members(g.id)?
                .into_iter()
                .map(|u| u.username)
                .collect();
            let mut roles = Vec::new();
            for id in tx.group_role_ids(g.id)? {
                let r = resolve::role_by_id(tx, id)?;
                roles.push(RoleLink {
                    key: r.key,
                    name: r.name,
                });
            }
            roles.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(GroupDetail {
                stage: names.stage(Some(g.stage)).unwrap_or_default(),
                name: g.name,
                tenant: tenant.name,
                description: g.description,
                created_at: g.created_at,
                updated_at: g.updated_at,
                version: g.version,
                members,
                roles,
            })
        })
    }

    pub fn roles(&mut self) -> Result<Vec<RoleView>, Error> {
        self.store.read(roles_in)
    }

    pub fn role_detail(&mut self, name: &str) -> Result<RoleDetail, Error> {
        self.store.read(|tx| {
            let role = resolve::role(tx, name)?;
            let names = Names::load(tx)?;
            let mut grants = Vec::new();
            for g in tx.role_grants(role.id)? {
                let p = resolve::permission_by_id(tx, g.permission)?;
                grants.push(GrantView {
                    permission: p.key,
                    permission_name: p.name,
                    stage: names.stage(g.scope.stage),
                    app: names.app(g.scope.app),
                });
            }
            grants.sort_by(|a, b| a.permission.cmp(&b.permission));
            let included = tx.role_includes(role.id)?;
            let includes = role_links(tx, included)?;
            let includers = tx.role_included_by(role.id)?;
            let included_by = role_links(tx, includers)?;
            let groups = tx
                .groups_with_role(role.id)?
                .into_iter()
                .map(|g| GroupLink {
                    stage: names.stage(Some(g.stage)).unwrap_or_default(),
                    name: g.name,
                })
                .collect();
            let mut assignments = Vec::new();
            for a in tx.role_assignments(role.id)? {
                let user = resolve::user_by_id(tx, a.user)?;
                assignments.push(HolderView {
                    user: user.username,
                    stage: names.stage(a.scope.stage),
                    app: names.app(a.scope.app),
                });
            }
            assignments.sort_by(|a, b| a.user.cmp(&b.user));
            Ok(RoleDetail {
                key: role.key,
                name: role.name,
                description: role.description,
                kind: role.kind,
                app: names.app(role.app),
                builtin: role.builtin,
                created_at: role.created_at,
                updated_at: role.updated_at,
                version: role.version,
                grants,
                includes,
                included_by,
                groups,
                assignments,
            })
        })
    }

    pub fn permissions(&mut self) -> Result<Vec<PermissionView>, Error> {
        self.store.read(permissions_in)
    }

    pub fn permission_detail(&mut self, key: &str) -> Result<PermissionDetail, Error> {
        self.store.read(|tx| {
            let p = resolve::permission(tx, key)?;
            let names = Names::load(tx)?;
            let mut implies: HashMap<PermissionId, Vec<String>> = HashMap::new();
            let mut implied_by: HashMap<PermissionId, Vec<String>> = HashMap::new();
            for id in tx.implied_by(p.id)? {
                implies
                    .entry(p.id)
                    .or_default()
                    .push(resolve::permission_by_id(tx, id)?.key);
            }
            for id in tx.implying(p.id)? {
                implied_by
                    .entry(p.id)
                    .or_default()
                    .push(resolve::permission_by_id(tx, id)?.key);
            }
            let mut granted_by = Vec::new();
            for g in tx.permission_grants(p.id)? {
                granted_by.push(RoleGrantView {
                    role: resolve::role_by_id(tx, g.role)?.key,
                    stage: names.stage(g.scope.stage),
                    app: names.app(g.scope.app),
                });
            }
            granted_by.sort_by(|a, b| a.role.cmp(&b.role));
            Ok(PermissionDetail {
                permission: permission_view(p, &names, &mut implies, &mut implied_by),
                granted_by,
            })
        })
    }

    pub fn apps(&mut self) -> Result<Vec<AppView>, Error> {
        self.store
            .read(|tx| Ok(tx.apps()?.into_iter().map(app_view).collect()))
    }

    pub fn app_detail(&mut self, key: &str) -> Result<AppDetail, Error> {
        self.store.read(|tx| {
            let app = resolve::app(tx, key)?;
            let permissions = tx
                .permissions()?
                .into_iter()
                .filter(|p| p.app == Some(app.id))
                .map(|p| p.key)
                .collect();
            let roles = tx
                .roles()?
                .into_iter()
                .filter(|r| r.app == Some(app.id))
                .map(|r| RoleLink {
                    key: r.key,
                    name: r.name,
                })
                .collect();
            Ok(AppDetail {
                app: app_view(app),
                permissions,
                roles,
            })
        })
    }

    pub fn stages(&mut self) -> Result<Vec<StageView>, Error> {
        self.store.read(|tx| {
            Ok(tx
                .stages()?
                .into_iter()
                .map(|s| StageView {
                    name: s.name,
                    position: s.position,
                })
                .collect())
        })
    }

    pub fn tenants(&mut self) -> Result<Vec<TenantView>, Error> {
        self.store.read(|tx| {
            let mut out = Vec::new();
            for t in tx.tenants()? {
                out.push(TenantView {
                    users: tx.user_count(t.id)?,
                    name: t.name,
                });
            }
            Ok(out)
        })
    }
}

fn role_links(tx: &mut Tx<'_>, ids: Vec<RoleId>) -> Result<Vec<RoleLink>, Error> {
    let mut links = Vec::with_capacity(ids.len());
    for id in ids {
        let r = resolve::role_by_id(tx, id)?;
        links.push(RoleLink {
            key: r.key,
            name: r.name,
        });
    }
    links.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(links)
}

fn permission_view(
    p: Permission,
    names: &Names,
    implies: &mut HashMap<PermissionId, Vec<String>>,
    implied_by: &mut HashMap<PermissionId, Vec<String>>,
) -> PermissionView {
    let mut i = implies.remove(&p.id).unwrap_or_default();
    let mut b = implied_by.remove(&p.id).unwrap_or_default();
    i.sort();
    b.sort();
    PermissionView {
        id: p.id,
        app: names.app(p.app),
        key: p.key,
        name: p.name,
        section: p.section,
        description: p.description,
        builtin: p.builtin,
        implies: i,
        implied_by: b,
    }
}

pub(super) fn app_view(app: App) -> AppView {
    AppView {
        key: app.key,
        name: app.name,
        description: app.description,
    }
}

/// [`Service::each_user`] inside a read transaction.
fn walk_users(
    tx: &mut Tx<'_>,
    tenant_name: &str,
    filter: &UserFilter,
    now: Timestamp,
    each: &mut dyn FnMut(UserView) -> Result<(), Error>,
) -> Result<(), Error> {
    let tenant = resolve::tenant(tx, tenant_name)?;
    // The store's walk speaks StoreError; a consumer's own error (a closed pipe) is
    // kept aside and the walk stopped.
    let mut failure: Option<Error> = None;
    let walked = tx.each_user(tenant.id, &mut |user| {
        if filter.kind.is_some_and(|k| k != user.kind)
            || filter.status.is_some_and(|s| s != user.status)
            || (filter.locked && !user.lock.is_locked(now))
        {
            return Ok(());
        }
        each(UserView::new(user, &tenant.name, now)).map_err(|e| {
            failure = Some(e);
            crate::store::StoreError::Backend("stopped by the reader".into())
        })
    });
    match failure {
        Some(e) => Err(e),
        None => walked.map_err(Error::from),
    }
}

/// Every user of the tenant, by username (one pass over the table: see `Tx::users`).
pub(super) fn all_users(
    tx: &mut Tx<'_>,
    tenant_name: &str,
    now: Timestamp,
) -> Result<Vec<UserView>, Error> {
    let tenant = resolve::tenant(tx, tenant_name)?;
    Ok(tx
        .users(tenant.id)?
        .into_iter()
        .map(|user| UserView::new(user, &tenant.name, now))
        .collect())
}

pub(super) fn groups_in(tx: &mut Tx<'_>, tenant_name: &str) -> Result<Vec<GroupView>, Error> {
    let tenant = resolve::tenant(tx, tenant_name)?;
    let names = Names::load(tx)?;
    Ok(tx
        .group_summaries(tenant.id)?
        .into_iter()
        .map(|s| GroupView {
            id: s.group.id,
            stage: names.stage(Some(s.group.stage)).unwrap_or_default(),
            name: s.group.name,
            tenant: tenant.name.clone(),
            description: s.group.description,
            members: s.members,
            roles: s.roles,
            created_at: s.group.created_at,
            updated_at: s.group.updated_at,
            version: s.group.version,
        })
        .collect())
}

pub(super) fn roles_in(tx: &mut Tx<'_>) -> Result<Vec<RoleView>, Error> {
    let names = Names::load(tx)?;
    Ok(tx
        .role_summaries()?
        .into_iter()
        .map(|s| RoleView {
            id: s.role.id,
            key: s.role.key,
            name: s.role.name,
            description: s.role.description,
            kind: s.role.kind,
            app: names.app(s.role.app),
            builtin: s.role.builtin,
            grants: s.grants,
            includes: s.includes,
            assignments: s.assignments,
            groups: s.groups,
            version: s.role.version,
        })
        .collect())
}

pub(super) fn permissions_in(tx: &mut Tx<'_>) -> Result<Vec<PermissionView>, Error> {
    let names = Names::load(tx)?;
    let all = tx.permissions()?;
    let keys: HashMap<PermissionId, String> = all.iter().map(|p| (p.id, p.key.clone())).collect();
    let mut implies: HashMap<PermissionId, Vec<String>> = HashMap::new();
    let mut implied_by: HashMap<PermissionId, Vec<String>> = HashMap::new();
    for (from, to) in tx.all_implications()? {
        if let (Some(f), Some(t)) = (keys.get(&from), keys.get(&to)) {
            implies.entry(from).or_default().push(t.clone());
            implied_by.entry(to).or_default().push(f.clone());
        }
    }
    Ok(all
        .into_iter()
        .map(|p| permission_view(p, &names, &mut implies, &mut implied_by))
        .collect())
}
