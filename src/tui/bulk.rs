//! The confirmation of a bulk action (or an undo): what it is, whom it reaches (`3 users (1
//! hidden by filter)`), what it does to access, and three buttons — Cancel (focused), Stage,
//! Commit. When more than 50 users' access changes, or someone gains a User management
//! permission, the user count must be typed before Stage or Commit does anything.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::intent::Draft;
use super::staging::Projection;

/// More users than this changing access asks for the count to be typed.
pub const TYPE_THE_COUNT_ABOVE: usize = 50;

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
        let required = (projection.users_changed() > TYPE_THE_COUNT_ABOVE || projection.sensitive)
            .then(|| projection.users_changed());
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

    /// The buttons on offer: an undo is committed or not, never staged.
    pub fn buttons(&self) -> &'static [Button] {
        if self.draft.undo {
            &[Button::Cancel, Button::Commit]
        } else {
            &[Button::Cancel, Button::Stage, Button::Commit]
        }
    }

    /// Whether the typed count (when one is asked for) is right.
    pub fn count_ok(&self) -> bool {
        self.required
            .is_none_or(|n| self.typed.trim() == n.to_string())
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
    use ratatui::crossterm::event::KeyModifiers;

    fn press(c: &mut BulkConfirm, code: KeyCode) -> BulkEvent {
        c.handle_key(&KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn confirm(users_changed: usize, sensitive: bool) -> BulkConfirm {
        let mut projection = Projection {
            sensitive,
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
            undo: false,
        };
        BulkConfirm::new(draft, projection, 0)
    }

    #[test]
    fn enter_on_the_default_button_cancels() {
        let mut c = confirm(3, false);
        assert_eq!(c.reach(), "3 users (1 hidden by filter)");
        assert!(matches!(press(&mut c, KeyCode::Enter), BulkEvent::Cancel));
        press(&mut c, KeyCode::Tab);
        assert!(matches!(press(&mut c, KeyCode::Enter), BulkEvent::Stage));
        press(&mut c, KeyCode::Tab);
        assert!(matches!(press(&mut c, KeyCode::Enter), BulkEvent::Commit));
    }

    #[test]
    fn many_users_or_a_sensitive_gain_ask_for_the_count() {
        for mut c in [confirm(51, false), confirm(2, true)] {
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
        assert!(confirm(50, false).required.is_none());
    }
}
