//! The forms the console opens, field by field: what each asks for, and what it is for.

use super::{Field, Form, KINDS};
use crate::model::Vocabulary;
use crate::service::query::{GroupView, PermissionView, RoleView, UserView};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormKind {
    FirstRun,
    SignIn,
    NewUser,
    EditUser {
        username: String,
        version: i64,
    },
    NewGroup,
    EditGroup {
        name: String,
        stage: String,
        version: i64,
    },
    NewRole,
    EditRole {
        key: String,
        version: i64,
    },
    CopyRole {
        source: String,
    },
    TemporaryPassword {
        username: String,
    },
    /// The operator's own new password (the current one asked for when they signed in
    /// without it).
    OwnPassword {
        username: String,
    },
    NewApp,
    EditApp {
        key: String,
    },
    NewPermission,
    EditPermission {
        key: String,
    },
    /// One policy setting.
    Setting {
        key: String,
    },
    /// A new token for an API client.
    NewToken {
        client: String,
    },
}

impl Form {
    pub fn first_run(admin: &str) -> Form {
        Form::new(
            FormKind::FirstRun,
            "Create a warden store",
            vec![
                Field::text("username", "administrator", admin),
                Field::secret("password", "password"),
                Field::secret("again", "again"),
            ],
        )
    }

    pub fn sign_in() -> Form {
        Form::new(
            FormKind::SignIn,
            "Sign in",
            vec![
                Field::text("username", "operator", ""),
                Field::secret("password", "password"),
            ],
        )
    }

    pub fn new_user() -> Form {
        Form::new(
            FormKind::NewUser,
            "Invite a user",
            vec![
                Field::text("username", "username", ""),
                Field::text("email", "email", ""),
                Field::text("display name", "display name", ""),
                Field::choice("kind", "kind", KINDS, "end_user"),
                Field::text("external id", "external id", ""),
                Field::choice("status", "status", &["invited", "active"], "invited"),
            ],
        )
    }

    pub fn edit_user(user: &UserView) -> Form {
        Form::new(
            FormKind::EditUser {
                username: user.username.clone(),
                version: user.version,
            },
            format!("Edit user {}", user.username),
            vec![
                Field::text("username", "username", &user.username),
                Field::text("email", "email", user.email.as_deref().unwrap_or("")),
                Field::text("display name", "display name", &user.display_name),
                Field::choice("kind", "kind", KINDS, user.kind.as_str()),
                Field::text(
                    "external id",
                    "external id",
                    user.external_id.as_ref().map_or("", |e| e.0.as_str()),
                ),
            ],
        )
    }

    pub fn new_group(stages: &[String]) -> Form {
        let options: Vec<&str> = stages.iter().map(String::as_str).collect();
        let first = options.first().copied().unwrap_or("");
        Form::new(
            FormKind::NewGroup,
            "Create a group",
            vec![
                Field::text("group name", "name", ""),
                Field::choice("stage", "stage (fixed once saved)", &options, first),
                Field::text("description", "description", ""),
            ],
        )
    }

    pub fn edit_group(group: &GroupView) -> Form {
        Form::new(
            FormKind::EditGroup {
                name: group.name.clone(),
                stage: group.stage.clone(),
                version: group.version,
            },
            format!("Edit group {} ({})", group.name, group.stage),
            vec![
                Field::text("group name", "name", &group.name),
                Field::text("stage", "stage", &group.stage)
                    .locked("a group's stage is chosen at creation and never changes"),
                Field::text("description", "description", &group.description),
            ],
        )
    }

    /// A new role; its grants are picked next, from the permissions it may be granted.
    pub fn new_role(apps: &[String]) -> Form {
        let mut options = vec!["-"];
        options.extend(apps.iter().map(String::as_str));
        Form::new(
            FormKind::NewRole,
            "Create a role (its permissions are picked next)",
            vec![
                Field::text("role key", "key", ""),
                Field::text("role name", "name", ""),
                Field::choice(
                    "kind",
                    "kind",
                    &["organization", "end_user"],
                    "organization",
                ),
                Field::choice("app", "app (end-user roles)", &options, "-"),
                Field::text("description", "description", ""),
            ],
        )
    }

