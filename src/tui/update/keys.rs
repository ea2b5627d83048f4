//! Keys: to the screen when not signed in, to the top overlay when one is open, to the filter
//! while typing one, and otherwise through the keymap to an action.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::super::bulk::BulkEvent;
use super::super::forms::{FormEvent, Submission};
use super::super::import::ImportEvent;
use super::super::inspect::AccessEvent;
use super::super::intent::DraftKind;
use super::super::keymap::{Action, Key};
use super::super::overlay::{OnConfirm, Overlay, PickEvent};
use super::super::review::ReviewEvent;
use super::super::staging::StagedEdit;
use super::super::state::{Level, Screen, State, Tab};
use super::super::worker::Request;
use super::{Effect, actions, listing, marking, send, write};

pub fn key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    // Ctrl-c quits from anywhere (raw mode turns it into a key); Ctrl-z suspends.
    if ctrl && key.code == KeyCode::Char('c') {
        state.quit = true;
        return vec![Effect::Quit];
    }
    if ctrl && key.code == KeyCode::Char('z') {
        return vec![Effect::Suspend];
    }
    // Below the smallest size nothing is shown but one line: a key acting there would act
    // unseen. Only quitting (and a resize, which is not a key) does anything.
    if super::super::view::layout::too_small(state.size) {
        if key.code == KeyCode::Char('q') {
            return super::command::quit(state, false);
        }
        return Vec::new();
    }
    state.dirty = true;
    match &mut state.screen {
        Screen::Opening | Screen::Failed(_) => {
            if matches!(key.code, KeyCode::Char('q') | KeyCode::Esc | KeyCode::Enter) {
                state.quit = true;
                return vec![Effect::Quit];
            }
            Vec::new()
        }
        Screen::FirstRun(form) => {
            let event = form.handle_key(key);
            form.validate(&crate::policy::Policy::from_values(&Default::default()).password);
            match event {
                FormEvent::Cancel => {
                    state.quit = true;
                    vec![Effect::Quit]
                }
                FormEvent::Submit => match form.submission() {
                    Ok(Submission::CreateStore { admin, password }) => {
                        form.submitting = true;
                        form.error = None;
                        vec![send(
                            state,
                            Request::CreateStore {
                                admin,
                                password: password.into(),
                            },
                        )]
                    }
                    Ok(_) => Vec::new(),
                    Err(message) => {
                        form.refused(message);
                        Vec::new()
                    }
                },
                _ => Vec::new(),
            }
        }
        Screen::SignIn(sign_in) => {
            if sign_in.on_peer {
                return match key.code {
                    KeyCode::Enter => vec![send(state, Request::PeerSignIn)],
                    KeyCode::Tab | KeyCode::Down => {
                        sign_in.on_peer = false;
                        Vec::new()
                    }
                    KeyCode::Esc | KeyCode::Char('q') => {
                        state.quit = true;
                        vec![Effect::Quit]
                    }
                    _ => Vec::new(),
                };
            }
            if key.code == KeyCode::BackTab && sign_in.form.focus == 0 && sign_in.peer.is_some() {
                sign_in.on_peer = true;
                return Vec::new();
            }
            match sign_in.form.handle_key(key) {
                FormEvent::Cancel if sign_in.peer.is_some() => {
                    sign_in.on_peer = true;
                    Vec::new()
                }
                FormEvent::Cancel => {
                    state.quit = true;
                    vec![Effect::Quit]
                }
                FormEvent::Submit => match sign_in.form.submission() {
                    Ok(Submission::SignIn { username, password }) if !username.is_empty() => {
                        sign_in.form.submitting = true;
                        sign_in.form.error = None;
                        vec![send(
                            state,
                            Request::SignIn {
                                username,
                                password: password.into(),
                            },
                        )]
                    }
                    _ => {
                        sign_in.form.error =
                            Some("type an operator's username and password".into());
                        Vec::new()
                    }
                },
                _ => Vec::new(),
            }
        }
        Screen::Main => main_key(state, key),
    }
}

fn main_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    state.status = None;
    if !state.overlays.is_empty() {
        return overlay_key(state, key);
    }
    let tab = state.tab;
    if state.listing(tab).editing {
        return filter_key(state, key);
    }
    let Some(action) = state.keymap.action(Key::from_event(key), tab.context()) else {
        return Vec::new();
    };
    action_taken(state, action)
}

