//! The pickers write actions open (roles to assign or take away, a role to replace and its
//! replacement, groups to join or leave, members and roles of a group, a permission for
//! why-not), and what a finished picker does: on the marked users a bulk draft to preview and
//! confirm; on one user or a group, an edit applied or staged.

use std::collections::BTreeSet;

use super::super::intent::{Draft, DraftKind};
use super::super::overlay::{Overlay, PickItem, PickPurpose, Picker, Target};
use super::super::state::{Data, State, Tab};
use super::{Effect, access, write};
use crate::model::{RoleId, RoleKind, Scope, UserKind};
use crate::service::{Command, GroupRef, ScopeRef};

/// Whom a Users-tab action is for: the marked users (a bulk action), else the focused one.
pub fn target(state: &State) -> Option<Target> {
    let data = state.data.as_ref()?;
    if state.marks.is_empty() {
        let user = state.focused_user()?;
        return Some(Target {
            users: vec![user.username.clone()],
            ids: vec![user.id],
            hidden: 0,
            bulk: false,
        });
    }
    let mut rows: Vec<u32> = state
        .marks
        .ids()
        .filter_map(|id| data.user_rows.get(&id).copied())
        .collect();
    rows.sort_unstable();
    let users = rows.iter().map(|&r| &data.users[r as usize]);
    Some(Target {
        users: users.clone().map(|u| u.username.clone()).collect(),
        ids: users.map(|u| u.id).collect(),
        hidden: state.marks.hidden(),
        bulk: true,
    })
}

/// `alice`, or `3 marked users`.
fn whom(target: &Target) -> String {
    if target.bulk {
        format!("{} marked users", target.users.len())
    } else {
        target.users.first().cloned().unwrap_or_default()
    }
}

fn item(value: &str, label: String) -> PickItem {
    PickItem {
        value: value.to_string(),
        label,
        stage: None,
        app: None,
    }
}

fn role_item(data: &Data, role: RoleId, scope: Scope) -> Option<PickItem> {
    let view = data.roles.iter().find(|r| r.id == role)?;
    let at = data.engine.describe_scope(scope);
    Some(PickItem {
        value: view.key.clone(),
        label: if scope.is_organization() {
            format!("{} — {}", view.key, view.name)
        } else {
            format!("{} — {} (at {at})", view.key, view.name)
        },
        stage: scope
            .stage
            .and_then(|s| data.engine.stage_name(s))
            .map(String::from),
        app: scope
            .app
            .and_then(|a| data.engine.app_key(a))
            .map(String::from),
    })
}

fn every_role(data: &Data) -> Vec<PickItem> {
    data.roles
        .iter()
        .map(|r| {
            item(
                &r.key,
                format!(
                    "{} — {} ({}{})",
                    r.key,
                    r.name,
                    r.kind,
                    r.app.as_ref().map(|a| format!(", {a}")).unwrap_or_default()
                ),
            )
        })
        .collect()
}

/// Roles the target users hold directly, each at the scope held.
fn held_roles(data: &Data, target: &Target) -> Vec<PickItem> {
    let held: BTreeSet<(RoleId, Scope)> = target
        .ids
        .iter()
        .flat_map(|&u| data.engine.user_roles(u))
        .collect();
    held.into_iter()
        .filter_map(|(role, scope)| role_item(data, role, scope))
        .collect()
}

fn any_stage(data: &Data) -> Vec<Option<String>> {
    std::iter::once(None)
        .chain(data.engine_stages().into_iter().map(Some))
        .collect()
}

fn group_ref(state: &State) -> Option<GroupRef> {
    let g = state.focused_group()?;
    Some(GroupRef {
        name: g.name.clone(),
        stage: Some(g.stage.clone()),
    })
}

