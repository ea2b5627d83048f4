//! Writes from the console, and the replies they get. Every change passes one gate: it is
//! rehearsed and projected through the engine, and the service's consent rule says what
//! follows. An edit that changes nobody's access is applied at once; anything else — one edit
//! or a bulk action, from any tab, or the staged edits being committed — waits on a
//! confirmation that shows what it does to whom (with the count to type when the rule asks for
//! it). With staging on, an edit is staged instead, and the gate is passed when what is staged
//! is committed. A bulk action's rehearsal runs what is staged first, so its preview is of the
//! whole pending change set, and its commit sends it all as one transaction.

use super::super::bulk::BulkConfirm;
use super::super::forms::{Form, FormKind};
use super::super::intent::{Draft, DraftKind, Intent};
use super::super::overlay::{Message, Overlay};
use super::super::staging::StagedEdit;
use super::super::state::{Level, State};
use super::super::worker::{Done, Refused, Rehearsal, Request};
use super::{Effect, send};
use crate::service::Command;
use crate::service::consent::Consent;
use std::sync::Arc;

/// An edit from a form or a picker: staged when staging is on, else through the gate.
pub fn apply_or_stage(state: &mut State, commands: Vec<Command>) -> Vec<Effect> {
    if state.staging.on {
        let mut all = state.staging.commands();
        all.extend(commands.iter().cloned());
        vec![send(
            state,
            rehearse(state, all, Intent::Stage { commands }),
        )]
    } else {
        propose(state, Draft::edit(commands))
    }
}

/// A draft through the gate: rehearsed (a bulk action after what is staged) and projected,
/// then confirmed — or, for an edit that changes nobody's access, applied.
pub fn propose(state: &mut State, draft: Draft) -> Vec<Effect> {
    let mut all = if takes_staged(&draft) {
        state.staging.commands()
    } else {
        Vec::new()
    };
    all.extend(draft.commands.iter().cloned());
    vec![send(state, rehearse(state, all, Intent::Confirm(draft)))]
}

/// Committing the staged edits: through the gate like any other change.
pub fn commit_staged(state: &mut State) -> Vec<Effect> {
    let n = state.staging.edits.len();
    if n == 0 {
        state.set_status("nothing is staged", Level::Info);
        return Vec::new();
    }
    propose(
        state,
        Draft {
            title: format!("Commit {n} staged edit{}", if n == 1 { "" } else { "s" }),
            commands: Vec::new(),
            users: Vec::new(),
            hidden: 0,
            kind: DraftKind::Staged,
            explain: Vec::new(),
        },
    )
}

/// Whether a draft is rehearsed and committed together with what is staged. One edit goes
/// alone, as it would have without staging; an undo must be the next change after the one it
/// takes back.
fn takes_staged(draft: &Draft) -> bool {
    matches!(draft.kind, DraftKind::Bulk | DraftKind::Staged)
}

/// Commits the draft, with what is staged when the draft takes it: one transaction, one audit
/// record.
pub fn commit(state: &mut State, draft: Option<Draft>) -> Vec<Effect> {
    let mut all = match &draft {
        Some(d) if !takes_staged(d) => Vec::new(),
        _ => state.staging.commands(),
    };
    if let Some(d) = &draft {
        all.extend(d.commands.iter().cloned());
    }
    if all.is_empty() {
        state.set_status("nothing is staged", Level::Info);
        return Vec::new();
    }
    vec![send(
        state,
        Request::Execute {
            commands: all,
            intent: Intent::Commit(draft),
        },
    )]
}

/// Recomputes the staged edits' projection (after a reload or an unstage).
pub fn refresh(state: &mut State) -> Vec<Effect> {
    state.staging.projection = None;
    if state.staging.is_empty() {
        state.staging.problem = None;
        return Vec::new();
    }
    let commands = state.staging.commands();
    vec![send(state, rehearse(state, commands, Intent::Refresh))]
}

pub fn unstage(state: &mut State, at: usize) -> Vec<Effect> {
    if at >= state.staging.edits.len() {
        return Vec::new();
    }
    let edit = state.staging.edits.remove(at);
    state.set_status(format!("unstaged: {}", edit.label), Level::Info);
    refresh(state)
}

pub fn discard(state: &mut State) {
    let n = state.staging.edits.len();
    state.staging.clear();
    state.set_status(
        format!("discarded {n} staged edit{}", if n == 1 { "" } else { "s" }),
        Level::Info,
    );
}

/// Undo of the newest change in the store, whoever made it: the worker reads it back, and it
/// is then previewed and confirmed like a bulk action (see [`undo_offered`]).
pub fn undo(state: &mut State) -> Vec<Effect> {
    vec![send(state, Request::NewestUndo)]
}

