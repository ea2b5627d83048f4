//! Access questions asked by name: effective permissions, explain, why-not, who-can, check, and
//! the preview of a list of commands. The engine answers; this file resolves names to ids in
//! the store and turns answers into views with the documented JSON fields.

use serde::Serialize;

use super::command::{Command, ScopeRef};
use super::consent::Consent;
use super::error::Error;
use super::operator::Operator;
use super::{Outcome, Service, resolve};
use crate::access::{Atom, Engine, EngineError, Preview, Suggestion};
use crate::model::*;
use crate::store::StoreError;

/// One permission a user holds, with every path that gives it.
#[derive(Clone, Debug, Serialize)]
pub struct HeldPermission {
    pub permission: String,
    pub section: String,
    pub stage: Option<String>,
    pub app: Option<String>,
    pub via: Vec<String>,
}

/// `warden access USER`.
#[derive(Clone, Debug, Serialize)]
pub struct AccessView {
    pub user: String,
    pub status: UserStatus,
    pub locked: bool,
    pub permissions: Vec<HeldPermission>,
}

/// `warden explain USER PERM`.
#[derive(Clone, Debug, Serialize)]
pub struct ExplainView {
    pub user: String,
    pub permission: String,
    pub stage: Option<String>,
    pub app: Option<String>,
    pub holds: bool,
    pub paths: Vec<String>,
    pub truncated: bool,
    /// Narrower scopes inside the one asked where the user does hold it.
    pub held_within: Vec<AtomView>,
}

