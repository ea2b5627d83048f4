//! Applying a change list with runs of like changes (a bulk assign: 10,000 `Assign`s in a
//! row) written many rows to a statement. Over a network every statement is a round trip, so a
//! bulk action that wrote one row per statement spent its time waiting on the wire. Everything
//! else goes through [`Tx::apply`] one change at a time, exactly as before.

use super::Tx;
use super::error::StoreError;
use super::sql::Param;
use crate::model::{Change, Scope, Timestamp};

/// Rows per statement: four parameters each, well under both backends' limits.
const ROWS: usize = 1_000;

/// The kind of run a change belongs to, if it can be batched.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Run {
    Assign,
    Unassign,
    AddMember,
    RemoveMember,
}

fn run_of(change: &Change) -> Option<Run> {
    match change {
        Change::Assign { .. } => Some(Run::Assign),
        Change::Unassign { .. } => Some(Run::Unassign),
        Change::AddMember { .. } => Some(Run::AddMember),
        Change::RemoveMember { .. } => Some(Run::RemoveMember),
        _ => None,
    }
}

/// The four values identifying an assignment, or the two of a membership.
fn key(change: &Change) -> Vec<Param<'static>> {
    let scope = |s: Scope| -> [Param<'static>; 2] {
        [s.stage.map(|x| x.0).into(), s.app.map(|x| x.0).into()]
    };
    match change {
        Change::Assign {
            user,
            role,
            scope: s,
        }
        | Change::Unassign {
            user,
            role,
            scope: s,
        } => {
            let [stage, app] = scope(s.scope);
            vec![user.id.0.into(), role.id.0.into(), stage, app]
        }
        Change::AddMember { group, user } | Change::RemoveMember { group, user } => {
            vec![group.id.0.into(), user.id.0.into()]
        }
        _ => Vec::new(),
    }
}

impl Tx<'_> {
    /// Applies `changes` in order, as [`Tx::apply`] would one by one, writing runs of
    /// assignments and memberships many rows to a statement.
    pub fn apply_all(&mut self, changes: &mut [Change], at: Timestamp) -> Result<(), StoreError> {
        let mut i = 0;
        while i < changes.len() {
            let Some(run) = run_of(&changes[i]) else {
                self.apply(&mut changes[i], at)?;
                i += 1;
                continue;
            };
            let end = changes[i..]
                .iter()
                .position(|c| run_of(c) != Some(run))
                .map_or(changes.len(), |n| i + n);
            if end - i == 1 {
                self.apply(&mut changes[i], at)?;
            } else {
                self.apply_run(run, &changes[i..end], at)?;
            }
            i = end;
        }
        Ok(())
    }

    fn apply_run(&mut self, run: Run, changes: &[Change], at: Timestamp) -> Result<(), StoreError> {
        for chunk in changes.chunks(ROWS) {
            let params: Vec<Param<'_>> = chunk.iter().flat_map(key).collect();
            let width = if matches!(run, Run::Assign | Run::Unassign) {
                4
            } else {
                2
            };
            let tuple = format!("({})", vec!["?"; width].join(", "));
            let tuples = vec![tuple.as_str(); chunk.len()].join(", ");
            match run {
                Run::Assign => {
                    self.conn().execute(
                        &format!(
                            "INSERT INTO assignments (user_id, role_id, stage_id, app_id) VALUES {tuples}"
                        ),
                        &params,
                    )?;
                }
                Run::AddMember => {
                    self.conn().execute(
                        &format!("INSERT INTO group_members (group_id, user_id) VALUES {tuples}"),
                        &params,
                    )?;
                }
                Run::Unassign | Run::RemoveMember => {
                    let sql = if run == Run::Unassign {
                        // A scope's "any" is NULL: matched through COALESCE, as the unique
                        // index is.
                        let casts = vec![
                            "(CAST(? AS BIGINT), CAST(? AS BIGINT), COALESCE(CAST(? AS BIGINT), 0), COALESCE(CAST(? AS BIGINT), 0))";
                            chunk.len()
                        ]
                        .join(", ");
                        format!(
                            "DELETE FROM assignments WHERE (user_id, role_id, COALESCE(stage_id, 0), COALESCE(app_id, 0)) IN (VALUES {casts})"
                        )
                    } else {
                        let casts =
                            vec!["(CAST(? AS BIGINT), CAST(? AS BIGINT))"; chunk.len()].join(", ");
                        format!(
                            "DELETE FROM group_members WHERE (group_id, user_id) IN (VALUES {casts})"
                        )
                    };
                    let deleted = self.conn().execute(&sql, &params)?;
                    if deleted != chunk.len() as u64 {
                        // The planner found every one in this same transaction, so only a
                        // store changed behind warden's back gets here; nothing is kept.
                        return Err(StoreError::Conflict(format!(
                            "{} of {} {} to remove were not there; reload and try again",
                            chunk.len() as u64 - deleted,
                            chunk.len(),
                            if run == Run::Unassign {
                                "assignments"
                            } else {
                                "memberships"
                            }
                        )));
                    }
                }
            }
        }
        // Groups whose members changed are stamped once each, as one change would stamp them.
        if matches!(run, Run::AddMember | Run::RemoveMember) {
            let mut groups: Vec<i64> = changes
                .iter()
                .filter_map(|c| match c {
                    Change::AddMember { group, .. } | Change::RemoveMember { group, .. } => {
                        Some(group.id.0)
                    }
                    _ => None,
                })
                .collect();
            groups.sort_unstable();
            groups.dedup();
            for group in groups {
                self.conn().execute(
                    "UPDATE groups SET updated_at = ?, version = version + 1 WHERE id = ?",
                    &[at.0.into(), group.into()],
                )?;
            }
        }
        Ok(())
    }
}
