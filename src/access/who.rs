//! "Who can": the reverse query. It asks the same question as `check`, of the same path and
//! group sets, once per user — so `who_can(P, q)` contains `U` exactly when `check(U, P, q)`.

use super::engine::Engine;
use crate::model::*;

impl Engine {
    /// Every active user (of `tenant`, when given) holding `permission` at a scope covering
    /// `scope`, in load order.
    pub fn who_can(
        &self,
        permission: PermissionId,
        scope: Scope,
        tenant: Option<TenantId>,
    ) -> Vec<UserId> {
        let (Some(&p), Some(q)) = (self.perm_index.get(&permission), self.slot(scope)) else {
            return Vec::new();
        };
        // Decide once per path and per group, then per user only look the answers up.
        let path_holds: Vec<bool> = self
            .paths
            .iter()
            .map(|path| self.bits_cover(&path.bits, p, q))
            .collect();
        let group_holds: Vec<bool> = self
            .groups
            .iter()
            .map(|g| g.alive && self.bits_cover(&g.bits, p, q))
            .collect();
        self.users
            .iter()
            .filter(|u| {
                u.alive
                    && u.status == UserStatus::Active
                    && tenant.is_none_or(|t| t == u.tenant)
                    && (u.direct.iter().any(|d| path_holds[d.path as usize])
                        || u.groups.iter().any(|&g| group_holds[g as usize]))
            })
            .map(|u| u.id)
            .collect()
    }
}
