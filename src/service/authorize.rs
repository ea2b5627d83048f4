//! Operator authorization, from the engine. Every change needs a catalog permission at a
//! scope, held by the operator; granting an organization permission (directly, by inclusion,
//! by copying a role, or by assigning an organization role) also needs the operator to hold
//! what is granted; end-user roles are granted under the stage's assign right
//! (`roles.assign_end_user` at the stage and app). After a change list is applied, the
//! operator's own access may not have grown (no self-escalation).
//!
//! The operator's rights come from an engine built for the operator alone
//! ([`Tx::snapshot_for`]), so checking costs milliseconds whatever the size of the store. That
//! engine holds the whole role and permission graph, so the post-conditions read it too; it is
//! built even over a cycle written behind warden's back, so the write that repairs such a store
//! can be judged (the post-conditions refuse every other write there).

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use super::error::{Error, Rule};
use super::operator::Operator;
use crate::access::{Atom, Engine};
use crate::model::*;
use crate::store::Tx;

/// What the operator may do: their effective permissions, as of one moment.
pub struct Rights {
    engine: Engine,
    user: UserId,
    username: String,
}

impl Rights {
    pub fn load(tx: &mut Tx<'_>, operator: &Operator) -> Result<Rights, Error> {
        let snapshot = tx.snapshot_for(operator.user)?;
        let engine = Engine::build_allowing_cycles(&snapshot)
            .map_err(|e| Error::Store(crate::store::StoreError::Corrupt(e.to_string())))?;
        Ok(Rights {
            engine,
            user: operator.user,
            username: operator.username.clone(),
        })
    }

    /// The engine the rights were computed on: the whole role and permission graph, and the
    /// operator's own access.
    pub fn graph(&self) -> &Engine {
        &self.engine
    }

    fn holds(&self, permission: PermissionId, scope: Scope) -> bool {
        self.engine.check(self.user, permission, scope)
    }

    /// Requires the catalog permission `key` at `scope` to do `doing`.
    fn require(&self, key: &str, scope: Scope, doing: &str) -> Result<(), Error> {
        let Some(permission) = self.engine.permission_by_key(key) else {
            return Err(Error::refused(
                Rule::OperatorPermission,
                format!("{doing} needs {key}, which this store's catalog lacks"),
            ));
        };
        if self.holds(permission, scope) {
            return Ok(());
        }
        Err(Error::refused(
            Rule::OperatorPermission,
            format!(
                "you ({}) need {key} at {} to {doing}; {}",
                self.username,
                self.engine.describe_scope(scope),
                self.where_held(permission)
            ),
        ))
    }

    /// `you hold it only at stage Development` or `you do not hold it`.
    fn where_held(&self, permission: PermissionId) -> String {
        let set = self.engine.effective(self.user).unwrap_or_default();
        let scopes: Vec<String> = self
            .engine
            .atoms(&set)
            .into_iter()
            .filter(|a| a.permission == permission)
            .map(|a| self.engine.describe_scope(a.scope))
            .collect();
        if scopes.is_empty() {
            "you do not hold it".into()
        } else {
            format!("you hold it only at {}", scopes.join("; "))
        }
    }

    /// Requires holding every organization (catalog) atom in `atoms`: an operator grants only
    /// what they hold.
    fn require_holding(&self, atoms: &[Atom], doing: &str) -> Result<(), Error> {
        let missing: Vec<String> = atoms
            .iter()
            .filter(|a| self.engine.permission_is_catalog(a.permission))
            .filter(|a| !self.holds(a.permission, a.scope))
            .map(|a| self.engine.atom_label(*a))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::refused(
            Rule::GrantHeldOnly,
            format!(
                "you ({}) cannot {doing}: it grants {}, which you do not hold",
                self.username,
                missing.join(", ")
            ),
        ))
    }

    fn role_atoms(&self, role: RoleId, scope: Scope) -> Vec<Atom> {
        self.engine.role_atoms(role, scope)
    }
}

/// Ids removed by a change list: removals that come with them (a deleted user's assignments,
/// a deleted role's grants) are covered by the delete's own permission.
#[derive(Default)]
struct Deleted {
    users: HashSet<UserId>,
    groups: HashSet<GroupId>,
    roles: HashSet<RoleId>,
    permissions: HashSet<PermissionId>,
}

impl Deleted {
    fn of(changes: &[Change]) -> Deleted {
        let mut d = Deleted::default();
        for change in changes {
            match change {
                Change::DeleteUser { user, .. } => {
                    d.users.insert(user.id);
                }
                Change::DeleteGroup { group, .. } => {
                    d.groups.insert(group.id);
                }
                Change::DeleteRole { role, .. } => {
                    d.roles.insert(role.id);
                }
                Change::DeletePermission { permission, .. } => {
                    d.permissions.insert(permission.id);
                }
                _ => {}
            }
        }
        d
    }
}

