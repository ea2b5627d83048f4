//! The pickers that edit the role and permission graph and the store's setup, and what a
//! finished one does: a role's grants (with their stage) and included roles, a permission's
//! implications, a new role's first grants, the policy settings, and an API client's tokens.
//! Every choice is picked from what exists — no permission key is typed by hand — and the
//! service judges each change again.

use super::super::forms::Form;
use super::super::keymap::Action;
use super::super::overlay::{Message, Overlay, PickItem, PickPurpose, Picker};
use super::super::state::{Data, Level, State};
use super::{Effect, write};
use crate::model::{RoleKind, Timestamp};
use crate::policy::settings::{self, SETTINGS};
use crate::service::credentials::TokenView;
use crate::service::{Command, NewRole, ScopeRef};

fn item(value: &str, label: String) -> PickItem {
    PickItem {
        value: value.to_string(),
        label,
        stage: None,
        app: None,
    }
}

/// Every stage a grant can be scoped to, `None` (every stage) first.
fn any_stage(data: &Data) -> Vec<Option<String>> {
    std::iter::once(None)
        .chain(data.engine_stages().into_iter().map(Some))
        .collect()
}

/// The permissions a role of `kind` (of `app`) may be granted: an end-user role only its
/// app's, an organization role any.
fn grantable(data: &Data, kind: RoleKind, app: Option<&str>) -> Vec<PickItem> {
    data.permissions
        .iter()
        .filter(|p| kind != RoleKind::EndUser || p.app.as_deref() == app)
        .map(|p| item(&p.key, format!("{} — {} ({})", p.key, p.name, p.section)))
        .collect()
}

/// The picker a graph action opens on the focused role or permission.
pub fn open(state: &State, action: Action) -> Option<Picker> {
    let data = state.data.as_ref()?;
    let e = &data.engine;
    Some(match action {
        Action::GrantPermissions => {
            let role = state.focused_role()?;
            Picker::new(
                format!("Grant {} permissions (tab: stage)", role.key),
                grantable(data, role.kind, role.app.as_deref()),
                PickPurpose::Grant {
                    role: role.key.clone(),
                },
                any_stage(data),
            )
        }
        Action::RevokePermissions => {
            let role = state.focused_role()?;
            let items = e
                .role_grants(role.id)
                .into_iter()
                .map(|atom| PickItem {
                    value: e.permission_key(atom.permission).unwrap_or("?").to_string(),
                    label: e.atom_label(atom),
                    stage: atom
                        .scope
                        .stage
                        .and_then(|s| e.stage_name(s))
                        .map(String::from),
                    app: atom.scope.app.and_then(|a| e.app_key(a)).map(String::from),
                })
                .collect();
            Picker::new(
                format!("Revoke permissions from {}", role.key),
                items,
                PickPurpose::Revoke {
                    role: role.key.clone(),
                },
                Vec::new(),
            )
        }
        Action::IncludeRoles => {
            let role = state.focused_role()?;
            let held = e.role_includes(role.id);
            let items = data
                .roles
                .iter()
                .filter(|r| r.id != role.id && !held.contains(&r.id))
                .filter(|r| {
                    role.kind != RoleKind::EndUser
                        || (r.kind == RoleKind::EndUser && r.app == role.app)
                })
                .map(|r| item(&r.key, format!("{} — {} ({})", r.key, r.name, r.kind)))
                .collect();
            Picker::new(
                format!("{} includes… (it then has what they have)", role.key),
                items,
                PickPurpose::Include {
                    role: role.key.clone(),
                },
                Vec::new(),
            )
        }
        Action::ExcludeRoles => {
            let role = state.focused_role()?;
            let items = e
                .role_includes(role.id)
                .into_iter()
                .filter_map(|r| e.role_key(r))
                .map(|key| item(key, key.to_string()))
                .collect();
            Picker::new(
                format!("{} stops including…", role.key),
                items,
                PickPurpose::Exclude {
                    role: role.key.clone(),
                },
                Vec::new(),
            )
        }
        Action::ImplyPermissions => {
            let permission = state.focused_permission()?;
            let items = data
                .permissions
                .iter()
                .filter(|p| {
                    p.key != permission.key
                        && p.app == permission.app
                        && !permission.implies.contains(&p.key)
                })
                .map(|p| item(&p.key, format!("{} — {}", p.key, p.name)))
                .collect();
            Picker::new(
                format!("{} implies… (holding it gives these too)", permission.key),
                items,
                PickPurpose::Imply {
                    permission: permission.key.clone(),
                },
                Vec::new(),
            )
        }
        Action::UnimplyPermissions => {
            let permission = state.focused_permission()?;
            let items = permission
                .implies
                .iter()
                .map(|key| item(key, key.clone()))
                .collect();
            Picker::new(
                format!("{} stops implying…", permission.key),
                items,
                PickPurpose::Unimply {
                    permission: permission.key.clone(),
                },
                Vec::new(),
            )
        }
        _ => return None,
    })
}

/// The grants picker a new role's form opens once it is filled in.
pub fn new_role_grants(state: &mut State, role: NewRole) {
    let Some(data) = state.data.as_ref() else {
        return;
    };
    let picker = Picker::new(
        format!(
            "Grant {} its permissions (space marks, tab: stage)",
            role.key
        ),
        grantable(data, role.kind, role.app.as_deref()),
        PickPurpose::NewRoleGrants {
            role: Box::new(role),
        },
        any_stage(data),
    );
    state.overlays.push(Overlay::Picker(picker));
}

