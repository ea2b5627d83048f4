//! Errors of the use cases, and the exit code each maps to (the README's exit codes: 2 bad
//! usage or input, 3 conflict or refused by a rule, 4 store unavailable). Every refusal names
//! its [`Rule`], so a script can tell which rule stopped it and a person reads why.

use crate::model::validate::InvalidField;
use crate::store::StoreError;

/// The rules (the README's table) a write can be refused by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    BuiltinRoleReadOnly,
    ReservedRoleName,
    RoleNeedsPermission,
    EndUserRoleScope,
    GroupStageFixed,
    GroupMembersAreEndUsers,
    GroupRolesAreEndUserRoles,
    UniqueUsername,
    UniqueEmail,
    UniqueExternalId,
    UniqueName,
    LastAdministrator,
    OperatorSelf,
    NoCycles,
    CatalogReadOnly,
    AppPermissionScope,
    InUse,
    StatusTransition,
    PeerOperator,
    OperatorPermission,
    GrantHeldOnly,
    NoSelfEscalation,
    PasswordPolicy,
    MemberSignIn,
    MustChangePassword,
    Credentials,
}

impl Rule {
    /// The stable identifier printed in refusals and documented in README.
    pub fn id(self) -> &'static str {
        match self {
            Rule::BuiltinRoleReadOnly => "builtin-role-read-only",
            Rule::ReservedRoleName => "reserved-role-name",
            Rule::RoleNeedsPermission => "role-needs-permission",
            Rule::EndUserRoleScope => "end-user-role-scope",
            Rule::GroupStageFixed => "group-stage-fixed",
            Rule::GroupMembersAreEndUsers => "group-members-end-users",
            Rule::GroupRolesAreEndUserRoles => "group-roles-end-user",
            Rule::UniqueUsername => "unique-username",
            Rule::UniqueEmail => "unique-email",
            Rule::UniqueExternalId => "unique-external-id",
            Rule::UniqueName => "unique-name",
            Rule::LastAdministrator => "last-administrator",
            Rule::OperatorSelf => "operator-self",
            Rule::NoCycles => "no-cycles",
            Rule::CatalogReadOnly => "catalog-read-only",
            Rule::AppPermissionScope => "app-permission-scope",
            Rule::InUse => "in-use",
            Rule::StatusTransition => "status-transition",
            Rule::PeerOperator => "peer-operator",
            Rule::OperatorPermission => "operator-permission",
            Rule::GrantHeldOnly => "grant-held-only",
            Rule::NoSelfEscalation => "no-self-escalation",
            Rule::PasswordPolicy => "password-policy",
            Rule::MemberSignIn => "member-sign-in",
            Rule::MustChangePassword => "must-change-password",
            Rule::Credentials => "credentials",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input of the wrong shape. (Not a `#[from]` source: the message already says it all.)
    #[error("invalid {0}")]
    Invalid(InvalidField),

    /// A request that cannot be carried out as asked (bad combination of options, etc.).
    #[error("{0}")]
    Usage(String),

    /// A name that matches nothing.
    #[error("{0}")]
    NotFound(String),

    /// A name that matches several things.
    #[error("{0}")]
    Ambiguous(String),

    /// A rule refused the change; nothing was written.
    #[error("refused by rule {}: {message}", .rule.id())]
    Refused { rule: Rule, message: String },

    /// A sign-in was refused. One message whatever the reason (unknown user, wrong password,
    /// locked, inactive), so nothing is learnt from it.
    #[error("sign-in refused: wrong username or password, or the account is locked or inactive")]
    SignInRefused,

    /// Someone else changed the data since it was read.
    #[error("conflict: {0}")]
    Conflict(String),

    #[error(transparent)]
    Store(#[from] StoreError),

    /// Output (an export, a report) could not be written.
    #[error("could not write the output: {0}")]
    Write(#[source] std::io::Error),
}

/// Only writing output fails this way (reading a file is a usage error naming it).
impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Write(e)
    }
}

impl From<InvalidField> for Error {
    fn from(field: InvalidField) -> Self {
        Error::Invalid(field)
    }
}

impl Error {
    pub fn refused(rule: Rule, message: impl Into<String>) -> Error {
        Error::Refused {
            rule,
            message: message.into(),
        }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) | Error::Usage(_) | Error::NotFound(_) | Error::Ambiguous(_) => 2,
            Error::Refused { .. } | Error::Conflict(_) | Error::SignInRefused => 3,
            Error::Store(e) => store_exit_code(e),
            Error::Write(_) => 4,
        }
    }

    /// The rule that refused, if a rule did.
    pub fn rule(&self) -> Option<Rule> {
        match self {
            Error::Refused { rule, .. } => Some(*rule),
            _ => None,
        }
    }
}

/// Exit codes of store errors: conflicts and read-only refusals are 3, the rest 4.
pub fn store_exit_code(e: &StoreError) -> i32 {
    match e {
        StoreError::Conflict(_) | StoreError::ReadOnly | StoreError::AlreadyExists { .. } => 3,
        _ => 4,
    }
}