/// The newest change came back as an undo, or as why it cannot be undone.
pub fn undo_offered(
    state: &mut State,
    offer: Result<Box<crate::service::undo::UndoOffer>, String>,
) -> Vec<Effect> {
    match offer {
        Ok(offer) => propose(
            state,
            Draft {
                title: format!("Undo #{}: {}", offer.of.0, offer.summary),
                commands: vec![offer.command],
                users: offer.users,
                hidden: 0,
                kind: DraftKind::Undo,
                explain: Vec::new(),
            },
        ),
        Err(message) => {
            state.set_status(message, Level::Error);
            Vec::new()
        }
    }
}

/// A rehearsal of `commands`, projected through the loaded engine.
fn rehearse(state: &State, commands: Vec<Command>, intent: Intent) -> Request {
    Request::Rehearse {
        commands,
        intent,
        engine: state.data.as_ref().map(|data| Arc::clone(&data.engine)),
    }
}

/// Closes the form that sent a write, if it is waiting for the answer (a message the write
/// brought, such as a new token, may be over it).
fn close_submitting_form(state: &mut State) {
    let waiting = state
        .overlays
        .iter()
        .rposition(|o| matches!(o, Overlay::Form(form) if form.submitting));
    if let Some(at) = waiting {
        state.overlays.remove(at);
    }
}

/// The form that sent a write takes keys again (the write was not made).
pub fn reopen_submitting_form(state: &mut State) {
    for overlay in state.overlays.iter_mut().rev() {
        if let Overlay::Form(form) = overlay {
            form.submitting = false;
            return;
        }
    }
}

/// A refusal lands on the form that sent the write (on its field when it names one), else on
/// the status line.
fn refused_here(state: &mut State, refused: Refused) -> Vec<Effect> {
    match state.overlays.last_mut() {
        // Someone else changed the item being edited: keep the input, reload, and let the
        // next save apply it over their change.
        Some(Overlay::Form(form)) if form.submitting && refused.conflict => {
            if form.version_mut().is_some() {
                form.rebase = true;
                form.show_error(
                    refused.field,
                    format!(
                        "{} — your input is kept: ctrl-s applies it over their change, Esc leaves it",
                        refused.message
                    ),
                );
                return vec![send(state, Request::Load)];
            }
            form.show_error(refused.field, refused.message);
        }
        Some(Overlay::Form(form)) if form.submitting => {
            form.show_error(refused.field, refused.message);
        }
        _ => state.set_status(refused.message, Level::Error),
    }
    Vec::new()
}

/// After fresh data: an edit form that conflicted is rebased on the item as it is now.
pub fn rebase_forms(state: &mut State) {
    let Some(data) = state.data.as_ref() else {
        return;
    };
    for overlay in &mut state.overlays {
        let Overlay::Form(form) = overlay else {
            continue;
        };
        if !form.rebase {
            continue;
        }
        let fresh = match &form.kind {
            FormKind::EditUser { username, .. } => data
                .users
                .iter()
                .find(|u| &u.username == username)
                .map(Form::edit_user),
            FormKind::EditGroup { name, stage, .. } => data
                .groups
                .iter()
                .find(|g| &g.name == name && &g.stage == stage)
                .map(Form::edit_group),
            FormKind::EditRole { key, .. } => data
                .roles
                .iter()
                .find(|r| &r.key == key)
                .map(Form::edit_role),
            _ => None,
        };
        if let Some(fresh) = fresh {
            form.rebase(fresh);
        }
    }
}

