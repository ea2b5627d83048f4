//! Typed row identifiers. Each entity has its own id type so a user id can never be passed where
//! a role id is expected, and the external (master-record) id is a string type of its own that no
//! id-taking function accepts (the USER / USER_MASTER confusion of the seeds).

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// A tenant row.
    TenantId
);
id_type!(
    /// A stage row (Development, QA, Production, ...).
    StageId
);
id_type!(
    /// An application row.
    AppId
);
id_type!(
    /// A user row (not the external master-record id).
    UserId
);
id_type!(
    /// A group row.
    GroupId
);
id_type!(
    /// A role row.
    RoleId
);
id_type!(
    /// A permission row.
    PermissionId
);
id_type!(
    /// An audit record.
    AuditId
);

/// A link to a master record kept elsewhere (the seeds' USER_MASTER id). Deliberately not an
/// integer id: it is never accepted where a [`UserId`] is expected.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct ExternalId(pub String);

impl fmt::Display for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
