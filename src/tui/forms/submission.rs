//! What a completed form asks the store for.

use super::{Form, FormKind};
use crate::model::{RoleKind, UserKind, UserStatus, Vocabulary};
use crate::service::{Command, GroupRef, NewRole, NewUser, ScopeRef, UserEdit};

/// What a completed form asks for.
#[derive(Debug)]
pub enum Submission {
    Commands(Vec<Command>),
    CreateStore {
        admin: String,
        password: String,
    },
    SignIn {
        username: String,
        password: String,
    },
    SetPassword {
        username: String,
        password: String,
        temporary: bool,
    },
    /// The role is created once its grants are picked.
    PickGrants(NewRole),
    ChangeOwnPassword {
        current: Option<String>,
        password: String,
    },
    CreateToken {
        client: String,
        name: String,
    },
}

impl Form {
    pub fn submission(&self) -> Result<Submission, String> {
        let v = |name: &str| self.value(name).trim().to_string();
        let optional = |name: &str| Some(v(name)).filter(|s| !s.is_empty());
        if let Some(bad) = self.fields.iter().find(|f| f.error.is_some()) {
            // The field shows its own message; the form only points at it.
            return Err(format!(
                "fix {} first (its problem is shown under it)",
                bad.label
            ));
        }
        Ok(match &self.kind {
            FormKind::FirstRun => {
                if v("username").is_empty() {
                    return Err("name the first administrator".into());
                }
                self.passwords_ready()?;
                Submission::CreateStore {
                    admin: v("username"),
                    password: self.value("password").to_string(),
                }
            }
            FormKind::SignIn => Submission::SignIn {
                username: v("username"),
                password: self.value("password").to_string(),
            },
            FormKind::TemporaryPassword { username } => {
                self.passwords_ready()?;
                Submission::SetPassword {
                    username: username.clone(),
                    password: self.value("password").to_string(),
                    temporary: true,
                }
            }
            FormKind::NewUser => Submission::Commands(vec![Command::AddUser(NewUser {
                username: v("username"),
                email: optional("email"),
                display_name: v("display name"),
                kind: UserKind::parse(&v("kind")).unwrap_or(UserKind::EndUser),
                external_id: optional("external id"),
                status: if v("status") == "active" {
                    UserStatus::Active
                } else {
                    UserStatus::Invited
                },
            })]),
            FormKind::EditUser { username, version } => {
                Submission::Commands(vec![Command::EditUser {
                    user: username.clone(),
                    edit: UserEdit {
                        username: Some(v("username")),
                        email: Some(optional("email")),
                        display_name: Some(v("display name")),
                        kind: UserKind::parse(&v("kind")).ok(),
                        external_id: Some(optional("external id")),
                    },
                    expected_version: Some(*version),
                }])
            }
            FormKind::NewGroup => Submission::Commands(vec![Command::AddGroup {
                name: v("group name"),
                stage: v("stage"),
                description: v("description"),
            }]),
            FormKind::EditGroup {
                name,
                stage,
                version,
            } => Submission::Commands(vec![Command::EditGroup {
                group: GroupRef {
                    name: name.clone(),
                    stage: Some(stage.clone()),
                },
                name: Some(v("group name")),
                description: Some(v("description")),
                expected_version: Some(*version),
            }]),
            FormKind::NewRole => {
                let kind = RoleKind::parse(&v("kind")).unwrap_or(RoleKind::Organization);
                if v("role key").is_empty() {
                    return Err("give the role a key".into());
                }
                Submission::PickGrants(NewRole {
                    key: v("role key"),
                    name: v("role name"),
                    description: v("description"),
                    kind,
                    app: optional("app").filter(|a| a != "-"),
                    grants: Vec::new(),
                    grant_scope: ScopeRef::default(),
                    includes: Vec::new(),
                })
            }
            FormKind::OwnPassword { .. } => {
                self.passwords_ready()?;
                Submission::ChangeOwnPassword {
                    current: self
                        .fields
                        .iter()
                        .any(|f| f.name == "current")
                        .then(|| self.value("current").to_string()),
                    password: self.value("password").to_string(),
                }
            }
            FormKind::NewApp => Submission::Commands(vec![Command::AddApp {
                key: v("app key"),
                name: v("app name"),
                description: v("description"),
            }]),
            FormKind::EditApp { key } => Submission::Commands(vec![Command::EditApp {
                app: key.clone(),
                name: Some(v("app name")),
                description: Some(v("description")),
            }]),
            FormKind::NewPermission => {
                if v("app").is_empty() {
                    return Err(
                        "register an app first (tab 6, n): permissions belong to apps".into(),
                    );
                }
                Submission::Commands(vec![Command::AddPermission {
                    key: v("permission key"),
                    name: v("permission name"),
                    app: v("app"),
                    section: optional("section"),
                    description: v("description"),
                }])
            }
            FormKind::EditPermission { key } => {
                Submission::Commands(vec![Command::EditPermission {
                    permission: key.clone(),
                    name: Some(v("permission name")),
                    section: optional("section"),
                    description: Some(v("description")),
                }])
            }
            FormKind::Setting { key } => Submission::Commands(vec![Command::SetSetting {
                key: key.clone(),
                value: v("value"),
            }]),
            FormKind::NewToken { client } => {
                if v("token name").is_empty() {
                    return Err("say what the token is for".into());
                }
                Submission::CreateToken {
                    client: client.clone(),
                    name: v("token name"),
                }
            }
            FormKind::EditRole { key, version } => Submission::Commands(vec![Command::EditRole {
                role: key.clone(),
                name: Some(v("role name")),
                description: Some(v("description")),
                expected_version: Some(*version),
            }]),
            FormKind::CopyRole { source } => Submission::Commands(vec![Command::CopyRole {
                role: source.clone(),
                key: optional("role key"),
                name: optional("role name"),
            }]),
        })
    }
}
