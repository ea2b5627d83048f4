//! Starting actions: the form, picker or confirmation each write action opens (deleting always
//! asks first, Cancel focused), the detail an `Enter` opens, and the commands a finished
//! picker asks for. Every write goes to the service, which checks it again.

use super::super::forms::Form;
use super::super::keymap::Action;
use super::super::overlay::{Confirm, Message, OnConfirm, Overlay, PickItem, PickPurpose, Picker};
use super::super::state::{Level, State, Tab};
use super::super::worker::Request;
use super::{Effect, send};
use crate::model::{RoleKind, Scope, UserKind, UserStatus};
use crate::service::{Command, GroupRef, ScopeRef};

/// The name `y` copies: username, group name, role or permission key, audit id.
pub fn focused_name(state: &State) -> Option<String> {
    Some(match state.tab {
        Tab::Users => state.focused_user()?.username.clone(),
        Tab::Groups => state.focused_group()?.name.clone(),
        Tab::Roles => state.focused_role()?.key.clone(),
        Tab::Permissions => state.focused_permission()?.key.clone(),
        Tab::Audit => state.focused_audit()?.id.to_string(),
    })
}

fn group_ref(state: &State) -> Option<GroupRef> {
    let g = state.focused_group()?;
    Some(GroupRef {
        name: g.name.clone(),
        stage: Some(g.stage.clone()),
    })
}

fn stage_names(state: &State) -> Vec<String> {
    state
        .data
        .as_ref()
        .map(|d| d.engine_stages())
        .unwrap_or_default()
}

