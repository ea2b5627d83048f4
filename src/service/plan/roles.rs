//! Roles: built-ins read-only (copy them instead), reserved and unique names, end-user roles
//! confined to their app, inclusion without cycles; and direct assignments of roles to users.

use std::collections::BTreeMap;

use super::{Ctx, Plan, check_version};
use crate::access::cycle;
use crate::model::validate;
use crate::model::*;
use crate::service::command::{NewRole, ScopeRef};
use crate::service::error::{Error, Rule};
use crate::service::resolve;

fn named(role: &Role) -> Named<RoleId> {
    Named::new(role.id, role.key.clone())
}

fn ensure_editable(role: &Role) -> Result<(), Error> {
    if role.builtin {
        return Err(Error::refused(
            Rule::BuiltinRoleReadOnly,
            format!(
                "role {} is built in and cannot be changed or deleted; copy it with `warden role copy {}` and edit the copy",
                role.name, role.key
            ),
        ));
    }
    Ok(())
}

/// Refuses a built-in role's name, and a name another role in the same namespace (organization
/// roles, or one app's end-user roles) already has.
fn check_name(
    cx: &mut Ctx<'_, '_>,
    name: &str,
    app: Option<AppId>,
    except: Option<RoleId>,
) -> Result<(), Error> {
    if let Some(builtin) = cx.tx.roles_named(name)?.into_iter().find(|r| r.builtin) {
        return Err(Error::refused(
            Rule::ReservedRoleName,
            format!(
                "{name} is the name of a built-in role ({}); give the custom role a name of its own",
                builtin.name
            ),
        ));
    }
    if let Some(other) = cx.tx.role_named_in(app, name)? {
        if Some(other.id) != except {
            return Err(Error::refused(
                Rule::UniqueName,
                format!(
                    "role {} (key {}) already has the name {name}",
                    other.name, other.key
                ),
            ));
        }
    }
    Ok(())
}

fn check_key_free(cx: &mut Ctx<'_, '_>, key: &str) -> Result<(), Error> {
    if let Some(other) = cx.tx.role_by_key(key)? {
        return Err(Error::refused(
            Rule::UniqueName,
            format!("the role key {key} is taken (by role {})", other.name),
        ));
    }
    Ok(())
}

/// An end-user role grants only its own app's permissions.
fn check_grantable(
    cx: &mut Ctx<'_, '_>,
    role: &Role,
    permission: &Permission,
) -> Result<(), Error> {
    if role.kind == RoleKind::EndUser && permission.app != role.app {
        let role_app = match role.app {
            Some(id) => resolve::app_by_id(cx.tx, id)?.key,
            None => String::new(),
        };
        return Err(Error::refused(
            Rule::EndUserRoleScope,
            format!(
                "{} is an end-user role of app {role_app} and can grant only that app's permissions; {} is not one",
                role.key, permission.key
            ),
        ));
    }
    Ok(())
}

/// An end-user role's scope may name only its own app.
fn check_scope_app(cx: &mut Ctx<'_, '_>, role: &Role, scope: &NamedScope) -> Result<(), Error> {
    if let (RoleKind::EndUser, Some(app)) = (role.kind, scope.scope.app) {
        if Some(app) != role.app {
            let own = match role.app {
                Some(id) => resolve::app_by_id(cx.tx, id)?.key,
                None => String::new(),
            };
            return Err(Error::refused(
                Rule::EndUserRoleScope,
                format!(
                    "{} belongs to app {own}; use --app {own} or leave --app out",
                    role.key
                ),
            ));
        }
    }
    Ok(())
}

/// An end-user role includes only end-user roles of its own app.
fn check_includable(role: &Role, other: &Role) -> Result<(), Error> {
    if role.kind == RoleKind::EndUser && (other.kind != RoleKind::EndUser || other.app != role.app)
    {
        return Err(Error::refused(
            Rule::EndUserRoleScope,
            format!(
                "{} is an end-user role and can include only end-user roles of its own app; {} is not one",
                role.key, other.key
            ),
        ));
    }
    Ok(())
}