fn filter_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    let tab = state.tab;
    let listing = state.listing_mut(tab);
    match key.code {
        KeyCode::Esc => {
            listing.editing = false;
            listing.filter.query.clear();
        }
        KeyCode::Enter | KeyCode::Down | KeyCode::Up => listing.editing = false,
        KeyCode::Backspace => {
            listing.filter.query.pop();
        }
        // Readline's line and word erase.
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            listing.filter.query.clear()
        }
        KeyCode::Char('w') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            let query = &mut listing.filter.query;
            let kept = query.trim_end().rfind(' ').map_or(0, |at| at + 1);
            query.truncate(kept);
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            listing.filter.query.push(c);
        }
        // A term's value (`role:ana` → `role:analytics.auditor`), on the Users tab.
        KeyCode::Tab if tab == Tab::Users => {
            let completed = state.data.as_ref().and_then(|data| {
                super::super::terms::complete(&state.listings[tab.index()].filter.query, data)
            });
            match completed {
                Some(query) => state.listing_mut(tab).filter.query = query,
                None => return Vec::new(),
            }
        }
        _ => return Vec::new(),
    }
    listing::refilter(state, tab);
    // A new query puts the best match under the cursor.
    let listing = state.listing_mut(tab);
    listing.cursor = 0;
    listing.offset = 0;
    // Audit terms kept with Enter ask the store too: the console holds only the newest
    // records, the question is about the whole trail.
    if tab == Tab::Audit && key.code == KeyCode::Enter {
        let parsed = super::super::audit_terms::parse(&state.listing(tab).filter.query);
        if parsed.has_terms() && parsed.problems.is_empty() {
            return vec![send(
                state,
                Request::AuditSearch {
                    query: parsed.query,
                },
            )];
        }
    }
    Vec::new()
}

