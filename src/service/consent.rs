//! How much agreement a change needs before it is applied, from what it does to access. A
//! change that alters nobody's effective permissions needs none. One that alters someone's is
//! previewed and confirmed. One that alters the access of more than 50 users, or gives anyone
//! a permission of the User management section, is confirmed by typing the number of users
//! whose access changes: a number one has to read off the preview to know. The console's
//! confirmations and the command line's prompt both ask what this says.

use serde::Serialize;

use crate::access::{Engine, Preview};

/// More users than this whose access changes ask for the count to be typed.
pub const TYPE_THE_COUNT_ABOVE: usize = 50;

/// The catalog section whose permissions, gained by anyone, ask for the count to be typed.
pub const SENSITIVE_SECTION: &str = "User management";

/// The agreement a change needs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "needs", rename_all = "snake_case")]
pub enum Consent {
    /// Nobody's access changes: the change may apply at once.
    #[default]
    Nothing,
    /// Someone's access changes: show what, and ask.
    Confirm,
    /// Typing `users`, the number of users whose access changes.
    TypedCount { users: usize, reason: Reason },
}

/// Why the count must be typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// More than [`TYPE_THE_COUNT_ABOVE`] users' access changes.
    ManyUsers,
    /// `users` users gain `permission`, of the User management section.
    SensitiveGain { permission: String, users: usize },
}

impl Consent {
    /// The agreement that `preview` needs; `after` is the engine as the change leaves it (a
    /// permission the change creates is known only there).
    pub fn of(after: &Engine, preview: &Preview) -> Consent {
        let changed = preview.users.len();
        if changed == 0 {
            return Consent::Nothing;
        }
        // The sensitive permission gained by the most users names the reason.
        let sensitive = preview
            .totals()
            .into_iter()
            .filter(|(p, (gain, _))| {
                *gain > 0 && after.permission_section(*p) == Some(SENSITIVE_SECTION)
            })
            .map(|(p, (gain, _))| (gain, after.permission_key(p).unwrap_or("?").to_string()))
            .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)));
        match sensitive {
            Some((users, permission)) => Consent::TypedCount {
                users: changed,
                reason: Reason::SensitiveGain { permission, users },
            },
            None if changed > TYPE_THE_COUNT_ABOVE => Consent::TypedCount {
                users: changed,
                reason: Reason::ManyUsers,
            },
            None => Consent::Confirm,
        }
    }

    /// The count to type, when one is asked for.
    pub fn typed_count(&self) -> Option<usize> {
        match self {
            Consent::TypedCount { users, .. } => Some(*users),
            _ => None,
        }
    }

    /// Whether someone gains a User management permission.
    pub fn sensitive(&self) -> bool {
        matches!(
            self,
            Consent::TypedCount {
                reason: Reason::SensitiveGain { .. },
                ..
            }
        )
    }

    /// Why the count is asked for: `2 users gain users.delete (User management)`.
    pub fn reason(&self) -> Option<String> {
        match self {
            Consent::TypedCount {
                reason: Reason::SensitiveGain { permission, users },
                ..
            } => Some(format!(
                "{users} user{} gain{} {permission} ({SENSITIVE_SECTION})",
                if *users == 1 { "" } else { "s" },
                if *users == 1 { "s" } else { "" },
            )),
            Consent::TypedCount {
                reason: Reason::ManyUsers,
                ..
            } => Some(format!(
                "more than {TYPE_THE_COUNT_ABOVE} users' access changes"
            )),
            _ => None,
        }
    }

    /// Whether `typed` gives the agreement (always, unless a count is asked for).
    pub fn given_by(&self, typed: &str) -> bool {
        self.typed_count()
            .is_none_or(|n| typed.trim() == n.to_string())
    }
}
