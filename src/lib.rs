//! warden: administer users, groups, roles and permissions in a local SQLite store, from a
//! keyboard-driven console or the command line.
//!
//! Layers, each depending only on those below it: `cli`, `tui` → `service` → `access`,
//! `policy`, `store` → `model`. `text` holds the one rule for what may reach a terminal.

pub mod access;
pub mod catalog;
pub mod cli;
pub mod files;
pub mod model;
pub mod policy;
pub mod service;
pub mod store;
pub mod text;
pub mod tui;