/// Opens whatever a write action needs before it can be sent.
pub fn start(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(data) = state.data.as_ref() else {
        return Vec::new();
    };
    let overlay = match action {
        Action::NewUser => Overlay::Form(Form::new_user()),
        Action::NewGroup => Overlay::Form(Form::new_group(&stage_names(state))),
        Action::NewRole => {
            let apps: Vec<String> = data.engine_apps();
            Overlay::Form(Form::new_role(&apps))
        }
        Action::EditUser => match state.focused_user() {
            Some(u) => Overlay::Form(Form::edit_user(u)),
            None => return Vec::new(),
        },
        Action::EditGroup => match state.focused_group() {
            Some(g) => Overlay::Form(Form::edit_group(g)),
            None => return Vec::new(),
        },
        Action::EditRole => match state.focused_role() {
            Some(r) => Overlay::Form(Form::edit_role(r)),
            None => return Vec::new(),
        },
        Action::CopyRole => match state.focused_role() {
            Some(r) => Overlay::Form(Form::copy_role(r)),
            None => return Vec::new(),
        },
        Action::TemporaryPassword => match state.focused_user() {
            Some(u) if u.kind == UserKind::ApiClient => {
                state.set_status(
                    format!(
                        "{} is an API client: it signs in with a token (warden token create)",
                        u.username
                    ),
                    Level::Error,
                );
                return Vec::new();
            }
            Some(u) => Overlay::Form(Form::temporary_password(&u.username)),
            None => return Vec::new(),
        },
        Action::ActivateUser | Action::UnlockUser => {
            let Some(user) = state.focused_user() else {
                return Vec::new();
            };
            let command = if action == Action::ActivateUser {
                Command::SetUserStatus {
                    users: vec![user.username.clone()],
                    status: UserStatus::Active,
                }
            } else {
                Command::Unlock {
                    users: vec![user.username.clone()],
                }
            };
            return vec![send(
                state,
                Request::Execute {
                    commands: vec![command],
                },
            )];
        }
        Action::DeactivateUser => {
            let Some(user) = state.focused_user() else {
                return Vec::new();
            };
            Overlay::Confirm(Confirm::new(
                format!("Deactivate {}?", user.username),
                vec![format!(
                    "{} keeps every role and group but loses all access until activated again.",
                    user.username
                )],
                "Deactivate",
                false,
                OnConfirm::Execute(vec![Command::SetUserStatus {
                    users: vec![user.username.clone()],
                    status: UserStatus::Deactivated,
                }]),
            ))
        }
        Action::DeleteUser => {
            let Some(user) = state.focused_user() else {
                return Vec::new();
            };
            let roles = data.engine.user_roles(user.id).len();
            let groups = data.engine.user_groups(user.id).len();
            Overlay::Confirm(Confirm::new(
                format!("Delete user {}?", user.username),
                vec![
                    format!(
                        "This removes {} for good, with {roles} role assignment(s) and {groups} group membership(s).",
                        user.username
                    ),
                    "The audit trail keeps what was removed.".into(),
                ],
                "Delete",
                true,
                OnConfirm::Execute(vec![Command::DeleteUsers {
                    users: vec![user.username.clone()],
                }]),
            ))
        }
        Action::DeleteGroup => {
            let (Some(group), Some(group_ref)) = (state.focused_group(), group_ref(state)) else {
                return Vec::new();
            };
            Overlay::Confirm(Confirm::new(
                format!("Delete group {} ({})?", group.name, group.stage),
                vec![format!(
                    "Its {} member(s) lose the group's {} role(s); the users themselves stay.",
                    group.members, group.roles
                )],
                "Delete",
                true,
                OnConfirm::Execute(vec![Command::DeleteGroup { group: group_ref }]),
            ))
        }
        Action::DeleteRole => {
            let Some(role) = state.focused_role() else {
                return Vec::new();
            };
            Overlay::Confirm(Confirm::new(
                format!("Delete role {}?", role.key),
                vec![format!(
                    "It is first taken from {} user(s) and {} group(s), and removed from every role including it.",
                    role.assignments, role.groups
                )],
                "Delete",
                true,
                OnConfirm::Execute(vec![Command::DeleteRole {
                    role: role.key.clone(),
                }]),
            ))
        }
        Action::AssignRoles
        | Action::UnassignRoles
        | Action::AddMembers
        | Action::RemoveMembers
        | Action::AddGroupRoles
        | Action::RemoveGroupRoles => match picker(state, action) {
            Some(p) => Overlay::Picker(p),
            None => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    state.overlays.push(overlay);
    if let (Some(Overlay::Form(form)), Some(data)) =
        (state.overlays.last_mut(), state.data.as_ref())
    {
        form.validate(&data.policy.password);
        // A fresh form has no errors to show yet: only what is typed is judged.
        for field in &mut form.fields {
            if field.value.is_empty() {
                field.error = None;
            }
        }
    }
    Vec::new()
}

fn role_item(
    data: &super::super::state::Data,
    role: crate::model::RoleId,
    scope: Scope,
) -> Option<PickItem> {
    let view = data.roles.iter().find(|r| r.id == role)?;
    let stage = scope
        .stage
        .and_then(|s| data.engine.stage_name(s))
        .map(String::from);
    let app = scope
        .app
        .and_then(|a| data.engine.app_key(a))
        .map(String::from);
    let at = data.engine.describe_scope(scope);
    Some(PickItem {
        value: view.key.clone(),
        label: if scope.is_organization() {
            format!("{} — {}", view.key, view.name)
        } else {
            format!("{} — {} (at {at})", view.key, view.name)
        },
        stage,
        app,
    })
}

/// The picker an assign/add/remove action opens, listing what can be chosen.
fn picker(state: &State, action: Action) -> Option<Picker> {
    let data = state.data.as_ref()?;
    let any_stage: Vec<Option<String>> = std::iter::once(None)
        .chain(data.engine_stages().into_iter().map(Some))
        .collect();
    let item = |value: &str, label: String| PickItem {
        value: value.to_string(),
        label,
        stage: None,
        app: None,
    };
    Some(match action {
        Action::AssignRoles => {
            let user = state.focused_user()?;
            let items = data
                .roles
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
                .collect();
            Picker::new(
                format!("Assign roles to {}", user.username),
                items,
                PickPurpose::AssignRoles {
                    user: user.username.clone(),
                },
                any_stage,
            )
        }
        Action::UnassignRoles => {
            let user = state.focused_user()?;
            let items = data
                .engine
                .user_roles(user.id)
                .into_iter()
                .filter_map(|(role, scope)| role_item(data, role, scope))
                .collect();
            Picker::new(
                format!("Take roles from {}", user.username),
                items,
                PickPurpose::UnassignRoles {
                    user: user.username.clone(),
                },
                Vec::new(),
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

/// The commands a finished picker asks for (`None` when nothing was picked).
pub fn picked(picker: &Picker) -> Option<Vec<Command>> {
    let items = picker.picked();
    if items.is_empty() {
        return None;
    }
    let names: Vec<String> = items.iter().map(|i| i.value.clone()).collect();
    Some(match &picker.purpose {
        PickPurpose::AssignRoles { user } => names
            .into_iter()
            .map(|role| Command::Assign {
                role,
                users: vec![user.clone()],
                scope: ScopeRef {
                    stage: picker.stage(),
                    app: None,
                },
            })
            .collect(),
        PickPurpose::UnassignRoles { user } => items
            .iter()
            .map(|i| Command::Unassign {
                role: i.value.clone(),
                users: vec![user.clone()],
                scope: ScopeRef {
                    stage: i.stage.clone(),
                    app: i.app.clone(),
                },
            })
            .collect(),
        PickPurpose::AddMembers { group } => vec![Command::AddMembers {
            group: group.clone(),
            users: names,
        }],
        PickPurpose::RemoveMembers { group } => vec![Command::RemoveMembers {
            group: group.clone(),
            users: names,
        }],
        PickPurpose::AddGroupRoles { group } => vec![Command::AddGroupRoles {
            group: group.clone(),
            roles: names,
        }],
        PickPurpose::RemoveGroupRoles { group } => vec![Command::RemoveGroupRoles {
            group: group.clone(),
            roles: names,
        }],
    })
}

/// `Enter`: the focused item in full.
pub fn open(state: &mut State) {
    let Some(lines) = detail_lines(state) else {
        return;
    };
    let title = focused_name(state).unwrap_or_default();
    state
        .overlays
        .push(Overlay::Message(Message::new(title, lines, false)));
}

fn detail_lines(state: &State) -> Option<Vec<String>> {
    let data = state.data.as_ref()?;
    let e = &data.engine;
    Some(match state.tab {
        Tab::Users => {
            let u = state.focused_user()?;
            let mut lines = super::super::view::detail::user_lines(state, u);
            lines.push(String::new());
            lines.push("Effective permissions (first path):".into());
            let set = e.effective(u.id).unwrap_or_default();
            for atom in e.atoms(&set) {
                let path = e
                    .first_path(u.id, atom)
                    .map(|p| e.render_path(&p))
                    .unwrap_or_default();
                lines.push(format!("  {}  {path}", e.atom_label(atom)));
            }
            lines
        }
        Tab::Groups => {
            let g = state.focused_group()?;
            let mut lines = super::super::view::detail::group_lines(state, g);
            lines.push(String::new());
            lines.push(format!("Members ({}):", g.members));
            for member in e.group_members(g.id) {
                lines.push(format!("  {}", e.username(member).unwrap_or("?")));
            }
            lines
        }
        Tab::Roles => super::super::view::detail::role_lines(state, state.focused_role()?),
        Tab::Permissions => {
            super::super::view::detail::permission_lines(state, state.focused_permission()?)
        }
        Tab::Audit => {
            let a = state.focused_audit()?;
            let mut lines = vec![
                format!("#{} at {} by {}", a.id, a.at.rfc3339(), a.operator),
                format!("{}: {}", a.action, a.summary),
                format!("tenant {}", a.tenant),
                format!("hash {}", a.hash),
                String::new(),
            ];
            let pretty = serde_json::to_string_pretty(&a.detail).unwrap_or_default();
            lines.extend(pretty.lines().map(String::from));
            lines
        }
    })
}