/// Refuses an inclusion that would close a cycle, naming the whole cycle by role keys.
fn check_no_cycle(cx: &mut Ctx<'_, '_>, role: &Role, other: &Role) -> Result<(), Error> {
    let mut edges: BTreeMap<RoleId, Vec<RoleId>> = BTreeMap::new();
    for (from, to) in cx.tx.all_role_includes()? {
        edges.entry(from).or_default().push(to);
    }
    let successors = |r: RoleId| edges.get(&r).cloned().unwrap_or_default();
    if let Some(ids) = cycle::cycle_through_edge(successors, role.id, other.id) {
        let mut keys = Vec::with_capacity(ids.len());
        for id in ids {
            keys.push(resolve::role_by_id(cx.tx, id)?.key);
        }
        return Err(Error::refused(
            Rule::NoCycles,
            format!("role {}", keys.join(" includes ")),
        ));
    }
    Ok(())
}

pub fn add(cx: &mut Ctx<'_, '_>, new: &NewRole) -> Result<Plan, Error> {
    let key = validate::key("role key", &new.key)?;
    let name = validate::name("role name", &new.name)?;
    let description = cx.free_text("description", &new.description, validate::DESCRIPTION_MAX)?;
    let app = match (new.kind, &new.app) {
        (RoleKind::EndUser, Some(app)) => Some(resolve::app(cx.tx, app)?),
        (RoleKind::EndUser, None) => {
            return Err(Error::Usage(
                "an end-user role belongs to one app: add --app APP".into(),
            ));
        }
        (RoleKind::Organization, Some(_)) => {
            return Err(Error::Usage(
                "organization roles belong to no app; use --kind end_user for an app's role".into(),
            ));
        }
        (RoleKind::Organization, None) => None,
    };
    check_key_free(cx, &key)?;
    check_name(cx, &name, app.as_ref().map(|a| a.id), None)?;
    // The role as it will be, for the grant and inclusion checks.
    let draft = Role {
        id: RoleId(0),
        key: key.clone(),
        name: name.clone(),
        description: description.clone(),
        kind: new.kind,
        app: app.as_ref().map(|a| a.id),
        builtin: false,
        created_at: Timestamp(0),
        updated_at: Timestamp(0),
        version: 1,
    };
    let scope = resolve::scope(cx.tx, &new.grant_scope)?;
    check_scope_app(cx, &draft, &scope)?;
    let mut grants = Vec::new();
    if !new.grants.is_empty() {
        for permission in resolve::permissions(cx.tx, &new.grants)? {
            check_grantable(cx, &draft, &permission)?;
            grants.push(NamedGrant {
                permission: Named::new(permission.id, permission.key),
                scope: scope.clone(),
            });
        }
    }
    let mut includes = Vec::new();
    if !new.includes.is_empty() {
        for other in resolve::roles(cx.tx, &new.includes)? {
            check_includable(&draft, &other)?;
            includes.push(named(&other));
        }
    }
    Ok(Plan::new(format!("add role {key}")).with(Change::AddRole {
        id: RoleId(0),
        key,
        fields: RoleFields { name, description },
        kind: new.kind,
        app: app.map(|a| Named::new(a.id, a.key)),
        builtin: false,
        grants,
        includes,
    }))
}

