//! Credential policy, pure and testable without a store: the password rules (each a value that
//! passes or fails with a reason), argon2id hashing with a parameter ceiling, the lockout state
//! machine (clock passed in), and the per-store settings that configure all three.

pub mod hash;
pub mod lockout;
pub mod password;
pub mod settings;

pub use hash::{HashError, HashParams, Secret};
pub use settings::{LockoutPolicy, PasswordPolicy, Policy};
