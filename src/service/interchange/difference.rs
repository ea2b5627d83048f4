//! One difference between what a source says and what a store holds: what it is about, the
//! fields that differ, and the commands that would make the store match — with the phase that
//! orders it among the others (things are created before they are referred to, edges removed
//! before others are added, deletions last). Also the natural keys entries are matched by.

use serde::Serialize;

use super::apply::{Effect, Item, Origin};
use super::build;
use super::document::{AssignmentEntry, GrantEntry, Part};
use crate::model::validate::fold;
use crate::service::Command;

/// One way in which the target differs from the source.
#[derive(Clone, Debug, Serialize)]
pub struct Difference {
    pub part: &'static str,
    pub effect: Effect,
    /// `user alice`, `member bob of group ops (QA)`.
    pub subject: String,
    /// What differs, field by field (`email "a@x" → "b@y"`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
    /// How the user was matched when it was not by username.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<&'static str>,
    #[serde(flatten)]
    pub origin: Origin,
    #[serde(skip)]
    pub tenant: String,
    #[serde(skip)]
    pub commands: Vec<Command>,
    /// When it runs among the others: things are created before they are referred to,
    /// edges removed before others are added (no transient cycle), deletions last.
    #[serde(skip)]
    pub phase: u8,
}

impl Difference {
    /// The item that applies this difference; `free_text` says where its text comes from.
    pub fn into_item(self, free_text: crate::service::plan::FreeText) -> Item {
        Item {
            origin: self.origin,
            subject: self.subject,
            effect: self.effect,
            tenant: self.tenant,
            commands: self.commands,
            free_text,
        }
    }

    /// `+ user alice`, `~ user bob: email ...`, `- member carol of group ops (QA)`.
    pub fn line(&self) -> String {
        let sign = match self.effect {
            Effect::Create => "+",
            Effect::Update => "~",
            Effect::Remove => "-",
        };
        let mut line = format!("{sign} {}", self.subject);
        if !self.details.is_empty() {
            line.push_str(": ");
            line.push_str(&self.details.join(", "));
        }
        if let Some(rule) = self.matched_by {
            line.push_str(&format!(" (matched by {rule})"));
        }
        line
    }
}

pub(super) mod phase {
    pub const TENANT: u8 = 0;
    pub const STAGE: u8 = 1;
    pub const APP: u8 = 2;
    pub const PERMISSION: u8 = 3;
    pub const ROLE: u8 = 4;
    pub const USER: u8 = 5;
    pub const GROUP: u8 = 6;
    pub const EDGE_REMOVED: u8 = 10;
    pub const EDGE_ADDED: u8 = 11;
    pub const POLICY: u8 = 12;
    pub const DELETE_USER: u8 = 20;
    pub const DELETE_GROUP: u8 = 21;
    pub const DELETE_ROLE: u8 = 22;
    pub const DELETE_PERMISSION: u8 = 23;
    pub const DELETE_APP: u8 = 24;
    pub const DELETE_STAGE: u8 = 25;
}

pub(super) type UserKey = (String, String);
pub(super) type GroupKey = (String, String, String);

pub(super) fn user_key(tenant: &str, username: &str) -> UserKey {
    (tenant.to_string(), fold(username))
}

pub(super) fn group_key(tenant: &str, name: &str, stage: &str) -> GroupKey {
    (tenant.to_string(), fold(name), fold(stage))
}

pub(super) fn group_label(name: &str, stage: &str) -> String {
    format!("group {name} ({stage})")
}

pub(super) fn scope_label(stage: &Option<String>, app: &Option<String>) -> String {
    match (stage, app) {
        (None, None) => "organization".to_string(),
        (Some(s), None) => format!("stage {s}"),
        (None, Some(a)) => format!("app {a}"),
        (Some(s), Some(a)) => format!("stage {s}, app {a}"),
    }
}

pub(super) fn difference(
    part: Part,
    effect: Effect,
    subject: String,
    tenant: &str,
    commands: Vec<Command>,
    phase: u8,
) -> Difference {
    Difference {
        part: part.as_str(),
        effect,
        subject,
        details: Vec::new(),
        matched_by: None,
        origin: Origin::entry(None),
        tenant: tenant.to_string(),
        commands,
        phase,
    }
}

/// An edge to add to the store (`add`), or to take away: its subject is worded the same both
/// ways, so a diff reads the same in either direction.
fn edge(
    part: Part,
    add: bool,
    subject: String,
    tenant: &str,
    commands: Vec<Command>,
) -> Difference {
    let (effect, phase) = if add {
        (Effect::Create, phase::EDGE_ADDED)
    } else {
        (Effect::Remove, phase::EDGE_REMOVED)
    };
    difference(part, effect, subject, tenant, commands, phase)
}

pub(super) fn implication_edge(permission: &str, other: &str, add: bool) -> Difference {
    edge(
        Part::Permissions,
        add,
        format!("permission {permission} implies {other}"),
        "default",
        build::implication(permission, other, add),
    )
}

pub(super) fn grant_edge(role: &str, grant: &GrantEntry, add: bool) -> Difference {
    edge(
        Part::Roles,
        add,
        format!(
            "role {role} grants {} at {}",
            grant.permission,
            scope_label(&grant.stage, &grant.app)
        ),
        "default",
        build::grant(role, grant, add),
    )
}

pub(super) fn include_edge(role: &str, other: &str, add: bool) -> Difference {
    edge(
        Part::Roles,
        add,
        format!("role {role} includes {other}"),
        "default",
        build::include(role, other, add),
    )
}

pub(super) fn member_edge(
    tenant: &str,
    group: &str,
    stage: &str,
    username: &str,
    add: bool,
) -> Difference {
    edge(
        Part::Groups,
        add,
        format!("member {username} of {}", group_label(group, stage)),
        tenant,
        build::member(group, stage, username, add),
    )
}

pub(super) fn group_role_edge(
    tenant: &str,
    group: &str,
    stage: &str,
    role: &str,
    add: bool,
) -> Difference {
    edge(
        Part::Groups,
        add,
        format!("{} has role {role}", group_label(group, stage)),
        tenant,
        build::group_role(group, stage, role, add),
    )
}

pub(super) fn assignment_edge(a: &AssignmentEntry, add: bool) -> Difference {
    edge(
        Part::Assignments,
        add,
        format!(
            "assignment of {} to {} at {}",
            a.role,
            a.username,
            scope_label(&a.stage, &a.app)
        ),
        &a.tenant,
        build::assignment(a, add),
    )
}