/// Duplicates a role (built-in or custom) as an editable custom role named `<name>-copy`, then
/// `-copy-2`, ... unless a key and name are given.
pub fn copy(
    cx: &mut Ctx<'_, '_>,
    source: &str,
    key: Option<&str>,
    name: Option<&str>,
) -> Result<Plan, Error> {
    let source = resolve::role(cx.tx, source)?;
    let (key, name) = match (key, name) {
        (Some(key), Some(name)) => (
            validate::key("role key", key)?,
            validate::name("role name", name)?,
        ),
        (key, name) => {
            let (auto_key, auto_name) = free_copy_names(cx, &source)?;
            (
                key.map(|k| validate::key("role key", k))
                    .transpose()?
                    .unwrap_or(auto_key),
                name.map(|n| validate::name("role name", n))
                    .transpose()?
                    .unwrap_or(auto_name),
            )
        }
    };
    check_key_free(cx, &key)?;
    check_name(cx, &name, source.app, None)?;
    let mut grants = Vec::new();
    for grant in cx.tx.role_grants(source.id)? {
        let permission = resolve::permission_by_id(cx.tx, grant.permission)?;
        grants.push(NamedGrant {
            permission: Named::new(permission.id, permission.key),
            scope: resolve::name_scope(cx.tx, grant.scope)?,
        });
    }
    let mut includes = Vec::new();
    for id in cx.tx.role_includes(source.id)? {
        includes.push(named(&resolve::role_by_id(cx.tx, id)?));
    }
    let app = match source.app {
        Some(id) => {
            let app = resolve::app_by_id(cx.tx, id)?;
            Some(Named::new(app.id, app.key))
        }
        None => None,
    };
    Ok(
        Plan::new(format!("copy role {} as {key} ({name})", source.key)).with(Change::AddRole {
            id: RoleId(0),
            key,
            fields: RoleFields {
                name,
                description: source.description.clone(),
            },
            kind: source.kind,
            app,
            builtin: false,
            grants,
            includes,
        }),
    )
}

fn free_copy_names(cx: &mut Ctx<'_, '_>, source: &Role) -> Result<(String, String), Error> {
    let mut n = 1;
    loop {
        let suffix = if n == 1 {
            "-copy".to_string()
        } else {
            format!("-copy-{n}")
        };
        let key = format!("{}{suffix}", source.key);
        let name = format!("{}{suffix}", source.name);
        if cx.tx.role_by_key(&key)?.is_none() && cx.tx.role_named_in(source.app, &name)?.is_none() {
            return Ok((key, name));
        }
        n += 1;
    }
}

pub fn edit(
    cx: &mut Ctx<'_, '_>,
    target: &str,
    name: Option<&str>,
    description: Option<&str>,
    expected_version: Option<i64>,
) -> Result<Plan, Error> {
    let role = resolve::role(cx.tx, target)?;
    ensure_editable(&role)?;
    check_version(cx, "role", &role.key, expected_version, role.version)?;
    let before = RoleFields {
        name: role.name.clone(),
        description: role.description.clone(),
    };
    let mut after = before.clone();
    if let Some(name) = name {
        after.name = validate::name("role name", name)?;
    }
    if let Some(description) = description {
        after.description = cx.free_text("description", description, validate::DESCRIPTION_MAX)?;
    }
    let summary = format!("edit role {}", role.key);
    if after == before {
        let mut plan = Plan::new(summary);
        plan.skip(&role.key, "nothing to change");
        return Ok(plan);
    }
    if after.name != before.name {
        check_name(cx, &after.name, role.app, Some(role.id))?;
    }
    Ok(Plan::new(summary).with(Change::EditRole {
        role: named(&role),
        before,
        after,
    }))
}

