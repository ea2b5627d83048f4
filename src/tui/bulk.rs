//! The confirmation of a bulk action (or an undo): what it is, whom it reaches (`3 users (1
//! hidden by filter)`), what it does to access, and three buttons — Cancel (focused), Stage,
//! Commit. When the change's consent asks for it (many users, or a User management permission
//! gained), the count of users whose access changes must be typed before Stage or Commit does
//! anything.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::intent::{Draft, DraftKind};
use super::staging::Projection;

pub struct BulkConfirm {
    pub draft: Draft,
    /// What the draft does, together with the edits staged before it.
    pub projection: Projection,
    /// Edits already staged (a commit takes them too).
    pub staged: usize,
    /// The count to type, when one is asked for.
    pub required: Option<usize>,
    pub typed: String,
    pub focus: Button,
    pub scroll: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Button {
    Cancel,
    Stage,
    Commit,
}

pub enum BulkEvent {
    Nothing,
    Cancel,
    Stage,
    Commit,
}

impl BulkConfirm {
    pub fn new(draft: Draft, projection: Projection, staged: usize) -> BulkConfirm {
        let required = projection.consent.typed_count();
        BulkConfirm {
            draft,
            projection,
            staged,
            required,
            typed: String::new(),
            focus: Button::Cancel,
            scroll: 0,
        }
    }

    /// The buttons on offer: an undo, or what is already staged, is committed or not.
    pub fn buttons(&self) -> &'static [Button] {
        match self.draft.kind {
            DraftKind::Undo | DraftKind::Staged => &[Button::Cancel, Button::Commit],
            DraftKind::Bulk | DraftKind::Edit | DraftKind::Destructive => {
                &[Button::Cancel, Button::Stage, Button::Commit]
            }
        }
    }

    /// Whether the typed count (when one is asked for) is right.
    pub fn count_ok(&self) -> bool {
        self.projection.consent.given_by(&self.typed)
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> BulkEvent {
        let buttons = self.buttons();
        let at = buttons.iter().position(|b| *b == self.focus).unwrap_or(0);
        match key.code {
            KeyCode::Esc => return BulkEvent::Cancel,
            KeyCode::Tab | KeyCode::Right => self.focus = buttons[(at + 1) % buttons.len()],
            KeyCode::BackTab | KeyCode::Left => {
                self.focus = buttons[(at + buttons.len() - 1) % buttons.len()]
            }
            KeyCode::Down | KeyCode::Char('j') => self.scroll += 1,
            KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::Char(c) if c.is_ascii_digit() && self.required.is_some() => self.typed.push(c),
            KeyCode::Backspace => {
                self.typed.pop();
            }
            KeyCode::Enter => {
                return match self.focus {
                    Button::Cancel => BulkEvent::Cancel,
                    _ if !self.count_ok() => BulkEvent::Nothing,
                    Button::Stage => BulkEvent::Stage,
                    Button::Commit => BulkEvent::Commit,
                };
            }
            _ => {}
        }
        BulkEvent::Nothing
    }

    /// `3 users (1 hidden by filter)`.
    pub fn reach(&self) -> String {
        let n = self.draft.users.len();
        let users = format!("{n} user{}", if n == 1 { "" } else { "s" });
        if self.draft.hidden == 0 {
            users
        } else {
            format!("{users} ({} hidden by filter)", self.draft.hidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::consent::{Consent, Reason};
    use ratatui::crossterm::event::KeyModifiers;

    fn press(c: &mut BulkConfirm, code: KeyCode) -> BulkEvent {
        c.handle_key(&KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn confirm(users_changed: usize, consent: Consent) -> BulkConfirm {
        let mut projection = Projection {
            consent,
            ..Projection::default()
        };
        for i in 0..users_changed {
            projection
                .users
                .insert(crate::model::UserId(i as i64), Default::default());
        }
        let draft = Draft {
            title: "Assign".into(),
            commands: Vec::new(),
            users: vec!["a".into(), "b".into(), "c".into()],
            hidden: 1,
            kind: DraftKind::Bulk,
            explain: Vec::new(),
        };
        BulkConfirm::new(draft, projection, 0)
    }

    #[test]
    fn enter_on_the_default_button_cancels() {
        let mut c = confirm(3, Consent::Confirm);
        assert_eq!(c.reach(), "3 users (1 hidden by filter)");
        assert!(matches!(press(&mut c, KeyCode::Enter), BulkEvent::Cancel));
        press(&mut c, KeyCode::Tab);
        assert!(matches!(press(&mut c, KeyCode::Enter), BulkEvent::Stage));
        press(&mut c, KeyCode::Tab);
        assert!(matches!(press(&mut c, KeyCode::Enter), BulkEvent::Commit));
    }

    #[test]
    fn a_count_asked_for_must_be_typed() {
        let many = Consent::TypedCount {
            users: 51,
            reason: Reason::ManyUsers,
        };
        let sensitive = Consent::TypedCount {
            users: 2,
            reason: Reason::SensitiveGain {
                permission: "users.delete".into(),
                users: 1,
            },
        };
        for mut c in [confirm(51, many), confirm(2, sensitive)] {
            let n = c.required.unwrap();
            press(&mut c, KeyCode::BackTab);
            assert!(
                matches!(press(&mut c, KeyCode::Enter), BulkEvent::Nothing),
                "not typed yet"
            );
            for d in n.to_string().chars() {
                press(&mut c, KeyCode::Char(d));
            }
            assert!(matches!(press(&mut c, KeyCode::Enter), BulkEvent::Commit));
        }
        assert!(confirm(50, Consent::Confirm).required.is_none());
    }
}