pub fn rehearsed(
    state: &mut State,
    intent: Intent,
    result: Result<Rehearsal, Refused>,
) -> Vec<Effect> {
    match (intent, result) {
        (Intent::Stage { commands }, Ok(rehearsal)) => {
            let from = rehearsal.summaries.len().saturating_sub(commands.len());
            let label = rehearsal.summaries[from..].join("; ");
            close_submitting_form(state);
            state.staging.edits.push(StagedEdit {
                label: label.clone(),
                commands,
            });
            install(state, rehearsal);
            state.set_status(format!("staged: {label}"), Level::Info);
        }
        (Intent::Refresh, Ok(rehearsal)) => install(state, rehearsal),
        (Intent::Refresh, Err(refused)) => {
            state.staging.projection = None;
            state.set_status(
                format!(
                    "the staged edits no longer apply: {} (R to review)",
                    refused.message
                ),
                Level::Error,
            );
            state.staging.problem = Some(refused.message);
        }
        (Intent::Confirm(mut draft), Ok(rehearsal)) => match rehearsal.projection {
            Ok(projection) => {
                if draft.title.is_empty() {
                    draft.title = rehearsal.summaries.join("; ");
                }
                if draft.quiet_when_harmless() && projection.consent == Consent::Nothing {
                    return match draft.kind {
                        DraftKind::Staged => commit(state, None),
                        _ => vec![send(
                            state,
                            Request::Execute {
                                commands: draft.commands,
                                intent: Intent::Apply,
                            },
                        )],
                    };
                }
                let staged = if draft.kind == DraftKind::Bulk {
                    state.staging.edits.len()
                } else {
                    0
                };
                state.overlays.push(Overlay::Bulk(Box::new(BulkConfirm::new(
                    draft,
                    *projection,
                    staged,
                ))));
            }
            Err(e) => {
                reopen_submitting_form(state);
                state.set_status(e, Level::Error);
            }
        },
        (Intent::Confirm(draft), Err(refused)) if draft.kind == DraftKind::Edit => {
            return refused_here(state, refused);
        }
        (Intent::Confirm(draft), Err(refused)) => {
            state.overlays.push(Overlay::Message(Message::new(
                draft.title,
                vec![
                    format!("Refused: {}", refused.message),
                    "Nothing was staged or committed.".into(),
                ],
                true,
            )));
        }
        (Intent::Stage { .. }, Err(refused)) => return refused_here(state, refused),
        // Never rehearsed.
        (Intent::Apply | Intent::Commit(_), _) => {}
    }
    Vec::new()
}

/// The staged edits' new projection.
fn install(state: &mut State, rehearsal: Rehearsal) {
    match rehearsal.projection {
        Ok(projection) => {
            state.staging.projection = Some(*projection);
            state.staging.problem = None;
        }
        Err(e) => {
            state.staging.projection = None;
            state.staging.problem = Some(e);
        }
    }
}

pub fn executed(state: &mut State, intent: Intent, result: Result<Done, Refused>) -> Vec<Effect> {
    let done = match result {
        Ok(done) => done,
        Err(refused) => {
            match intent {
                Intent::Commit(Some(draft)) if draft.kind == DraftKind::Edit => {
                    return refused_here(state, refused);
                }
                Intent::Commit(draft) => {
                    let title = draft.map_or_else(|| "Commit".to_string(), |d| d.title);
                    state.overlays.push(Overlay::Message(Message::new(
                        format!("{title}: nothing was committed"),
                        vec![
                            refused.message,
                            String::new(),
                            "Every change was rolled back. The marks and the staged edits are kept."
                                .into(),
                        ],
                        true,
                    )));
                }
                _ => return refused_here(state, refused),
            }
            return Vec::new();
        }
    };
    if let Some((tab, key)) = super::listing::created(&done.changes) {
        state.tab = tab;
        state.focus_created = Some((tab, key));
    }
    let kind = match &intent {
        Intent::Commit(Some(draft)) => Some(draft.kind),
        Intent::Commit(None) => Some(DraftKind::Staged),
        _ => None,
    };
    match (intent, kind) {
        (Intent::Commit(draft), Some(DraftKind::Bulk | DraftKind::Staged | DraftKind::Undo)) => {
            if kind != Some(DraftKind::Undo) {
                state.staging.clear();
            }
            if let Some(draft) = draft.filter(|d| d.kind != DraftKind::Staged) {
                if draft.kind == DraftKind::Bulk {
                    state.marks.clear();
                }
                state.overlays.push(Overlay::Message(Message::new(
                    format!("{}: done", draft.title),
                    report(&draft, &done),
                    false,
                )));
            }
            state.set_status(format!("committed: {}", done.summary), Level::Info);
        }
        _ => {
            close_submitting_form(state);
            let mut text = if done.changes.is_empty() {
                "nothing to change".to_string()
            } else {
                format!("done: {}", done.summary)
            };
            let skipped = done.skipped();
            if !skipped.is_empty() {
                text.push_str(&format!(" (skipped {})", skipped.join("; ")));
            }
            state.set_status(text, Level::Info);
        }
    }
    Vec::new()
}

/// Per user asked for: what was done, or why nothing was.
pub fn report(draft: &Draft, done: &Done) -> Vec<String> {
    let users = crate::service::report::per_user(&draft.users, &done.changes, &done.notes);
    let mut lines = vec![
        format!(
            "{} · audit record #{}",
            crate::service::report::totals(&users),
            done.audit.map_or(0, |a| a.0)
        ),
        String::new(),
    ];
    lines.extend(users.iter().map(crate::service::report::line));
    lines
}