/// The picker an action opens.
pub fn open(state: &State, action: super::super::keymap::Action) -> Option<Picker> {
    use super::super::keymap::Action;
    let data = state.data.as_ref()?;
    Some(match action {
        Action::AssignRoles => {
            let target = target(state)?;
            Picker::new(
                format!("Assign roles to {}", whom(&target)),
                every_role(data),
                PickPurpose::AssignRoles(target),
                any_stage(data),
            )
        }
        Action::UnassignRoles => {
            let target = target(state)?;
            Picker::new(
                format!("Take roles from {}", whom(&target)),
                held_roles(data, &target),
                PickPurpose::UnassignRoles(target),
                Vec::new(),
            )
        }
        Action::ReplaceRole => {
            let target = target(state)?;
            Picker::new(
                format!("Replace which role of {}?", whom(&target)),
                held_roles(data, &target),
                PickPurpose::ReplaceFrom(target),
                Vec::new(),
            )
        }
        Action::AddToGroups | Action::RemoveFromGroups => {
            let target = target(state)?;
            let adding = action == Action::AddToGroups;
            let items = if adding {
                data.groups
                    .iter()
                    .map(|g| PickItem {
                        value: g.name.clone(),
                        label: format!("{} ({}) — {} members", g.name, g.stage, g.members),
                        stage: Some(g.stage.clone()),
                        app: None,
                    })
                    .collect()
            } else {
                let held: BTreeSet<_> = target
                    .ids
                    .iter()
                    .flat_map(|&u| data.engine.user_groups(u))
                    .collect();
                data.groups
                    .iter()
                    .filter(|g| held.contains(&g.id))
                    .map(|g| PickItem {
                        value: g.name.clone(),
                        label: format!("{} ({})", g.name, g.stage),
                        stage: Some(g.stage.clone()),
                        app: None,
                    })
                    .collect()
            };
            let title = if adding {
                format!("Add {} to groups", whom(&target))
            } else {
                format!("Remove {} from groups", whom(&target))
            };
            let purpose = if adding {
                PickPurpose::AddToGroups(target)
            } else {
                PickPurpose::RemoveFromGroups(target)
            };
            Picker::new(title, items, purpose, Vec::new())
        }
        Action::WhyNot => {
            let user = state.focused_user()?;
            let items = data
                .permissions
                .iter()
                .map(|p| item(&p.key, format!("{} — {}", p.key, p.name)))
                .collect();
            Picker::new(
                format!("Why does {} not hold…? (tab: stage)", user.username),
                items,
                PickPurpose::WhyNot {
                    user: user.id,
                    username: user.username.clone(),
                },
                any_stage(data),
            )
        }
        Action::AddMembers => {
            let group = state.focused_group()?;
            let current: std::collections::HashSet<_> =
                data.engine.group_members(group.id).into_iter().collect();
            let items = data
                .users
                .iter()
                .filter(|u| u.kind == UserKind::EndUser && !current.contains(&u.id))
                .map(|u| item(&u.username, format!("{} — {}", u.username, u.display_name)))
                .collect();
            Picker::new(
                format!("Add members to {} ({})", group.name, group.stage),
                items,
                PickPurpose::AddMembers {
                    group: group_ref(state)?,
                },
                Vec::new(),
            )
        }
        Action::RemoveMembers => {
            let group = state.focused_group()?;
            let items = data
                .engine
                .group_members(group.id)
                .into_iter()
                .filter_map(|u| data.engine.username(u).map(|n| item(n, n.to_string())))
                .collect();
            Picker::new(
                format!("Remove members from {} ({})", group.name, group.stage),
                items,
                PickPurpose::RemoveMembers {
                    group: group_ref(state)?,
                },
                Vec::new(),
            )
        }
        Action::AddGroupRoles => {
            let group = state.focused_group()?;
            let current = data.engine.group_roles(group.id);
            let items = data
                .roles
                .iter()
                .filter(|r| r.kind == RoleKind::EndUser && !current.contains(&r.id))
                .map(|r| {
                    item(
                        &r.key,
                        format!(
                            "{} — {} ({})",
                            r.key,
                            r.name,
                            r.app.clone().unwrap_or_default()
                        ),
                    )
                })
                .collect();
            Picker::new(
                format!("Give {} ({}) roles", group.name, group.stage),
                items,
                PickPurpose::AddGroupRoles {
                    group: group_ref(state)?,
                },
                Vec::new(),
            )
        }
        Action::RemoveGroupRoles => {
            let group = state.focused_group()?;
            let items = data
                .engine
                .group_roles(group.id)
                .into_iter()
                .filter_map(|r| role_item(data, r, Scope::ORGANIZATION))
                .collect();
            Picker::new(
                format!("Take roles from {} ({})", group.name, group.stage),
                items,
                PickPurpose::RemoveGroupRoles {
                    group: group_ref(state)?,
                },
                Vec::new(),
            )
        }
        _ => return None,
    })
}

fn scope_of(item: &PickItem) -> ScopeRef {
    ScopeRef {
        stage: item.stage.clone(),
        app: item.app.clone(),
    }
}

/// A picked scope in the words the service's summaries use (`organization`, `stage QA`).
pub fn at(stage: &Option<String>) -> String {
    stage
        .as_ref()
        .map_or_else(|| "organization".to_string(), |s| format!("stage {s}"))
}

/// A user-tab edit: a bulk draft for marked users, else applied or staged for the one user.
fn for_target(
    state: &mut State,
    target: Target,
    title: String,
    commands: Vec<Command>,
) -> Vec<Effect> {
    if commands.is_empty() {
        return Vec::new();
    }
    if target.bulk {
        write::propose(
            state,
            Draft {
                title,
                commands,
                users: target.users,
                hidden: target.hidden,
                kind: DraftKind::Bulk,
                explain: Vec::new(),
            },
        )
    } else {
        write::apply_or_stage(state, commands)
    }
}

