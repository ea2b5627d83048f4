//! Applying many independent items (the rows of an import, the differences of a sync) in one
//! transaction with one audit record. Each item is a short list of ordinary [`Command`]s,
//! planned and authorized exactly as the verbs' are, between marks: an item that breaks a rule
//! is rolled back alone and reported with its reason, so a dry run lists every bad row, not
//! just the first. Whether anything is kept is then the caller's policy: all or nothing, or
//! the good items only. The post-conditions and the no-self-escalation check run once, over
//! everything kept.

use std::collections::HashMap;

use serde::Serialize;

use crate::model::{Change, Tenant};
use crate::service::{
    Command, Error, Note, Operator, Rule, Service, authorize, check_operator_still_valid, guard,
    plan, record, resolve,
};
use crate::store::{AuditDraft, Tx};

/// Where an item came from: a row of a file (spreadsheet numbering: the header is row 1), or
/// an entry named by its natural key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The file, when several were read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
}

impl Origin {
    pub fn row(file: &str, row: usize) -> Origin {
        Origin {
            file: Some(file.to_string()),
            row: Some(row),
        }
    }

    /// An entry of a document (named by its subject), or of a store (`file` none).
    pub fn entry(file: Option<&str>) -> Origin {
        Origin {
            file: file.map(str::to_string),
            row: None,
        }
    }

    /// `users.csv row 7`, `export.json`, or nothing for an entry of a store.
    pub fn describe(&self) -> Option<String> {
        match (&self.file, self.row) {
            (Some(f), Some(r)) => Some(format!("{f} row {r}")),
            (None, Some(r)) => Some(format!("row {r}")),
            (Some(f), None) => Some(f.clone()),
            (None, None) => None,
        }
    }
}

/// What an item does to the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Create,
    Update,
    Remove,
}

/// One unit of an import or sync: its commands stand or fall together.
#[derive(Clone, Debug)]
pub struct Item {
    pub origin: Origin,
    /// `user alice`, `member bob of group ops (QA)`.
    pub subject: String,
    pub effect: Effect,
    /// The tenant the commands run in.
    pub tenant: String,
    pub commands: Vec<Command>,
    /// Free text from another store is kept as it was; from a CSV it is checked as typed.
    pub free_text: plan::FreeText,
}

/// Whether the good items are kept when some fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Nothing is kept unless every item applies.
    AllOrNothing,
    /// Items that fail are left out; the rest is kept.
    GoodOnly,
}

/// What became of every item, in order; `Ok` when it applied (or would).
pub struct Applied {
    pub results: Vec<Result<(), Error>>,
    pub changes: Vec<Change>,
    pub notes: Vec<Note>,
    pub audit: Option<crate::model::AuditId>,
    pub committed: bool,
}

/// The changes and notes of the items applied so far.
#[derive(Default)]
struct Kept {
    changes: Vec<Change>,
    notes: Vec<Note>,
}

/// Builds one item's changes, applied, or the error that refused it (nothing of it kept).
fn apply_item(
    tx: &mut Tx<'_>,
    tenant: &Tenant,
    operator: &Operator,
    rights: &authorize::Rights,
    item: &Item,
    now: crate::model::Timestamp,
    kept: &mut Kept,
) -> Result<(), Error> {
    let mut own = Vec::new();
    let mut own_notes = Vec::new();
    for command in &item.commands {
        let planned = {
            let mut cx = plan::Ctx {
                tx: &mut *tx,
                tenant,
                operator,
                now,
                free_text: item.free_text,
            };
            plan::plan(&mut cx, command)?
        };
        authorize::authorize(tx, rights, &planned.changes)?;
        let mut planned_changes = planned.changes;
        tx.apply_all(&mut planned_changes, now)?;
        own.extend(planned_changes);
        own_notes.extend(planned.notes);
    }
    kept.changes.extend(own);
    kept.notes.extend(own_notes);
    Ok(())
}

/// Whether a change may take something from `operator`'s own access: one that takes access
/// away from another user alone (their status, memberships, assignments) cannot.
fn may_take_from(operator: crate::model::UserId, change: &Change) -> bool {
    !change.only_adds() && change.user_id().is_none_or(|user| user == operator)
}

/// Whether a refusal may come from rights read before the catalog grew (a new app, role or
/// permission the rights do not know yet), so reading them again could change the answer.
fn refused_for_rights(e: &Error) -> bool {
    matches!(
        e.rule(),
        Some(Rule::OperatorPermission | Rule::GrantHeldOnly)
    )
}