/// Deletes a role after taking it from every user and group, removing its inclusions both ways
/// and revoking its grants — each an explicit change.
pub fn delete(cx: &mut Ctx<'_, '_>, target: &str) -> Result<Plan, Error> {
    let role = resolve::role(cx.tx, target)?;
    ensure_editable(&role)?;
    let this = named(&role);
    let mut plan = Plan::new(format!("delete role {}", role.key));
    for assignment in cx.tx.role_assignments(role.id)? {
        let user = resolve::user_by_id(cx.tx, assignment.user)?;
        plan.changes.push(Change::Unassign {
            user: Named::new(user.id, user.username),
            role: this.clone(),
            scope: resolve::name_scope(cx.tx, assignment.scope)?,
        });
    }
    for group in cx.tx.groups_with_role(role.id)? {
        let label = resolve::group_label(cx.tx, &group)?;
        plan.changes.push(Change::RemoveGroupRole {
            group: Named::new(group.id, label),
            role: this.clone(),
        });
    }
    for includer in cx.tx.role_included_by(role.id)? {
        let includer = resolve::role_by_id(cx.tx, includer)?;
        plan.changes.push(Change::Exclude {
            role: named(&includer),
            included: this.clone(),
        });
    }
    for included in cx.tx.role_includes(role.id)? {
        let included = resolve::role_by_id(cx.tx, included)?;
        plan.changes.push(Change::Exclude {
            role: this.clone(),
            included: named(&included),
        });
    }
    for grant in cx.tx.role_grants(role.id)? {
        let permission = resolve::permission_by_id(cx.tx, grant.permission)?;
        plan.changes.push(Change::Revoke {
            role: this.clone(),
            permission: Named::new(permission.id, permission.key),
            scope: resolve::name_scope(cx.tx, grant.scope)?,
        });
    }
    let app = match role.app {
        Some(id) => {
            let app = resolve::app_by_id(cx.tx, id)?;
            Some(Named::new(app.id, app.key))
        }
        None => None,
    };
    plan.changes.push(Change::DeleteRole {
        role: this,
        kind: role.kind,
        app,
        before: RoleFields {
            name: role.name,
            description: role.description,
        },
    });
    Ok(plan)
}

pub fn grant(
    cx: &mut Ctx<'_, '_>,
    target: &str,
    keys: &[String],
    scope: &ScopeRef,
) -> Result<Plan, Error> {
    let role = resolve::role(cx.tx, target)?;
    ensure_editable(&role)?;
    let scope = resolve::scope(cx.tx, scope)?;
    check_scope_app(cx, &role, &scope)?;
    let mut plan = Plan::default();
    for permission in resolve::permissions(cx.tx, keys)? {
        check_grantable(cx, &role, &permission)?;
        if cx.tx.has_grant(role.id, permission.id, scope.scope)? {
            plan.skip(
                &permission.key,
                format!("{} already grants it at {}", role.key, scope.describe()),
            );
            continue;
        }
        plan.change(
            permission.key.clone(),
            Change::Grant {
                role: named(&role),
                permission: Named::new(permission.id, permission.key),
                scope: scope.clone(),
            },
        );
    }
    Ok(plan
        .summarize(|names| format!("role {} grants {} at {}", role.key, names, scope.describe())))
}

pub fn revoke(
    cx: &mut Ctx<'_, '_>,
    target: &str,
    keys: &[String],
    scope: &ScopeRef,
) -> Result<Plan, Error> {
    let role = resolve::role(cx.tx, target)?;
    ensure_editable(&role)?;
    let scope = resolve::scope(cx.tx, scope)?;
    let mut plan = Plan::default();
    for permission in resolve::permissions(cx.tx, keys)? {
        if !cx.tx.has_grant(role.id, permission.id, scope.scope)? {
            plan.skip(
                &permission.key,
                format!("{} does not grant it at {}", role.key, scope.describe()),
            );
            continue;
        }
        plan.change(
            permission.key.clone(),
            Change::Revoke {
                role: named(&role),
                permission: Named::new(permission.id, permission.key),
                scope: scope.clone(),
            },
        );
    }
    Ok(plan.summarize(|names| {
        format!(
            "role {} no longer grants {} at {}",
            role.key,
            names,
            scope.describe()
        )
    }))
}