/// What a finished picker does.
pub fn picked(state: &mut State, picker: Picker) -> Vec<Effect> {
    let items: Vec<PickItem> = picker.picked().into_iter().cloned().collect();
    if items.is_empty() {
        return Vec::new();
    }
    if super::catalog::owns(&picker.purpose) {
        return super::catalog::picked(state, picker);
    }
    let names: Vec<String> = items.iter().map(|i| i.value.clone()).collect();
    let stage = picker.stage();
    match picker.purpose {
        PickPurpose::AssignRoles(target) => {
            let commands = names
                .iter()
                .map(|role| Command::Assign {
                    role: role.clone(),
                    users: target.users.clone(),
                    scope: ScopeRef {
                        stage: stage.clone(),
                        app: None,
                    },
                })
                .collect();
            let title = format!("Assign {} at {}", names.join(", "), at(&stage));
            for_target(state, target, title, commands)
        }
        PickPurpose::UnassignRoles(target) => {
            let commands = items
                .iter()
                .map(|i| Command::Unassign {
                    role: i.value.clone(),
                    users: target.users.clone(),
                    scope: scope_of(i),
                })
                .collect();
            let title = format!("Take away {}", names.join(", "));
            for_target(state, target, title, commands)
        }
        PickPurpose::ReplaceFrom(target) => {
            let Some(from) = items.into_iter().next() else {
                return Vec::new();
            };
            let Some(data) = state.data.as_ref() else {
                return Vec::new();
            };
            let next = Picker::new(
                format!("Replace {} by… (tab: stage)", from.label),
                every_role(data)
                    .into_iter()
                    .filter(|i| i.value != from.value)
                    .collect(),
                PickPurpose::ReplaceWith { target, from },
                any_stage(data),
            );
            state.overlays.push(Overlay::Picker(next));
            Vec::new()
        }
        PickPurpose::ReplaceWith { target, from } => {
            let Some(to) = names.first().cloned() else {
                return Vec::new();
            };
            // Only those who hold the old role (at its scope) get the new one; the others
            // are reported as skipped by the unassignment.
            let holders: Vec<String> = match state.data.as_ref() {
                Some(data) => target
                    .ids
                    .iter()
                    .zip(&target.users)
                    .filter(|(id, _)| {
                        data.engine.user_roles(**id).iter().any(|(role, scope)| {
                            data.engine.role_key(*role) == Some(from.value.as_str())
                                && scope.stage.and_then(|s| data.engine.stage_name(s))
                                    == from.stage.as_deref()
                                && scope.app.and_then(|a| data.engine.app_key(a))
                                    == from.app.as_deref()
                        })
                    })
                    .map(|(_, name)| name.clone())
                    .collect(),
                None => Vec::new(),
            };
            let mut commands = vec![Command::Unassign {
                role: from.value.clone(),
                users: target.users.clone(),
                scope: scope_of(&from),
            }];
            if !holders.is_empty() {
                commands.push(Command::Assign {
                    role: to.clone(),
                    users: holders,
                    scope: ScopeRef {
                        stage: stage.clone(),
                        app: None,
                    },
                });
            }
            let title = format!("Replace {} by {to} at {}", from.value, at(&stage));
            for_target(state, target, title, commands)
        }
        PickPurpose::AddToGroups(target) => memberships(state, target, &items, true),
        PickPurpose::RemoveFromGroups(target) => memberships(state, target, &items, false),
        PickPurpose::WhyNot { user, username } => {
            access::why_not(state, user, &username, &names[0], stage);
            Vec::new()
        }
        PickPurpose::AddMembers { group } => write::apply_or_stage(
            state,
            vec![Command::AddMembers {
                group,
                users: names,
            }],
        ),
        PickPurpose::RemoveMembers { group } => write::apply_or_stage(
            state,
            vec![Command::RemoveMembers {
                group,
                users: names,
            }],
        ),
        PickPurpose::AddGroupRoles { group } => write::apply_or_stage(
            state,
            vec![Command::AddGroupRoles {
                group,
                roles: names,
            }],
        ),
        PickPurpose::RemoveGroupRoles { group } => write::apply_or_stage(
            state,
            vec![Command::RemoveGroupRoles {
                group,
                roles: names,
            }],
        ),
        // Finished by the catalog pickers (above).
        _ => Vec::new(),
    }
}

/// Adds the target users to (or removes them from) the picked groups.
fn memberships(state: &mut State, target: Target, items: &[PickItem], adding: bool) -> Vec<Effect> {
    let commands = items
        .iter()
        .map(|i| {
            let group = GroupRef {
                name: i.value.clone(),
                stage: i.stage.clone(),
            };
            let users = target.users.clone();
            if adding {
                Command::AddMembers { group, users }
            } else {
                Command::RemoveMembers { group, users }
            }
        })
        .collect();
    let groups: Vec<String> = items
        .iter()
        .map(|i| format!("{} ({})", i.value, i.stage.clone().unwrap_or_default()))
        .collect();
    let title = if adding {
        format!("Add to {}", groups.join(", "))
    } else {
        format!("Remove from {}", groups.join(", "))
    };
    for_target(state, target, title, commands)
}

/// Activate, deactivate or unlock the marked users: a bulk draft.
pub fn statuses(
    state: &mut State,
    title: &str,
    command: impl FnOnce(Vec<String>) -> Command,
) -> Vec<Effect> {
    let Some(target) = target(state) else {
        return Vec::new();
    };
    let commands = vec![command(target.users.clone())];
    for_target(state, target, title.to_string(), commands)
}

/// Whether the Users tab acts on marked users.
pub fn bulk(state: &State) -> bool {
    state.tab == Tab::Users && !state.marks.is_empty()
}
