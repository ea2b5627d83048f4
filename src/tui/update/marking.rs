//! Marking users: `Space` marks the focused user and moves down, `v` marks a range (pressed at
//! one end, then at the other), `*` marks everyone the filter shows, `~` inverts the marks among
//! them, and `Esc` (with no filter left to clear) clears them. The count of marked users the
//! filter hides is kept current here.

use super::super::state::{Level, State, Tab};
use super::listing;
use crate::model::UserId;

/// The user ids the filter shows, in list order.
fn shown_ids(state: &State) -> Vec<UserId> {
    let Some(data) = state.data.as_ref() else {
        return Vec::new();
    };
    state
        .listing(Tab::Users)
        .visible
        .iter()
        .filter_map(|&r| data.users.get(r as usize).map(|u| u.id))
        .collect()
}

/// Recounts the marked users the filter hides.
pub fn recount(state: &mut State) {
    let Some(data) = state.data.as_ref() else {
        return;
    };
    let shown = &state.listings[Tab::Users.index()].shown;
    state.marks.recount(|id| {
        data.user_rows
            .get(&id)
            .is_some_and(|&row| shown.get(row as usize).copied().unwrap_or(false))
    });
}

pub fn mark(state: &mut State) {
    let Some(user) = state.focused_user().map(|u| u.id) else {
        return;
    };
    state.marks.toggle(user);
    listing::move_cursor(state, 1);
    recount(state);
}

pub fn range(state: &mut State) {
    let Some(here) = state.focused_user().map(|u| u.id) else {
        return;
    };
    let Some(anchor) = state.marks.anchor.take() else {
        state.marks.anchor = Some(here);
        state.set_status(
            "range: move to the other end and press v again",
            Level::Info,
        );
        return;
    };
    let ids = shown_ids(state);
    let (Some(a), Some(b)) = (
        ids.iter().position(|&id| id == anchor),
        ids.iter().position(|&id| id == here),
    ) else {
        state.set_status(
            "the range's start is hidden by the filter; press v to start again",
            Level::Error,
        );
        return;
    };
    let (from, to) = (a.min(b), a.max(b));
    state.marks.mark(ids[from..=to].iter().copied());
    recount(state);
    state.set_status(format!("marked {} users", to - from + 1), Level::Info);
}

pub fn mark_all(state: &mut State) {
    let ids = shown_ids(state);
    let n = ids.len();
    state.marks.mark(ids);
    recount(state);
    state.set_status(
        format!("marked the {n} users the filter shows"),
        Level::Info,
    );
}

pub fn invert(state: &mut State) {
    let ids = shown_ids(state);
    state.marks.invert(ids);
    recount(state);
}

pub fn clear(state: &mut State) {
    if !state.marks.is_empty() || state.marks.anchor.is_some() {
        state.marks.clear();
        state.set_status("marks cleared", Level::Info);
    }
}
