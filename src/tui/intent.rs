//! Why a write was sent to the store worker, carried there and back with it, so the reply
//! lands where it belongs: an edit applied at once, an edit being staged, the staged edits'
//! preview being refreshed, a bulk action (or an undo) waiting for its confirmation, or a
//! commit whose per-user report is wanted.

use crate::service::Command;

pub enum Intent {
    /// An edit applied at once: close the form that sent it, say what was done.
    Apply,
    /// Stage an edit: `commands` are the last of the rehearsed list, after what is staged.
    Stage { commands: Vec<Command> },
    /// Recompute the preview of what is staged (after a reload, or an unstage).
    Refresh,
    /// Preview a bulk action or an undo and ask to confirm it.
    Confirm(Draft),
    /// Commit everything staged, and the draft when there is one.
    Commit(Option<Draft>),
}

/// A bulk action or an undo, planned but not confirmed.
#[derive(Clone, Debug)]
pub struct Draft {
    /// What it does, for the confirmation's title: `Assign deployer at QA`.
    pub title: String,
    pub commands: Vec<Command>,
    /// The users it was asked for (a per-user report follows the commit).
    pub users: Vec<String>,
    /// How many of `users` the filter hides.
    pub hidden: usize,
    /// An undo (committed at once, never staged).
    pub undo: bool,
}
