//! Each tab's list: sorting (by any column, either way), the fuzzy filter, the cursor and the
//! scroll offset, and keeping the focused item focused when fresh data arrives.

use super::super::filter::Filter;
use super::super::state::{Data, State, Tab};
use super::super::view::layout::list_rows;
use super::super::{audit_terms, terms};

/// The id of the focused row, to find it again after a reload or a re-sort.
fn focused_key(state: &State, tab: Tab) -> Option<String> {
    let data = state.data.as_ref()?;
    let row = state.listing(tab).focused()?;
    Some(match tab {
        Tab::Users => data.users.get(row)?.id.to_string(),
        Tab::Groups => data.groups.get(row)?.id.to_string(),
        Tab::Roles => data.roles.get(row)?.id.to_string(),
        Tab::Permissions => data.permissions.get(row)?.id.to_string(),
        Tab::Audit => data.audit.get(row)?.id.to_string(),
        Tab::Apps => data.apps.get(row)?.app.key.clone(),
    })
}

fn row_key(data: &Data, tab: Tab, row: usize) -> String {
    match tab {
        Tab::Users => data.users[row].id.to_string(),
        Tab::Groups => data.groups[row].id.to_string(),
        Tab::Roles => data.roles[row].id.to_string(),
        Tab::Permissions => data.permissions[row].id.to_string(),
        Tab::Audit => data.audit[row].id.to_string(),
        Tab::Apps => data.apps[row].app.key.clone(),
    }
}

/// Installs freshly loaded data, keeping each tab's sort, filter and focused item.
pub fn replace_data(state: &mut State, data: Data) {
    let mut data = Some(data);
    change_data(state, |slot| *slot = data.take());
}

/// Changes the data in place (`change` gets the current data, if any, to replace or patch),
/// then recomputes what depends on it: the operator's own permissions, every tab's order and
/// filter, the focus kept on the same items.
pub fn change_data(state: &mut State, change: impl FnOnce(&mut Option<Data>)) {
    let focused: Vec<Option<String>> = Tab::ALL.iter().map(|&t| focused_key(state, t)).collect();
    change(&mut state.data);
    let Some(data) = state.data.as_ref() else {
        return;
    };
    if let Some(session) = state.session.as_mut() {
        session.held = match &session.operator {
            Some(op) => {
                let set = data.engine.effective(op.user).unwrap_or_default();
                data.engine
                    .atoms(&set)
                    .into_iter()
                    .filter_map(|a| data.engine.permission_key(a.permission).map(String::from))
                    .collect()
            }
            None => Default::default(),
        };
    }
    state.now = data.loaded_at.max(state.now);
    for (tab, key) in Tab::ALL.into_iter().zip(focused) {
        state.listing_mut(tab).filter.reset();
        resort(state, tab);
        if let Some(key) = key {
            focus_key(state, tab, &key);
        }
    }
    // Something just created is focused, on its tab, once it is in the data.
    if let Some((tab, key)) = state.focus_created.take() {
        focus_created(state, tab, &key);
    }
    state.dirty = true;
}

/// The tab and row key of the item `changes` created, if they created one a tab lists.
pub fn created(changes: &[crate::model::Change]) -> Option<(Tab, String)> {
    use crate::model::Change;
    changes.iter().rev().find_map(|change| match change {
        Change::AddUser { id, .. } => Some((Tab::Users, id.to_string())),
        Change::AddGroup { id, .. } => Some((Tab::Groups, id.to_string())),
        Change::AddRole { id, .. } => Some((Tab::Roles, id.to_string())),
        Change::AddPermission { id, .. } => Some((Tab::Permissions, id.to_string())),
        Change::AddApp { key, .. } => Some((Tab::Apps, key.clone())),
        _ => None,
    })
}

/// Focuses a new item on `tab`, clearing the tab's filter when it hides the item.
fn focus_created(state: &mut State, tab: Tab, key: &str) {
    let Some(data) = state.data.as_ref() else {
        return;
    };
    let Some(row) = (0..data.len(tab)).find(|&r| row_key(data, tab, r) == key) else {
        return;
    };
    if !state.listing(tab).visible.contains(&(row as u32)) {
        state.listing_mut(tab).filter.query.clear();
        refilter(state, tab);
    }
    focus_key(state, tab, key);
}

/// Recomputes a tab's order from its sort column, then its filter.
pub fn resort(state: &mut State, tab: Tab) {
    let Some(data) = state.data.as_ref() else {
        return;
    };
    let n = data.len(tab) as u32;
    let listing = &state.listings[tab.index()];
    let (column, descending) = (listing.sort_column, listing.descending);
    let mut order: Vec<u32> = (0..n).collect();
    // Users come from the store already in username order, so column 0 costs no work at
    // 100k; every other list is small and sorted here.
    if column != 0 || tab != Tab::Users {
        let keys: Vec<String> = (0..n as usize)
            .map(|r| data.sort_key(tab, r, column))
            .collect();
        order.sort_by(|&a, &b| keys[a as usize].cmp(&keys[b as usize]));
    }
    if descending {
        order.reverse();
    }
    let listing = &mut state.listings[tab.index()];
    listing.order = order;
    listing.filter.reset();
    refilter(state, tab);
}