pub fn action_taken(state: &mut State, action: Action) -> Vec<Effect> {
    let tab = state.tab;
    let page = super::super::view::layout::list_rows(state.size) as isize;
    match action {
        Action::Quit => return super::command::quit(state, false),
        Action::Help => state.overlays.push(Overlay::Help(Default::default())),
        Action::CommandLine => state.overlays.push(Overlay::Command(Default::default())),
        Action::Filter => state.listing_mut(tab).editing = true,
        Action::NextTab => state.tab = Tab::ALL[(tab.index() + 1) % Tab::ALL.len()],
        Action::PrevTab => {
            state.tab = Tab::ALL[(tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len()]
        }
        Action::Tab1 => state.tab = Tab::Users,
        Action::Tab2 => state.tab = Tab::Groups,
        Action::Tab3 => state.tab = Tab::Roles,
        Action::Tab4 => state.tab = Tab::Permissions,
        Action::Tab5 => state.tab = Tab::Audit,
        Action::Tab6 => state.tab = Tab::Apps,
        Action::Up => listing::move_cursor(state, -1),
        Action::Down => listing::move_cursor(state, 1),
        Action::PageUp => listing::move_cursor(state, -page),
        Action::PageDown => listing::move_cursor(state, page),
        Action::Top => listing::move_to(state, false),
        Action::Bottom => listing::move_to(state, true),
        Action::Back => {
            let listing = state.listing_mut(tab);
            if !listing.filter.query.is_empty() {
                listing.filter.query.clear();
                listing::refilter(state, tab);
            } else if tab == Tab::Users {
                marking::clear(state);
            }
        }
        Action::Mark => marking::mark(state),
        Action::MarkRange => marking::range(state),
        Action::MarkAll => marking::mark_all(state),
        Action::InvertMarks => marking::invert(state),
        Action::WhyNot => return actions::start(state, action),
        Action::Sort | Action::SortReverse => {
            let columns = tab.columns().len();
            let listing = state.listing_mut(tab);
            if action == Action::Sort {
                listing.sort_column = (listing.sort_column + 1) % columns;
                listing.descending = false;
            } else {
                listing.descending = !listing.descending;
            }
            listing::resort(state, tab);
        }
        Action::Refresh => return vec![send(state, Request::Load)],
        Action::Copy => {
            if let Some(name) = actions::focused_name(state) {
                let copy = crate::text::PasteSafe::new(&name);
                if copy.was_escaped() {
                    state.set_status(
                        format!(
                            "copied {} — escaped: the name holds control or invisible characters that would act when pasted",
                            copy.as_str()
                        ),
                        Level::Error,
                    );
                } else {
                    state.set_status(format!("copied {name}"), Level::Info);
                }
                return vec![Effect::Copy(copy)];
            }
        }
        Action::Open => actions::open(state),
        Action::Review if state.refusal(action).is_none() => {
            if state.staging.is_empty() {
                state.set_status(
                    "nothing is staged (ctrl-t stages edits instead of applying them)",
                    Level::Info,
                );
            } else {
                state.overlays.push(Overlay::Review(Default::default()));
            }
        }
        Action::ToggleStaging if state.refusal(action).is_none() => {
            state.staging.on = !state.staging.on;
            let text = if state.staging.on {
                "staging: edits are collected for review (R) instead of applied"
            } else {
                "staging off: edits apply at once (what is staged stays staged)"
            };
            state.set_status(text, Level::Info);
        }
        Action::Undo if state.refusal(action).is_none() => return write::undo(state),
        other => {
            if let Some(reason) = state.refusal(other) {
                state.set_status(
                    format!(
                        "{}: {reason}",
                        super::super::keymap::spec(other).description
                    ),
                    Level::Error,
                );
                return Vec::new();
            }
            return actions::start(state, other);
        }
    }
    Vec::new()
}

fn overlay_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    let Some(top) = state.overlays.last_mut() else {
        return Vec::new();
    };
    match top {
        Overlay::Help(help) => {
            match key.code {
                KeyCode::Esc | KeyCode::Char('?') if help.query.is_empty() => {
                    state.overlays.pop();
                }
                KeyCode::Esc => help.query.clear(),
                KeyCode::Down => help.scroll += 1,
                KeyCode::Up => help.scroll = help.scroll.saturating_sub(1),
                KeyCode::Backspace => {
                    help.query.pop();
                    help.scroll = 0;
                }
                KeyCode::Char(c) => {
                    help.query.push(c);
                    help.scroll = 0;
                }
                _ => {}
            }
            Vec::new()
        }
        Overlay::Message(message) => {
            match key.code {
                KeyCode::Down | KeyCode::Char('j') => message.scroll += 1,
                KeyCode::Up | KeyCode::Char('k') => {
                    message.scroll = message.scroll.saturating_sub(1)
                }
                KeyCode::PageDown => message.scroll += 10,
                KeyCode::PageUp => message.scroll = message.scroll.saturating_sub(10),
                _ => {
                    state.overlays.pop();
                }
            }
            Vec::new()
        }
        Overlay::Command(_) => super::command::key(state, key),
        Overlay::Confirm(confirm) => match confirm.handle_key(key) {
            None => Vec::new(),
            Some(false) => {
                state.overlays.pop();
                Vec::new()
            }
            Some(true) => {
                let Some(Overlay::Confirm(confirm)) = state.overlays.pop() else {
                    return Vec::new();
                };
                match confirm.action {
                    OnConfirm::Discard => {
                        write::discard(state);
                        state.overlays.retain(|o| !matches!(o, Overlay::Review(_)));
                        Vec::new()
                    }
                    OnConfirm::DiscardForm => {
                        state.overlays.pop();
                        Vec::new()
                    }
                    OnConfirm::Quit => super::command::quit(state, true),
                }
            }
        },
        Overlay::Picker(picker) => match picker.handle_key(key, &mut state.matcher) {
            PickEvent::Nothing => Vec::new(),
            PickEvent::Cancel => {
                state.overlays.pop();
                Vec::new()
            }
            PickEvent::Done => {
                let Some(Overlay::Picker(picker)) = state.overlays.pop() else {
                    return Vec::new();
                };
                super::pickers::picked(state, picker)
            }
        },
        Overlay::Bulk(bulk) => match bulk.handle_key(key) {
            BulkEvent::Nothing => Vec::new(),
            BulkEvent::Cancel => {
                state.overlays.pop();
                write::reopen_submitting_form(state);
                state.set_status("cancelled: nothing was changed", Level::Info);
                Vec::new()
            }
            event @ (BulkEvent::Stage | BulkEvent::Commit) => {
                let Some(Overlay::Bulk(bulk)) = state.overlays.pop() else {
                    return Vec::new();
                };
                let draft = bulk.draft;
                if matches!(event, BulkEvent::Commit) {
                    return write::commit(state, Some(draft));
                }
                let label = draft.title.clone();
                state.staging.edits.push(StagedEdit {
                    label: label.clone(),
                    commands: draft.commands,
                });
                state.set_status(format!("staged: {label} (R to review)"), Level::Info);
                if draft.kind == DraftKind::Bulk {
                    // A bulk edit's projection was made after what is staged: it is at hand.
                    state.staging.projection = Some(bulk.projection);
                    state.staging.problem = None;
                    state.marks.clear();
                    return Vec::new();
                }
                // One edit was projected alone: the form that sent it is done, and what is
                // staged is projected again with it.
                if let Some(Overlay::Form(form)) = state.overlays.last() {
                    if form.submitting {
                        state.overlays.pop();
                    }
                }
                write::refresh(state)
            }
        },
        Overlay::Import(review) => match review.handle_key(key) {
            ImportEvent::Nothing => Vec::new(),
            ImportEvent::Cancel => {
                state.overlays.pop();
                state.set_status("import cancelled: nothing was changed", Level::Info);
                Vec::new()
            }
            ImportEvent::Refused(why) => {
                state.set_status(why, Level::Error);
                Vec::new()
            }
            ImportEvent::Commit => {
                let Some(Overlay::Import(review)) = state.overlays.pop() else {
                    return Vec::new();
                };
                state.set_status(format!("importing {}…", review.path.display()), Level::Info);
                vec![super::send(
                    state,
                    Request::Import {
                        sources: review.sources,
                        on_conflict: review.on_conflict,
                    },
                )]
            }
        },
        Overlay::Review(review) => {
            let edits = state.staging.edits.len();
            match review.handle_key(key, edits) {
                ReviewEvent::Nothing => Vec::new(),
                ReviewEvent::Close => {
                    state.overlays.pop();
                    Vec::new()
                }
                ReviewEvent::Unstage(at) => {
                    let effects = write::unstage(state, at);
                    if state.staging.is_empty() {
                        state.overlays.pop();
                    } else if let Some(Overlay::Review(review)) = state.overlays.last_mut() {
                        review.cursor = review.cursor.min(state.staging.edits.len() - 1);
                    }
                    effects
                }
                ReviewEvent::Commit => {
                    state.overlays.pop();
                    write::commit_staged(state)
                }
                ReviewEvent::Discard => {
                    state
                        .overlays
                        .push(Overlay::Confirm(super::super::overlay::Confirm::new(
                            "Discard every staged edit?".into(),
                            vec![format!(
                                "{} staged edit(s) will be dropped; nothing was written yet.",
                                edits
                            )],
                            "Discard",
                            true,
                            OnConfirm::Discard,
                        )));
                    Vec::new()
                }
            }
        }
        Overlay::Access(list) => match list.handle_key(key) {
            AccessEvent::Nothing => Vec::new(),
            AccessEvent::Close => {
                state.overlays.pop();
                Vec::new()
            }
            AccessEvent::Explain(at) => {
                super::access::explain(state, at);
                Vec::new()
            }
        },
        Overlay::Form(form) => {
            if form.submitting {
                return Vec::new();
            }
            let event = form.handle_key(key);
            if let Some(data) = &state.data {
                form.validate(&data.policy.password);
            }
            match event {
                FormEvent::Cancel if form.dirty => {
                    state
                        .overlays
                        .push(Overlay::Confirm(super::super::overlay::Confirm::new(
                            "Discard your changes?".into(),
                            vec!["The form has changes that are not saved.".into()],
                            "Discard",
                            false,
                            OnConfirm::DiscardForm,
                        )));
                    Vec::new()
                }
                FormEvent::Cancel => {
                    state.overlays.pop();
                    Vec::new()
                }
                FormEvent::Submit => match form.submission() {
                    Ok(Submission::Commands(commands)) => {
                        form.submitting = true;
                        form.error = None;
                        write::apply_or_stage(state, commands)
                    }
                    Ok(Submission::SetPassword {
                        username,
                        password,
                        temporary,
                    }) => {
                        form.submitting = true;
                        form.error = None;
                        vec![send(
                            state,
                            Request::SetPassword {
                                username,
                                password: password.into(),
                                temporary,
                            },
                        )]
                    }
                    Ok(Submission::ChangeOwnPassword { current, password }) => {
                        form.submitting = true;
                        form.error = None;
                        vec![send(
                            state,
                            Request::ChangeOwnPassword {
                                current: current.map(Into::into),
                                password: password.into(),
                            },
                        )]
                    }
                    Ok(Submission::CreateToken { client, name }) => {
                        form.submitting = true;
                        form.error = None;
                        vec![send(state, Request::CreateToken { client, name })]
                    }
                    // The form stays while its grants are picked; the picker sends the role.
                    Ok(Submission::PickGrants(role)) => {
                        form.error = None;
                        super::catalog::new_role_grants(state, role);
                        Vec::new()
                    }
                    Ok(_) => Vec::new(),
                    Err(message) => {
                        form.refused(message);
                        Vec::new()
                    }
                },
                _ => Vec::new(),
            }
        }
    }
}
