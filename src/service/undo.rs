//! Undoing the newest change, whoever made it. Every write keeps its changes with their ids
//! beside its audit record (the record itself only names things); undo reads them back and
//! plans their inverse, which every rule then judges like any other write — so an operator can
//! undo only what they could have done, and only while it is still the newest change.

use super::Service;
use super::command::Command;
use super::error::Error;
use crate::model::{AuditId, Change};

/// The newest change, ready to be undone.
#[derive(Clone, Debug)]
pub struct UndoOffer {
    /// The audit record it takes back.
    pub of: AuditId,
    /// What that record did (`assign role deployer to alice at organization`).
    pub summary: String,
    /// The undo itself: one command, run through every rule.
    pub command: Command,
    /// The users it touches, for a per-user report.
    pub users: Vec<String>,
}

impl Service<'_> {
    /// The newest change as an undo; `of` names the record the caller means to undo, which
    /// must still be the newest.
    pub fn newest_undo(&mut self, of: Option<AuditId>) -> Result<UndoOffer, Error> {
        let (newest, kept) = self.store.read(|tx| {
            Ok::<_, Error>((
                tx.audit_records(1, None)?.into_iter().next(),
                tx.kept_for_undo()?,
            ))
        })?;
        let Some(newest) = newest else {
            return Err(Error::Usage(
                "nothing to undo: the audit trail is empty".into(),
            ));
        };
        let newest_id = newest.id;
        if let Some(of) = of.filter(|of| *of != newest_id) {
            return Err(Error::Conflict(format!(
                "change #{} is no longer the newest (#{} is: {}): only the newest change can be undone",
                of.0, newest.id.0, newest.summary
            )));
        }
        let changes = match kept {
            Some((audit, text)) if audit == newest_id => {
                crate::model::change::decode_with_ids(&text).map_err(|e| {
                    Error::Store(crate::store::StoreError::Corrupt(format!(
                        "the changes kept for undoing #{} cannot be read: {e}",
                        newest.id.0
                    )))
                })?
            }
            _ => {
                return Err(Error::Usage(format!(
                    "change #{} ({}) cannot be undone: its changes were not kept (it was made by an older warden, or created the store)",
                    newest.id.0, newest.summary
                )));
            }
        };
        let mut users: Vec<String> = changes
            .iter()
            .filter_map(Change::user_name)
            .map(String::from)
            .collect();
        users.sort();
        users.dedup();
        Ok(UndoOffer {
            of: newest_id,
            summary: newest.summary,
            command: Command::Undo {
                of: newest_id,
                changes,
            },
            users,
        })
    }
}
