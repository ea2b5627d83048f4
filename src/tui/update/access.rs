//! Questions about one user's access, answered from the engine in memory: the list `Enter`
//! opens (held now, and gained or lost under the staged edits), explain (every path to one
//! permission) and why-not (the nearest missing edges).

use super::super::inspect::{AccessItem, AccessList, Held};
use super::super::overlay::{Message, Overlay};
use super::super::state::State;
use crate::model::{Scope, UserId};

/// `Enter` on a user: their permissions as a list to move through.
pub fn open(state: &mut State) {
    let (Some(data), Some(user)) = (state.data.as_ref(), state.focused_user()) else {
        return;
    };
    let e = &data.engine;
    let projected = state
        .staging
        .projection
        .as_ref()
        .and_then(|p| p.users.get(&user.id));
    let route = |atom| {
        e.first_path(user.id, atom)
            .map(|p| e.render_route(&p))
            .unwrap_or_default()
    };
    let set = e.effective(user.id).unwrap_or_default();
    let mut items: Vec<AccessItem> = e
        .atoms(&set)
        .into_iter()
        .map(|atom| {
            let lost = projected.is_some_and(|p| p.lost.contains(&atom));
            AccessItem {
                atom,
                held: if lost { Held::Lost } else { Held::Now },
                route: route(atom),
                label: e.atom_label(atom),
                section: e
                    .permission_section(atom.permission)
                    .unwrap_or("")
                    .to_string(),
            }
        })
        .collect();
    if let (Some(p), Some(projection)) = (projected, state.staging.projection.as_ref()) {
        items.extend(p.gained.iter().map(|&atom| {
            AccessItem {
                atom,
                held: Held::Gained,
                route: projection.gained_route(user.id, atom),
                label: e.atom_label(atom),
                section: e
                    .permission_section(atom.permission)
                    .unwrap_or("")
                    .to_string(),
            }
        }));
    }
    items.sort_by(|a, b| (&a.section, &a.label).cmp(&(&b.section, &b.label)));
    let list = AccessList {
        user: user.id,
        username: user.username.clone(),
        items,
        cursor: 0,
    };
    state.overlays.push(Overlay::Access(list));
}

/// `Enter` on an item of the access list: every path to it.
pub fn explain(state: &mut State, at: usize) {
    let Some(Overlay::Access(list)) = state.overlays.last() else {
        return;
    };
    let (Some(data), Some(item)) = (state.data.as_ref(), list.items.get(at)) else {
        return;
    };
    let e = &data.engine;
    let title = format!("{} · {}", list.username, item.label);
    let lines = match item.held {
        Held::Gained => vec![
            "Gained under the staged edits, by:".to_string(),
            format!("  {}", item.route),
            String::new(),
            "Every path is listed once the edits are committed.".to_string(),
        ],
        Held::Now | Held::Lost => {
            let explanation = e.explain(list.user, item.atom.permission, Some(item.atom.scope));
            let mut lines = vec![format!(
                "{} path{}, shortest first:",
                explanation.paths.len(),
                if explanation.paths.len() == 1 {
                    ""
                } else {
                    "s"
                }
            )];
            lines.extend(
                explanation
                    .paths
                    .iter()
                    .map(|p| format!("  {}", e.render_path(p))),
            );
            if explanation.truncated {
                lines.push("  … more (warden explain lists them all)".into());
            }
            if item.held == Held::Lost {
                lines.push(String::new());
                lines.push("The staged edits take it away.".into());
            }
            lines
        }
    };
    state
        .overlays
        .push(Overlay::Message(Message::new(title, lines, false)));
}

/// Why `user` does not hold `permission` at `stage` (any app), or how they do.
pub fn why_not(
    state: &mut State,
    user: UserId,
    username: &str,
    permission: &str,
    stage: Option<String>,
) {
    let Some(data) = state.data.as_ref() else {
        return;
    };
    let e = &data.engine;
    let Some(perm) = e.permission_by_key(permission) else {
        return;
    };
    let scope = Scope {
        stage: stage.as_deref().and_then(|s| e.stage_named(s)),
        app: None,
    };
    let place = stage.map_or_else(|| "everywhere".to_string(), |s| format!("at stage {s}"));
    let answer = e.why_not(user, perm, scope);
    let mut lines = Vec::new();
    if answer.holds {
        lines.push(format!("{username} holds {permission} {place}, by:"));
        if let Some(path) = e.explain(user, perm, Some(scope)).paths.first() {
            lines.push(format!("  {}", e.render_path(path)));
        }
    } else {
        lines.push(format!("{username} does not hold {permission} {place}."));
        let within = e.held_within(user, perm, scope);
        if !within.is_empty() {
            let narrower: Vec<String> = within
                .iter()
                .map(|a| {
                    format!(
                        "{}{}",
                        a.stage
                            .as_deref()
                            .map_or(String::new(), |s| format!("@{s}")),
                        a.app.as_deref().map_or(String::new(), |a| format!("/{a}"))
                    )
                })
                .collect();
            lines.push(format!("They hold it only within: {}", narrower.join(", ")));
        }
        if answer.suggestions.is_empty() {
            lines.push("No single change would give it (no role grants it there).".into());
        } else {
            lines.push(String::new());
            lines.push("It would hold if:".into());
            lines.extend(
                answer
                    .suggestions
                    .iter()
                    .map(|s| format!("  {}", e.describe_suggestion(username, s))),
            );
        }
    }
    state.overlays.push(Overlay::Message(Message::new(
        format!("why-not: {username} · {permission}"),
        lines,
        false,
    )));
}
