//! Users: add, edit, activate / deactivate, delete. Uniqueness of username, email and external
//! id per tenant (case-insensitive), the status transitions, and the operator-self rule.

use super::{Ctx, Plan, check_version};
use crate::model::validate;
use crate::model::*;
use crate::service::command::{NewUser, UserEdit};
use crate::service::error::{Error, Rule};
use crate::service::resolve;

fn fields_of(user: &User) -> UserFields {
    UserFields {
        username: user.username.clone(),
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        kind: user.kind,
        external_id: user.external_id.as_ref().map(|e| e.0.clone()),
    }
}

/// Refuses a username, email or external id another user of the tenant already has. Everyone
/// it could clash with is read in one query; the rules are then checked in order.
fn check_unique(
    cx: &mut Ctx<'_, '_>,
    fields: &UserFields,
    except: Option<UserId>,
) -> Result<(), Error> {
    let email = fields.email.as_deref();
    let others: Vec<User> = cx
        .tx
        .users_named_any(
            cx.tenant.id,
            [&fields.username, email.unwrap_or(&fields.username)],
            fields.external_id.as_deref(),
        )?
        .into_iter()
        .filter(|u| Some(u.id) != except)
        .collect();
    let same = |a: &str, b: &str| validate::fold(a.trim()) == validate::fold(b.trim());
    let by_username = |name: &str| others.iter().find(|u| same(&u.username, name));
    let by_email = |name: &str| {
        others
            .iter()
            .find(|u| u.email.as_deref().is_some_and(|e| same(e, name)))
    };
    if let Some(other) = by_username(&fields.username) {
        return Err(Error::refused(
            Rule::UniqueUsername,
            format!(
                "the username {} is taken in tenant {} (usernames are case-insensitive)",
                other.username, cx.tenant.name
            ),
        ));
    }
    // A name resolves to exactly one user: no username may be another user's email, and no
    // email another user's username (otherwise `assign R ceo@corp` could reach an impostor).
    if let Some(other) = by_email(&fields.username) {
        return Err(Error::refused(
            Rule::UniqueUsername,
            format!(
                "the username {} is the email of {} in tenant {}: a name must identify one user",
                fields.username, other.username, cx.tenant.name
            ),
        ));
    }
    if let Some(email) = email {
        if by_username(email).is_some() {
            return Err(Error::refused(
                Rule::UniqueEmail,
                format!(
                    "{email} is the username of another user in tenant {}: a name must identify one user",
                    cx.tenant.name
                ),
            ));
        }
        if let Some(other) = by_email(email) {
            return Err(Error::refused(
                Rule::UniqueEmail,
                format!(
                    "{email} already belongs to {} in tenant {}: one user for each email",
                    other.username, cx.tenant.name
                ),
            ));
        }
    }
    if let Some(external) = &fields.external_id {
        if let Some(other) = others
            .iter()
            .find(|u| u.external_id.as_ref().is_some_and(|e| e.0 == *external))
        {
            return Err(Error::refused(
                Rule::UniqueExternalId,
                format!(
                    "the external id {external} already links to {} in tenant {}",
                    other.username, cx.tenant.name
                ),
            ));
        }
    }
    Ok(())
}

pub fn add(cx: &mut Ctx<'_, '_>, new: &NewUser) -> Result<Plan, Error> {
    let fields = UserFields {
        username: validate::username(&new.username)?,
        email: new.email.as_deref().map(validate::email).transpose()?,
        display_name: cx.free_text("display name", &new.display_name, validate::NAME_MAX)?,
        kind: new.kind,
        external_id: new
            .external_id
            .as_deref()
            .map(validate::external_id)
            .transpose()?,
    };
    if new.status == UserStatus::Deactivated {
        return Err(Error::Usage(
            "a new user is invited or active; deactivate them afterwards if needed".into(),
        ));
    }
    check_unique(cx, &fields, None)?;
    let summary = format!("add {} {} ({})", new.kind, fields.username, new.status);
    Ok(Plan::new(summary).with(Change::AddUser {
        id: UserId(0),
        tenant: Named::new(cx.tenant.id, cx.tenant.name.clone()),
        fields,
        status: new.status,
    }))
}

