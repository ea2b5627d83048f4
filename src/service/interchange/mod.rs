//! Data in and out between environments: export a store (or one tenant) by natural keys, import
//! documents and CSV files through the verbs' own rules, and compare or align two stores. The
//! document shape is in `document`; reading a store into it in `read`; writing it in `export`;
//! comparing an entry with a store in `compare`; the commands that make a store match an entry
//! in `build`; running many rows in one transaction in `apply`.

pub mod apply;
pub mod audit_answers;
mod build;
pub mod compare;
pub mod csv_file;
pub mod diff;
pub mod document;
pub mod export;
pub mod import;
pub mod read;

pub use apply::{Effect, Item, Keep, Origin};
pub use compare::{Difference, Direction, Index};
pub use document::{Document, Part, Parts};
pub use import::{ImportReport, OnConflict, RowOutcome, Source};
