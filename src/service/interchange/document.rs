//! The interchange document: a store (or one tenant of it) by natural keys only — usernames
//! and tenants, group names with tenant and stage, role keys, permission and app keys, stage
//! names — never internal ids, so two environments can be compared and one loaded into the
//! other. Every list is in one fixed order, so two exports of the same data are the same bytes
//! and diff cleanly in git.
//!
//! Each part is optional: an export `--only users,groups` carries just those, and an import
//! touches only the parts its file carries.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{RoleKind, UserKind, UserStatus};

/// What the `format` field of every export says.
pub const FORMAT: &str = "warden-export";
/// The document version this build writes and reads.
pub const VERSION: u32 = 1;

/// The parts of a document, in the order they are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    Stages,
    Apps,
    Permissions,
    Roles,
    Users,
    Groups,
    Assignments,
    Policy,
}

impl Part {
    pub const ALL: [Part; 8] = [
        Part::Stages,
        Part::Apps,
        Part::Permissions,
        Part::Roles,
        Part::Users,
        Part::Groups,
        Part::Assignments,
        Part::Policy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Part::Stages => "stages",
            Part::Apps => "apps",
            Part::Permissions => "permissions",
            Part::Roles => "roles",
            Part::Users => "users",
            Part::Groups => "groups",
            Part::Assignments => "assignments",
            Part::Policy => "policy",
        }
    }

    pub fn parse(text: &str) -> Result<Part, String> {
        Part::ALL
            .iter()
            .copied()
            .find(|p| p.as_str() == text.trim())
            .ok_or_else(|| {
                format!(
                    "unknown part {text:?}; the parts are {}",
                    Part::ALL.map(Part::as_str).join(", ")
                )
            })
    }
}

/// A set of parts (`--only`); every part when none is named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parts(Vec<Part>);

impl Parts {
    pub fn all() -> Parts {
        Parts(Part::ALL.to_vec())
    }

    /// `users,groups` as given to `--only`.
    pub fn parse(list: &str) -> Result<Parts, String> {
        let mut parts = Vec::new();
        for name in list.split(',').filter(|n| !n.trim().is_empty()) {
            let part = Part::parse(name)?;
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
        if parts.is_empty() {
            return Err("--only names no part".into());
        }
        parts.sort();
        Ok(Parts(parts))
    }

    pub fn has(&self, part: Part) -> bool {
        self.0.contains(&part)
    }

    pub fn iter(&self) -> impl Iterator<Item = Part> + '_ {
        self.0.iter().copied()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppEntry {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionEntry {
    pub key: String,
    pub name: String,
    pub section: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub builtin: bool,
    /// Keys of the permissions this one implies, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub implies: Vec<String>,
}

/// A grant of a role: a permission at a scope (absent stage or app: any).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GrantEntry {
    pub permission: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleEntry {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub kind: RoleKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub builtin: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<GrantEntry>,
    /// Keys of the roles this one includes, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserEntry {
    pub tenant: String,
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default)]
    pub display_name: String,
    pub kind: UserKind,
    pub status: UserStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Only in an export `--with-secrets`: the argon2id PHC string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    /// Only with `password_hash`: whether it is temporary (must be changed at next sign-in).
    #[serde(default, skip_serializing_if = "is_false")]
    pub must_change_password: bool,
    /// Only in an export `--with-secrets`: an API client's tokens in force, by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<TokenEntry>,
}

/// An API token as stored: its id, name and the digest of its secret (the secret itself is
/// never stored anywhere).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TokenEntry {
    pub id: String,
    pub name: String,
    pub secret_digest: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupEntry {
    pub tenant: String,
    pub name: String,
    pub stage: String,
    #[serde(default)]
    pub description: String,
    /// Keys of the group's roles, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Usernames of the members, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AssignmentEntry {
    pub tenant: String,
    pub username: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
}

/// A whole document in memory (imports, diffs). Exports are streamed, in the same shape.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub format: String,
    pub version: u32,
    /// The tenants the users and groups belong to.
    #[serde(default)]
    pub tenants: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apps: Option<Vec<AppEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<PermissionEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<RoleEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<UserEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<GroupEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignments: Option<Vec<AssignmentEntry>>,
    /// Every policy setting with its value in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<BTreeMap<String, String>>,
}

impl Document {
    pub fn empty() -> Document {
        Document {
            format: FORMAT.to_string(),
            version: VERSION,
            ..Document::default()
        }
    }

    /// The parts this document carries.
    pub fn parts(&self) -> Vec<Part> {
        Part::ALL
            .into_iter()
            .filter(|p| match p {
                Part::Stages => self.stages.is_some(),
                Part::Apps => self.apps.is_some(),
                Part::Permissions => self.permissions.is_some(),
                Part::Roles => self.roles.is_some(),
                Part::Users => self.users.is_some(),
                Part::Groups => self.groups.is_some(),
                Part::Assignments => self.assignments.is_some(),
                Part::Policy => self.policy.is_some(),
            })
            .collect()
    }

    /// Drops the parts not in `keep`.
    pub fn retain(&mut self, keep: &Parts) {
        if !keep.has(Part::Stages) {
            self.stages = None;
        }
        if !keep.has(Part::Apps) {
            self.apps = None;
        }
        if !keep.has(Part::Permissions) {
            self.permissions = None;
        }
        if !keep.has(Part::Roles) {
            self.roles = None;
        }
        if !keep.has(Part::Users) {
            self.users = None;
        }
        if !keep.has(Part::Groups) {
            self.groups = None;
        }
        if !keep.has(Part::Assignments) {
            self.assignments = None;
        }
        if !keep.has(Part::Policy) {
            self.policy = None;
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}
