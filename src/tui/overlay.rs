//! Overlays: a stack of windows over the tabs, the top one taking the keys — help (generated
//! from the action table, filterable), confirmations (Cancel focused: Enter alone never
//! deletes), forms, pickers (fuzzy, several choices), the `:` command line, and messages.

use std::collections::BTreeSet;

use nucleo_matcher::Matcher;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::bulk::BulkConfirm;
use super::filter::Filter;
use super::forms::Form;
use super::inspect::AccessList;
use super::review::Review;
use crate::service::{GroupRef, NewRole};

pub enum Overlay {
    Help(Help),
    Confirm(Confirm),
    Form(Form),
    Picker(Picker),
    Command(CommandLine),
    Message(Message),
    Bulk(Box<BulkConfirm>),
    Review(Review),
    Access(AccessList),
    Import(Box<super::import::ImportReview>),
}

/// The help overlay: every action, filterable.
#[derive(Clone, Debug, Default)]
pub struct Help {
    pub query: String,
    pub scroll: usize,
}

/// What confirming does.
#[derive(Debug)]
pub enum OnConfirm {
    /// Close the form under this confirmation, losing its edits.
    DiscardForm,
    /// Drop every staged edit.
    Discard,
    /// Quit, losing what is staged.
    Quit,
}

pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    pub confirm_label: String,
    pub danger: bool,
    /// Focus is on the confirming button (it starts on Cancel).
    pub on_confirm_focused: bool,
    pub action: OnConfirm,
}

impl Confirm {
    pub fn new(
        title: String,
        lines: Vec<String>,
        confirm_label: &str,
        danger: bool,
        action: OnConfirm,
    ) -> Confirm {
        Confirm {
            title,
            lines,
            confirm_label: confirm_label.to_string(),
            danger,
            on_confirm_focused: false,
            action,
        }
    }

    /// `Some(true)` confirmed, `Some(false)` cancelled, `None` still open.
    pub fn handle_key(&mut self, key: &KeyEvent) -> Option<bool> {
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => Some(false),
            KeyCode::Tab
            | KeyCode::BackTab
            | KeyCode::Left
            | KeyCode::Right
            | KeyCode::Char('h')
            | KeyCode::Char('l') => {
                self.on_confirm_focused = !self.on_confirm_focused;
                None
            }
            KeyCode::Enter => Some(self.on_confirm_focused),
            _ => None,
        }
    }
}

/// The users a Users-tab action is for: the marked ones (a bulk action), or the focused one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub users: Vec<String>,
    pub ids: Vec<crate::model::UserId>,
    /// How many of them the filter hides.
    pub hidden: usize,
    /// Marked users: preview and confirm before anything is written.
    pub bulk: bool,
}

/// What a picker's choices are for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PickPurpose {
    AssignRoles(Target),
    UnassignRoles(Target),
    /// Replace a role: first which one…
    ReplaceFrom(Target),
    /// …then by which.
    ReplaceWith {
        target: Target,
        from: PickItem,
    },
    AddToGroups(Target),
    RemoveFromGroups(Target),
    /// A permission to ask why-not about.
    WhyNot {
        user: crate::model::UserId,
        username: String,
    },
    AddMembers {
        group: GroupRef,
    },
    RemoveMembers {
        group: GroupRef,
    },
    AddGroupRoles {
        group: GroupRef,
    },
    RemoveGroupRoles {
        group: GroupRef,
    },
    /// Permissions to grant a role, at the picked stage.
    Grant {
        role: String,
    },
    /// Grants to revoke, each at its own scope.
    Revoke {
        role: String,
    },
    Include {
        role: String,
    },
    Exclude {
        role: String,
    },
    Imply {
        permission: String,
    },
    Unimply {
        permission: String,
    },
    /// The first grants of a role being created (its form waits underneath).
    NewRoleGrants {
        role: Box<NewRole>,
    },
    /// A policy setting to edit.
    Setting,
    /// A new token for the API client, or one of its tokens to revoke.
    Tokens {
        client: String,
    },
}

