//! Catching up with other clients' changes without reading the whole tenant again: what was
//! committed since a console last loaded (its change marker), when it only concerns users
//! (added, edited, deleted, activated, assigned, moved between groups, locked by failed
//! sign-ins), comes back as those users' fresh rows, the small lists (groups, roles) read
//! again, the new audit records, and the changes that bring the console's access engine up to
//! date — a few milliseconds instead of reloading 100,000 users. Anything else (roles,
//! grants, permissions, stages, apps, the policy), or more than a handful of records, asks for
//! a full reload.

use std::collections::{BTreeSet, HashSet};

use super::Service;
use super::error::Error;
use super::query::{AuditView, GroupView, RoleView, UserView, groups_in, roles_in};
use super::resolve;
use crate::access::Engine;
use crate::model::*;
use crate::store::Tx;

/// At most this many new audit records, and users, are caught up with; more is a reload.
const RECORDS: usize = 100;
const USERS: usize = 500;

/// The operations (audit `op`) that concern users only.
const USER_OPS: [&str; 10] = [
    "add_user",
    "edit_user",
    "set_user_status",
    "delete_user",
    "add_member",
    "remove_member",
    "assign",
    "unassign",
    "set_password",
    "unlock",
];

/// What changed since a marker.
pub enum CatchUp {
    /// Too much, or more than users: load everything again.
    Reload,
    Delta(Delta),
}

/// Users' fresh rows and what goes with them.
pub struct Delta {
    /// The store's change marker this brings the console to.
    pub marker: (i64, i64),
    /// The current rows of users added or changed.
    pub users: Vec<UserView>,
    /// Users that no longer exist.
    pub removed: Vec<UserId>,
    /// What brings an engine built at the old marker up to date.
    pub engine_changes: Vec<Change>,
    pub groups: Vec<GroupView>,
    pub roles: Vec<RoleView>,
    /// The new audit records, newest first.
    pub audit: Vec<AuditView>,
}

impl Service<'_> {
    /// What changed since `since` (a marker from `overview` or an earlier catch-up), for a
    /// console whose engine is `engine`.
    pub fn catch_up(&mut self, since: (i64, i64), engine: &Engine) -> Result<CatchUp, Error> {
        let now = self.clock.now();
        let tenant_name = self.tenant.clone();
        self.store.read(|tx| {
            let tenant = resolve::tenant(tx, &tenant_name)?;
            let marker = tx.change_marker()?;
            let records = tx.audit_records_after(AuditId(since.0), RECORDS as i64 + 1)?;
            if records.len() > RECORDS {
                return Ok(CatchUp::Reload);
            }
            let mut names: BTreeSet<String> = BTreeSet::new();
            for record in &records {
                if record.tenant != tenant.name {
                    continue;
                }
                match user_names(&record.detail) {
                    Some(found) => names.extend(found),
                    None => return Ok(CatchUp::Reload),
                }
            }
            let mut ids: BTreeSet<UserId> =
                tx.users_signing_in_since(since.1)?.into_iter().collect();
            for name in &names {
                match tx.user_by_username(tenant.id, name)? {
                    Some(user) => {
                        ids.insert(user.id);
                    }
                    // Gone (deleted, or renamed since): the engine knows whom it meant.
                    None => ids.extend(engine.users_named(tenant.id, name)),
                }
            }
            if ids.len() > USERS {
                return Ok(CatchUp::Reload);
            }
            let mut delta = Delta {
                marker,
                users: Vec::new(),
                removed: Vec::new(),
                engine_changes: Vec::new(),
                groups: groups_in(tx, &tenant.name)?,
                roles: roles_in(tx)?,
                // Newest first, as the console lists them.
                audit: records.iter().rev().cloned().map(AuditView::from).collect(),
            };
            for id in ids {
                catch_up_user(tx, &tenant, engine, id, now, &mut delta)?;
            }
            Ok(CatchUp::Delta(delta))
        })
    }
}