/// Groups' stages and roles read while judging one command's changes, each read once: a bulk
/// action over 10,000 users names the same role 10,000 times. Nothing is written while
/// `authorize` runs, so what was read stays true.
#[derive(Default)]
struct Lookups {
    stages: HashMap<GroupId, StageId>,
    roles: HashMap<RoleId, Role>,
}

impl Lookups {
    fn stage_of_group(&mut self, tx: &mut Tx<'_>, group: GroupId) -> Result<StageId, Error> {
        if let Some(stage) = self.stages.get(&group) {
            return Ok(*stage);
        }
        let stage = super::resolve::group_by_id(tx, group)?.stage;
        self.stages.insert(group, stage);
        Ok(stage)
    }

    fn role(&mut self, tx: &mut Tx<'_>, id: RoleId) -> Result<&Role, Error> {
        Ok(match self.roles.entry(id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => slot.insert(super::resolve::role_by_id(tx, id)?),
        })
    }
}

const ORG: Scope = Scope::ORGANIZATION;

/// Checks that the operator may make every change in `changes` (one command's worth).
pub fn authorize(tx: &mut Tx<'_>, rights: &Rights, changes: &[Change]) -> Result<(), Error> {
    let deleted = Deleted::of(changes);
    let mut lookups = Lookups::default();
    for change in changes {
        match change {
            Change::AddTenant { .. } => rights.require("config.change", ORG, "add a tenant")?,
            Change::AddStage { .. } | Change::DeleteStage { .. } => {
                rights.require("stages.manage", ORG, "add or remove stages")?
            }
            Change::AddApp { .. } => rights.require("apps.create", ORG, "add an app")?,
            Change::EditApp { app, .. } => {
                rights.require("apps.change", Scope::new(None, Some(app.id)), "edit an app")?
            }
            Change::DeleteApp { app, .. } => rights.require(
                "apps.delete",
                Scope::new(None, Some(app.id)),
                "delete an app",
            )?,
            Change::AddUser { .. } => rights.require("users.invite", ORG, "invite users")?,
            Change::EditUser { .. } => rights.require("users.edit", ORG, "edit users")?,
            Change::SetUserStatus { .. } => {
                rights.require("users.activate", ORG, "activate or deactivate users")?
            }
            Change::DeleteUser { .. } => rights.require("users.delete", ORG, "delete users")?,
            Change::AddGroup { stage, .. } => rights.require(
                "groups.manage",
                Scope::new(Some(stage.id), None),
                "create groups",
            )?,
            Change::EditGroup { group, .. } | Change::DeleteGroup { group, .. } => {
                let stage = lookups.stage_of_group(tx, group.id)?;
                rights.require(
                    "groups.manage",
                    Scope::new(Some(stage), None),
                    "change groups",
                )?
            }
            Change::AddMember { group, user } | Change::RemoveMember { group, user } => {
                if deleted.users.contains(&user.id) || deleted.groups.contains(&group.id) {
                    continue;
                }
                let stage = lookups.stage_of_group(tx, group.id)?;
                rights.require(
                    "groups.manage",
                    Scope::new(Some(stage), None),
                    "change group members",
                )?
            }
            Change::AddGroupRole { group, role: r }
            | Change::RemoveGroupRole { group, role: r } => {
                if deleted.groups.contains(&group.id) || deleted.roles.contains(&r.id) {
                    continue;
                }
                let stage = lookups.stage_of_group(tx, group.id)?;
                let app = lookups.role(tx, r.id)?.app;
                rights.require(
                    "groups.manage",
                    Scope::new(Some(stage), None),
                    "change group roles",
                )?;
                rights.require(
                    "roles.assign_end_user",
                    Scope::new(Some(stage), app),
                    "grant end-user roles to a group",
                )?
            }
            Change::AddRole {
                key,
                grants,
                includes,
                ..
            } => {
                rights.require("roles.manage", ORG, "create roles")?;
                let mut atoms = Vec::new();
                for g in grants {
                    atoms.push(Atom {
                        permission: g.permission.id,
                        scope: g.scope.scope,
                    });
                    atoms.extend(implied(rights, g.permission.id, g.scope.scope));
                }
                for included in includes {
                    atoms.extend(rights.role_atoms(included.id, ORG));
                }
                rights.require_holding(&atoms, &format!("create role {key}"))?;
            }
            Change::EditRole { .. } | Change::DeleteRole { .. } => {
                rights.require("roles.manage", ORG, "change roles")?
            }
            Change::Grant {
                role: r,
                permission,
                scope,
            } => {
                rights.require("roles.manage", ORG, "change roles")?;
                let mut atoms = vec![Atom {
                    permission: permission.id,
                    scope: scope.scope,
                }];
                atoms.extend(implied(rights, permission.id, scope.scope));
                rights.require_holding(
                    &atoms,
                    &format!("grant {} to role {}", permission.name, r.name),
                )?;
            }
            Change::Revoke { role: r, .. } | Change::Exclude { role: r, .. } => {
                if !deleted.roles.contains(&r.id) {
                    rights.require("roles.manage", ORG, "change roles")?
                }
            }
            Change::Include { role: r, included } => {
                rights.require("roles.manage", ORG, "change roles")?;
                rights.require_holding(
                    &rights.role_atoms(included.id, ORG),
                    &format!("make role {} include {}", r.name, included.name),
                )?;
            }
            Change::AddPermission { .. }
            | Change::EditPermission { .. }
            | Change::DeletePermission { .. } => {
                rights.require("roles.manage", ORG, "change app permissions")?
            }
            Change::Imply { .. } | Change::Unimply { permission: _, .. } => {
                rights.require("roles.manage", ORG, "change implications")?
            }
            Change::Assign {
                user,
                role: r,
                scope,
            }
            | Change::Unassign {
                user,
                role: r,
                scope,
            } => {
                if deleted.users.contains(&user.id) || deleted.roles.contains(&r.id) {
                    continue;
                }
                let held = lookups.role(tx, r.id)?;
                match held.kind {
                    RoleKind::Organization => {
                        rights.require("roles.assign", ORG, "assign organization roles")?;
                        if matches!(change, Change::Assign { .. }) {
                            rights.require_holding(
                                &rights.role_atoms(r.id, scope.scope),
                                &format!("assign role {}", r.name),
                            )?;
                        }
                    }
                    RoleKind::EndUser => rights.require(
                        "roles.assign_end_user",
                        Scope::new(scope.scope.stage, scope.scope.app.or(held.app)),
                        "grant end-user roles",
                    )?,
                }
            }
            Change::SetPassword { user, .. } => {
                if user.id != rights.user {
                    rights.require("users.credentials", ORG, "set other users' passwords")?
                }
            }
            Change::Unlock { .. } => rights.require("users.unlock", ORG, "unlock users")?,
            Change::SetSetting { .. } => {
                rights.require("config.password_policy", ORG, "change the password policy")?
            }
            Change::CreateToken { .. } | Change::RevokeToken { .. } => {
                rights.require("users.tokens", ORG, "manage API tokens")?
            }
            Change::MapPeer { .. } => rights.require("users.edit", ORG, "map peer operators")?,
        }
    }
    Ok(())
}

