//! Staged edits: the pending change set, and its projection — what the edits would do to
//! everyone's access, computed by the engine over the rehearsed changes (the same computation
//! a commit makes, so the preview is the diff the commit will cause). The projection keeps the
//! engine as the edits would leave it, so the path behind each gained permission is found
//! when it is shown (the path behind a lost one comes from the engine as it is).

use std::collections::{BTreeMap, HashMap};

use crate::access::{Atom, Engine, EngineError, Preview};
use crate::model::{Change, PermissionId, UserId};
use crate::service::consent::{Consent, SENSITIVE_SECTION};
use crate::service::{Command, Note};

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
    pub gained: Vec<Atom>,
    pub lost: Vec<Atom>,
}

/// What a list of changes does to access.
#[derive(Clone, Debug, Default)]
pub struct Projection {
    pub changes: Vec<Change>,
    pub notes: Vec<Note>,
    pub users: HashMap<UserId, UserProjection>,
    /// The affected users by username, for the review.
    pub order: Vec<UserId>,
    /// `assign 3 · add-member 14`.
    pub counts: String,
    /// `affects 143 users (12 gain users.delete)`.
    pub headline: String,
    /// The agreement committing them needs.
    pub consent: Consent,
    /// The engine as the changes would leave it: it gives the paths of what is gained.
    pub after: Option<Box<Engine>>,
}

impl Projection {
    pub fn users_changed(&self) -> usize {
        self.users.len()
    }

    /// A user's name as the changes leave it (a user the changes add has no other).
    pub fn username(&self, user: UserId) -> &str {
        self.after
            .as_ref()
            .and_then(|after| after.username(user))
            .unwrap_or("?")
    }

    /// The path that will give `user` the gained `atom`, as a route.
    pub fn gained_route(&self, user: UserId, atom: Atom) -> String {
        self.after
            .as_ref()
            .map(|after| route(after, user, atom))
            .unwrap_or_default()
    }
}

/// Projects `changes` (rehearsed by the service) through `engine`, which is not changed: the
/// engine is copied and the changes applied to the copy, which the projection keeps.
pub fn project(
    engine: &Engine,
    changes: Vec<Change>,
    notes: Vec<Note>,
) -> Result<Projection, EngineError> {
    let (after, preview) = engine.preview_into(&changes)?;
    let headline = headline(&after, &preview);
    let consent = Consent::of(&after, &preview);
    let mut users = HashMap::with_capacity(preview.users.len());
    let mut by_name = Vec::with_capacity(preview.users.len());
    for diff in preview.users {
        by_name.push((after.username(diff.user).unwrap_or("?"), diff.user));
        users.insert(
            diff.user,
            UserProjection {
                gained: diff.gained,
                lost: diff.lost,
            },
        );
    }
    by_name.sort_unstable();
    let order = by_name.into_iter().map(|(_, user)| user).collect();
    Ok(Projection {
        counts: counts(&changes),
        headline,
        changes,
        notes,
        users,
        order,
        consent,
        after: Some(Box::new(after)),
    })
}

/// The first path giving `atom` to `user` in `engine`, as a route (`group ops → role x`).
pub fn route(engine: &Engine, user: UserId, atom: Atom) -> String {
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
fn headline(engine: &Engine, preview: &Preview) -> String {
    let changed = preview.users.len();
    if changed == 0 {
        return "changes nobody's access".into();
    }
    let users = format!(
        "affects {changed} user{}",
        if changed == 1 { "" } else { "s" }
    );
    let totals = preview.totals();
    let key = |p: PermissionId| engine.permission_key(p).unwrap_or("?").to_string();
    let sensitive = totals
        .iter()
        .filter(|(p, (gain, _))| {
            *gain > 0 && engine.permission_section(**p) == Some(SENSITIVE_SECTION)
        })
        .max_by_key(|(p, (gain, _))| (*gain, std::cmp::Reverse(key(**p))));
    let busiest = totals
        .iter()
        .max_by_key(|(p, (gain, lose))| (gain + lose, std::cmp::Reverse(key(**p))));
    // The other permissions that change are counted, so one named permission never hides
    // the rest.
    let more = match totals.len().saturating_sub(1) {
        0 => String::new(),
        1 => " and 1 more permission".to_string(),
        n => format!(" and {n} more permissions"),
    };
    match sensitive.or(busiest) {
        Some((p, (gain, _))) if *gain > 0 => format!("{users} ({gain} gain {}{more})", key(*p)),
        Some((p, (_, lose))) if *lose > 0 => format!("{users} ({lose} lose {}{more})", key(*p)),
        _ => users,
    }
}
