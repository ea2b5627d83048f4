//! `:import FILE` and `:export FILE` in the console. An import is rehearsed first (the very
//! path `warden import --dry-run` takes, on the store worker) and its report shown — every row
//! that would fail or be skipped, with its file, row, column and reason, the counts, and what
//! it does to access — before anything is committed; committing imports exactly the bytes
//! that were reviewed, after the typed count when the consent rule asks for it. An export
//! writes the whole store as a document (no secrets from the console) to the file, whole.

use std::path::PathBuf;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::service::consent::Consent;
use crate::service::interchange::{ImportReport, OnConflict, RowOutcome, Source};

/// A rehearsed import, waiting for a commit or a cancel.
pub struct ImportReview {
    pub path: PathBuf,
    pub on_conflict: OnConflict,
    /// The files as read for the rehearsal; a commit imports these very bytes.
    pub sources: Vec<Source>,
    pub report: ImportReport,
    /// `changes access for 12 users ...`.
    pub headline: String,
    pub consent: Consent,
    pub typed: String,
    pub scroll: usize,
}

pub enum ImportEvent {
    Nothing,
    Cancel,
    Commit,
    /// Commit asked for while it cannot be done, and why.
    Refused(String),
}

impl ImportReview {
    /// Rows that stop an all-or-nothing import.
    pub fn failed(&self) -> usize {
        self.report.counts.failed
    }

    /// What commit would do now, or why it cannot.
    pub fn commit_blocked(&self) -> Option<String> {
        if self.failed() > 0 {
            return Some(format!(
                "{} rows would fail, so nothing can be imported: fix the file, or give \
                 :import the file and skip to import the good rows only",
                self.failed()
            ));
        }
        if !self.consent.given_by(&self.typed) {
            if let Some(n) = self.consent.typed_count() {
                return Some(format!("type {n}, the users whose access changes, first"));
            }
        }
        None
    }

    /// The report's rows in the order shown: failures and skips first, then the rest.
    pub fn rows_shown(&self) -> Vec<&crate::service::interchange::import::RowReport> {
        let mut rows: Vec<_> = self
            .report
            .rows
            .iter()
            .filter(|r| r.outcome != RowOutcome::Unchanged)
            .collect();
        rows.sort_by_key(|r| !matches!(r.outcome, RowOutcome::Failed | RowOutcome::Skipped));
        rows
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> ImportEvent {
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => return ImportEvent::Cancel,
            KeyCode::Down | KeyCode::Char('j') => self.scroll += 1,
            KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown => self.scroll += 10,
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(10),
            KeyCode::Char(c) if c.is_ascii_digit() && self.consent.typed_count().is_some() => {
                self.typed.push(c)
            }
            KeyCode::Backspace => {
                self.typed.pop();
            }
            KeyCode::Enter | KeyCode::Char('c') => {
                return match self.commit_blocked() {
                    Some(why) => ImportEvent::Refused(why),
                    None => ImportEvent::Commit,
                };
            }
            _ => {}
        }
        ImportEvent::Nothing
    }
}

/// `:import FILE [skip|overwrite]` and `:export FILE`, read from the command line's words.
pub enum Asked {
    Import {
        path: PathBuf,
        on_conflict: OnConflict,
    },
    Export {
        path: PathBuf,
    },
}

/// The command's usage, when its words are not one.
pub fn asked(command: &str, words: &[&str]) -> Option<Result<Asked, &'static str>> {
    match (command, words) {
        ("import", [file]) => Some(Ok(Asked::Import {
            path: PathBuf::from(file),
            on_conflict: OnConflict::Fail,
        })),
        ("import", [file, policy]) => Some(match OnConflict::parse(policy) {
            Ok(on_conflict) => Ok(Asked::Import {
                path: PathBuf::from(file),
                on_conflict,
            }),
            Err(_) => Err(":import FILE [skip|overwrite]"),
        }),
        ("import", _) => Some(Err(":import FILE [skip|overwrite]")),
        ("export", [file]) => Some(Ok(Asked::Export {
            path: PathBuf::from(file),
        })),
        ("export", _) => Some(Err(
            ":export FILE (the whole store as a document, no secrets)",
        )),
        _ => None,
    }
}
