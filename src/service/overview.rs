//! Everything the console shows at once — users, groups, roles, permissions, apps, recent
//! audit records, the access engine and the policy — read in one transaction, so the lists and the
//! engine describe the same moment even while another client writes.

use super::Service;
use super::error::Error;
use super::query::{
    AppView, AuditView, GroupView, PermissionView, RoleView, UserView, all_users, app_view,
    audit_in, groups_in, permissions_in, roles_in,
};
use crate::access::Engine;
use crate::policy::Policy;

/// One consistent view of the tenant.
pub struct Overview {
    pub users: Vec<UserView>,
    pub groups: Vec<GroupView>,
    pub roles: Vec<RoleView>,
    pub permissions: Vec<PermissionView>,
    pub apps: Vec<AppView>,
    /// The newest records, newest first.
    pub audit: Vec<AuditView>,
    pub engine: Engine,
    pub policy: Policy,
    /// The policy settings an operator changed, by key (the rest are the defaults).
    pub settings: std::collections::BTreeMap<String, String>,
    /// The store's change marker at that moment (see `Tx::change_marker`).
    pub marker: (i64, i64),
}

impl Service<'_> {
    /// The tenant as of now, with the `audit_records` newest audit records.
    pub fn overview(&mut self, audit_records: i64) -> Result<Overview, Error> {
        let now = self.clock.now();
        let tenant = self.tenant.clone();
        self.store.read(|tx| {
            let snapshot = tx.snapshot()?;
            // The engine builds on another core while this one reads the lists.
            std::thread::scope(|scope| {
                let engine = scope.spawn(|| Engine::build(&snapshot));
                let users = all_users(tx, &tenant, now)?;
                let groups = groups_in(tx, &tenant)?;
                let roles = roles_in(tx)?;
                let permissions = permissions_in(tx)?;
                let apps = tx.apps()?.into_iter().map(app_view).collect();
                let audit = audit_in(tx, audit_records, None)?;
                let policy = tx.policy()?;
                let settings = tx.settings()?;
                let marker = tx.change_marker()?;
                let engine = engine
                    .join()
                    .map_err(|_| {
                        Error::Store(crate::store::StoreError::Backend(
                            "the access engine stopped while loading".into(),
                        ))
                    })?
                    .map_err(super::access::engine_error)?;
                Ok(Overview {
                    users,
                    groups,
                    roles,
                    permissions,
                    apps,
                    audit,
                    engine,
                    policy,
                    settings,
                    marker,
                })
            })
        })
    }
}
