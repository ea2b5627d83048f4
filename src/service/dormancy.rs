//! Access nobody uses: users who hold permissions but have not signed in for N days (counted
//! from their creation when they never have), roles no active user holds by any path (direct,
//! group, inclusion), and permissions no role grants, directly or by implication. Answered from
//! the engine, so "holds" means what `warden access` means.

use std::collections::HashSet;

use serde::Serialize;

use super::{Error, Service, resolve};
use crate::access::Engine;
use crate::model::{Timestamp, UserKind, UserStatus};

/// A user with access and no recent sign-in.
#[derive(Clone, Debug, Serialize)]
pub struct DormantUser {
    pub username: String,
    pub kind: UserKind,
    /// `None`: never signed in.
    pub last_sign_in_at: Option<Timestamp>,
    /// How many effective permissions they hold (each at its widest scope).
    pub permissions: usize,
}

/// What nobody holds or grants.
#[derive(Clone, Debug, Serialize)]
pub struct Unused {
    /// Role keys no active user of the tenant holds, by any path.
    pub roles: Vec<String>,
    /// Permission keys no role grants, directly or by implication.
    pub permissions: Vec<String>,
}

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Whether a user counts as dormant at `now`: active, and neither signed in nor created
/// within the last `days` days.
pub fn is_dormant(
    status: UserStatus,
    created_at: Timestamp,
    last_sign_in_at: Option<Timestamp>,
    days: i64,
    now: Timestamp,
) -> bool {
    let seen = last_sign_in_at.unwrap_or(created_at);
    status == UserStatus::Active && seen.0 < now.0.saturating_sub(days.saturating_mul(DAY_MS))
}

impl Service<'_> {
    /// Active users of the tenant holding any permission who have not signed in for `days`
    /// days, longest unseen first.
    pub fn dormant(&mut self, engine: &Engine, days: i64) -> Result<Vec<DormantUser>, Error> {
        let now = self.clock.now();
        let tenant_name = self.tenant.clone();
        let users = self.store.read(|tx| {
            let tenant = resolve::tenant(tx, &tenant_name)?;
            Ok::<_, Error>(tx.users(tenant.id)?)
        })?;
        let mut out: Vec<DormantUser> = users
            .into_iter()
            .filter(|u| is_dormant(u.status, u.created_at, u.last_sign_in_at, days, now))
            .filter_map(|u| {
                let held = engine.effective(u.id).map(|s| engine.atoms(&s).len())?;
                (held > 0).then_some(DormantUser {
                    username: u.username,
                    kind: u.kind,
                    last_sign_in_at: u.last_sign_in_at,
                    permissions: held,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            a.last_sign_in_at
                .cmp(&b.last_sign_in_at)
                .then_with(|| a.username.cmp(&b.username))
        });
        Ok(out)
    }

    /// Roles no active user of the tenant holds, and permissions no role grants.
    pub fn unused(&mut self, engine: &Engine) -> Result<Unused, Error> {
        let tenant_name = self.tenant.clone();
        let (roles, permissions, active) = self.store.read(|tx| {
            let tenant = resolve::tenant(tx, &tenant_name)?;
            let active: HashSet<_> = tx
                .users(tenant.id)?
                .into_iter()
                .filter(|u| u.status == UserStatus::Active)
                .map(|u| u.id)
                .collect();
            Ok::<_, Error>((tx.roles()?, tx.permissions()?, active))
        })?;
        let mut unheld: Vec<String> = roles
            .iter()
            .filter(|r| !engine.role_holders(r.id).all().any(|u| active.contains(&u)))
            .map(|r| r.key.clone())
            .collect();
        unheld.sort();
        let mut granted = HashSet::new();
        for r in &roles {
            for atom in engine.role_grants(r.id) {
                granted.insert(atom.permission);
                granted.extend(engine.implied_permissions(atom.permission));
            }
        }
        let mut ungranted: Vec<String> = permissions
            .iter()
            .filter(|p| !granted.contains(&p.id))
            .map(|p| p.key.clone())
            .collect();
        ungranted.sort();
        Ok(Unused {
            roles: unheld,
            permissions: ungranted,
        })
    }
}