pub fn include(cx: &mut Ctx<'_, '_>, target: &str, others: &[String]) -> Result<Plan, Error> {
    let role = resolve::role(cx.tx, target)?;
    ensure_editable(&role)?;
    let current = cx.tx.role_includes(role.id)?;
    let mut plan = Plan::default();
    for other in resolve::roles(cx.tx, others)? {
        check_includable(&role, &other)?;
        check_no_cycle(cx, &role, &other)?;
        if current.contains(&other.id) {
            plan.skip(&other.key, format!("{} already includes it", role.key));
            continue;
        }
        plan.change(
            other.key.clone(),
            Change::Include {
                role: named(&role),
                included: named(&other),
            },
        );
    }
    Ok(plan.summarize(|names| format!("role {} includes {}", role.key, names)))
}

pub fn exclude(cx: &mut Ctx<'_, '_>, target: &str, others: &[String]) -> Result<Plan, Error> {
    let role = resolve::role(cx.tx, target)?;
    ensure_editable(&role)?;
    let current = cx.tx.role_includes(role.id)?;
    let mut plan = Plan::default();
    for other in resolve::roles(cx.tx, others)? {
        if !current.contains(&other.id) {
            plan.skip(&other.key, format!("{} does not include it", role.key));
            continue;
        }
        plan.change(
            other.key.clone(),
            Change::Exclude {
                role: named(&role),
                included: named(&other),
            },
        );
    }
    Ok(plan.summarize(|names| format!("role {} no longer includes {}", role.key, names)))
}

pub fn assign(
    cx: &mut Ctx<'_, '_>,
    target: &str,
    names: &[String],
    scope: &ScopeRef,
) -> Result<Plan, Error> {
    let role = resolve::role(cx.tx, target)?;
    let scope = resolve::scope(cx.tx, scope)?;
    check_scope_app(cx, &role, &scope)?;
    let users = resolve::users(cx.tx, cx.tenant, names)?;
    let ids: Vec<UserId> = users.iter().map(|u| u.id).collect();
    let holding = cx.tx.holding_assignment(&ids, role.id, scope.scope)?;
    let mut plan = Plan::default();
    for user in users {
        if holding.contains(&user.id) {
            plan.skip(
                &user.username,
                format!("already has role {} at {}", role.key, scope.describe()),
            );
            continue;
        }
        plan.change(
            user.username.clone(),
            Change::Assign {
                user: Named::new(user.id, user.username),
                role: named(&role),
                scope: scope.clone(),
            },
        );
    }
    Ok(plan.summarize(|names| {
        format!(
            "assign role {} to {} at {}",
            role.key,
            names,
            scope.describe()
        )
    }))
}

pub fn unassign(
    cx: &mut Ctx<'_, '_>,
    target: &str,
    names: &[String],
    scope: &ScopeRef,
) -> Result<Plan, Error> {
    let role = resolve::role(cx.tx, target)?;
    let scope = resolve::scope(cx.tx, scope)?;
    let users = resolve::users(cx.tx, cx.tenant, names)?;
    let mut plan = Plan::default();
    for user in users {
        if !cx.tx.has_assignment(user.id, role.id, scope.scope)? {
            let mut held = Vec::new();
            for a in cx.tx.user_assignments(user.id)? {
                if a.role == role.id {
                    held.push(resolve::name_scope(cx.tx, a.scope)?.describe());
                }
            }
            let reason = if held.is_empty() {
                format!("does not have role {}", role.key)
            } else {
                format!(
                    "does not have role {} at {} (has it at {}; pass the same --stage/--app)",
                    role.key,
                    scope.describe(),
                    held.join("; ")
                )
            };
            plan.skip(&user.username, reason);
            continue;
        }
        plan.change(
            user.username.clone(),
            Change::Unassign {
                user: Named::new(user.id, user.username),
                role: named(&role),
                scope: scope.clone(),
            },
        );
    }
    Ok(plan.summarize(|names| {
        format!(
            "take role {} from {} at {}",
            role.key,
            names,
            scope.describe()
        )
    }))
}
