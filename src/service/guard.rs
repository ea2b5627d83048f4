//! Post-conditions checked after a change set is applied and before it commits: rules about the
//! store as a whole that no single command can see (the last active Administrator, custom
//! organization roles left without any permission, active members with no way to sign in, no
//! inclusion or implication cycle). Checking the result, rather than each command, covers every
//! path that could break them, bulk and staged edits included.
//!
//! The graph rules are answered from the access engines the write builds anyway (before and
//! after the changes), so they cost the same on a flat store and on a 1,000-deep inclusion chain.

use std::collections::BTreeSet;

use super::error::{Error, Rule};
use crate::access::{Engine, GraphEdge};
use crate::model::Change;
use crate::store::Tx;

/// The state the post-conditions compare against.
pub struct Baseline {
    administrators: usize,
    empty_roles: BTreeSet<String>,
    stranded_members: BTreeSet<String>,
    /// Edges on a cycle the store already held (written behind warden's back).
    cyclic_edges: BTreeSet<GraphEdge>,
}

/// The baseline of the store as the transaction sees it, with `graph` the engine built on it.
pub fn baseline(tx: &mut Tx<'_>, graph: &Engine) -> Result<Baseline, Error> {
    Ok(Baseline {
        administrators: tx.active_administrators()?.len(),
        empty_roles: graph
            .empty_custom_organization_roles()
            .into_iter()
            .collect(),
        stranded_members: tx.members_without_sign_in()?.into_iter().collect(),
        cyclic_edges: cyclic_edges(graph),
    })
}

/// Checks the post-conditions; `after` is the engine built on the changed store.
pub fn check(
    tx: &mut Tx<'_>,
    before: &Baseline,
    after: &Engine,
    changes: &[Change],
) -> Result<(), Error> {
    check_cycles(before, after)?;
    if before.administrators > 0 && tx.active_administrators()?.is_empty() {
        return Err(Error::refused(
            Rule::LastAdministrator,
            "this would leave the store without an active Administrator; \
             assign Administrators to another active member first",
        ));
    }
    let stranded: Vec<String> = tx
        .members_without_sign_in()?
        .into_iter()
        .filter(|u| !before.stranded_members.contains(u))
        .collect();
    if !stranded.is_empty() {
        return Err(Error::refused(
            Rule::MemberSignIn,
            format!(
                "{} would be an active member with no way to sign in; set a temporary password first (warden user set-password {} --temporary), or leave them invited",
                stranded.join(", "),
                stranded[0]
            ),
        ));
    }
    if changes.iter().any(Change::touches_roles_or_permissions) {
        let newly_empty: Vec<String> = after
            .empty_custom_organization_roles()
            .into_iter()
            .filter(|key| !before.empty_roles.contains(key))
            .collect();
        if !newly_empty.is_empty() {
            return Err(Error::refused(
                Rule::RoleNeedsPermission,
                format!(
                    "role {} would have no permission; a custom organization role needs at least one, \
                     granted directly (--grant) or through an included role (--include)",
                    super::plan::list_names(&newly_empty)
                ),
            ));
        }
    }
    Ok(())
}

/// A write never leaves an edge on a cycle that was not on one before; on a store that already
/// holds a cycle, a write must remove one of its edges (or a member), so that a damaged store
/// can be repaired by warden itself while every other write keeps being refused.
fn check_cycles(before: &Baseline, after: &Engine) -> Result<(), Error> {
    let remaining = cyclic_edges(after);
    let repairs = remaining.len() < before.cyclic_edges.len();
    if remaining.is_empty() || (remaining.is_subset(&before.cyclic_edges) && repairs) {
        return Ok(());
    }
    let mut named: Vec<String> = after
        .cycles()
        .iter()
        .take(3)
        .map(|c| c.description.clone())
        .collect();
    if after.cycles().len() > 3 {
        named.push(format!("{} more cycles", after.cycles().len() - 3));
    }
    let message = if remaining.is_subset(&before.cyclic_edges) {
        format!(
            "the store holds a cycle written outside warden: {}; until it is broken, only a change \
             that removes one of its edges (exclude a role from another, unimply a permission) or \
             deletes one of its roles or permissions is accepted",
            named.join("; ")
        )
    } else {
        format!("this would close a cycle: {}", named.join("; "))
    };
    Err(Error::refused(Rule::NoCycles, message))
}

fn cyclic_edges(graph: &Engine) -> BTreeSet<GraphEdge> {
    graph
        .cycles()
        .iter()
        .flat_map(|c| c.edges.iter().copied())
        .collect()
}
