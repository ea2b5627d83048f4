//! Plain data shared by every layer: ids, entities, scopes, vocabularies, changes, time, and the
//! shape rules for typed input. Nothing here does I/O.

pub mod change;
mod describe;
pub mod entities;
pub mod ids;
mod inverse;
pub mod scope;
pub mod snapshot;
pub mod time;
pub mod validate;
pub mod vocab;

pub use change::*;
pub use entities::*;
pub use ids::*;
pub use scope::Scope;
pub use snapshot::{Snapshot, UserEntry};
pub use time::{Clock, ManualClock, SystemClock, Timestamp};
pub use vocab::{RoleKind, SignInOutcome, SignInVia, UserKind, UserStatus, Vocabulary};
