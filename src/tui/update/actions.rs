//! Starting actions: the form, picker or confirmation each write action opens (deleting and
//! deactivating always ask first, with a preview, Cancel focused), the detail an `Enter` opens, and the commands a finished
//! picker asks for. Every write goes to the service, which checks it again.

use super::super::forms::Form;
use super::super::intent::Draft;
use super::super::keymap::Action;
use super::super::overlay::{Message, Overlay};
use super::super::state::{Level, State, Tab};
use super::{Effect, pickers, write};
use crate::model::{UserKind, UserStatus};
use crate::service::{Command, GroupRef};

/// The name `y` copies: username, group name, role or permission key, audit id.
pub fn focused_name(state: &State) -> Option<String> {
    Some(match state.tab {
        Tab::Users => state.focused_user()?.username.clone(),
        Tab::Groups => state.focused_group()?.name.clone(),
        Tab::Roles => state.focused_role()?.key.clone(),
        Tab::Permissions => state.focused_permission()?.key.clone(),
        Tab::Audit => state.focused_audit()?.id.to_string(),
        Tab::Apps => state.focused_app()?.app.key.clone(),
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
        // On marked users: a bulk draft, previewed and confirmed.
        Action::ActivateUser if pickers::bulk(state) => {
            return pickers::statuses(state, "Activate", |users| Command::SetUserStatus {
                users,
                status: UserStatus::Active,
            });
        }
        Action::DeactivateUser if pickers::bulk(state) => {
            return pickers::statuses(state, "Deactivate", |users| Command::SetUserStatus {
                users,
                status: UserStatus::Deactivated,
            });
        }
        Action::UnlockUser if pickers::bulk(state) => {
            return pickers::statuses(state, "Unlock", |users| Command::Unlock { users });
        }
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
            return write::apply_or_stage(state, vec![command]);
        }
        Action::DeactivateUser => {
            let Some(user) = state.focused_user() else {
                return Vec::new();
            };
            let draft = Draft::destructive(
                format!("Deactivate {}?", user.username),
                vec![format!(
                    "{} keeps every role and group but loses all access until activated again.",
                    user.username
                )],
                vec![Command::SetUserStatus {
                    users: vec![user.username.clone()],
                    status: UserStatus::Deactivated,
                }],
            );
            return write::propose(state, draft);
        }
        Action::DeleteUser => {
            let Some(user) = state.focused_user() else {
                return Vec::new();
            };
            let roles = data.engine.user_roles(user.id).len();
            let groups = data.engine.user_groups(user.id).len();
            let draft = Draft::destructive(
                format!("Delete user {}?", user.username),
                vec![
                    format!(
                        "This removes {} for good, with {roles} role assignment(s) and {groups} group membership(s).",
                        user.username
                    ),
                    "The audit trail keeps what was removed.".into(),
                ],
                vec![Command::DeleteUsers {
                    users: vec![user.username.clone()],
                }],
            );
            return write::propose(state, draft);
        }
        Action::DeleteGroup => {
            let (Some(group), Some(group_ref)) = (state.focused_group(), group_ref(state)) else {
                return Vec::new();
            };
            let draft = Draft::destructive(
                format!("Delete group {} ({})?", group.name, group.stage),
                vec![format!(
                    "Its {} member(s) lose the group's {} role(s); the users themselves stay.",
                    group.members, group.roles
                )],
                vec![Command::DeleteGroup { group: group_ref }],
            );
            return write::propose(state, draft);
        }
        Action::DeleteRole => {
            let Some(role) = state.focused_role() else {
                return Vec::new();
            };
            let draft = Draft::destructive(
                format!("Delete role {}?", role.key),
                vec![format!(
                    "It is first taken from {} user(s) and {} group(s), and removed from every role including it.",
                    role.assignments, role.groups
                )],
                vec![Command::DeleteRole {
                    role: role.key.clone(),
                }],
            );
            return write::propose(state, draft);
        }
        Action::NewApp => Overlay::Form(Form::new_app()),
        Action::EditApp => match state.focused_app() {
            Some(a) => Overlay::Form(Form::edit_app(&a.app.key, &a.app.name, &a.app.description)),
            None => return Vec::new(),
        },
        Action::DeleteApp => {
            let Some(row) = state.focused_app() else {
                return Vec::new();
            };
            let draft = Draft::destructive(
                format!("Delete app {}?", row.app.key),
                vec![format!(
                    "Only an app nothing refers to can go: it has {} permission(s) and {} role(s) now.",
                    row.permissions, row.roles
                )],
                vec![Command::DeleteApp {
                    app: row.app.key.clone(),
                }],
            );
            return write::propose(state, draft);
        }
        Action::NewPermission => {
            let apps = data.engine_apps();
            if apps.is_empty() {
                state.set_status(
                    "no app yet: permissions of your own belong to an app (6, then n registers one)",
                    Level::Error,
                );
                return Vec::new();
            }
            let app = state.focused_permission().and_then(|p| p.app.clone());
            Overlay::Form(Form::new_permission(&apps, app.as_deref()))
        }
        Action::EditPermission => match state.focused_permission() {
            Some(p) => Overlay::Form(Form::edit_permission(p)),
            None => return Vec::new(),
        },
        Action::DeletePermission => {
            let Some(p) = state.focused_permission() else {
                return Vec::new();
            };
            let roles = data.engine.granted_by(p.id).len();
            let draft = Draft::destructive(
                format!("Delete permission {}?", p.key),
                vec![format!(
                    "It is first revoked from the {roles} grant(s) that hold it, and its implications go with it."
                )],
                vec![Command::DeletePermission {
                    permission: p.key.clone(),
                }],
            );
            return write::propose(state, draft);
        }
        Action::Tokens => return super::catalog::tokens(state),
        Action::GrantPermissions
        | Action::RevokePermissions
        | Action::IncludeRoles
        | Action::ExcludeRoles
        | Action::ImplyPermissions
        | Action::UnimplyPermissions => match super::catalog::open(state, action) {
            Some(p) => Overlay::Picker(p),
            None => return Vec::new(),
        },
        Action::AssignRoles
        | Action::UnassignRoles
        | Action::ReplaceRole
        | Action::AddToGroups
        | Action::RemoveFromGroups
        | Action::WhyNot
        | Action::AddMembers
        | Action::RemoveMembers
        | Action::AddGroupRoles
        | Action::RemoveGroupRoles => match super::pickers::open(state, action) {
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

/// `Enter`: on a user, their permissions to move through and explain; elsewhere the focused
/// item in full.
pub fn open(state: &mut State) {
    if state.tab == Tab::Users {
        super::access::open(state);
        return;
    }
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
        Tab::Apps => super::super::view::detail::app_lines(state, state.focused_app()?),
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