    pub fn edit_role(role: &RoleView) -> Form {
        Form::new(
            FormKind::EditRole {
                key: role.key.clone(),
                version: role.version,
            },
            format!("Edit role {}", role.key),
            vec![
                Field::text("role key", "key", &role.key).locked("a role's key never changes"),
                Field::text("role name", "name", &role.name),
                Field::text("description", "description", &role.description),
            ],
        )
    }

    pub fn copy_role(role: &RoleView) -> Form {
        Form::new(
            FormKind::CopyRole {
                source: role.key.clone(),
            },
            format!("Copy role {}", role.key),
            vec![
                Field::text("role key", "key of the copy", &format!("{}-copy", role.key)),
                Field::text(
                    "role name",
                    "name of the copy",
                    &format!("{}-copy", role.name),
                ),
            ],
        )
    }

    pub fn temporary_password(username: &str) -> Form {
        Form::new(
            FormKind::TemporaryPassword {
                username: username.to_string(),
            },
            format!("Temporary password for {username}"),
            vec![
                Field::secret("password", "password"),
                Field::secret("again", "again"),
            ],
        )
    }

    pub fn own_password(username: &str, needs_current: bool) -> Form {
        let mut fields = Vec::new();
        if needs_current {
            fields.push(Field::secret("current", "current password"));
        }
        fields.push(Field::secret("password", "new password"));
        fields.push(Field::secret("again", "again"));
        Form::new(
            FormKind::OwnPassword {
                username: username.to_string(),
            },
            format!("Change your password ({username})"),
            fields,
        )
    }

    pub fn new_app() -> Form {
        Form::new(
            FormKind::NewApp,
            "Register an app",
            vec![
                Field::text("app key", "key", ""),
                Field::text("app name", "name", ""),
                Field::text("description", "description", ""),
            ],
        )
    }

    pub fn edit_app(key: &str, name: &str, description: &str) -> Form {
        Form::new(
            FormKind::EditApp {
                key: key.to_string(),
            },
            format!("Edit app {key}"),
            vec![
                Field::text("app key", "key", key).locked("an app's key never changes"),
                Field::text("app name", "name", name),
                Field::text("description", "description", description),
            ],
        )
    }

    /// A new app permission; `app` is offered first (the key starts with the app's key).
    pub fn new_permission(apps: &[String], app: Option<&str>) -> Form {
        let options: Vec<&str> = apps.iter().map(String::as_str).collect();
        let app = app.or(options.first().copied()).unwrap_or("");
        Form::new(
            FormKind::NewPermission,
            "Define an app permission",
            vec![
                Field::choice("app", "app", &options, app),
                Field::text("permission key", "key (app.…)", &format!("{app}.")),
                Field::text("permission name", "name", ""),
                Field::text("section", "section (default: the app's name)", ""),
                Field::text("description", "description", ""),
            ],
        )
    }

    pub fn edit_permission(permission: &PermissionView) -> Form {
        Form::new(
            FormKind::EditPermission {
                key: permission.key.clone(),
            },
            format!("Edit permission {}", permission.key),
            vec![
                Field::text("permission key", "key", &permission.key)
                    .locked("a permission's key never changes"),
                Field::text("permission name", "name", &permission.name),
                Field::text("section", "section", &permission.section),
                Field::text("description", "description", &permission.description),
            ],
        )
    }

    /// One policy setting, with what it means and its default.
    pub fn setting(key: &str, value: &str, default: &str) -> Form {
        Form::new(
            FormKind::Setting {
                key: key.to_string(),
            },
            format!("{key} (default {default})"),
            vec![Field::text("value", "value", value)],
        )
    }

    pub fn new_token(client: &str) -> Form {
        Form::new(
            FormKind::NewToken {
                client: client.to_string(),
            },
            format!("New API token for {client} (shown once)"),
            vec![Field::text("token name", "what it is for", "")],
        )
    }
}
