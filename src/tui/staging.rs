//! Staged edits: the pending change set, and its projection — what the edits would do to
//! everyone's access, computed by the engine over the rehearsed changes (the same computation
//! a commit makes, so the preview is the diff the commit will cause). Each affected user's
//! gained and lost atoms come with the path that gives them: for what is lost, in the store as
//! it is; for what is gained, in the store as the edits would leave it.

use std::collections::{BTreeMap, HashMap};

use crate::access::{Atom, Engine, EngineError};
use crate::model::{Change, UserId};
use crate::service::{Command, Note};

/// The catalog section whose permissions make a confirmation ask for the user count.
pub const SENSITIVE_SECTION: &str = "User management";

#[derive(Clone, Debug)]
pub struct StagedEdit {
    /// What the edit does, as its plan summarized it.
    pub label: String,
    pub commands: Vec<Command>,
}

#[derive(Default)]
pub struct Staging {
    /// Edits are staged instead of applied.
    pub on: bool,
    pub edits: Vec<StagedEdit>,
    /// What the edits do together, from the last rehearsal.
    pub projection: Option<Projection>,
    /// Why the staged edits no longer apply (after someone else changed the store).
    pub problem: Option<String>,
}

impl Staging {
    /// Every staged command, in order.
    pub fn commands(&self) -> Vec<Command> {
        self.edits
            .iter()
            .flat_map(|e| e.commands.iter().cloned())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    pub fn clear(&mut self) {
        self.edits.clear();
        self.projection = None;
        self.problem = None;
    }

    /// The pending panel: `3 staged: assign 3 · add-member 14 — affects 143 users (12 gain
    /// users.delete)`.
    pub fn summary(&self) -> Option<String> {
        if self.edits.is_empty() {
            return None;
        }
        let edits = format!(
            "{} staged edit{}",
            self.edits.len(),
            if self.edits.len() == 1 { "" } else { "s" }
        );
        Some(match (&self.problem, &self.projection) {
            (Some(problem), _) => format!("{edits}: no longer apply: {problem}"),
            (None, Some(p)) => format!("{edits}: {} — {}", p.counts, p.headline),
            (None, None) => format!("{edits}: previewing…"),
        })
    }
}

/// One user's side of a projection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserProjection {
    /// Atoms gained, each with the route that will give it.
    pub gained: Vec<(Atom, String)>,
    /// Atoms lost, each with the route that gives it now.
    pub lost: Vec<(Atom, String)>,
}

/// What a list of changes does to access.
#[derive(Clone, Debug, Default)]
pub struct Projection {
    pub changes: Vec<Change>,
    pub notes: Vec<Note>,
    pub users: HashMap<UserId, UserProjection>,
    /// The affected users by username, for the review.
    pub order: Vec<(String, UserId)>,
    /// `assign 3 · add-member 14`.
    pub counts: String,
    /// `affects 143 users (12 gain users.delete)`.
    pub headline: String,
    /// Some user gains a permission of the User management section.
    pub sensitive: bool,
}

impl Projection {
    pub fn users_changed(&self) -> usize {
        self.users.len()
    }
}

/// Projects `changes` (rehearsed by the service) through `engine`, which is left as it was.
pub fn project(
    engine: &mut Engine,
    changes: Vec<Change>,
    notes: Vec<Note>,
) -> Result<Projection, EngineError> {
    let (preview, gained_routes) = engine.preview_and(&changes, |after, preview| {
        preview
            .users
            .iter()
            .map(|d| {
                d.gained
                    .iter()
                    .map(|&atom| route(after, d.user, atom))
                    .collect::<Vec<String>>()
            })
            .collect::<Vec<_>>()
    })?;
    let view = engine.preview_view(&preview);
    let mut users = HashMap::with_capacity(preview.users.len());
    let mut order = Vec::with_capacity(preview.users.len());
    let mut sensitive = false;
    for (diff, routes) in preview.users.iter().zip(gained_routes) {
        sensitive |= diff
            .gained
            .iter()
            .any(|a| engine.permission_section(a.permission) == Some(SENSITIVE_SECTION));
        let lost = diff
            .lost
            .iter()
            .map(|&atom| (atom, route(engine, diff.user, atom)))
            .collect();
        users.insert(
            diff.user,
            UserProjection {
                gained: diff.gained.iter().copied().zip(routes).collect(),
                lost,
            },
        );
        order.push((
            engine.username(diff.user).unwrap_or("?").to_string(),
            diff.user,
        ));
    }
    order.sort();
    Ok(Projection {
        counts: counts(&changes),
        headline: headline(engine, &view),
        changes,
        notes,
        users,
        order,
        sensitive,
    })
}

/// The first path giving `atom` to `user` in `engine`, as a route (`group ops → role x`).
fn route(engine: &Engine, user: UserId, atom: Atom) -> String {
    engine
        .first_path(user, atom)
        .map(|p| engine.render_route(&p))
        .unwrap_or_default()
}

/// `assign 3 · add-member 14`: the changes by operation, in order of first appearance.
fn counts(changes: &[Change]) -> String {
    let mut seen: Vec<&'static str> = Vec::new();
    let mut count: BTreeMap<&'static str, usize> = BTreeMap::new();
    for change in changes {
        let op = change.op();
        if !count.contains_key(op) {
            seen.push(op);
        }
        *count.entry(op).or_default() += 1;
    }
    seen.iter()
        .map(|op| format!("{} {}", op.replace('_', "-"), count[op]))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// `affects 143 users (12 gain users.delete)`: the count, and the most notable permission — a
/// gained User management one first, else the one that changes for most users.
fn headline(engine: &Engine, view: &crate::service::access::PreviewView) -> String {
    if view.users_changed == 0 {
        return "changes nobody's access".into();
    }
    let users = format!(
        "affects {} user{}",
        view.users_changed,
        if view.users_changed == 1 { "" } else { "s" }
    );
    let sensitive = view.permissions.iter().find(|p| {
        p.users_gaining > 0
            && engine
                .permission_by_key(&p.permission)
                .and_then(|id| engine.permission_section(id))
                == Some(SENSITIVE_SECTION)
    });
    let notable = sensitive.or(view.permissions.first());
    match notable {
        Some(p) if p.users_gaining > 0 => {
            format!("{users} ({} gain {})", p.users_gaining, p.permission)
        }
        Some(p) if p.users_losing > 0 => {
            format!("{users} ({} lose {})", p.users_losing, p.permission)
        }
        _ => users,
    }
}
