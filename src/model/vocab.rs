//! The small closed vocabularies of the domain (user kind and status, role kind), each with the
//! one spelling used in the store, the CLI and JSON.

use std::fmt;
use std::str::FromStr;

/// A closed set of named values with one canonical spelling each.
pub trait Vocabulary: Copy + Sized + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// What the vocabulary is called in messages ("user kind").
    const WHAT: &'static str;
    fn as_str(self) -> &'static str;

    fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                let known: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                format!(
                    "unknown {} {:?}; expected one of: {}",
                    Self::WHAT,
                    text,
                    known.join(", ")
                )
            })
    }
}

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $what:literal, { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl Vocabulary for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            const WHAT: &'static str = $what;
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                <Self as Vocabulary>::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // `pad` honours width and alignment (`{:<14}`) in tables.
                f.pad(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                <$name as Vocabulary>::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

vocabulary!(
    /// What a user is: an IT member of the console/platform, a user of apps, or a program.
    UserKind, "user kind", {
        /// An IT user who administers or builds (may be an operator).
        Member => "member",
        /// A user of the apps.
        EndUser => "end_user",
        /// A non-human client.
        ApiClient => "api_client",
    }
);

vocabulary!(
    /// Lifecycle status. Locked is derived from the lockout state, not a status.
    UserStatus, "user status", {
        Invited => "invited",
        Active => "active",
        Deactivated => "deactivated",
    }
);

vocabulary!(
    /// Organization roles hold platform permissions; end-user roles belong to one app.
    RoleKind, "role kind", {
        Organization => "organization",
        EndUser => "end_user",
    }
);

vocabulary!(
    /// How a sign-in attempt ended (the lockout timeline).
    SignInOutcome, "sign-in outcome", {
        Ok => "ok",
        WrongPassword => "wrong_password",
        /// Refused without checking the password: the account was locked.
        Locked => "locked",
        /// Refused: the user is invited or deactivated, or has no password.
        Inactive => "inactive",
        /// Refused: the stored hash was malformed or beyond the ceiling.
        BadHash => "bad_hash",
    }
);

vocabulary!(
    /// Where a sign-in attempt came from.
    SignInVia, "sign-in channel", {
        /// `warden verify`, for applications authenticating a user.
        Verify => "verify",
        /// An operator signing in to make a change (`--operator`).
        Operator => "operator",
        /// The console's sign-in screen.
        Console => "console",
        /// `warden passwd`, checking the current password.
        Passwd => "passwd",
    }
);
