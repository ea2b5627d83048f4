//! The access engine: pure, in memory, no I/O. Built once from a [`Snapshot`] of the store and
//! kept current with the same [`Change`]s the store applies, it answers the five questions —
//! effective, explain / why-not, who-can, and preview — from the same structures, so forward
//! and reverse answers cannot disagree.
//!
//! [`Snapshot`]: crate::model::Snapshot
//! [`Change`]: crate::model::Change

mod bitset;
mod closure;
pub mod cycle;
mod engine;
mod explain;
mod preview;
mod relations;
mod space;
mod update;
mod who;

pub use closure::{GraphEdge, StoredCycle};
pub use engine::{Atom, EffectiveSet, Engine, EngineError};
pub use explain::{Explanation, MAX_PATHS, Path, Step, Suggestion, WhyNot};
pub use preview::{Preview, UserDiff};
pub use relations::RoleHolders;