/// One choice: the name the command takes, and the text shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PickItem {
    pub value: String,
    pub label: String,
    /// For taking away a role: the scope it is held at.
    pub stage: Option<String>,
    pub app: Option<String>,
}

pub struct Picker {
    pub title: String,
    pub items: Vec<PickItem>,
    haystacks: Vec<String>,
    pub filter: Filter,
    /// Indices into `items` the filter keeps.
    pub visible: Vec<u32>,
    pub cursor: usize,
    pub chosen: BTreeSet<usize>,
    pub purpose: PickPurpose,
    /// Stages a role can be assigned in (`None` = every stage); cycled with Tab.
    pub stages: Vec<Option<String>>,
    pub stage: usize,
}

/// What a key did to a picker.
#[derive(Debug, PartialEq, Eq)]
pub enum PickEvent {
    Done,
    Cancel,
    Nothing,
}

impl Picker {
    pub fn new(
        title: String,
        items: Vec<PickItem>,
        purpose: PickPurpose,
        stages: Vec<Option<String>>,
    ) -> Picker {
        let haystacks = items.iter().map(|i| i.label.clone()).collect();
        let visible = (0..items.len() as u32).collect();
        Picker {
            title,
            items,
            haystacks,
            filter: Filter::default(),
            visible,
            cursor: 0,
            chosen: BTreeSet::new(),
            purpose,
            stages,
            stage: 0,
        }
    }

    /// The scope role assignments get, when the picker offers one.
    pub fn stage(&self) -> Option<String> {
        self.stages.get(self.stage).cloned().flatten()
    }

    pub fn handle_key(&mut self, key: &KeyEvent, matcher: &mut Matcher) -> PickEvent {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return PickEvent::Cancel,
            KeyCode::Enter => return PickEvent::Done,
            KeyCode::Char('s') if ctrl => return PickEvent::Done,
            KeyCode::Up => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Down => {
                self.cursor = (self.cursor + 1).min(self.visible.len().saturating_sub(1))
            }
            KeyCode::Tab if !self.stages.is_empty() => {
                self.stage = (self.stage + 1) % self.stages.len()
            }
            KeyCode::Char(' ') => {
                if let Some(&i) = self.visible.get(self.cursor) {
                    let i = i as usize;
                    if !self.chosen.remove(&i) {
                        self.chosen.insert(i);
                    }
                    self.cursor = (self.cursor + 1).min(self.visible.len().saturating_sub(1));
                }
            }
            KeyCode::Backspace => {
                self.filter.query.pop();
                self.refilter(matcher);
            }
            KeyCode::Char(c) if !ctrl => {
                self.filter.query.push(c);
                self.refilter(matcher);
            }
            _ => {}
        }
        PickEvent::Nothing
    }

    fn refilter(&mut self, matcher: &mut Matcher) {
        let all: Vec<u32> = (0..self.items.len() as u32).collect();
        self.visible = self.filter.apply(&all, &self.haystacks, matcher);
        self.cursor = 0;
    }

    /// The chosen items, or the focused one when none was chosen.
    pub fn picked(&self) -> Vec<&PickItem> {
        if self.chosen.is_empty() {
            self.visible
                .get(self.cursor)
                .map(|&i| vec![&self.items[i as usize]])
                .unwrap_or_default()
        } else {
            self.chosen.iter().map(|&i| &self.items[i]).collect()
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct CommandLine {
    pub input: String,
    /// The history entry shown, while ↑/↓ walk it.
    pub recalled: Option<usize>,
}

/// A scrollable message or record view.
#[derive(Clone, Debug)]
pub struct Message {
    pub title: String,
    pub lines: Vec<String>,
    pub error: bool,
    pub scroll: usize,
}

impl Message {
    pub fn new(title: impl Into<String>, lines: Vec<String>, error: bool) -> Message {
        Message {
            title: title.into(),
            lines,
            error,
            scroll: 0,
        }
    }
}
