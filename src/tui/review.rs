//! The review of staged edits (`R`): each edit (unstage the focused one with `x`), then per
//! affected user the atoms gained (+) and lost (−) with the path that causes each. `c` commits
//! everything in one transaction, `D` discards everything (asking first), Esc closes.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Debug, Default)]
pub struct Review {
    /// The focused edit.
    pub cursor: usize,
    /// First line of the per-user part shown.
    pub scroll: usize,
}

pub enum ReviewEvent {
    Nothing,
    Close,
    Unstage(usize),
    Commit,
    Discard,
}

impl Review {
    pub fn handle_key(&mut self, key: &KeyEvent, edits: usize) -> ReviewEvent {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => return ReviewEvent::Close,
            KeyCode::Char('j') | KeyCode::Down => {
                self.cursor = (self.cursor + 1).min(edits.saturating_sub(1))
            }
            KeyCode::Char('k') | KeyCode::Up => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char('f') if !ctrl || key.code == KeyCode::Char('f') => {
                self.scroll += 10
            }
            KeyCode::PageUp | KeyCode::Char('b') => self.scroll = self.scroll.saturating_sub(10),
            KeyCode::Char('x') | KeyCode::Delete if edits > 0 => {
                return ReviewEvent::Unstage(self.cursor.min(edits - 1));
            }
            KeyCode::Char('c') => return ReviewEvent::Commit,
            KeyCode::Char('s') if ctrl => return ReviewEvent::Commit,
            KeyCode::Char('D') => return ReviewEvent::Discard,
            _ => {}
        }
        ReviewEvent::Nothing
    }
}
