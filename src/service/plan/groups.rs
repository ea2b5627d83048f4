//! Groups of end users: a stage fixed at creation, members who are end users, and end-user
//! roles usable in that stage.

use super::{Ctx, Plan, check_version};
use crate::model::validate;
use crate::model::*;
use crate::service::command::GroupRef;
use crate::service::error::{Error, Rule};
use crate::service::resolve;

fn named(cx: &mut Ctx<'_, '_>, group: &Group) -> Result<Named<GroupId>, Error> {
    let label = resolve::group_label(cx.tx, group)?;
    Ok(Named::new(group.id, label))
}

fn check_unique_name(
    cx: &mut Ctx<'_, '_>,
    name: &str,
    stage: StageId,
    except: Option<GroupId>,
) -> Result<(), Error> {
    let clash = cx
        .tx
        .groups_named(cx.tenant.id, name)?
        .into_iter()
        .find(|g| g.stage == stage && Some(g.id) != except);
    if let Some(other) = clash {
        let stage = resolve::stage_by_id(cx.tx, stage)?;
        return Err(Error::refused(
            Rule::UniqueName,
            format!(
                "a group named {} already exists in stage {} of tenant {}",
                other.name, stage.name, cx.tenant.name
            ),
        ));
    }
    Ok(())
}

pub fn add(
    cx: &mut Ctx<'_, '_>,
    name: &str,
    stage: &str,
    description: &str,
) -> Result<Plan, Error> {
    let name = validate::name("group name", name)?;
    let description = cx.free_text("description", description, validate::DESCRIPTION_MAX)?;
    let stage = resolve::stage(cx.tx, stage)?;
    check_unique_name(cx, &name, stage.id, None)?;
    Ok(
        Plan::new(format!("add group {name} in stage {}", stage.name)).with(Change::AddGroup {
            id: GroupId(0),
            tenant: Named::new(cx.tenant.id, cx.tenant.name.clone()),
            stage: Named::new(stage.id, stage.name),
            fields: GroupFields { name, description },
        }),
    )
}

pub fn edit(
    cx: &mut Ctx<'_, '_>,
    target: &GroupRef,
    name: Option<&str>,
    description: Option<&str>,
    expected_version: Option<i64>,
) -> Result<Plan, Error> {
    let group = resolve_for_edit(cx, target)?;
    let label = named(cx, &group)?;
    check_version(cx, "group", &label.name, expected_version, group.version)?;
    let before = GroupFields {
        name: group.name.clone(),
        description: group.description.clone(),
    };
    let mut after = before.clone();
    if let Some(name) = name {
        after.name = validate::name("group name", name)?;
    }
    if let Some(description) = description {
        after.description = cx.free_text("description", description, validate::DESCRIPTION_MAX)?;
    }
    let summary = format!("edit group {}", label.name);
    if after == before {
        let mut plan = Plan::new(summary);
        plan.skip(&label.name, "nothing to change");
        return Ok(plan);
    }
    check_unique_name(cx, &after.name, group.stage, Some(group.id))?;
    Ok(Plan::new(summary).with(Change::EditGroup {
        group: label,
        before,
        after,
    }))
}

/// Resolves the group to edit. `ops --stage Production` when the only group named ops is in QA
/// is a request to move it: refused, because a group's stage is chosen once.
fn resolve_for_edit(cx: &mut Ctx<'_, '_>, target: &GroupRef) -> Result<Group, Error> {
    let Some(stage_name) = &target.stage else {
        return resolve::group(cx.tx, cx.tenant, target);
    };
    let wanted = resolve::stage(cx.tx, stage_name)?;
    let named = cx.tx.groups_named(cx.tenant.id, &target.name)?;
    if let Some(group) = named.iter().find(|g| g.stage == wanted.id) {
        return Ok(group.clone());
    }
    if let [only] = named.as_slice() {
        let current = resolve::stage_by_id(cx.tx, only.stage)?;
        return Err(Error::refused(
            Rule::GroupStageFixed,
            format!(
                "group {} is in stage {} and a group's stage never changes; create a new group in {} instead",
                only.name, current.name, wanted.name
            ),
        ));
    }
    resolve::group(cx.tx, cx.tenant, target)
}

/// Deletes a group after removing its members and roles, each an explicit change.
pub fn delete(cx: &mut Ctx<'_, '_>, target: &GroupRef) -> Result<Plan, Error> {
    let group = resolve::group(cx.tx, cx.tenant, target)?;
    let label = named(cx, &group)?;
    let mut plan = Plan::new(format!("delete group {}", label.name));
    for user in cx.tx.group_members(group.id)? {
        plan.changes.push(Change::RemoveMember {
            group: label.clone(),
            user: Named::new(user.id, user.username),
        });
    }
    for role_id in cx.tx.group_role_ids(group.id)? {
        let role = resolve::role_by_id(cx.tx, role_id)?;
        plan.changes.push(Change::RemoveGroupRole {
            group: label.clone(),
            role: Named::new(role.id, role.key),
        });
    }
    let stage = resolve::stage_by_id(cx.tx, group.stage)?;
    plan.changes.push(Change::DeleteGroup {
        group: label,
        tenant: Named::new(cx.tenant.id, cx.tenant.name.clone()),
        stage: Named::new(stage.id, stage.name),
        before: GroupFields {
            name: group.name,
            description: group.description,
        },
    });
    Ok(plan)
}