impl Service<'_> {
    /// Applies `items` as one transaction recorded under `action` (or, `commit` false,
    /// rehearses them and keeps nothing). Every item is tried, whatever happened to the
    /// ones before it.
    pub fn apply_items(
        &mut self,
        operator: &Operator,
        action: &str,
        summary: &str,
        items: &[Item],
        keep: Keep,
        commit: bool,
    ) -> Result<Applied, Error> {
        let now = self.clock.now();
        self.store.write_if(|tx| {
            check_operator_still_valid(tx, operator)?;
            let rights_before = authorize::Rights::load(tx, operator)?;
            let before = guard::baseline(tx, rights_before.graph())?;
            let mut rights = authorize::Rights::load(tx, operator)?;
            // Whether changes kept since the rights were read could grant the operator more.
            let mut stale = false;
            let mut tenants: HashMap<String, Tenant> = HashMap::new();
            let mut kept = Kept::default();
            let mut results = Vec::with_capacity(items.len());
            for item in items {
                let tenant = match tenants.get(&item.tenant) {
                    Some(t) => t.clone(),
                    None => match resolve::tenant(tx, &item.tenant) {
                        Ok(t) => {
                            tenants.insert(item.tenant.clone(), t.clone());
                            t
                        }
                        Err(e) => {
                            results.push(Err(e));
                            continue;
                        }
                    },
                };
                let first = kept.changes.len();
                tx.mark()?;
                let mut result = apply_item(tx, &tenant, operator, &rights, item, now, &mut kept);
                // Rights read before new apps, roles or permissions were added do not know
                // them: read them again and try once more before calling it a refusal.
                if stale && result.as_ref().is_err_and(refused_for_rights) {
                    tx.roll_back_to_mark()?;
                    kept.changes.truncate(first);
                    rights = authorize::Rights::load(tx, operator)?;
                    stale = false;
                    tx.mark()?;
                    result = apply_item(tx, &tenant, operator, &rights, item, now, &mut kept);
                }
                match result {
                    Ok(()) => {
                        tx.keep_since_mark()?;
                        let made = &kept.changes[first..];
                        if !made.iter().any(|c| may_take_from(operator.user, c)) {
                            stale |= !made.is_empty();
                        } else {
                            // Access may have been taken away, the operator's included: the
                            // next item is judged on the rights as they are now.
                            rights = authorize::Rights::load(tx, operator)?;
                            stale = false;
                        }
                        results.push(Ok(()));
                    }
                    Err(e) if is_fatal(&e) => return Err(e),
                    Err(e) => {
                        tx.roll_back_to_mark()?;
                        results.push(Err(e));
                    }
                }
            }
            let failed = results.iter().any(|r| r.is_err());
            // Nothing is kept unless every item applied, or the caller keeps the good ones.
            let keeping = commit && !(failed && keep == Keep::AllOrNothing);
            let Kept { changes, notes } = kept;
            let rights_after = authorize::Rights::load(tx, operator)?;
            guard::check(tx, &before, rights_after.graph(), &changes)?;
            authorize::check_no_escalation(operator, &rights_before, &rights_after)?;
            let audit = if keeping && !changes.is_empty() {
                let draft = AuditDraft {
                    at: now,
                    tenant: tenant_label(items),
                    operator: operator.audit_label(),
                    action: action.to_string(),
                    summary: summary.to_string(),
                    detail: String::new(),
                };
                Some(record(tx, draft, &changes, &notes)?)
            } else {
                None
            };
            let applied = Applied {
                results,
                changes,
                notes,
                audit,
                committed: keeping,
            };
            Ok((applied, keeping))
        })
    }
}

/// The tenant an audit record of many items is filed under: theirs when they share one.
fn tenant_label(items: &[Item]) -> String {
    let mut tenants: Vec<&str> = items.iter().map(|i| i.tenant.as_str()).collect();
    tenants.sort_unstable();
    tenants.dedup();
    match tenants.as_slice() {
        [one] => one.to_string(),
        [] => "default".to_string(),
        _ => tenants.join(","),
    }
}

/// Errors that end the whole run (the store failed, not the item).
fn is_fatal(e: &Error) -> bool {
    matches!(e, Error::Store(s) if !matches!(s, crate::store::StoreError::Conflict(_)
        | crate::store::StoreError::AlreadyExists { .. }))
}
