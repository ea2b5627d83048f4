//! Undo: the newest committed change list taken back, as a new change of its own (with its own
//! audit record). Each change is replaced by its inverse, in reverse order, and the result goes
//! through the same authorization and post-conditions as any write. Only the newest record can
//! be undone: had anything been committed since, its changes could depend on what the undo
//! removes.

use super::{Ctx, Plan};
use crate::model::{AuditId, Change};
use crate::service::error::Error;

pub fn undo(cx: &mut Ctx<'_, '_>, of: AuditId, changes: &[Change]) -> Result<Plan, Error> {
    let newest = cx.tx.audit_records(1, None)?.first().map(|r| r.id);
    if newest != Some(of) {
        return Err(Error::Conflict(format!(
            "change #{} is no longer the newest (#{} is): only the newest change can be undone",
            of.0,
            newest.map_or(0, |n| n.0)
        )));
    }
    let mut plan = Plan::new(format!("undo #{}", of.0));
    for change in changes.iter().rev() {
        let Some(inverse) = change.inverse() else {
            return Err(Error::Usage(format!(
                "change #{} cannot be undone: \"{}\" cannot be taken back (a password, an unlock or a revoked token is not given back)",
                of.0,
                change.describe()
            )));
        };
        // A deleted user comes back as they were, but a password hash is never recorded in a
        // change, so it cannot come back with them.
        if let Change::DeleteUser { user, .. } = change {
            plan.skip(
                user.name.clone(),
                "comes back without a password (none is ever recorded): set a temporary one",
            );
        }
        plan.changes.push(inverse);
    }
    let described: Vec<String> = plan.changes.iter().map(Change::describe).collect();
    plan.summary = format!("undo #{}: {}", of.0, super::list_names(&described));
    Ok(plan)
}