/// Re-applies a tab's filter and keeps the cursor on the same row when it is still shown. On
/// the Users tab, filter terms (`group:ops role:x status:active ...`), and on the Audit tab
/// (`op:root user:alice since:2026-11-01 ...`), narrow the list before the fuzzy words are
/// matched.
pub fn refilter(state: &mut State, tab: Tab) {
    let Some(data) = state.data.as_ref() else {
        return;
    };
    let focused = state.listing(tab).focused();
    let listing = &mut state.listings[tab.index()];
    let mut parsed = if tab == Tab::Users {
        terms::parse(&listing.filter.query)
    } else {
        terms::Parsed::default()
    };
    let audit = if tab == Tab::Audit {
        audit_terms::parse(&listing.filter.query)
    } else {
        audit_terms::Parsed::default()
    };
    if audit.has_terms() {
        parsed.fuzzy = audit.fuzzy.clone();
        parsed.problems = audit.problems.clone();
    }
    listing.visible = if parsed.has_terms() || audit.has_terms() {
        let admitted = if audit.has_terms() {
            audit_terms::admitted(&audit, data)
        } else {
            terms::admitted(&mut parsed, data, state.now)
        };
        let candidates: Vec<u32> = listing
            .order
            .iter()
            .copied()
            .filter(|&r| admitted.get(r as usize).copied().unwrap_or(false))
            .collect();
        // Terms change what a longer query narrows from: no kept steps across them.
        listing.filter.reset();
        let mut words = Filter::new(parsed.fuzzy.clone());
        words.apply(
            &candidates,
            &data.haystacks[tab.index()],
            &mut state.matcher,
        )
    } else {
        listing.filter.apply(
            &listing.order,
            &data.haystacks[tab.index()],
            &mut state.matcher,
        )
    };
    listing.problems = parsed.problems;
    if tab == Tab::Users {
        let mut shown = vec![false; data.users.len()];
        for &r in &listing.visible {
            if let Some(s) = shown.get_mut(r as usize) {
                *s = true;
            }
        }
        listing.shown = shown;
    }
    listing.cursor = focused
        .and_then(|row| listing.visible.iter().position(|&r| r as usize == row))
        .unwrap_or(0);
    keep_visible(state, tab);
    if tab == Tab::Users {
        super::marking::recount(state);
    }
    state.dirty = true;
}

/// Moves the cursor to the row whose id is `key`.
/// Puts the cursor on `row` of `tab`'s data, if the filter shows it.
pub fn focus_row(state: &mut State, tab: Tab, row: usize) {
    let Some(key) = state.data.as_ref().map(|data| row_key(data, tab, row)) else {
        return;
    };
    focus_key(state, tab, &key);
}

fn focus_key(state: &mut State, tab: Tab, key: &str) {
    let Some(data) = state.data.as_ref() else {
        return;
    };
    let listing = &state.listings[tab.index()];
    if let Some(at) = listing
        .visible
        .iter()
        .position(|&r| row_key(data, tab, r as usize) == key)
    {
        state.listings[tab.index()].cursor = at;
    }
    keep_visible(state, tab);
}

/// Scrolls so the cursor is on screen, keeping the offset when it already is.
pub fn keep_visible(state: &mut State, tab: Tab) {
    let rows = list_rows(state.size).max(1);
    let listing = &mut state.listings[tab.index()];
    let n = listing.visible.len();
    if n == 0 {
        listing.cursor = 0;
        listing.offset = 0;
        return;
    }
    listing.cursor = listing.cursor.min(n - 1);
    if listing.cursor < listing.offset {
        listing.offset = listing.cursor;
    } else if listing.cursor >= listing.offset + rows {
        listing.offset = listing.cursor + 1 - rows;
    }
    listing.offset = listing.offset.min(n.saturating_sub(rows));
}

/// Moves the cursor by `delta` rows (clamped).
pub fn move_cursor(state: &mut State, delta: isize) {
    let tab = state.tab;
    let listing = state.listing_mut(tab);
    let n = listing.visible.len();
    if n == 0 {
        return;
    }
    let target = (listing.cursor as isize + delta).clamp(0, n as isize - 1);
    listing.cursor = target as usize;
    keep_visible(state, tab);
    state.dirty = true;
}

pub fn move_to(state: &mut State, end: bool) {
    let tab = state.tab;
    let listing = state.listing_mut(tab);
    listing.cursor = if end {
        listing.visible.len().saturating_sub(1)
    } else {
        0
    };
    keep_visible(state, tab);
    state.dirty = true;
}

/// Adds audit records found in the whole trail to those the console holds (newest first, each
/// once), so the Audit tab's terms answer for records older than the ones loaded.
pub fn merge_audit(state: &mut State, found: Vec<crate::service::query::AuditView>) {
    let Some(data) = state.data.as_mut() else {
        return;
    };
    let held: std::collections::HashSet<i64> = data.audit.iter().map(|r| r.id).collect();
    let older: Vec<_> = found
        .into_iter()
        .filter(|r| !held.contains(&r.id))
        .collect();
    let added = older.len();
    data.audit.extend(older);
    if added == 0 {
        return;
    }
    data.audit.sort_by_key(|r| std::cmp::Reverse(r.id));
    let tab = Tab::Audit;
    data.haystacks[tab.index()] = (0..data.len(tab))
        .map(|row| data.haystack(tab, row))
        .collect();
    state.set_status(
        format!("{added} older audit records found in the whole trail"),
        super::super::state::Level::Info,
    );
    resort(state, tab);
}
