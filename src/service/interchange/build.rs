//! Turning entries of a document into the commands that make a store hold them: the same
//! commands the verbs build, so every row passes every rule the verbs do. Also what differs
//! between two versions of an entry, in words (`email a@x → b@y`).

use super::document::*;
use crate::model::UserStatus;
use crate::service::{Command, GroupRef, NewRole, NewUser, ScopeRef, UserEdit};

fn scope(stage: &Option<String>, app: &Option<String>) -> ScopeRef {
    ScopeRef {
        stage: stage.clone(),
        app: app.clone(),
    }
}

fn group_ref(name: &str, stage: &str) -> GroupRef {
    GroupRef {
        name: name.to_string(),
        stage: Some(stage.to_string()),
    }
}

fn shown(value: &Option<String>) -> String {
    match value {
        Some(v) => format!("{v:?}"),
        None => "none".to_string(),
    }
}

/// `field a → b` for each field that differs.
fn field(out: &mut Vec<String>, name: &str, before: String, after: String) {
    if before != after {
        out.push(format!("{name} {before} → {after}"));
    }
}

/// Creates a user as the entry describes (status, and password when the entry carries one).
pub fn create_user(user: &UserEntry) -> Vec<Command> {
    let mut commands = vec![Command::AddUser(NewUser {
        username: user.username.clone(),
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        kind: user.kind,
        external_id: user.external_id.clone(),
        status: match user.status {
            UserStatus::Active => UserStatus::Active,
            _ => UserStatus::Invited,
        },
    })];
    if let Some(hash) = &user.password_hash {
        commands.push(Command::SetPassword {
            user: user.username.clone(),
            hash: hash.clone(),
            temporary: user.must_change_password,
            expected_version: None,
        });
    }
    commands.extend(user.tokens.iter().map(|t| token(&user.username, t)));
    if user.status == UserStatus::Deactivated {
        commands.push(Command::SetUserStatus {
            users: vec![user.username.clone()],
            status: UserStatus::Deactivated,
        });
    }
    commands
}

/// Stores an API client's token as it was (its id, name and digest).
fn token(client: &str, t: &TokenEntry) -> Command {
    Command::CreateToken {
        client: client.to_string(),
        name: t.name.clone(),
        token: t.id.clone(),
        secret_digest: t.secret_digest.clone(),
    }
}

/// The entry's tokens the stored user lacks (tokens are only ever added here).
fn missing_tokens<'a>(stored: &UserEntry, wanted: &'a UserEntry) -> Vec<&'a TokenEntry> {
    wanted
        .tokens
        .iter()
        .filter(|t| !stored.tokens.iter().any(|s| s.id == t.id))
        .collect()
}

/// What differs between a stored user and the entry (secrets compared, never shown).
pub fn user_differences(stored: &UserEntry, wanted: &UserEntry) -> Vec<String> {
    let mut out = Vec::new();
    field(
        &mut out,
        "username",
        stored.username.clone(),
        wanted.username.clone(),
    );
    field(
        &mut out,
        "email",
        shown(&stored.email),
        shown(&wanted.email),
    );
    field(
        &mut out,
        "display name",
        format!("{:?}", stored.display_name),
        format!("{:?}", wanted.display_name),
    );
    field(
        &mut out,
        "kind",
        stored.kind.to_string(),
        wanted.kind.to_string(),
    );
    field(
        &mut out,
        "status",
        stored.status.to_string(),
        wanted.status.to_string(),
    );
    field(
        &mut out,
        "external id",
        shown(&stored.external_id),
        shown(&wanted.external_id),
    );
    if wanted.password_hash.is_some()
        && (wanted.password_hash != stored.password_hash
            || wanted.must_change_password != stored.must_change_password)
    {
        out.push("password hash differs".to_string());
    }
    let missing = missing_tokens(stored, wanted);
    if !missing.is_empty() {
        let ids: Vec<&str> = missing.iter().map(|t| t.id.as_str()).collect();
        out.push(format!("tokens {} missing", ids.join(", ")));
    }
    out
}

