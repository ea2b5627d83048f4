//! App permissions ("permission areas"): each belongs to one app and is keyed under it; the
//! built-in catalog is read-only; implications stay inside one app and never form a cycle.

use std::collections::BTreeMap;

use super::{Ctx, Plan};
use crate::access::cycle;
use crate::model::validate;
use crate::model::*;
use crate::service::error::{Error, Rule};
use crate::service::resolve;

fn named(p: &Permission) -> Named<PermissionId> {
    Named::new(p.id, p.key.clone())
}

fn ensure_editable(p: &Permission) -> Result<(), Error> {
    if p.builtin {
        return Err(Error::refused(
            Rule::CatalogReadOnly,
            format!(
                "{} belongs to the built-in catalog, which is read-only; apps define their own permissions with `warden perm add`",
                p.key
            ),
        ));
    }
    Ok(())
}

fn fields_of(p: &Permission) -> PermissionFields {
    PermissionFields {
        name: p.name.clone(),
        section: p.section.clone(),
        description: p.description.clone(),
    }
}

pub fn add(
    cx: &mut Ctx<'_, '_>,
    key: &str,
    name: &str,
    app: &str,
    section: Option<&str>,
    description: &str,
) -> Result<Plan, Error> {
    let key = validate::key("permission key", key)?;
    let name = validate::name("permission name", name)?;
    let description = cx.free_text("description", description, validate::DESCRIPTION_MAX)?;
    let app = resolve::app(cx.tx, app)?;
    if !key.starts_with(&format!("{}.", app.key)) {
        return Err(Error::Usage(format!(
            "an app's permission keys start with the app key: use {}.{key}",
            app.key
        )));
    }
    let section = match section {
        Some(s) => validate::name("section", s)?,
        None => app.name.clone(),
    };
    if let Some(existing) = cx.tx.permission_by_key(&key)? {
        return Err(Error::refused(
            Rule::UniqueName,
            format!("the permission key {key} is taken ({})", existing.name),
        ));
    }
    Ok(
        Plan::new(format!("add permission {key} to app {}", app.key)).with(Change::AddPermission {
            id: PermissionId(0),
            key,
            fields: PermissionFields {
                name,
                section,
                description,
            },
            app: Some(Named::new(app.id, app.key)),
            builtin: false,
        }),
    )
}

pub fn edit(
    cx: &mut Ctx<'_, '_>,
    target: &str,
    name: Option<&str>,
    section: Option<&str>,
    description: Option<&str>,
) -> Result<Plan, Error> {
    let permission = resolve::permission(cx.tx, target)?;
    ensure_editable(&permission)?;
    let before = fields_of(&permission);
    let mut after = before.clone();
    if let Some(name) = name {
        after.name = validate::name("permission name", name)?;
    }
    if let Some(section) = section {
        after.section = validate::name("section", section)?;
    }
    if let Some(description) = description {
        after.description = cx.free_text("description", description, validate::DESCRIPTION_MAX)?;
    }
    let summary = format!("edit permission {}", permission.key);
    if after == before {
        let mut plan = Plan::new(summary);
        plan.skip(&permission.key, "nothing to change");
        return Ok(plan);
    }
    Ok(Plan::new(summary).with(Change::EditPermission {
        permission: named(&permission),
        before,
        after,
    }))
}

/// Deletes an app permission after revoking every grant of it and removing its implications.
pub fn delete(cx: &mut Ctx<'_, '_>, target: &str) -> Result<Plan, Error> {
    let permission = resolve::permission(cx.tx, target)?;
    ensure_editable(&permission)?;
    let this = named(&permission);
    let mut plan = Plan::new(format!("delete permission {}", permission.key));
    for grant in cx.tx.permission_grants(permission.id)? {
        let role = resolve::role_by_id(cx.tx, grant.role)?;
        plan.changes.push(Change::Revoke {
            role: Named::new(role.id, role.key),
            permission: this.clone(),
            scope: resolve::name_scope(cx.tx, grant.scope)?,
        });
    }
    for implied in cx.tx.implied_by(permission.id)? {
        let implied = resolve::permission_by_id(cx.tx, implied)?;
        plan.changes.push(Change::Unimply {
            permission: this.clone(),
            implied: named(&implied),
        });
    }
    for implying in cx.tx.implying(permission.id)? {
        let implying = resolve::permission_by_id(cx.tx, implying)?;
        plan.changes.push(Change::Unimply {
            permission: named(&implying),
            implied: this.clone(),
        });
    }
    let app = match permission.app {
        Some(id) => {
            let app = resolve::app_by_id(cx.tx, id)?;
            Some(Named::new(app.id, app.key))
        }
        None => None,
    };
    plan.changes.push(Change::DeletePermission {
        permission: this,
        app,
        before: fields_of(&permission),
    });
    Ok(plan)
}

pub fn imply(cx: &mut Ctx<'_, '_>, target: &str, others: &[String]) -> Result<Plan, Error> {
    let permission = resolve::permission(cx.tx, target)?;
    ensure_editable(&permission)?;
    let current = cx.tx.implied_by(permission.id)?;
    let mut edges: BTreeMap<PermissionId, Vec<PermissionId>> = BTreeMap::new();
    for (from, to) in cx.tx.all_implications()? {
        edges.entry(from).or_default().push(to);
    }
    let mut plan = Plan::default();
    for other in resolve::permissions(cx.tx, others)? {
        if other.app != permission.app {
            return Err(Error::refused(
                Rule::AppPermissionScope,
                format!(
                    "{} can imply only permissions of its own app; {} is not one",
                    permission.key, other.key
                ),
            ));
        }
        let successors = |p: PermissionId| edges.get(&p).cloned().unwrap_or_default();
        if let Some(ids) = cycle::cycle_through_edge(successors, permission.id, other.id) {
            let mut keys = Vec::with_capacity(ids.len());
            for id in ids {
                keys.push(resolve::permission_by_id(cx.tx, id)?.key);
            }
            return Err(Error::refused(
                Rule::NoCycles,
                format!("permission {}", keys.join(" implies ")),
            ));
        }
        if current.contains(&other.id) {
            plan.skip(&other.key, format!("{} already implies it", permission.key));
            continue;
        }
        plan.change(
            other.key.clone(),
            Change::Imply {
                permission: named(&permission),
                implied: named(&other),
            },
        );
    }
    Ok(plan.summarize(|names| format!("{} implies {}", permission.key, names)))
}

pub fn unimply(cx: &mut Ctx<'_, '_>, target: &str, others: &[String]) -> Result<Plan, Error> {
    let permission = resolve::permission(cx.tx, target)?;
    ensure_editable(&permission)?;
    let current = cx.tx.implied_by(permission.id)?;
    let mut plan = Plan::default();
    for other in resolve::permissions(cx.tx, others)? {
        if !current.contains(&other.id) {
            plan.skip(&other.key, format!("{} does not imply it", permission.key));
            continue;
        }
        plan.change(
            other.key.clone(),
            Change::Unimply {
                permission: named(&permission),
                implied: named(&other),
            },
        );
    }
    Ok(plan.summarize(|names| format!("{} no longer implies {}", permission.key, names)))
}
