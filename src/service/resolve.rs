//! Turning the names people type into rows: usernames (or emails), group name + stage, role key
//! or unambiguous display name, permission keys, app keys, stage names. Not-found and ambiguous
//! answers say what exists and how to be precise.

use super::command::{GroupRef, ScopeRef};
use super::error::Error;
use crate::model::validate::fold;
use crate::model::*;
use crate::store::Tx;
use std::collections::{HashMap, HashSet};

pub fn tenant(tx: &mut Tx<'_>, name: &str) -> Result<Tenant, Error> {
    tx.tenant_by_name(name)?.ok_or_else(|| {
        Error::NotFound(format!(
            "no tenant {name:?}; list tenants with `warden tenant list`"
        ))
    })
}

/// A user by username or by email, within the tenant. A name must identify one user: one that
/// is the username of one user and the email of another (a store written before that was
/// refused, or behind warden's back) is an error naming both, never a guess.
pub fn user(tx: &mut Tx<'_>, tenant: &Tenant, name: &str) -> Result<User, Error> {
    let by_username = tx.user_by_username(tenant.id, name)?;
    let by_email = if name.contains('@') {
        tx.user_by_email(tenant.id, name)?
    } else {
        None
    };
    match (by_username, by_email) {
        (Some(a), Some(b)) if a.id != b.id => Err(two_users(tenant, name, &a, &b)),
        (Some(user), _) | (None, Some(user)) => Ok(user),
        (None, None) => Err(Error::NotFound(format!(
            "no user {name:?} in tenant {}; list users with `warden user list`",
            tenant.name
        ))),
    }
}

fn two_users(tenant: &Tenant, name: &str, by_username: &User, by_email: &User) -> Error {
    Error::Ambiguous(format!(
        "{name:?} names two users in tenant {}: the username of {} (email {}) and the email of {}; \
         nothing was done — give {} another email address so the name identifies one user",
        tenant.name,
        by_username.username,
        by_username.email.as_deref().unwrap_or("none"),
        by_email.username,
        by_email.username,
    ))
}

/// Several users, each once, in the order given. Usernames are looked up together; a name
/// that is no username, or could be an email, goes through [`user`] (which also refuses a
/// name that identifies two users).
pub fn users(tx: &mut Tx<'_>, tenant: &Tenant, names: &[String]) -> Result<Vec<User>, Error> {
    let wanted: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|name| !name.contains('@'))
        .collect();
    let mut by_key: HashMap<String, User> = tx
        .users_by_username(tenant.id, &wanted)?
        .into_iter()
        .map(|user| (fold(&user.username), user))
        .collect();
    let mut out: Vec<User> = Vec::with_capacity(names.len());
    let mut seen = HashSet::new();
    for name in names {
        // Taken out once found; a name given twice is looked up again and dropped as seen.
        let user = match by_key.remove(&fold(name.trim())) {
            Some(user) => user,
            None => user(tx, tenant, name)?,
        };
        if seen.insert(user.id) {
            out.push(user);
        }
    }
    if out.is_empty() {
        return Err(Error::Usage("name at least one user".into()));
    }
    Ok(out)
}

pub fn stage(tx: &mut Tx<'_>, name: &str) -> Result<Stage, Error> {
    if let Some(stage) = tx.stage_by_name(name)? {
        return Ok(stage);
    }
    let known: Vec<String> = tx.stages()?.into_iter().map(|s| s.name).collect();
    Err(Error::NotFound(format!(
        "no stage {name:?}; the stages are {}",
        known.join(", ")
    )))
}

pub fn app(tx: &mut Tx<'_>, key: &str) -> Result<App, Error> {
    tx.app_by_key(key.trim())?
        .ok_or_else(|| Error::NotFound(format!("no app {key:?}; list apps with `warden app list`")))
}

pub fn group(tx: &mut Tx<'_>, tenant: &Tenant, group: &GroupRef) -> Result<Group, Error> {
    let mut found = tx.groups_named(tenant.id, &group.name)?;
    if let Some(stage_name) = &group.stage {
        let stage = stage(tx, stage_name)?;
        found.retain(|g| g.stage == stage.id);
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Error::NotFound(format!(
            "no group {:?}{} in tenant {}; list groups with `warden group list`",
            group.name,
            group
                .stage
                .as_ref()
                .map(|s| format!(" in stage {s}"))
                .unwrap_or_default(),
            tenant.name
        ))),
        _ => {
            let mut stages = Vec::new();
            for g in &found {
                if let Some(s) = tx.stage(g.stage)? {
                    stages.push(s.name);
                }
            }
            Err(Error::Ambiguous(format!(
                "group {:?} exists in stages {}; add --stage to say which",
                group.name,
                stages.join(", ")
            )))
        }
    }
}