/// The atoms a grant of `permission` at `scope` brings through implication.
fn implied(rights: &Rights, permission: PermissionId, scope: Scope) -> Vec<Atom> {
    rights
        .engine
        .implied_permissions(permission)
        .into_iter()
        .map(|p| Atom {
            permission: p,
            scope,
        })
        .collect()
}

/// Refuses, before it is applied, a last command that would widen the operator's own access.
/// A change about another user cannot alter the operator's access, so the rest — the
/// operator's own rows and any change to the graph — applied to the operator's rights engine
/// gives what the operator would hold after it. An action over every user that includes the
/// operator is so refused at once, naming them, instead of after writing (and rolling back) a
/// row for each. [`check_no_escalation`] still judges the whole list once it is applied.
pub fn check_own_part(
    operator: &Operator,
    before: &Rights,
    current: &Rights,
    planned: &[Change],
) -> Result<(), Error> {
    let own: Vec<&Change> = planned
        .iter()
        .filter(|c| c.user_id().is_none_or(|user| user == operator.user))
        .collect();
    if own.is_empty() {
        return Ok(());
    }
    let mut engine = current.engine.clone();
    for change in own {
        // What the engine cannot follow here, the check after applying judges.
        if engine.apply(change).is_err() {
            return Ok(());
        }
    }
    let after = Rights {
        engine,
        user: current.user,
        username: current.username.clone(),
    };
    check_no_escalation(operator, before, &after)
}

/// Refuses a change list that widened the operator's own access: `before` are the rights the
/// operator had before any change was applied, `after` those with every change applied.
pub fn check_no_escalation(
    operator: &Operator,
    before: &Rights,
    after: &Rights,
) -> Result<(), Error> {
    let set = after.engine.effective(operator.user).unwrap_or_default();
    let gained: Vec<String> = after
        .engine
        .atoms(&set)
        .into_iter()
        .filter(|a| !before.holds(a.permission, a.scope))
        .map(|a| after.engine.atom_label(a))
        .collect();
    if gained.is_empty() {
        return Ok(());
    }
    Err(Error::refused(
        Rule::NoSelfEscalation,
        format!(
            "this would give you ({}) {}; an operator cannot change their own access to gain permissions — ask another administrator",
            operator.username,
            gained.join(", ")
        ),
    ))
}
