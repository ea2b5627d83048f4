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
    /// Preview a draft and ask to confirm it (an edit or the staged edits that change nobody's
    /// access go through without asking).
    Confirm(Draft),
    /// Commit everything staged, and the draft when there is one.
    Commit(Option<Draft>),
}

/// A change planned but not confirmed: a bulk action, one edit, what is staged, or an undo.
#[derive(Clone, Debug)]
pub struct Draft {
    /// What it does, for the confirmation's title: `Assign deployer at QA` (an edit's is its
    /// plan's summary, filled in by the rehearsal when empty).
    pub title: String,
    pub commands: Vec<Command>,
    /// The users it was asked for (a per-user report follows a bulk commit).
    pub users: Vec<String>,
    /// How many of `users` the filter hides.
    pub hidden: usize,
    pub kind: DraftKind,
    /// What the confirmation says besides the preview (what a delete takes with it).
    pub explain: Vec<String>,
}

/// What a draft is, which decides when it is confirmed and what follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftKind {
    /// An action on the marked users: always confirmed, then reported user by user.
    Bulk,
    /// One edit (a form, a picker): confirmed only when it changes someone's access.
    Edit,
    /// One edit that cannot be taken back by editing again (a delete, a deactivation): always
    /// confirmed.
    Destructive,
    /// Committing what is staged (the draft adds no commands): confirmed only when the staged
    /// edits change someone's access.
    Staged,
    /// The inverse of a committed change: always confirmed, committed alone, never staged.
    Undo,
}

impl Draft {
    /// One edit, titled by its plan.
    pub fn edit(commands: Vec<Command>) -> Draft {
        Draft {
            title: String::new(),
            commands,
            users: Vec::new(),
            hidden: 0,
            kind: DraftKind::Edit,
            explain: Vec::new(),
        }
    }

    /// One destructive edit: `title` asks the question, `explain` says what goes with it.
    pub fn destructive(title: String, explain: Vec<String>, commands: Vec<Command>) -> Draft {
        Draft {
            title,
            commands,
            users: Vec::new(),
            hidden: 0,
            kind: DraftKind::Destructive,
            explain,
        }
    }

    /// Whether it goes through without a confirmation when nobody's access changes.
    pub fn quiet_when_harmless(&self) -> bool {
        matches!(self.kind, DraftKind::Edit | DraftKind::Staged)
    }
}
