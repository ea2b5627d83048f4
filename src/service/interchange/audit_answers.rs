//! Answers for auditors: the access matrix (every user × every effective permission, with its
//! scope and first path, one row each) and assertions about access checked line by line, for
//! pipelines that guard access rules:
//!
//! ```text
//! alice can apps.deploy at QA
//! bob cannot users.delete
//! only Administrators can users.delete
//! nobody can shop.refund at Production
//! group ops can shop.orders.ship at QA
//! ```
//!
//! A scope is `at STAGE`, `in APP`, or both (`at QA in shop`); none means the organization.

use serde::Serialize;

use crate::access::Engine;
use crate::service::{Error, GroupRef, ScopeRef, Service, resolve};

/// One row of the matrix.
#[derive(Clone, Debug, Serialize)]
pub struct MatrixRow {
    pub username: String,
    pub permission: String,
    pub stage: Option<String>,
    pub app: Option<String>,
    /// The first (shortest) derivation path.
    pub via: String,
}

/// One assertion that does not hold.
#[derive(Clone, Debug, Serialize)]
pub struct FailedAssertion {
    pub line: usize,
    pub text: String,
    /// Why it does not hold: the path that contradicts it, or what is missing.
    pub why: Vec<String>,
}

/// How many holders an assertion failure names before summarising.
const HOLDERS_NAMED: usize = 5;

/// What a line asserts.
enum Claim {
    User { user: String, can: bool },
    Only { role: String },
    Nobody,
    Group { group: String },
}

fn parse_scope(words: &[&str]) -> Result<ScopeRef, String> {
    let mut scope = ScopeRef::default();
    let mut rest = words;
    while let [word, value, tail @ ..] = rest {
        match *word {
            "at" => scope.stage = Some(value.to_string()),
            "in" => scope.app = Some(value.to_string()),
            other => return Err(format!("expected `at STAGE` or `in APP`, found {other:?}")),
        }
        rest = tail;
    }
    if let [extra] = rest {
        return Err(format!("{extra:?} needs a value (`at STAGE`, `in APP`)"));
    }
    Ok(scope)
}

fn parse_line(line: &str) -> Result<(Claim, String, ScopeRef), String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let (claim, rest) = match words.as_slice() {
        ["nobody", "can", rest @ ..] => (Claim::Nobody, rest),
        ["only", role, "can", rest @ ..] => (
            Claim::Only {
                role: role.to_string(),
            },
            rest,
        ),
        ["group", group, "can", rest @ ..] => (
            Claim::Group {
                group: group.to_string(),
            },
            rest,
        ),
        [user, "can", rest @ ..] => (
            Claim::User {
                user: user.to_string(),
                can: true,
            },
            rest,
        ),
        [user, "cannot", rest @ ..] => (
            Claim::User {
                user: user.to_string(),
                can: false,
            },
            rest,
        ),
        _ => {
            return Err(
                "expected `USER can|cannot PERM`, `only ROLE can PERM`, `nobody can PERM` or \
                 `group GROUP can PERM`, each optionally `at STAGE` and `in APP`"
                    .into(),
            );
        }
    };
    let [permission, scope @ ..] = rest else {
        return Err("a permission key is missing".into());
    };
    Ok((claim, permission.to_string(), parse_scope(scope)?))
}