pub fn edit(
    cx: &mut Ctx<'_, '_>,
    name: &str,
    edit: &UserEdit,
    expected_version: Option<i64>,
) -> Result<Plan, Error> {
    let user = resolve::user(cx.tx, cx.tenant, name)?;
    check_version(cx, "user", &user.username, expected_version, user.version)?;
    let before = fields_of(&user);
    let mut after = before.clone();
    if let Some(username) = &edit.username {
        after.username = validate::username(username)?;
    }
    if let Some(email) = &edit.email {
        after.email = email.as_deref().map(validate::email).transpose()?;
    }
    if let Some(display) = &edit.display_name {
        after.display_name = cx.free_text("display name", display, validate::NAME_MAX)?;
    }
    if let Some(kind) = edit.kind {
        after.kind = kind;
    }
    if let Some(external) = &edit.external_id {
        after.external_id = external.as_deref().map(validate::external_id).transpose()?;
    }
    if after == before {
        let mut plan = Plan::new(format!("edit user {}", user.username));
        plan.skip(&user.username, "nothing to change");
        return Ok(plan);
    }
    check_unique(cx, &after, Some(user.id))?;
    if after.kind != UserKind::EndUser {
        let groups = cx.tx.user_group_ids(user.id)?;
        if !groups.is_empty() {
            return Err(Error::refused(
                Rule::GroupMembersAreEndUsers,
                format!(
                    "{} is in {} group(s) and only end users can be group members; remove them from their groups first",
                    user.username,
                    groups.len()
                ),
            ));
        }
    }
    Ok(
        Plan::new(format!("edit user {}", user.username)).with(Change::EditUser {
            user: Named::new(user.id, user.username.clone()),
            before,
            after,
        }),
    )
}

pub fn set_status(
    cx: &mut Ctx<'_, '_>,
    names: &[String],
    status: UserStatus,
) -> Result<Plan, Error> {
    let users = resolve::users(cx.tx, cx.tenant, names)?;
    let verb = match status {
        UserStatus::Active => "activate",
        UserStatus::Deactivated => "deactivate",
        UserStatus::Invited => {
            return Err(Error::refused(
                Rule::StatusTransition,
                "a user cannot go back to invited",
            ));
        }
    };
    let mut plan = Plan::default();
    for user in users {
        if user.status == status {
            plan.skip(&user.username, format!("already {status}"));
            continue;
        }
        if status == UserStatus::Deactivated && user.id == cx.operator.user {
            return Err(Error::refused(
                Rule::OperatorSelf,
                format!(
                    "you cannot deactivate yourself ({}); ask another administrator",
                    user.username
                ),
            ));
        }
        plan.change(
            user.username.clone(),
            Change::SetUserStatus {
                user: Named::new(user.id, user.username),
                before: user.status,
                after: status,
            },
        );
    }
    Ok(plan.summarize(|names| format!("{verb} {}", names)))
}

/// Deletes users with every membership and assignment, each an explicit change so the audit
/// record (and any later undo) shows exactly what went with them.
pub fn delete(cx: &mut Ctx<'_, '_>, names: &[String]) -> Result<Plan, Error> {
    let users = resolve::users(cx.tx, cx.tenant, names)?;
    let mut plan = Plan::default();
    for user in users {
        if user.id == cx.operator.user {
            return Err(Error::refused(
                Rule::OperatorSelf,
                format!(
                    "you cannot delete yourself ({}); ask another administrator",
                    user.username
                ),
            ));
        }
        let named = Named::new(user.id, user.username.clone());
        for group_id in cx.tx.user_group_ids(user.id)? {
            let group = resolve::group_by_id(cx.tx, group_id)?;
            let label = resolve::group_label(cx.tx, &group)?;
            plan.changes.push(Change::RemoveMember {
                group: Named::new(group.id, label),
                user: named.clone(),
            });
        }
        for assignment in cx.tx.user_assignments(user.id)? {
            let role = resolve::role_by_id(cx.tx, assignment.role)?;
            let scope = resolve::name_scope(cx.tx, assignment.scope)?;
            plan.changes.push(Change::Unassign {
                user: named.clone(),
                role: Named::new(role.id, role.key),
                scope,
            });
        }
        plan.changes.push(Change::DeleteUser {
            user: named,
            tenant: Named::new(cx.tenant.id, cx.tenant.name.clone()),
            before: fields_of(&user),
            status: user.status,
        });
        plan.done.push(user.username);
    }
    Ok(plan.summarize(|names| format!("delete {}", names)))
}
