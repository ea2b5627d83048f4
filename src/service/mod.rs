//! The use cases both front ends call. A write is a list of [`Command`]s executed in one
//! transaction: each is planned against the state the previous ones left (every rule checked
//! there), its changes applied, the post-conditions checked, and one audit record written — or
//! nothing at all. [`Service::rehearse`] runs exactly the same path and rolls back, which is
//! what dry runs and previews use. Reads are in `query.rs`; store creation in `init.rs`.

pub mod access;
pub mod audit_query;
mod authorize;
pub mod catch_up;
pub mod checkup;
pub mod command;
pub mod consent;
pub mod credentials;
pub mod demo;
pub mod dormancy;
pub mod error;
mod guard;
pub mod init;
pub mod interchange;
pub mod operator;
pub mod overview;
pub mod plan;
pub mod query;
pub mod report;
pub mod resolve;
pub mod undo;

use serde::Serialize;

pub use command::{Command, GroupRef, NewRole, NewUser, ScopeRef, UserEdit};
pub use error::{Error, Rule};
pub use operator::{Operator, SignIn};
pub use plan::Note;

use crate::model::{AuditId, Change, Clock, UserKind, UserStatus};
use crate::store::{AuditDraft, Store, Tx};

/// What a write did (or, rehearsed, would do).
#[derive(Debug)]
pub struct Outcome {
    pub changes: Vec<Change>,
    pub notes: Vec<Note>,
    pub summary: String,
    /// Each command's own summary, in order (`summary` joins them).
    pub summaries: Vec<String>,
    /// The audit record written; `None` when nothing changed or nothing was committed.
    pub audit: Option<AuditId>,
    pub committed: bool,
}

impl Outcome {
    /// Whether any change can alter someone's effective permissions (users signed in see it
    /// only at their next sign-in, which the front ends say).
    pub fn changes_access(&self) -> bool {
        self.changes.iter().any(|c| {
            matches!(
                c,
                Change::Grant { .. }
                    | Change::Revoke { .. }
                    | Change::Include { .. }
                    | Change::Exclude { .. }
                    | Change::Imply { .. }
                    | Change::Unimply { .. }
                    | Change::Assign { .. }
                    | Change::Unassign { .. }
                    | Change::AddMember { .. }
                    | Change::RemoveMember { .. }
                    | Change::AddGroupRole { .. }
                    | Change::RemoveGroupRole { .. }
                    | Change::SetUserStatus { .. }
            )
        })
    }
}

#[derive(Serialize)]
struct AuditDetail<'a> {
    changes: &'a [Change],
    #[serde(skip_serializing_if = "<[Note]>::is_empty")]
    skipped: &'a [Note],
}

/// The use cases over one open store, for one tenant.
pub struct Service<'s> {
    store: &'s mut Store,
    clock: &'s dyn Clock,
    tenant: String,
}

impl<'s> Service<'s> {
    pub fn new(store: &'s mut Store, clock: &'s dyn Clock, tenant: impl Into<String>) -> Self {
        Service {
            store,
            clock,
            tenant: tenant.into(),
        }
    }

    pub fn tenant_name(&self) -> &str {
        &self.tenant
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock
    }

    pub fn store(&mut self) -> &mut Store {
        self.store
    }

    /// The operator the OS account running this process is mapped to (peer sign-in).
    pub fn peer_operator(&mut self) -> Result<Operator, Error> {
        let os_account = operator::os_account()?;
        self.store
            .read(|tx| operator::peer_operator(tx, &os_account))
    }

    /// Executes the commands as one transaction with one audit record.
    pub fn execute(&mut self, operator: &Operator, commands: &[Command]) -> Result<Outcome, Error> {
        let now = self.clock.now();
        let tenant = self.tenant.clone();
        self.store
            .write(|tx| run(tx, &tenant, operator, commands, now, Mode::Commit))
    }

    /// Runs the commands exactly as [`Service::execute`] would and keeps nothing.
    pub fn rehearse(
        &mut self,
        operator: &Operator,
        commands: &[Command],
    ) -> Result<Outcome, Error> {
        self.rehearse_with(operator, commands, &mut |_, _| {})
    }

    /// [`Service::rehearse`], handing `planned` the change list as soon as the last command
    /// is planned and authorized — the earlier commands' changes (applied) and the last one's
    /// (not yet applied) — before the rules that need the result (the post-conditions, no
    /// self-escalation) are checked, so a caller can start on it early. It is the final list
    /// unless applying gives the last command's changes their ids (a create), or a later rule
    /// refuses; the outcome is the word on both.
    pub fn rehearse_with(
        &mut self,
        operator: &Operator,
        commands: &[Command],
        planned: &mut dyn FnMut(&[Change], &[Change]),
    ) -> Result<Outcome, Error> {
        let now = self.clock.now();
        let tenant = self.tenant.clone();
        self.store.rehearse(|tx| {
            run(
                tx,
                &tenant,
                operator,
                commands,
                now,
                Mode::Rehearse(planned),
            )
        })
    }
}

