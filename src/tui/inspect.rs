//! `Enter` on a user: their effective permissions as a list to move through — held now, and
//! under the staged edits gained (+) or lost (−) — where `Enter` on one explains it (every
//! path, shortest first).

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::access::Atom;
use crate::model::UserId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Held {
    Now,
    Gained,
    Lost,
}

#[derive(Clone, Debug)]
pub struct AccessItem {
    pub atom: Atom,
    pub held: Held,
    /// The first path that gives it (for a gained atom: under the staged edits).
    pub route: String,
    pub label: String,
    pub section: String,
}

#[derive(Clone, Debug)]
pub struct AccessList {
    pub user: UserId,
    pub username: String,
    pub items: Vec<AccessItem>,
    pub cursor: usize,
}

pub enum AccessEvent {
    Nothing,
    Close,
    Explain(usize),
}

impl AccessList {
    pub fn handle_key(&mut self, key: &KeyEvent) -> AccessEvent {
        let last = self.items.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => return AccessEvent::Close,
            KeyCode::Char('j') | KeyCode::Down => self.cursor = (self.cursor + 1).min(last),
            KeyCode::Char('k') | KeyCode::Up => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::PageDown => self.cursor = (self.cursor + 10).min(last),
            KeyCode::PageUp => self.cursor = self.cursor.saturating_sub(10),
            KeyCode::Char('g') | KeyCode::Home => self.cursor = 0,
            KeyCode::Char('G') | KeyCode::End => self.cursor = last,
            KeyCode::Enter if !self.items.is_empty() => return AccessEvent::Explain(self.cursor),
            _ => {}
        }
        AccessEvent::Nothing
    }
}