/// The usernames a record's changes concern, or `None` when a change concerns more than users.
fn user_names(detail: &str) -> Option<Vec<String>> {
    let detail: serde_json::Value = serde_json::from_str(detail).ok()?;
    let changes = detail.get("changes")?.as_array()?;
    let mut names = Vec::new();
    for change in changes {
        let op = change.get("op")?.as_str()?;
        if !USER_OPS.contains(&op) {
            return None;
        }
        for field in [
            change.get("user"),
            change.get("username"),
            change.pointer("/before/username"),
            change.pointer("/after/username"),
        ]
        .into_iter()
        .flatten()
        {
            names.push(field.as_str()?.to_string());
        }
    }
    Some(names)
}

/// One user's fresh row, and the changes that bring the engine's idea of them up to date.
fn catch_up_user(
    tx: &mut Tx<'_>,
    tenant: &Tenant,
    engine: &Engine,
    id: UserId,
    now: Timestamp,
    delta: &mut Delta,
) -> Result<(), Error> {
    let named = |name: &str| Named::new(id, name.to_string());
    let known = engine.user_status(id).is_some();
    let Some(user) = tx.user(id)? else {
        if known {
            let name = engine.username(id).unwrap_or_default().to_string();
            delta.engine_changes.push(Change::DeleteUser {
                user: named(&name),
                tenant: Named::new(tenant.id, tenant.name.clone()),
                // Only the id matters to the engine.
                before: UserFields {
                    username: name.clone(),
                    email: None,
                    display_name: String::new(),
                    kind: UserKind::EndUser,
                    external_id: None,
                },
                status: UserStatus::Deactivated,
            });
        }
        delta.removed.push(id);
        return Ok(());
    };
    let fields = UserFields {
        username: user.username.clone(),
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        kind: user.kind,
        external_id: user.external_id.as_ref().map(|e| e.0.clone()),
    };
    let changes = &mut delta.engine_changes;
    if known {
        changes.push(Change::EditUser {
            user: named(&user.username),
            before: fields.clone(),
            after: fields,
        });
        changes.push(Change::SetUserStatus {
            user: named(&user.username),
            before: user.status,
            after: user.status,
        });
    } else {
        changes.push(Change::AddUser {
            id,
            tenant: Named::new(tenant.id, tenant.name.clone()),
            fields,
            status: user.status,
        });
    }
    // Assignments and memberships: what the store holds against what the engine holds.
    let held: HashSet<(RoleId, Scope)> = engine.user_roles(id).into_iter().collect();
    let stored: HashSet<(RoleId, Scope)> = tx
        .user_assignments(id)?
        .into_iter()
        .map(|a| (a.role, a.scope))
        .collect();
    let role = |r: RoleId| Named::new(r, String::new());
    let scope = |s: Scope| NamedScope {
        scope: s,
        stage: None,
        app: None,
    };
    for &(r, s) in held.difference(&stored) {
        changes.push(Change::Unassign {
            user: named(&user.username),
            role: role(r),
            scope: scope(s),
        });
    }
    for &(r, s) in stored.difference(&held) {
        changes.push(Change::Assign {
            user: named(&user.username),
            role: role(r),
            scope: scope(s),
        });
    }
    let in_groups: HashSet<GroupId> = engine.user_groups(id).into_iter().collect();
    let stored_groups: HashSet<GroupId> = tx.user_group_ids(id)?.into_iter().collect();
    let group = |g: GroupId| Named::new(g, String::new());
    for &g in in_groups.difference(&stored_groups) {
        changes.push(Change::RemoveMember {
            group: group(g),
            user: named(&user.username),
        });
    }
    for &g in stored_groups.difference(&in_groups) {
        changes.push(Change::AddMember {
            group: group(g),
            user: named(&user.username),
        });
    }
    delta.users.push(UserView::new(user, &tenant.name, now));
    Ok(())
}