/// Makes the stored user (named by its stored username) like the entry.
pub fn update_user(stored: &UserEntry, wanted: &UserEntry) -> Vec<Command> {
    let mut commands = Vec::new();
    let changed = |a: &Option<String>, b: &Option<String>| (a != b).then(|| b.clone());
    let edit = UserEdit {
        username: (stored.username != wanted.username).then(|| wanted.username.clone()),
        email: changed(&stored.email, &wanted.email),
        display_name: (stored.display_name != wanted.display_name)
            .then(|| wanted.display_name.clone()),
        kind: (stored.kind != wanted.kind).then_some(wanted.kind),
        external_id: changed(&stored.external_id, &wanted.external_id),
    };
    if edit != UserEdit::default() {
        commands.push(Command::EditUser {
            user: stored.username.clone(),
            edit,
            expected_version: None,
        });
    }
    if let Some(hash) = &wanted.password_hash {
        if wanted.password_hash != stored.password_hash
            || wanted.must_change_password != stored.must_change_password
        {
            commands.push(Command::SetPassword {
                user: wanted.username.clone(),
                hash: hash.clone(),
                temporary: wanted.must_change_password,
                expected_version: None,
            });
        }
    }
    commands.extend(
        missing_tokens(stored, wanted)
            .into_iter()
            .map(|t| token(&wanted.username, t)),
    );
    if stored.status != wanted.status {
        commands.push(Command::SetUserStatus {
            users: vec![wanted.username.clone()],
            status: wanted.status,
        });
    }
    commands
}

pub fn delete_user(username: &str) -> Vec<Command> {
    vec![Command::DeleteUsers {
        users: vec![username.to_string()],
    }]
}

pub fn create_group(group: &GroupEntry) -> Vec<Command> {
    vec![Command::AddGroup {
        name: group.name.clone(),
        stage: group.stage.clone(),
        description: group.description.clone(),
    }]
}

pub fn group_differences(stored: &GroupEntry, wanted: &GroupEntry) -> Vec<String> {
    let mut out = Vec::new();
    field(
        &mut out,
        "description",
        format!("{:?}", stored.description),
        format!("{:?}", wanted.description),
    );
    out
}

pub fn update_group(wanted: &GroupEntry) -> Vec<Command> {
    vec![Command::EditGroup {
        group: group_ref(&wanted.name, &wanted.stage),
        name: None,
        description: Some(wanted.description.clone()),
        expected_version: None,
    }]
}

pub fn delete_group(group: &GroupEntry) -> Vec<Command> {
    vec![Command::DeleteGroup {
        group: group_ref(&group.name, &group.stage),
    }]
}

pub fn member(group: &str, stage: &str, username: &str, add: bool) -> Vec<Command> {
    let group = group_ref(group, stage);
    let users = vec![username.to_string()];
    vec![if add {
        Command::AddMembers { group, users }
    } else {
        Command::RemoveMembers { group, users }
    }]
}

pub fn group_role(group: &str, stage: &str, role: &str, add: bool) -> Vec<Command> {
    let group = group_ref(group, stage);
    let roles = vec![role.to_string()];
    vec![if add {
        Command::AddGroupRoles { group, roles }
    } else {
        Command::RemoveGroupRoles { group, roles }
    }]
}

pub fn assignment(a: &AssignmentEntry, add: bool) -> Vec<Command> {
    let role = a.role.clone();
    let users = vec![a.username.clone()];
    let scope = scope(&a.stage, &a.app);
    vec![if add {
        Command::Assign { role, users, scope }
    } else {
        Command::Unassign { role, users, scope }
    }]
}

/// Creates a role with all its grants (a custom organization role may not be left without a
/// permission); its inclusions are separate items, made once every role exists.
pub fn create_role(role: &RoleEntry) -> Vec<Command> {
    let mut commands = vec![Command::AddRole(NewRole {
        key: role.key.clone(),
        name: role.name.clone(),
        description: role.description.clone(),
        kind: role.kind,
        app: role.app.clone(),
        grants: Vec::new(),
        grant_scope: ScopeRef::default(),
        includes: Vec::new(),
    })];
    commands.extend(role.grants.iter().flat_map(|g| grant(&role.key, g, true)));
    commands
}

pub fn role_differences(stored: &RoleEntry, wanted: &RoleEntry) -> Vec<String> {
    let mut out = Vec::new();
    field(&mut out, "name", stored.name.clone(), wanted.name.clone());
    field(
        &mut out,
        "description",
        format!("{:?}", stored.description),
        format!("{:?}", wanted.description),
    );
    field(
        &mut out,
        "kind",
        stored.kind.to_string(),
        wanted.kind.to_string(),
    );
    field(&mut out, "app", shown(&stored.app), shown(&wanted.app));
    out
}

