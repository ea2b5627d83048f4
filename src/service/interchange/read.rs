//! Reading a store as an interchange [`Document`], one part at a time: each part is read in one
//! snapshot, named by natural keys and put in the document's fixed order (sorted here, not by
//! the database, whose collation differs between SQLite and PostgreSQL). An export writes each
//! part as soon as it is read, so only one part is ever held in memory.

use std::collections::{BTreeMap, HashMap};

use super::document::*;
use crate::model::validate::fold;
use crate::model::{AppId, GroupId, PermissionId, RoleId, StageId, Tenant, TenantId, UserId};
use crate::policy::settings::SETTINGS;
use crate::service::Error;
use crate::store::Tx;

/// Which tenants a read covers, and whether secrets come with it.
pub struct Reading {
    /// `None`: every tenant.
    pub tenant: Option<String>,
    pub with_secrets: bool,
}

/// One part, read.
pub enum PartRows {
    Stages(Vec<String>),
    Apps(Vec<AppEntry>),
    Permissions(Vec<PermissionEntry>),
    Roles(Vec<RoleEntry>),
    Users(Vec<UserEntry>),
    Groups(Vec<GroupEntry>),
    Assignments(Vec<AssignmentEntry>),
    Policy(BTreeMap<String, String>),
}

impl PartRows {
    /// Puts the part into `doc`.
    pub fn into_document(self, doc: &mut Document) {
        match self {
            PartRows::Stages(v) => doc.stages = Some(v),
            PartRows::Apps(v) => doc.apps = Some(v),
            PartRows::Permissions(v) => doc.permissions = Some(v),
            PartRows::Roles(v) => doc.roles = Some(v),
            PartRows::Users(v) => doc.users = Some(v),
            PartRows::Groups(v) => doc.groups = Some(v),
            PartRows::Assignments(v) => doc.assignments = Some(v),
            PartRows::Policy(v) => doc.policy = Some(v),
        }
    }
}

/// Names for the ids a part refers to, read once for every part of one reading.
pub struct Names {
    tenants: HashMap<TenantId, String>,
    stages: HashMap<StageId, String>,
    apps: HashMap<AppId, String>,
    permissions: HashMap<PermissionId, String>,
    roles: HashMap<RoleId, String>,
}

impl Names {
    pub fn load(tx: &mut Tx<'_>) -> Result<Names, Error> {
        Ok(Names {
            tenants: tx.tenants()?.into_iter().map(|t| (t.id, t.name)).collect(),
            stages: tx.stages()?.into_iter().map(|s| (s.id, s.name)).collect(),
            apps: tx.apps()?.into_iter().map(|a| (a.id, a.key)).collect(),
            permissions: tx
                .permissions()?
                .into_iter()
                .map(|p| (p.id, p.key))
                .collect(),
            roles: tx.roles()?.into_iter().map(|r| (r.id, r.key)).collect(),
        })
    }

    fn name<I: std::hash::Hash + Eq + std::fmt::Debug>(
        map: &HashMap<I, String>,
        id: I,
        what: &str,
    ) -> Result<String, Error> {
        map.get(&id).cloned().ok_or_else(|| {
            Error::Store(crate::store::StoreError::Corrupt(format!(
                "a row refers to {what} {id:?}, which does not exist"
            )))
        })
    }

    fn stage(&self, id: Option<StageId>) -> Result<Option<String>, Error> {
        id.map(|id| Self::name(&self.stages, id, "stage"))
            .transpose()
    }

    fn app(&self, id: Option<AppId>) -> Result<Option<String>, Error> {
        id.map(|id| Self::name(&self.apps, id, "app")).transpose()
    }
}

/// The tenants a reading covers, by id.
fn tenants_of(tx: &mut Tx<'_>, reading: &Reading) -> Result<Vec<Tenant>, Error> {
    let all = tx.tenants()?;
    match &reading.tenant {
        None => Ok(all),
        Some(name) => match all.into_iter().find(|t| &t.name == name) {
            Some(t) => Ok(vec![t]),
            None => Err(Error::NotFound(format!("tenant {name}"))),
        },
    }
}

/// The tenant names a reading covers, sorted.
pub fn tenant_names(tx: &mut Tx<'_>, reading: &Reading) -> Result<Vec<String>, Error> {
    let mut names: Vec<String> = tenants_of(tx, reading)?
        .into_iter()
        .map(|t| t.name)
        .collect();
    names.sort();
    Ok(names)
}

