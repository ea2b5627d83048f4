//! Post-conditions checked after a change set is applied and before it commits: rules about the
//! store as a whole that no single command can see (the last active Administrator, custom
//! organization roles left without any permission, active members with no way to sign in). Checking the result, rather than each
//! command, covers every path that could break them, bulk and staged edits included.

use std::collections::BTreeSet;

use super::error::{Error, Rule};
use crate::model::Change;
use crate::store::Tx;

/// The state the post-conditions compare against.
pub struct Baseline {
    administrators: usize,
    empty_roles: BTreeSet<String>,
    stranded_members: BTreeSet<String>,
}

pub fn baseline(tx: &mut Tx<'_>) -> Result<Baseline, Error> {
    Ok(Baseline {
        administrators: tx.active_administrators()?.len(),
        empty_roles: tx
            .custom_organization_roles_without_permissions()?
            .into_iter()
            .collect(),
        stranded_members: tx.members_without_sign_in()?.into_iter().collect(),
    })
}

pub fn check(tx: &mut Tx<'_>, before: &Baseline, changes: &[Change]) -> Result<(), Error> {
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
        let newly_empty: Vec<String> = tx
            .custom_organization_roles_without_permissions()?
            .into_iter()
            .filter(|key| !before.empty_roles.contains(key))
            .collect();
        if !newly_empty.is_empty() {
            return Err(Error::refused(
                Rule::RoleNeedsPermission,
                format!(
                    "role {} would have no permission; a custom organization role needs at least one, \
                     granted directly (--grant) or through an included role (--include)",
                    newly_empty.join(", ")
                ),
            ));
        }
    }
    Ok(())
}
