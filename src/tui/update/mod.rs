//! `update(state, msg) -> effects`: the console's only state transition. Pure: it changes the
//! state and returns what the loop must do (send a request to the store worker, quit,
//! suspend, copy to the clipboard), so every flow is testable without a terminal. Replies from
//! the worker are handled here; keys in `keys.rs`; actions that open forms, pickers and
//! confirmations in `actions.rs`; the lists' order, filter and cursor in `listing.rs`.

mod access;
mod actions;
mod catalog;
mod command;
mod keys;
pub mod listing;
mod marking;
mod pickers;
mod setup;
pub mod write;

use std::collections::HashSet;

use super::event::{Msg, Signal};
use super::forms::Form;
use super::state::{Level, Screen, Session, SignIn, State, Tab};
use super::worker::{Reply, Request};

/// Every `:` command the console's command line knows (for completion, and for checking that
/// what the command line of the shell can do, the console can do).
pub fn commands() -> Vec<&'static str> {
    command::COMMANDS
        .iter()
        .chain(setup::COMMANDS.iter())
        .copied()
        .collect()
}

/// What the loop must do after an update.
#[derive(Debug)]
pub enum Effect {
    Send(Request),
    Quit,
    /// Ctrl-z: give the terminal back and stop until continued.
    Suspend,
    /// Copy text to the clipboard (OSC 52); only ever text that is safe to paste.
    Copy(crate::text::PasteSafe),
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a request: some carry passwords.
        f.write_str(match self {
            Request::Open => "Open",
            Request::CreateStore { .. } => "CreateStore",
            Request::PeerSignIn => "PeerSignIn",
            Request::SignIn { .. } => "SignIn",
            Request::Load => "Load",
            Request::Execute { .. } => "Execute",
            Request::Rehearse { .. } => "Rehearse",
            Request::SetPassword { .. } => "SetPassword",
            Request::ChangeOwnPassword { .. } => "ChangeOwnPassword",
            Request::CreateToken { .. } => "CreateToken",
            Request::Tokens { .. } => "Tokens",
            Request::NewestUndo => "NewestUndo",
            Request::Export { .. } => "Export",
            Request::AuditSearch { .. } => "AuditSearch",
            Request::RehearseImport { .. } => "RehearseImport",
            Request::Import { .. } => "Import",
            Request::StoreEvent(_) => "StoreEvent",
        })
    }
}

/// Sends a request, counting it as pending (the spinner runs until it finishes).
pub(crate) fn send(state: &mut State, request: Request) -> Effect {
    state.pending += 1;
    state.dirty = true;
    Effect::Send(request)
}

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Resize(w, h) => {
            state.size = (w, h);
            for tab in Tab::ALL {
                listing::keep_visible(state, tab);
            }
            state.dirty = true;
            Vec::new()
        }
        Msg::Tick(now) => {
            let minute_changed = now.0 / 60_000 != state.now.0 / 60_000;
            // Asked before the clock moves, so a badge that just ran out is redrawn away.
            let counting = state.countdown_on_screen();
            state.now = now;
            if state.pending > 0 {
                state.spinner = state.spinner.wrapping_add(1);
                state.dirty = true;
            }
            // Lock badges count down in minutes; with none on screen an idle console stays
            // silent.
            if minute_changed && counting {
                state.dirty = true;
            }
            Vec::new()
        }
        Msg::Signal(Signal::Hangup | Signal::Terminate) => {
            state.quit = true;
            vec![Effect::Quit]
        }
        Msg::Reply(reply) => reply_received(state, reply),
        Msg::Key(key) => keys::key(state, &key),
    }
}