/// Reads one part of the store, with `names` loaded in the same transaction.
pub fn read_part(
    tx: &mut Tx<'_>,
    part: Part,
    reading: &Reading,
    names: &Names,
) -> Result<PartRows, Error> {
    Ok(match part {
        Part::Stages => PartRows::Stages(tx.stages()?.into_iter().map(|s| s.name).collect()),
        Part::Apps => {
            let mut apps: Vec<AppEntry> = tx
                .apps()?
                .into_iter()
                .map(|a| AppEntry {
                    key: a.key,
                    name: a.name,
                    description: a.description,
                })
                .collect();
            apps.sort_by(|a, b| a.key.cmp(&b.key));
            PartRows::Apps(apps)
        }
        Part::Permissions => PartRows::Permissions(permissions(tx, names)?),
        Part::Roles => PartRows::Roles(roles(tx, names)?),
        Part::Users => PartRows::Users(users(tx, names, reading)?),
        Part::Groups => PartRows::Groups(groups(tx, names, reading)?),
        Part::Assignments => PartRows::Assignments(assignments(tx, names, reading)?),
        Part::Policy => {
            let stored = tx.settings()?;
            PartRows::Policy(
                SETTINGS
                    .iter()
                    .map(|s| {
                        let value = stored
                            .get(s.key)
                            .cloned()
                            .unwrap_or_else(|| s.default.to_string());
                        (s.key.to_string(), value)
                    })
                    .collect(),
            )
        }
    })
}

/// The parts of the store named in `parts`, as one document.
pub fn read_document(tx: &mut Tx<'_>, parts: &Parts, reading: &Reading) -> Result<Document, Error> {
    let mut doc = Document::empty();
    doc.tenants = tenant_names(tx, reading)?;
    let names = Names::load(tx)?;
    for part in parts.iter() {
        read_part(tx, part, reading, &names)?.into_document(&mut doc);
    }
    Ok(doc)
}

