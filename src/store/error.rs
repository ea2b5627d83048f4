//! What can go wrong below the service, in terms a caller can act on. Each driver maps its own
//! errors into these once (`sqlite.rs`, `postgres.rs`), so no other module matches on a
//! driver's error codes. A store is named by its location's description (a path, or a URL
//! without its password), the same for every backend.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no store at {location} — create one with `warden init`")]
    Missing { location: String },

    #[error(
        "a store already exists at {location} — nothing was changed; pick another one with --store"
    )]
    AlreadyExists { location: String },

    #[error("{location} is not a warden store ({reason}); nothing was changed")]
    NotAStore { location: String, reason: String },

    #[error(
        "{location} was written by a newer warden (schema version {found}; this warden knows up to {known}) — upgrade warden; the store was not changed"
    )]
    TooNew {
        location: String,
        found: i64,
        known: i64,
    },

    #[error(
        "the store is locked by another writer (waited {waited_ms} ms) — try again when it has finished"
    )]
    Locked { waited_ms: u64 },

    #[error("the store is open read-only; run without --read-only to change it")]
    ReadOnly,

    #[error("the store is unavailable: {0}")]
    Unavailable(String),

    #[error("the store is damaged: {0}")]
    Corrupt(String),

    /// A uniqueness or version conflict detected by the database itself.
    #[error("conflict: {0}")]
    Conflict(String),

    /// A failure the store could not classify (a bug, or a store edited behind warden's back).
    #[error("store error: {0}")]
    Backend(String),
}

impl StoreError {
    /// Whether waiting and trying again may succeed.
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Locked { .. })
    }
}
