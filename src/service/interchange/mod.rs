//! Data in and out between environments: export a store (or one tenant) by natural keys, import
//! documents and CSV files through the verbs' own rules, compare or align two stores, and the
//! auditors' matrix and assertions. The document shape is in `document`; reading a store into
//! it in `read`; writing it in `export`; a store by natural keys in `index`; comparing an entry
//! with it in `compare` (one `difference` each, and `removals` for a sync); the commands that
//! make a store match an entry in `build`; an import's rows in `import_plan`; running many rows
//! in one transaction in `apply`; diff and sync in `diff`; matrix and assert in
//! `audit_answers`.

pub mod apply;
pub mod audit_answers;
mod build;
pub mod compare;
pub mod csv_file;
pub mod diff;
mod difference;
pub mod document;
pub mod export;
pub mod import;
mod import_plan;
mod index;
pub mod read;
mod removals;

pub use apply::{Effect, Item, Keep, Origin};
pub use compare::{Difference, Direction, Index};
pub use document::{Document, Part, Parts};
pub use import::{ImportReport, OnConflict, RowOutcome, Source};