pub fn add_members(
    cx: &mut Ctx<'_, '_>,
    target: &GroupRef,
    names: &[String],
) -> Result<Plan, Error> {
    let group = resolve::group(cx.tx, cx.tenant, target)?;
    let label = named(cx, &group)?;
    let users = resolve::users(cx.tx, cx.tenant, names)?;
    let mut plan = Plan::default();
    for user in users {
        if user.kind != UserKind::EndUser {
            return Err(Error::refused(
                Rule::GroupMembersAreEndUsers,
                format!(
                    "{} is a {} user; only end users can join groups",
                    user.username, user.kind
                ),
            ));
        }
        if cx.tx.is_member(group.id, user.id)? {
            plan.skip(&user.username, format!("already in group {}", label.name));
            continue;
        }
        plan.change(
            user.username.clone(),
            Change::AddMember {
                group: label.clone(),
                user: Named::new(user.id, user.username),
            },
        );
    }
    Ok(plan.summarize(|names| format!("add {} to group {}", names, label.name)))
}

pub fn remove_members(
    cx: &mut Ctx<'_, '_>,
    target: &GroupRef,
    names: &[String],
) -> Result<Plan, Error> {
    let group = resolve::group(cx.tx, cx.tenant, target)?;
    let label = named(cx, &group)?;
    let users = resolve::users(cx.tx, cx.tenant, names)?;
    let mut plan = Plan::default();
    for user in users {
        if !cx.tx.is_member(group.id, user.id)? {
            plan.skip(&user.username, format!("not in group {}", label.name));
            continue;
        }
        plan.change(
            user.username.clone(),
            Change::RemoveMember {
                group: label.clone(),
                user: Named::new(user.id, user.username),
            },
        );
    }
    Ok(plan.summarize(|names| format!("remove {} from group {}", names, label.name)))
}

/// The stages a role's grants (its own and those of every role it includes) are pinned to;
/// `None` when some grant applies in every stage.
fn grant_stages(cx: &mut Ctx<'_, '_>, role: RoleId) -> Result<Option<Vec<StageId>>, Error> {
    let mut stages = Vec::new();
    let mut seen = std::collections::BTreeSet::from([role]);
    let mut queue = vec![role];
    while let Some(r) = queue.pop() {
        for grant in cx.tx.role_grants(r)? {
            match grant.scope.stage {
                None => return Ok(None),
                Some(s) => stages.push(s),
            }
        }
        for included in cx.tx.role_includes(r)? {
            if seen.insert(included) {
                queue.push(included);
            }
        }
    }
    Ok(Some(stages))
}

pub fn add_roles(cx: &mut Ctx<'_, '_>, target: &GroupRef, names: &[String]) -> Result<Plan, Error> {
    let group = resolve::group(cx.tx, cx.tenant, target)?;
    let label = named(cx, &group)?;
    let roles = resolve::roles(cx.tx, names)?;
    let current = cx.tx.group_role_ids(group.id)?;
    let mut plan = Plan::default();
    for role in roles {
        if role.kind != RoleKind::EndUser {
            return Err(Error::refused(
                Rule::GroupRolesAreEndUserRoles,
                format!(
                    "{} is an organization role; groups hold end-user roles only (assign organization roles to users with `warden assign`)",
                    role.name
                ),
            ));
        }
        if let Some(stages) = grant_stages(cx, role.id)? {
            if !stages.is_empty() && !stages.contains(&group.stage) {
                let group_stage = resolve::stage_by_id(cx.tx, group.stage)?;
                return Err(Error::refused(
                    Rule::GroupRolesAreEndUserRoles,
                    format!(
                        "role {} grants nothing in stage {}, the stage of group {}; its grants are pinned to other stages",
                        role.key, group_stage.name, group.name
                    ),
                ));
            }
        }
        if current.contains(&role.id) {
            plan.skip(&role.key, format!("group {} already has it", label.name));
            continue;
        }
        plan.change(
            role.key.clone(),
            Change::AddGroupRole {
                group: label.clone(),
                role: Named::new(role.id, role.key),
            },
        );
    }
    Ok(plan.summarize(|names| format!("give group {} role {}", label.name, names)))
}

pub fn remove_roles(
    cx: &mut Ctx<'_, '_>,
    target: &GroupRef,
    names: &[String],
) -> Result<Plan, Error> {
    let group = resolve::group(cx.tx, cx.tenant, target)?;
    let label = named(cx, &group)?;
    let roles = resolve::roles(cx.tx, names)?;
    let current = cx.tx.group_role_ids(group.id)?;
    let mut plan = Plan::default();
    for role in roles {
        if !current.contains(&role.id) {
            plan.skip(&role.key, format!("group {} does not have it", label.name));
            continue;
        }
        plan.change(
            role.key.clone(),
            Change::RemoveGroupRole {
                group: label.clone(),
                role: Named::new(role.id, role.key),
            },
        );
    }
    Ok(plan.summarize(|names| format!("take role {} from group {}", names, label.name)))
}