pub fn update_role(wanted: &RoleEntry) -> Vec<Command> {
    vec![Command::EditRole {
        role: wanted.key.clone(),
        name: Some(wanted.name.clone()),
        description: Some(wanted.description.clone()),
        expected_version: None,
    }]
}

pub fn delete_role(key: &str) -> Vec<Command> {
    vec![Command::DeleteRole {
        role: key.to_string(),
    }]
}

pub fn grant(role: &str, g: &GrantEntry, add: bool) -> Vec<Command> {
    let role = role.to_string();
    let permissions = vec![g.permission.clone()];
    let scope = scope(&g.stage, &g.app);
    vec![if add {
        Command::Grant {
            role,
            permissions,
            scope,
        }
    } else {
        Command::Revoke {
            role,
            permissions,
            scope,
        }
    }]
}

pub fn include(role: &str, other: &str, add: bool) -> Vec<Command> {
    let role = role.to_string();
    let others = vec![other.to_string()];
    vec![if add {
        Command::Include { role, others }
    } else {
        Command::Exclude { role, others }
    }]
}

pub fn create_permission(p: &PermissionEntry) -> Vec<Command> {
    vec![Command::AddPermission {
        key: p.key.clone(),
        name: p.name.clone(),
        // A permission without an app is a built-in one, which the rules refuse to add.
        app: p.app.clone().unwrap_or_default(),
        section: Some(p.section.clone()),
        description: p.description.clone(),
    }]
}

pub fn permission_differences(stored: &PermissionEntry, wanted: &PermissionEntry) -> Vec<String> {
    let mut out = Vec::new();
    field(&mut out, "name", stored.name.clone(), wanted.name.clone());
    field(
        &mut out,
        "section",
        stored.section.clone(),
        wanted.section.clone(),
    );
    field(
        &mut out,
        "description",
        format!("{:?}", stored.description),
        format!("{:?}", wanted.description),
    );
    field(&mut out, "app", shown(&stored.app), shown(&wanted.app));
    out
}

pub fn update_permission(wanted: &PermissionEntry) -> Vec<Command> {
    vec![Command::EditPermission {
        permission: wanted.key.clone(),
        name: Some(wanted.name.clone()),
        section: Some(wanted.section.clone()),
        description: Some(wanted.description.clone()),
    }]
}

pub fn delete_permission(key: &str) -> Vec<Command> {
    vec![Command::DeletePermission {
        permission: key.to_string(),
    }]
}

pub fn implication(permission: &str, other: &str, add: bool) -> Vec<Command> {
    let permission = permission.to_string();
    let others = vec![other.to_string()];
    vec![if add {
        Command::Imply { permission, others }
    } else {
        Command::Unimply { permission, others }
    }]
}

pub fn create_app(app: &AppEntry) -> Vec<Command> {
    vec![Command::AddApp {
        key: app.key.clone(),
        name: app.name.clone(),
        description: app.description.clone(),
    }]
}

pub fn app_differences(stored: &AppEntry, wanted: &AppEntry) -> Vec<String> {
    let mut out = Vec::new();
    field(&mut out, "name", stored.name.clone(), wanted.name.clone());
    field(
        &mut out,
        "description",
        format!("{:?}", stored.description),
        format!("{:?}", wanted.description),
    );
    out
}

pub fn update_app(wanted: &AppEntry) -> Vec<Command> {
    vec![Command::EditApp {
        app: wanted.key.clone(),
        name: Some(wanted.name.clone()),
        description: Some(wanted.description.clone()),
    }]
}

pub fn delete_app(key: &str) -> Vec<Command> {
    vec![Command::DeleteApp {
        app: key.to_string(),
    }]
}

pub fn add_stage(name: &str, after: Option<&str>) -> Vec<Command> {
    vec![Command::AddStage {
        name: name.to_string(),
        after: after.map(str::to_string),
    }]
}

pub fn delete_stage(name: &str) -> Vec<Command> {
    vec![Command::DeleteStage {
        name: name.to_string(),
    }]
}

pub fn setting(key: &str, value: &str) -> Vec<Command> {
    vec![Command::SetSetting {
        key: key.to_string(),
        value: value.to_string(),
    }]
}

pub fn tenant(name: &str) -> Vec<Command> {
    vec![Command::AddTenant {
        name: name.to_string(),
    }]
}