/// A role by key, or else by display name when exactly one role has it.
pub fn role(tx: &mut Tx<'_>, name: &str) -> Result<Role, Error> {
    if let Some(role) = tx.role_by_key(name.trim())? {
        return Ok(role);
    }
    let mut named = tx.roles_named(name)?;
    match named.len() {
        1 => Ok(named.remove(0)),
        0 => Err(Error::NotFound(format!(
            "no role {name:?}; list roles with `warden role list`"
        ))),
        _ => {
            let keys: Vec<String> = named.into_iter().map(|r| r.key).collect();
            Err(Error::Ambiguous(format!(
                "several roles are named {name:?}; use a key: {}",
                keys.join(", ")
            )))
        }
    }
}

pub fn roles(tx: &mut Tx<'_>, names: &[String]) -> Result<Vec<Role>, Error> {
    let mut out: Vec<Role> = Vec::new();
    for name in names {
        let role = role(tx, name)?;
        if !out.iter().any(|r| r.id == role.id) {
            out.push(role);
        }
    }
    if out.is_empty() {
        return Err(Error::Usage("name at least one role".into()));
    }
    Ok(out)
}

pub fn permission(tx: &mut Tx<'_>, key: &str) -> Result<Permission, Error> {
    tx.permission_by_key(key.trim())?.ok_or_else(|| {
        Error::NotFound(format!(
            "no permission {key:?}; list permissions with `warden perm list`"
        ))
    })
}

pub fn permissions(tx: &mut Tx<'_>, keys: &[String]) -> Result<Vec<Permission>, Error> {
    let mut out: Vec<Permission> = Vec::new();
    for key in keys {
        let p = permission(tx, key)?;
        if !out.iter().any(|q| q.id == p.id) {
            out.push(p);
        }
    }
    if out.is_empty() {
        return Err(Error::Usage("name at least one permission".into()));
    }
    Ok(out)
}

/// A scope from stage and app names.
pub fn scope(tx: &mut Tx<'_>, scope: &ScopeRef) -> Result<NamedScope, Error> {
    let stage = scope.stage.as_deref().map(|s| stage(tx, s)).transpose()?;
    let app = scope.app.as_deref().map(|a| app(tx, a)).transpose()?;
    Ok(NamedScope {
        scope: Scope::new(stage.as_ref().map(|s| s.id), app.as_ref().map(|a| a.id)),
        stage: stage.map(|s| s.name),
        app: app.map(|a| a.key),
    })
}

/// The names of a scope given by ids.
pub fn name_scope(tx: &mut Tx<'_>, scope: Scope) -> Result<NamedScope, Error> {
    let stage = match scope.stage {
        Some(id) => Some(tx.stage(id)?.ok_or_else(|| dangling("stage", id.0))?.name),
        None => None,
    };
    let app = match scope.app {
        Some(id) => Some(tx.app(id)?.ok_or_else(|| dangling("app", id.0))?.key),
        None => None,
    };
    Ok(NamedScope { scope, stage, app })
}

pub fn role_by_id(tx: &mut Tx<'_>, id: RoleId) -> Result<Role, Error> {
    Ok(tx.role(id)?.ok_or_else(|| dangling("role", id.0))?)
}

pub fn permission_by_id(tx: &mut Tx<'_>, id: PermissionId) -> Result<Permission, Error> {
    Ok(tx
        .permission(id)?
        .ok_or_else(|| dangling("permission", id.0))?)
}

pub fn user_by_id(tx: &mut Tx<'_>, id: UserId) -> Result<User, Error> {
    Ok(tx.user(id)?.ok_or_else(|| dangling("user", id.0))?)
}

pub fn group_by_id(tx: &mut Tx<'_>, id: GroupId) -> Result<Group, Error> {
    Ok(tx.group(id)?.ok_or_else(|| dangling("group", id.0))?)
}

pub fn stage_by_id(tx: &mut Tx<'_>, id: StageId) -> Result<Stage, Error> {
    Ok(tx.stage(id)?.ok_or_else(|| dangling("stage", id.0))?)
}

pub fn app_by_id(tx: &mut Tx<'_>, id: AppId) -> Result<App, Error> {
    Ok(tx.app(id)?.ok_or_else(|| dangling("app", id.0))?)
}

/// A reference to a row that is not there: only possible in a store edited behind our back.
fn dangling(what: &str, id: i64) -> crate::store::StoreError {
    crate::store::StoreError::Corrupt(format!("a reference to {what} #{id}, which does not exist"))
}

/// `ops (QA)`: how a group is named in messages and the audit.
pub fn group_label(tx: &mut Tx<'_>, group: &Group) -> Result<String, Error> {
    let stage = stage_by_id(tx, group.stage)?;
    Ok(format!("{} ({})", group.name, stage.name))
}