fn permissions(tx: &mut Tx<'_>, names: &Names) -> Result<Vec<PermissionEntry>, Error> {
    let mut implies: HashMap<PermissionId, Vec<String>> = HashMap::new();
    for (p, q) in tx.all_implications()? {
        implies
            .entry(p)
            .or_default()
            .push(Names::name(&names.permissions, q, "permission")?);
    }
    let mut out = Vec::new();
    for p in tx.permissions()? {
        let mut implied = implies.remove(&p.id).unwrap_or_default();
        implied.sort();
        out.push(PermissionEntry {
            app: names.app(p.app)?,
            key: p.key,
            name: p.name,
            section: p.section,
            description: p.description,
            builtin: p.builtin,
            implies: implied,
        });
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

fn roles(tx: &mut Tx<'_>, names: &Names) -> Result<Vec<RoleEntry>, Error> {
    let mut grants: HashMap<RoleId, Vec<GrantEntry>> = HashMap::new();
    for g in tx.all_grants()? {
        grants.entry(g.role).or_default().push(GrantEntry {
            permission: Names::name(&names.permissions, g.permission, "permission")?,
            stage: names.stage(g.scope.stage)?,
            app: names.app(g.scope.app)?,
        });
    }
    let mut includes: HashMap<RoleId, Vec<String>> = HashMap::new();
    for (r, other) in tx.all_role_includes()? {
        includes
            .entry(r)
            .or_default()
            .push(Names::name(&names.roles, other, "role")?);
    }
    let mut out = Vec::new();
    for r in tx.roles()? {
        let mut role_grants = grants.remove(&r.id).unwrap_or_default();
        role_grants.sort();
        let mut role_includes = includes.remove(&r.id).unwrap_or_default();
        role_includes.sort();
        out.push(RoleEntry {
            app: names.app(r.app)?,
            key: r.key,
            name: r.name,
            description: r.description,
            kind: r.kind,
            builtin: r.builtin,
            grants: role_grants,
            includes: role_includes,
        });
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

fn users(tx: &mut Tx<'_>, names: &Names, reading: &Reading) -> Result<Vec<UserEntry>, Error> {
    let mut out = Vec::new();
    let mut tenants = tenants_of(tx, reading)?;
    tenants.sort_by(|a, b| a.name.cmp(&b.name));
    for tenant in tenants {
        let mut hashes = if reading.with_secrets {
            tx.password_hashes(tenant.id)?
        } else {
            HashMap::new()
        };
        let mut tokens: HashMap<UserId, Vec<TokenEntry>> = HashMap::new();
        if reading.with_secrets {
            for t in tx.tokens(None)? {
                if t.revoked_at.is_none() {
                    tokens.entry(t.user).or_default().push(TokenEntry {
                        id: t.id,
                        name: t.name,
                        secret_digest: t.secret_digest,
                    });
                }
            }
        }
        let start = out.len();
        let tenant_name = Names::name(&names.tenants, tenant.id, "tenant")?;
        tx.each_user(tenant.id, &mut |u| {
            let password_hash = hashes.remove(&u.id);
            let mut own_tokens = tokens.remove(&u.id).unwrap_or_default();
            own_tokens.sort();
            out.push(UserEntry {
                tokens: own_tokens,
                tenant: tenant_name.clone(),
                must_change_password: password_hash.is_some() && u.must_change_password,
                password_hash,
                username: u.username,
                email: u.email,
                display_name: u.display_name,
                kind: u.kind,
                status: u.status,
                external_id: u.external_id.map(|e| e.0),
            });
            Ok(())
        })?;
        out[start..].sort_by_cached_key(|u| fold(&u.username));
    }
    Ok(out)
}

/// Usernames by id, for the tenants of a reading.
fn usernames(tx: &mut Tx<'_>, reading: &Reading) -> Result<HashMap<UserId, String>, Error> {
    let covered: Vec<TenantId> = tenants_of(tx, reading)?.iter().map(|t| t.id).collect();
    Ok(tx
        .user_names()?
        .into_iter()
        .filter(|(_, tenant, _)| covered.contains(tenant))
        .map(|(id, _, username)| (id, username))
        .collect())
}

fn groups(tx: &mut Tx<'_>, names: &Names, reading: &Reading) -> Result<Vec<GroupEntry>, Error> {
    let covered: Vec<TenantId> = tenants_of(tx, reading)?.iter().map(|t| t.id).collect();
    let usernames = usernames(tx, reading)?;
    let mut members: HashMap<GroupId, Vec<String>> = HashMap::new();
    for (g, u) in tx.all_members()? {
        if let Some(name) = usernames.get(&u) {
            members.entry(g).or_default().push(name.clone());
        }
    }
    let mut roles: HashMap<GroupId, Vec<String>> = HashMap::new();
    for (g, r) in tx.all_group_roles()? {
        roles
            .entry(g)
            .or_default()
            .push(Names::name(&names.roles, r, "role")?);
    }
    let mut out = Vec::new();
    for g in tx.all_groups()? {
        if !covered.contains(&g.tenant) {
            continue;
        }
        let mut group_members = members.remove(&g.id).unwrap_or_default();
        group_members.sort_by_cached_key(|n| fold(n));
        let mut group_roles = roles.remove(&g.id).unwrap_or_default();
        group_roles.sort();
        out.push(GroupEntry {
            tenant: Names::name(&names.tenants, g.tenant, "tenant")?,
            name: g.name,
            stage: Names::name(&names.stages, g.stage, "stage")?,
            description: g.description,
            roles: group_roles,
            members: group_members,
        });
    }
    out.sort_by_cached_key(|g| (g.tenant.clone(), fold(&g.name), g.stage.clone()));
    Ok(out)
}

fn assignments(
    tx: &mut Tx<'_>,
    names: &Names,
    reading: &Reading,
) -> Result<Vec<AssignmentEntry>, Error> {
    let users: HashMap<UserId, (TenantId, String)> = {
        let covered: Vec<TenantId> = tenants_of(tx, reading)?.iter().map(|t| t.id).collect();
        tx.user_names()?
            .into_iter()
            .filter(|(_, tenant, _)| covered.contains(tenant))
            .map(|(id, tenant, username)| (id, (tenant, username)))
            .collect()
    };
    let mut out = Vec::new();
    for a in tx.all_assignments()? {
        let Some((tenant, username)) = users.get(&a.user) else {
            continue;
        };
        out.push(AssignmentEntry {
            tenant: Names::name(&names.tenants, *tenant, "tenant")?,
            username: username.clone(),
            role: Names::name(&names.roles, a.role, "role")?,
            stage: names.stage(a.scope.stage)?,
            app: names.app(a.scope.app)?,
        });
    }
    out.sort_by_cached_key(|a| {
        (
            a.tenant.clone(),
            fold(&a.username),
            a.role.clone(),
            a.stage.clone(),
            a.app.clone(),
        )
    });
    Ok(out)
}