/// Whether [`run`] keeps its work, and who hears of the planned changes if not.
enum Mode<'a> {
    Commit,
    Rehearse(&'a mut dyn FnMut(&[Change], &[Change])),
}

fn run(
    tx: &mut Tx<'_>,
    tenant_name: &str,
    operator: &Operator,
    commands: &[Command],
    now: crate::model::Timestamp,
    mut mode: Mode<'_>,
) -> Result<Outcome, Error> {
    let commit = matches!(mode, Mode::Commit);
    let tenant = resolve::tenant(tx, tenant_name)?;
    check_operator_still_valid(tx, operator)?;
    let rights_before = authorize::Rights::load(tx, operator)?;
    let before = guard::baseline(tx, rights_before.graph())?;
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    let mut summaries = Vec::new();
    for (i, command) in commands.iter().enumerate() {
        let planned = {
            let mut cx = plan::Ctx {
                tx: &mut *tx,
                tenant: &tenant,
                operator,
                now,
                free_text: plan::FreeText::Typed,
            };
            plan::plan(&mut cx, command)?
        };
        // Each command is judged on the rights the operator holds when it runs.
        let reloaded;
        let rights = if i == 0 {
            &rights_before
        } else {
            reloaded = authorize::Rights::load(tx, operator)?;
            &reloaded
        };
        authorize::authorize(tx, rights, &planned.changes)?;
        // Nothing after the last command can take a gain back: its part for the operator is
        // judged before it is applied.
        if i + 1 == commands.len() {
            authorize::check_own_part(operator, &rights_before, rights, &planned.changes)?;
        }
        if let Mode::Rehearse(hear) = &mut mode {
            if i + 1 == commands.len() {
                hear(&changes, &planned.changes);
            }
        }
        let mut planned_changes = planned.changes;
        tx.apply_all(&mut planned_changes, now)?;
        changes.extend(planned_changes);
        notes.extend(planned.notes);
        summaries.push(planned.summary);
    }
    let rights_after = authorize::Rights::load(tx, operator)?;
    guard::check(tx, &before, rights_after.graph(), &changes)?;
    authorize::check_no_escalation(operator, &rights_before, &rights_after)?;
    let summary = summaries.join("; ");
    // A rehearsal keeps nothing, so it writes no audit record either.
    let audit = if changes.is_empty() || !commit {
        None
    } else {
        let action = match commands {
            [one] => one.action().to_string(),
            _ => "batch".to_string(),
        };
        let draft = AuditDraft {
            at: now,
            tenant: tenant.name.clone(),
            operator: operator.audit_label(),
            action,
            summary: summary.clone(),
            detail: String::new(),
        };
        Some(record(tx, draft, &changes, &notes)?)
    };
    Ok(Outcome {
        changes,
        notes,
        summary,
        summaries,
        audit,
        committed: commit,
    })
}

/// Writes the audit record of `changes` (its detail filled in here: the changes and what was
/// skipped, by name) and keeps the changes with their ids, so anyone can undo them while they
/// are the newest.
fn record(
    tx: &mut Tx<'_>,
    mut draft: AuditDraft,
    changes: &[Change],
    notes: &[Note],
) -> Result<AuditId, Error> {
    draft.detail = serde_json::to_string(&AuditDetail {
        changes,
        skipped: notes,
    })
    .map_err(|e| crate::store::StoreError::Backend(format!("audit detail: {e}")))?;
    let audit = tx.append_audit(&draft)?;
    let kept = crate::model::change::encode_with_ids(changes)
        .map_err(|e| crate::store::StoreError::Backend(format!("changes kept for undo: {e}")))?;
    tx.keep_for_undo(audit, &kept)?;
    Ok(audit)
}

/// The operator was checked when the session began; make sure they still may act now, inside
/// the transaction that will carry their change.
fn check_operator_still_valid(tx: &mut Tx<'_>, operator: &Operator) -> Result<(), Error> {
    match tx.user(operator.user)? {
        Some(user)
            if user.status == UserStatus::Active
                && matches!(user.kind, UserKind::Member | UserKind::ApiClient) =>
        {
            Ok(())
        }
        _ => Err(Error::refused(
            Rule::PeerOperator,
            format!(
                "operator {} is no longer an active member or API client; nothing was changed",
                operator.username
            ),
        )),
    }
}