impl Service<'_> {
    /// Every user of the tenant with each effective permission within `within`, handed to
    /// `each` one row at a time (users by username).
    pub fn matrix(
        &mut self,
        engine: &Engine,
        within: &ScopeRef,
        each: &mut dyn FnMut(MatrixRow) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let tenant_name = self.tenant.clone();
        let (tenant, within) = self.store.read(|tx| {
            Ok::<_, Error>((
                resolve::tenant(tx, &tenant_name)?,
                resolve::scope(tx, within)?,
            ))
        })?;
        let mut users: Vec<(String, crate::model::UserId)> = self
            .store
            .read(|tx| Ok::<_, Error>(tx.user_names()?))?
            .into_iter()
            .filter(|(_, t, _)| *t == tenant.id)
            .map(|(id, _, name)| (name, id))
            .collect();
        users.sort_by_cached_key(|(name, _)| crate::model::validate::fold(name));
        for (username, id) in users {
            let Some(set) = engine.effective(id) else {
                continue;
            };
            for atom in engine.atoms(&set) {
                if atom.scope.intersect(within.scope).is_none() {
                    continue;
                }
                let via = engine
                    .first_path(id, atom)
                    .map(|p| engine.render_path(&p))
                    .unwrap_or_default();
                each(MatrixRow {
                    username: username.clone(),
                    permission: engine.permission_key(atom.permission).unwrap_or("?").into(),
                    stage: atom
                        .scope
                        .stage
                        .and_then(|s| engine.stage_name(s))
                        .map(String::from),
                    app: atom
                        .scope
                        .app
                        .and_then(|a| engine.app_key(a))
                        .map(String::from),
                    via,
                })?;
            }
        }
        Ok(())
    }

    /// Checks every line of an assertions file; the ones that do not hold, with why. A line
    /// that cannot be read, or names nothing, is a failure too (naming the problem).
    pub fn check_assertions(
        &mut self,
        engine: &Engine,
        text: &str,
    ) -> Result<(usize, Vec<FailedAssertion>), Error> {
        let mut checked = 0;
        let mut failed = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            checked += 1;
            let why = match parse_line(line) {
                Err(problem) => vec![problem],
                Ok((claim, permission, scope)) => {
                    match self.assertion_fails(engine, &claim, &permission, &scope) {
                        Ok(why) => why,
                        Err(e) => vec![e.to_string()],
                    }
                }
            };
            if !why.is_empty() {
                failed.push(FailedAssertion {
                    line: i + 1,
                    text: line.to_string(),
                    why,
                });
            }
        }
        Ok((checked, failed))
    }

    /// Why the claim does not hold; empty when it does.
    fn assertion_fails(
        &mut self,
        engine: &Engine,
        claim: &Claim,
        permission: &str,
        scope: &ScopeRef,
    ) -> Result<Vec<String>, Error> {
        Ok(match claim {
            Claim::User { user, can: true } => {
                let answer = self.why_not(engine, user, permission, scope)?;
                if answer.holds {
                    Vec::new()
                } else if answer.would_hold_if.is_empty() {
                    vec![format!(
                        "{user} does not hold {permission} there, by any path"
                    )]
                } else {
                    answer
                        .would_hold_if
                        .into_iter()
                        .map(|s| format!("would hold if {s}"))
                        .collect()
                }
            }
            Claim::User { user, can: false } => {
                let answer = self.explain(engine, user, permission, scope)?;
                if answer.holds {
                    answer.paths.into_iter().take(1).collect()
                } else {
                    Vec::new()
                }
            }
            Claim::Nobody => {
                let holders = self.who_can(engine, permission, scope)?;
                holders
                    .users
                    .iter()
                    .take(HOLDERS_NAMED)
                    .map(|h| h.via.clone())
                    .chain(
                        (holders.users.len() > HOLDERS_NAMED).then(|| {
                            format!("... and {} more", holders.users.len() - HOLDERS_NAMED)
                        }),
                    )
                    .collect()
            }
            Claim::Only { role } => {
                let tenant_name = self.tenant.clone();
                let (role, tenant, permission, wanted) = self.store.read(|tx| {
                    Ok::<_, Error>((
                        resolve::role(tx, role)?,
                        resolve::tenant(tx, &tenant_name)?,
                        resolve::permission(tx, permission)?,
                        resolve::scope(tx, scope)?.scope,
                    ))
                })?;
                // A holder passes when some path to the permission goes through the role.
                let through_role = |step: &crate::access::Step| {
                    matches!(step, crate::access::Step::Role { role: r, .. }
                        | crate::access::Step::Includes { role: r } if *r == role.id)
                };
                let mut outsiders: Vec<String> = engine
                    .who_can(permission.id, wanted, Some(tenant.id))
                    .into_iter()
                    .filter_map(|u| {
                        let paths = engine.explain(u, permission.id, Some(wanted)).paths;
                        let inside = paths.iter().any(|p| p.steps.iter().any(through_role));
                        (!inside).then(|| paths.first().map(|p| engine.render_path(p)))?
                    })
                    .collect();
                outsiders.sort();
                let more = outsiders.len().saturating_sub(HOLDERS_NAMED);
                outsiders.truncate(HOLDERS_NAMED);
                if more > 0 {
                    outsiders.push(format!("... and {more} more"));
                }
                outsiders
            }
            Claim::Group { group } => {
                let (stage, roles) = self.store.read(|tx| {
                    let tenant = resolve::tenant(tx, &self.tenant)?;
                    let found = resolve::group(
                        tx,
                        &tenant,
                        &GroupRef {
                            name: group.clone(),
                            stage: None,
                        },
                    )?;
                    let roles = tx
                        .group_role_ids(found.id)?
                        .into_iter()
                        .map(|r| resolve::role_by_id(tx, r))
                        .collect::<Result<Vec<_>, Error>>()?;
                    Ok::<_, Error>((found.stage, roles))
                })?;
                let (permission_id, wanted) = self.store.read(|tx| {
                    Ok::<_, Error>((
                        resolve::permission(tx, permission)?.id,
                        resolve::scope(tx, scope)?.scope,
                    ))
                })?;
                let holds = roles.iter().any(|r| {
                    engine
                        .role_atoms(r.id, crate::model::Scope::new(Some(stage), r.app))
                        .iter()
                        .any(|a| a.permission == permission_id && a.scope.covers(wanted))
                });
                if holds {
                    Vec::new()
                } else {
                    let keys: Vec<&str> = roles.iter().map(|r| r.key.as_str()).collect();
                    vec![format!(
                        "group {group}'s roles ({}) grant no {permission} covering that scope",
                        if keys.is_empty() {
                            "none".to_string()
                        } else {
                            keys.join(", ")
                        }
                    )]
                }
            }
        })
    }
}
