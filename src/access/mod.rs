//! The access engine: pure, in-memory graph logic with no I/O. For now, cycle detection for role
//! inclusion and permission implication, used by the service before it writes an edge.

pub mod cycle;