fn reply_received(state: &mut State, reply: Reply) -> Vec<Effect> {
    state.dirty = true;
    match reply {
        Reply::Finished => state.pending = state.pending.saturating_sub(1),
        Reply::Opened { peer } => {
            if state.read_only {
                state.session = Some(Session {
                    operator: None,
                    read_only: true,
                    held: HashSet::new(),
                });
            } else {
                state.screen = Screen::SignIn(SignIn {
                    on_peer: peer.is_some(),
                    peer,
                    form: Form::sign_in(),
                });
            }
        }
        Reply::NoStore { admin } => {
            let mut form = Form::first_run(&admin);
            form.validate(&crate::policy::Policy::from_values(&Default::default()).password);
            state.screen = Screen::FirstRun(form);
        }
        Reply::Failed(message) => match state.screen {
            Screen::Main => state.set_status(message, Level::Error),
            _ => state.screen = Screen::Failed(message),
        },
        Reply::SignedIn(operator) => {
            state.session = Some(Session {
                operator: Some(operator),
                read_only: false,
                held: HashSet::new(),
            });
            state.enter_main();
        }
        Reply::SignInRefused(message) => match &mut state.screen {
            Screen::SignIn(sign_in) => {
                sign_in.form.submitting = false;
                sign_in.form.error = Some(message);
                if let Some(field) = sign_in.form.field_mut("password") {
                    field.value.clear();
                    field.cursor = 0;
                }
            }
            Screen::FirstRun(form) => {
                form.submitting = false;
                form.error = Some(message);
            }
            _ => state.set_status(message, Level::Error),
        },
        Reply::Loaded(data) => {
            listing::replace_data(state, *data);
            return fresh_data(state);
        }
        Reply::CaughtUp { delta, engine, at } => {
            listing::change_data(state, |slot| {
                if let Some(data) = slot.as_mut() {
                    data.catch_up(*delta, engine, at);
                    data.index();
                }
            });
            return fresh_data(state);
        }
        Reply::Executed { intent, result } => return write::executed(state, intent, result),
        Reply::Rehearsed { intent, result } => return write::rehearsed(state, intent, result),
        Reply::ChangedElsewhere => {
            state.set_status("the store was changed elsewhere; reloaded", Level::Info);
        }
        // What is on screen (forms, marks, staged edits) stays: nothing is lost while the
        // server is away, and a write tried meanwhile says it failed.
        Reply::ConnectionLost(message) => {
            state.set_status(
                format!("connection lost, reconnecting… ({message})"),
                Level::Error,
            );
        }
        Reply::Reconnected => {
            state.set_status("reconnected to the store; reloaded", Level::Info);
        }
        Reply::TokenCreated { client, token } => catalog::token_created(state, client, &token),
        Reply::UndoOffered(offer) => return write::undo_offered(state, offer),
        Reply::AuditFound(Ok(found)) => listing::merge_audit(state, found),
        Reply::AuditFound(Err(why)) => state.set_status(why, Level::Error),
        Reply::Exported(Ok(done)) => state.set_status(done, Level::Info),
        Reply::Exported(Err(why)) => state.set_status(why, Level::Error),
        Reply::ImportRehearsed(Ok(review)) => {
            let name = review
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            state.set_status(
                format!("import {name}: review it, then c to commit or esc to cancel"),
                Level::Info,
            );
            state.overlays.push(super::overlay::Overlay::Import(review));
        }
        Reply::ImportRehearsed(Err(why)) => state.set_status(why, Level::Error),
        Reply::Tokens { client, result } => match result {
            Ok(tokens) => catalog::tokens_listed(state, client, tokens),
            Err(message) => state.set_status(message, Level::Error),
        },
    }
    Vec::new()
}

/// After fresh data: the main screen once the first load is in, marks on users that are gone
/// dropped, and what is staged projected again over it.
fn fresh_data(state: &mut State) -> Vec<Effect> {
    write::rebase_forms(state);
    if matches!(state.screen, Screen::Opening) {
        state.enter_main();
    }
    let gone = match state.data.as_ref() {
        Some(data) => state
            .marks
            .retain_existing(|id| data.user_rows.contains_key(&id)),
        None => 0,
    };
    if gone > 0 {
        state.set_status(
            format!(
                "{gone} marked user{} no longer exist{}",
                if gone == 1 { "" } else { "s" },
                if gone == 1 { "s" } else { "" }
            ),
            Level::Info,
        );
    }
    marking::recount(state);
    write::refresh(state)
}