/// `warden why-not USER PERM`.
#[derive(Clone, Debug, Serialize)]
pub struct WhyNotView {
    pub user: String,
    pub permission: String,
    pub stage: Option<String>,
    pub app: Option<String>,
    pub holds: bool,
    /// When it does hold: the first path.
    pub via: Option<String>,
    /// When it does not: "would hold if ..." one-hop changes.
    pub would_hold_if: Vec<String>,
    /// Narrower scopes inside the one asked where the user does hold it.
    pub held_within: Vec<AtomView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Holder {
    pub username: String,
    pub via: String,
}

/// `warden who-can PERM`.
#[derive(Clone, Debug, Serialize)]
pub struct WhoCanView {
    pub permission: String,
    pub stage: Option<String>,
    pub app: Option<String>,
    pub users: Vec<Holder>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct AtomView {
    pub permission: String,
    pub stage: Option<String>,
    pub app: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct UserChange {
    pub username: String,
    pub gained: Vec<AtomView>,
    pub lost: Vec<AtomView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PermissionCount {
    pub permission: String,
    pub users_gaining: usize,
    pub users_losing: usize,
}

/// What a list of changes does to access: per user, and per permission.
#[derive(Clone, Debug, Serialize)]
pub struct PreviewView {
    pub users_changed: usize,
    /// The agreement applying it needs.
    pub consent: Consent,
    pub permissions: Vec<PermissionCount>,
    pub users: Vec<UserChange>,
}

impl PreviewView {
    /// `changes access for 143 users; 12 gain users.delete, 3 lose apps.view`.
    pub fn headline(&self) -> String {
        if self.users_changed == 0 {
            return "changes nobody's access".into();
        }
        let mut parts = Vec::new();
        for p in self.permissions.iter().take(6) {
            if p.users_gaining > 0 {
                parts.push(format!("{} gain {}", p.users_gaining, p.permission));
            }
            if p.users_losing > 0 {
                parts.push(format!("{} lose {}", p.users_losing, p.permission));
            }
        }
        if self.permissions.len() > 6 {
            parts.push(format!(
                "{} more permissions change",
                self.permissions.len() - 6
            ));
        }
        format!(
            "changes access for {} user{}; {}",
            self.users_changed,
            if self.users_changed == 1 { "" } else { "s" },
            parts.join(", ")
        )
    }
}

/// A cycle or an inconsistency in the stored graph is a damaged store.
pub(super) fn engine_error(e: EngineError) -> Error {
    Error::Store(StoreError::Corrupt(e.to_string()))
}

impl Engine {
    fn atom_view(&self, atom: Atom) -> AtomView {
        AtomView {
            permission: self
                .permission_key(atom.permission)
                .unwrap_or("?")
                .to_string(),
            stage: atom
                .scope
                .stage
                .and_then(|s| self.stage_name(s))
                .map(String::from),
            app: atom
                .scope
                .app
                .and_then(|a| self.app_key(a))
                .map(String::from),
        }
    }

    /// A preview as names, permissions ordered by how many users they touch.
    pub fn preview_view(&self, preview: &Preview, consent: Consent) -> PreviewView {
        let mut permissions: Vec<PermissionCount> = preview
            .totals()
            .into_iter()
            .map(|(p, (gain, lose))| PermissionCount {
                permission: self.permission_key(p).unwrap_or("?").to_string(),
                users_gaining: gain,
                users_losing: lose,
            })
            .collect();
        permissions.sort_by(|a, b| {
            (b.users_gaining + b.users_losing)
                .cmp(&(a.users_gaining + a.users_losing))
                .then_with(|| a.permission.cmp(&b.permission))
        });
        let mut users: Vec<UserChange> = preview
            .users
            .iter()
            .map(|d| UserChange {
                username: self.username(d.user).unwrap_or("?").to_string(),
                gained: d.gained.iter().map(|a| self.atom_view(*a)).collect(),
                lost: d.lost.iter().map(|a| self.atom_view(*a)).collect(),
            })
            .collect();
        users.sort_by(|a, b| a.username.cmp(&b.username));
        PreviewView {
            users_changed: users.len(),
            consent,
            permissions,
            users,
        }
    }

    /// The user's atoms of `permission` strictly inside `scope` (held there, not everywhere
    /// in it): what a "does not hold" answer should mention.
    pub fn held_within(
        &self,
        user: UserId,
        permission: PermissionId,
        scope: Scope,
    ) -> Vec<AtomView> {
        let set = self.effective(user).unwrap_or_default();
        self.atoms(&set)
            .into_iter()
            .filter(|a| a.permission == permission && scope.covers(a.scope) && a.scope != scope)
            .map(|a| self.atom_view(a))
            .collect()
    }

    pub fn describe_suggestion(&self, user: &str, suggestion: &Suggestion) -> String {
        match suggestion {
            Suggestion::Activate { status } => format!("{user} were active (now {status})"),
            Suggestion::JoinGroup { group } => {
                format!("{user} were in group {}", self.group_label(*group))
            }
            Suggestion::AssignRole { role, scope } => format!(
                "{user} were assigned role {} at {}",
                self.role_key(*role).unwrap_or("?"),
                self.describe_scope(*scope)
            ),
            Suggestion::GrantOnHeldRole { role, scope } => format!(
                "role {} (which {user} holds) granted it at {}",
                self.role_key(*role).unwrap_or("?"),
                self.describe_scope(*scope)
            ),
        }
    }
}

/// Names resolved for a question: who, what, where.
struct Question {
    user: Option<User>,
    permission: Permission,
    scope: NamedScope,
}

impl Service<'_> {
    /// Loads the whole access graph and builds the engine.
    pub fn engine(&mut self) -> Result<Engine, Error> {
        let snapshot = self.store.read(|tx| Ok::<_, Error>(tx.snapshot()?))?;
        Engine::build(&snapshot).map_err(engine_error)
    }

    fn question(
        &mut self,
        user: Option<&str>,
        permission: &str,
        scope: &ScopeRef,
    ) -> Result<Question, Error> {
        let tenant_name = self.tenant.clone();
        self.store.read(|tx| {
            let user = match user {
                Some(name) => {
                    let tenant = resolve::tenant(tx, &tenant_name)?;
                    Some(resolve::user(tx, &tenant, name)?)
                }
                None => None,
            };
            Ok(Question {
                user,
                permission: resolve::permission(tx, permission)?,
                scope: resolve::scope(tx, scope)?,
            })
        })
    }

    /// What `user` can do (within `scope` when it names a stage or app), each with its paths.
    pub fn access(
        &mut self,
        engine: &Engine,
        user: &str,
        scope: &ScopeRef,
    ) -> Result<AccessView, Error> {
        let now = self.clock.now();
        let tenant_name = self.tenant.clone();
        let (user, within) = self.store.read(|tx| {
            let tenant = resolve::tenant(tx, &tenant_name)?;
            Ok::<_, Error>((
                resolve::user(tx, &tenant, user)?,
                resolve::scope(tx, scope)?,
            ))
        })?;
        let set = engine.effective(user.id).unwrap_or_default();
        let permissions = engine
            .atoms(&set)
            .into_iter()
            .filter(|atom| atom.scope.intersect(within.scope).is_some())
            .map(|atom| {
                let via = engine
                    .explain(user.id, atom.permission, Some(atom.scope))
                    .paths
                    .iter()
                    .map(|p| engine.render_path(p))
                    .collect();
                let view = engine.atom_view(atom);
                HeldPermission {
                    permission: view.permission,
                    section: engine
                        .permission_section(atom.permission)
                        .unwrap_or("")
                        .to_string(),
                    stage: view.stage,
                    app: view.app,
                    via,
                }
            })
            .collect();
        Ok(AccessView {
            locked: user.lock.is_locked(now),
            user: user.username,
            status: user.status,
            permissions,
        })
    }

    pub fn explain(
        &mut self,
        engine: &Engine,
        user: &str,
        permission: &str,
        scope: &ScopeRef,
    ) -> Result<ExplainView, Error> {
        let q = self.question(Some(user), permission, scope)?;
        let user = q.user.ok_or_else(|| Error::Usage("name a user".into()))?;
        let explanation = engine.explain(user.id, q.permission.id, Some(q.scope.scope));
        Ok(ExplainView {
            held_within: if explanation.paths.is_empty() {
                engine.held_within(user.id, q.permission.id, q.scope.scope)
            } else {
                Vec::new()
            },
            holds: !explanation.paths.is_empty(),
            paths: explanation
                .paths
                .iter()
                .map(|p| engine.render_path(p))
                .collect(),
            truncated: explanation.truncated,
            user: user.username,
            permission: q.permission.key,
            stage: q.scope.stage,
            app: q.scope.app,
        })
    }

    pub fn why_not(
        &mut self,
        engine: &Engine,
        user: &str,
        permission: &str,
        scope: &ScopeRef,
    ) -> Result<WhyNotView, Error> {
        let q = self.question(Some(user), permission, scope)?;
        let user = q.user.ok_or_else(|| Error::Usage("name a user".into()))?;
        let answer = engine.why_not(user.id, q.permission.id, q.scope.scope);
        let via = if answer.holds {
            engine
                .explain(user.id, q.permission.id, Some(q.scope.scope))
                .paths
                .first()
                .map(|p| engine.render_path(p))
        } else {
            None
        };
        Ok(WhyNotView {
            held_within: if answer.holds {
                Vec::new()
            } else {
                engine.held_within(user.id, q.permission.id, q.scope.scope)
            },
            holds: answer.holds,
            via,
            would_hold_if: answer
                .suggestions
                .iter()
                .map(|s| engine.describe_suggestion(&user.username, s))
                .collect(),
            user: user.username,
            permission: q.permission.key,
            stage: q.scope.stage,
            app: q.scope.app,
        })
    }

    /// Every active user of the tenant holding the permission at the scope, each with a path.
    pub fn who_can(
        &mut self,
        engine: &Engine,
        permission: &str,
        scope: &ScopeRef,
    ) -> Result<WhoCanView, Error> {
        let q = self.question(None, permission, scope)?;
        let tenant_name = self.tenant.clone();
        let tenant = self.store.read(|tx| resolve::tenant(tx, &tenant_name))?;
        let mut users: Vec<Holder> = engine
            .who_can(q.permission.id, q.scope.scope, Some(tenant.id))
            .into_iter()
            .map(|u| Holder {
                username: engine.username(u).unwrap_or("?").to_string(),
                via: engine
                    .explain(u, q.permission.id, Some(q.scope.scope))
                    .paths
                    .first()
                    .map(|p| engine.render_path(p))
                    .unwrap_or_default(),
            })
            .collect();
        users.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(WhoCanView {
            permission: q.permission.key,
            stage: q.scope.stage,
            app: q.scope.app,
            users,
        })
    }

    /// Whether the user holds the permission at a scope covering the one asked.
    pub fn check(
        &mut self,
        engine: &Engine,
        user: &str,
        permission: &str,
        scope: &ScopeRef,
    ) -> Result<bool, Error> {
        let q = self.question(Some(user), permission, scope)?;
        let user = q.user.ok_or_else(|| Error::Usage("name a user".into()))?;
        Ok(engine.check(user.id, q.permission.id, q.scope.scope))
    }

    /// What `changes` (rehearsed, not kept) would do to everyone's access.
    pub fn preview_changes(
        &mut self,
        changes: &[crate::model::Change],
    ) -> Result<PreviewView, Error> {
        let mut engine = self.engine()?;
        let (preview, consent) = engine
            .preview_and(changes, Consent::of)
            .map_err(engine_error)?;
        Ok(engine.preview_view(&preview, consent))
    }

    /// Rehearses the commands and previews what they would do to everyone's access.
    pub fn preview(
        &mut self,
        operator: &Operator,
        commands: &[Command],
    ) -> Result<(Outcome, PreviewView), Error> {
        let mut engine = self.engine()?;
        let outcome = self.rehearse(operator, commands)?;
        let (preview, consent) = engine
            .preview_and(&outcome.changes, Consent::of)
            .map_err(engine_error)?;
        Ok((outcome, engine.preview_view(&preview, consent)))
    }
}
