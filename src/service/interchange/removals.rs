//! What a sync takes away: the edges the target holds and the source does not (always, so
//! they match), and whole users, groups, roles, permissions, apps and stages only the target
//! has (only when pruning). Relations of a user matched by external id are compared under the
//! source's username, so a rename is not also a removal.

use super::apply::Effect;
use super::build;
use super::compare::Comparer;
use super::difference::{
    Difference, assignment_edge, difference, grant_edge, group_label, group_role_edge,
    implication_edge, include_edge, member_edge, phase,
};
use super::document::*;
use super::index::Index;
use crate::model::validate::fold;

/// What the target holds and the source does not: edges always (a sync makes them match),
/// whole entities only when pruning.
pub(super) fn removals(
    parts: &[Part],
    source_index: Index,
    comparer: &Comparer<'_>,
    prune: bool,
) -> Vec<Difference> {
    let target = comparer.index;
    let mut out = Vec::new();
    let has = |part: Part| parts.contains(&part);
    // Stored names of renamed users, so their relations are not counted twice.
    let source_name = |tenant: &str, folded: &str| -> String {
        comparer
            .renamed
            .get(&(tenant.to_string(), folded.to_string()))
            .cloned()
            .unwrap_or_else(|| folded.to_string())
    };
    if has(Part::Permissions) {
        for p in target.permissions.values() {
            if !source_index.permissions.contains_key(&p.key) {
                if prune {
                    out.push(difference(
                        Part::Permissions,
                        Effect::Remove,
                        format!("permission {}", p.key),
                        "default",
                        build::delete_permission(&p.key),
                        phase::DELETE_PERMISSION,
                    ));
                }
                continue;
            }
            for q in &p.implies {
                if !source_index
                    .implications
                    .contains(&(p.key.clone(), q.clone()))
                {
                    out.push(implication_edge(&p.key, q, false));
                }
            }
        }
    }
    if has(Part::Roles) {
        for r in target.roles.values() {
            if !source_index.roles.contains_key(&r.key) {
                if prune {
                    out.push(difference(
                        Part::Roles,
                        Effect::Remove,
                        format!("role {}", r.key),
                        "default",
                        build::delete_role(&r.key),
                        phase::DELETE_ROLE,
                    ));
                }
                continue;
            }
            for g in &r.grants {
                if !source_index.grants.contains(&(r.key.clone(), g.clone())) {
                    out.push(grant_edge(&r.key, g, false));
                }
            }
            for other in &r.includes {
                if !source_index
                    .includes
                    .contains(&(r.key.clone(), other.clone()))
                {
                    out.push(include_edge(&r.key, other, false));
                }
            }
        }
    }
    if has(Part::Users) && prune {
        for (key, u) in &target.users {
            let name = source_name(&key.0, &key.1);
            if !source_index.users.contains_key(&(key.0.clone(), name)) {
                out.push(difference(
                    Part::Users,
                    Effect::Remove,
                    format!("user {}", u.username),
                    &u.tenant,
                    build::delete_user(&u.username),
                    phase::DELETE_USER,
                ));
            }
        }
    }
    if has(Part::Groups) {
        for (key, g) in &target.groups {
            if !source_index.groups.contains_key(key) {
                if prune {
                    out.push(difference(
                        Part::Groups,
                        Effect::Remove,
                        group_label(&g.name, &g.stage),
                        &g.tenant,
                        build::delete_group(g),
                        phase::DELETE_GROUP,
                    ));
                }
                continue;
            }
            for m in &g.members {
                let name = source_name(&g.tenant, &fold(m));
                let user_kept = source_index
                    .users
                    .contains_key(&(g.tenant.clone(), name.clone()))
                    || !has(Part::Users);
                if !source_index.has_member(key, &name) && (user_kept || !prune) {
                    out.push(member_edge(&g.tenant, &g.name, &g.stage, m, false));
                }
            }
            for r in &g.roles {
                if !source_index.has_group_role(key, r) {
                    out.push(group_role_edge(&g.tenant, &g.name, &g.stage, r, false));
                }
            }
        }
    }
    if has(Part::Assignments) {
        for (user, role, stage, app) in &target.assignments {
            let name = source_name(&user.0, &user.1);
            let user_kept = source_index
                .users
                .contains_key(&(user.0.clone(), name.clone()))
                || !has(Part::Users);
            let key = (
                (user.0.clone(), name),
                role.clone(),
                stage.clone(),
                app.clone(),
            );
            if !source_index.assignments.contains(&key) && (user_kept || !prune) {
                let username = target
                    .users
                    .get(user)
                    .map(|u| u.username.clone())
                    .unwrap_or_else(|| user.1.clone());
                let entry = AssignmentEntry {
                    tenant: user.0.clone(),
                    username,
                    role: role.clone(),
                    stage: stage.clone(),
                    app: app.clone(),
                };
                out.push(assignment_edge(&entry, false));
            }
        }
    }
    if has(Part::Apps) && prune {
        for app in target.apps.values() {
            if !source_index.apps.contains_key(&app.key) {
                out.push(difference(
                    Part::Apps,
                    Effect::Remove,
                    format!("app {}", app.key),
                    "default",
                    build::delete_app(&app.key),
                    phase::DELETE_APP,
                ));
            }
        }
    }
    if let (Some(wanted), Some(stored), true) = (&source_index.stages, &target.stages, prune) {
        let wanted: Vec<String> = wanted.iter().map(|s| fold(s)).collect();
        for s in stored {
            if !wanted.contains(&fold(s)) {
                out.push(difference(
                    Part::Stages,
                    Effect::Remove,
                    format!("stage {s}"),
                    "default",
                    build::delete_stage(s),
                    phase::DELETE_STAGE,
                ));
            }
        }
    }
    // Hash sets iterate in no fixed order; a diff is read by people and tests.
    out.sort_by(|a, b| (a.phase, &a.subject).cmp(&(b.phase, &b.subject)));
    out
}
