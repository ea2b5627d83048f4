//! The console: tabbed panes over the service, driven from the keyboard, built for SSH. The
//! Elm architecture: [`state::State`], a pure [`update::update`] returning effects, a pure
//! [`view::render`], and one impure loop ([`app`]) with a store worker thread.

mod app;
pub mod audit_terms;
pub mod bulk;
pub mod config;
mod credentials;
pub mod event;
pub mod filter;
pub mod forms;
pub mod import;
pub mod inspect;
pub mod intent;
pub mod keymap;
mod live;
pub mod marks;
pub mod overlay;
pub mod rehearsal;
pub mod review;
pub mod staging;
pub mod state;
pub mod terms;
pub mod theme;
pub mod update;
pub mod view;
pub mod worker;
mod worker_interchange;

use std::path::PathBuf;

use crate::store::{Location, StoreOptions};

/// What the console opens.
#[derive(Clone, Debug)]
pub struct ConsoleOptions {
    pub location: Location,
    pub store_options: StoreOptions,
    pub tenant: String,
    /// A config file other than the default one.
    pub config: Option<PathBuf>,
}

/// Runs the console until the operator quits; returns the exit code.
pub fn run(options: ConsoleOptions) -> anyhow::Result<i32> {
    app::run(options)
}