/// The policy settings, each with its value, default and meaning; Enter edits one.
pub fn settings(state: &mut State) {
    let Some(data) = state.data.as_ref() else {
        return;
    };
    let items = SETTINGS
        .iter()
        .map(|s| {
            let value = data.settings.get(s.key).map_or(s.default, String::as_str);
            let changed = if value == s.default { "" } else { " *" };
            item(
                s.key,
                format!("{} = {value}{changed} — {}", s.key, s.description),
            )
        })
        .collect();
    state.overlays.push(Overlay::Picker(Picker::new(
        "Policy (enter edits a setting; * differs from the default)".into(),
        items,
        PickPurpose::Setting,
        Vec::new(),
    )));
}

/// The focused API client's tokens are asked for; the picker opens when they come.
pub fn tokens(state: &mut State) -> Vec<Effect> {
    let Some(user) = state.focused_user() else {
        return Vec::new();
    };
    if user.kind != crate::model::UserKind::ApiClient {
        state.set_status(
            format!(
                "{} is not an API client: only API clients sign in with tokens",
                user.username
            ),
            Level::Error,
        );
        return Vec::new();
    }
    let client = user.username.clone();
    vec![super::send(
        state,
        super::super::worker::Request::Tokens { client },
    )]
}

/// The value of the picker's first item: create a token.
const NEW_TOKEN: &str = "";

/// The client's tokens came: a picker offering a new one, then each live token to revoke.
pub fn tokens_listed(state: &mut State, client: String, tokens: Vec<TokenView>) {
    let mut items = vec![item(NEW_TOKEN, "+ create a new token".into())];
    items.extend(tokens.iter().filter(|t| t.revoked_at.is_none()).map(|t| {
        item(
            &t.token,
            format!(
                "revoke {} — {} (created {}, last used {})",
                t.token,
                t.name,
                t.created_at.short(),
                t.last_used_at.map_or("never".to_string(), Timestamp::short)
            ),
        )
    }));
    state.overlays.push(Overlay::Picker(Picker::new(
        format!("API tokens of {client}"),
        items,
        PickPurpose::Tokens { client },
        Vec::new(),
    )));
}

/// A token was created: shown once, in full.
pub fn token_created(state: &mut State, client: String, token: &str) {
    state.overlays.push(Overlay::Message(Message::new(
        format!("New token for {client}"),
        vec![
            token.to_string(),
            String::new(),
            "This is the only time it is shown: store it where the client reads it now.".into(),
            "warden keeps only its digest; a lost token is revoked and replaced.".into(),
        ],
        false,
    )));
}

/// What a finished graph, settings or tokens picker does.
pub fn picked(state: &mut State, picker: Picker) -> Vec<Effect> {
    let items: Vec<PickItem> = picker.picked().into_iter().cloned().collect();
    let Some(first) = items.first().cloned() else {
        return Vec::new();
    };
    let names: Vec<String> = items.iter().map(|i| i.value.clone()).collect();
    let stage = picker.stage();
    let commands = match picker.purpose {
        PickPurpose::Grant { role } => vec![Command::Grant {
            role,
            permissions: names,
            scope: ScopeRef { stage, app: None },
        }],
        // Each grant is revoked at the scope it was granted at.
        PickPurpose::Revoke { role } => items
            .into_iter()
            .map(|i| Command::Revoke {
                role: role.clone(),
                permissions: vec![i.value],
                scope: ScopeRef {
                    stage: i.stage,
                    app: i.app,
                },
            })
            .collect(),
        PickPurpose::Include { role } => vec![Command::Include {
            role,
            others: names,
        }],
        PickPurpose::Exclude { role } => vec![Command::Exclude {
            role,
            others: names,
        }],
        PickPurpose::Imply { permission } => vec![Command::Imply {
            permission,
            others: names,
        }],
        PickPurpose::Unimply { permission } => vec![Command::Unimply {
            permission,
            others: names,
        }],
        PickPurpose::NewRoleGrants { mut role } => {
            role.grants = names;
            role.grant_scope = ScopeRef { stage, app: None };
            // The form under the picker waits for the answer, and shows a refusal.
            if let Some(Overlay::Form(form)) = state.overlays.last_mut() {
                form.submitting = true;
                form.error = None;
            }
            vec![Command::AddRole(*role)]
        }
        PickPurpose::Setting => {
            let Some(setting) = settings::setting(&first.value) else {
                return Vec::new();
            };
            let value = state
                .data
                .as_ref()
                .and_then(|d| d.settings.get(setting.key).cloned())
                .unwrap_or_else(|| setting.default.to_string());
            state.overlays.push(Overlay::Form(Form::setting(
                setting.key,
                &value,
                setting.default,
            )));
            return Vec::new();
        }
        PickPurpose::Tokens { client } if first.value == NEW_TOKEN => {
            state.overlays.push(Overlay::Form(Form::new_token(&client)));
            return Vec::new();
        }
        PickPurpose::Tokens { client } => {
            let draft = super::super::intent::Draft::destructive(
                format!("Revoke token {} of {client}?", first.value),
                vec![
                    "The client can no longer sign in with it; its other tokens still work.".into(),
                ],
                vec![Command::RevokeToken { token: first.value }],
            );
            return write::propose(state, draft);
        }
        _ => return Vec::new(),
    };
    write::apply_or_stage(state, commands)
}

/// Whether a picker's purpose is one this file finishes.
pub fn owns(purpose: &PickPurpose) -> bool {
    matches!(
        purpose,
        PickPurpose::Grant { .. }
            | PickPurpose::Revoke { .. }
            | PickPurpose::Include { .. }
            | PickPurpose::Exclude { .. }
            | PickPurpose::Imply { .. }
            | PickPurpose::Unimply { .. }
            | PickPurpose::NewRoleGrants { .. }
            | PickPurpose::Setting
            | PickPurpose::Tokens { .. }
    )
}
